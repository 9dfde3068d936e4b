#include "crmkpi/evaluate/period_trend.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {

namespace {


// The kind of the report's periods, from their length in days.
Period KindOf(std::int64_t days) {
  if (days == 7) return Period::kWeek;
  if (days <= 31) return Period::kMonth;
  if (days <= 92) return Period::kQuarter;
  if (days <= 184) return Period::kHalf;
  return Period::kYear;
}

}  // namespace

void KeepTrend(Report* report, std::size_t n) {
  if (n == 0) throw Error::Usage("--trend: expected a number of periods, 1 or more");
  // The N consecutive periods ending with the one that holds the as-of (else the latest with
  // rows), in the report's calendar — also those in which no row fell.
  std::vector<std::string> order;  // oldest first
  std::optional<std::int64_t> end = ParseDayText(report->as_of);
  std::optional<Period> kind;
  for (const auto& [label, days] : report->period_bounds) {
    const std::optional<std::int64_t> first = ParseDayText(days.first);
    const std::optional<std::int64_t> last = ParseDayText(days.second);
    if (!first || !last) continue;
    kind = KindOf(*last - *first + 1);
    if (report->as_of.empty() && (!end || *first > *end)) end = first;
  }
  if (kind && end) {
    const Calendar& cal = report->calendar;
    const std::int64_t step = *kind == Period::kWeek ? 7 : 1;  // week codes are first days
    const std::int64_t last_code = PeriodCodeOf(*kind, cal, *end);
    for (std::size_t i = n; i-- > 0;) {
      const std::int64_t code = last_code - static_cast<std::int64_t>(i) * step;
      const std::string label = PeriodLabelOf(*kind, cal, code);
      report->period_bounds.try_emplace(label, DayText(PeriodFirstDayOf(*kind, cal, code)),
                                        DayText(PeriodLastDayOf(*kind, cal, code)));
      order.push_back(label);
    }
  }
  const std::set<std::string> kept(order.begin(), order.end());
  bool any = false;
  const Grouping* by_period = nullptr;
  for (Grouping& g : report->groupings) {
    const auto key = std::find(g.keys.begin(), g.keys.end(), "period");
    if (key == g.keys.end()) continue;
    any = true;
    const auto at = static_cast<std::size_t>(key - g.keys.begin());
    std::erase_if(g.rows, [&](const GroupRow& r) { return kept.count(r.values[at]) == 0; });
    if (g.keys.size() == 1) by_period = &g;
  }
  if (!any) {
    throw Error::Usage("--trend lists periods: add --period (week, month, quarter, half, year), "
                       "or give the definition's metrics a period");
  }
  Trend trend;
  trend.periods = order;
  if (by_period != nullptr) {
    // One series per KPI of the grouping by period, in the total's order.
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < order.size(); ++i) column[order[i]] = i;
    std::map<std::string, std::size_t> series_of;
    for (const GroupRow& r : by_period->rows) {
      for (const KpiValue& v : r.kpis) {
        auto [it, inserted] = series_of.try_emplace(v.id, trend.series.size());
        if (inserted) {
          Trend::Series s;
          s.id = v.id;
          s.label = v.label;
          s.unit = v.unit;
          s.currency = v.currency;
          s.target = v.target;
          s.values.resize(order.size());
          trend.series.push_back(std::move(s));
        }
        trend.series[it->second].values[column[r.values[0]]] = v.value;
      }
    }
  }
  report->trend = std::move(trend);
}

}  // namespace crmkpi
