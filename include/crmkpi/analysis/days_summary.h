// Durations in days as KPIs: the median, mean and p90 of a set of durations, and a
// Kaplan–Meier median from survival observations. Used by dwell (time in each stage); the
// sales cycle of the deals report is the same statistics by the metric engine (metric_cells).
#pragma once

#include <vector>

#include "crmkpi/base/survival.h"
#include "crmkpi/base/value_counts.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

// Sets a Kaplan–Meier median KPI from |obs| (survival.h): n, censored, and the value, or n/a
// EMPTY (no observation) / ALL_CENSORED (survival never reaches 0.5).
void SetKaplanMeierMedian(std::vector<SurvivalObs> obs, KpiValue* v);

// Appends the median, mean and p90 (type 7; an even-n median is the mean of the middles) of
// |seconds| in days as three KPIs with ids |ids| (n, and numerator/denominator for the mean;
// n/a EMPTY when there are none).
void AppendDaysSummary(const ValueCounts& seconds, const char* const (&ids)[3],
                       std::vector<KpiValue>* out);

}  // namespace crmkpi
