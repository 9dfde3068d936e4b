#include "crmkpi/evaluate/failure_signs.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>

#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {
namespace {

// The forecast error figures (lower is better) and accuracy (higher is better).
const std::set<std::string> kErrorFigures = {"wape", "mape", "smape", "mae",
                                             "rmse", "mase", "bias", "bias_percent"};

// One KPI's values over the periods of the grouping by period alone, oldest first.
struct Series {
  std::vector<std::string> periods;
  std::map<std::string, std::vector<std::optional<double>>> values;  // KPI → one per period
  std::map<std::string, std::string> labels;
  std::map<std::string, Unit> units;
};

// The last |n| periods of the grouping by period alone, when they follow one another (each
// starts the day after the one before ends); nullopt otherwise.
std::optional<Series> LastPeriods(const Report& report, std::size_t n) {
  const Grouping* by_period = nullptr;
  for (const Grouping& g : report.groupings) {
    if (g.keys == std::vector<std::string>{"period"}) by_period = &g;
  }
  if (by_period == nullptr) return std::nullopt;
  std::vector<const GroupRow*> rows;
  for (const GroupRow& r : by_period->rows) {
    if (!r.values[0].empty()) rows.push_back(&r);  // rows without a date are no period
  }
  if (rows.size() < n) return std::nullopt;
  rows.erase(rows.begin(), rows.end() - static_cast<long>(n));
  std::optional<std::int64_t> last_end;
  for (const GroupRow* r : rows) {
    const auto b = report.period_bounds.find(r->values[0]);
    if (b == report.period_bounds.end()) return std::nullopt;
    const auto first = ParseDayText(b->second.first);
    const auto last = ParseDayText(b->second.second);
    if (!first || !last || (last_end && *first != *last_end + 1)) return std::nullopt;
    last_end = last;
  }
  Series s;
  for (const GroupRow* r : rows) {
    s.periods.push_back(r->values[0]);
    for (const KpiValue& v : r->kpis) {
      s.values[v.id].push_back(v.value ? std::optional<double>(v.value->ToDouble())
                                       : std::nullopt);
      s.labels[v.id] = v.label.empty() ? v.id : v.label;
      s.units[v.id] = v.unit;
    }
  }
  return s;
}

std::string Show(double v, Unit unit) {
  if (unit == Unit::kRatio) return fmt::format("{:.1f} %", v * 100.0);
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

bool AllKnown(const std::vector<std::optional<double>>& v) {
  return std::all_of(v.begin(), v.end(), [](const auto& x) { return x.has_value(); });
}

// The process KPIs a leading KPI feeds: its nearest ancestors in the tree with layer process;
// every process KPI when the tree does not place it under one.
std::vector<std::string> FedBy(const KpiModel& model, const std::string& leading) {
  std::map<std::string, std::string> parent;
  for (const auto& [id, node] : model.tree.nodes) {
    for (const auto& c : node.children) parent.emplace(c, id);
  }
  for (auto it = parent.find(leading); it != parent.end(); it = parent.find(it->second)) {
    const KpiDef* k = model.FindKpi(it->second);
    if (k != nullptr && k->layer == Layer::kProcess) return {k->id};
  }
  std::vector<std::string> out;
  for (const KpiDef& k : model.kpis) {
    if (k.layer == Layer::kProcess) out.push_back(k.id);
  }
  return out;
}

// The forecast figures a KPI reads (through its metrics and KPIs): "wape", "forecast_accuracy".
std::set<std::string> ForecastFigures(const KpiModel& model, const std::string& id) {
  std::set<std::string> out, seen;
  std::function<void(const std::string&)> walk = [&](const std::string& v) {
    if (!seen.insert(v).second) return;
    if (const MetricDef* m = model.FindMetric(v)) {
      const SourceDef* s = model.FindSource(m->source);
      if (m->aggregation == Aggregation::kFigure && s != nullptr &&
          s->kind == SourceKind::kForecast) {
        out.insert(m->figure);
      }
    }
    if (const KpiDef* k = model.FindKpi(v)) {
      for (const auto& x : k->formula.variables()) walk(x);
    }
  };
  walk(id);
  return out;
}

}  // namespace

std::vector<FailureSign> HandoffSign(const KpiModel& model) {
  std::size_t rows = 0;
  for (const SourceDef& s : model.sources) rows += s.kind == SourceKind::kRows ? 1 : 0;
  const bool measured = std::any_of(model.metrics.begin(), model.metrics.end(), [](const MetricDef& m) {
    return !m.duration_from.empty() || m.aggregation == Aggregation::kSla ||
           m.aggregation == Aggregation::kKmMedian;
  });
  if (rows < 2 || measured) return {};
  std::string sources;
  for (const SourceDef& s : model.sources) {
    if (s.kind == SourceKind::kRows) sources += (sources.empty() ? "" : ", ") + s.id;
  }
  FailureSign f;
  f.kind = "handoff_unmeasured";
  f.message = fmt::format(
      "{} row sources ({}) but no duration or SLA metric: the handoffs between the teams behind "
      "them are not in the numbers",
      rows, sources);
  f.remedy = "make handoff SLAs and owners explicit: a metric `type = sla` (or a `duration =`) "
             "from one team's date to the next one's (a lookup joins the other export), with an "
             "owner for each handoff";
  return {f};
}

std::vector<FailureSign> FindFailureSigns(const KpiModel& model, const Report& report) {
  std::vector<FailureSign> out;
  if (const std::optional<Series> s = LastPeriods(report, kSignPeriods)) {
    const std::string window = s->periods.front() + " … " + s->periods.back();
    // input_up_results_flat
    for (const KpiDef& lead : model.kpis) {
      if (lead.layer != Layer::kLeading) continue;
      const auto values = s->values.find(lead.id);
      if (values == s->values.end() || !AllKnown(values->second)) continue;
      const auto& v = values->second;
      bool rising = true;
      for (std::size_t i = 1; i < v.size(); ++i) rising = rising && *v[i] > *v[i - 1];
      if (!rising) continue;
      for (const std::string& process : FedBy(model, lead.id)) {
        const auto p = s->values.find(process);
        if (p == s->values.end() || !AllKnown(p->second)) continue;
        const double first = *p->second.front(), last = *p->second.back();
        const bool flat = last - first <= kFlatShare * std::fabs(first);
        if (!flat) continue;
        FailureSign f;
        f.kind = "input_up_results_flat";
        f.kpis = {lead.id, process};
        f.periods = s->periods;
        f.message = fmt::format(
            "{} (leading) rose {} → {} over {}, but {} (process), which it feeds, went {} → {}: "
            "入力は増えたが成果が出ない",
            s->labels.at(lead.id), Show(*v.front(), s->units.at(lead.id)),
            Show(*v.back(), s->units.at(lead.id)), window, s->labels.at(process),
            Show(first, s->units.at(process)), Show(last, s->units.at(process)));
        f.remedy = "re-design the leading and result KPIs: count the input that moves the "
                   "result (a leading KPI that does not move its process KPI is activity, not "
                   "a lever), and check the process KPI's definition";
        out.push_back(std::move(f));
      }
    }
  }
  // forecast_error_not_improving: the last 3 periods with a value (the latest may still be
  // open and n/a).
  const Grouping* by_period = nullptr;
  for (const Grouping& g : report.groupings) {
    if (g.keys == std::vector<std::string>{"period"}) by_period = &g;
  }
  for (const KpiDef& k : by_period != nullptr ? model.kpis : std::vector<KpiDef>{}) {
    const std::set<std::string> figures = ForecastFigures(model, k.id);
    if (figures.empty()) continue;
    const bool accuracy = figures.count("forecast_accuracy") != 0 &&
                          std::none_of(figures.begin(), figures.end(),
                                       [](const auto& f) { return kErrorFigures.count(f) != 0; });
    std::vector<std::pair<std::string, double>> known;
    std::string label = k.label.empty() ? k.id : k.label;
    Unit unit = Unit::kNumber;
    for (const GroupRow& r : by_period->rows) {
      for (const KpiValue& v : r.kpis) {
        if (v.id != k.id || !v.value || r.values[0].empty()) continue;
        known.emplace_back(r.values[0], v.value->ToDouble());
        unit = v.unit;
      }
    }
    const std::size_t n = kSignPeriods - 1;
    if (known.size() < n) continue;
    known.erase(known.begin(), known.end() - static_cast<long>(n));
    // Bias: its size is the error.
    const bool bias = figures.count("bias") != 0 || figures.count("bias_percent") != 0;
    auto size = [&](double x) { return bias ? std::fabs(x) : x; };
    const double first = size(known.front().second), last = size(known.back().second);
    const bool improving = accuracy ? last > first : last < first;
    if (improving) continue;
    FailureSign f;
    f.kind = "forecast_error_not_improving";
    f.kpis = {k.id};
    for (const auto& [period, value] : known) f.periods.push_back(period);
    f.message = fmt::format("{} is not improving: {} in {}, {} in {}", label,
                            Show(known.front().second, unit), known.front().first,
                            Show(known.back().second, unit), known.back().first);
    f.remedy = "unify stage definitions and input rules (when a deal enters each stage, what "
               "must be filled in, when the amount and close date are updated), then review "
               "the forecast against the actual every period";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace crmkpi
