#include "crmkpi/evaluate/period_compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {
namespace {


// The reference period's label of |label|, or "" when no row fell in it.
std::string ReferenceOf(const Report& report, const std::string& label, CompareTo to,
                        const std::map<std::int64_t, std::string>& by_first,
                        const std::map<std::int64_t, std::string>& by_last) {
  const auto bounds = report.period_bounds.find(label);
  if (bounds == report.period_bounds.end()) return {};
  const std::optional<std::int64_t> first = ParseDayText(bounds->second.first);
  const std::optional<std::int64_t> last = ParseDayText(bounds->second.second);
  if (!first || !last) return {};
  const std::int64_t day = ReferenceDayOf(*first, *last, to);
  const auto& index = to == CompareTo::kPrevious ? by_last : by_first;
  const auto it = index.find(day);
  return it == index.end() ? std::string() : it->second;
}

void Compare(const KpiValue* then, const std::string& period, KpiValue* now) {
  KpiValue::Comparison c;
  c.period = period;
  if (period.empty()) {
    c.reason = "NO_PERIOD";
  } else if (then == nullptr) {
    c.reason = "NO_ROWS";
  } else if (!then->value) {
    c.reason = then->reason.empty() ? "EMPTY" : then->reason;
  } else {
    c.value = then->value;
    if (now->value) {
      const double a = now->value->ToDouble(), b = then->value->ToDouble();
      c.change = a - b;
      if (b != 0) c.percent = (a - b) / std::fabs(b);
      if (now->unit == Unit::kRatio) c.points = (a - b) * 100.0;
    }
  }
  now->compared = std::move(c);
}

}  // namespace

std::int64_t ReferenceDayOf(std::int64_t first, std::int64_t last, CompareTo to) {
  if (to == CompareTo::kPrevious) return first - 1;
  if (last - first == 6) return first - 364;  // a week: 52 weeks earlier, the same weekday
  const date::year_month_day ymd{date::sys_days{date::days{first}}};
  return date::sys_days{(ymd.year() - date::years{1}) / ymd.month() / ymd.day()}
      .time_since_epoch()
      .count();
}

CompareTo ParseCompareTo(std::string_view text) {
  if (text == "previous") return CompareTo::kPrevious;
  if (text == "year-ago" || text == "yoy") return CompareTo::kYearAgo;
  throw Error::Usage(fmt::format(
      "--compare: expected previous (the period before) or year-ago (the same period a year "
      "earlier), got '{}'",
      text));
}

void ComparePeriods(Report* report, CompareTo to) {
  if (to == CompareTo::kNone) return;
  std::map<std::int64_t, std::string> by_first, by_last;
  for (const auto& [label, days] : report->period_bounds) {
    if (const auto f = ParseDayText(days.first)) by_first[*f] = label;
    if (const auto l = ParseDayText(days.second)) by_last[*l] = label;
  }
  bool any = false;
  for (Grouping& g : report->groupings) {
    const auto key = std::find(g.keys.begin(), g.keys.end(), "period");
    if (key == g.keys.end()) continue;
    any = true;
    const auto at = static_cast<std::size_t>(key - g.keys.begin());
    // The rows by their values, to find a group's row in another period.
    std::map<std::vector<std::string>, const GroupRow*> rows;
    for (const GroupRow& r : g.rows) rows[r.values] = &r;
    for (GroupRow& r : g.rows) {
      const std::string& label = r.values[at];
      const std::string ref = label.empty() ? std::string()
                                            : ReferenceOf(*report, label, to, by_first, by_last);
      std::vector<std::string> then_values = r.values;
      then_values[at] = ref;
      const auto then = ref.empty() ? rows.end() : rows.find(then_values);
      for (KpiValue& v : r.kpis) {
        const KpiValue* before = nullptr;
        if (then != rows.end()) {
          for (const KpiValue& x : then->second->kpis) {
            if (x.id == v.id) before = &x;
          }
        }
        if (label.empty()) continue;  // rows without a date have no period to compare
        Compare(before, ref, &v);
      }
    }
  }
  if (!any) {
    throw Error::Usage("--compare compares periods: add --period (week, month, quarter, half, "
                       "year), or give the definition's metrics a period");
  }
  report->compare = to == CompareTo::kPrevious ? "previous" : "year-ago";
}

}  // namespace crmkpi
