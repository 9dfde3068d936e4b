// Internal: the Report of `crmkpi roi` — the figures as KPIs (JSON ids roi_percent,
// gain_cost_ratio, net_gain, pv_costs, pv_benefits, npv, undiscounted_net, payback_months,
// discounted_payback_months, breakeven_revenue, breakeven_deals) and the lists periods (the
// cash-flow table), terms (each term of each formula), measured (the KPI values before and
// after) and settings (every input and assumption, with where it came from).
#pragma once

#include <string>

#include "crmkpi/definition/roi_settings.h"
#include "crmkpi/results/report.h"
#include "crmkpi/write/report_writer.h"
#include "roi_run.h"

namespace crmkpi {

Report BuildRoiReport(const RoiSettings& settings, const RoiEvaluation& evaluation);

// WriteReport, with a heading that says what the figures come from when no export was read
// (the generic heading would read "crmkpi roi:  · 0 rows").
std::string WriteRoiReport(const Report& report, const RoiSettings& settings, Format format);

}  // namespace crmkpi
