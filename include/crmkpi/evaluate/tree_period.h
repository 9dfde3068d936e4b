// The KPI tree of one period (docs/kpis.md, "A tree of one period"): `tree --period month`
// evaluates the tree for the period holding the as-of, against the targets, and with
// `--baseline previous|year-ago` against the period before it or the same period a year
// earlier, all from one evaluation of one definition grouped by period (KpiEvaluation::
// group_values). Periods are matched as `report --compare` matches them (period_compare.h).
#pragma once

#include <optional>
#include <string>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/evaluate/period_compare.h"

namespace crmkpi {

// The period kind every groupable metric of |model| is grouped by: kNone when none has a
// period. Error(kUsage) when they differ (month and quarter): one tree needs one kind.
Period MetricsPeriod(const KpiModel& model);

// Every metric that can be grouped (not the figures of analysis sources) grouped by |kind|
// alone: `by` cleared, `period` set, as report -c --period does. Error(kUsage) when the
// definition has no metric that can be grouped.
void GroupMetricsByPeriod(Period kind, KpiModel* model);

struct TreePeriodValues {
  TreePeriod actual;                // the period holding the as-of
  ValueMap actual_values;
  std::optional<TreePeriod> reference;  // kPrevious / kYearAgo
  ValueMap reference_values;
};

// The values of the period of |kind| holding the as-of (Report::as_of: --as-of, the
// definition's as_of, or with as_of = data the latest event; without one, the latest period
// with rows) and, unless |to| is kNone, of its reference period: kPrevious the period ending
// the day before it starts, kYearAgo the one starting on the same day a year earlier (weeks:
// 52 weeks). A period no row fell in gets every metric and KPI n/a (NO_ROWS), constants at
// their values, and has_rows false. Error(kUsage) when |ev| has no grouping by period alone, or
// neither an as-of nor a period with rows.
TreePeriodValues PickTreePeriods(const KpiModel& model, const KpiEvaluation& ev, Period kind,
                                 CompareTo to);

// The values of period |label| in |ev| (grouping by period alone), as PickTreePeriods gives
// them (n/a NO_ROWS when no row fell in it; |has_rows| then false).
ValueMap PeriodValues(const KpiModel& model, const KpiEvaluation& ev, const std::string& label,
                      bool* has_rows);

}  // namespace crmkpi
