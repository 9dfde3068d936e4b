// Formula: evaluation of a parsed formula (n/a propagation, lazy if(), rounding), its
// canonical text and its shape (sum, product or other); the parser is formula_parser.cc.
#include "crmkpi/definition/formula.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "formula_parser.h"

namespace crmkpi {

using internal::Fn;
using internal::FnInfo;
using internal::kFunctions;
using internal::Op;
using Tree = internal::FormulaTree;

namespace {

using Node = Tree::Node;

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
    case Op::kNumber: case Op::kVariable: case Op::kCall: case Op::kSpread: return kPrecPrimary;
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
    case Op::kNumber: case Op::kVariable: case Op::kCall: case Op::kSpread: break;
  }
  return "";
}

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
      case Op::kVariable:
      case Op::kSpread: {  // a spread's value is looked up by its key
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

// How a formula is printed: as written (ToString) or in words (ToWords: names replaced,
// arithmetic in the signs people write by hand).
struct PrintStyle {
  const std::function<std::string(std::string_view)>* name = nullptr;  // null: ids as they are
  bool symbols = false;  // × ÷ − ≤ ≥ = ≠ and, or, not
};

std::string_view OpWord(Op op) {
  switch (op) {
    case Op::kNeg: return "−";
    case Op::kNot: return "not ";
    case Op::kSub: return "−";
    case Op::kMul: return "×";
    case Op::kDiv: return "÷";
    case Op::kLe: return "≤";
    case Op::kGe: return "≥";
    case Op::kEq: return "=";
    case Op::kNe: return "≠";
    case Op::kAnd: return "and";
    case Op::kOr: return "or";
    default: return OpText(op);
  }
}

void Print(const Tree& f, int i, const PrintStyle& style, std::string* out);

void PrintKid(const Tree& f, int i, bool parens, const PrintStyle& style, std::string* out) {
  if (parens) out->push_back('(');
  Print(f, i, style, out);
  if (parens) out->push_back(')');
}

void Print(const Tree& f, int i, const PrintStyle& style, std::string* out) {
  const Node& n = f.nodes[static_cast<std::size_t>(i)];
  const int prec = Precedence(n.op);
  const std::string_view op = style.symbols ? OpWord(n.op) : OpText(n.op);
  switch (n.op) {
    case Op::kNumber:
    case Op::kSpread:
      out->append(n.text);
      return;
    case Op::kVariable:
      out->append(style.name != nullptr ? (*style.name)(n.text) : n.text);
      return;
    case Op::kCall:
      out->append(FunctionName(n.fn));
      out->push_back('(');
      for (std::size_t k = 0; k < n.kids.size(); ++k) {
        if (k > 0) out->append(", ");
        Print(f, n.kids[k], style, out);
      }
      out->push_back(')');
      return;
    case Op::kNeg:
    case Op::kNot:
      out->append(op);
      PrintKid(f, n.kids[0], Precedence(f.nodes[n.kids[0]].op) < kPrecUnary, style, out);
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
  PrintKid(f, n.kids[0], left_parens, style, out);
  out->push_back(' ');
  out->append(op);
  out->push_back(' ');
  PrintKid(f, n.kids[1], right_parens, style, out);
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


bool Formula::empty() const { return tree_->root < 0; }

const std::vector<std::string>& Formula::variables() const { return tree_->variables; }

const std::vector<Formula::Spread>& Formula::spreads() const { return tree_->spreads; }

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
  if (!empty()) Print(*tree_, tree_->root, PrintStyle{}, &out);
  return out;
}

std::string Formula::ToWords(const std::function<std::string(std::string_view)>& name) const {
  std::string out;
  if (!empty()) Print(*tree_, tree_->root, PrintStyle{&name, true}, &out);
  return out;
}

}  // namespace crmkpi
