// KPIs per group from the metric engine's results (evaluate/kpi_eval.h): each group's cell is
// found whether the engine's rows come sorted by their values (binary search) or not.
#include <cmath>

#include <catch2/catch.hpp>

#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/kpi_eval.h"

namespace crmkpi {
namespace {

MetricCell Count(std::uint64_t n) {
  MetricCell c;
  c.value = Num::Count(n);
  c.n = n;
  return c;
}

MetricResult Grouped(const std::string& id, std::uint64_t total,
                     std::vector<std::pair<std::string, std::uint64_t>> rows) {
  MetricResult r;
  r.id = id;
  r.total = Count(total);
  MetricGrouping g;
  g.keys = {"owner"};
  for (const auto& [owner, n] : rows) g.rows.emplace_back(std::vector<std::string>{owner}, Count(n));
  r.groupings.push_back(std::move(g));
  return r;
}

std::string KpiText(const GroupRow& row, const std::string& id) {
  for (const KpiValue& v : row.kpis) {
    if (v.id == id) return v.value ? v.value->ToString() : "n/a " + v.reason;
  }
  return "absent";
}

}  // namespace

TEST_CASE("per-group KPIs find each metric's cell, rows sorted or not", "[kpi_eval]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(R"(
[source deals]
file = deals.csv

[metric won]
source = deals
where = stage is won
by = owner

[metric closed]
source = deals
where = stage is closed
by = owner

[kpi win_rate]
formula = won / closed
unit = ratio
)", "k.ini"));
  MetricRun run;
  // won: sorted rows as the engine gives them; closed: in reverse order, and without Cid.
  run.metrics.push_back(Grouped("won", 6, {{"Ann", 1}, {"Bob", 2}, {"Cid", 3}}));
  run.metrics.push_back(Grouped("closed", 9, {{"Bob", 4}, {"Ann", 5}}));
  const KpiEvaluation e = EvaluateKpis(model, run, {});
  REQUIRE(e.report.groupings.size() == 1);
  const auto& rows = e.report.groupings[0].rows;
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].values == std::vector<std::string>{"Ann"});
  CHECK(KpiText(rows[0], "win_rate") == "0.2");   // 1 / 5
  CHECK(KpiText(rows[1], "win_rate") == "0.5");   // 2 / 4
  // Cid is not in closed's rows: a count over no rows is 0, so 3 / 0 is n/a.
  CHECK(KpiText(rows[2], "win_rate") == "n/a ZERO_DENOMINATOR");
  CHECK(KpiText(e.report.total, "win_rate") == "0.6666666666666666");
}

TEST_CASE("group_values keeps every id's value of every group", "[kpi_eval]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(R"(
[source deals]
file = deals.csv

[metric won]
source = deals
where = stage is won
by = owner

[metric closed]
source = deals
where = stage is closed
by = owner

[constant bonus]
value = 7

[kpi win_rate]
formula = won / closed
unit = ratio
)", "k.ini"));
  MetricRun run;
  run.metrics.push_back(Grouped("won", 6, {{"Ann", 1}, {"Bob", 2}}));
  run.metrics.push_back(Grouped("closed", 9, {{"Ann", 5}, {"Bob", 4}}));
  CHECK(EvaluateKpis(model, run, {}).group_values.empty());  // kept only when asked
  const KpiEvaluation e = EvaluateKpis(model, run, {}, {}, true);
  const std::vector<std::string> owner{"owner"};
  REQUIRE(e.group_values.size() == 1);
  REQUIRE(e.group_values.count(owner) == 1);
  const auto& groups = e.group_values.at(owner);
  REQUIRE(groups.size() == 2);
  const ValueMap& bob = groups.at({"Bob"});
  // Metrics, constants and KPIs of Bob's group, not the totals (won 6, closed 9).
  CHECK(*bob.at("won").v == 2);
  CHECK(*bob.at("closed").v == 4);
  CHECK(*bob.at("bonus").v == 7);
  CHECK(*bob.at("win_rate").v == 0.5);
  CHECK(*groups.at({"Ann"}).at("win_rate").v == Approx(0.2));
  CHECK(*e.totals.at("win_rate").v == Approx(6.0 / 9.0));
}

TEST_CASE("stddev and cv across groups: population SD, n/a groups left out and counted",
          "[kpi_eval]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(R"(
[source deals]
file = deals.csv

[metric won]
source = deals
where = stage is won
by = owner

[metric closed]
source = deals
where = stage is closed
by = owner

[kpi win_rate]
formula = won / closed
unit = ratio

[kpi sd]
formula = stddev(win_rate, owner)

[kpi cv]
formula = cv(win_rate, owner)
unit = ratio

[kpi won_cv]
formula = cv(won, owner) * 100
)", "k.ini"));
  MetricRun run;
  // win rates: Ann 1/4, Bob 3/4, Cid 2/4, Dan 0/0 (n/a, left out).
  run.metrics.push_back(Grouped("won", 6, {{"Ann", 1}, {"Bob", 3}, {"Cid", 2}}));
  run.metrics.push_back(Grouped("closed", 12, {{"Ann", 4}, {"Bob", 4}, {"Cid", 4}, {"Dan", 0}}));
  const KpiEvaluation e = EvaluateKpis(model, run, {});
  // mean 0.5; deviations −0.25, 0.25, 0: SD = √(0.125 / 3) = 0.2041241452; CV = 0.408248.
  auto value = [&](const std::string& id) {
    for (const KpiValue& v : e.report.total.kpis) {
      if (v.id == id) return v;
    }
    FAIL("no KPI " << id);
    throw 0;
  };
  CHECK(value("sd").value->ToDouble() == Approx(0.2041241452).epsilon(1e-9));
  CHECK(value("sd").n == 3u);
  CHECK(value("sd").excluded ==
        std::vector<std::pair<std::string, std::uint64_t>>{{"na_group", 1}});
  CHECK(value("cv").value->ToDouble() == Approx(0.4082482905).epsilon(1e-9));
  CHECK(value("cv").numerator->ToDouble() == Approx(0.2041241452).epsilon(1e-9));
  CHECK(value("cv").denominator->ToDouble() == Approx(0.5).epsilon(1e-12));
  // won: Ann 1, Bob 3, Cid 2, Dan 0 (a group a grouped metric never saw: a count of 0 is a
  // value): mean 1.5, SD √(1.25) = 1.118, CV 74.5 %.
  CHECK(value("won_cv").value->ToDouble() == Approx(100 * std::sqrt(1.25) / 1.5).epsilon(1e-9));
  CHECK(value("won_cv").n == std::nullopt);  // not a bare spread
  // The by-owner table does not print the spreads (one group each).
  REQUIRE(e.report.groupings.size() == 1);
  CHECK(KpiText(e.report.groupings[0].rows[0], "sd") == "absent");
  CHECK(KpiText(e.report.groupings[0].rows[0], "win_rate") == "0.25");
  // The tree's values: the spread under its key, so a formula over it evaluates.
  CHECK(e.totals.at("stddev(win_rate, owner)").v == value("sd").value->ToDouble());
}

TEST_CASE("spreads per period: across the owners of each period; the total n/a NOT_GROUPED",
          "[kpi_eval]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(R"(
[source deals]
file = deals.csv

[metric won]
source = deals
by = owner
period = month
period_of = closed

[kpi sd]
formula = stddev(won, owner)
)", "k.ini"));
  MetricRun run;
  MetricResult won;
  won.id = "won";
  won.total = Count(10);
  MetricGrouping by_period;
  by_period.keys = {"period"};
  by_period.rows.emplace_back(std::vector<std::string>{"2024-01"}, Count(4));
  by_period.rows.emplace_back(std::vector<std::string>{"2024-02"}, Count(6));
  MetricGrouping by_owner_period;
  by_owner_period.keys = {"owner", "period"};
  by_owner_period.rows.emplace_back(std::vector<std::string>{"Ann", "2024-01"}, Count(1));
  by_owner_period.rows.emplace_back(std::vector<std::string>{"Ann", "2024-02"}, Count(6));
  by_owner_period.rows.emplace_back(std::vector<std::string>{"Bob", "2024-01"}, Count(3));
  won.groupings = {by_period, by_owner_period};
  run.metrics.push_back(won);
  const KpiEvaluation e = EvaluateKpis(model, run, {});
  CHECK(KpiText(e.report.total, "sd") == "n/a NOT_GROUPED");
  REQUIRE(!e.report.groupings.empty());
  const Grouping& periods = e.report.groupings[0];
  REQUIRE(periods.keys == std::vector<std::string>{"period"});
  CHECK(KpiText(periods.rows[0], "sd") == "1");  // Ann 1, Bob 3: mean 2, SD 1
  CHECK(KpiText(periods.rows[1], "sd") == "0");  // Ann 6 alone
  // Not by owner × period (one owner per group): the grouping prints no KPI, so it is left out.
  CHECK(e.report.groupings.size() == 1);
}

}  // namespace crmkpi
