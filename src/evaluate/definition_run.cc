#include "crmkpi/evaluate/definition_run.h"

#include <algorithm>
#include <filesystem>

#include <optional>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/engine/date_orders.h"
#include "crmkpi/evaluate/targets_join.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {
namespace {

// The built-in KPIs keep the report's own presentation: short names and units in the basis,
// no target columns (the definition has no targets; `crmkpi init` writes it out to add them).
void PresentAsBuiltIn(GroupRow* row) {
  for (KpiValue& v : row->kpis) {
    v.label.clear();
    v.target.reset();
    v.achievement.reset();
    v.status.clear();
  }
}

// Whether every file of the definition's row sources can be read twice (regular files).
bool AllRegularFiles(const KpiModel& model, const std::map<std::string, std::string>& files) {
  for (const SourceDef& s : model.sources) {
    std::vector<std::string> paths = {s.file};
    paths.insert(paths.end(), s.more_files.begin(), s.more_files.end());
    if (const auto it = files.find(s.id); it != files.end()) paths = {it->second};
    for (const std::string& p : paths) {
      std::error_code ec;
      if (p.empty()) continue;  // an analysis source without a file of its own
      if (p == "-" || !std::filesystem::is_regular_file(p, ec)) return false;
    }
  }
  return true;
}

}  // namespace

std::string ChecksAsOfFromData(const std::vector<SourceDef>& sources,
                               const std::vector<CheckDef>& checks,
                               const std::map<std::string, std::string>& files,
                               const std::string& tz, const ParallelOptions& parallel) {
  std::vector<std::string> source_ids;
  for (const CheckDef& c : checks) source_ids.push_back(c.source);
  std::vector<SourceDef> read;
  std::vector<MetricDef> counts;  // a source is read when a metric needs it: one row count each
  for (const SourceDef& s : sources) {
    if (s.kind != SourceKind::kRows ||
        std::find(source_ids.begin(), source_ids.end(), s.id) == source_ids.end()) {
      continue;
    }
    read.push_back(s);
    MetricDef m;
    m.id = "rows of " + s.id;
    m.source = s.id;
    counts.push_back(m);
  }
  KpiModel probe;
  probe.sources = read;
  if (read.empty() || !AllRegularFiles(probe, files)) return {};
  const std::optional<Seconds> latest =
      RunMetrics(read, {}, counts, files, tz, std::nullopt, parallel, true, {}).data_as_of;
  return latest ? DateParser({}, tz).FormatInstant(*latest) : std::string();
}

DefinitionRun RunDefinition(const KpiModel& model, const std::string& as_of_flag,
                            const std::map<std::string, std::string>& files,
                            const std::map<std::string, double>& overrides,
                            const ParallelOptions& parallel,
                            const std::map<std::string, RowTap*>& taps, bool group_values,
                            const MetricRun* given) {
  DefinitionRun run;
  for (const auto& [id, value] : overrides) {
    if (!model.FindKpi(id) && !model.FindMetric(id) && !model.FindConstant(id)) {
      throw Error::Usage(fmt::format("--set {}: no KPI, metric or constant of that name", id));
    }
  }
  // A targets table's mistakes (a period that names none) before any source is read.
  const ResolvedTargets targets = ResolveTargets(model);
  run.as_of = !as_of_flag.empty() ? as_of_flag : model.as_of;
  std::optional<Seconds> as_of;  // for sla metrics: when an unfinished row is late
  if (!run.as_of.empty()) {
    Seconds t = 0;
    if (DateParser({}, model.tz).Parse(run.as_of, &t) != ParseStatus::kOk) {
      throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", run.as_of));
    }
    as_of = t;
  }
  // A metric that needs an as-of (sla: is an unfinished row already late; km_median: how long
  // the open ones have run) takes the latest event in the data when none is given, as
  // `as_of = data` does: every unresolved ticket "pending" would make a 24 h SLA 100 %.
  const bool needs_as_of = std::any_of(model.metrics.begin(), model.metrics.end(), [](const MetricDef& m) {
    return m.aggregation == Aggregation::kSla || m.aggregation == Aggregation::kKmMedian;
  });
  bool from_data = as_of_flag.empty() && (model.as_of_data || (model.as_of.empty() && needs_as_of));
  // An sla metric decides on each row whether an unfinished one is late, so the as-of must be
  // known before the rows are read: the latest event is found by a first read of the sources
  // (regular files only; a stream cannot be read twice and keeps its unfinished rows pending).
  std::optional<Seconds> data_as_of;
  const bool sla = std::any_of(model.metrics.begin(), model.metrics.end(), [](const MetricDef& m) {
    return m.aggregation == Aggregation::kSla;
  });
  // date_order = auto: each source's order of numeric dates, from its first rows, before any
  // pass (a note or warning leads the report's warnings).
  std::vector<SourceDef> sources = model.sources;
  const std::vector<DataWarning> date_orders =
      given != nullptr ? std::vector<DataWarning>{}
                       : DecideDateOrders(&sources, MetricDateColumns(model.metrics), files);
  if (given != nullptr) {
    from_data = false;  // the long result's as-of (its @as_of row) is the data's
  } else if (from_data && sla && AllRegularFiles(model, files)) {
    data_as_of = RunMetrics(sources, model.lookups, model.metrics, files, model.tz,
                            std::nullopt, parallel, true, {})
                     .data_as_of;
    if (data_as_of) {
      as_of = data_as_of;
      from_data = false;
    }
  }
  run.metrics = given != nullptr ? *given
                                 : RunMetrics(sources, model.lookups, model.metrics, files,
                                              model.tz, as_of, parallel, from_data, taps);
  if (data_as_of) run.metrics.data_as_of = data_as_of;
  const auto target_groups = TargetGroups(targets);
  run.evaluation = EvaluateKpis(model, run.metrics, overrides, target_groups, group_values);
  Report& report = run.evaluation.report;
  report.warnings.insert(report.warnings.begin(), date_orders.begin(), date_orders.end());
  if (run.metrics.data_as_of) {
    // as_of = data: the latest event in the data, in full in the definition's zone, so that
    // --as-of with the printed value reproduces every figure.
    run.as_of = DateParser({}, model.tz).FormatInstant(*run.metrics.data_as_of);
    report.as_of = run.as_of;
    report.as_of_source = "data";
  }
  if (!as_of_flag.empty()) {
    // As given: a date stays a date, a date-time is printed in full.
    report.as_of = as_of_flag.find(':') == std::string::npos
                       ? FormatDate(DateParser({}, model.tz).LocalDate(*as_of))
                       : DateParser({}, model.tz).FormatInstant(*as_of);
    report.as_of_source = "option";
  }
  // Its pace counts to the as-of.
  ApplyTargets(model, targets, &report, GroupsWithoutRows(target_groups, run.metrics));
  return run;
}

Report RunBuiltInReport(const DealsDefinitionInput& given, const std::vector<RoleMapping>& mappings,
                        const ParallelOptions& parallel) {
  DealsDefinitionInput in = given;
  const std::vector<std::string> files = in.files;
  in.as_of.clear();         // the as-of goes to the run (any date or date-time), not the INI
  in.files.assign(1, "FILE");  // a path is any bytes, an INI is UTF-8: set on the model below
  DealsDefinitionText text;
  text.comments = false;
  text.tree = false;
  KpiModel model =
      KpiModel::Load(IniFile::Parse(DealsDefinitionIni(in, text), "(the built-in definition)"));
  if (!model.fx.empty()) {
    model.fx.origin = "--fx";  // the rates came from the flag, and messages say so
    model.SetFx(model.fx);
  }
  SourceDef& source = model.sources.at(0);
  source.from_flags = true;
  // The order was decided (and told) from the first file by ReadDealsDefinitionInput: dmy is
  // written in the definition, anything else is month first.
  if (source.date_order == "auto") source.date_order = "mdy";
  source.mappings = mappings;  // the other roles detected in each file
  source.file = files.at(0);
  source.file_loc = {};
  source.more_files.assign(files.begin() + 1, files.end());
  source.more_file_locs.assign(source.more_files.size(), SourceLoc{});
  DefinitionRun run = RunDefinition(model, given.as_of, {}, {}, parallel);
  Report& report = run.evaluation.report;
  PresentAsBuiltIn(&report.total);
  for (Grouping& g : report.groupings) {
    for (GroupRow& row : g.rows) PresentAsBuiltIn(&row);
  }
  return std::move(report);
}

}  // namespace crmkpi
