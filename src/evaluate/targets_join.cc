#include "crmkpi/evaluate/targets_join.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/read/header_names.h"
#include "crmkpi/values/fiscal_calendar.h"
#include "crmkpi/values/normalize.h"

namespace crmkpi {
namespace {

// A grouping the run measures: its keys as the engine names them, its period kind, and the
// metrics measured by it.
struct RunGrouping {
  std::vector<std::string> keys;  // `by` names, then "period"
  Period period = Period::kNone;
  std::set<std::string> metrics;
};

std::vector<RunGrouping> RunGroupings(const KpiModel& model) {
  std::vector<RunGrouping> out;
  auto add = [&](std::vector<std::string> keys, const MetricDef& m) {
    if (m.period != Period::kNone) keys.push_back("period");
    auto it = std::find_if(out.begin(), out.end(), [&](const RunGrouping& g) {
      return g.keys == keys && g.period == m.period;
    });
    if (it == out.end()) it = out.insert(out.end(), RunGrouping{keys, m.period, {}});
    it->metrics.insert(m.id);
  };
  for (const MetricDef& m : model.metrics) {
    if (m.aggregation == Aggregation::kFigure) continue;
    if (m.period != Period::kNone) add({}, m);
    for (std::size_t i = 0; i < m.by.size(); ++i) add(m.ByNames(i), m);
  }
  return out;
}

// The metrics a KPI reads, through the KPIs it uses.
std::set<std::string> MetricsOf(const KpiModel& model, const std::string& id) {
  std::set<std::string> out;
  std::set<std::string> seen;
  std::function<void(const std::string&)> walk = [&](const std::string& v) {
    if (!seen.insert(v).second) return;
    if (model.FindMetric(v) != nullptr) out.insert(v);
    if (const KpiDef* k = model.FindKpi(v)) {
      for (const auto& x : k->formula.variables()) walk(x);
    }
  };
  walk(id);
  return out;
}

std::string Describe(const std::vector<std::string>& keys,
                     const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", keys[i], values[i]);
  }
  return out.empty() ? "the total" : out;
}

std::string Names(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : "+") + k;
  return out;
}

std::optional<std::int64_t> DayOfAsOf(const std::string& as_of) {
  if (as_of.size() < 10) return std::nullopt;
  return ParseDayText(std::string_view(as_of).substr(0, 10));
}

// Target, achievement, status and gap of |v| against |target|.
void SetTarget(const KpiDef& k, std::optional<double> target, const std::string& source,
               KpiValue* v) {
  const Value actual = v->value ? Value::Number(v->value->ToDouble())
                                : Value::Na(v->reason.empty() ? "EMPTY" : v->reason);
  v->target = target;
  v->target_source = source;
  v->achievement.reset();
  if (const Value a = Achievement(actual, target, k.direction); a.v) v->achievement = *a.v;
  v->status = Status(actual, target, k.direction);
  v->gap.reset();
  if (target && actual.v) v->gap = *actual.v - *target;
}

}  // namespace

bool AdditiveKpi(const KpiModel& model, const std::string& id) {
  if (const MetricDef* m = model.FindMetric(id)) {
    return m->aggregation == Aggregation::kCount || m->aggregation == Aggregation::kSum;
  }
  const KpiDef* k = model.FindKpi(id);
  if (k == nullptr) return false;
  const Formula& f = k->formula;
  const auto& vars = f.variables();
  if (vars.size() == 1 && f.ToString() == vars[0]) return AdditiveKpi(model, vars[0]);
  const Formula::Shape shape = f.shape();
  if (shape.kind != Formula::Shape::kSum) return false;
  return std::all_of(shape.vars.begin(), shape.vars.end(),
                     [&](const std::string& v) { return AdditiveKpi(model, v); });
}

ResolvedTargets ResolveTargets(const KpiModel& model) {
  ResolvedTargets out;
  if (model.targets.empty()) return out;
  TargetsDef table = model.targets;
  if (!table.read) {  // a [targets] section no command read yet (KpiModel::SetTargets)
    std::vector<TargetKpiName> names;
    for (const KpiDef& k : model.kpis) names.push_back({k.id, k.label});
    ReadTargets(&table, names);
  }
  out.file = table.file;
  const std::vector<RunGrouping> groupings = RunGroupings(model);
  Normalizer keys = model.exact_groups ? Normalizer() : Normalizer::Parse("nfkc,collapse-spaces,trim");
  Normalizer nfkc = Normalizer::Parse("nfkc,collapse-spaces,trim");
  std::map<std::string, std::pair<std::uint64_t, SourceLoc>> unmatched;  // by → rows, first
  for (const TargetRow& row : table.rows) {
    const std::set<std::string> used = MetricsOf(model, row.kpi);
    if (row.groups.empty() && row.period.empty()) {
      auto [it, inserted] = out.total.emplace(row.kpi, TargetCell{row.target, row.loc});
      if (!inserted) {
        throw Error(ExitCode::kUsage,
                    fmt::format("a second target for KPI '{}' of the total (the first is at "
                                "line {})",
                                row.kpi, it->second.loc.line),
                    row.loc);
      }
      continue;
    }
    // The grouping whose `by` names are the row's group columns, with a period iff it has one;
    // among several (periods of different kinds), one that measures a metric of the KPI.
    const RunGrouping* match = nullptr;
    std::vector<std::string> values;
    for (const RunGrouping& g : groupings) {
      const bool has_period = g.period != Period::kNone;
      if (has_period == row.period.empty()) continue;
      const std::size_t by = g.keys.size() - (has_period ? 1 : 0);
      if (by != row.groups.size()) continue;
      std::vector<std::string> v(by);
      bool all = true;
      for (std::size_t i = 0; i < by && all; ++i) {
        bool found = false;
        for (const auto& [column, value] : row.groups) {
          if (column == g.keys[i] || NormalizeHeader(column) == NormalizeHeader(g.keys[i])) {
            v[i] = std::string(keys.Apply(value));
            found = true;
          }
        }
        all = found;
      }
      if (!all) continue;
      const bool measures = std::any_of(used.begin(), used.end(), [&](const std::string& m) {
        return g.metrics.count(m) != 0;
      });
      if (match == nullptr || measures) {
        match = &g;
        values = v;
      }
      if (measures) break;
    }
    std::vector<std::string> by;
    for (const auto& [column, value] : row.groups) by.push_back(column);
    if (!row.period.empty()) by.push_back("period");
    if (match == nullptr || std::none_of(used.begin(), used.end(), [&](const std::string& m) {
          return match->metrics.count(m) != 0;
        })) {
      auto& u = unmatched[fmt::format("'{}' by {}", row.kpi, Names(by))];
      if (u.first++ == 0) u.second = row.loc;
      continue;
    }
    if (match->period != Period::kNone) {
      const auto code = ParsePeriodText(match->period, model.calendar, nfkc.Apply(row.period));
      if (!code) {
        throw Error(ExitCode::kUsage,
                    fmt::format("period '{}' of KPI '{}' is not {}", row.period, row.kpi,
                                PeriodTextForms(match->period, model.calendar)),
                    row.period_loc);
      }
      const std::string label = PeriodLabelOf(match->period, model.calendar, *code);
      values.push_back(label);
      out.period_bounds[label] = {
          DayText(PeriodFirstDayOf(match->period, model.calendar, *code)),
          DayText(PeriodLastDayOf(match->period, model.calendar, *code))};
    }
    auto& cell = out.groups[match->keys][values];
    auto [it, inserted] = cell.emplace(row.kpi, TargetCell{row.target, row.loc});
    if (!inserted) {
      throw Error(ExitCode::kUsage,
                  fmt::format("a second target for KPI '{}' of {} (the first is at line {})",
                              row.kpi, Describe(match->keys, values), it->second.loc.line),
                  row.loc);
    }
  }
  for (const auto& [what, u] : unmatched) {
    DataWarning w;
    w.kind = "target_unmatched";
    w.count = u.first;
    w.first = u.second;
    w.message = fmt::format(
        "targets of KPI {}: no metric of that KPI is measured by those columns in this run, so "
        "they are left out — group its metrics so (`by =` and `period =` in [metric], or --by "
        "and --period)",
        what);
    out.warnings.push_back(std::move(w));
  }
  return out;
}

std::map<std::vector<std::string>, std::set<std::vector<std::string>>> TargetGroups(
    const ResolvedTargets& targets) {
  std::map<std::vector<std::string>, std::set<std::vector<std::string>>> out;
  for (const auto& [keys, groups] : targets.groups) {
    for (const auto& [values, kpis] : groups) out[keys].insert(values);
  }
  return out;
}

std::map<std::vector<std::string>, std::set<std::vector<std::string>>> GroupsWithoutRows(
    const std::map<std::vector<std::string>, std::set<std::vector<std::string>>>& groups,
    const MetricRun& run) {
  auto out = groups;
  for (const MetricResult& r : run.metrics) {
    for (const MetricGrouping& g : r.groupings) {
      auto it = out.find(g.keys);
      if (it == out.end()) continue;
      for (const auto& row : g.rows) it->second.erase(row.first);
    }
  }
  return out;
}

void ApplyTargets(
    const KpiModel& model, const ResolvedTargets& targets, Report* report,
    const std::map<std::vector<std::string>, std::set<std::vector<std::string>>>& added) {
  if (targets.file.empty()) return;
  report->targets = targets.file;
  for (const auto& [label, bounds] : targets.period_bounds) report->period_bounds.emplace(label, bounds);
  report->warnings.insert(report->warnings.end(), targets.warnings.begin(),
                          targets.warnings.end());
  auto source = [](const TargetCell& c) { return fmt::format("{}:{}", c.loc.file, c.loc.line); };
  for (KpiValue& v : report->total.kpis) {
    const KpiDef* k = model.FindKpi(v.id);
    auto it = targets.total.find(v.id);
    if (k == nullptr) continue;
    if (it != targets.total.end()) {
      SetTarget(*k, it->second.value, source(it->second), &v);
    } else {
      SetTarget(*k, v.target, "", &v);
    }
  }
  const std::optional<std::int64_t> as_of = DayOfAsOf(report->as_of);
  // A table's group of a period after the as-of that no row fell in: a plan, left out.
  for (Grouping& g : report->groupings) {
    const auto plan = added.find(g.keys);
    const auto period_key = std::find(g.keys.begin(), g.keys.end(), "period");
    if (plan == added.end() || period_key == g.keys.end() || !as_of) continue;
    const auto at = static_cast<std::size_t>(period_key - g.keys.begin());
    std::erase_if(g.rows, [&](const GroupRow& row) {
      if (plan->second.count(row.values) == 0) return false;
      const auto b = report->period_bounds.find(row.values[at]);
      const auto first = b == report->period_bounds.end() ? std::nullopt
                                                          : ParseDayText(b->second.first);
      return first && *first > *as_of;
    });
  }
  for (Grouping& g : report->groupings) {
    const auto found = targets.groups.find(g.keys);
    if (found == targets.groups.end()) continue;
    std::set<std::string> kpis;  // the KPIs the table gives targets in this grouping
    for (const auto& [values, cells] : found->second) {
      for (const auto& [id, cell] : cells) kpis.insert(id);
    }
    const auto period_key = std::find(g.keys.begin(), g.keys.end(), "period");
    for (GroupRow& row : g.rows) {
      const auto cells = found->second.find(row.values);
      std::optional<std::pair<std::int64_t, std::int64_t>> days;  // the row's period
      if (period_key != g.keys.end()) {
        const std::string& label = row.values[static_cast<std::size_t>(period_key - g.keys.begin())];
        if (const auto b = report->period_bounds.find(label); b != report->period_bounds.end()) {
          const auto first = ParseDayText(b->second.first);
          const auto last = ParseDayText(b->second.second);
          if (first && last) days = {{*first, *last}};
        }
      }
      for (KpiValue& v : row.kpis) {
        const KpiDef* k = model.FindKpi(v.id);
        if (k == nullptr || kpis.count(v.id) == 0) continue;
        std::optional<double> target;
        std::string from;
        if (cells != found->second.end()) {
          if (const auto c = cells->second.find(v.id); c != cells->second.end()) {
            target = c->second.value;
            from = source(c->second);
          }
        }
        SetTarget(*k, target, from, &v);
        if (!target || !days || !as_of) continue;
        // The pace at the as-of: 経過率, and the straight line through it for additive KPIs.
        KpiValue::Pace pace;
        const auto [first, last] = *days;
        const double length = static_cast<double>(last - first + 1);
        pace.elapsed = std::clamp(static_cast<double>(*as_of - first + 1) / length, 0.0, 1.0);
        const bool additive = AdditiveKpi(model, v.id);
        if (*as_of < first) {
          pace.status = "not started";
          v.status = "not started";
        } else if (*as_of >= last) {
          pace.status = "ended";
        }
        if (v.value && pace.elapsed > 0 && (additive || *as_of >= last)) {
          pace.landing = v.value->ToDouble() / (additive ? pace.elapsed : 1.0);
          const Value a = Achievement(Value::Number(*pace.landing), target, k->direction);
          if (a.v) pace.landing_achievement = *a.v;
          if (pace.status.empty()) {
            pace.status = Status(Value::Number(*pace.landing), target, k->direction) == "on track"
                              ? "on pace"
                              : "behind pace";
          }
        }
        v.pace = pace;
      }
    }
  }
}

}  // namespace crmkpi
