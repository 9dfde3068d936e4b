// The tree of one period (evaluate/tree_period.h): which period holds the as-of, which is its
// reference (previous / a year earlier, as report --compare matches them), and n/a, never 0, for
// a period no row fell in.
#include "crmkpi/evaluate/tree_period.h"

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/ini_file.h"

using namespace crmkpi;

namespace {

const char* kIni = R"(
[source deals]
file = deals.csv
[metric won]
source = deals
where = stage is won
[constant price]
value = 3
[kpi sales]
formula = won * price
)";

ValueMap Values(double won) {
  return {{"won", Value::Number(won)}, {"price", Value::Number(3)}, {"sales", Value::Number(won * 3)}};
}

// An evaluation grouped by month with rows in 2024-05, 2025-03, 2025-04 and 2025-05.
KpiEvaluation Monthly(const std::string& as_of) {
  KpiEvaluation ev;
  ev.report.as_of = as_of;
  auto& months = ev.group_values[{"period"}];
  for (const auto& [label, first, last, won] :
       std::vector<std::tuple<std::string, std::string, std::string, double>>{
           {"2024-05", "2024-05-01", "2024-05-31", 1},
           {"2025-03", "2025-03-01", "2025-03-31", 2},
           {"2025-04", "2025-04-01", "2025-04-30", 3},
           {"2025-05", "2025-05-01", "2025-05-31", 4}}) {
    months[{label}] = Values(won);
    ev.report.period_bounds[label] = {first, last};
  }
  months[{""}] = Values(9);  // rows without a date: in no period
  return ev;
}

}  // namespace

TEST_CASE("the as-of's month against the previous month and the month a year earlier",
          "[tree_period]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(kIni, "p.ini"));
  // An as-of printed in full (as_of = data) is read by its day.
  const KpiEvaluation ev = Monthly("2025-05-25T10:00:00+09:00");
  const TreePeriodValues prev = PickTreePeriods(m, ev, Period::kMonth, CompareTo::kPrevious);
  CHECK(prev.actual.label == "2025-05");
  CHECK(prev.actual.first_day == "2025-05-01");
  CHECK(prev.actual.last_day == "2025-05-31");
  CHECK(prev.actual.has_rows);
  CHECK(*prev.actual_values.at("won").v == 4);
  REQUIRE(prev.reference.has_value());
  CHECK(prev.reference->label == "2025-04");
  CHECK(prev.reference->first_day == "2025-04-01");
  CHECK(prev.reference->last_day == "2025-04-30");
  CHECK(*prev.reference_values.at("sales").v == 9);
  const TreePeriodValues yoy = PickTreePeriods(m, ev, Period::kMonth, CompareTo::kYearAgo);
  CHECK(yoy.reference->label == "2024-05");
  CHECK(*yoy.reference_values.at("won").v == 1);
  // Against the targets: no reference period.
  CHECK_FALSE(PickTreePeriods(m, ev, Period::kMonth, CompareTo::kNone).reference.has_value());
}

TEST_CASE("a period without rows is n/a (NO_ROWS), not 0", "[tree_period]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(kIni, "p.ini"));
  // 2025-03's previous month, 2025-02, and a year earlier, 2024-03: no rows.
  const KpiEvaluation ev = Monthly("2025-03-10");
  for (CompareTo to : {CompareTo::kPrevious, CompareTo::kYearAgo}) {
    const TreePeriodValues p = PickTreePeriods(m, ev, Period::kMonth, to);
    CHECK(p.actual.label == "2025-03");
    CHECK(p.actual.has_rows);
    REQUIRE(p.reference.has_value());
    CHECK_FALSE(p.reference->has_rows);
    CHECK(p.reference->label == (to == CompareTo::kPrevious ? "2025-02" : "2024-03"));
    CHECK_FALSE(p.reference_values.at("won").v.has_value());
    CHECK(p.reference_values.at("won").reason == "NO_ROWS");
    CHECK(p.reference_values.at("sales").reason == "NO_ROWS");
    CHECK(*p.reference_values.at("price").v == 3);  // a constant does not need rows
  }
  // The as-of's own period can be empty too.
  const TreePeriodValues later = PickTreePeriods(m, Monthly("2025-07-01"), Period::kMonth,
                                                 CompareTo::kPrevious);
  CHECK(later.actual.label == "2025-07");
  CHECK_FALSE(later.actual.has_rows);
  CHECK(later.reference->label == "2025-06");
}

TEST_CASE("an as-of written as the definition may write it", "[tree_period]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(kIni, "p.ini"));
  // [crmkpi] as_of = 2025/04/20 reaches the report as written.
  CHECK(PickTreePeriods(m, Monthly("2025/04/20"), Period::kMonth, CompareTo::kPrevious)
            .actual.label == "2025-04");
}

TEST_CASE("without an as-of, the latest period with rows", "[tree_period]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(kIni, "p.ini"));
  const TreePeriodValues p = PickTreePeriods(m, Monthly(""), Period::kMonth, CompareTo::kPrevious);
  CHECK(p.actual.label == "2025-05");
  CHECK(p.reference->label == "2025-04");
  // Neither an as-of nor a dated row: nothing says which period; the user must.
  KpiEvaluation undated;
  undated.group_values[{"period"}][{""}] = Values(1);
  CHECK_THROWS_AS(PickTreePeriods(m, undated, Period::kMonth, CompareTo::kPrevious), Error);
  // Not grouped by period at all.
  CHECK_THROWS_AS(PickTreePeriods(m, KpiEvaluation{}, Period::kMonth, CompareTo::kNone), Error);
}

TEST_CASE("fiscal quarters and weeks follow the calendar", "[tree_period]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(kIni, "p.ini"));
  KpiEvaluation ev = Monthly("2025-05-25");
  ev.report.calendar.fiscal_year_start = 4;
  const TreePeriodValues q = PickTreePeriods(m, ev, Period::kQuarter, CompareTo::kPrevious);
  CHECK(q.actual.label == "FY2025 Q1");
  CHECK(q.actual.first_day == "2025-04-01");
  CHECK(q.actual.last_day == "2025-06-30");
  CHECK(q.reference->label == "FY2024 Q4");
  CHECK(q.reference->first_day == "2025-01-01");
  CHECK(q.reference->last_day == "2025-03-31");
  CHECK(PickTreePeriods(m, ev, Period::kQuarter, CompareTo::kYearAgo).reference->label ==
        "FY2024 Q1");
  // A week a year earlier is 52 weeks (364 days) earlier: the same weekday.
  const TreePeriodValues w = PickTreePeriods(m, ev, Period::kWeek, CompareTo::kYearAgo);
  CHECK(w.actual.first_day == "2025-05-19");  // a Monday
  CHECK(w.reference->first_day == "2024-05-20");
  CHECK(ReferenceDayOf(100, 106, CompareTo::kYearAgo) == 100 - 364);
  CHECK(ReferenceDayOf(100, 130, CompareTo::kPrevious) == 99);
}

TEST_CASE("the metrics' period: none, one kind, or refused when mixed", "[tree_period]") {
  KpiModel m = KpiModel::Load(IniFile::Parse(kIni, "p.ini"));
  CHECK(MetricsPeriod(m) == Period::kNone);
  m.metrics[0].by = {{"owner"}};
  GroupMetricsByPeriod(Period::kMonth, &m);
  CHECK(MetricsPeriod(m) == Period::kMonth);
  CHECK(m.metrics[0].by.empty());  // --period groups by period alone
  MetricDef q = m.metrics[0];
  q.id = "won_q";
  q.period = Period::kQuarter;
  m.metrics.push_back(q);
  CHECK_THROWS_AS(MetricsPeriod(m), Error);
}
