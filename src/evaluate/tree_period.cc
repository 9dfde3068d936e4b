#include "crmkpi/evaluate/tree_period.h"

#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {
namespace {

const std::vector<std::string> kByPeriod{"period"};

std::string_view PeriodName(Period p) {
  switch (p) {
    case Period::kWeek:
      return "week";
    case Period::kMonth:
      return "month";
    case Period::kQuarter:
      return "quarter";
    case Period::kHalf:
      return "half";
    case Period::kYear:
      return "year";
    case Period::kNone:
      break;
  }
  return "none";
}

TreePeriod PeriodOf(Period kind, const Calendar& cal, std::int64_t code) {
  TreePeriod p;
  p.label = PeriodLabelOf(kind, cal, code);
  p.first_day = DayText(PeriodFirstDayOf(kind, cal, code));
  p.last_day = DayText(PeriodLastDayOf(kind, cal, code));
  return p;
}

// The local day of the as-of: YYYY-MM-DD as --as-of and as_of = data print it, or any date the
// definition's as_of may be written as (2025/05/20), in the definition's zone.
std::optional<std::int64_t> AsOfDay(const std::string& as_of, const std::string& tz) {
  if (as_of.empty()) return std::nullopt;
  if (const std::optional<std::int64_t> day = ParseDayText(as_of)) return day;
  const DateParser parser({}, tz);
  Seconds t = 0;
  if (parser.Parse(as_of, &t) != ParseStatus::kOk) return std::nullopt;
  return ParseDayText(FormatDate(parser.LocalDate(t)));
}

}  // namespace

Period MetricsPeriod(const KpiModel& model) {
  Period kind = Period::kNone;
  for (const MetricDef& m : model.metrics) {
    if (m.aggregation == Aggregation::kFigure || m.period == Period::kNone) continue;
    if (kind != Period::kNone && m.period != kind) {
      throw Error::Usage(fmt::format(
          "the metrics of {} have periods of two kinds ({}, {}): one tree compares periods of "
          "one kind; give --period week|month|quarter|half|year",
          model.name, PeriodName(kind), PeriodName(m.period)));
    }
    kind = m.period;
  }
  return kind;
}

void GroupMetricsByPeriod(Period kind, KpiModel* model) {
  std::size_t changed = 0;
  for (MetricDef& m : model->metrics) {
    if (m.aggregation == Aggregation::kFigure) continue;
    m.by.clear();
    m.by_as.clear();
    m.period = kind;
    ++changed;
  }
  if (changed == 0) {
    throw Error::Usage(fmt::format(
        "--period: {} has no metric that can be grouped (the figures of stage_history and "
        "forecast sources are totals)",
        model->name));
  }
}

ValueMap PeriodValues(const KpiModel& model, const KpiEvaluation& ev, const std::string& label,
                      bool* has_rows) {
  const auto grouping = ev.group_values.find(kByPeriod);
  if (grouping != ev.group_values.end()) {
    const auto group = grouping->second.find({label});
    if (group != grouping->second.end()) {
      *has_rows = true;
      return group->second;
    }
  }
  // No row fell in the period: its values are unknown, not 0 (a count would be 0, a rate
  // undefined; crmkpi does not guess, as report --compare's NO_ROWS).
  *has_rows = false;
  ValueMap out;
  for (const MetricDef& m : model.metrics) out[m.id] = Value::Na("NO_ROWS");
  for (const KpiDef& k : model.kpis) out[k.id] = Value::Na("NO_ROWS");
  for (const ConstantDef& c : model.constants) out[c.id] = Value::Number(c.value);
  return out;
}

TreePeriodValues PickTreePeriods(const KpiModel& model, const KpiEvaluation& ev, Period kind,
                                 CompareTo to) {
  const Report& report = ev.report;
  const Calendar& cal = report.calendar;
  if (ev.group_values.count(kByPeriod) == 0) {
    throw Error::Usage(fmt::format("{}: no KPI is grouped by period (its metrics have no "
                                   "period): give --period week|month|quarter|half|year",
                                   model.name));
  }
  // The as-of's day; without one, the first day of the latest period with rows.
  std::optional<std::int64_t> day = AsOfDay(report.as_of, model.tz);
  if (!day) {
    for (const auto& [group, values] : ev.group_values.at(kByPeriod)) {
      const auto bounds = report.period_bounds.find(group.front());
      if (bounds == report.period_bounds.end()) continue;  // rows without a date
      const std::optional<std::int64_t> first = ParseDayText(bounds->second.first);
      if (first && (!day || *first > *day)) day = first;
    }
  }
  if (!day) {
    throw Error::Usage(fmt::format(
        "{}: no row has a date that places it in a period, and there is no as-of: give "
        "--as-of DATE to pick the period",
        model.name));
  }
  TreePeriodValues out;
  const std::int64_t code = PeriodCodeOf(kind, cal, *day);
  out.actual = PeriodOf(kind, cal, code);
  out.actual_values = PeriodValues(model, ev, out.actual.label, &out.actual.has_rows);
  if (to != CompareTo::kNone) {
    const std::int64_t first = PeriodFirstDayOf(kind, cal, code);
    const std::int64_t last = PeriodLastDayOf(kind, cal, code);
    const std::int64_t ref_day = ReferenceDayOf(first, last, to);
    out.reference = PeriodOf(kind, cal, PeriodCodeOf(kind, cal, ref_day));
    out.reference_values = PeriodValues(model, ev, out.reference->label, &out.reference->has_rows);
  }
  return out;
}

}  // namespace crmkpi
