#include "cmd_metrics.h"

#include <memory>
#include <optional>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/long_result_writer.h"
#include "crmkpi/write/output_file.h"
#include "input_options.h"
#include "kpi_run.h"
#include "long_result_groupings.h"

namespace crmkpi {
namespace {

struct MetricsArgs {
  KpiRunArgs kpi;
  std::string format = "csv";
  std::string output;
  LongResultGroupings groupings;
};

int Run(const MetricsArgs& a) {
  ConfigureProgress(a.kpi.quiet);
  SetWarningsQuiet(a.kpi.quiet);
  if (a.format != "csv" && a.format != "json") {
    throw Error::Usage(fmt::format("-f {}: the long result is csv (default) or json", a.format));
  }
  KpiModel model = LoadModel(a.kpi.config);
  a.groupings.Apply(a.kpi.config, a.kpi.SourceOverrides(), &model);
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
  args->groupings.Register(cmd);
  AddExactGroupsOption(cmd, &args->kpi.exact_groups);
  AddFxOption(cmd, &args->kpi.fx);
  args->kpi.calendar.Register(cmd);
  OneValuePerFlag(cmd);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
