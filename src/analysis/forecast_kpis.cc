#include "crmkpi/analysis/forecast_kpis.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "crmkpi/values/amount.h"

namespace crmkpi {
namespace {

constexpr const char* kExclusionNames[kForecastExclusionCount] = {
    "no_actual", "no_forecast", "period_not_ended", "late_snapshot"};

// The printed labels: each says which metric it is (the same data gives five different
// "error %" answers; reference Part C).
struct KpiSpec {
  const char* id;
  const char* label;
  Unit unit;
};
constexpr KpiSpec kSpecs[] = {
    {"forecast_accuracy", "accuracy 1−|ΣF−ΣA|/|ΣA|", Unit::kRatio},
    {"wape", "WAPE Σ|F−A|/Σ|A|", Unit::kRatio},
    {"mape", "MAPE (A = 0 skipped)", Unit::kRatio},
    {"smape", "sMAPE (0–200 %)", Unit::kRatio},
    {"bias", "bias (mean F−A)", Unit::kAmount},
    {"bias_percent", "bias % Σ(F−A)/Σ|A|", Unit::kRatio},
    {"mae", "MAE", Unit::kAmount},
    {"rmse", "RMSE", Unit::kAmount},
    {"mase", "MASE (naive, m=1)", Unit::kNumber},
};
constexpr int kKpiCount = sizeof kSpecs / sizeof kSpecs[0];

double UnitsToDouble(Int128 units) {
  return static_cast<double>(units) / static_cast<double>(kAmountScale);
}

Int128 Abs(Int128 v) { return v < 0 ? -v : v; }

// |units| / n as money when the division is exact, else as a double.
Num MeanMoney(Int128 units, std::uint64_t n) {
  const auto d = static_cast<Int128>(n);
  if (units % d == 0) return Num::Money(units / d);
  return Num::Real(UnitsToDouble(units) / static_cast<double>(n));
}

KpiValue Blank(const KpiSpec& spec) {
  KpiValue v;
  v.id = spec.id;
  v.label = spec.label;
  v.unit = spec.unit;
  return v;
}

}  // namespace

NaiveScale ComputeNaiveScale(const std::vector<Int128>& history) {
  NaiveScale s;
  s.history = history.size();
  for (std::size_t t = 1; t < history.size(); ++t) {
    s.sum_abs_diff += Abs(history[t] - history[t - 1]);
    ++s.diffs;
  }
  return s;
}

void ForecastScope::Add(Int128 forecast, Int128 actual, const NaiveScale& scale) {
  points_.push_back({UnitsToDouble(forecast), UnitsToDouble(actual)});
  const Int128 e = forecast - actual;
  sum_f_ += forecast;
  sum_a_ += actual;
  sum_abs_a_ += Abs(actual);
  sum_e_ += e;
  sum_abs_e_ += Abs(e);
  const auto abs_e = static_cast<UInt128>(Abs(e));
  if (abs_e >> 63 != 0) {
    sq_overflow_ = true;
  } else {
    const UInt128 sq = abs_e * abs_e;
    if (sum_sq_e_ > std::numeric_limits<UInt128>::max() - sq) sq_overflow_ = true;
    sum_sq_e_ += sq;
  }
  if (scale.diffs == 0) {
    ++no_history_;
  } else if (scale.sum_abs_diff == 0) {
    ++zero_scale_;
  } else {
    // |e| / (Σ|Δh| / diffs), Neumaier-summed.
    const double q = static_cast<double>(Abs(e)) * static_cast<double>(scale.diffs) /
                     static_cast<double>(scale.sum_abs_diff);
    const double t = sum_scaled_ + q;
    scaled_comp_ += std::abs(sum_scaled_) >= std::abs(q) ? (sum_scaled_ - t) + q
                                                         : (q - t) + sum_scaled_;
    sum_scaled_ = t;
    ++scaled_n_;
  }
}

std::vector<KpiValue> ForecastScope::Kpis() const {
  const ForecastErrors fe = ComputeForecastErrors(points_);
  const std::uint64_t n = points_.size();
  std::vector<std::pair<std::string, std::uint64_t>> common;
  for (int i = 0; i < kForecastExclusionCount; ++i) {
    if (excluded_[i] != 0) common.emplace_back(kExclusionNames[i], excluded_[i]);
  }
  if (invalid_rows_ != 0) common.emplace_back("invalid_forecast_row", invalid_rows_);

  std::vector<KpiValue> out;
  out.reserve(kKpiCount);
  for (const KpiSpec& spec : kSpecs) {
    KpiValue v = Blank(spec);
    v.n = n;
    v.excluded = common;
    const std::string id = spec.id;
    const bool empty = n == 0;
    if (id == "forecast_accuracy") {
      // value = 1 − |numerator − denominator| / |denominator|, from the exact sums.
      v.numerator = Num::Money(sum_f_);
      v.denominator = Num::Money(sum_a_);
      if (!empty && sum_a_ != 0) {
        v.value = Num::Real(1.0 - static_cast<double>(Abs(sum_e_)) /
                                      static_cast<double>(Abs(sum_a_)));
      }
      if (!empty && sum_a_ == 0) v.reason = "ZERO_DENOMINATOR";
    } else if (id == "wape" || id == "bias_percent") {
      const Int128 num = id == "wape" ? sum_abs_e_ : sum_e_;
      v.numerator = Num::Money(num);
      v.denominator = Num::Money(sum_abs_a_);
      if (!empty && sum_abs_a_ != 0) {
        v.value = Num::Real(static_cast<double>(num) / static_cast<double>(sum_abs_a_));
      }
      if (!empty && sum_abs_a_ == 0) v.reason = "ZERO_DENOMINATOR";
    } else if (id == "mape") {
      v.n = fe.mape_n;
      if (fe.mape_zero_actuals_excluded != 0) {
        v.excluded.emplace_back("zero_actual", fe.mape_zero_actuals_excluded);
      }
      if (fe.mape) v.value = Num::Real(*fe.mape);
      if (!empty && !fe.mape) v.reason = "ZERO_DENOMINATOR";
    } else if (id == "smape") {
      if (fe.smape) v.value = Num::Real(*fe.smape);
    } else if (id == "bias" || id == "mae") {
      const Int128 num = id == "bias" ? sum_e_ : sum_abs_e_;
      v.numerator = Num::Money(num);
      v.denominator = Num::Count(n);
      if (!empty) v.value = MeanMoney(num, n);
    } else if (id == "rmse") {
      if (fe.rmse) {
        // Exact when sqrt(Σe²/n) is a whole number of units.
        const double units = std::round(*fe.rmse * static_cast<double>(kAmountScale));
        v.value = Num::Real(*fe.rmse);
        if (!sq_overflow_ && units >= 0 && units < 1e18) {
          const auto u = static_cast<UInt128>(units);
          const UInt128 uu = u * u;
          if (uu <= std::numeric_limits<UInt128>::max() / n && uu * n == sum_sq_e_) {
            v.value = Num::Money(static_cast<Int128>(u));
          }
        }
      }
    } else if (id == "mase") {
      v.n = scaled_n_;
      if (no_history_ != 0) v.excluded.emplace_back("no_history", no_history_);
      if (zero_scale_ != 0) v.excluded.emplace_back("zero_scale", zero_scale_);
      const double sum = sum_scaled_ + scaled_comp_;
      v.numerator = Num::Real(sum);
      v.denominator = Num::Count(scaled_n_);
      if (scaled_n_ != 0) v.value = Num::Real(sum / static_cast<double>(scaled_n_));
      if (!empty && scaled_n_ == 0) v.reason = zero_scale_ != 0 ? "ZERO_DENOMINATOR" : "NO_HISTORY";
    }
    if (empty) v.reason = "EMPTY";
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<KpiValue> MixedCategoryKpis() {
  std::vector<KpiValue> out;
  for (const KpiSpec& spec : kSpecs) {
    KpiValue v = Blank(spec);
    v.reason = "MIXED_CATEGORIES";
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace crmkpi
