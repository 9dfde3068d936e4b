// The tree of each group (evaluate/tree_groups.h): its targets — the table's for that group over
// the definition's rates — and the groups it covers.
#include <catch2/catch.hpp>

#include "../temp_dir.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/tree_groups.h"

namespace crmkpi {
namespace {

const char* kIni = R"([source deals]
file = deals.csv
[metric all]
source = deals
by = owner
[metric won]
source = deals
by = owner
[kpi deals]
formula = all
target = 10
[kpi win_rate]
formula = won / all
target = 30%
[kpi won_deals]
formula = deals * win_rate
[tree]
kgi = won_deals
won_deals = deals * win_rate
)";

}  // namespace

TEST_CASE("a group's tree takes the table's targets and the definition's rates", "[tree]") {
  TempDir dir;
  KpiModel model = KpiModel::Load(IniFile::Parse(kIni, dir.Write("kpi.ini", "")));
  TargetsDef def;
  def.file = dir.Write("t.csv", "kpi,owner,target\ndeals,Ann,4\nwin_rate,Bob,50%\nwon_deals,,3\n");
  model.SetTargets(def);
  const ResolvedTargets table = ResolveTargets(model);
  // The whole data: the definition's targets, the table's total row over them.
  CHECK(TreeTargets(model, table, {}, {}) ==
        TargetMap{{"deals", 10}, {"win_rate", 0.3}, {"won_deals", 3}});
  // Ann: her deals target; the definition's rate; not its deals count (a team's).
  CHECK(TreeTargets(model, table, {"owner"}, {"Ann"}) ==
        TargetMap{{"deals", 4}, {"win_rate", 0.3}});
  CHECK(TreeTargets(model, table, {"owner"}, {"Bob"}) == TargetMap{{"win_rate", 0.5}});
  CHECK(TreeTargets(model, table, {"owner"}, {"Cy"}) == TargetMap{{"win_rate", 0.3}});

  // Groups: those with values, and those the table names (Bob has no rows here).
  KpiEvaluation ev;
  ev.group_values[{"owner"}][{"Ann"}] = {{"deals", Value::Number(5)}};
  const std::vector<GroupTreeInput> in = GroupTreeInputs(model, ev, {"owner"}, nullptr, table);
  REQUIRE(in.size() == 2);
  CHECK(in[0].values == std::vector<std::string>{"Ann"});
  CHECK(in[0].actual_rows);
  CHECK(in[0].targets.at("deals") == 4);
  CHECK(in[1].values == std::vector<std::string>{"Bob"});
  CHECK_FALSE(in[1].actual_rows);
  CHECK(in[1].actual.at("won_deals").reason == "NO_ROWS");
}

}  // namespace crmkpi
