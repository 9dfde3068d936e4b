#include "crmkpi/definition/where.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <cctype>

#include <fmt/format.h>

#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/values/amount.h"

namespace crmkpi {
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

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
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
    kEnd, kWord, kDouble, kBacktick, kSingle, kNumber, kDate, kOp, kLParen, kRParen, kComma
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

// The deepest nesting of '(' and 'not' a condition may have (as formulas: formula.cc).
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
        } else {
          Fail(i, fmt::format("'{}' is not a number or a YYYY-MM-DD date; quote text values "
                              "('{}')",
                              t.text, t.text));
        }
        i = j;
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

// ---------------------------------------------------------------------------------------------
// RowSchema

RowSchema::RowSchema(std::vector<std::string> header, RoleBinding roles)
    : header_(std::move(header)), roles_(roles), names_(header_) {}

int RowSchema::AddLookup(std::string_view id, const std::vector<std::string>& columns) {
  Lookup l;
  l.id = std::string(id);
  l.columns = columns;
  l.first = static_cast<int>(names_.size());
  for (const std::string& c : columns) names_.push_back(l.id + "." + c);
  lookups_.push_back(std::move(l));
  return lookups_.back().first;
}

int RowSchema::Resolve(std::string_view name) const {
  // 1. The exact header name (two of them: Error(kUsage), the name is ambiguous).
  if (const int exact = FindExactColumn(header_, name); exact >= 0) return exact;
  // 2. LOOKUP.COLUMN, when the part before the dot is a lookup id. Before the insensitive header
  //    match, whose normal form drops the dot: "region.code" must not become "region_code".
  for (const Lookup& l : lookups_) {
    if (name.size() > l.id.size() + 1 && name.substr(0, l.id.size()) == l.id &&
        name[l.id.size()] == '.') {
      const int c = FindColumn(l.columns, name.substr(l.id.size() + 1));
      if (c >= 0) return l.first + c;
    }
  }
  // 3. The case/space-insensitive header match; 4. a role name.
  const int col = FindColumn(header_, name);
  if (col >= 0) return col;
  if (const auto role = ParseRole(AsciiLower(name)); role && roles_.has(*role)) {
    return roles_[*role];
  }
  return -1;
}

std::string RowSchema::Describe() const {
  std::string roles;
  for (int r = 0; r < kRoleCount; ++r) {
    if (roles_.column[r] < 0) continue;
    if (!roles.empty()) roles += ", ";
    roles += RoleName(static_cast<Role>(r));
  }
  std::string out = fmt::format("the header has {}; roles: {}", QuoteHeaders(header_),
                                roles.empty() ? "none" : roles);
  if (!lookups_.empty()) {
    out += "; lookup columns: ";
    for (std::size_t i = header_.size(); i < names_.size(); ++i) {
      if (i > header_.size()) out += ", ";
      out += names_[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// RowContext

RowContext::RowContext(const RowSchema& schema, const DateParser& dates, StageRules* stages)
    : plain_dates_(std::size_t{1} << kPlainDateBits),
      memo_(schema.size()),
      day_cache_(1024),
      dates_(&dates),
      stages_(stages),
      stage_column_(schema.roles()[Role::kStage]) {}

void RowContext::ParseAmountInto(int column, Memo& m) {
  m.amount_gen = generation_;
  m.amount_status = ParseAmount(fields_[column], &m.amount);
  if (m.amount_status == ParseStatus::kInvalid && invalid_hook_) {
    invalid_hook_("invalid_amount", column);
  }
}

inline RowContext::PlainDateMemo* RowContext::PlainDateSlot(std::string_view text,
                                                           std::uint64_t* key) {
  // The memo of plain dates: a direct-mapped table (16-byte entries, 64 KiB) on the date's
  // eight digits, which the instant of a date's local midnight is a function of (so a
  // remembered parse stays right), indexed by the date's place in a decade of 404-day years
  // (the year's last digit, then month × 31 + day): the dates of any ten years have slots of
  // their own. The index reads the digits' low bits only; a text that is not a date may land
  // anywhere, and the key decides. Null when the dashes are not where a plain date has them.
  std::uint64_t head = 0;
  std::uint16_t tail = 0;
  std::memcpy(&head, text.data(), 8);
  std::memcpy(&tail, text.data() + 8, 2);
  if (((head >> 32) & 0xFF) != '-' || (head >> 56) != '-') return nullptr;
  *key = (head & 0xFFFFFFFFull) | (((head >> 40) & 0xFFFF) << 32) | (std::uint64_t{tail} << 48);
  const char* b = text.data();
  auto u = [b](int i) { return static_cast<unsigned>(static_cast<unsigned char>(b[i])); };
  const unsigned day_of_year =
      ((u(5) & 1) * 10 + (u(6) & 0xF)) * 31 + (u(8) & 3) * 10 + (u(9) & 0xF);  // < 404
  const unsigned slot = ((u(3) & 0xF) * 404 + day_of_year) & ((1u << kPlainDateBits) - 1);
  return &plain_dates_[slot];
}

// The memo's hit, or an empty field (missing): no call, so the callers' fast paths save no
// registers.
inline bool RowContext::PlainDateHit(int column, Memo& m) {
  const std::string_view text = fields_[column];
  if (text.empty()) {
    m.date_gen = m.day_gen = generation_;
    m.date_status = m.day_status = ParseStatus::kEmpty;
    return true;
  }
  if (text.size() != 10) return false;
  std::uint64_t key = 0;
  const PlainDateMemo* e = PlainDateSlot(text, &key);
  if (e == nullptr || e->key != key) return false;
  m.day = e->day;
  m.instant = Seconds{e->day} * 86400 - e->offset;
  m.date_gen = m.day_gen = generation_;
  m.date_status = m.day_status = ParseStatus::kOk;
  return true;
}

bool RowContext::PlainDate(int column, Memo& m) {
  const std::string_view text = fields_[column];
  if (text.size() != 10) return false;
  if (!dates_->ParsePlainDate(text, &m.instant, &m.day)) return false;
  std::uint64_t key = 0;
  if (PlainDateMemo* e = PlainDateSlot(text, &key)) {
    *e = {key, static_cast<std::int32_t>(m.day),
          static_cast<std::int32_t>(m.day * 86400 - m.instant)};
  }
  m.date_gen = m.day_gen = generation_;
  m.date_status = m.day_status = ParseStatus::kOk;
  return true;
}

void RowContext::ParseInstant(int column, Memo& m) {
  m.date_gen = generation_;
  m.date_status = dates_->Parse(fields_[column], &m.instant);
  if (m.date_status == ParseStatus::kInvalid && invalid_hook_) {
    invalid_hook_("invalid_date", column);
  }
}

void RowContext::ParseDateInto(int column, Memo& m) {
  if (PlainDateHit(column, m)) return;
  ParseDateSlow(column, m);
}

void RowContext::ParseDateSlow(int column, Memo& m) {
  if (!PlainDate(column, m)) ParseInstant(column, m);
}

void RowContext::ParseDayInto(int column, Memo& m) {
  if (m.date_gen != generation_ && PlainDateHit(column, m)) return;
  ParseDaySlow(column, m);
}

void RowContext::ParseDaySlow(int column, Memo& m) {
  const bool parsed = m.date_gen == generation_;
  if (parsed || !PlainDate(column, m)) {
    if (!parsed) ParseInstant(column, m);
    m.day_gen = generation_;
    m.day_status = m.date_status;
    if (m.day_status == ParseStatus::kOk) m.day = LocalDay(m.instant);
  }
}

std::int64_t RowContext::LocalDay(Seconds t) {
  auto slot_of = [](Seconds x, std::size_t mask) {
    const std::uint64_t h = static_cast<std::uint64_t>(x) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> 32) & mask;
  };
  std::size_t mask = day_cache_.size() - 1;
  std::size_t i = slot_of(t, mask);
  for (; day_cache_[i].instant != INT64_MIN; i = (i + 1) & mask) {
    if (day_cache_[i].instant == t) return day_cache_[i].day;
  }
  const std::int64_t day = date::sys_days(dates_->LocalDate(t)).time_since_epoch().count();
  if (day_cache_size_ * 2 >= day_cache_.size()) {
    if (day_cache_.size() >= kDayCacheMax) return day;  // full: timestamps, not dates
    std::vector<DayCacheEntry> old(day_cache_.size() * 2);
    old.swap(day_cache_);
    mask = day_cache_.size() - 1;
    for (const DayCacheEntry& e : old) {
      if (e.instant == INT64_MIN) continue;
      std::size_t j = slot_of(e.instant, mask);
      while (day_cache_[j].instant != INT64_MIN) j = (j + 1) & mask;
      day_cache_[j] = e;
    }
    i = slot_of(t, mask);
    while (day_cache_[i].instant != INT64_MIN) i = (i + 1) & mask;
  }
  day_cache_[i] = {t, day};
  ++day_cache_size_;
  return day;
}

const StageInfo& RowContext::Stage() {
  static const StageInfo kOpen{};
  if (stages_ == nullptr || stage_column_ < 0) return kOpen;
  if (stage_gen_ != generation_) {
    stage_gen_ = generation_;
    stage_ = &stages_->Lookup(fields_[stage_column_]);
  }
  return *stage_;
}

// ---------------------------------------------------------------------------------------------
// Where

namespace {

std::uint8_t Bit(StageClass c) { return static_cast<std::uint8_t>(1u << static_cast<int>(c)); }

}  // namespace

Where Where::Bind(const WhereExpr& expr, const RowSchema& schema, const StageRules& rules,
                  const std::string& tz, std::string_view what) {
  Where w;
  w.text_ = expr.text();
  if (expr.empty()) return w;
  const DateParser literal_dates(std::string(), tz);
  w.root_ = w.BindNode(expr, expr.root(), schema, rules, literal_dates, what);
  w.single_ = w.nodes_.size() == 1;
  const BoundNode& root = w.nodes_[static_cast<std::size_t>(w.root_)];
  if (root.kind == NodeKind::kAnd) {
    // Children are bound in order, so an 'and' of conditions has conds_ in its order.
    bool flat = static_cast<std::size_t>(root.count) == w.conds_.size();
    for (int i = 0; flat && i < root.count; ++i) {
      const BoundNode& kid = w.nodes_[static_cast<std::size_t>(w.children_[static_cast<std::size_t>(root.first + i)])];
      flat = kid.kind != NodeKind::kAnd && kid.kind != NodeKind::kOr &&
             kid.kind != NodeKind::kNot && kid.first == i;
    }
    w.flat_and_ = flat;
  }
  return w;
}

Where Where::Compile(std::string_view text, const SourceLoc& loc, const RowSchema& schema,
                     const StageRules& rules, const std::string& tz, std::string_view what) {
  return Bind(WhereExpr::Parse(text, loc), schema, rules, tz, what);
}

int Where::BindNode(const WhereExpr& expr, int index, const RowSchema& schema,
                    const StageRules& rules, const DateParser& literal_dates,
                    std::string_view what) {
  const Node& n = expr.nodes()[static_cast<std::size_t>(index)];
  BoundNode b;
  b.kind = n.kind;
  if (n.kind == NodeKind::kAnd || n.kind == NodeKind::kOr || n.kind == NodeKind::kNot) {
    std::vector<int> kids;
    for (int c : n.children) kids.push_back(BindNode(expr, c, schema, rules, literal_dates, what));
    b.first = static_cast<int>(children_.size());
    b.count = static_cast<int>(kids.size());
    children_.insert(children_.end(), kids.begin(), kids.end());
    nodes_.push_back(b);
    return static_cast<int>(nodes_.size() - 1);
  }

  Cond c;
  c.kind = n.kind;
  c.negated = n.negated;
  c.op = n.op;
  if (n.kind == NodeKind::kStageIs || n.kind == NodeKind::kStageReached) {
    c.column = schema.roles()[Role::kStage];
    if (c.column < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("unknown column 'stage' in {}: 'stage {}' needs the stage column "
                              "({})",
                              what, n.kind == NodeKind::kStageIs ? "is" : "reached",
                              schema.Describe()),
                  expr.LocAt(n.operand_at));
    }
    if (n.kind == NodeKind::kStageIs) {
      if (n.stage_class == "won") c.stage_mask = Bit(StageClass::kWon);
      if (n.stage_class == "lost") c.stage_mask = Bit(StageClass::kLost);
      if (n.stage_class == "open") c.stage_mask = Bit(StageClass::kOpen);
      if (n.stage_class == "closed") {
        c.stage_mask = static_cast<std::uint8_t>(Bit(StageClass::kWon) | Bit(StageClass::kLost));
      }
    } else {
      const StageConfig& config = rules.config();
      if (config.order.empty()) {
        throw Error(ExitCode::kUsage,
                    fmt::format("'stage reached' in {} needs the source's stage order (the "
                                "pipeline stages, first to last)",
                                what),
                    expr.LocAt(n.operand_at));
      }
      const std::string want = StageRules::Normalize(n.values[0].text);
      c.reached_index = -1;
      for (std::size_t i = 0; i < config.order.size(); ++i) {
        if (StageRules::Normalize(config.order[i]) == want) c.reached_index = static_cast<int>(i);
      }
      if (c.reached_index < 0) {
        std::string order;
        for (const std::string& s : config.order) order += (order.empty() ? "" : ", ") + s;
        throw Error(ExitCode::kUsage,
                    fmt::format("stage '{}' in {} is not in the stage order ({})",
                                n.values[0].text, what, order),
                    expr.LocAt(n.values[0].at));
      }
      c.lost_reached = config.lost_reached == LostReached::kOpportunity;
    }
  } else {
    try {
      c.column = schema.Resolve(n.operand);
    } catch (const Error& e) {  // a duplicate header name: at the operand that names it
      // "column name 'X' is ambiguous: ..." → "column name 'X' in WHAT is ambiguous: ..."
      std::string message = e.message();
      const std::string named = fmt::format("column name '{}'", n.operand);
      if (message.rfind(named, 0) == 0) {
        message.insert(named.size(), fmt::format(" in {}", what));
      }
      throw Error(e.code(), message, expr.LocAt(n.operand_at));
    }
    if (c.column < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("unknown column '{}' in {} ({})", n.operand, what,
                              schema.Describe()),
                  expr.LocAt(n.operand_at));
    }
  }

  if (!n.values.empty() && n.kind != NodeKind::kStageReached) {
    // The comparison kind, from the literals: all numbers, all dates, else text.
    bool numbers = true, dates = true, with_time = false;
    std::vector<Seconds> instants;
    for (const Literal& v : n.values) {
      numbers = numbers && v.kind == Literal::Kind::kNumber;
      Seconds t = 0;
      const bool is_date =
          (v.kind == Literal::Kind::kDate || v.kind == Literal::Kind::kQuoted) &&
          literal_dates.Parse(v.text, &t) == ParseStatus::kOk;
      dates = dates && is_date;
      if (is_date && v.kind == Literal::Kind::kQuoted && v.text.find(':') != std::string::npos) {
        with_time = true;
      }
      instants.push_back(t);
    }
    std::vector<std::int64_t> keys;
    if (numbers) {
      c.value_kind = ValueKind::kNumber;
      for (const Literal& v : n.values) {
        std::int64_t units = 0;
        if (ParseAmount(v.text, &units) != ParseStatus::kOk) {
          throw Error(ExitCode::kUsage, fmt::format("number '{}' is out of range", v.text),
                      expr.LocAt(v.at));
        }
        keys.push_back(units);
      }
    } else if (dates) {
      c.value_kind = with_time ? ValueKind::kInstant : ValueKind::kDay;
      for (Seconds t : instants) {
        keys.push_back(with_time ? t
                                 : date::sys_days(literal_dates.LocalDate(t))
                                       .time_since_epoch()
                                       .count());
      }
    } else {
      c.value_kind = ValueKind::kText;
    }
    if (c.value_kind == ValueKind::kText) {
      std::vector<std::string> texts;
      for (const Literal& v : n.values) texts.emplace_back(TrimSpace(v.text));
      if (n.kind == NodeKind::kIn) {
        std::sort(texts.begin(), texts.end());
        c.text_set = std::move(texts);
      } else {
        c.text_lo = texts[0];
        if (texts.size() > 1) c.text_hi = texts[1];
      }
    } else if (n.kind == NodeKind::kIn) {
      std::sort(keys.begin(), keys.end());
      c.set = std::move(keys);
    } else {
      c.lo = keys[0];
      if (keys.size() > 1) c.hi = keys[1];
    }
  }

  if (n.kind == NodeKind::kStageIs) {
    c.check = Check::kStageClass;
  } else if (n.kind == NodeKind::kStageReached) {
    c.check = Check::kStageReached;
  } else if (n.kind == NodeKind::kIsEmpty) {
    c.check = Check::kIsEmpty;
  } else if (c.value_kind != ValueKind::kText &&
             (n.kind == NodeKind::kCompare || n.kind == NodeKind::kBetween)) {
    // Every comparison of a number or date is a range test: x in [range_lo, range_hi],
    // negated for != and not between.
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    c.check = c.value_kind == ValueKind::kNumber ? Check::kAmountRange
              : c.value_kind == ValueKind::kDay  ? Check::kDayRange
                                                 : Check::kInstantRange;
    c.range_lo = c.lo;
    c.range_hi = c.lo;
    if (n.kind == NodeKind::kBetween) {
      c.range_hi = c.hi;
      c.range_negated = c.negated;
    } else {
      switch (c.op) {
        case WhereOp::kEq:
          break;
        case WhereOp::kNe:
          c.range_negated = true;
          break;
        case WhereOp::kLt:  // x < lo: [min, lo - 1], empty when lo is the least value
          c.range_lo = c.lo == kMin ? kMax : kMin;
          c.range_hi = c.lo == kMin ? kMin : c.lo - 1;
          break;
        case WhereOp::kLe:
          c.range_lo = kMin;
          break;
        case WhereOp::kGt:
          c.range_lo = c.lo == kMax ? kMax : c.lo + 1;
          c.range_hi = c.lo == kMax ? kMin : kMax;
          break;
        case WhereOp::kGe:
          c.range_hi = kMax;
          break;
      }
    }
  } else if (c.value_kind == ValueKind::kText) {
    // An empty literal matches nothing (a missing value is not a value), which the byte
    // compares would not know: those stay with the general test.
    const auto non_empty = [](const std::string& t) { return !t.empty(); };
    if (n.kind == NodeKind::kCompare && c.op == WhereOp::kEq && non_empty(c.text_lo)) {
      c.check = Check::kTextEqual;
    } else if (n.kind == NodeKind::kIn && c.text_set.size() <= kMaxLinearIn &&
               std::all_of(c.text_set.begin(), c.text_set.end(), non_empty)) {
      c.check = Check::kTextIn;
    }
  }

  b.first = static_cast<int>(conds_.size());
  b.count = 1;
  conds_.push_back(std::move(c));
  nodes_.push_back(b);
  return static_cast<int>(nodes_.size() - 1);
}

bool Where::Eval(int index, RowContext& row) {
  const BoundNode& n = nodes_[static_cast<std::size_t>(index)];
  switch (n.kind) {
    case NodeKind::kAnd:
      for (int i = n.first; i < n.first + n.count; ++i) {
        if (!Eval(children_[static_cast<std::size_t>(i)], row)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (int i = n.first; i < n.first + n.count; ++i) {
        if (Eval(children_[static_cast<std::size_t>(i)], row)) return true;
      }
      return false;
    case NodeKind::kNot:
      return !Eval(children_[static_cast<std::size_t>(n.first)], row);
    default:
      return Test(conds_[static_cast<std::size_t>(n.first)], row);
  }
}

bool Where::StageHolds(const Cond& c, RowContext& row) {
  if (c.check == Check::kStageClass) {
    return ((c.stage_mask & Bit(row.Stage().cls)) != 0) != c.negated;
  }
  const StageInfo& s = row.Stage();
  switch (s.cls) {
    case StageClass::kWon:
      return true;
    case StageClass::kLost:
      return c.lost_reached;
    case StageClass::kOpen:
      return s.order >= 0 && s.order >= c.reached_index;
  }
  return false;
}

Where::Outcome Where::Decide(RowContext& row, int column) {
  if (root_ < 0) return Outcome::kTrue;
  return DecideNode(root_, row, column).outcome;
}

Where::Decided Where::DecideNode(int index, RowContext& row, int column) {
  const BoundNode& n = nodes_[static_cast<std::size_t>(index)];
  switch (n.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      // 'and' stops at the first false child, 'or' at the first true one: that outcome decides
      // the node when every child before it is pure (testing it has no side effect either way),
      // and then the row's test of the node has none. All children decided the other way
      // decide it too. (A decided node is pure: the row tests only pure conditions in it.)
      const Outcome stop = n.kind == NodeKind::kAnd ? Outcome::kFalse : Outcome::kTrue;
      const Outcome go = n.kind == NodeKind::kAnd ? Outcome::kTrue : Outcome::kFalse;
      bool all_go = true;
      bool pure = true;  // every child so far
      for (int i = n.first; i < n.first + n.count; ++i) {
        const Decided kid = DecideNode(children_[static_cast<std::size_t>(i)], row, column);
        if (kid.outcome == stop && pure) return {stop, true};
        all_go = all_go && kid.outcome == go;
        pure = pure && kid.pure;
      }
      return all_go ? Decided{go, true} : Decided{Outcome::kUnknown, pure};
    }
    case NodeKind::kNot: {
      Decided d = DecideNode(children_[static_cast<std::size_t>(n.first)], row, column);
      if (d.outcome == Outcome::kTrue) {
        d.outcome = Outcome::kFalse;
      } else if (d.outcome == Outcome::kFalse) {
        d.outcome = Outcome::kTrue;
      }
      return d;
    }
    default: {
      Cond& c = conds_[static_cast<std::size_t>(n.first)];
      const bool known = IsStage(c) || (column >= 0 && c.column == column && IsText(c));
      const bool pure = IsStage(c) || IsText(c);
      if (!known) return {Outcome::kUnknown, pure};
      return {Test(c, row) ? Outcome::kTrue : Outcome::kFalse, true};
    }
  }
}

bool Where::AsRangeTest(RangeOf* of, RangeTest* test) {
  if (!single_) return false;
  Cond& c = conds_[0];
  switch (c.check) {
    case Check::kAmountRange:
      *of = RangeOf::kAmount;
      break;
    case Check::kDayRange:
      *of = RangeOf::kDay;
      break;
    case Check::kInstantRange:
      *of = RangeOf::kInstant;
      break;
    default:
      return false;
  }
  *test = {c.column, c.range_lo, c.range_hi, c.range_negated, &c.invalid};
  return true;
}

bool Where::AsEmptyTest(int* column, bool* negated) const {
  if (!single_ || conds_[0].check != Check::kIsEmpty) return false;
  *column = conds_[0].column;
  *negated = conds_[0].negated;
  return true;
}

bool Where::TestsText(int column) const {
  return std::any_of(conds_.begin(), conds_.end(),
                     [&](const Cond& c) { return c.column == column && IsText(c); });
}

bool Where::TestOther(Cond& c, RowContext& row) {
  std::int64_t x = 0;
  if (c.value_kind == ValueKind::kText) {
    const std::string_view text = row.Text(c.column);
    if (text.empty()) return false;  // missing is not a value (R5)
    switch (c.kind) {
      case NodeKind::kCompare:
        return Compare(c.op, text, std::string_view(c.text_lo));
      case NodeKind::kIn:
        return std::binary_search(c.text_set.begin(), c.text_set.end(), text,
                                  std::less<>{}) != c.negated;
      case NodeKind::kBetween:
        return (text >= std::string_view(c.text_lo) && text <= std::string_view(c.text_hi)) !=
               c.negated;
      default:
        return false;
    }
  }
  ParseStatus status = ParseStatus::kInvalid;
  switch (c.value_kind) {
    case ValueKind::kNumber:
      status = row.Amount(c.column, &x);
      break;
    case ValueKind::kDay:
      status = row.Day(c.column, &x);
      break;
    case ValueKind::kInstant: {
      Seconds t = 0;
      status = row.Instant(c.column, &t);
      x = t;
      break;
    }
    case ValueKind::kText:
      break;
  }
  // An empty (or blank) value parses as kEmpty: missing is not a value (R5).
  if (status != ParseStatus::kOk) {
    if (status == ParseStatus::kInvalid) ++c.invalid;
    return false;
  }
  switch (c.kind) {
    case NodeKind::kCompare:
      return Compare(c.op, x, c.lo);
    case NodeKind::kIn:
      return std::binary_search(c.set.begin(), c.set.end(), x) != c.negated;
    case NodeKind::kBetween:
      return (x >= c.lo && x <= c.hi) != c.negated;
    default:
      return false;
  }
}

std::uint64_t Where::invalid_values() const {
  std::uint64_t n = 0;
  for (const Cond& c : conds_) n += c.invalid;
  return n;
}

bool Where::uses_stage() const {
  for (const Cond& c : conds_) {
    if (c.kind == NodeKind::kStageIs || c.kind == NodeKind::kStageReached) return true;
  }
  return false;
}

}  // namespace crmkpi
