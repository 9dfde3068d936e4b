// Evaluation of a KPI definition's KPIs from the metrics measured in one pass: every KPI for the
// total and for each grouping its metrics were measured by, with target, achievement and status.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "crmkpi/definition/formula.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

// Values of every metric, constant and KPI id for the total (ungrouped) population.
using ValueMap = std::map<std::string, Value, std::less<>>;

struct KpiEvaluation {
  Report report;     // KPIs: total and per grouping, ready for the writers
  ValueMap totals;   // every id's total value (the tree works on these)
  // Every id's value per group: grouping keys ({"owner"}, {"period"}, {"owner", "period"}) →
  // group values ({"Sato"}, {"2025-05"}) → every metric, constant and KPI id, as |totals| is
  // for the total (a tree of one group or one period: tree --period). A grouping none of whose
  // metrics any KPI uses is not in it, as it is not in the report. Filled only when asked
  // (|group_values| of EvaluateKpis): a report by 100,000 accounts would hold them all.
  std::map<std::vector<std::string>, std::map<std::vector<std::string>, ValueMap>> group_values;
};

// |overrides| fixes ids to values (what-if: --set win_rate=0.35); a fixed KPI is not
// recomputed, and everything depending on it is. |extra_groups| (grouping keys → group values)
// adds groups no row fell in, evaluated on empty cells (a count is 0): the groups a targets
// table names (targets_join.h).
KpiEvaluation EvaluateKpis(
    const KpiModel& model, const MetricRun& run,
    const std::map<std::string, double>& overrides = {},
    const std::map<std::vector<std::string>, std::set<std::vector<std::string>>>& extra_groups =
        {},
    bool group_values = false);

// Achievement of |actual| against |target|, direction-aware: higher is better → actual/target,
// lower is better → target/actual. n/a when the divisor is 0 or either value is n/a.
Value Achievement(const Value& actual, std::optional<double> target, Direction direction);

// The report unit of a KPI's `unit =` (currency → kAmount; number and unknown → kNumber).
Unit UnitOf(const UnitSpec& u);

// "on track", "off track", "no target" or "n/a".
std::string Status(const Value& actual, std::optional<double> target, Direction direction);

}  // namespace crmkpi
