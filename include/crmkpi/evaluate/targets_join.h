// Targets per group and period (docs/kpis.md, "Targets per group and period"): a definition's
// targets table (targets_table.h) joined to a run's KPIs. Each table row is matched to the
// grouping whose `by` columns are the row's non-empty group columns (plus the period when it has
// one); its group values are compared as group keys are (NFKC, white space collapsed), its
// period read in the run's calendar. Joined, each KPI of a group × period gets the actual, the
// target, the achievement (direction-aware), the gap, the status and — at the as-of — the pace:
// the share of the period elapsed (経過率) and, for additive KPIs, the straight-line landing.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/read/data_warning.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

struct TargetCell {
  double value = 0;
  SourceLoc loc;  // the table's row
};

struct ResolvedTargets {
  std::string file;                          // the table's name; empty: no table
  std::map<std::string, TargetCell> total;  // KPI → target of the total
  // Grouping keys (the `by` names, then "period") → group values → KPI → target.
  std::map<std::vector<std::string>,
           std::map<std::vector<std::string>, std::map<std::string, TargetCell>>>
      groups;
  // The first and last day (YYYY-MM-DD) of each period the table names.
  std::map<std::string, std::pair<std::string, std::string>> period_bounds;
  std::vector<DataWarning> warnings;  // rows that match no grouping of the run
};

// Matches the model's targets table to the groupings its metrics are measured by (after flags
// such as --by and --period have changed them). Error(kUsage) at the table's cell for a period
// that names no period of its grouping's kind, and for two targets of one KPI, group and
// period; a row by columns no metric is grouped by is left out with a warning.
ResolvedTargets ResolveTargets(const KpiModel& model);

// The group values the table names per grouping: evaluated even when no row of the data fell
// in them (an owner without a deal this month has 0 deals against a target, not no row).
std::map<std::vector<std::string>, std::set<std::vector<std::string>>> TargetGroups(
    const ResolvedTargets& targets);

// Sets target, achievement, status, gap, target_source and pace on the report's KPIs from
// |targets| (report->as_of is the as-of of the pace). In a grouping where the table gives a
// KPI targets, a group without one has no target (the definition's target is for the total).
// |added|: the groups TargetGroups added that no row of the data fell in; those of a period
// that starts after the as-of are taken out again (a plan, not a result: nothing to compare).
void ApplyTargets(
    const KpiModel& model, const ResolvedTargets& targets, Report* report,
    const std::map<std::vector<std::string>, std::set<std::vector<std::string>>>& added = {});

// The groups of |groups| that no row of |run| fell in.
std::map<std::vector<std::string>, std::set<std::vector<std::string>>> GroupsWithoutRows(
    const std::map<std::vector<std::string>, std::set<std::vector<std::string>>>& groups,
    const MetricRun& run);

// Whether a KPI adds up over time, so that a straight line extends it to the period's end: a
// count or sum metric, or a sum or difference of such (docs/kpis.md).
bool AdditiveKpi(const KpiModel& model, const std::string& id);

}  // namespace crmkpi
