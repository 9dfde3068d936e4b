#include "crmkpi/analysis/days_summary.h"

#include <utility>

namespace crmkpi {
namespace {

constexpr long double kSecondsPerDayL = 86400.0L;

// Type-7 quantile of durations, in days (the median of an even count is the mean of the two
// middle values): interpolated in seconds in extended precision and rounded to a double once,
// as the metric engine does (metric_cells.cc), so the two print the same digits.
double DaysQuantile(const ValueCounts& seconds, double p) {
  return static_cast<double>(seconds.Interpolated(p) / kSecondsPerDayL);
}

}  // namespace

void AppendDaysSummary(const ValueCounts& seconds, const char* const (&ids)[3],
                       std::vector<KpiValue>* out) {
  const std::uint64_t n = seconds.size();
  const Int128 total = seconds.sum();
  for (int k = 0; k < 3; ++k) {
    KpiValue v;
    v.id = ids[k];
    v.unit = Unit::kDays;
    v.n = n;
    if (k == 1) {
      v.numerator = Num::Real(static_cast<double>(static_cast<long double>(total) / kSecondsPerDayL));
      v.denominator = Num::Count(n);
    }
    if (n == 0) {
      v.reason = "EMPTY";
    } else if (k == 0) {
      v.value = Num::Real(DaysQuantile(seconds, 0.5));
    } else if (k == 1) {
      v.value = Num::Real(static_cast<double>(static_cast<long double>(total) /
                                              static_cast<long double>(n) / kSecondsPerDayL));
    } else {
      v.value = Num::Real(DaysQuantile(seconds, 0.9));
    }
    out->push_back(std::move(v));
  }
}

void SetKaplanMeierMedian(std::vector<SurvivalObs> obs, KpiValue* v) {
  const KaplanMeier km = EstimateKaplanMeier(std::move(obs));
  v->n = km.n;
  v->censored = km.censored;
  if (km.n == 0) {
    v->reason = "EMPTY";
  } else if (!km.median) {
    v->reason = "ALL_CENSORED";
  } else {
    v->value = Num::Real(*km.median);
  }
}

}  // namespace crmkpi
