// Formula::Parse: formula text → the node tree of formula_parser.h (lexer, recursive-descent
// parser, syntax errors with their columns).
#include "formula_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "crmkpi/base/utf8.h"

namespace crmkpi {

FormulaError::FormulaError(int column, std::string message)
    : std::runtime_error(fmt::format("column {}: {}", column, message)),
      column_(column),
      message_(std::move(message)) {}

using internal::Fn;
using internal::FnInfo;
using internal::kFunctions;
using internal::kMaxDepth;
using internal::Op;
using Tree = internal::FormulaTree;

namespace {

const FnInfo* FindFunction(std::string_view name) {
  for (const FnInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

using Node = Tree::Node;

// ---------------------------------------------------------------------------------------------
// Lexer: produces tokens on demand, so the first error in text order is the one reported.

enum class Tok : std::uint8_t {
  kEnd, kNumber, kName, kString, kLParen, kRParen, kComma, kPercent,
  kPlus, kMinus, kStar, kSlash, kCaret, kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr, kNot,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  int column = 1;
  std::string unquoted;  // kString: the text inside the quotes ("" or `` for a quote)
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsNameChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }

// Digits with '_' only between two digits ("1_000"), at least one digit.
bool ValidDigits(std::string_view s) {
  if (s.empty() || !IsDigit(s.front()) || !IsDigit(s.back())) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (IsDigit(s[i])) continue;
    if (s[i] != '_' || !IsDigit(s[i + 1])) return false;  // s.back() is a digit: i + 1 is valid
  }
  return true;
}

// 12 | 12.5 | .5 | 12e3 | 12.5E-3, each digit run with optional '_' separators.
bool ValidNumber(std::string_view s) {
  std::size_t e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exponent = s.substr(e + 1);
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
      exponent.remove_prefix(1);
    }
    if (!ValidDigits(exponent)) return false;
  }
  std::size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return ValidDigits(mantissa);
  std::string_view whole = mantissa.substr(0, dot);
  return (whole.empty() || ValidDigits(whole)) && ValidDigits(mantissa.substr(dot + 1));
}

// Length of the UTF-8 sequence starting at s[0], or 0 if it is not a valid one (RFC 3629, as
// FindInvalidUtf8 judges it: no overlong forms such as E0 80 80, no surrogates).
std::size_t Utf8Length(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  const std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                      : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  std::size_t tail = 0;
  return FindInvalidUtf8(s.data(), n, &tail) == n && tail == 0 ? n : 0;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  Token Next() {
    SkipSpace();
    Token t;
    t.column = column_;
    if (pos_ == s_.size()) return t;
    const char c = s_[pos_];
    const char next = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
    std::size_t len = 1;
    if (IsDigit(c) || (c == '.' && IsDigit(next))) {
      // Take the whole alphanumeric run, so "12abc" or "1__0" is one malformed number rather
      // than a number followed by a confusing "unexpected 'abc'".
      len = 0;
      while (pos_ + len < s_.size()) {
        const char d = s_[pos_ + len];
        const bool sign_after_e = (d == '+' || d == '-') && len >= 2 &&
                                  (s_[pos_ + len - 1] == 'e' || s_[pos_ + len - 1] == 'E') &&
                                  !IsAlpha(s_[pos_ + len - 2]);
        if (!IsNameChar(d) && d != '.' && !sign_after_e) break;
        ++len;
      }
      t.kind = Tok::kNumber;
      if (!ValidNumber(s_.substr(pos_, len))) {
        throw FormulaError(column_, fmt::format("malformed number '{}'", s_.substr(pos_, len)));
      }
    } else if (IsAlpha(c) || c == '_') {
      while (pos_ + len < s_.size() && IsNameChar(s_[pos_ + len])) ++len;
      t.kind = Tok::kName;
    } else if (c == '"' || c == '`') {  // a column name (stddev(win_rate, "Lead Source"))
      for (;;) {
        if (pos_ + len >= s_.size()) {
          throw FormulaError(column_, fmt::format("unclosed {} quote", c));
        }
        if (s_[pos_ + len] == c) {
          if (pos_ + len + 1 < s_.size() && s_[pos_ + len + 1] == c) {
            t.unquoted.push_back(c);
            len += 2;
            continue;
          }
          ++len;
          break;
        }
        // Any character but the quote; UTF-8 checked, so the canonical text stays UTF-8.
        const std::size_t n = static_cast<unsigned char>(s_[pos_ + len]) < 0x80
                                  ? 1
                                  : Utf8Length(s_.substr(pos_ + len));
        if (n == 0) {
          throw FormulaError(column_, fmt::format("invalid UTF-8 byte 0x{:02X} in a quoted name",
                                                  static_cast<unsigned char>(s_[pos_ + len])));
        }
        t.unquoted.append(s_.substr(pos_ + len, n));
        len += n;
      }
      t.kind = Tok::kString;
    } else {
      auto two = [&](char second, Tok two_kind, Tok one_kind) {
        if (next == second) {
          len = 2;
          return two_kind;
        }
        return one_kind;
      };
      switch (c) {
        case '(': t.kind = Tok::kLParen; break;
        case ')': t.kind = Tok::kRParen; break;
        case ',': t.kind = Tok::kComma; break;
        case '%': t.kind = Tok::kPercent; break;
        case '+': t.kind = Tok::kPlus; break;
        case '-': t.kind = Tok::kMinus; break;
        case '*': t.kind = Tok::kStar; break;
        case '/': t.kind = Tok::kSlash; break;
        case '^': t.kind = Tok::kCaret; break;
        case '<': t.kind = two('=', Tok::kLe, Tok::kLt); break;
        case '>': t.kind = two('=', Tok::kGe, Tok::kGt); break;
        case '!': t.kind = two('=', Tok::kNe, Tok::kNot); break;
        case '=':
          if (next != '=') throw FormulaError(column_, "unexpected '=' (use '==' to compare)");
          t.kind = Tok::kEq;
          len = 2;
          break;
        case '&':
          if (next != '&') throw FormulaError(column_, "unexpected '&' (use '&&')");
          t.kind = Tok::kAnd;
          len = 2;
          break;
        case '|':
          if (next != '|') throw FormulaError(column_, "unexpected '|' (use '||')");
          t.kind = Tok::kOr;
          len = 2;
          break;
        default:
          ThrowBadCharacter();
      }
    }
    t.text = s_.substr(pos_, len);
    Advance(len);
    return t;
  }

 private:
  [[noreturn]] void ThrowBadCharacter() const {
    const auto c = static_cast<unsigned char>(s_[pos_]);
    if (c >= 0x20 && c < 0x7F) {
      throw FormulaError(column_, fmt::format("unexpected '{}'", static_cast<char>(c)));
    }
    if (c < 0x80) throw FormulaError(column_, fmt::format("unexpected character U+{:04X}", c));
    const std::size_t n = Utf8Length(s_.substr(pos_));
    if (n == 0) throw FormulaError(column_, fmt::format("invalid UTF-8 byte 0x{:02X}", c));
    // Most likely a Japanese metric name: say what a name may contain.
    throw FormulaError(column_, fmt::format("unexpected '{}' (names are ASCII: letters, digits, _)",
                                            s_.substr(pos_, n)));
  }

  void SkipSpace() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        Advance(1);
      } else if (s_.substr(pos_, 3) == "\u3000") {  // ideographic space, typed by Japanese IMEs
        Advance(3);
      } else {
        break;
      }
    }
  }

  // Columns count characters: every byte but a UTF-8 continuation byte starts one.
  void Advance(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if ((static_cast<unsigned char>(s_[pos_ + i]) & 0xC0) != 0x80) ++column_;
    }
    pos_ += n;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int column_ = 1;
};

// The value of a validated number literal (with '%': a hundredth of it). The percent is applied
// to the decimal exponent, so 0.1% is the double nearest 0.001, not 0.1 / 100 rounded twice.
// Returns false when it is beyond the range of a double (1e999, 1e-999).
bool NumberValue(std::string_view text, bool percent, double* out) {
  std::string mantissa;
  long exponent = 0;
  std::size_t e = text.find_first_of("eE");
  for (char c : text.substr(0, e)) {
    if (c != '_') mantissa.push_back(c);
  }
  if (e != std::string_view::npos) {
    std::string_view exp_text = text.substr(e + 1);
    bool negative = false;
    if (exp_text[0] == '+' || exp_text[0] == '-') {
      negative = exp_text[0] == '-';
      exp_text.remove_prefix(1);
    }
    for (char c : exp_text) {
      // Saturate: anything this large is out of range (or zero) whatever the mantissa.
      if (c != '_' && exponent < 100000) exponent = exponent * 10 + (c - '0');
    }
    if (negative) exponent = -exponent;
  }
  if (percent) exponent -= 2;
  std::string full = fmt::format("{}e{}", mantissa, exponent);
  double value = 0;
  auto [end, ec] = std::from_chars(full.data(), full.data() + full.size(), value);
  if (ec != std::errc() || end != full.data() + full.size() || !std::isfinite(value)) return false;
  *out = value;
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, Tree* out) : lexer_(text), out_(out) {}

  void ParseAll() {
    Advance();
    if (tok_.kind == Tok::kEnd) throw FormulaError(1, "empty formula");
    out_->root = ParseOr();
    if (tok_.kind != Tok::kEnd) Unexpected();
  }

 private:
  void Advance() { tok_ = lexer_.Next(); }

  [[noreturn]] void Unexpected() const {
    if (tok_.kind == Tok::kEnd) throw FormulaError(tok_.column, "unexpected end of formula");
    throw FormulaError(tok_.column, fmt::format("unexpected '{}'", tok_.text));
  }

  int AddNode(Node node, int column) {
    for (int kid : node.kids) node.depth = std::max(node.depth, out_->nodes[kid].depth + 1);
    if (node.depth > kMaxDepth) TooDeep(column);
    out_->nodes.push_back(std::move(node));
    return static_cast<int>(out_->nodes.size()) - 1;
  }

  [[noreturn]] static void TooDeep(int column) {
    throw FormulaError(column, fmt::format("formula nested too deeply (more than {} levels)",
                                           kMaxDepth));
  }

  int Binary(Op op, int left, int right, int column) {
    Node n;
    n.op = op;
    n.kids = {left, right};
    return AddNode(std::move(n), column);
  }

  int ParseOr() {
    int left = ParseAnd();
    while (tok_.kind == Tok::kOr) {
      const int column = tok_.column;
      Advance();
      left = Binary(Op::kOr, left, ParseAnd(), column);
    }
    return left;
  }

  int ParseAnd() {
    int left = ParseCmp();
    while (tok_.kind == Tok::kAnd) {
      const int column = tok_.column;
      Advance();
      left = Binary(Op::kAnd, left, ParseCmp(), column);
    }
    return left;
  }

  static bool ComparisonOp(Tok kind, Op* op) {
    switch (kind) {
      case Tok::kLt: *op = Op::kLt; return true;
      case Tok::kLe: *op = Op::kLe; return true;
      case Tok::kGt: *op = Op::kGt; return true;
      case Tok::kGe: *op = Op::kGe; return true;
      case Tok::kEq: *op = Op::kEq; return true;
      case Tok::kNe: *op = Op::kNe; return true;
      default: return false;
    }
  }

  int ParseCmp() {
    const int left = ParseAdd();
    Op op;
    if (!ComparisonOp(tok_.kind, &op)) return left;
    const int column = tok_.column;
    Advance();
    const int result = Binary(op, left, ParseAdd(), column);
    // C would read a < b < c as (a < b) < c, comparing 0 or 1 with c: never what was meant.
    if (Op again; ComparisonOp(tok_.kind, &again)) {
      throw FormulaError(tok_.column, fmt::format("unexpected '{}' (comparisons do not chain; "
                                                  "join them with &&)", tok_.text));
    }
    return result;
  }

  int ParseAdd() {
    int left = ParseMul();
    while (tok_.kind == Tok::kPlus || tok_.kind == Tok::kMinus) {
      const Op op = tok_.kind == Tok::kPlus ? Op::kAdd : Op::kSub;
      const int column = tok_.column;
      Advance();
      left = Binary(op, left, ParseMul(), column);
    }
    return left;
  }

  int ParseMul() {
    int left = ParseUnary();
    while (tok_.kind == Tok::kStar || tok_.kind == Tok::kSlash) {
      const Op op = tok_.kind == Tok::kStar ? Op::kMul : Op::kDiv;
      const int column = tok_.column;
      Advance();
      left = Binary(op, left, ParseUnary(), column);
    }
    return left;
  }

  // Every recursion of the parser (parentheses, arguments, unary chains, exponents) passes here.
  int ParseUnary() {
    struct Guard {
      explicit Guard(int* depth) : d(depth) { ++*d; }
      ~Guard() { --*d; }
      int* d;
    } guard(&recursion_);
    if (recursion_ > kMaxDepth) TooDeep(tok_.column);

    const int column = tok_.column;
    switch (tok_.kind) {
      case Tok::kPlus:  // the identity: not kept, so "+a" has the shape of "a"
        Advance();
        return ParseUnary();
      case Tok::kMinus:
      case Tok::kNot: {
        Node n;
        n.op = tok_.kind == Tok::kMinus ? Op::kNeg : Op::kNot;
        Advance();
        n.kids = {ParseUnary()};
        return AddNode(std::move(n), column);
      }
      default:
        return ParsePower();
    }
  }

  int ParsePower() {
    const int base = ParsePrimary();
    if (tok_.kind != Tok::kCaret) return base;
    const int column = tok_.column;
    Advance();
    // The exponent is a unary: right-associative (2^3^2 = 2^9) and 2^-1 needs no parentheses.
    return Binary(Op::kPow, base, ParseUnary(), column);
  }

  int ParsePrimary() {
    const Token t = tok_;
    switch (t.kind) {
      case Tok::kNumber: {
        Advance();
        Node n;
        n.op = Op::kNumber;
        n.text = std::string(t.text);
        const bool percent = tok_.kind == Tok::kPercent;
        if (percent) {
          n.text += '%';
          Advance();
        }
        if (!NumberValue(t.text, percent, &n.number)) {
          throw FormulaError(t.column, fmt::format("number out of range '{}'", n.text));
        }
        return AddNode(std::move(n), t.column);
      }
      case Tok::kName:
        Advance();
        if (tok_.kind == Tok::kLParen) return ParseCall(t);
        return Variable(t);
      case Tok::kLParen: {
        Advance();
        const int inner = ParseOr();
        if (tok_.kind != Tok::kRParen) {
          throw FormulaError(tok_.column, fmt::format("expected ')' to close '(' opened at "
                                                      "column {}", t.column));
        }
        Advance();
        return inner;  // parentheses leave no node: ToString puts back those that are needed
      }
      default:
        Unexpected();
    }
  }

  void Register(const Token& name) {
    auto& vars = out_->variables;
    if (std::find(vars.begin(), vars.end(), name.text) == vars.end()) {
      vars.emplace_back(name.text);
      out_->variable_columns.push_back(name.column);
    }
  }

  int Variable(const Token& name) {
    Register(name);
    Node n;
    n.op = Op::kVariable;
    n.text = std::string(name.text);
    return AddNode(std::move(n), name.column);
  }

  // stddev(ID, COLUMN) or cv(ID, COLUMN); |name| has been consumed, tok_ is '('.
  int ParseSpread(const Token& name) {
    const int open_column = tok_.column;
    Advance();
    const std::string usage = fmt::format("{}(ID, COLUMN): a metric or KPI id and the column "
                                          "its groups are by, e.g. {}(win_rate, owner)",
                                          name.text, name.text);
    if (tok_.kind != Tok::kName) {
      throw FormulaError(tok_.column, fmt::format("expected a metric or KPI id; {}", usage));
    }
    const Token of = tok_;
    Advance();
    if (tok_.kind == Tok::kLParen) {
      throw FormulaError(of.column, fmt::format("'{}' is a function; {}", of.text, usage));
    }
    if (tok_.kind != Tok::kComma) {
      throw FormulaError(tok_.column,
                         fmt::format("expected ',' and the column after '{}'; {}", of.text, usage));
    }
    Advance();
    if (tok_.kind != Tok::kName && tok_.kind != Tok::kString) {
      throw FormulaError(tok_.column, fmt::format("expected the column the groups are by (a "
                                                  "name, or \"quoted\"); {}",
                                                  usage));
    }
    const Token over = tok_;
    std::string column = over.kind == Tok::kString ? over.unquoted : std::string(over.text);
    if (column.empty()) throw FormulaError(over.column, "an empty column name");
    Advance();
    if (tok_.kind != Tok::kRParen) {
      throw FormulaError(tok_.column, fmt::format("expected ')' to close '(' opened at column "
                                                  "{}; {}",
                                                  open_column, usage));
    }
    Advance();
    Formula::Spread spread;
    spread.kind = name.text == "cv" ? Formula::Spread::kCv : Formula::Spread::kStddev;
    spread.of = std::string(of.text);
    spread.over = column;
    spread.column = name.column;
    bool bare = IsAlpha(column[0]) || column[0] == '_';
    for (char c : column) bare = bare && IsNameChar(c);
    std::string quoted = "\"";
    for (char c : column) {
      quoted.push_back(c);
      if (c == '"') quoted.push_back('"');
    }
    quoted.push_back('"');
    spread.key = fmt::format("{}({}, {})", name.text, spread.of, bare ? column : quoted);
    Register(of);  // a dependency, as any variable
    auto& spreads = out_->spreads;
    auto it = std::find_if(spreads.begin(), spreads.end(),
                           [&](const Formula::Spread& s) { return s.key == spread.key; });
    if (it == spreads.end()) it = spreads.insert(spreads.end(), spread);
    Node n;
    n.op = Op::kSpread;
    n.text = spread.key;
    n.spread = static_cast<int>(it - spreads.begin());
    return AddNode(std::move(n), name.column);
  }

  // |name| has been consumed; tok_ is '('.
  int ParseCall(const Token& name) {
    if (name.text == "stddev" || name.text == "cv") return ParseSpread(name);
    const FnInfo* fn = FindFunction(name.text);
    if (fn == nullptr) {
      throw FormulaError(name.column,
                         fmt::format("unknown function '{}' (functions: min, max, abs, if, sqrt, "
                                     "ln, exp, round, stddev, cv)", name.text));
    }
    const int open_column = tok_.column;
    Advance();
    Node n;
    n.op = Op::kCall;
    n.fn = fn->fn;
    if (tok_.kind != Tok::kRParen) {
      while (true) {
        n.kids.push_back(ParseOr());
        if (tok_.kind == Tok::kRParen) break;
        if (tok_.kind != Tok::kComma) {
          throw FormulaError(tok_.column, fmt::format("expected ',' or ')' to close '(' opened "
                                                      "at column {}", open_column));
        }
        Advance();
      }
    }
    Advance();  // ')'
    const int got = static_cast<int>(n.kids.size());
    if (got < fn->min_args || (fn->max_args >= 0 && got > fn->max_args)) {
      std::string takes;
      if (fn->max_args < 0) {
        takes = fmt::format("at least {}", fn->min_args);
      } else if (fn->min_args == fn->max_args) {
        takes = fmt::format("{}", fn->min_args);
      } else {
        takes = fmt::format("{} or {}", fn->min_args, fn->max_args);
      }
      const bool plural = (fn->max_args < 0 ? fn->min_args : fn->max_args) != 1;
      throw FormulaError(name.column, fmt::format("{}() takes {} argument{}, got {}", fn->name,
                                                  takes, plural ? "s" : "", got));
    }
    return AddNode(std::move(n), name.column);
  }

  Lexer lexer_;
  Tree* out_;
  Token tok_;
  int recursion_ = 0;
};

}  // namespace

Formula Formula::Parse(std::string_view text) {
  auto tree = std::make_shared<Tree>();
  Parser(text, tree.get()).ParseAll();
  return Formula(std::move(tree));
}

}  // namespace crmkpi
