// KPI-tree gap attribution: splits a parent KPI's gap Δ = P¹ − P⁰ (actual vs target, or this
// period vs the last) among the children it is computed from, so that the contributions add up
// to Δ. Sum nodes split exactly by difference, product/ratio nodes by LMDI-I, and anything else
// (or a product with a zero or negative value, where logarithms do not exist) by exact Shapley.
// Chaining a child's own attribution through Rescale() carries the gap down to the leaves.
// docs/attribution.md has the formulas and a worked example.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

enum class AttributionMethod { kSum, kLmdi, kShapley, kNone };

// "sum", "lmdi", "shapley", "none": the per-node method label the report prints.
std::string_view MethodName(AttributionMethod method);

// How a parent is built from its children (from the formula's structure).
struct NodeShape {
  enum Kind { kSum, kProduct, kOther } kind = kOther;
  // kSum: the coefficient of each child, normally ±1 (a − b → {+1, −1}).
  // kProduct: the exponent of each child, normally ±1 (a ÷ b → {+1, −1}).
  // Unused for kOther. Other nonzero integers work too (2·a, a²).
  std::vector<int> signs_or_exponents;
};

// Largest child count for Shapley: it evaluates the parent at 2^K points.
inline constexpr int kMaxShapleyFactors = 12;

// Relative tolerance within which contributions must add up to the gap (kpi-definitions.md).
inline constexpr double kAttributionTolerance = 1e-9;

struct Attribution {
  AttributionMethod method = AttributionMethod::kNone;
  // One per child (empty when kNone); their sum is parent1 − parent0 up to rounding.
  std::vector<double> contributions;
  // (parent1 − parent0) − Σ contributions. Rounding-sized unless the evaluator and the shape
  // disagree (e.g. kProduct but f adds a constant); see ResidualIsNegligible().
  double residual = 0;
  // The parent at the reference and actual points (as evaluated by f). Set whenever both could
  // be evaluated, even when the method is kNone for another reason.
  double parent0 = 0;
  double parent1 = 0;
  // Only when kNone: "NOT_AVAILABLE" (an input or an evaluation is NaN/inf, i.e. n/a),
  // "TOO_MANY_FACTORS" (Shapley needed with K > kMaxShapleyFactors), "NO_FACTORS" (K = 0).
  std::string reason;
};

// Evaluates a parent from a full vector of child values; returns NaN where it is undefined
// (e.g. a zero denominator).
using NodeEvaluator = std::function<double(const std::vector<double>&)>;

// Attributes the parent's gap to its K children, whose reference and actual values are x0 and
// x1. |f| gives parent0 = f(x0), parent1 = f(x1) and the Shapley coalition values; it may be
// empty for kSum and kProduct, which then evaluate Σ s_i·x_i and Π x_i^e_i themselves.
//   kSum                                     → c_i = s_i·(x_i¹ − x_i⁰), exact.
//   kProduct, every x_i⁰, x_i¹, P⁰, P¹ > 0   → LMDI-I: c_i = L(P¹, P⁰)·e_i·ln(x_i¹/x_i⁰).
//   otherwise (kOther, or a value ≤ 0)       → Shapley over the K children, K ≤ 12.
// Any NaN/inf input, parent or coalition value gives kNone "NOT_AVAILABLE".
// Throws Error (usage) if x0, x1 and signs_or_exponents disagree in length, or if |f| is empty
// for kOther: both mean the KPI tree was built wrong, not that the data is bad.
Attribution Attribute(const NodeShape& shape, const NodeEvaluator& f, const std::vector<double>& x0,
                      const std::vector<double>& x1);

// Chaining: a child received |share| of its parent's gap; its own attribution |child| splits its
// own change |child_delta| (pass child.parent1 − child.parent0). Returns child.contributions
// scaled by share / child_delta, which sum to |share|. child_delta == 0 gives all zeros (every
// method gives an unchanged child a share of exactly 0, so nothing is lost); a kNone child gives
// an empty vector (its subtree cannot be split; the caller shows |share| on the child itself).
std::vector<double> Rescale(const Attribution& child, double child_delta, double share);

// True when |a.residual| is within kAttributionTolerance of the node's scale
// (max(|parent0|, |parent1|, Σ|c_i|)), i.e. the residual is rounding and need not be printed.
// The scale is not |Δ| alone: when offsetting changes nearly cancel, Δ can be far smaller than the
// terms whose rounding the residual carries.
bool ResidualIsNegligible(const Attribution& a);

// Logarithmic mean L(a, b) = (a − b)/(ln a − ln b), L(a, a) = a, for a, b > 0 (NaN otherwise).
// Accurate to a few ulps also when a/b is within 1e-12 of 1, where the textbook formula cancels.
double LogMean(double a, double b);

}  // namespace crmkpi
