#include "cmd_report.h"

#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "crmkpi/analysis/deal_report.h"
#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/report_writer.h"
#include "input_options.h"
#include "kpi_run.h"
#include "source_flags.h"

namespace crmkpi {
namespace {

// "12 KPIs, 3 off track, 9 on track" of the report's totals, for the -o note.
std::string KpiSummary(const Report& report) {
  std::vector<std::string> statuses;
  for (const KpiValue& v : report.total.kpis) statuses.push_back(v.status);
  return StatusSummary(statuses, "KPI");
}

struct ReportArgs {
  std::vector<std::string> files;
  std::vector<std::string> by;
  std::string period;
  std::string period_of = "closed";
  std::string format = "table";
  std::string output;
  std::vector<std::string> won, lost, stages;
  std::string opportunity_stage;
  std::string lost_reached = "exclude";
  std::string date_format, tz, as_of;
  bool lenient = false;
  bool quiet = false;
  ParallelOptions parallel;
  InputOptions input;
  KpiRunArgs kpi;  // -c kpi.ini
  std::string for_source;    // --for: the source the source flags apply to (with -c)
  const CLI::App* cmd = nullptr;  // which flags were given

  bool Given(const char* name) const { return cmd->get_option(name)->count() > 0; }

  std::vector<SourceFlag> SourceFlags() const {
    SourceFlagValues v;
    v.encoding = &input.encoding;
    v.delimiter = &input.delimiter;
    v.maps = &input.maps;
    v.won = &won;
    v.lost = &lost;
    v.stages = &stages;
    v.lost_reached = &lost_reached;
    v.tz = &tz;
    v.date_format = &date_format;
    v.lenient = &lenient;
    return SourceFlagsOf(v);
  }
};

// --lost-reached and --period-of qualify other flags; alone they would change nothing.
void RefuseLoneQualifiers(const ReportArgs& a, bool definition_has_periods) {
  ParseLostReachedFlag(a.lost_reached);  // a bad value first, whatever else is missing
  if (a.Given("--period-of") && !a.Given("--period") && !definition_has_periods) {
    throw Error::Usage("--period-of says which date places a deal in a period: give --period "
                       "too (month, quarter or year)");
  }
  if (a.Given("--stages") && !a.Given("--opportunity-stage") && a.kpi.config.empty()) {
    throw Error::Usage("--stages orders the pipeline for lead_to_opportunity_rate, which also "
                       "needs --opportunity-stage (the stage from which a deal is an "
                       "opportunity): give it too");
  }
  if (a.Given("--lost-reached") && !a.Given("--opportunity-stage") && a.kpi.config.empty()) {
    throw Error::Usage("--lost-reached says how lost deals count for lead_to_opportunity_rate, "
                       "which needs --stages and --opportunity-stage: give them too");
  }
}

// With -c, --by and --period replace the groupings of every metric that can be grouped (not
// the figures of analysis sources), and --period-of the date that places a row in a period.
void ApplyGroupingFlags(const ReportArgs& a, KpiModel* model) {
  const bool by = a.Given("--by"), period = a.Given("--period"), period_of = a.Given("--period-of");
  if (!by && !period && !period_of) return;
  Period p = Period::kNone;
  if (period) {
    if (a.period == "week") {
      p = Period::kWeek;
    } else if (a.period == "month") {
      p = Period::kMonth;
    } else if (a.period == "quarter") {
      p = Period::kQuarter;
    } else if (a.period == "year") {
      p = Period::kYear;
    } else {
      throw Error::Usage(fmt::format(
          "--period: expected week, month, quarter or year, got '{}'", a.period));
    }
  }
  const auto specs = ParseBy(a.by);
  std::size_t changed = 0;
  for (MetricDef& m : model->metrics) {
    if (m.aggregation == Aggregation::kFigure) continue;
    if (by) m.by = specs;
    if (period) m.period = p;
    if (period_of && m.period != Period::kNone) m.period_of = a.period_of;
    ++changed;
  }
  if (changed == 0) {
    throw Error::Usage(fmt::format(
        "--by/--period: {} has no metric that can be grouped (the figures of stage_history "
        "and forecast sources are totals)",
        a.kpi.config));
  }
}

// `report -c kpi.ini`: every KPI of the definition, total and per grouping.
int RunWithDefinition(const ReportArgs& a) {
  KpiRunArgs kpi = a.kpi;
  kpi.as_of = a.as_of;
  kpi.parallel = a.parallel;
  std::map<std::string, std::string> extra;
  KpiModel model = LoadModel(kpi.config);
  bool has_periods = false;
  for (const MetricDef& m : model.metrics) has_periods |= m.period != Period::kNone;
  RefuseLoneQualifiers(a, has_periods);
  if (a.Given("--opportunity-stage")) {
    throw Error::Usage(
        "--opportunity-stage: with -c, a metric names the stage a deal must reach in its "
        "where (`where = stage reached STAGE`, docs/ini.md); the flag has nothing to apply to");
  }
  ApplySourceFlags(*a.cmd, a.SourceFlags(), a.for_source, kpi.config, &model.sources);
  ApplyGroupingFlags(a, &model);
  if (!a.files.empty()) {
    if (model.sources.size() != 1 || a.files.size() != 1) {
      throw Error::Usage(
          "with -c, name the files of the sources with --source ID=PATH (a FILE argument is "
          "allowed only when the definition has exactly one source)");
    }
    extra[model.sources[0].id] = a.files[0];
  }
  const KpiRun run = RunKpis(kpi, {}, extra, &model);
  WriteOutput(a.output, WriteReport(run.evaluation.report, ParseFormat(a.format)));
  if (!a.quiet) PrintDiagnostics(run.evaluation.report.warnings, LintModel(run.model, run.as_of));
  NoteWritten(a.output, a.quiet, "report: " + KpiSummary(run.evaluation.report));
  return 0;
}

int Run(const ReportArgs& a) {
  ConfigureProgress(a.quiet);
  if (!a.kpi.config.empty()) return RunWithDefinition(a);
  if (a.files.empty()) {
    throw Error::Usage("report needs FILE... (or -c kpi.ini); run 'crmkpi report --help'");
  }
  RefuseForWithoutConfig(a.for_source);
  RefuseSourcesWithoutConfig(a.kpi);
  RefuseLoneQualifiers(a, false);
  ReportOptions o;
  o.files = a.files;
  o.by = ParseBy(a.by);
  if (a.period.empty()) {
    o.period = Period::kNone;
  } else if (a.period == "month") {
    o.period = Period::kMonth;
  } else if (a.period == "quarter") {
    o.period = Period::kQuarter;
  } else if (a.period == "year") {
    o.period = Period::kYear;
  } else {
    throw Error::Usage(fmt::format("--period: expected month, quarter or year, got '{}'",
                                   a.period));
  }
  if (a.period_of == "closed") {
    o.period_of = PeriodOf::kClosed;
  } else if (a.period_of == "created") {
    o.period_of = PeriodOf::kCreated;
  } else {
    throw Error::Usage(fmt::format("--period-of: expected created or closed, got '{}'",
                                   a.period_of));
  }
  o.mappings = a.input.Mappings();
  o.stages.won = a.won;
  o.stages.lost = a.lost;
  o.stages.order = a.stages;
  o.stages.opportunity_stage = a.opportunity_stage;
  o.stages.lost_reached = ParseLostReachedFlag(a.lost_reached);
  o.date_format = a.date_format;
  o.tz = a.tz;
  o.as_of = a.as_of;
  o.csv = a.input.Csv();
  o.encoding = a.input.GetEncoding();
  o.lenient = a.lenient;
  o.parallel = a.parallel;
  const Format format = ParseFormat(a.format);

  const Report report = RunDealReport(o);
  WriteOutput(a.output, WriteReport(report, format));
  // After the report, where a terminal user sees them.
  if (!a.quiet) PrintDiagnostics(report.warnings, {});
  NoteWritten(a.output, a.quiet, "report: " + KpiSummary(report));
  return 0;
}

}  // namespace

void SetUpReportCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app->add_subcommand(
      "report", "Deal KPIs of CRM exports: counts, win rate, lead→opportunity rate, revenue, "
                "average deal size, pipeline, sales cycle; total, per --by group and period");
  cmd->add_option("files", args->files,
                  "Deals export CSV file(s); - reads standard input. With -c: the file of the "
                  "definition's only source")
      ->type_name("FILE...");
  cmd->add_option("--by", args->by,
                  "Group by a column (header name or role; repeatable: each --by is a "
                  "separate table; a+b groups by both columns together)")
      ->type_name("COL");
  cmd->add_option("--period", args->period, "Also group by month, quarter or year")
      ->type_name("month|quarter|year");
  cmd->add_option("--period-of", args->period_of,
                  "Which date places a deal in a period: closed (default) or created")
      ->type_name("closed|created");
  AddStageOptions(cmd, &args->won, &args->lost, &args->stages);
  cmd->add_option("--opportunity-stage", args->opportunity_stage,
                  "The stage from which a deal counts as an opportunity (needs --stages)")
      ->type_name("STAGE");
  cmd->add_option("--lost-reached", args->lost_reached,
                  "How lost deals count for lead_to_opportunity_rate when the export has no "
                  "stage history: exclude (default), opportunity or lead")
      ->type_name("POLICY");
  AddDateOptions(cmd, &args->date_format, &args->tz);
  cmd->add_option("--as-of", args->as_of,
                  "The date treated as now (default: the latest date in the data)")
      ->type_name("DATE");
  cmd->add_flag("--lenient", args->lenient,
                "Skip records whose field count differs from the header (counted and "
                "reported) instead of failing");
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), csv, json or md");
  AddParallelOptions(cmd, &args->parallel);
  args->input.Register(cmd);
  args->kpi.Register(cmd, false);
  AddForOption(cmd, &args->for_source);
  args->cmd = cmd;
  OneValuePerFlag(cmd);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
