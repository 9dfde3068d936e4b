// Change over time (docs/kpis.md, "Change over time"): every KPI of a row grouped by period,
// beside the same KPI and group in the previous period, or the same period a year earlier —
// the value then, the change, the change in % and, for rates, in percentage points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crmkpi/results/report.h"

namespace crmkpi {

enum class CompareTo { kNone, kPrevious, kYearAgo };

// "previous" / "year-ago" (also "yoy"); Error(kUsage) otherwise.
CompareTo ParseCompareTo(std::string_view text);

// The day that places the reference period of the period [first, last] (days since
// 1970-01-01): kPrevious → first − 1, the last day of the period ending the day before;
// kYearAgo → the same first day a year earlier (a week, 7 days: 364 days earlier), the first
// day of the year-ago period. ComparePeriods and tree --baseline previous|year-ago use it.
std::int64_t ReferenceDayOf(std::int64_t first, std::int64_t last, CompareTo to);

// Adds KpiValue::compared to every KPI of every grouping with a "period" key. Periods are
// matched by their first and last days (Report::period_bounds): the previous period ends the
// day before this one starts; a year-ago period starts on the same day a year earlier (weeks:
// 52 weeks, 364 days, earlier). A reference period no row fell in has no label (NO_PERIOD);
// one where this group had no row gives NO_ROWS. Error(kUsage) when no grouping has periods.
void ComparePeriods(Report* report, CompareTo to);

}  // namespace crmkpi
