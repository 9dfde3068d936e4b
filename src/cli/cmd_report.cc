#include "cmd_report.h"


#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "crmkpi/engine/date_orders.h"
#include "crmkpi/evaluate/definition_run.h"
#include "crmkpi/evaluate/failure_signs.h"
#include "crmkpi/evaluate/period_compare.h"
#include "crmkpi/evaluate/period_trend.h"
#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/evaluate/view_select.h"
#include "crmkpi/quality/quality_run.h"
#include "crmkpi/write/full_report_writer.h"
#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/report_writer.h"
#include "excel_options.h"
#include "deals_flags.h"
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
  DealsFlags deals;  // FILE..., --by, --period, the source flags, --as-of
  std::string format = "table";
  std::string output;
  bool quiet = false;
  bool checks = false;  // --checks (with -c): the [check] sections too, from the same read
  ParallelOptions parallel;
  KpiRunArgs kpi;  // -c kpi.ini
  std::string for_source;    // --for: the source the source flags apply to (with -c)
  std::string compare;       // --compare previous|year-ago
  std::size_t trend = 0;     // --trend N: the last N periods
  std::string view_name;     // --view NAME (with -c): an audience view of the definition
  const CLI::App* cmd = nullptr;  // which flags were given

  CompareTo Compare() const { return compare.empty() ? CompareTo::kNone : ParseCompareTo(compare); }
  // --compare, else the view's compare.
  std::string CompareOf(const ViewPlan* view) const {
    return Given("--compare") || view == nullptr ? compare : view->view.compare;
  }
  // --trend, else the view's trend.
  std::optional<std::size_t> TrendOf(const ViewPlan* view) const {
    if (Given("--trend")) return trend;
    return view == nullptr ? std::nullopt : view->view.trend;
  }
  bool Periodic(const ViewPlan* view = nullptr) const {
    return !CompareOf(view).empty() || TrendOf(view).has_value();
  }
  // --compare and --trend (or the view's) over the evaluated report (compare first: it reads
  // the periods the trend then drops).
  void OverTime(Report* report, const ViewPlan* view = nullptr) const {
    const std::string to = CompareOf(view);
    ComparePeriods(report, to.empty() ? CompareTo::kNone : ParseCompareTo(to));
    if (const auto n = TrendOf(view)) KeepTrend(report, *n);
  }

  bool Given(const char* name) const { return cmd->get_option(name)->count() > 0; }
  GroupingFlags Grouping() const {
    GroupingFlags g;
    if (Given("--by")) g.by = deals.by;
    if (Given("--period")) g.period = deals.period;
    if (Given("--period-of")) g.period_of = deals.period_of;
    return g;
  }

  std::vector<SourceFlag> SourceFlags() const {
    SourceFlagValues v;
    v.encoding = &deals.input.encoding;
    v.delimiter = &deals.input.delimiter;
    v.maps = &deals.input.maps;
    v.won = &deals.won;
    v.lost = &deals.lost;
    v.stages = &deals.stages;
    v.lost_reached = &deals.lost_reached;
    v.tz = &deals.tz;
    v.date_format = &deals.date_format;
    v.lenient = &deals.lenient;
    return SourceFlagsOf(v);
  }
};

// --lost-reached and --period-of qualify other flags; alone they would change nothing.
void RefuseLoneQualifiers(const ReportArgs& a, bool definition_has_periods) {
  ParseLostReachedFlag(a.deals.lost_reached);  // a bad value first, whatever else is missing
  if (a.Given("--period-of") && !a.Given("--period") && !definition_has_periods) {
    throw Error::Usage("--period-of says which date places a deal in a period: give --period "
                       "too (week, month, quarter or year)");
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

[[noreturn]] void RefuseCompareWithoutPeriods() {
  throw Error::Usage("--compare and --trend work on periods: add --period (week, month, "
                     "quarter, half, year), or give the definition's metrics a period");
}

// `report -c kpi.ini --checks`: the KPIs, the tree and the [check] sections from one read of
// each source (the checks are fed by the metric engine's pass, quality_run.h CheckPass), with
// check's exit codes.
int RunWithChecks(const ReportArgs& a, KpiRunArgs kpi,
                  const std::map<std::string, std::string>& extra, KpiModel model) {
  if (model.checks.empty()) {
    throw Error::Usage(fmt::format("--checks: {} has no [check] sections (docs/ini.md)",
                                   kpi.config));
  }
  const Format format = ParseFormat(a.format);
  if (format == Format::kCsv) WriteFullReport({}, nullptr, {}, 0, format);  // refuses, exit 2
  CheckOptions options;
  options.file_overrides = kpi.SourceOverrides();
  for (const auto& [id, path] : extra) options.file_overrides[id] = path;
  options.default_tz = model.tz;
  options.parallel = a.parallel;
  // The checks' "now" as `check -c` takes it: --as-of, else the definition's date, else (as_of
  // = data) the latest event in the checked sources — found by a first read, since timeliness
  // needs it for every row; regular files only — else the clock.
  if (!kpi.as_of.empty()) {
    options.as_of = kpi.as_of;
  } else if (!model.as_of.empty()) {
    options.as_of = model.as_of;
    options.as_of_source = "definition";
  }
  // date_order = auto, decided before the check pass is bound: both read the dates alike.
  DateColumns date_columns = MetricDateColumns(model.metrics);
  AddDateColumns(CheckDateColumns(model.checks), &date_columns);
  const std::vector<DataWarning> date_orders =
      DecideDateOrders(&model.sources, date_columns, options.file_overrides);
  if (options.as_of.empty() && model.as_of_data) {
    options.as_of = ChecksAsOfFromData(model.sources, model.checks, options.file_overrides,
                                       model.tz, a.parallel);
    if (!options.as_of.empty()) options.as_of_source = "data";
  }
  CheckPass checks(model.sources, model.checks, options);
  kpi.taps = checks.Taps();
  KpiRun run = RunKpis(kpi, {}, extra, &model);
  a.OverTime(&run.evaluation.report);
  run.evaluation.report.signs = FindFailureSigns(run.model, run.evaluation.report);
  std::vector<DataWarning>& report_warnings = run.evaluation.report.warnings;
  report_warnings.insert(report_warnings.begin(), date_orders.begin(), date_orders.end());
  std::vector<DataWarning> check_warnings;
  const CheckRun check_run = checks.Finish(&check_warnings);
  std::optional<TreeResult> tree;
  if (!run.model.tree.kgis.empty()) {
    tree = EvaluateTree(run.model, run.evaluation.totals, {}, ReferenceKind::kTarget);
  }
  const int code = CheckExitCode(check_run, false);
  WriteOutput(a.output, WriteFullReport(run.evaluation.report, tree ? &*tree : nullptr,
                                        check_run, code, format));
  if (!a.quiet) {
    std::vector<DataWarning> warnings = run.evaluation.report.warnings;
    warnings.insert(warnings.end(), check_warnings.begin(), check_warnings.end());
    PrintDiagnostics(warnings, LintForHint(kpi, run), kpi.config);
    if (tree) {
      for (const auto& w : tree->warnings) std::fprintf(stderr, "crmkpi: warning: %s\n", w.c_str());
    }
  }
  std::vector<std::string> statuses;
  for (const CheckResult& r : check_run.checks) statuses.emplace_back(CheckStatusName(r.status));
  NoteWritten(a.output, a.quiet,
              "report: " + KpiSummary(run.evaluation.report) + "; " +
                  StatusSummary(statuses, "check"));
  return code;
}

// `report -c kpi.ini`: every KPI of the definition, total and per grouping.
int RunWithDefinition(const ReportArgs& a) {
  if (!a.kpi.metrics_file.empty()) {
    RefuseSourceFlagsWithMetrics(
        *a.cmd, {"files", "--source", "--checks", "--encoding", "--delimiter", "--map", "--won",
                 "--lost", "--stages", "--lost-reached", "--date-format", "--tz", "--lenient",
                 "--missing-tokens", "--for", "--threads", "--exact-groups", "--fx",
                 "--fiscal-year-start", "--fiscal-year-name", "--week-start", "--lang"});
  }
  KpiRunArgs kpi = a.kpi;
  kpi.as_of = a.deals.as_of;
  kpi.exact_groups = a.deals.exact_groups;
  kpi.fx = a.deals.fx;
  kpi.calendar = a.deals.calendar;
  kpi.parallel = a.parallel;
  std::map<std::string, std::string> extra;
  KpiModel model = LoadModel(kpi.config);
  // --view NAME: the view's KPIs, grouped, compared and trended as it says, unless a flag says
  // otherwise (evaluate/view_select.h).
  std::optional<ViewPlan> view;
  if (!a.view_name.empty()) {
    if (a.checks) {
      throw Error::Usage("--view prints some KPIs of a definition, --checks all of them with the "
                         "tree and the checks: give one of the two");
    }
    view = PlanView(model, a.view_name);
  }
  const ViewPlan* v = view ? &*view : nullptr;
  // Whether the rows fall in periods: --period, else the view's period, else the metrics'.
  auto periods = [&] {
    if (v != nullptr && v->view.period) return *v->view.period != Period::kNone;
    bool any = false;
    for (const MetricDef& m : model.metrics) any |= m.period != Period::kNone;
    return any;
  };
  RefuseLoneQualifiers(a, periods());
  if (a.Periodic(v) && !periods() && a.deals.period.empty()) RefuseCompareWithoutPeriods();
  if (a.Given("--opportunity-stage")) {
    throw Error::Usage(
        "--opportunity-stage: with -c, a metric names the stage a deal must reach in its "
        "where (`where = stage reached STAGE`, docs/ini.md); the flag has nothing to apply to");
  }
  ApplySourceFlags(*a.cmd, a.SourceFlags(), a.for_source, kpi.config, &model.sources);
  if (!a.deals.files.empty()) {
    if (model.sources.size() != 1 || a.deals.files.size() != 1) {
      throw Error::Usage(
          "with -c, name the files of the sources with --source ID=PATH (a FILE argument is "
          "allowed only when the definition has exactly one source)");
    }
    extra[model.sources[0].id] = a.deals.files[0];
  }
  if (view && view->view.built_in) {
    // A default view's `by owner` and period, against the sources' headers.
    std::map<std::string, std::string> files = kpi.SourceOverrides();
    for (const auto& [id, path] : extra) files[id] = path;
    FitDefaultView(model, files, !a.Given("--by"),
                   !a.Given("--period") && !a.Given("--period-of"), &*view);
    if (a.Periodic(v) && !periods() && a.deals.period.empty()) RefuseCompareWithoutPeriods();
  }
  ApplyGroupingFlags(a.Grouping(), v, a.kpi.config, &model);
  if (a.checks) return RunWithChecks(a, kpi, extra, model);
  if (view) kpi.only_kpis = view->kpis;
  KpiRun run = RunKpis(kpi, {}, extra, &model);
  Report& report = run.evaluation.report;
  if (view) {
    KeepReportKpis(&report, view->kpis);
    report.view = ViewHeading(*view);
  }
  a.OverTime(&report, v);
  // A view's signs are of its KPIs, read with the whole definition (its tree and layers).
  report.signs = FindFailureSigns(view ? model : run.model, report);
  const Format format = ParseFormat(a.format);
  WriteOutput(a.output, WriteReport(report, format));
  if (!a.quiet) {
    // CSV has no heading: what of a view did not apply goes to stderr.
    if (view && format == Format::kCsv) {
      for (const std::string& note : view->notes) {
        fmt::print(stderr, "crmkpi: note: view '{}': {}\n", view->view.id, note);
      }
    }
    // The lint of the whole definition, not of the part a view computes.
    const std::vector<LintFinding> lint =
        !view ? LintForHint(kpi, run)
              : kpi.no_lint ? std::vector<LintFinding>{} : LintModel(model, run.as_of);
    PrintDiagnostics(report.warnings, lint, kpi.config);
    if (format == Format::kCsv) PrintSigns(report);  // CSV holds KPIs only
  }
  NoteWritten(a.output, a.quiet, "report: " + KpiSummary(report));
  return 0;
}

// `report FILE`: the built-in definition of the export (deals_definition, the text `crmkpi init`
// prints) on the metric engine, as `report -c` runs a user's.
int RunBuiltIn(const ReportArgs& a) {
  RefuseForWithoutConfig(a.for_source);
  RefuseSourcesWithoutConfig(a.kpi);
  RefuseLoneQualifiers(a, false);
  if (!a.kpi.targets.empty()) {
    throw Error::Usage("--targets joins targets to a definition's KPIs: give -c kpi.ini (crmkpi "
                       "init FILE writes one for an export)");
  }
  if (a.kpi.no_lint) {
    throw Error::Usage("--no-lint hides the lint line of a definition given with -c; the "
                       "built-in report (report FILE) has no lint line to hide");
  }
  if (!a.view_name.empty()) {
    throw Error::Usage("--view prints an audience view of a definition: give -c kpi.ini "
                       "('crmkpi init FILE -o kpi.ini' writes one whose KPIs have the layers the "
                       "default views select by)");
  }
  if (a.Given("--period")) ParsePeriodFlag(a.deals.period);
  if (a.Periodic() && a.deals.period.empty()) RefuseCompareWithoutPeriods();
  const DealsDefinitionInput in = ReadDealsDefinitionInput(a.deals);
  std::vector<RoleMapping> mappings = a.deals.input.Mappings();
  mappings.insert(mappings.end(), in.data_mappings.begin(), in.data_mappings.end());
  if (!a.quiet) {
    for (const std::string& w : in.warnings) fmt::print(stderr, "crmkpi: {}\n", w);
  }
  Report report = RunBuiltInReport(in, mappings, a.parallel);
  a.OverTime(&report);
  WriteOutput(a.output, WriteReport(report, ParseFormat(a.format)));
  // After the report, where a terminal user sees them.
  if (!a.quiet) PrintDiagnostics(report.warnings, {});
  NoteWritten(a.output, a.quiet, "report: " + KpiSummary(report));
  return 0;
}

int Run(const ReportArgs& a) {
  ConfigureProgress(a.quiet);
  a.Compare();  // a bad --compare value before any file is read
  if (!a.kpi.config.empty()) return RunWithDefinition(a);
  if (!a.kpi.metrics_file.empty()) {
    throw Error::Usage("--metrics FILE holds the metrics of a definition: give -c kpi.ini, the "
                       "definition it was computed from");
  }
  if (a.checks) {
    throw Error::Usage("--checks runs the [check] sections of a definition: give -c kpi.ini "
                       "(for checks of a file by flags: crmkpi check FILE --require …)");
  }
  if (a.deals.files.empty()) {
    throw Error::Usage("report needs FILE... (or -c kpi.ini); run 'crmkpi report --help'");
  }
  return RunBuiltIn(a);
}

}  // namespace

void SetUpReportCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app->add_subcommand(
      "report", "Deal KPIs of CRM exports: counts, win rate, lead→opportunity rate, revenue, "
                "average deal size, pipeline, sales cycle; total, per --by group and period");
  cmd->add_option("files", args->deals.files,
                  "Deals export CSV file(s); - reads standard input. With -c: the file of the "
                  "definition's only source")
      ->type_name("FILE...");
  cmd->add_option("--by", args->deals.by,
                  "Group by a column (header name or role; repeatable: each --by is a "
                  "separate table; a+b groups by both columns together)")
      ->type_name("COL");
  cmd->add_option("--period", args->deals.period,
                  "Also group by week, month, quarter, half or year (quarters, halves and years "
                  "of the fiscal year: --fiscal-year-start)")
      ->type_name("week|month|quarter|half|year");
  cmd->add_option("--period-of", args->deals.period_of,
                  "Which date places a deal in a period: closed (default), created, or another "
                  "date column")
      ->type_name("closed|created|COL");
  AddStageOptions(cmd, &args->deals.won, &args->deals.lost, &args->deals.stages);
  cmd->add_option("--opportunity-stage", args->deals.opportunity_stage,
                  "The stage from which a deal counts as an opportunity (needs --stages)")
      ->type_name("STAGE");
  cmd->add_option("--lost-reached", args->deals.lost_reached,
                  "How lost deals count for lead_to_opportunity_rate when the export has no "
                  "stage history: exclude (default), opportunity or lead")
      ->type_name("POLICY");
  AddDateOptions(cmd, &args->deals.date_format, &args->deals.tz);
  cmd->add_option("--as-of", args->deals.as_of,
                  "The date treated as now (default: the latest date in the data)")
      ->type_name("DATE");
  cmd->add_flag("--lenient", args->deals.lenient,
                "Skip records whose field count differs from the header (counted and "
                "reported) instead of failing");
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), csv, json, md or html (a dashboard)");
  AddParallelOptions(cmd, &args->parallel);
  args->deals.input.Register(cmd);
  args->kpi.Register(cmd, false);
  AddForOption(cmd, &args->for_source);
  cmd->add_flag("--checks", args->checks,
                "With -c: also run the definition's [check] sections, from the same read of "
                "each source; prints KPIs, tree and checks, and exits as check does (1 when a "
                "check fails)");
  AddExactGroupsOption(cmd, &args->deals.exact_groups);
  AddFxOption(cmd, &args->deals.fx);
  args->deals.calendar.Register(cmd);
  cmd->add_option("--compare", args->compare,
                  "Beside every KPI per period, the same KPI in the previous period or the same "
                  "period a year earlier, with the change (rates in points); needs --period or "
                  "metrics with a period")
      ->type_name("previous|year-ago");
  cmd->add_option("--trend", args->trend,
                  "Keep the last N periods up to the as-of, and print each KPI as a series "
                  "over them with its target (needs --period or metrics with a period)")
      ->type_name("N");
  cmd->add_option("--view", args->view_name,
                  "With -c: print the audience view NAME of the definition — its KPIs, period, "
                  "grouping, compare and trend ([view NAME]; without any, the default views "
                  "executive, manager, field; 'crmkpi views -c kpi.ini' lists them); flags "
                  "replace its settings")
      ->type_name("NAME");
  AddTargetsOption(cmd, &args->kpi.targets);
  AddNoLintOption(cmd, &args->kpi.no_lint);
  AddMetricsOption(cmd, &args->kpi.metrics_file);
  args->cmd = cmd;
  OneValuePerFlag(cmd);
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
