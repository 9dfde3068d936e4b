#include "crmkpi/evaluate/attribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ln(a/b) for a, b > 0. Near a/b = 1, log(a) − log(b) cancels to a few significant digits,
// while a − b is exact there (Sterbenz) and log1p keeps full relative precision. Far from 1,
// (a − b)/b may overflow (a/b > 1e308), and the difference of logs loses nothing.
double LogRatio(double a, double b) {
  if (a == b) return 0;
  if (a >= 0.5 * b && a <= 2 * b) return std::log1p((a - b) / b);
  return std::log(a) - std::log(b);
}

bool AllFinite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

bool AllPositive(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
}

Attribution NotAttributed(std::string reason) {
  Attribution a;
  a.method = AttributionMethod::kNone;
  a.reason = std::move(reason);
  return a;
}

// Fills in the residual once the contributions are set; every method ends here so the residual
// is always the same definition.
void Finish(Attribution& a) {
  double sum = 0;
  for (double c : a.contributions) sum += c;
  a.residual = (a.parent1 - a.parent0) - sum;
}

// The evaluator a kSum / kProduct shape implies, for callers that have no formula object.
// A zero denominator gives NaN rather than inf: the parent is undefined (R2), and the caller
// turns NaN into NOT_AVAILABLE.
NodeEvaluator ShapeEvaluator(const NodeShape& shape) {
  if (shape.kind == NodeShape::kSum) {
    return [e = shape.signs_or_exponents](const std::vector<double>& x) {
      double sum = 0;
      for (std::size_t i = 0; i < x.size(); ++i) sum += e[i] * x[i];
      return sum;
    };
  }
  return [e = shape.signs_or_exponents](const std::vector<double>& x) {
    double product = 1;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (e[i] < 0 && x[i] == 0) return kNaN;
      product *= e[i] == 1 ? x[i] : e[i] == -1 ? 1 / x[i] : std::pow(x[i], e[i]);
    }
    return product;
  };
}

// Exact Shapley values of the cooperative game v(S) = f(x with the children in S at x¹ and the
// rest at x⁰): φ_i = Σ_{S ∌ i} |S|!(K−|S|−1)!/K! · (v(S ∪ {i}) − v(S)). Each v(S) is evaluated
// once (2^K calls), then every marginal difference is reused.
Attribution Shapley(const NodeEvaluator& f, const std::vector<double>& x0,
                    const std::vector<double>& x1) {
  const int k = static_cast<int>(x0.size());
  if (k > kMaxShapleyFactors) return NotAttributed("TOO_MANY_FACTORS");
  const std::uint32_t n_coalitions = std::uint32_t{1} << k;

  std::vector<double> value(n_coalitions);
  std::vector<double> point(x0);
  for (std::uint32_t mask = 0; mask < n_coalitions; ++mask) {
    for (int j = 0; j < k; ++j) point[j] = (mask >> j) & 1 ? x1[j] : x0[j];
    value[mask] = f(point);
    if (!std::isfinite(value[mask])) return NotAttributed("NOT_AVAILABLE");
  }

  // Integer factorials up to 12! = 479,001,600 are exact in a double, so the weights'
  // numerators are exact and the one division by K! happens last, per child.
  std::vector<double> factorial(k + 1, 1.0);
  for (int j = 1; j <= k; ++j) factorial[j] = factorial[j - 1] * j;

  Attribution a;
  a.method = AttributionMethod::kShapley;
  a.parent0 = value[0];
  a.parent1 = value[n_coalitions - 1];
  a.contributions.assign(k, 0.0);
  for (int i = 0; i < k; ++i) {
    const std::uint32_t bit = std::uint32_t{1} << i;
    double weighted = 0;
    for (std::uint32_t mask = 0; mask < n_coalitions; ++mask) {
      if (mask & bit) continue;
      const int s = std::popcount(mask);
      weighted += factorial[s] * factorial[k - s - 1] * (value[mask | bit] - value[mask]);
    }
    a.contributions[i] = weighted / factorial[k];
  }
  Finish(a);
  return a;
}

}  // namespace

std::string_view MethodName(AttributionMethod method) {
  switch (method) {
    case AttributionMethod::kSum:
      return "sum";
    case AttributionMethod::kLmdi:
      return "lmdi";
    case AttributionMethod::kShapley:
      return "shapley";
    case AttributionMethod::kNone:
      break;
  }
  return "none";
}

double LogMean(double a, double b) {
  if (!(a > 0 && b > 0)) return kNaN;
  if (a == b) return a;
  // (a − b)/ln(a/b), with ln(a/b) from LogRatio: near a = b both the numerator (exact by
  // Sterbenz) and log1p keep full relative precision, so the quotient does too.
  return (a - b) / LogRatio(a, b);
}

Attribution Attribute(const NodeShape& shape, const NodeEvaluator& f, const std::vector<double>& x0,
                      const std::vector<double>& x1) {
  const std::size_t k = x0.size();
  if (x1.size() != k) {
    throw Error::Usage(
        fmt::format("attribution: {} reference values but {} actual values", k, x1.size()));
  }
  if (shape.kind != NodeShape::kOther && shape.signs_or_exponents.size() != k) {
    throw Error::Usage(fmt::format("attribution: {} children but {} signs/exponents", k,
                                   shape.signs_or_exponents.size()));
  }
  if (shape.kind == NodeShape::kOther && !f) {
    throw Error::Usage("attribution: a node that is neither a sum nor a product needs a formula");
  }
  if (k == 0) return NotAttributed("NO_FACTORS");
  // A NaN child is an n/a KPI (R2): the parent is n/a too, and so is any split of its gap.
  if (!AllFinite(x0) || !AllFinite(x1)) return NotAttributed("NOT_AVAILABLE");

  const NodeEvaluator evaluate = f ? f : ShapeEvaluator(shape);
  Attribution a;
  a.parent0 = evaluate(x0);
  a.parent1 = evaluate(x1);
  if (!std::isfinite(a.parent0) || !std::isfinite(a.parent1)) {
    Attribution n = NotAttributed("NOT_AVAILABLE");
    n.parent0 = a.parent0;
    n.parent1 = a.parent1;
    return n;
  }

  if (shape.kind == NodeShape::kSum) {
    a.method = AttributionMethod::kSum;
    a.contributions.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
      a.contributions[i] = shape.signs_or_exponents[i] * (x1[i] - x0[i]);
    }
    Finish(a);
    return a;
  }

  if (shape.kind == NodeShape::kProduct && AllPositive(x0) && AllPositive(x1) && a.parent0 > 0 &&
      a.parent1 > 0) {
    // LMDI-I: ln P¹ − ln P⁰ = Σ e_i ln(x_i¹/x_i⁰), multiplied through by L(P¹, P⁰) so that
    // L·ln(P¹/P⁰) = P¹ − P⁰. Exact and independent of the order of the factors.
    a.method = AttributionMethod::kLmdi;
    const double weight = LogMean(a.parent1, a.parent0);
    a.contributions.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
      a.contributions[i] = weight * shape.signs_or_exponents[i] * LogRatio(x1[i], x0[i]);
    }
    Finish(a);
    return a;
  }

  // Logarithms do not exist here (kOther, or a zero/negative value): Shapley needs only
  // evaluations of the parent.
  Attribution s = Shapley(evaluate, x0, x1);
  if (s.method == AttributionMethod::kNone) {
    s.parent0 = a.parent0;
    s.parent1 = a.parent1;
  }
  return s;
}

std::vector<double> Rescale(const Attribution& child, double child_delta, double share) {
  std::vector<double> scaled(child.contributions.size(), 0.0);
  if (child_delta == 0) return scaled;
  const double factor = share / child_delta;
  for (std::size_t j = 0; j < scaled.size(); ++j) scaled[j] = child.contributions[j] * factor;
  return scaled;
}

bool ResidualIsNegligible(const Attribution& a) {
  // Σ|c_i| bounds the rounding error of Σ c_i; the parents bound that of P¹ − P⁰.
  double abs_sum = 0;
  for (double c : a.contributions) abs_sum += std::abs(c);
  const double scale = std::max({std::abs(a.parent0), std::abs(a.parent1), abs_sum});
  return std::abs(a.residual) <= kAttributionTolerance * scale;
}

}  // namespace crmkpi
