// The last N periods as a series (docs/kpis.md, "Trend"): `report --trend N` keeps, in every
// grouping by period, the N latest periods that started on or before the as-of, and gives the
// total grouping by period as one series per KPI with its target line.
#pragma once

#include <cstddef>

#include "crmkpi/results/report.h"

namespace crmkpi {

// Filters |report|'s period groupings to the |n| consecutive periods ending with the one that
// holds the as-of (else the latest with rows), in Report::calendar — a period no row fell in is
// in the series as n/a — and sets Report::trend from the grouping by period alone.
// Error(kUsage) when n is 0 or no grouping has periods.
void KeepTrend(Report* report, std::size_t n);

}  // namespace crmkpi
