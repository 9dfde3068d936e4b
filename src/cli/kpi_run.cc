#include "kpi_run.h"

#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "input_options.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/engine/long_result_reader.h"
#include "crmkpi/evaluate/definition_run.h"
#include "crmkpi/evaluate/view_select.h"
#include "crmkpi/values/fiscal_calendar.h"
#include "crmkpi/values/fx_rates.h"

namespace crmkpi {

void KpiRunArgs::Register(CLI::App* app, bool config_required) {
  auto* c = app->add_option("-c,--config", config, "KPI definition (INI, docs/ini.md)")
                ->type_name("FILE");
  if (config_required) c->required();
  app->add_option("--source", sources,
                  "Read this source (or lookup) from another file: ID=PATH (repeatable)")
      ->type_name("ID=PATH");
}

std::map<std::string, std::string> KpiRunArgs::SourceOverrides() const {
  std::map<std::string, std::string> out;
  for (const auto& s : sources) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
      throw Error::Usage(fmt::format("--source expects ID=PATH, got '{}'", s));
    }
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

KpiModel LoadModel(const std::string& config) { return KpiModel::Load(IniFile::Load(config)); }

void RefuseSourcesWithoutConfig(const KpiRunArgs& args) {
  if (args.config.empty() && !args.sources.empty()) {
    throw Error::Usage(fmt::format(
        "--source {} names a source of a definition; it needs -c kpi.ini (without -c, give "
        "the file as FILE)",
        args.sources.front()));
  }
}

KpiRun RunKpis(const KpiRunArgs& args, const std::map<std::string, double>& overrides,
               const std::map<std::string, std::string>& extra_sources, const KpiModel* model) {
  KpiRun run;
  run.model = model != nullptr ? *model : LoadModel(args.config);
  if (args.exact_groups) run.model.SetExactGroups(true);
  if (!args.fx.empty()) run.model.SetFx(ParseFxFlag(args.fx));
  TargetsDef targets;  // --targets, else the [targets] section's
  if (!args.targets.empty()) {
    targets.file = args.targets;
    targets.origin = "--targets";
  } else {
    targets = run.model.targets;
  }
  if (!targets.empty()) run.model.SetTargets(std::move(targets));
  if (!args.only_kpis.empty()) KeepKpis(&run.model, args.only_kpis);
  Calendar cal = run.model.calendar;
  args.calendar.ApplyTo(&cal);
  run.model.SetCalendar(cal);
  std::map<std::string, std::string> files = args.SourceOverrides();
  for (const auto& [id, path] : extra_sources) files[id] = path;
  std::optional<LongResult> given;
  if (!args.metrics_file.empty()) {
    if (!files.empty() || !args.taps.empty()) {
      throw Error::Usage("--metrics FILE: the metrics come from FILE, no source is read; "
                         "--source, a FILE argument and --checks read sources");
    }
    // Read against the whole definition (a view keeps some of its metrics).
    const KpiModel whole = model != nullptr ? *model : LoadModel(args.config);
    given = ReadLongResult(args.metrics_file, whole.metrics, run.model.tz);
    if (!args.only_kpis.empty()) {
      std::vector<MetricResult> kept;
      for (const MetricDef& m : run.model.metrics) {
        for (MetricResult& r : given->run.metrics) {
          if (r.id == m.id) kept.push_back(std::move(r));
        }
      }
      given->run.metrics = std::move(kept);
    }
  }
  DefinitionRun d = RunDefinition(run.model, args.as_of, files, overrides, args.parallel, args.taps,
                                  args.group_values, given ? &given->run : nullptr);
  run.metrics = std::move(d.metrics);
  run.evaluation = std::move(d.evaluation);
  run.as_of = std::move(d.as_of);
  return run;
}

void AddExactGroupsOption(CLI::App* app, bool* exact_groups) {
  app->add_flag("--exact-groups", *exact_groups,
                "Compare group values as written (default: after NFKC and white-space "
                "collapsing, so '佐藤 花子' and '佐藤　花子' are one group)");
}

void CalendarFlags::Register(CLI::App* app) {
  app->add_option("--fiscal-year-start", fiscal_year_start,
                  "The month the fiscal year starts in (4 = April: 2025年度 = 2025-04 … "
                  "2026-03); quarters, halves and years follow it (default 1)")
      ->type_name("MONTH");
  app->add_option("--fiscal-year-name", fiscal_year_name,
                  "Name a fiscal year by the calendar year it starts in (default) or ends in")
      ->type_name("start|end");
  app->add_option("--week-start", week_start, "First day of a week (default monday: ISO weeks)")
      ->type_name("monday|sunday");
  app->add_option("--lang", lang, "Language of period labels: en (FY2025 Q1) or ja (2025年度 第1四半期)")
      ->type_name("en|ja");
}

void CalendarFlags::ApplyTo(Calendar* cal) const {
  if (!fiscal_year_start.empty()) {
    try {
      cal->fiscal_year_start = ParseFiscalYearStart(fiscal_year_start);
    } catch (const Error& e) {
      throw Error::Usage("--fiscal-year-start: " + e.message());
    }
  }
  auto one_of = [](const std::string& v, const char* flag, const char* a, const char* b) {
    if (v != a && v != b) {
      throw Error::Usage(fmt::format("{}: expected {} or {}, got '{}'", flag, a, b, v));
    }
    return v == b;
  };
  if (!fiscal_year_name.empty()) {
    cal->name_by_end = one_of(fiscal_year_name, "--fiscal-year-name", "start", "end");
  }
  if (!week_start.empty()) cal->week_starts_sunday = one_of(week_start, "--week-start", "monday", "sunday");
  if (!lang.empty()) cal->ja = one_of(lang, "--lang", "en", "ja");
}

void AddFxOption(CLI::App* app, std::string* fx) {
  app->add_option("--fx", *fx,
                  "Exchange rates into one currency: CODE=RATE,... in units of the base "
                  "currency (the one at 1) per unit, e.g. JPY=1,USD=150; money is converted by "
                  "each row's currency column (replaces a definition's [fx])")
      ->type_name("RATES");
}

void AddTargetsOption(CLI::App* app, std::string* targets) {
  app->add_option("--targets", *targets,
                  "A targets table (CSV: kpi, group columns, period, target; docs/ini.md "
                  "[targets]): 予実 per group and period, with the pace at the as-of (replaces "
                  "the definition's [targets])")
      ->type_name("FILE.csv");
}

void AddMetricsOption(CLI::App* app, std::string* file) {
  app->add_option("--metrics", *file,
                  "With -c: evaluate the KPIs from this long result (CSV or JSON, from `crmkpi "
                  "metrics` or a warehouse's SQL; docs/scale.md) instead of reading the sources")
      ->type_name("FILE");
}

void RefuseSourceFlagsWithMetrics(const CLI::App& cmd, const std::vector<std::string>& flags) {
  for (const std::string& name : flags) {
    const CLI::Option* o = cmd.get_option_no_throw(name);
    if (o == nullptr || o->count() == 0) continue;
    const std::string shown = name.rfind("--", 0) == 0 ? name : "a " + name + " argument";
    throw Error::Usage(fmt::format(
        "{} cannot be combined with --metrics: it changes how the sources are read or grouped, "
        "and with --metrics FILE no source is read — the metrics were computed when FILE was "
        "made (give it to `crmkpi metrics`, or to the SQL, instead)",
        shown));
  }
}

void AddNoLintOption(CLI::App* app, bool* no_lint) {
  app->add_flag("--no-lint", *no_lint,
                "No lint line on stderr (the definition's KPI-design findings; crmkpi lint "
                "lists them)");
}

void PrintSigns(const Report& report) {
  for (const FailureSign& s : report.signs) {
    std::fprintf(stderr, "crmkpi: note: failure sign %s: %s (remedy: %s)\n", s.kind.c_str(),
                 s.message.c_str(), s.remedy.c_str());
  }
}

std::vector<LintFinding> LintForHint(const KpiRunArgs& args, const KpiRun& run) {
  if (args.no_lint) return {};
  return LintModel(run.model, run.as_of);
}

void PrintDiagnostics(const std::vector<DataWarning>& warnings,
                      const std::vector<LintFinding>& lint, const std::string& config) {
  for (const DataWarning& w : warnings) {
    const std::string sample = w.sample.empty() ? "" : fmt::format(" (first: \"{}\")", w.sample);
    const std::string count = w.count > 1 ? fmt::format(" — {} rows", w.count) : "";
    // day_first (bind/date_order.h) tells how dates are read: a note, not a problem.
    std::fprintf(stderr, "crmkpi: %s: %s: %s%s%s\n", w.first.ToString().c_str(),
                 w.kind == "day_first" ? "note" : "warning", w.message.c_str(), count.c_str(),
                 sample.c_str());
  }
  // Lint findings are about the definition, not the data, and the same on every run: one
  // line, not one per finding (crmkpi lint lists them).
  if (lint.empty()) return;
  std::size_t errors = 0;
  for (const LintFinding& f : lint) errors += f.severity == LintSeverity::kError ? 1 : 0;
  const std::size_t warnings_n = lint.size() - errors;
  std::string counts;
  if (errors > 0) counts = fmt::format("{} lint error{}", errors, errors == 1 ? "" : "s");
  if (warnings_n > 0) {
    counts += fmt::format("{}{} lint warning{}", counts.empty() ? "" : " and ", warnings_n,
                          warnings_n == 1 ? "" : "s");
  }
  std::fprintf(stderr,
               "crmkpi: %s: note: the definition has %s (KPI-design checks); "
               "'crmkpi lint -c %s' lists them, --no-lint hides this line\n",
               config.c_str(), counts.c_str(), config.c_str());
}

void ApplyGroupingFlags(const GroupingFlags& flags, const ViewPlan* view,
                        const std::string& config, KpiModel* model) {
  const bool by = flags.by.has_value(), period = flags.period.has_value();
  const bool period_of = flags.period_of.has_value();
  const bool view_by = !by && view != nullptr && view->view.by.has_value();
  const bool view_period = !period && view != nullptr && view->view.period.has_value();
  if (!by && !period && !period_of && !view_by && !view_period) return;
  Period p = Period::kNone;
  if (period) p = ParsePeriodFlag(*flags.period);
  if (view_period) p = *view->view.period;
  const auto specs =
      view_by ? *view->view.by : ParseBy(flags.by.value_or(std::vector<std::string>{}));
  std::size_t changed = 0;
  for (MetricDef& m : model->metrics) {
    if (m.aggregation == Aggregation::kFigure) continue;
    if (view != nullptr && view->metrics.count(m.id) == 0) continue;
    if (by || view_by) {
      m.by = specs;
      m.by_as.clear();
    }
    if (view_by) m.by_loc = view->view.by_loc;
    if (period || view_period) m.period = p;
    if (view_period) {
      m.period_loc = view->view.period_loc;
      if (const auto it = view->period_of.find(m.id); it != view->period_of.end()) {
        m.period_of = it->second;
      }
    }
    if (period_of && m.period != Period::kNone) {
      m.period_of = flags.period_of->empty() ? "closed" : *flags.period_of;
    }
    ++changed;
  }
  if (changed == 0 && (by || period || period_of)) {
    throw Error::Usage(fmt::format(
        "--by/--period: {} has no metric that can be grouped (the figures of stage_history "
        "and forecast sources are totals)",
        config));
  }
}

}  // namespace crmkpi
