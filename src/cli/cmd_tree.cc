#include "cmd_tree.h"


#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/evaluate/failure_signs.h"
#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/evaluate/period_compare.h"
#include "crmkpi/evaluate/targets_join.h"
#include "crmkpi/evaluate/tree_groups.h"
#include "crmkpi/evaluate/tree_period.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/tree_writer.h"
#include "excel_options.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct TreeArgs {
  KpiRunArgs kpi;
  std::vector<std::string> sets;              // --set ID=VALUE
  std::string baseline;                       // --baseline other.ini
  std::vector<std::string> baseline_sources;  // --baseline-source ID=PATH
  std::string period;                         // --period week|month|quarter|half|year
  std::string by;                             // --by COL[+COL]: a tree per group
  std::string format = "table";
  std::string output;
  CLI::App* cmd = nullptr;
};

std::map<std::string, double> ParseSets(const std::vector<std::string>& sets) {
  std::map<std::string, double> out;
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error::Usage(fmt::format("--set expects ID=VALUE (e.g. win_rate=0.35), got '{}'", s));
    }
    std::string value = s.substr(eq + 1);
    double divisor = 1;  // 35% → 35 / 100, the double nearest 0.35
    if (!value.empty() && value.back() == '%') {
      value.pop_back();
      divisor = 100;
    }
    try {
      std::size_t used = 0;
      const double v = std::stod(value, &used);
      if (used != value.size()) throw std::invalid_argument("trailing");
      out[s.substr(0, eq)] = v / divisor;
    } catch (const std::exception&) {
      throw Error::Usage(fmt::format("--set {}: '{}' is not a number", s.substr(0, eq),
                                     s.substr(eq + 1)));
    }
  }
  return out;
}

// --baseline previous|year-ago: two periods of this definition; anything else is a file.
CompareTo BaselinePeriod(const std::string& baseline) {
  if (baseline == "previous" || baseline == "year-ago" || baseline == "yoy") {
    return ParseCompareTo(baseline);
  }
  return CompareTo::kNone;
}

std::string GroupName(const TreeResult& t) {
  std::string out;
  for (const auto& [column, value] : t.group) out += (out.empty() ? "" : ", ") + column + " " + value;
  return out;
}

int Run(const TreeArgs& a) {
  ConfigureProgress(a.kpi.quiet);
  SetWarningsQuiet(a.kpi.quiet);  // the reader's own warnings (duplicate headers) too
  const Format format = ParseFormat(a.format);
  const std::map<std::string, double> sets = ParseSets(a.sets);
  if (!sets.empty() && (!a.baseline.empty() || !a.baseline_sources.empty())) {
    throw Error::Usage("--set (what-if) and --baseline cannot be combined");
  }
  const CompareTo period_baseline = BaselinePeriod(a.baseline);
  const bool other_data =
      (!a.baseline.empty() && period_baseline == CompareTo::kNone) || !a.baseline_sources.empty();
  if (other_data && (!a.period.empty() || period_baseline != CompareTo::kNone)) {
    throw Error::Usage(
        "--period and --baseline previous|year-ago compare periods of this definition's data; "
        "--baseline FILE.ini and --baseline-source compare its totals with other data: give "
        "one or the other, not both");
  }
  const std::vector<std::string> by =
      a.by.empty() ? std::vector<std::string>{} : ParseBy({a.by}).front();
  if (!by.empty() && !sets.empty()) {
    throw Error::Usage("--set (what-if) works on the whole data's tree; run it without --by");
  }
  if (!a.kpi.metrics_file.empty()) {
    if (other_data) {
      throw Error::Usage("--baseline FILE.ini and --baseline-source read other data; with "
                         "--metrics FILE no source is read (compare periods of FILE with "
                         "--baseline previous|year-ago)");
    }
    RefuseSourceFlagsWithMetrics(*a.cmd, {"--source", "--exact-groups", "--fx",
                                          "--fiscal-year-start", "--fiscal-year-name",
                                          "--week-start", "--lang"});
  }
  if (!by.empty() && other_data) {
    throw Error::Usage("--by gives each group's tree against its targets or, with --baseline "
                       "previous|year-ago, its own earlier period; --baseline FILE.ini and "
                       "--baseline-source compare the whole data's: give one or the other");
  }
  Period kind = a.period.empty() ? Period::kNone : ParsePeriodFlag(a.period);
  KpiModel model = LoadModel(a.kpi.config);
  if (kind == Period::kNone && period_baseline != CompareTo::kNone) {
    kind = MetricsPeriod(model);
    if (kind == Period::kNone) {
      throw Error::Usage(fmt::format(
          "--baseline {} compares two periods of the definition: add --period week|month|"
          "quarter|half|year, or give its metrics a period (docs/ini.md)",
          a.baseline));
    }
  }
  if (!by.empty()) {
    GroupMetricsByColumns(by, kind, &model);
  } else if (!a.period.empty()) {
    GroupMetricsByPeriod(kind, &model);
  }
  KpiRunArgs kpi = a.kpi;
  // The tree of one period or one group: the values per group.
  kpi.group_values = kind != Period::kNone || !by.empty();
  KpiRun run = RunKpis(kpi, sets, {}, &model);
  if (run.model.tree.kgis.empty()) {
    throw Error(ExitCode::kUsage, "the definition has no [tree] (kgi = …)", {run.model.name, 0, 0});
  }
  // tree --period: the values of the as-of's period (and of its reference period).
  std::optional<TreePeriodValues> periods;
  if (kind != Period::kNone) {
    periods = PickTreePeriods(run.model, run.evaluation, kind, period_baseline);
  }
  const ValueMap& actual = periods ? periods->actual_values : run.evaluation.totals;
  run.evaluation.report.signs = FindFailureSigns(run.model, run.evaluation.report);
  // The targets table's, for the whole data (or the period alone), over the definition's.
  const ResolvedTargets table = ResolveTargets(run.model);
  const TargetMap targets =
      periods ? TreeTargets(run.model, table, {"period"}, {periods->actual.label})
              : TreeTargets(run.model, table, {}, {});
  TreeResult tree;
  if (!sets.empty()) {
    // What-if: the tree after the change, against the same data before it.
    const KpiRun before = RunKpis(kpi, {}, {}, &model);
    bool rows = true;
    const ValueMap before_values =
        periods ? PeriodValues(run.model, before.evaluation, periods->actual.label, &rows)
                : before.evaluation.totals;
    const ValueMap after = PropagateThroughTree(run.model, before_values, actual);
    tree = EvaluateTree(run.model, after, before_values, ReferenceKind::kWhatIf, targets);
  } else if (period_baseline != CompareTo::kNone) {
    tree = EvaluateTree(run.model, actual, periods->reference_values, ReferenceKind::kBaseline,
                        targets);
    tree.reference_period = periods->reference;
    tree.baseline_kind = period_baseline == CompareTo::kPrevious ? "previous" : "year-ago";
  } else if (other_data) {
    KpiRunArgs base = a.kpi;
    if (!a.baseline.empty()) base.config = a.baseline;
    base.sources = a.baseline_sources;
    const KpiModel base_model = LoadModel(base.config);
    for (const auto& [id, path] : base.SourceOverrides()) {
      bool known = false;
      for (const auto& s : base_model.sources) known = known || s.id == id;
      for (const auto& l : base_model.lookups) known = known || l.id == id;
      if (!known) {
        throw Error::Usage(fmt::format("--baseline-source {}={}: no source or lookup of that name",
                                       id, path));
      }
    }
    const KpiRun reference = RunKpis(base);
    if (!a.kpi.quiet) {  // the baseline's data problems matter as much as the actual's
      for (const DataWarning& w : reference.evaluation.report.warnings) {
        std::fprintf(stderr, "crmkpi: %s: warning (baseline): %s — %llu row%s\n",
                     w.first.ToString().c_str(), w.message.c_str(),
                     static_cast<unsigned long long>(w.count), w.count == 1 ? "" : "s");
      }
    }
    tree = EvaluateTree(run.model, run.evaluation.totals, reference.evaluation.totals,
                        ReferenceKind::kBaseline);
  } else {
    tree = EvaluateTree(run.model, actual, {}, ReferenceKind::kTarget, targets);
  }
  if (periods) tree.period = periods->actual;
  // --by: each group's tree, against its own targets or its own reference period.
  std::vector<TreeResult> groups;
  if (!by.empty()) {
    for (const GroupTreeInput& g : GroupTreeInputs(run.model, run.evaluation, by,
                                                   periods ? &*periods : nullptr, table)) {
      TreeResult t = period_baseline != CompareTo::kNone
                         ? EvaluateTree(run.model, g.actual, g.reference,
                                        ReferenceKind::kBaseline, g.targets)
                         : EvaluateTree(run.model, g.actual, {}, ReferenceKind::kTarget,
                                        g.targets);
      if (periods) {
        t.period = periods->actual;
        t.period->has_rows = g.actual_rows;
        if (tree.reference_period) {
          t.reference_period = *tree.reference_period;
          t.reference_period->has_rows = g.reference_rows;
          t.baseline_kind = tree.baseline_kind;
        }
      }
      for (std::size_t i = 0; i < by.size(); ++i) t.group.emplace_back(by[i], g.values[i]);
      groups.push_back(std::move(t));
    }
  }
  WriteOutput(a.output, WriteTree(tree, run.evaluation.report, format, groups));
  {
    std::vector<std::string> statuses;
    std::function<void(const TreeNode&)> walk = [&](const TreeNode& n) {
      statuses.push_back(n.status);
      for (const TreeNode& c : n.children) walk(c);
    };
    for (const TreeNode& root : tree.roots) walk(root);
    for (const TreeResult& g : groups) {
      for (const TreeNode& root : g.roots) walk(root);
    }
    NoteWritten(a.output, a.kpi.quiet, "tree: " + StatusSummary(statuses, "node"));
  }
  if (!a.kpi.quiet) {
    PrintDiagnostics(run.evaluation.report.warnings, LintForHint(a.kpi, run), a.kpi.config);
    for (const auto& w : tree.warnings) std::fprintf(stderr, "crmkpi: warning: %s\n", w.c_str());
    if (format == Format::kCsv) PrintSigns(run.evaluation.report);  // CSV holds the tree only
    for (const TreeResult& g : groups) {
      for (const auto& w : g.warnings) {
        std::fprintf(stderr, "crmkpi: warning: %s: %s\n", GroupName(g).c_str(), w.c_str());
      }
    }
  }
  return 0;
}

}  // namespace

void SetUpTreeCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<TreeArgs>();
  CLI::App* cmd = app->add_subcommand(
      "tree", "The KPI tree of a definition: actual against target (or a baseline), status, and "
              "each node's contribution to the root's gap");
  args->kpi.Register(cmd, true);
  cmd->add_option("--set", args->sets,
                  "What-if: fix a KPI, metric or constant to a value (ID=VALUE, 35% allowed; "
                  "repeatable) and show every dependent node before and after")
      ->type_name("ID=VALUE");
  cmd->add_option("--baseline", args->baseline,
                  "Compare with another definition's values (e.g. last quarter's INI) instead "
                  "of the targets; previous or year-ago: with the period before the as-of's, "
                  "or the same period a year earlier, of this definition (needs --period or "
                  "metrics with a period)")
      ->type_name("FILE.ini|previous|year-ago");
  cmd->add_option("--baseline-source", args->baseline_sources,
                  "Compare with the same definition run on other exports: ID=PATH (repeatable)")
      ->type_name("ID=PATH");
  cmd->add_option("--period", args->period,
                  "The tree of one period, the one holding the as-of: every metric grouped by "
                  "week, month, quarter, half or year (quarters, halves and years of the "
                  "fiscal year: --fiscal-year-start)")
      ->type_name("week|month|quarter|half|year");
  cmd->add_option("--by", args->by,
                  "Also the tree of each group of this column (a+b: of both together), against "
                  "the group's targets from the targets table (--targets, [targets]) or, with "
                  "--baseline previous|year-ago, the group's own earlier period")
      ->type_name("COL");
  cmd->add_option("--format,-f", args->format, "table (default), json, md, csv or html (a dashboard)")
      ->type_name("FORMAT");
  cmd->add_option("-o,--output", args->output, "Write to this file (atomically)")
      ->type_name("FILE");
  cmd->add_option("--as-of", args->kpi.as_of,
                  "The date treated as now (lint: review age; --period: the period holding it)")
      ->type_name("DATE");
  cmd->add_flag("--quiet,-q", args->kpi.quiet,
                "No warnings on stderr (data warnings, the lint line, the -o summary)");
  AddExactGroupsOption(cmd, &args->kpi.exact_groups);
  AddFxOption(cmd, &args->kpi.fx);
  args->kpi.calendar.Register(cmd);
  AddTargetsOption(cmd, &args->kpi.targets);
  AddNoLintOption(cmd, &args->kpi.no_lint);
  AddMetricsOption(cmd, &args->kpi.metrics_file);
  args->cmd = cmd;
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
