// The where parser: where text → a WhereExpr condition tree (tokens, the recursive-descent
// parser, syntax errors located in the INI file), and WhereExpr::LocAt.
#include "crmkpi/definition/where.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/values/date_time.h"
#include "where_parser.h"

namespace crmkpi {

using where_internal::AsciiLower;

namespace {

using Node = WhereExpr::Node;
using NodeKind = WhereExpr::Node::Kind;
using Literal = WhereExpr::Literal;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view OpText(WhereOp op) {
  switch (op) {
    case WhereOp::kEq:
      return "=";
    case WhereOp::kNe:
      return "!=";
    case WhereOp::kLt:
      return "<";
    case WhereOp::kLe:
      return "<=";
    case WhereOp::kGt:
      return ">";
    case WhereOp::kGe:
      return ">=";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Tokens

struct Token {
  enum class Kind : std::uint8_t {
    kEnd, kWord, kDouble, kBacktick, kSingle, kNumber, kDate, kDuration, kOp, kLParen,
    kRParen, kComma, kMinus
  };
  Kind kind = Kind::kEnd;
  std::string text;  // unquoted for quoted tokens
  std::size_t at = 0;
  WhereOp op = WhereOp::kEq;
};

bool IsIdeographicSpace(std::string_view s, std::size_t i) {
  return s.compare(i, 3, "\xE3\x80\x80") == 0;
}
bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c) || c == '.'; }

}  // namespace

// The deepest nesting of '(' and 'not' a condition may have (as formulas: formula_parser.h).
constexpr int kMaxWhereDepth = 256;

// The recursive-descent parser; a friend of WhereExpr.
class WhereParser {
 public:
  WhereParser(std::string_view text, const SourceLoc& loc) {
    expr_.text_ = std::string(text);
    expr_.loc_ = loc;
  }

  WhereExpr Run() {
    Tokenize();
    if (tokens_.front().kind == Token::Kind::kEnd) return std::move(expr_);
    expr_.root_ = ParseOr();
    const Token& t = Peek();
    if (t.kind != Token::Kind::kEnd) {
      if (t.kind == Token::Kind::kRParen) Fail(t.at, "unmatched ')'");
      if (t.kind == Token::Kind::kComma && pos_ > 0 &&
          tokens_[pos_ - 1].kind == Token::Kind::kNumber) {
        Fail(t.at,
             "unexpected ',': write numbers without thousands separators (1000), or quote "
             "text ('1,000')");
      }
      Fail(t.at, fmt::format("unexpected {}: join conditions with 'and' or 'or', and quote "
                             "values that contain spaces",
                             Describe(t)));
    }
    return std::move(expr_);
  }

 private:
  // A condition from a flag (--valid "… when …") has no file position: the message then says
  // where in the condition, in characters.
  [[noreturn]] void Fail(std::size_t at, const std::string& message) const {
    const SourceLoc loc = expr_.LocAt(at);
    if (loc.line != 0) throw Error(ExitCode::kUsage, message, loc);
    throw Error(ExitCode::kUsage, fmt::format("{} (at {} of the condition)", message, Position(at)),
                loc);
  }

  // "column 12" of the INI line, or "character 12" of a condition with no file position.
  std::string Position(std::size_t at) const {
    const SourceLoc loc = expr_.LocAt(at);
    if (loc.line != 0 && loc.column != 0) return fmt::format("column {}", loc.column);
    std::size_t chars = 0;
    for (std::size_t i = 0; i < at && i < expr_.text_.size(); ++i) {
      chars += (static_cast<unsigned char>(expr_.text_[i]) & 0xC0) != 0x80;
    }
    return fmt::format("character {}", chars + 1);
  }

  std::string Describe(const Token& t) const {
    switch (t.kind) {
      case Token::Kind::kEnd:
        return "the end of the text";
      case Token::Kind::kSingle:
        return fmt::format("'{}'", t.text);
      case Token::Kind::kDouble:
        return fmt::format("\"{}\"", t.text);
      case Token::Kind::kBacktick:
        return fmt::format("`{}`", t.text);
      case Token::Kind::kOp:
        return fmt::format("'{}'", OpText(t.op));
      case Token::Kind::kDuration:
        return fmt::format("the duration '{}'", t.text);
      default:
        return fmt::format("'{}'", t.text);
    }
  }

  void Tokenize() {
    const std::string& s = expr_.text_;
    std::size_t i = 0;
    while (true) {
      while (i < s.size()) {
        if (IsAsciiSpace(s[i])) {
          ++i;
        } else if (IsIdeographicSpace(s, i)) {
          i += 3;
        } else {
          break;
        }
      }
      Token t;
      t.at = i;
      if (i >= s.size()) {
        tokens_.push_back(std::move(t));
        return;
      }
      const char c = s[i];
      if (c == '(' || c == ')' || c == ',') {
        t.kind = c == '(' ? Token::Kind::kLParen
                          : (c == ')' ? Token::Kind::kRParen : Token::Kind::kComma);
        t.text = std::string(1, c);
        ++i;
      } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        t.kind = Token::Kind::kOp;
        const bool eq_next = i + 1 < s.size() && s[i + 1] == '=';
        if (c == '=') {
          t.op = WhereOp::kEq;
        } else if (c == '<') {
          t.op = eq_next ? WhereOp::kLe : WhereOp::kLt;
        } else if (c == '>') {
          t.op = eq_next ? WhereOp::kGe : WhereOp::kGt;
        } else {
          if (!eq_next) Fail(i, "unexpected '!' (write != for 'not equal', or not ...)");
          t.op = WhereOp::kNe;
        }
        i += (c != '=' && eq_next) ? 2 : 1;
        t.text = std::string(OpText(t.op));
      } else if (c == '\'' || c == '"' || c == '`') {
        t.kind = c == '\'' ? Token::Kind::kSingle
                           : (c == '"' ? Token::Kind::kDouble : Token::Kind::kBacktick);
        std::size_t j = i + 1;
        for (;;) {
          if (j >= s.size()) Fail(i, fmt::format("unclosed {} quote", c));
          if (s[j] == c) {
            if (j + 1 < s.size() && s[j + 1] == c) {  // doubled: a quote character
              t.text.push_back(c);
              j += 2;
              continue;
            }
            break;
          }
          t.text.push_back(s[j]);
          ++j;
        }
        i = j + 1;
      } else if (IsDigit(c) || (c == '-' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
        std::size_t j = i + 1;
        while (j < s.size() && (IsWordChar(s[j]) || s[j] == '-')) ++j;
        t.text = s.substr(i, j - i);
        if (IsDate(t.text)) {
          t.kind = Token::Kind::kDate;
        } else if (IsNumber(t.text)) {
          t.kind = Token::Kind::kNumber;
        } else if (ParseDurationSeconds(t.text)) {
          t.kind = Token::Kind::kDuration;
        } else {
          Fail(i, fmt::format("'{}' is not a number, a YYYY-MM-DD date or a duration (1d, 48h, "
                              "90m); quote text values ('{}')",
                              t.text, t.text));
        }
        i = j;
      } else if (c == '-') {  // a difference of two dates: closed - created
        t.kind = Token::Kind::kMinus;
        t.text = "-";
        ++i;
      } else if (IsWordStart(c)) {
        std::size_t j = i;
        while (j < s.size() && IsWordChar(s[j]) && !IsIdeographicSpace(s, j)) ++j;
        t.kind = Token::Kind::kWord;
        t.text = s.substr(i, j - i);
        i = j;
      } else {
        Fail(i, fmt::format("unexpected character '{}'", c));
      }
      tokens_.push_back(std::move(t));
    }
  }

  static bool IsNumber(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && s[i] == '-') ++i;
    const std::size_t digits = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == digits) return false;
    if (i < s.size() && s[i] == '.') {
      const std::size_t frac = ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i == frac) return false;
    }
    return i == s.size();
  }

  static bool IsDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      if (!IsDigit(s[i])) return false;
    }
    auto num = [&](std::size_t from, std::size_t n) {
      int v = 0;
      for (std::size_t k = from; k < from + n; ++k) v = v * 10 + (s[k] - '0');
      return v;
    };
    const date::year_month_day ymd{date::year{num(0, 4)},
                                   date::month{static_cast<unsigned>(num(5, 2))},
                                   date::day{static_cast<unsigned>(num(8, 2))}};
    return ymd.ok();
  }

  const Token& Peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool PeekWord(std::string_view keyword, std::size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Token::Kind::kWord && IEquals(t.text, keyword);
  }
  const Token& Take() {
    const Token& t = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }

  int Add(Node node) {
    expr_.nodes_.push_back(std::move(node));
    return static_cast<int>(expr_.nodes_.size() - 1);
  }

  int ParseOr() {
    std::vector<int> children{ParseAnd()};
    while (PeekWord("or")) {
      Take();
      children.push_back(ParseAnd());
    }
    if (children.size() == 1) return children[0];
    Node n;
    n.kind = NodeKind::kOr;
    n.children = std::move(children);
    return Add(std::move(n));
  }

  int ParseAnd() {
    std::vector<int> children{ParseNot()};
    while (PeekWord("and")) {
      Take();
      children.push_back(ParseNot());
    }
    if (children.size() == 1) return children[0];
    Node n;
    n.kind = NodeKind::kAnd;
    n.children = std::move(children);
    return Add(std::move(n));
  }

  // Every recursion of the parser ('not' and parentheses) passes here: the depth is bounded so
  // that a hostile text (10,000 '(' or 'not's) is an error at its column, not a stack overflow,
  // and so is every later walk of the tree (Matches, Decide, Bind), which recurse as deep.
  int ParseNot() {
    struct Guard {
      explicit Guard(int* depth) : d(depth) { ++*d; }
      ~Guard() { --*d; }
      int* d;
    } guard(&depth_);
    if (depth_ > kMaxWhereDepth + 1) {  // the outermost call is not nested
      // At the '(' or 'not' that went one level too deep.
      Fail(tokens_[pos_ - 1].at, fmt::format("condition nested too deeply (more than {} levels of '(' and "
                                  "'not'); write it flatter, e.g. with 'in (...)' or 'and'",
                                  kMaxWhereDepth));
    }
    if (PeekWord("not")) {
      Take();
      Node n;
      n.kind = NodeKind::kNot;
      n.children.push_back(ParseNot());
      return Add(std::move(n));
    }
    if (Peek().kind == Token::Kind::kLParen) {
      const std::size_t open = Take().at;
      const int inner = ParseOr();
      if (Peek().kind != Token::Kind::kRParen) {
        Fail(Peek().at, fmt::format("expected ')' to close the '(' at {}, found {}",
                                    Position(open), Describe(Peek())));
      }
      Take();
      return inner;
    }
    return ParseCond();
  }

  Literal ParseValue(const std::string& after) {
    const Token& t = Peek();
    Literal v;
    v.at = t.at;
    v.text = t.text;
    switch (t.kind) {
      case Token::Kind::kNumber:
        v.kind = Literal::Kind::kNumber;
        break;
      case Token::Kind::kDate:
        v.kind = Literal::Kind::kDate;
        break;
      case Token::Kind::kSingle:
      case Token::Kind::kDouble:
        v.kind = Literal::Kind::kQuoted;
        break;
      case Token::Kind::kDuration:
        v.kind = Literal::Kind::kDuration;
        break;
      case Token::Kind::kBacktick:
        v.kind = Literal::Kind::kColumn;
        break;
      case Token::Kind::kWord:
        if (IEquals(t.text, "and") || IEquals(t.text, "or") || IEquals(t.text, "not")) {
          Fail(t.at, fmt::format("expected a value after {}, found the keyword '{}' (quote it "
                                 "to use it as text: '{}')",
                                 after, t.text, t.text));
        }
        v.kind = Literal::Kind::kWord;
        break;
      default:
        Fail(t.at, fmt::format("expected a value after {}", after));
    }
    Take();
    return v;
  }

  int ParseCond() {
    const Token& first = Peek();
    if (first.kind == Token::Kind::kSingle) {
      Fail(first.at, "expected a column name; quote column names with \"double quotes\" or "
                     "`backticks` ('single quotes' are for values)");
    }
    if (first.kind != Token::Kind::kWord && first.kind != Token::Kind::kDouble &&
        first.kind != Token::Kind::kBacktick) {
      Fail(first.at, first.kind == Token::Kind::kEnd
                         ? std::string("expected a column name")
                         : fmt::format("expected a column name, found {}", Describe(first)));
    }
    if (first.kind == Token::Kind::kWord && (IEquals(first.text, "and") || IEquals(first.text, "or"))) {
      Fail(first.at, fmt::format("expected a column name before '{}'", first.text));
    }
    Node n;
    n.operand = first.text;
    n.operand_at = first.at;
    const bool bare_stage = first.kind == Token::Kind::kWord && IEquals(first.text, "stage");
    const std::string quoted_operand = Describe(first);
    Take();

    if (Peek().kind == Token::Kind::kMinus) return ParseDifference(std::move(n));
    const Token& t = Peek();
    if (bare_stage && PeekWord("reached")) {
      Take();
      n.kind = NodeKind::kStageReached;
      n.values.push_back(ParseValue("'reached'"));
      return Add(std::move(n));
    }
    if (t.kind == Token::Kind::kOp) {
      n.kind = NodeKind::kCompare;
      n.op = t.op;
      const std::string after = fmt::format("'{}'", OpText(t.op));
      Take();
      n.values.push_back(ParseValue(after));
      return Add(std::move(n));
    }
    if (PeekWord("not")) {
      Take();
      n.negated = true;
      if (!PeekWord("in") && !PeekWord("between")) {
        Fail(Peek().at, fmt::format("expected 'in' or 'between' after '{} not'", n.operand));
      }
    }
    if (PeekWord("in")) {
      Take();
      n.kind = NodeKind::kIn;
      if (Peek().kind != Token::Kind::kLParen) {
        Fail(Peek().at, "expected '(' after 'in'");
      }
      Take();
      for (;;) {
        n.values.push_back(ParseValue(n.values.empty() ? "'in ('" : "','"));
        if (Peek().kind == Token::Kind::kComma) {
          Take();
          continue;
        }
        if (Peek().kind == Token::Kind::kRParen) {
          Take();
          break;
        }
        Fail(Peek().at, fmt::format("expected ',' or ')' in the 'in' list, found {}",
                                    Describe(Peek())));
      }
      return Add(std::move(n));
    }
    if (PeekWord("between")) {
      Take();
      n.kind = NodeKind::kBetween;
      n.values.push_back(ParseValue("'between'"));
      if (!PeekWord("and")) {
        Fail(Peek().at, fmt::format("expected 'and' after 'between {}'", n.values[0].text));
      }
      Take();
      n.values.push_back(ParseValue("'between ... and'"));
      return Add(std::move(n));
    }
    if (PeekWord("is")) {
      Take();
      bool negated = false;
      if (PeekWord("not")) {
        Take();
        negated = true;
      }
      const Token& what = Peek();
      if (PeekWord("empty")) {
        Take();
        n.kind = NodeKind::kIsEmpty;
        n.negated = negated;
        return Add(std::move(n));
      }
      const bool stage_word = what.kind == Token::Kind::kWord &&
                              (IEquals(what.text, "won") || IEquals(what.text, "lost") ||
                               IEquals(what.text, "open") || IEquals(what.text, "closed"));
      if (stage_word && bare_stage) {
        n.kind = NodeKind::kStageIs;
        n.negated = negated;
        n.stage_class = AsciiLower(what.text);
        Take();
        return Add(std::move(n));
      }
      if (stage_word) {
        Fail(what.at, fmt::format("'is {}' is only for stage (stage is {}); compare a column "
                                  "with {} = '{}'",
                                  what.text, AsciiLower(what.text), quoted_operand, what.text));
      }
      Fail(what.at, bare_stage
                        ? fmt::format("expected 'empty', 'won', 'lost', 'open' or 'closed' after "
                                      "'is', found {}",
                                      Describe(what))
                        : fmt::format("expected 'empty' after 'is', found {}", Describe(what)));
    }
    Fail(t.at, fmt::format("expected an operator (=, !=, <, <=, >, >=, in, is, between) after "
                           "{}, found {}",
                           quoted_operand, Describe(t)));
  }

  // `TO - FROM op duration` or `TO - FROM [not] between duration and duration`; the '-' is the
  // next token and |n| holds TO.
  int ParseDifference(Node n) {
    Take();  // '-'
    const Token& from = Peek();
    if (from.kind != Token::Kind::kWord && from.kind != Token::Kind::kDouble &&
        from.kind != Token::Kind::kBacktick) {
      Fail(from.at, fmt::format("expected a date column after '{} -' (a difference of two dates: "
                                "closed - created < 1d), found {}",
                                n.operand, Describe(from)));
    }
    n.operand2 = from.text;
    n.operand2_at = from.at;
    const std::string what = fmt::format("'{} - {}'", n.operand, n.operand2);
    Take();
    auto duration = [&](const std::string& after) {
      const Token& v = Peek();
      if (v.kind != Token::Kind::kDuration) {
        Fail(v.at, fmt::format("expected a duration after {} (a number and a unit: 1d, 48h, "
                               "90m, 30s), found {}",
                               after, Describe(v)));
      }
      return ParseValue(after);
    };
    if (Peek().kind == Token::Kind::kOp) {
      n.kind = NodeKind::kCompare;
      n.op = Peek().op;
      const std::string after =
          fmt::format("'{} - {} {}'", n.operand, n.operand2, OpText(n.op));
      Take();
      n.values.push_back(duration(after));
      return Add(std::move(n));
    }
    if (PeekWord("not")) {
      Take();
      n.negated = true;
      if (!PeekWord("between")) {
        Fail(Peek().at, fmt::format("expected 'between' after {} not", what));
      }
    }
    if (PeekWord("between")) {
      Take();
      n.kind = NodeKind::kBetween;
      n.values.push_back(duration("'between'"));
      if (!PeekWord("and")) {
        Fail(Peek().at, fmt::format("expected 'and' after 'between {}'", n.values[0].text));
      }
      Take();
      n.values.push_back(duration("'between ... and'"));
      return Add(std::move(n));
    }
    Fail(Peek().at, fmt::format("expected an operator (=, !=, <, <=, >, >=, between) and a "
                                "duration after {} (closed - created < 1d), found {}",
                                what, Describe(Peek())));
  }

  WhereExpr expr_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // how deep ParseNot is nested now
};

// ---------------------------------------------------------------------------------------------
// WhereExpr

WhereExpr WhereExpr::Parse(std::string_view text, const SourceLoc& loc) {
  return WhereParser(text, loc).Run();
}

SourceLoc WhereExpr::LocAt(std::size_t offset) const {
  SourceLoc loc = loc_;
  offset = std::min(offset, text_.size());
  std::size_t line_start = 0;
  std::uint64_t newlines = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text_[i] == '\n') {
      ++newlines;
      line_start = i + 1;
    }
  }
  if (loc.line == 0) return loc;
  if (newlines > 0) {
    // A continuation line of the INI value: its indentation is not kept, so only the line is
    // known.
    loc.line += newlines;
    loc.column = 0;
    return loc;
  }
  if (loc.column == 0) return loc;
  std::uint64_t chars = 0;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++chars;
  }
  loc.column += chars;
  return loc;
}

}  // namespace crmkpi
