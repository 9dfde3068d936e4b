// ValueExpr (crmkpi/definition/value_expr.h): the parser of a metric's `value =` arithmetic,
// its binding to a source's columns, the per-row evaluation and the canonical text.
#include "crmkpi/definition/value_expr.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/values/amount.h"

namespace crmkpi {

namespace {

// The deepest nesting of '(' and unary signs (as where and formulas).
constexpr int kMaxValueDepth = 256;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The operator a multi-byte character stands for (× ÷ and the full-width forms), or 0; |len|
// gets its length in bytes.
char WideOperator(std::string_view s, std::size_t i, std::size_t* len) {
  struct Wide {
    std::string_view bytes;
    char op;
  };
  static constexpr Wide kWide[] = {
      {"\xC3\x97", '*'},     {"\xC3\xB7", '/'},     {"\xEF\xBC\x8B", '+'},
      {"\xEF\xBC\x8D", '-'}, {"\xEF\xBC\x8A", '*'}, {"\xEF\xBC\x8F", '/'},
      {"\xEF\xBC\x88", '('}, {"\xEF\xBC\x89", ')'}, {"\xEF\xBC\x85", '%'},
  };
  for (const Wide& w : kWide) {
    if (s.compare(i, w.bytes.size(), w.bytes) == 0) {
      *len = w.bytes.size();
      return w.op;
    }
  }
  return 0;
}

bool IsIdeographicSpace(std::string_view s, std::size_t i) {
  return s.compare(i, 3, "\xE3\x80\x80") == 0;
}

// A byte that may continue a bare name at |i|: ASCII letters, digits, '_', '.', and non-ASCII
// characters other than the operators and U+3000.
bool NameCharAt(std::string_view s, std::size_t i) {
  const char c = s[i];
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.' || IsDigit(c)) {
    return true;
  }
  if (static_cast<unsigned char>(c) < 0x80) return false;
  std::size_t len = 0;
  return WideOperator(s, i, &len) == 0 && !IsIdeographicSpace(s, i);
}

bool IsBareName(std::string_view name) {
  if (name.empty() || IsDigit(name[0]) || name[0] == '.') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!NameCharAt(name, i)) return false;
  }
  return true;
}

// The location of byte |offset| of |text|, which starts at |loc| (where's rule: columns count
// characters; on a continuation line only the line is known).
SourceLoc LocIn(std::string_view text, const SourceLoc& loc, std::size_t offset) {
  SourceLoc out = loc;
  offset = std::min(offset, text.size());
  std::size_t line_start = 0;
  std::uint64_t newlines = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++newlines;
      line_start = i + 1;
    }
  }
  if (out.line == 0) return out;
  if (newlines > 0) {
    out.line += newlines;
    out.column = 0;
    return out;
  }
  if (out.column == 0) return out;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++out.column;
  }
  return out;
}

}  // namespace

// The recursive-descent parser; a friend of ValueExpr.
class ValueExprParser {
 public:
  ValueExprParser(std::string_view text, const SourceLoc& loc) {
    e_.text_ = std::string(text);
    e_.loc_ = loc;
  }

  ValueExpr Run() {
    Skip();
    if (pos_ >= s().size()) Fail(pos_, "expected an expression over columns (amount * probability / 100)");
    e_.root_ = Expr();
    Skip();
    if (pos_ < s().size()) {
      if (Peek() == ')') Fail(pos_, "unmatched ')'");
      Fail(pos_, fmt::format("unexpected {}: join columns and numbers with + - * / (amount * "
                             "probability / 100); quote column names with spaces in \"double "
                             "quotes\"",
                             Here()));
    }
    return std::move(e_);
  }

 private:
  using Op = ValueExpr::Op;
  using Node = ValueExpr::Node;

  const std::string& s() const { return e_.text_; }

  [[noreturn]] void Fail(std::size_t at, const std::string& message) const {
    throw Error(ExitCode::kUsage, message, LocIn(s(), e_.loc_, at));
  }

  void Skip() {
    while (pos_ < s().size()) {
      const char c = s()[pos_];
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        ++pos_;
      } else if (IsIdeographicSpace(s(), pos_)) {
        pos_ += 3;
      } else {
        break;
      }
    }
  }

  // The operator character at the cursor ('+', '(', …, full-width forms included), or 0.
  char Peek(std::size_t* len = nullptr) const {
    std::size_t n = 1;
    if (pos_ >= s().size()) return 0;
    const char c = s()[pos_];
    char op = 0;
    if (c == '+' || c == '-' || c == '*' || c == '/' || c == '(' || c == ')' || c == '%') {
      op = c;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      op = WideOperator(s(), pos_, &n);
    }
    if (len != nullptr) *len = n;
    return op;
  }
  void Take() {
    std::size_t len = 1;
    Peek(&len);
    pos_ += len;
  }

  // What is at the cursor, for messages: "'x'", "the end of the text".
  std::string Here() const {
    if (pos_ >= s().size()) return "the end of the text";
    std::size_t n = 1;
    const auto c = static_cast<unsigned char>(s()[pos_]);
    if (c >= 0xC0) n = c >= 0xF0 ? 4 : (c >= 0xE0 ? 3 : 2);
    return fmt::format("'{}'", s().substr(pos_, n));
  }

  // Every node's depth is bounded too (a chain of 300 '+' is as deep as 300 '('): binding and
  // printing walk the tree recursively.
  int Add(Node n) {
    for (int kid : {n.left, n.right}) {
      if (kid >= 0) n.depth = std::max(n.depth, e_.nodes_[static_cast<std::size_t>(kid)].depth + 1);
    }
    if (n.depth > kMaxValueDepth) {
      Fail(n.at, fmt::format("expression nested too deeply (more than {} levels)", kMaxValueDepth));
    }
    e_.nodes_.push_back(std::move(n));
    return static_cast<int>(e_.nodes_.size() - 1);
  }

  int Binary(Op op, int left, int right, std::size_t at) {
    Node n;
    n.op = op;
    n.left = left;
    n.right = right;
    n.at = at;
    return Add(std::move(n));
  }

  int Expr() {
    int left = Term();
    for (;;) {
      Skip();
      const char op = Peek();
      if (op != '+' && op != '-') return left;
      const std::size_t at = pos_;
      Take();
      left = Binary(op == '+' ? Op::kAdd : Op::kSub, left, Term(), at);
    }
  }

  int Term() {
    int left = Unary();
    for (;;) {
      Skip();
      const char op = Peek();
      if (op != '*' && op != '/') return left;
      const std::size_t at = pos_;
      Take();
      left = Binary(op == '*' ? Op::kMul : Op::kDiv, left, Unary(), at);
    }
  }

  // Every recursion ('(' and unary signs) passes here: bounded, so a hostile text is an error
  // at its column and Print, which recurses as deep, stays shallow.
  int Unary() {
    struct Guard {
      explicit Guard(int* depth) : d(depth) { ++*d; }
      ~Guard() { --*d; }
      int* d;
    } guard(&depth_);
    Skip();
    if (depth_ > kMaxValueDepth) {
      Fail(pos_, fmt::format("expression nested too deeply (more than {} levels)",
                             kMaxValueDepth));
    }
    const char op = Peek();
    if (op == '-' || op == '+') {
      const std::size_t at = pos_;
      Take();
      const int kid = Unary();
      if (op == '+') return kid;
      Node n;
      n.op = Op::kNeg;
      n.left = kid;
      n.at = at;
      return Add(std::move(n));
    }
    return Primary();
  }

  int Primary() {
    Skip();
    const std::size_t at = pos_;
    if (pos_ >= s().size()) {
      Fail(at, pos_ > 0 ? fmt::format("expected a column, a number or '(' after '{}'",
                                      LastOperator())
                        : std::string("expected a column, a number or '('"));
    }
    const char c = s()[pos_];
    const char op = Peek();
    if (op == '(') {
      Take();
      const int inner = Expr();
      Skip();
      if (Peek() != ')') {
        Fail(pos_, fmt::format("expected ')' to close the '(' at column {}, found {}",
                               LocIn(s(), e_.loc_, at).column, Here()));
      }
      Take();
      return inner;
    }
    if (IsDigit(c) || (c == '.' && pos_ + 1 < s().size() && IsDigit(s()[pos_ + 1]))) {
      std::size_t j = pos_;
      while (j < s().size() && (IsDigit(s()[j]) || s()[j] == '.')) ++j;
      const std::string digits = s().substr(pos_, j - pos_);
      if (j < s().size() && NameCharAt(s(), j)) {
        std::size_t k = j;
        while (k < s().size() && NameCharAt(s(), k)) ++k;
        Fail(at, fmt::format("'{}' is not a number; quote a column name that starts with a "
                             "digit (\"{}\")",
                             s().substr(pos_, k - pos_), s().substr(pos_, k - pos_)));
      }
      Node n;
      n.op = Op::kNumber;
      n.spelling = digits;
      n.at = at;
      std::int64_t units = 0;
      const bool ok = std::count(digits.begin(), digits.end(), '.') <= 1 &&
                      digits.back() != '.' && ParseAmount(digits, &units) == ParseStatus::kOk;
      if (!ok) Fail(at, fmt::format("'{}' is not a number (12, 0.5)", digits));
      // Exact to 1/10,000, as amounts are; a literal with more decimals is read in full.
      n.number = std::strtold(digits.c_str(), nullptr);
      pos_ = j;
      Skip();
      if (Peek() == '%') {
        Take();
        n.spelling += '%';
        n.number /= 100;
      }
      return Add(std::move(n));
    }
    std::string name;
    if (c == '"' || c == '`') {
      std::size_t j = pos_ + 1;
      for (;;) {
        if (j >= s().size()) Fail(at, fmt::format("unclosed {} quote", c));
        if (s()[j] == c) {
          if (j + 1 < s().size() && s()[j + 1] == c) {
            name.push_back(c);
            j += 2;
            continue;
          }
          break;
        }
        name.push_back(s()[j]);
        ++j;
      }
      pos_ = j + 1;
      if (TrimSpace(name).empty()) Fail(at, "an empty quoted column name");
    } else if (c == '\'') {
      Fail(at, "expected a column name; quote column names with \"double quotes\" or "
               "`backticks` (the value is computed from columns and numbers, not text)");
    } else if (op == 0 && NameCharAt(s(), pos_)) {
      std::size_t j = pos_;
      while (j < s().size() && NameCharAt(s(), j)) ++j;
      name = s().substr(pos_, j - pos_);
      pos_ = j;
    } else {
      Fail(at, fmt::format("expected a column, a number or '(', found {}", Here()));
    }
    auto& names = e_.names_;
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      names.push_back(name);
      e_.name_at_.push_back(at);
      it = names.end() - 1;
    }
    Node n;
    n.op = Op::kColumn;
    n.name = static_cast<int>(it - names.begin());
    n.at = at;
    return Add(std::move(n));
  }

  // The operator before the end of the text, for "expected … after '*'".
  std::string LastOperator() const {
    std::size_t i = s().size();
    while (i > 0) {
      --i;
      const char c = s()[i];
      if (c == ' ' || (c >= '\t' && c <= '\r')) continue;
      if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
      std::size_t n = 1;
      const auto b = static_cast<unsigned char>(c);
      if (b >= 0xC0) n = b >= 0xF0 ? 4 : (b >= 0xE0 ? 3 : 2);
      return s().substr(i, n);
    }
    return "";
  }

  ValueExpr e_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

ValueExpr ValueExpr::Parse(std::string_view text, const SourceLoc& loc) {
  return ValueExprParser(text, loc).Run();
}

void ValueExpr::Bind(const RowSchema& schema, std::string_view what) {
  columns_.clear();
  for (std::size_t i = 0; i < names_.size(); ++i) {
    const SourceLoc at = LocIn(text_, loc_, name_at_[i]);
    int column = -1;
    try {
      column = schema.Resolve(TrimSpace(names_[i]));
    } catch (const Error& e) {  // a duplicate header name
      throw Error(e.code(), e.message(), at);
    }
    if (column < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("unknown column '{}' in {} ({})", names_[i], what,
                              schema.Describe()),
                  at);
    }
    columns_.push_back(column);
  }
  // The postfix program, children before their parent, operands left to right.
  program_.clear();
  std::size_t depth = 0, most = 0;
  auto emit = [&](auto&& self, int node) -> void {
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    if (n.left >= 0) self(self, n.left);
    if (n.right >= 0) self(self, n.right);
    Step st;
    st.op = n.op;
    st.number = n.number;
    if (n.op == Op::kColumn) st.column = columns_[static_cast<std::size_t>(n.name)];
    if (n.op == Op::kNumber || n.op == Op::kColumn) {
      most = std::max(most, ++depth);
    } else if (n.op != Op::kNeg) {
      --depth;
    }
    program_.push_back(st);
  };
  if (root_ >= 0) emit(emit, root_);
  stack_.assign(most + 1, 0.0L);
}

ValueExpr::Status ValueExpr::Eval(RowContext& row, std::int64_t* units) {
  Status bad = Status::kOk;
  bool by_zero = false;
  long double* const stack = stack_.data();
  std::size_t top = 0;  // the next free slot
  for (const Step& st : program_) {
    switch (st.op) {
      case Op::kNumber:
        stack[top++] = st.number;
        break;
      case Op::kColumn: {
        long double v = 0;
        Status status = Status::kOk;
        const std::string_view text = row.Text(st.column);
        std::size_t percent = 0;
        if (!text.empty() && text.back() == '%') {
          percent = 1;
        } else if (text.size() >= 3 && text.substr(text.size() - 3) == "\xEF\xBC\x85") {  // ％
          percent = 3;
        }
        std::int64_t u = 0;
        if (text.empty()) {
          status = Status::kMissing;
        } else if (percent != 0) {
          // "60%": a percent; the amount parser takes no '%'.
          const std::string_view digits = TrimSpace(text.substr(0, text.size() - percent));
          const ParseStatus ps = digits.empty() ? ParseStatus::kInvalid
                                 : row.decimal_comma()
                                     ? ParseAmountDecimalComma(digits, &u)
                                     : ParseAmount(digits, &u);
          if (ps == ParseStatus::kOk) {
            v = static_cast<long double>(u) / (static_cast<long double>(kAmountScale) * 100);
          } else {
            row.Amount(st.column, &u);  // warned about as any invalid amount
            status = Status::kInvalid;
          }
        } else {
          switch (row.Amount(st.column, &u)) {
            case ParseStatus::kOk:
              v = static_cast<long double>(u) / static_cast<long double>(kAmountScale);
              break;
            case ParseStatus::kEmpty:
              status = Status::kMissing;
              break;
            case ParseStatus::kInvalid:
              status = Status::kInvalid;
              break;
          }
        }
        if (status != Status::kOk && bad == Status::kOk) bad = status;
        stack[top++] = v;
        break;
      }
      case Op::kNeg:
        stack[top - 1] = -stack[top - 1];
        break;
      default: {
        const long double b = stack[--top];
        long double& a = stack[top - 1];
        switch (st.op) {
          case Op::kAdd:
            a += b;
            break;
          case Op::kSub:
            a -= b;
            break;
          case Op::kMul:
            a *= b;
            break;
          default:  // kDiv
            if (b == 0) {
              by_zero = true;
              a = 0;
            } else {
              a /= b;
            }
            break;
        }
        break;
      }
    }
  }
  if (bad != Status::kOk) return bad;
  if (by_zero) return Status::kDivisionByZero;
  const long double scaled = stack[0] * static_cast<long double>(kAmountScale);
  if (!(std::fabs(scaled) < 9.2e18L)) return Status::kInvalid;
  *units = static_cast<std::int64_t>(std::llroundl(scaled));
  return Status::kOk;
}

std::string ValueExpr::ToString() const {
  if (root_ < 0) return "";
  return Print(root_, 0, false);
}

std::string ValueExpr::Print(int node, int parent_precedence, bool right_side) const {
  const Node& n = nodes_[static_cast<std::size_t>(node)];
  switch (n.op) {
    case Op::kNumber:
      return n.spelling;
    case Op::kColumn: {
      const std::string& name = names_[static_cast<std::size_t>(n.name)];
      if (IsBareName(name)) return name;
      std::string quoted = "\"";
      for (char c : name) {
        quoted += c;
        if (c == '"') quoted += '"';
      }
      return quoted + "\"";
    }
    case Op::kNeg:
      return "-" + Print(n.left, 3, false);
    default: {
      const int p = (n.op == Op::kAdd || n.op == Op::kSub) ? 1 : 2;
      const char* op = n.op == Op::kAdd   ? " + "
                       : n.op == Op::kSub ? " - "
                       : n.op == Op::kMul ? " * "
                                          : " / ";
      std::string out = Print(n.left, p, false) + op + Print(n.right, p, true);
      if (p < parent_precedence || (p == parent_precedence && right_side)) out = "(" + out + ")";
      return out;
    }
  }
}

}  // namespace crmkpi
