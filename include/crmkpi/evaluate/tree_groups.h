// The KPI tree of each group (docs/kpis.md, "A tree per group"): `tree --by owner` evaluates
// the definition's tree once for every owner — from one evaluation of the definition grouped by
// that column (KpiEvaluation::group_values) — against that owner's targets from the targets
// table, and with --period for the period holding the as-of (and --baseline previous|year-ago
// against that owner in the reference period). Also the targets of any one tree: the table's
// rows for its group and period over the definition's targets.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/evaluate/targets_join.h"
#include "crmkpi/evaluate/tree_period.h"

namespace crmkpi {

// Every metric that can be grouped (not the figures of analysis sources) grouped by the columns
// |by| together (and by |kind| too unless kNone). Error(kUsage) when none can be.
void GroupMetricsByColumns(const std::vector<std::string>& by, Period kind, KpiModel* model);

// The targets of the tree of one group: |keys| and |values| as the grouping names them
// ({"owner", "period"}, {"佐藤", "2025-05"}); empty for the total. The table's targets for
// exactly that group and period, over the definition's: all of those for the total and for a
// period alone (a definition's target is the whole's), only those of KPIs that do not add up
// (rates, averages) for a group of a `by` column — a team's revenue target is no one owner's,
// its win-rate target is everyone's. Nodes still without one get derived targets (kpi_tree.h).
TargetMap TreeTargets(const KpiModel& model, const ResolvedTargets& table,
                      const std::vector<std::string>& keys,
                      const std::vector<std::string>& values);

struct GroupTreeInput {
  std::vector<std::string> values;  // the group's values of the `by` columns
  ValueMap actual;                  // its values in the actual period (or in total)
  bool actual_rows = true;          // false: no row of the group fell there (n/a NO_ROWS)
  ValueMap reference;               // --baseline previous|year-ago: in the reference period
  bool reference_rows = true;
  TargetMap targets;                // TreeTargets of the group (and actual period)
};

// The groups of the grouping by |by| (plus "period" when |periods| is given): every group with
// rows in the actual period (the whole data without periods) or the reference period, and every
// group the targets table names there — sorted by their values.
std::vector<GroupTreeInput> GroupTreeInputs(const KpiModel& model, const KpiEvaluation& ev,
                                            const std::vector<std::string>& by,
                                            const TreePeriodValues* periods,
                                            const ResolvedTargets& table);

}  // namespace crmkpi
