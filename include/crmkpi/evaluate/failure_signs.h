// Failure signs across periods (docs/kpis.md, "Failure signs"): what the first reviews after a
// CRM roll-out watch for, read from a definition's KPIs by period (the grouping by period alone
// of report -c / tree -c: metrics with a `period`, or --period):
//   input_up_results_flat         a leading KPI rising over the last kSignPeriods periods while
//                                 the process KPI it feeds stays flat (入力は増えたが成果が出ない)
//   forecast_error_not_improving  a forecast error (WAPE, MAPE, …; accuracy falling) no lower in
//                                 the last period than kSignPeriods − 1 periods before
//   handoff_unmeasured            several row sources (departments' exports) but no duration or
//                                 SLA metric: the handoffs between them are not in the numbers
//                                 (a property of the definition: a lint rule, kpi_lint.h)
// Each with its usual remedy.
#pragma once

#include <vector>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

// Periods a trend is read over: 4 values, so 3 rises.
inline constexpr std::size_t kSignPeriods = 4;
// "Flat": the process KPI moved by at most this share of its first value over those periods.
inline constexpr double kFlatShare = 0.05;

// The data's signs: input_up_results_flat and forecast_error_not_improving.
std::vector<FailureSign> FindFailureSigns(const KpiModel& model, const Report& report);

// handoff_unmeasured (no data needed): for lint.
std::vector<FailureSign> HandoffSign(const KpiModel& model);

}  // namespace crmkpi
