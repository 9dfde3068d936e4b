#include "long_result_groupings.h"

#include <optional>

#include "crmkpi/base/error.h"
#include "crmkpi/evaluate/tree_groups.h"
#include "crmkpi/evaluate/tree_period.h"
#include "crmkpi/evaluate/view_select.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {

void LongResultGroupings::Register(CLI::App* app) {
  cmd = app;
  app->add_option("--by", by,
                  "The groupings `report -c … --by` makes (repeatable), for report --metrics")
      ->type_name("COL[+COL]");
  app->add_option("--period", period,
                  "The groupings `report -c … --period` makes, for report --metrics")
      ->type_name("week|month|quarter|half|year");
  app->add_option("--period-of", period_of,
                  "The date column of the periods, as report's --period-of")
      ->type_name("COLUMN");
  app->add_option("--view", view,
                  "The groupings of the audience view NAME, for report --view NAME --metrics")
      ->type_name("NAME");
  app->add_option("--tree-by", tree_by,
                  "The groupings `tree --by COL` makes (every metric by COL alone; with "
                  "--tree-period also by period), for tree --by COL --metrics")
      ->type_name("COL[+COL]");
  app->add_option("--tree-period", tree_period,
                  "The groupings `tree --period P` makes (every metric per period alone), for "
                  "tree --period P --metrics")
      ->type_name("week|month|quarter|half|year");
}

void LongResultGroupings::Apply(const std::string& config,
                                const std::map<std::string, std::string>& sources,
                                KpiModel* model) const {
  auto given = [&](const char* name) { return cmd->get_option(name)->count() > 0; };
  const bool as_report = !by.empty() || !period.empty() || !period_of.empty() || !view.empty();
  if (as_report && (!tree_by.empty() || !tree_period.empty())) {
    throw Error::Usage("--tree-by/--tree-period make the groupings of tree, --by/--period/"
                       "--period-of/--view those of report: give the ones of one command");
  }
  std::optional<ViewPlan> plan;
  if (!view.empty()) {
    plan = PlanView(*model, view);
    if (plan->view.built_in) {
      FitDefaultView(*model, sources, !given("--by"), !given("--period") && !given("--period-of"),
                     &*plan);
    }
  }
  if (as_report) {
    GroupingFlags g;  // report -c's regrouping, so that `report -c … --by X` has its long result
    if (given("--by")) g.by = by;
    if (given("--period")) g.period = period;
    if (given("--period-of")) g.period_of = period_of;
    ApplyGroupingFlags(g, plan ? &*plan : nullptr, config, model);
  }
  const Period kind = tree_period.empty() ? Period::kNone : ParsePeriodFlag(tree_period);
  if (!tree_by.empty()) {
    GroupMetricsByColumns(ParseBy({tree_by}).front(), kind, model);
  } else if (kind != Period::kNone) {
    GroupMetricsByPeriod(kind, model);
  }
}

}  // namespace crmkpi
