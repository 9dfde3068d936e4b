#include "cmd_metrics.h"

#include <memory>
#include <optional>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/evaluate/tree_groups.h"
#include "crmkpi/evaluate/tree_period.h"
#include "crmkpi/evaluate/view_select.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/long_result_writer.h"
#include "crmkpi/write/output_file.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct MetricsArgs {
  KpiRunArgs kpi;
  std::string format = "csv";
  std::string output;
  // The groupings `report -c` makes with the same flags: --by (replaces each metric's by),
  // --period (replaces its period), --period-of, --view NAME (its by and period).
  std::vector<std::string> by;
  std::string period, period_of, view;
  // The groupings `tree -c` makes with --by / --period (GroupMetricsByColumns).
  std::string tree_by, tree_period;
  CLI::App* cmd = nullptr;
  bool Given(const char* name) const { return cmd->get_option(name)->count() > 0; }
};

int Run(const MetricsArgs& a) {
  ConfigureProgress(a.kpi.quiet);
  SetWarningsQuiet(a.kpi.quiet);
  if (a.format != "csv" && a.format != "json") {
    throw Error::Usage(fmt::format("-f {}: the long result is csv (default) or json", a.format));
  }
  KpiModel model = LoadModel(a.kpi.config);
  const bool as_report = !a.by.empty() || !a.period.empty() || !a.period_of.empty() ||
                         !a.view.empty();
  if (as_report && (!a.tree_by.empty() || !a.tree_period.empty())) {
    throw Error::Usage("--tree-by/--tree-period make the groupings of tree, --by/--period/"
                       "--period-of/--view those of report: give the ones of one command");
  }
  std::optional<ViewPlan> view;
  if (!a.view.empty()) {
    view = PlanView(model, a.view);
    if (view->view.built_in) {
      FitDefaultView(model, a.kpi.SourceOverrides(), !a.Given("--by"),
                     !a.Given("--period") && !a.Given("--period-of"), &*view);
    }
  }
  if (as_report) {
    GroupingFlags g;  // report -c's regrouping, so that `report -c … --by X` has its long result
    if (a.Given("--by")) g.by = a.by;
    if (a.Given("--period")) g.period = a.period;
    if (a.Given("--period-of")) g.period_of = a.period_of;
    ApplyGroupingFlags(g, view ? &*view : nullptr, a.kpi.config, &model);
  }
  const Period kind = a.tree_period.empty() ? Period::kNone : ParsePeriodFlag(a.tree_period);
  if (!a.tree_by.empty()) {
    GroupMetricsByColumns(ParseBy({a.tree_by}).front(), kind, &model);
  } else if (kind != Period::kNone) {
    GroupMetricsByPeriod(kind, &model);
  }
  const KpiRun run = RunKpis(a.kpi, {}, {}, &model);
  // The as-of travels only when the data gave it: a definition's as_of or --as-of is given
  // again to the command that reads the result.
  const std::string as_of = run.metrics.data_as_of ? run.as_of : std::string();
  WriteOutput(a.output, a.format == "json"
                            ? WriteLongResultJson(run.model.metrics, run.metrics, as_of)
                            : WriteLongResultCsv(run.model.metrics, run.metrics, as_of));
  if (!a.kpi.quiet) PrintDiagnostics(run.metrics.warnings, {}, a.kpi.config);
  std::size_t rows = 0;
  for (const MetricResult& r : run.metrics.metrics) {
    rows += 1;
    for (const MetricGrouping& g : r.groupings) rows += g.rows.size();
  }
  NoteWritten(a.output, a.kpi.quiet,
              fmt::format("metrics: {} metrics, {} rows", run.metrics.metrics.size(), rows));
  return 0;
}

}  // namespace

void SetUpMetricsCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<MetricsArgs>();
  CLI::App* cmd = app->add_subcommand(
      "metrics",
      "The long result of a definition: every metric per grouping and group (value, numerator, "
      "denominator, n, exclusions), one row each — what a warehouse's SQL returns for "
      "report/tree --metrics FILE (docs/scale.md)");
  args->kpi.Register(cmd, true);
  cmd->add_option("--format,-f", args->format, "csv (default) or json")->type_name("FORMAT");
  cmd->add_option("-o,--output", args->output, "Write to this file (atomically)")
      ->type_name("FILE");
  cmd->add_option("--as-of", args->kpi.as_of,
                  "The date treated as now (sla lateness, km_median censoring); default: the "
                  "definition's as_of, else the data's latest date");
  cmd->add_flag("--quiet,-q", args->kpi.quiet, "No warnings or notes on stderr");
  cmd->add_option("--by", args->by,
                  "The groupings `report -c … --by` makes (repeatable), for report --metrics")
      ->type_name("COL[+COL]");
  cmd->add_option("--period", args->period,
                  "The groupings `report -c … --period` makes, for report --metrics")
      ->type_name("week|month|quarter|half|year");
  cmd->add_option("--period-of", args->period_of,
                  "The date column of the periods, as report's --period-of")
      ->type_name("COLUMN");
  cmd->add_option("--view", args->view,
                  "The groupings of the audience view NAME, for report --view NAME --metrics")
      ->type_name("NAME");
  cmd->add_option("--tree-by", args->tree_by,
                  "The groupings `tree --by COL` makes (every metric by COL alone; with "
                  "--tree-period also by period), for tree --by COL --metrics")
      ->type_name("COL[+COL]");
  cmd->add_option("--tree-period", args->tree_period,
                  "The groupings `tree --period P` makes (every metric per period alone), for "
                  "tree --period P --metrics")
      ->type_name("week|month|quarter|half|year");
  AddExactGroupsOption(cmd, &args->kpi.exact_groups);
  AddFxOption(cmd, &args->kpi.fx);
  args->kpi.calendar.Register(cmd);
  args->cmd = cmd;
  OneValuePerFlag(cmd);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
