// Formula: the KPI formula language of the INI KPI tree, e.g.
//   win_rate = won / (won + lost)
//   revenue  = won_deals * avg_deal_size
//   on_track = if(won + lost > 0, win_rate >= 35%, 0)
//
// Our own parser rather than muparser because the KPI tree needs the formula's structure (is it
// a product of children? a ratio whose numerator and denominator are printed?), errors with exact
// columns, a lazy if(), and n/a propagation (docs/kpis.md R2): muparser only evaluates doubles.
//
// Grammar (whitespace, including U+3000, is insignificant):
//   expr    := or
//   or      := and ('||' and)*
//   and     := cmp ('&&' cmp)*
//   cmp     := add [('<' | '<=' | '>' | '>=' | '==' | '!=') add]   (no chaining: a < b < c is
//                                                                  an error, not (a < b) < c)
//   add     := mul (('+' | '-') mul)*
//   mul     := unary (('*' | '/') unary)*
//   unary   := ('-' | '+' | '!') unary | power
//   power   := primary ['^' unary]            (right-assoc; -2^2 = -4, 2^-1 = 0.5)
//   primary := number ['%'] | name | name '(' [expr (',' expr)*] ')' | '(' expr ')'
//   number  := 12 | 0.35 | .5 | 1e3 | 2.5E-3 | 1_000_000   ('_' only between digits)
//   name    := [A-Za-z_][A-Za-z0-9_]*          a metric, constant or KPI id
// A name directly followed by '(' is a function call: min(a, …) max(a, …) abs(x)
// if(cond, a, b) sqrt(x) ln(x) exp(x) round(x[, digits]). Elsewhere every name is a variable,
// including the function names. Comparisons, &&, || and ! give 1 or 0; nonzero is true.
//
// Spreads across groups (ばらつき): stddev(ID, COLUMN) and cv(ID, COLUMN) — the population
// standard deviation and the coefficient of variation (SD / mean) of the metric or KPI ID's
// values in the groups of COLUMN (a `by` column of ID's metrics: a name, or "quoted" /
// `backticked` for other headers). Their value is not computed here: Eval asks the lookup for
// the spread's key (Spread::key, the call's canonical text), which the evaluation of a
// definition fills from the per-group values (evaluate/kpi_eval.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmkpi/base/na_reasons.h"

namespace crmkpi {

// A syntax error in a formula. column() is 1-based in characters (not bytes) of the formula
// text, a newline counting as one; the caller, which knows where the text sits in its file,
// adds file:line. what() is "column N: message".
class FormulaError : public std::runtime_error {
 public:
  FormulaError(int column, std::string message);

  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  int column_;
  std::string message_;
};

// A formula's value: a finite number, or n/a (v empty) with a reason code such as
// "ZERO_DENOMINATOR", never NaN or infinity (R2: undefined is not zero).
struct Value {
  std::optional<double> v;
  std::string reason;  // empty when v is set

  static Value Number(double x) { return Value{x, {}}; }
  static Value Na(std::string why) { return Value{std::nullopt, std::move(why)}; }
};

namespace internal {
struct FormulaTree;  // formula.cc
}  // namespace internal

class Formula {
 public:
  // Gives the value of a variable (metric, constant or KPI id). Returning n/a makes every
  // result that needs the variable n/a with the same reason. Non-finite numbers are taken as n/a
  // OVERFLOW (infinity) or DOMAIN (NaN), so a careless lookup cannot leak NaN into a report.
  using Lookup = std::function<Value(std::string_view)>;

  // The structure the KPI tree attributes a gap by (attribution.h NodeShape). Strict: only
  // distinct variables with signs / exponents ±1; parentheses and unary minus distribute.
  //   a + b - c, a - (b - c), -a + b   → kSum      a * b / c, a / (b / c), a → kProduct
  //   won / (won + lost), 2 * a, a / a, a - a + b, a ^ 2, min(a, b), 12   → kOther
  struct Shape {
    enum Kind { kSum, kProduct, kOther } kind = kOther;
    // kSum / kProduct: the distinct variables of the sum or product, in order of appearance.
    // kOther: variables().
    std::vector<std::string> vars;
    // kSum: the sign of each var (±1); kProduct: its exponent (±1). Empty for kOther.
    std::vector<int> signs_or_exponents;
  };

  // An empty formula: a placeholder to assign a parsed one to (KpiDef is default-constructed
  // while loading). Eval gives n/a EMPTY_FORMULA, ToString "", shape kOther.
  Formula();

  // Parses |text|. Throws FormulaError for a syntax error (the first in text order), e.g.
  //   "expected ')' to close '(' opened at column 5", "unexpected 'x'",
  //   "unknown function 'mean' (functions: min, max, abs, if, sqrt, ln, exp, round)",
  //   "if() takes 3 arguments, got 2", "empty formula".
  // Nesting deeper than 256 levels is an error too (evaluation is recursive).
  static Formula Parse(std::string_view text);

  bool empty() const;

  // Every variable, once, in order of first appearance (including those in an if() branch that
  // may not be evaluated: they are still dependencies; and the ID of a spread).
  const std::vector<std::string>& variables() const;

  // A spread of ID across the groups of a column: stddev(win_rate, owner), cv(win_rate, owner).
  struct Spread {
    enum Kind { kStddev, kCv } kind = kStddev;
    std::string of;    // the metric or KPI id
    std::string over;  // the column (as a `by` names it)
    std::string key;   // the call's canonical text, the id Eval looks up: "cv(win_rate, owner)"
    int column = 0;    // 1-based character column of the call in the text
  };
  // Every spread call, once per key, in order of appearance.
  const std::vector<Spread>& spreads() const;
  // 1-based character column of |name|'s first use in the parsed text, 0 if it is not used.
  int VariableColumn(std::string_view name) const;

  // Evaluates with the variables from |lookup|, called for every use that is evaluated, left to
  // right (a / (a + b) asks for a twice; a branch if() does not take is not asked for).
  //   x / 0 → n/a ZERO_DENOMINATOR; sqrt(<0), ln(<=0), (<0) ^ non-integer → n/a DOMAIN;
  //   a result beyond ±1.8e308 → n/a OVERFLOW; an n/a operand → n/a with its reason (the first
  //   n/a left to right); if(c, a, b) evaluates only the branch it takes; && and || stop early
  //   as in C (0 && n/a = 0); min/max need every argument. round(x, d) rounds the shortest
  //   decimal form of x half away from zero (round(1.005, 2) = 1.01, as a spreadsheet shows
  //   it); d must be an integer (may be negative). A result of -0 is returned as 0.
  Value Eval(const Lookup& lookup) const;

  Shape shape() const;

  // True when the top-level operation is '/' (parentheses around the whole do not matter).
  bool IsRatio() const;
  // The two operands of the top-level '/', evaluated as Eval does (the denominator may be 0:
  // it is the population to print). Throw std::logic_error unless IsRatio().
  Value EvalNumerator(const Lookup& lookup) const;
  Value EvalDenominator(const Lookup& lookup) const;

  // Canonical text: single spaces around binary operators, parentheses only where needed,
  // numbers as written ("1_000_000", "35%"). Parse(f.ToString()) is the same formula.
  std::string ToString() const;
  // The formula as a person reads it (a KPI 定義書): each variable replaced by |name|(id), e.g.
  // its label, and the operators in the signs written by hand — × ÷ − ≤ ≥ = ≠, and/or/not —
  // with the parentheses of ToString: "won / (won + lost)" → "受注件数 ÷ (受注件数 + 失注件数)".
  std::string ToWords(const std::function<std::string(std::string_view)>& name) const;

 private:
  explicit Formula(std::shared_ptr<const internal::FormulaTree> tree);

  // Shared and immutable, so copying a Formula (KpiDef, the tree) is a reference count.
  std::shared_ptr<const internal::FormulaTree> tree_;
};

}  // namespace crmkpi
