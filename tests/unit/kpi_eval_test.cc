// KPIs per group from the metric engine's results (evaluate/kpi_eval.h): each group's cell is
// found whether the engine's rows come sorted by their values (binary search) or not.
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

}  // namespace crmkpi
