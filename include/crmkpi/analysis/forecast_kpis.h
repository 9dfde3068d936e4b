// Forecast-error KPIs of one scope (the total, one --by series, one period, one category or one
// horizon): the points (F, A) it holds, kept exactly, and the points it left out by reason →
// the nine KpiValues `crmkpi forecast` prints (ids and definitions: forecast_report.h and
// docs/kpis.md). The per-point means (MAPE, sMAPE, RMSE) come from ComputeForecastErrors
// (forecast_error.h); the ratios of sums and the money figures from exact fixed-point sums.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crmkpi/analysis/forecast_error.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

// Why a point is not in a scope's metrics (counted in each KPI's `excluded`).
enum class ForecastExclusion : int {
  kNoActual,        // forecast only: the group is not in the deals file / no actual cell
  kNoForecast,      // actual only: won revenue (or an actual cell) and no forecast
  kPeriodNotEnded,  // the period had not ended at as-of, so its actual is incomplete
  kLateSnapshot,    // every snapshot of the key was taken after its period ended
};
inline constexpr int kForecastExclusionCount = 4;

// The MASE scale of a series: mean |h_t − h_{t−1}| over its history actuals h (in units of
// 1/10,000, exact). |diffs| = history points − 1; a scale exists when diffs ≥ 1 and the sum > 0.
struct NaiveScale {
  std::uint64_t history = 0;  // history points
  Int128 sum_abs_diff = 0;    // Σ|h_t − h_{t−1}|, units
  std::uint64_t diffs = 0;    // history − 1 (0 when history is 0)
};
NaiveScale ComputeNaiveScale(const std::vector<Int128>& history);

class ForecastScope {
 public:
  // Adds a point: forecast and actual in units of 1/10,000, and the scale of its series.
  void Add(Int128 forecast, Int128 actual, const NaiveScale& scale);
  void Exclude(ForecastExclusion why) { ++excluded_[static_cast<int>(why)]; }
  // Rows of the forecast file left out for an invalid value (only the total counts them).
  void AddInvalidRows(std::uint64_t rows) { invalid_rows_ += rows; }

  std::uint64_t n() const { return points_.size(); }

  // The nine KPIs, in the order forecast_accuracy, wape, mape, smape, bias, bias_percent, mae,
  // rmse, mase.
  std::vector<KpiValue> Kpis() const;

 private:
  std::vector<ForecastPoint> points_;  // as doubles, for ComputeForecastErrors
  Int128 sum_f_ = 0, sum_a_ = 0, sum_abs_a_ = 0, sum_e_ = 0, sum_abs_e_ = 0;
  UInt128 sum_sq_e_ = 0;  // units², exact unless it overflowed
  bool sq_overflow_ = false;
  // MASE: Σ |e| / scale over the points whose series has a scale.
  double sum_scaled_ = 0, scaled_comp_ = 0;
  std::uint64_t scaled_n_ = 0, no_history_ = 0, zero_scale_ = 0;
  std::uint64_t excluded_[kForecastExclusionCount] = {};
  std::uint64_t invalid_rows_ = 0;
};

// The nine KPIs as n/a with reason MIXED_CATEGORIES (the total when the forecast file holds
// more than one forecast category).
std::vector<KpiValue> MixedCategoryKpis();

}  // namespace crmkpi
