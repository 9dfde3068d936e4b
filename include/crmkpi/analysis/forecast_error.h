// Forecast error metrics over pairs (forecast F, actual A) of one series (rep / segment / month
// as configured). Pure math, no I/O.
//
// Definitions (docs/kpis.md is written from these). Over the n valid points i = 1..n, with the
// error e_i = F_i − A_i (positive = over-forecast):
// - accuracy     = 1 − |ΣF − ΣA| / |ΣA|  ("APE_total", the headline forecast accuracy). ΣA = 0 →
//                  nullopt (ZERO_DENOMINATOR). May be negative; never clipped. Computed as
//                  1 − |Σe| / |ΣA| (the same number, without the cancellation of ΣF − ΣA).
// - wape         = Σ|e| / Σ|A|. Σ|A| = 0 → nullopt (ZERO_DENOMINATOR).
// - mape         = (1/mape_n) Σ_{A_i ≠ 0} |e_i| / |A_i|. Points with A = 0 are left out and
//                  counted in mape_zero_actuals_excluded; mape_n = n − that count. All A = 0 →
//                  nullopt (ZERO_DENOMINATOR).
// - smape        = (1/n) Σ 2|e_i| / (|A_i| + |F_i|), with the term 0 when A_i = F_i = 0 (the only
//                  case where its denominator is 0). M4 / sktime scale: 0..2, printed ×100 as
//                  0–200 %.
// - bias         = Σe / n.
// - bias_percent = Σe / Σ|A|, a fraction (printed ×100). Σ|A| = 0 → nullopt.
// - mae          = Σ|e| / n.      rmse = sqrt(Σe² / n).
// - mase         = mae / scale, scale = (1/(H − m)) Σ_{t=m}^{H−1} |h_t − h_{t−m}| over the H
//                  history actuals h_0..h_{H−1} before the evaluated window (in time order) and
//                  seasonal lag m (default 1). nullopt when H < m + 1, when m = 0, when the scale
//                  is 0 (a constant / perfectly seasonal history) or not finite (ZERO_DENOMINATOR
//                  for scale 0; "insufficient history" otherwise). mase_history = H, the history
//                  points supplied (the scale averages H − m differences).
// - n = 0 (no points, or none valid) → every optional is nullopt (EMPTY) and every sum is 0.
// - Invalid points: a point whose F or A is NaN or infinite is skipped and counted in |invalid|;
//   it is in no sum and not in n. History values are not filtered (dropping one would shift the
//   lags); a non-finite history value makes the scale non-finite and so mase nullopt.
// - Sums use compensated (Neumaier) summation, so they are exact for integer-valued data of
//   moderate size and otherwise accurate to about one rounding, independent of point order.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace crmkpi {

struct ForecastPoint {
  double forecast = 0;
  double actual = 0;
};

struct ForecastErrors {
  std::size_t n = 0;        // valid points
  std::size_t invalid = 0;  // skipped: forecast or actual NaN / infinite
  // Over the n valid points; error = F − A.
  double sum_forecast = 0, sum_actual = 0, sum_abs_actual = 0, sum_abs_error = 0,
         sum_sq_error = 0, sum_error = 0;
  std::optional<double> accuracy;  // 1 − |ΣF − ΣA| / |ΣA|; ΣA = 0 → nullopt; may be negative
  std::optional<double> wape;      // Σ|F−A| / Σ|A|
  std::optional<double> mape;      // mean over A ≠ 0 of |F−A|/|A|; all A = 0 → nullopt
  std::size_t mape_n = 0, mape_zero_actuals_excluded = 0;
  std::optional<double> smape;         // (1/n) Σ 2|F−A|/(|A|+|F|), term 0 when A = F = 0; 0..2
  std::optional<double> bias;          // Σ(F−A)/n
  std::optional<double> bias_percent;  // Σ(F−A)/Σ|A| (a fraction)
  std::optional<double> mae, rmse;
  std::optional<double> mase;  // MAE / mean_{t>=m}|h_t − h_{t−m}|; see the header comment
  std::size_t mase_history = 0;
};

// |history|: actuals before the evaluated window, in time order (for MASE); |m| the seasonal lag.
ForecastErrors ComputeForecastErrors(const std::vector<ForecastPoint>& points,
                                     const std::vector<double>& history = {}, std::size_t m = 1);

}  // namespace crmkpi
