// Internal: the HTML dashboard of a Report (report, report -c, dwell, forecast, roi): KPI cards,
// the total table, achievement bars, trend lines with the target line, per-group tables and
// charts, the funnel and dwell per stage, forecast vs actual, the ROI cash flow, lists, signs
// and warnings. Each number carries data-json (its JSON Pointer in the JSON of the same run,
// under |prefix|) and data-value.
#pragma once

#include <string>

#include "crmkpi/results/report.h"

namespace crmkpi::html {

// The KPI cards of the report's total row.
std::string KpiCards(const Report& report, const std::string& prefix);

// Every section of the report's dashboard (without the page shell).
std::string ReportBody(const Report& report, const std::string& prefix);

// The complete page of `-f html`.
std::string ReportPage(const Report& report);

// "ja" when the run's labels are Japanese (--lang ja), else "en".
std::string ReportLang(const Report& report);

}  // namespace crmkpi::html
