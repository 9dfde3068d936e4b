#include "crmkpi/analysis/forecast_error.h"

#include <cmath>

namespace crmkpi {
namespace {

// Neumaier's compensated sum: the running rounding error is kept in |comp| and added at the end.
class CompensatedSum {
 public:
  void Add(double x) {
    const double t = sum_ + x;
    comp_ += std::abs(sum_) >= std::abs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  double Value() const { return sum_ + comp_; }

 private:
  double sum_ = 0, comp_ = 0;
};

// mean_{t=m..H−1} |h_t − h_{t−m}|, or nullopt when it is undefined or 0.
std::optional<double> NaiveScale(const std::vector<double>& history, std::size_t m) {
  if (m == 0 || history.size() <= m) return std::nullopt;
  CompensatedSum sum;
  for (std::size_t t = m; t < history.size(); ++t) sum.Add(std::abs(history[t] - history[t - m]));
  const double scale = sum.Value() / static_cast<double>(history.size() - m);
  if (!std::isfinite(scale) || scale <= 0) return std::nullopt;
  return scale;
}

}  // namespace

ForecastErrors ComputeForecastErrors(const std::vector<ForecastPoint>& points,
                                     const std::vector<double>& history, std::size_t m) {
  ForecastErrors r;
  r.mase_history = history.size();
  CompensatedSum f_sum, a_sum, abs_a_sum, abs_e_sum, sq_e_sum, e_sum, ape_sum, sape_sum;
  for (const ForecastPoint& p : points) {
    if (!std::isfinite(p.forecast) || !std::isfinite(p.actual)) {
      ++r.invalid;
      continue;
    }
    ++r.n;
    const double e = p.forecast - p.actual;
    const double abs_e = std::abs(e), abs_a = std::abs(p.actual);
    f_sum.Add(p.forecast);
    a_sum.Add(p.actual);
    abs_a_sum.Add(abs_a);
    abs_e_sum.Add(abs_e);
    sq_e_sum.Add(e * e);
    e_sum.Add(e);
    if (p.actual != 0) {
      ++r.mape_n;
      ape_sum.Add(abs_e / abs_a);
    } else {
      ++r.mape_zero_actuals_excluded;
    }
    const double denom = abs_a + std::abs(p.forecast);
    if (denom != 0) sape_sum.Add(2 * abs_e / denom);  // A = F = 0 → term 0
  }
  r.sum_forecast = f_sum.Value();
  r.sum_actual = a_sum.Value();
  r.sum_abs_actual = abs_a_sum.Value();
  r.sum_abs_error = abs_e_sum.Value();
  r.sum_sq_error = sq_e_sum.Value();
  r.sum_error = e_sum.Value();
  if (r.n == 0) return r;

  const double n = static_cast<double>(r.n);
  if (r.sum_actual != 0) r.accuracy = 1 - std::abs(r.sum_error) / std::abs(r.sum_actual);
  if (r.sum_abs_actual != 0) {
    r.wape = r.sum_abs_error / r.sum_abs_actual;
    r.bias_percent = r.sum_error / r.sum_abs_actual;
  }
  if (r.mape_n > 0) r.mape = ape_sum.Value() / static_cast<double>(r.mape_n);
  r.smape = sape_sum.Value() / n;
  r.bias = r.sum_error / n;
  r.mae = r.sum_abs_error / n;
  r.rmse = std::sqrt(r.sum_sq_error / n);
  if (const auto scale = NaiveScale(history, m)) r.mase = *r.mae / *scale;
  return r;
}

}  // namespace crmkpi
