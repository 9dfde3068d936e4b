// Targets per group and period (definition/targets_table.h, evaluate/targets_join.h): the table
// read with its KPIs named by id or label, joined to the groupings of a run, and the pace.
#include <catch2/catch.hpp>

#include "../temp_dir.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/evaluate/targets_join.h"

namespace crmkpi {
namespace {

const char* kIni = R"([crmkpi]
fiscal_year_start = 4
[source deals]
file = deals.csv
[metric won]
source = deals
by = owner
period = month
period_of = closed
[metric amount]
source = deals
type = sum
column = amount
by = owner
period = month
period_of = closed
[metric avg_amount]
source = deals
type = avg
column = amount
[kpi won_deals]
label = 受注数
formula = won
[kpi total]
formula = amount - won
[kpi share]
formula = won / amount
[kpi average]
formula = avg_amount
)";

MetricCell Count(std::uint64_t n) {
  MetricCell c;
  c.value = Num::Count(n);
  c.n = n;
  return c;
}

}  // namespace

TEST_CASE("a KPI adds up over time when it is a sum of counts and sums", "[targets]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(kIni, "kpi.ini"));
  CHECK(AdditiveKpi(model, "won_deals"));
  CHECK(AdditiveKpi(model, "total"));
  CHECK_FALSE(AdditiveKpi(model, "share"));
  CHECK_FALSE(AdditiveKpi(model, "average"));
}

TEST_CASE("a targets table joins by id or label, group and period, with the pace", "[targets]") {
  TempDir dir;
  KpiModel model = KpiModel::Load(IniFile::Parse(kIni, dir.Write("kpi.ini", "")));
  TargetsDef def;
  def.origin = "--targets";
  def.file = dir.Write("t.csv",
                       "KPI,Owner,期間,目標\n"
                       "受注数,Ｓａｔｏ,2025-05,4\n"  // full-width: the group key after NFKC
                       ",,,\n"                         // a spreadsheet's empty row
                       "won_deals,,,10\n"
                       "total,Sato,FY2025 Q1,9\n");    // a quarter: no grouping by quarter
  model.SetTargets(def);
  REQUIRE(model.targets.rows.size() == 3);
  CHECK(model.targets.rows[0].kpi == "won_deals");
  CHECK(model.targets.rows[0].groups ==
        std::vector<std::pair<std::string, std::string>>{{"Owner", "Ｓａｔｏ"}});

  // "total" by quarter: no metric is grouped so → a period a month grouping cannot read.
  CHECK_THROWS_AS(ResolveTargets(model), Error);
  def.file = dir.Write("t.csv", "KPI,Owner,期間,目標\n受注数,Ｓａｔｏ,2025-05,4\nwon_deals,,,10\n");
  model.SetTargets(def);
  const ResolvedTargets t = ResolveTargets(model);
  CHECK(t.total.at("won_deals").value == 10);
  const std::vector<std::string> keys = {"owner", "period"};
  REQUIRE(t.groups.count(keys) == 1);
  CHECK(t.groups.at(keys).count({"Sato", "2025-05"}) == 1);
  CHECK(t.period_bounds.at("2025-05") == std::pair<std::string, std::string>("2025-05-01", "2025-05-31"));

  // Evaluated with Sato absent from the data: his row is added, counts 0.
  MetricRun run;
  MetricResult won;
  won.id = "won";
  won.total = Count(7);
  MetricGrouping g;
  g.keys = keys;
  g.rows.emplace_back(std::vector<std::string>{"Kato", "2025-05"}, Count(7));
  won.groupings.push_back(g);
  run.metrics.push_back(won);
  KpiEvaluation e = EvaluateKpis(model, run, {}, TargetGroups(t));
  e.report.as_of = "2025-05-31";
  e.report.period_bounds["2025-05"] = {"2025-05-01", "2025-05-31"};
  ApplyTargets(model, t, &e.report);
  CHECK(e.report.total.kpis[0].target == 10);
  CHECK(e.report.total.kpis[0].gap == -3);
  const Grouping* by = nullptr;
  for (const Grouping& x : e.report.groupings) {
    if (x.keys == keys) by = &x;
  }
  REQUIRE(by != nullptr);
  REQUIRE(by->rows.size() == 2);
  const KpiValue& kato = by->rows[0].kpis[0];
  const KpiValue& sato = by->rows[1].kpis[0];
  CHECK(by->rows[1].values == std::vector<std::string>{"Sato", "2025-05"});
  CHECK_FALSE(kato.target);  // the table gives won_deals by owner × month: Kato has none
  CHECK(kato.status == "no target");
  CHECK(sato.value->ToString() == "0");
  CHECK(sato.target == 4);
  CHECK(sato.status == "off track");
  REQUIRE(sato.pace);
  CHECK(sato.pace->elapsed == 1.0);
  CHECK(sato.pace->status == "ended");
  // Mid-month: 10 of 31 days elapsed; 0 lands at 0.
  e.report.as_of = "2025-05-10";
  ApplyTargets(model, t, &e.report);
  CHECK(by->rows[1].kpis[0].pace->elapsed == Approx(10.0 / 31.0));
  CHECK(by->rows[1].kpis[0].pace->status == "behind pace");
  e.report.as_of = "2025-04-30";
  ApplyTargets(model, t, &e.report);
  CHECK(by->rows[1].kpis[0].status == "not started");
}

TEST_CASE("a targets table's KPI that the definition lacks is refused at its cell", "[targets]") {
  TempDir dir;
  KpiModel model = KpiModel::Load(IniFile::Parse(kIni, dir.Write("kpi.ini", "")));
  TargetsDef def;
  def.file = dir.Write("t.csv", "kpi,target\nwon_deal,3\n");
  try {
    model.SetTargets(def);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.loc().line == 2);
    CHECK(e.loc().column == 1);
    CHECK(std::string(e.message()).find("did you mean 'won_deals'") != std::string::npos);
  }
}

}  // namespace crmkpi
