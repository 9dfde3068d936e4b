// The deal KPIs (docs/kpis.md) computed from one group's DealStats.
#pragma once

#include <vector>

#include "crmkpi/analysis/deal_stats.h"
#include "crmkpi/base/survival.h"
#include "crmkpi/base/value_counts.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

// Which inputs the KPIs could draw on; a KPI whose column is absent is n/a (MISSING_COLUMN).
struct KpiContext {
  bool has_amount = false;
  bool has_dates = false;   // both created and closed
  bool has_funnel = false;  // --stages and --opportunity-stage given
  Seconds as_of = 0;        // open deals are censored here (the all-deals KM cycle)
};

// Ids in output order: deals, won, lost, open, win_rate, [lead_to_opportunity_rate], revenue,
// avg_deal_size, pipeline_amount, sales_cycle_days_median, sales_cycle_days_mean,
// sales_cycle_days_p90, sales_cycle_days_km_median (Kaplan–Meier over all deals: closed ones are
// events, open ones censored at as-of; n and censored count; an open deal created after as-of is
// excluded as created_after_as_of; n/a ALL_CENSORED when survival never reaches 50 %). |stats|'s cycle vector is reordered (quantiles are selected in place).
std::vector<KpiValue> ComputeDealKpis(DealStats& stats, const KpiContext& context);

// Sets a Kaplan–Meier median KPI from |obs| (survival.h): n, censored, and the value, or n/a
// EMPTY (no observation) / ALL_CENSORED (survival never reaches 0.5). Shared by the deals report
// and dwell.
void SetKaplanMeierMedian(std::vector<SurvivalObs> obs, KpiValue* v);

// Appends the median, mean and p90 (type 7; an even-n median is the mean of the middles) of
// |seconds| in days as three KPIs with ids |ids| (n, and numerator/denominator for the mean;
// n/a EMPTY when there are none). Shared by the sales cycle and dwell.
void AppendDaysSummary(const ValueCounts& seconds, const char* const (&ids)[3],
                       std::vector<KpiValue>* out);

}  // namespace crmkpi
