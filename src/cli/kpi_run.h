// Internal: the `-c kpi.ini` pipeline shared by report, tree and lint — load and check the
// definition, run every metric in one pass per source, evaluate the KPIs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/engine/row_tap.h"
#include "crmkpi/evaluate/kpi_lint.h"
#include "crmkpi/evaluate/view_select.h"

namespace crmkpi {

// --fiscal-year-start N, --fiscal-year-name start|end, --week-start monday|sunday, --lang en|ja
// (report, tree, init): the calendar of periods; each replaces the definition's setting.
struct CalendarFlags {
  std::string fiscal_year_start, fiscal_year_name, week_start, lang;
  void Register(CLI::App* app);
  void ApplyTo(Calendar* cal) const;  // Error(kUsage) for a bad value
};

struct KpiRunArgs {
  std::string config;
  std::vector<std::string> sources;  // --source ID=PATH
  std::string as_of;
  bool quiet = false;
  bool exact_groups = false;  // --exact-groups: group values compared as written
  bool no_lint = false;       // --no-lint: no lint line on stderr
  std::string fx;             // --fx CODE=RATE,...: replaces the definition's [fx]
  std::string targets;        // --targets FILE: replaces the definition's [targets]
  CalendarFlags calendar;
  ParallelOptions parallel;  // set by the command (report: --threads)
  std::map<std::string, RowTap*> taps;  // set by report --checks: the checks read along
  bool group_values = false;  // set by tree: every id's value per group (KpiEvaluation)
  // Set by report --view: only these KPIs, the KPIs they use and the metrics those read are
  // evaluated and computed (evaluate/view_select.h KeepKpis, after the targets are read).
  std::vector<std::string> only_kpis;
  // --metrics FILE (report -c, tree -c): the metrics from this long result (docs/scale.md)
  // instead of a pass over the sources.
  std::string metrics_file;

  void Register(CLI::App* app, bool config_required);
  std::map<std::string, std::string> SourceOverrides() const;
};

struct KpiRun {
  KpiModel model;
  MetricRun metrics;
  KpiEvaluation evaluation;
  std::string as_of;  // --as-of, else [crmkpi] as_of, else empty (the clock is never read)
};

KpiModel LoadModel(const std::string& config);

// --source ID=PATH names a source of a definition: Error(kUsage) when given without -c.
void RefuseSourcesWithoutConfig(const KpiRunArgs& args);

// Runs the metrics and evaluates the KPIs; |overrides| fixes values (what-if). |model|, when
// given, is the definition already loaded from args.config (and changed by flags).
KpiRun RunKpis(const KpiRunArgs& args, const std::map<std::string, double>& overrides = {},
               const std::map<std::string, std::string>& extra_sources = {},
               const KpiModel* model = nullptr);

// Prints data warnings on stderr, then, when |lint| has findings, one line counting them and
// naming `crmkpi lint -c CONFIG`, which lists them (docs/cli.md, "Warnings on stderr").
void PrintDiagnostics(const std::vector<DataWarning>& warnings,
                      const std::vector<LintFinding>& lint, const std::string& config = "");

// The failure signs on stderr, for a format that cannot hold them (CSV).
void PrintSigns(const Report& report);

// The lint findings report -c and tree -c count on stderr: none with --no-lint.
std::vector<LintFinding> LintForHint(const KpiRunArgs& args, const KpiRun& run);

// --exact-groups (report, tree, init): group values as written, without NFKC and white-space
// collapsing (docs/kpis.md, "Group keys").
void AddExactGroupsOption(CLI::App* app, bool* exact_groups);
// --fx CODE=RATE,... (report, tree, init): exchange rates into one currency.
void AddFxOption(CLI::App* app, std::string* fx);
// --targets FILE (report, tree): a targets table per KPI, group and period.
void AddTargetsOption(CLI::App* app, std::string* targets);
// --metrics FILE (report, tree): the KPIs from a long result instead of the sources.
void AddMetricsOption(CLI::App* app, std::string* file);
// With --metrics: Error(kUsage) for the first of |flags| given to |cmd| (those that only
// matter when the sources are read), saying why.
void RefuseSourceFlagsWithMetrics(const CLI::App& cmd, const std::vector<std::string>& flags);
// --no-lint (report, tree): no lint line on stderr.
void AddNoLintOption(CLI::App* app, bool* no_lint);

// --by, --period and --period-of as given on the command line (a flag not given is nullopt).
struct GroupingFlags {
  std::optional<std::vector<std::string>> by;
  std::optional<std::string> period;
  std::optional<std::string> period_of;  // "" = closed
};

// With -c, --by and --period replace the groupings of every metric that can be grouped (not
// the figures of analysis sources), and --period-of the date that places a row in a period.
// A view's by and period do the same where no flag replaces them, for the metrics its KPIs
// read (the others are not computed). Error(kUsage) when a flag is given and |config| has no
// metric it can group. (report -c and `crmkpi metrics`, so that both group alike.)
void ApplyGroupingFlags(const GroupingFlags& flags, const ViewPlan* view,
                        const std::string& config, KpiModel* model);

}  // namespace crmkpi
