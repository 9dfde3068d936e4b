// A Report as sheets (-f xlsx of report, dwell, forecast, roi; sheet.h).
#pragma once

#include "crmkpi/results/report.h"
#include "crmkpi/write/sheet.h"

namespace crmkpi {

// The settings every report-like command shows in its heading: inputs, as-of, currencies,
// comparison, targets, view, fiscal calendar.
void AddReportSettings(const Report& report, Workbook* book);

// The sheets of a Report: Total (one row per KPI, n/a reason beside the value), Trend, one per
// grouping (wide, as the text table), Targets, failure signs, then one per list (stuck deals,
// forecast rows, cash flow, ...).
Workbook ReportWorkbook(const Report& report);

}  // namespace crmkpi
