// target_unattainable: targets against the best period in the data (kpi_attainable.h).
#include "crmkpi/evaluate/kpi_attainable.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/evaluate/definition_run.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/encoding.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {
namespace {

// The roles the header of |s|'s (first) file binds; standard input and pipes are recorded and
// read again by the pass.
RoleBinding HeaderRoles(const SourceDef& s, const std::string& path) {
  RecordInput(path);
  RoleBinding roles;
  {
    CsvOptions csv = ParseDelimiter(s.delimiter);
    csv.warn_duplicate_headers = false;  // the pass that reads the file warns
    CsvReader reader(OpenDefinedInput(path, ParseEncoding(s.encoding), nullptr,
                                      path == s.file ? s.file_loc : SourceLoc{},
                                      fmt::format("source '{}'", s.id)),
                     csv);
    const std::vector<std::string> header = reader.ReadHeader();
    roles = BindRoles(header, s.mappings, reader.name());
  }
  RewindInput(path);
  return roles;
}

// A value as the message shows it: ratios in per cent, whole numbers with separators.
std::string Shown(double v, const UnitSpec& unit) {
  if (unit.name == "ratio") return fmt::format("{:.1f} %", v * 100.0);
  if (v == std::floor(v) && std::fabs(v) < 1e15) return GroupThousands(fmt::format("{:.0f}", v));
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return GroupThousands(s);
}

// What the rule needs of a KPI: its metrics, each counted per period or not (and why not).
struct KpiPlan {
  const KpiDef* kpi = nullptr;
  Period period = Period::kNone;
  std::string why_not;  // empty: judged, in a run by |period|
};

// Each period kind is a read of the sources: a stream (standard input, a pipe) cannot be
// read twice.
void RefuseStreams(const KpiModel& model, const std::map<std::string, std::string>& files,
                   const std::set<Period>& kinds) {
  std::string names;
  for (Period p : kinds) names += (names.empty() ? "" : " and ") + std::string(PeriodName(p));
  for (const SourceDef& s : model.sources) {
    if (s.kind != SourceKind::kRows) continue;
    std::vector<std::string> paths = {s.file};
    paths.insert(paths.end(), s.more_files.begin(), s.more_files.end());
    if (const auto it = files.find(s.id); it != files.end()) paths = {it->second};
    for (const std::string& path : paths) {
      std::error_code ec;
      if (path == "-" || !std::filesystem::is_regular_file(path, ec)) {
        throw Error::Usage(fmt::format(
            "lint --data counts the KPIs by {} (one read of the sources each), and source "
            "'{}' is read from {}, which can be read only once: give it a file",
            names, s.id, path == "-" ? "standard input" : path));
      }
    }
  }
}

}  // namespace

std::string AttainableDate(const MetricDef& m, bool has_closed, bool has_created) {
  if (!m.duration_to.empty()) return m.duration_to;
  if (has_closed) return "closed";
  if (has_created) return "created";
  return {};
}

AttainableLint LintAttainable(const KpiModel& model, const std::string& as_of,
                              const std::map<std::string, std::string>& files,
                              const ParallelOptions& parallel) {
  AttainableLint out;
  const LintSeverity severity = SeverityOf(model, "target_unattainable", LintSeverity::kWarning);

  // Each metric's period and date, or why it has none.
  std::map<std::string, RoleBinding> roles;  // by source, read when needed
  std::map<std::string, std::pair<Period, std::string>> counted;  // metric → period, period_of
  std::map<std::string, std::string> not_counted;                // metric → why
  for (const MetricDef& m : model.metrics) {
    const SourceDef* s = model.FindSource(m.source);
    if (s == nullptr) continue;
    if (s->kind != SourceKind::kRows) {
      not_counted[m.id] = fmt::format("its metric '{}' is a figure of the {} source '{}', a "
                                      "total without periods",
                                      m.id, s->kind == SourceKind::kForecast ? "forecast"
                                                                             : "stage_history",
                                      s->id);
      continue;
    }
    if (m.period != Period::kNone) {
      counted[m.id] = {m.period, m.period_of};
      continue;
    }
    std::string date = m.duration_to;
    if (date.empty()) {
      auto it = roles.find(s->id);
      if (it == roles.end()) {
        const auto over = files.find(s->id);
        it = roles.emplace(s->id, HeaderRoles(*s, over != files.end() ? over->second : s->file))
                 .first;
      }
      date = AttainableDate(m, it->second.has(Role::kClosed), it->second.has(Role::kCreated));
    }
    if (date.empty()) {
      not_counted[m.id] = fmt::format("its metric '{}' has no date to count it by (source '{}' "
                                      "has no closed or created column): give the metric "
                                      "period and period_of",
                                      m.id, s->id);
      continue;
    }
    counted[m.id] = {model.attainable_period, date};
  }

  // The KPIs to judge and the period each is counted by.
  std::vector<KpiPlan> plans;
  for (const std::string& id : LintedKpis(model)) {
    const KpiDef* k = model.FindKpi(id);
    if (k == nullptr || !k->target) continue;
    KpiPlan p;
    p.kpi = k;
    std::set<Period> periods;
    std::vector<std::string> metrics;
    // KPI → KPI → metric, as the 定義書 walks it.
    std::vector<std::string> stack = {id};
    std::set<std::string> seen;
    while (!stack.empty()) {
      const std::string v = stack.back();
      stack.pop_back();
      if (!seen.insert(v).second) continue;
      if (const KpiDef* dep = model.FindKpi(v)) {
        for (const std::string& x : dep->formula.variables()) stack.push_back(x);
      } else if (model.FindMetric(v) != nullptr) {
        metrics.push_back(v);
      }
    }
    std::sort(metrics.begin(), metrics.end());
    for (const std::string& m : metrics) {
      if (const auto it = not_counted.find(m); it != not_counted.end()) {
        p.why_not = it->second;
        break;
      }
      periods.insert(counted.at(m).first);
    }
    if (p.why_not.empty() && metrics.empty()) p.why_not = "it uses no metric";
    if (p.why_not.empty() && periods.size() > 1) {
      p.why_not = "its metrics are counted by different periods";
    }
    if (p.why_not.empty()) p.period = *periods.begin();
    plans.push_back(p);
  }
  if (severity == LintSeverity::kOff) plans.clear();

  // One run per period kind needed (and one in any case: the as-of, and the data's warnings).
  std::set<Period> kinds;
  for (const KpiPlan& p : plans) {
    if (p.why_not.empty()) kinds.insert(p.period);
  }
  if (kinds.empty()) kinds.insert(model.attainable_period);
  if (kinds.size() > 1) RefuseStreams(model, files, kinds);
  std::map<Period, Report> reports;
  bool first = true;
  for (Period kind : kinds) {
    KpiModel run_model = model;
    for (MetricDef& m : run_model.metrics) {
      const auto it = counted.find(m.id);
      if (it == counted.end()) continue;
      m.by.clear();
      m.period = kind;
      m.period_of = it->second.second;
    }
    DefinitionRun run = RunDefinition(run_model, as_of, files, {}, parallel);
    if (first) {
      out.as_of = run.as_of;
      // The data's warnings; not the evaluation's about a metric left ungrouped by period,
      // which this run made (a KPI using one is not judged, with a note).
      for (const DataWarning& w : run.evaluation.report.warnings) {
        if (w.kind != "total_in_group") out.warnings.push_back(w);
      }
      first = false;
    }
    reports[kind] = std::move(run.evaluation.report);
  }

  for (const KpiPlan& p : plans) {
    const KpiDef& k = *p.kpi;
    if (!p.why_not.empty()) {
      out.notes.emplace_back(k.loc, fmt::format("KPI '{}' not judged: {}", k.id, p.why_not));
      continue;
    }
    const Report& report = reports.at(p.period);
    std::optional<double> best;
    std::string best_period;
    bool negative = false;
    for (const Grouping& g : report.groupings) {
      if (g.keys != std::vector<std::string>{"period"}) continue;
      for (const GroupRow& row : g.rows) {
        if (row.values.empty() || row.values[0].empty()) continue;  // rows without a date
        for (const KpiValue& v : row.kpis) {
          if (v.id != k.id || !v.value) continue;
          const double x = v.value->ToDouble();
          negative = negative || x < 0;
          const bool better = !best || (k.direction == Direction::kLower ? x < *best : x > *best);
          if (better) {
            best = x;
            best_period = row.values[0];
          }
        }
      }
    }
    const std::string word(PeriodName(p.period));
    if (!best) {
      out.notes.emplace_back(k.loc, fmt::format("KPI '{}' not judged: no {} in the data has a "
                                                "value",
                                                k.id, word));
      continue;
    }
    if (negative || *k.target < 0) {
      out.notes.emplace_back(k.loc, fmt::format("KPI '{}' not judged: a factor means nothing "
                                                "across zero (negative values)",
                                                k.id));
      continue;
    }
    const double n = model.attainable_factor;
    const std::string factor = fmt::format("{}", n);
    if (k.direction == Direction::kHigher && *k.target > n * *best) {
      out.findings.push_back(
          {"target_unattainable", severity,
           fmt::format("KPI '{}' has a target of {}, more than {}× the best {} in the data ({} "
                       "in {}); is it attainable (SMART's A)? Check the target, or the factor "
                       "([lint] attainable_factor)",
                       k.id, Shown(*k.target, k.unit), factor, word, Shown(*best, k.unit),
                       best_period),
           k.target_loc});
    } else if (k.direction == Direction::kLower && *k.target < *best / n) {
      out.findings.push_back(
          {"target_unattainable", severity,
           fmt::format("KPI '{}' has a target of {}, less than the best {} in the data ({} in "
                       "{}) ÷ {} (lower is better); is it attainable (SMART's A)? Check the "
                       "target, or the factor ([lint] attainable_factor)",
                       k.id, Shown(*k.target, k.unit), word, Shown(*best, k.unit), best_period,
                       factor),
           k.target_loc});
    }
  }
  return out;
}

}  // namespace crmkpi
