#include "crmkpi/definition/formula.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace crmkpi {

FormulaError::FormulaError(int column, std::string message)
    : std::runtime_error(fmt::format("column {}: {}", column, message)),
      column_(column),
      message_(std::move(message)) {}

namespace {

// Parsing, evaluation and printing recurse over the tree; a bound keeps a pathological formula
// (thousands of nested parentheses) an error instead of a stack overflow.
constexpr int kMaxDepth = 256;

enum class Op : std::uint8_t {
  kNumber, kVariable, kNeg, kNot, kAdd, kSub, kMul, kDiv, kPow,
  kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr, kCall,
};

enum class Fn : std::uint8_t { kMin, kMax, kAbs, kIf, kSqrt, kLn, kExp, kRound };

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args;
  int max_args;  // -1: no limit
};

constexpr FnInfo kFunctions[] = {
    {"min", Fn::kMin, 1, -1},  {"max", Fn::kMax, 1, -1},   {"abs", Fn::kAbs, 1, 1},
    {"if", Fn::kIf, 3, 3},     {"sqrt", Fn::kSqrt, 1, 1},  {"ln", Fn::kLn, 1, 1},
    {"exp", Fn::kExp, 1, 1},   {"round", Fn::kRound, 1, 2},
};

const FnInfo* FindFunction(std::string_view name) {
  for (const FnInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string_view FunctionName(Fn fn) {
  for (const FnInfo& f : kFunctions) {
    if (f.fn == fn) return f.name;
  }
  return "?";
}

// Binding strength, as in the grammar of formula.h: what ToString needs to decide parentheses.
constexpr int kPrecOr = 1, kPrecAnd = 2, kPrecCmp = 3, kPrecAdd = 4, kPrecMul = 5,
              kPrecUnary = 6, kPrecPow = 7, kPrecPrimary = 8;

int Precedence(Op op) {
  switch (op) {
    case Op::kOr: return kPrecOr;
    case Op::kAnd: return kPrecAnd;
    case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe: case Op::kEq: case Op::kNe:
      return kPrecCmp;
    case Op::kAdd: case Op::kSub: return kPrecAdd;
    case Op::kMul: case Op::kDiv: return kPrecMul;
    case Op::kNeg: case Op::kNot: return kPrecUnary;
    case Op::kPow: return kPrecPow;
    case Op::kNumber: case Op::kVariable: case Op::kCall: return kPrecPrimary;
  }
  return kPrecPrimary;
}

std::string_view OpText(Op op) {
  switch (op) {
    case Op::kNeg: return "-";
    case Op::kNot: return "!";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kPow: return "^";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kAnd: return "&&";
    case Op::kOr: return "||";
    case Op::kNumber: case Op::kVariable: case Op::kCall: break;
  }
  return "";
}

}  // namespace

namespace internal {

// The nodes in one vector, children by index: one allocation for the vector instead of one per
// node, and a copy of the Formula shares it.
struct FormulaTree {
  struct Node {
    Op op = Op::kNumber;
    Fn fn = Fn::kMin;       // kCall
    double number = 0;      // kNumber
    std::string text;       // kNumber: the spelling ("1_000", "35%"); kVariable: the name
    std::vector<int> kids;  // operands / arguments, indexes into nodes
    int depth = 1;
  };

  std::vector<Node> nodes;
  int root = -1;  // -1: the empty formula
  std::vector<std::string> variables;
  std::vector<int> variable_columns;
};

}  // namespace internal

using Tree = internal::FormulaTree;

namespace {

using Node = Tree::Node;

// ---------------------------------------------------------------------------------------------
// Lexer: produces tokens on demand, so the first error in text order is the one reported.

enum class Tok : std::uint8_t {
  kEnd, kNumber, kName, kLParen, kRParen, kComma, kPercent,
  kPlus, kMinus, kStar, kSlash, kCaret, kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr, kNot,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  int column = 1;
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

// Length of the UTF-8 sequence starting at s[0], or 0 if it is not a valid one.
std::size_t Utf8Length(std::string_view s) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = byte(0);
  std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return n;
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

  int Variable(const Token& name) {
    auto& vars = out_->variables;
    if (std::find(vars.begin(), vars.end(), name.text) == vars.end()) {
      vars.emplace_back(name.text);
      out_->variable_columns.push_back(name.column);
    }
    Node n;
    n.op = Op::kVariable;
    n.text = std::string(name.text);
    return AddNode(std::move(n), name.column);
  }

  // |name| has been consumed; tok_ is '('.
  int ParseCall(const Token& name) {
    const FnInfo* fn = FindFunction(name.text);
    if (fn == nullptr) {
      throw FormulaError(name.column,
                         fmt::format("unknown function '{}' (functions: min, max, abs, if, sqrt, "
                                     "ln, exp, round)", name.text));
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

// ---------------------------------------------------------------------------------------------
// Evaluation

// Where IEEE arithmetic would give NaN or infinity, R2 wants n/a with a reason.
Value Checked(double x) {
  if (std::isnan(x)) return Value::Na(kReasonDomain);
  if (std::isinf(x)) return Value::Na(kReasonOverflow);
  return Value::Number(x);
}

bool Truth(double x) { return x != 0; }

// Rounds |x| to |digits| decimals (negative: to tens, hundreds, …), half away from zero, on the
// shortest decimal representation of x: round(1.005, 2) is 1.01 as the user reads 1.005, whereas
// scaling by 100 in binary gives 100.49999… and 1.00. May return infinity (rounding up past the
// largest double).
double RoundDecimal(double x, int digits) {
  if (x == 0) return x;
  char buf[64];
  const auto res =
      std::to_chars(buf, buf + sizeof(buf), std::fabs(x), std::chars_format::scientific);
  const std::string_view s(buf, static_cast<std::size_t>(res.ptr - buf));  // "1.005e+00", "1e+02"
  const std::size_t e = s.find('e');
  std::string d(1, s[0]);
  if (e > 1) d.append(s.substr(2, e - 2));
  int exp10 = 0;
  for (char c : s.substr(e + 2)) exp10 = exp10 * 10 + (c - '0');
  if (s[e + 1] == '-') exp10 = -exp10;

  // |x| = 0.d × 10^point; keep the first |keep| digits of d.
  int point = exp10 + 1;
  const int keep = point + digits;
  if (keep >= static_cast<int>(d.size())) return x;
  if (keep < 0) return std::copysign(0.0, x);
  const bool up = d[static_cast<std::size_t>(keep)] >= '5';
  d.resize(static_cast<std::size_t>(keep));
  if (up) {
    std::size_t i = d.size();
    while (i > 0 && d[i - 1] == '9') d[--i] = '0';
    if (i == 0) {
      d.insert(d.begin(), '1');
      ++point;
    } else {
      ++d[i - 1];
    }
  }
  if (d.empty()) return std::copysign(0.0, x);
  const std::string text = fmt::format("0.{}e{}", d, point);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) value = HUGE_VAL;
  return std::copysign(value, x);
}

class Evaluator {
 public:
  Evaluator(const Tree& f, const Formula::Lookup& lookup) : f_(f), lookup_(lookup) {}

  // An exit of the evaluator: -0 (from -0 * 5, round(-0.2)) is printed as 0.
  Value Eval(int i) {
    Value r = EvalNode(i);
    if (r.v && *r.v == 0) r.v = 0.0;
    return r;
  }

 private:
  Value EvalNode(int i) {
    const Node& n = f_.nodes[static_cast<std::size_t>(i)];
    switch (n.op) {
      case Op::kNumber:
        return Value::Number(n.number);
      case Op::kVariable: {
        Value v = lookup_(n.text);
        if (v.v) return Checked(*v.v);
        return v;
      }
      case Op::kCall:
        return Call(n);
      case Op::kNeg:
      case Op::kNot: {
        Value x = EvalNode(n.kids[0]);
        if (!x.v) return x;
        return Value::Number(n.op == Op::kNeg ? -*x.v : (Truth(*x.v) ? 0.0 : 1.0));
      }
      case Op::kAnd:
      case Op::kOr: {
        Value l = EvalNode(n.kids[0]);
        if (!l.v) return l;
        // Short-circuit as in C, so "won > 0 && x / won > 0.5" is 0, not n/a, without wins.
        if (Truth(*l.v) == (n.op == Op::kOr)) return Value::Number(Truth(*l.v) ? 1.0 : 0.0);
        Value r = EvalNode(n.kids[1]);
        if (!r.v) return r;
        return Value::Number(Truth(*r.v) ? 1.0 : 0.0);
      }
      default:
        break;
    }
    Value l = EvalNode(n.kids[0]);
    if (!l.v) return l;
    Value r = EvalNode(n.kids[1]);
    if (!r.v) return r;
    const double a = *l.v;
    const double b = *r.v;
    switch (n.op) {
      case Op::kAdd: return Checked(a + b);
      case Op::kSub: return Checked(a - b);
      case Op::kMul: return Checked(a * b);
      case Op::kDiv:
        if (b == 0) return Value::Na(kReasonZeroDenominator);
        return Checked(a / b);
      case Op::kPow:
        if (a == 0 && b < 0) return Value::Na(kReasonZeroDenominator);  // 0^-1 = 1/0
        if (a < 0 && b != std::trunc(b)) return Value::Na(kReasonDomain);
        return Checked(std::pow(a, b));
      case Op::kLt: return Value::Number(a < b ? 1.0 : 0.0);
      case Op::kLe: return Value::Number(a <= b ? 1.0 : 0.0);
      case Op::kGt: return Value::Number(a > b ? 1.0 : 0.0);
      case Op::kGe: return Value::Number(a >= b ? 1.0 : 0.0);
      case Op::kEq: return Value::Number(a == b ? 1.0 : 0.0);
      case Op::kNe: return Value::Number(a != b ? 1.0 : 0.0);
      default: break;
    }
    return Value::Na(kReasonDomain);  // unreachable: every Op is handled above
  }

  Value Call(const Node& n) {
    if (n.fn == Fn::kIf) {
      // Lazy: if(lost > 0, won / lost, 0) must not be n/a because the other branch is.
      Value c = EvalNode(n.kids[0]);
      if (!c.v) return c;
      return EvalNode(n.kids[Truth(*c.v) ? 1 : 2]);
    }
    if (n.fn == Fn::kMin || n.fn == Fn::kMax) {
      double best = 0;
      for (std::size_t k = 0; k < n.kids.size(); ++k) {
        Value x = EvalNode(n.kids[k]);
        if (!x.v) return x;  // the minimum of an unknown set is unknown
        if (k == 0 || (n.fn == Fn::kMin ? *x.v < best : *x.v > best)) best = *x.v;
      }
      return Value::Number(best);
    }
    Value x = EvalNode(n.kids[0]);
    if (!x.v) return x;
    const double a = *x.v;
    switch (n.fn) {
      case Fn::kAbs: return Value::Number(std::fabs(a));
      case Fn::kSqrt:
        if (a < 0) return Value::Na(kReasonDomain);
        return Value::Number(std::sqrt(a));
      case Fn::kLn:
        if (a <= 0) return Value::Na(kReasonDomain);
        return Checked(std::log(a));
      case Fn::kExp: return Checked(std::exp(a));
      case Fn::kRound: {
        double digits = 0;
        if (n.kids.size() > 1) {
          Value d = EvalNode(n.kids[1]);
          if (!d.v) return d;
          digits = *d.v;
          if (digits != std::trunc(digits)) return Value::Na(kReasonDomain);
        }
        // Beyond ±400 decimals every double is unchanged (or 0): clamp before converting.
        return Checked(RoundDecimal(a, static_cast<int>(std::clamp(digits, -400.0, 400.0))));
      }
      default: break;
    }
    return Value::Na(kReasonDomain);  // unreachable
  }

  const Tree& f_;
  const Formula::Lookup& lookup_;
};

// ---------------------------------------------------------------------------------------------
// Printing

void Print(const Tree& f, int i, std::string* out);

void PrintKid(const Tree& f, int i, bool parens, std::string* out) {
  if (parens) out->push_back('(');
  Print(f, i, out);
  if (parens) out->push_back(')');
}

void Print(const Tree& f, int i, std::string* out) {
  const Node& n = f.nodes[static_cast<std::size_t>(i)];
  const int prec = Precedence(n.op);
  switch (n.op) {
    case Op::kNumber:
    case Op::kVariable:
      out->append(n.text);
      return;
    case Op::kCall:
      out->append(FunctionName(n.fn));
      out->push_back('(');
      for (std::size_t k = 0; k < n.kids.size(); ++k) {
        if (k > 0) out->append(", ");
        Print(f, n.kids[k], out);
      }
      out->push_back(')');
      return;
    case Op::kNeg:
    case Op::kNot:
      out->append(OpText(n.op));
      PrintKid(f, n.kids[0], Precedence(f.nodes[n.kids[0]].op) < kPrecUnary, out);
      return;
    default:
      break;
  }
  // Binary. What each side may hold without parentheses follows the grammar: left-associative
  // levels take their own level on the left only; a comparison takes neither; '^' takes a
  // primary on the left and a unary on the right.
  const int left_prec = Precedence(f.nodes[n.kids[0]].op);
  const int right_prec = Precedence(f.nodes[n.kids[1]].op);
  bool left_parens = left_prec < prec;
  bool right_parens = right_prec <= prec;
  if (prec == kPrecCmp) {
    left_parens = left_prec <= prec;
  } else if (prec == kPrecPow) {
    left_parens = left_prec < kPrecPrimary;
    right_parens = right_prec < kPrecUnary;
  }
  PrintKid(f, n.kids[0], left_parens, out);
  out->push_back(' ');
  out->append(OpText(n.op));
  out->push_back(' ');
  PrintKid(f, n.kids[1], right_parens, out);
}

// ---------------------------------------------------------------------------------------------
// Shape

// Collects ±variable terms of a +/- tree; false if anything else (a constant, a product) is in it.
bool SumTerms(const Tree& f, int i, int sign, Formula::Shape* out) {
  const Node& n = f.nodes[static_cast<std::size_t>(i)];
  switch (n.op) {
    case Op::kVariable:
      out->vars.push_back(n.text);
      out->signs_or_exponents.push_back(sign);
      return true;
    case Op::kNeg:
      return SumTerms(f, n.kids[0], -sign, out);
    case Op::kAdd:
    case Op::kSub:
      return SumTerms(f, n.kids[0], sign, out) &&
             SumTerms(f, n.kids[1], n.op == Op::kAdd ? sign : -sign, out);
    default:
      return false;
  }
}

// Collects variable^±1 factors of a * / tree.
bool ProductFactors(const Tree& f, int i, int exponent, Formula::Shape* out) {
  const Node& n = f.nodes[static_cast<std::size_t>(i)];
  switch (n.op) {
    case Op::kVariable:
      out->vars.push_back(n.text);
      out->signs_or_exponents.push_back(exponent);
      return true;
    case Op::kMul:
    case Op::kDiv:
      return ProductFactors(f, n.kids[0], exponent, out) &&
             ProductFactors(f, n.kids[1], n.op == Op::kMul ? exponent : -exponent, out);
    default:
      return false;
  }
}

bool AllDistinct(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) == names.end();
}

}  // namespace

Formula::Formula() {
  // One shared empty formula: default construction (a KpiDef being filled in) allocates nothing.
  static const auto* const kEmpty = new std::shared_ptr<const Tree>(std::make_shared<Tree>());
  tree_ = *kEmpty;
}

Formula::Formula(std::shared_ptr<const Tree> tree) : tree_(std::move(tree)) {}

Formula Formula::Parse(std::string_view text) {
  auto tree = std::make_shared<Tree>();
  Parser(text, tree.get()).ParseAll();
  return Formula(std::move(tree));
}

bool Formula::empty() const { return tree_->root < 0; }

const std::vector<std::string>& Formula::variables() const { return tree_->variables; }

int Formula::VariableColumn(std::string_view name) const {
  const auto& vars = tree_->variables;
  auto it = std::find(vars.begin(), vars.end(), name);
  if (it == vars.end()) return 0;
  return tree_->variable_columns[static_cast<std::size_t>(it - vars.begin())];
}

Value Formula::Eval(const Lookup& lookup) const {
  if (empty()) return Value::Na(kReasonEmptyFormula);
  return Evaluator(*tree_, lookup).Eval(tree_->root);
}

Formula::Shape Formula::shape() const {
  Shape s;
  if (!empty()) {
    const Op top = tree_->nodes[static_cast<std::size_t>(tree_->root)].op;
    bool ok = false;
    if (top == Op::kAdd || top == Op::kSub || top == Op::kNeg) {
      s.kind = Shape::kSum;
      ok = SumTerms(*tree_, tree_->root, 1, &s);
    } else if (top == Op::kMul || top == Op::kDiv || top == Op::kVariable) {
      s.kind = Shape::kProduct;
      ok = ProductFactors(*tree_, tree_->root, 1, &s);
    }
    // A repeated variable (a / a, a - a + b) is not a sum or product of distinct children: an
    // attribution by term would count the same child twice.
    if (ok && AllDistinct(s.vars)) return s;
  }
  s.kind = Shape::kOther;
  s.vars = variables();
  s.signs_or_exponents.clear();
  return s;
}

bool Formula::IsRatio() const {
  return !empty() && tree_->nodes[static_cast<std::size_t>(tree_->root)].op == Op::kDiv;
}

Value Formula::EvalNumerator(const Lookup& lookup) const {
  if (!IsRatio()) throw std::logic_error("Formula::EvalNumerator: not a ratio: " + ToString());
  return Evaluator(*tree_, lookup).Eval(tree_->nodes[tree_->root].kids[0]);
}

Value Formula::EvalDenominator(const Lookup& lookup) const {
  if (!IsRatio()) throw std::logic_error("Formula::EvalDenominator: not a ratio: " + ToString());
  return Evaluator(*tree_, lookup).Eval(tree_->nodes[tree_->root].kids[1]);
}

std::string Formula::ToString() const {
  std::string out;
  if (!empty()) Print(*tree_, tree_->root, &out);
  return out;
}

}  // namespace crmkpi
