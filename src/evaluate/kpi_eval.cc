#include "crmkpi/evaluate/kpi_eval.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include <set>

#include <fmt/format.h>

namespace crmkpi {

Unit UnitOf(const UnitSpec& u) {
  if (u.name == "count") return Unit::kCount;
  if (u.name == "ratio") return Unit::kRatio;
  if (u.name == "currency") return Unit::kAmount;
  if (u.name == "days") return Unit::kDays;
  if (u.name == "hours") return Unit::kHours;
  return Unit::kNumber;
}

namespace {

Value ValueOfCell(const MetricCell& c) {
  if (!c.value) return Value::Na(c.reason.empty() ? "EMPTY" : c.reason);
  return Value::Number(c.value->ToDouble());
}

// A cell for a group a grouped metric never saw: no rows. Counts and sums are 0, the rest n/a.
MetricCell EmptyCell(const MetricDef& m) {
  MetricCell c;
  if (m.aggregation == Aggregation::kCount || m.aggregation == Aggregation::kCountDistinct ||
      m.aggregation == Aggregation::kSum) {
    c.value = Num::Count(0);
  } else if (m.aggregation == Aggregation::kReached) {
    c.reason = "ZERO_DENOMINATOR";  // yes + no = 0, as the built-in lead_to_opportunity_rate
  } else {
    c.reason = "EMPTY";
  }
  return c;
}

struct GroupKey {
  std::vector<std::string> keys;
  bool operator<(const GroupKey& o) const { return keys < o.keys; }
};

// The raw spellings merged under each group value of the groupings with |keys|: each source's
// list once (its metrics repeat it), the sources' rows added per spelling.
std::vector<MergedSpelling> MergeSpellings(const MetricRun& run,
                                           const std::vector<std::string>& keys) {
  std::set<std::pair<std::string, std::string>> seen;  // (source, key) already taken
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::uint64_t>> rows;
  for (const MetricResult& r : run.metrics) {
    for (const MetricGrouping& g : r.groupings) {
      if (g.keys != keys) continue;
      std::set<std::pair<std::string, std::string>> here;
      for (const MergedSpelling& m : g.merged) {
        if (seen.count({m.source, m.key}) != 0) continue;
        here.insert({m.source, m.key});
        for (const auto& [raw, n] : m.spellings) rows[{m.key, m.value}][raw] += n;
      }
      seen.insert(here.begin(), here.end());
    }
  }
  std::vector<MergedSpelling> out;
  for (auto& [kv, spellings] : rows) {
    MergedSpelling m;
    m.key = kv.first;
    m.value = kv.second;
    m.spellings.assign(spellings.begin(), spellings.end());
    std::stable_sort(m.spellings.begin(), m.spellings.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    out.push_back(std::move(m));
  }
  return out;
}

// The currencies of the money cells a KPI depends on (docs/kpis.md, "Currencies"): one
// labels an amount; several make the KPI n/a (MIXED_CURRENCIES), since a formula over amounts
// in different currencies (USD won ÷ EUR pipeline) means nothing.
struct KpiCurrency {
  std::vector<std::string> codes;  // sorted
  bool mixed = false;              // a cell mixes currencies, or the cells differ
};
KpiCurrency CurrencyOf(const std::set<std::string>& deps,
                       const std::function<MetricCell(const MetricDef&)>& cell,
                       const KpiModel& model) {
  KpiCurrency out;
  for (const std::string& id : deps) {
    const MetricDef* m = model.FindMetric(id);
    if (m == nullptr) continue;
    const MetricCell c = cell(*m);
    std::vector<std::string> here = c.currencies;
    if (!c.currency.empty()) here.push_back(c.currency);
    out.mixed = out.mixed || c.reason == "MIXED_CURRENCIES";
    for (const std::string& code : here) {
      if (std::find(out.codes.begin(), out.codes.end(), code) == out.codes.end()) {
        out.codes.push_back(code);
      }
    }
  }
  std::sort(out.codes.begin(), out.codes.end());
  out.mixed = out.mixed || out.codes.size() > 1;
  return out;
}

}  // namespace

Value Achievement(const Value& actual, std::optional<double> target, Direction direction) {
  if (!target) return Value::Na("NO_TARGET");
  if (!actual.v) return actual;
  const double num = direction == Direction::kHigher ? *actual.v : *target;
  const double den = direction == Direction::kHigher ? *target : *actual.v;
  if (den == 0) return Value::Na("ZERO_DENOMINATOR");
  return Value::Number(num / den);
}

std::string Status(const Value& actual, std::optional<double> target, Direction direction) {
  if (!target) return "no target";
  if (!actual.v) return "n/a";
  const bool ok = direction == Direction::kHigher ? *actual.v >= *target : *actual.v <= *target;
  return ok ? "on track" : "off track";
}

KpiEvaluation EvaluateKpis(
    const KpiModel& model, const MetricRun& run, const std::map<std::string, double>& overrides,
    const std::map<std::vector<std::string>, std::set<std::vector<std::string>>>& extra_groups,
    bool group_values) {
  std::map<std::string, const MetricResult*, std::less<>> results;
  for (const MetricResult& r : run.metrics) results[r.id] = &r;

  // The metrics each KPI depends on, through other KPIs.
  std::map<std::string, std::set<std::string>, std::less<>> metric_deps;
  for (const KpiDef& k : model.kpis) {  // dependency order
    std::set<std::string>& deps = metric_deps[k.id];
    for (const auto& v : k.formula.variables()) {
      if (model.FindMetric(v)) deps.insert(v);
      auto it = metric_deps.find(v);
      if (it != metric_deps.end()) deps.insert(it->second.begin(), it->second.end());
    }
  }

  // Evaluates every KPI in one group context. |cell| gives a metric's cell in that context.
  auto evaluate = [&](const std::function<MetricCell(const MetricDef&)>& cell,
                      const std::set<std::string>* only, ValueMap* values) {
    std::vector<KpiValue> out;
    for (const ConstantDef& c : model.constants) (*values)[c.id] = Value::Number(c.value);
    for (const MetricDef& m : model.metrics) (*values)[m.id] = ValueOfCell(cell(m));
    for (const auto& [id, v] : overrides) (*values)[id] = Value::Number(v);
    const Formula::Lookup lookup = [&](std::string_view id) {
      auto it = values->find(id);
      return it == values->end() ? Value::Na("UNKNOWN") : it->second;
    };
    for (const KpiDef& k : model.kpis) {
      Value v;
      auto fixed = overrides.find(k.id);
      if (fixed != overrides.end()) {
        v = Value::Number(fixed->second);
      } else {
        v = k.formula.Eval(lookup);
      }
      const KpiCurrency money = fixed == overrides.end()
                                    ? CurrencyOf(metric_deps[k.id], cell, model)
                                    : KpiCurrency{};
      if (money.mixed) v = Value::Na("MIXED_CURRENCIES");
      (*values)[k.id] = v;
      if (only != nullptr && only->count(k.id) == 0) continue;
      KpiValue& kv = out.emplace_back();
      kv.id = k.id;
      kv.label = k.label;
      kv.unit = UnitOf(k.unit);
      kv.currency = k.unit.currency;
      if (money.mixed) {
        kv.currencies = money.codes;
      } else if (money.codes.size() == 1 && kv.unit == Unit::kAmount) {
        kv.currency = money.codes.front();
      }
      if (v.v) {
        kv.value = Num::Real(*v.v);
      } else {
        kv.reason = v.reason;
      }
      // A KPI that is just a metric shows that metric's population (R3).
      const auto& vars = k.formula.variables();
      if (fixed == overrides.end() && vars.size() == 1 && k.formula.ToString() == vars[0]) {
        if (const MetricDef* m = model.FindMetric(vars[0])) {
          const MetricCell c = cell(*m);
          if (c.value) kv.value = *c.value;  // exact: counts and money stay fixed-point
          // The n of a count is the count itself; other aggregates say how many values they
          // aggregated (count_distinct: the rows with a key). A reached share shows its
          // population as its denominator, as lead_to_opportunity_rate does, not as n.
          if (m->aggregation != Aggregation::kCount && m->aggregation != Aggregation::kReached &&
              c.reason != "MISSING_COLUMN") {
            kv.n = c.n;
          }
          if (c.censored) kv.censored = c.censored;  // km_median: of n, still running at as-of
          kv.excluded = c.excluded;
          if (c.numerator) kv.numerator = c.numerator;  // sla: met / (met + breached)
          if (c.denominator) kv.denominator = c.denominator;
        }
      }
      if (fixed == overrides.end() && k.formula.IsRatio() && !money.mixed) {
        const Value n = k.formula.EvalNumerator(lookup);
        const Value d = k.formula.EvalDenominator(lookup);
        if (n.v) kv.numerator = Num::Real(*n.v);
        if (d.v) kv.denominator = Num::Real(*d.v);
      }
      kv.target = k.target;
      const Value a = Achievement(v, k.target, k.direction);
      if (a.v) kv.achievement = *a.v;
      kv.status = Status(v, k.target, k.direction);
    }
    return out;
  };

  KpiEvaluation result;
  Report& report = result.report;
  for (const SourceSummary& s : run.sources) {
    InputSummary in;
    in.name = s.file;
    in.rows = s.rows;
    in.skipped_rows = s.skipped_rows;
    in.encoding = s.encoding;
    in.encoding_detected = s.encoding_detected;
    in.delimiter = s.delimiter;
    report.inputs.push_back(in);
  }
  report.warnings = run.warnings;
  report.period_bounds = run.period_bounds;
  report.calendar = model.calendar;
  report.as_of = model.as_of;
  report.as_of_source = model.as_of.empty() ? "" : "definition";
  if (!model.fx.empty()) report.fx = FxNote{model.fx.base, model.fx.rates, model.fx.origin};

  auto total_cell = [&](const MetricDef& m) {
    auto it = results.find(m.id);
    return it == results.end() ? EmptyCell(m) : it->second->total;
  };
  report.total.kpis = evaluate(total_cell, nullptr, &result.totals);

  std::set<const MetricGrouping*> unsorted;
  for (const MetricResult& r : run.metrics) {
    for (const MetricGrouping& g : r.groupings) {
      if (!std::is_sorted(g.rows.begin(), g.rows.end(),
                          [](const auto& a, const auto& b) { return a.first < b.first; })) {
        unsorted.insert(&g);
      }
    }
  }

  // Groupings: every distinct key list any metric was grouped by.
  std::vector<std::vector<std::string>> groupings;
  for (const MetricResult& r : run.metrics) {
    for (const MetricGrouping& g : r.groupings) {
      if (std::find(groupings.begin(), groupings.end(), g.keys) == groupings.end()) {
        groupings.push_back(g.keys);
      }
    }
  }
  for (const auto& keys : groupings) {
    // The KPIs with at least one metric measured by this grouping; the others would only repeat
    // their total.
    std::set<std::string> grouped_metrics;
    std::set<std::vector<std::string>> values;
    for (const MetricResult& r : run.metrics) {
      for (const MetricGrouping& g : r.groupings) {
        if (g.keys != keys) continue;
        grouped_metrics.insert(r.id);
        for (const auto& row : g.rows) values.insert(row.first);
      }
    }
    if (const auto extra = extra_groups.find(keys); extra != extra_groups.end()) {
      values.insert(extra->second.begin(), extra->second.end());
    }
    std::set<std::string> kpis;
    for (const auto& [id, deps] : metric_deps) {
      for (const auto& m : deps) {
        if (grouped_metrics.count(m) != 0) kpis.insert(id);
      }
    }
    if (kpis.empty()) continue;
    // A KPI per group that also uses a metric measured only in total: say so once, since the
    // same total then stands in every group (e.g. logins by role ÷ all users).
    for (const auto& id : kpis) {
      for (const auto& m : metric_deps[id]) {
        if (grouped_metrics.count(m) != 0) continue;
        const KpiDef* k = model.FindKpi(id);
        std::string by;
        for (const auto& key : keys) by += (by.empty() ? "" : "+") + key;
        DataWarning w;
        w.kind = "total_in_group";
        w.count = 1;
        w.first = k->formula_loc;
        w.message = fmt::format("KPI '{}' by {} uses metric '{}', which is not grouped by {}: "
                                "every group gets its total",
                                id, by, m, by);
        report.warnings.push_back(std::move(w));
      }
    }
    Grouping grouping;
    grouping.keys = keys;
    grouping.merged = MergeSpellings(run, keys);
    for (const auto& group : values) {
      auto cell = [&](const MetricDef& m) -> MetricCell {
        auto it = results.find(m.id);
        if (it == results.end()) return EmptyCell(m);
        if (grouped_metrics.count(m.id) == 0) return it->second->total;  // broadcast
        for (const MetricGrouping& g : it->second->groupings) {
          if (g.keys != keys) continue;
          // The engine sorts rows by their values (metric_engine.h): a binary search, so a
          // grouping of many groups (20,000 accounts) costs G log G, not G²; rows in another
          // order are searched one by one.
          if (unsorted.count(&g) == 0) {
            const auto row = std::lower_bound(
                g.rows.begin(), g.rows.end(), group,
                [](const std::pair<std::vector<std::string>, MetricCell>& r,
                   const std::vector<std::string>& v) { return r.first < v; });
            if (row != g.rows.end() && row->first == group) return row->second;
            continue;
          }
          for (const auto& row : g.rows) {
            if (row.first == group) return row.second;
          }
        }
        return EmptyCell(m);
      };
      ValueMap values_here;
      GroupRow row;
      row.values = group;
      row.kpis = evaluate(cell, &kpis, &values_here);
      grouping.rows.push_back(std::move(row));
      if (group_values) result.group_values[keys][group] = std::move(values_here);
    }
    report.groupings.push_back(std::move(grouping));
  }
  return result;
}

}  // namespace crmkpi
