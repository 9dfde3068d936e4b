#include "crmkpi/evaluate/kpi_eval.h"

#include <algorithm>
#include <cmath>
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

// A spread's figures in one group context (docs/kpis.md, "Spread across groups").
struct SpreadStat {
  std::uint64_t n = 0;   // groups with a value
  std::uint64_t na = 0;  // groups whose value is n/a, left out
  double mean = 0, sd = 0;
};

// The population standard deviation and the coefficient of variation of |xs| (two passes:
// the mean first, then the squared deviations from it).
Value SpreadValue(Formula::Spread::Kind kind, const std::vector<double>& xs, SpreadStat* stat) {
  stat->n = xs.size();
  if (xs.empty()) return Value::Na("EMPTY");
  long double sum = 0;
  for (double x : xs) sum += x;
  const long double mean = sum / static_cast<long double>(xs.size());
  long double squares = 0;
  for (double x : xs) squares += (x - mean) * (x - mean);
  stat->mean = static_cast<double>(mean);
  stat->sd = static_cast<double>(std::sqrt(squares / static_cast<long double>(xs.size())));
  if (kind == Formula::Spread::kStddev) return Value::Number(stat->sd);
  if (stat->mean == 0) return Value::Na("ZERO_DENOMINATOR");
  return Value::Number(stat->sd / stat->mean);
}

// Whether |a| holds the keys of |b| and |column|, and nothing else.
bool KeysWith(const std::vector<std::string>& a, const std::vector<std::string>& b,
              const std::string& column) {
  if (a.size() != b.size() + 1) return false;
  if (std::find(a.begin(), a.end(), column) == a.end()) return false;
  return std::all_of(b.begin(), b.end(), [&](const std::string& k) {
    return k != column && std::find(a.begin(), a.end(), k) != a.end();
  });
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

  // Spreads (stddev(ID, COLUMN), cv(ID, COLUMN)): every call once, and per KPI the columns its
  // spreads (and those of the KPIs it uses) are over.
  std::vector<Formula::Spread> spreads;
  std::map<std::string, std::set<std::string>, std::less<>> spread_overs;
  for (const KpiDef& k : model.kpis) {  // dependency order
    std::set<std::string>& overs = spread_overs[k.id];
    for (const Formula::Spread& s : k.formula.spreads()) {
      overs.insert(s.over);
      if (std::none_of(spreads.begin(), spreads.end(),
                       [&](const Formula::Spread& x) { return x.key == s.key; })) {
        spreads.push_back(s);
      }
    }
    for (const auto& v : k.formula.variables()) {
      auto it = spread_overs.find(v);
      if (it != spread_overs.end()) overs.insert(it->second.begin(), it->second.end());
    }
  }
  // The groupings (key lists) of the run.
  std::vector<std::vector<std::string>> groupings;
  for (const MetricResult& r : run.metrics) {
    for (const MetricGrouping& g : r.groupings) {
      if (std::find(groupings.begin(), groupings.end(), g.keys) == groupings.end()) {
        groupings.push_back(g.keys);
      }
    }
  }
  // The grouping a spread over |column| reads in a context grouped by |keys| (empty: the
  // total): |keys| and |column|; null when there is none or |keys| holds |column|.
  auto spread_grouping = [&](const std::vector<std::string>& keys,
                             const std::string& column) -> const std::vector<std::string>* {
    for (const auto& g : groupings) {
      if (KeysWith(g, keys, column)) return &g;
    }
    return nullptr;
  };
  // Filled below: every id's value in each group of a grouping a spread reads (computed once,
  // when a spread first needs it).
  std::map<std::vector<std::string>,
           std::vector<std::pair<std::vector<std::string>, ValueMap>>> spread_values;
  std::function<const std::vector<std::pair<std::vector<std::string>, ValueMap>>&(
      const std::vector<std::string>&)> values_of;

  // Evaluates every KPI in one group context. |cell| gives a metric's cell in that context;
  // |keys| and |group| say which (empty: the total), for the spreads (null: spreads n/a — the
  // groups a spread reads are evaluated so, since no spread is of another spread).
  auto evaluate = [&](const std::function<MetricCell(const MetricDef&)>& cell,
                      const std::set<std::string>* only, ValueMap* values,
                      const std::vector<std::string>* keys,
                      const std::vector<std::string>* group) {
    std::vector<KpiValue> out;
    std::map<std::string, SpreadStat> stats;
    for (const ConstantDef& c : model.constants) (*values)[c.id] = Value::Number(c.value);
    for (const MetricDef& m : model.metrics) (*values)[m.id] = ValueOfCell(cell(m));
    for (const auto& [id, v] : overrides) (*values)[id] = Value::Number(v);
    for (const Formula::Spread& s : spreads) {
      const std::vector<std::string>* over =
          keys == nullptr ? nullptr : spread_grouping(*keys, s.over);
      if (over == nullptr) {
        (*values)[s.key] = Value::Na("NOT_GROUPED");
        continue;
      }
      // The groups of |over| inside this context: their values at this context's keys match.
      std::vector<std::size_t> at;
      for (const std::string& k : *keys) {
        at.push_back(static_cast<std::size_t>(std::find(over->begin(), over->end(), k) -
                                              over->begin()));
      }
      std::vector<double> xs;
      SpreadStat& stat = stats[s.key];
      for (const auto& [values_there, ids] : values_of(*over)) {
        bool inside = true;
        for (std::size_t i = 0; i < at.size() && inside; ++i) {
          inside = values_there[at[i]] == (*group)[i];
        }
        if (!inside) continue;
        const auto v = ids.find(s.of);
        if (v != ids.end() && v->second.v) {
          xs.push_back(*v->second.v);
        } else {
          ++stat.na;
        }
      }
      (*values)[s.key] = SpreadValue(s.kind, xs, &stat);
    }
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
      // A KPI that is one spread shows its population: the groups, those left out as n/a, and
      // for cv the standard deviation over the mean.
      if (fixed == overrides.end() && k.formula.spreads().size() == 1 &&
          k.formula.ToString() == k.formula.spreads()[0].key) {
        const Formula::Spread& s = k.formula.spreads()[0];
        if (const auto st = stats.find(s.key); st != stats.end()) {
          kv.n = st->second.n;
          if (st->second.na > 0) kv.excluded.emplace_back("na_group", st->second.na);
          if (s.kind == Formula::Spread::kCv && st->second.n > 0) {
            kv.numerator = Num::Real(st->second.sd);
            kv.denominator = Num::Real(st->second.mean);
          }
        }
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

  std::set<const MetricGrouping*> unsorted;
  for (const MetricResult& r : run.metrics) {
    for (const MetricGrouping& g : r.groupings) {
      if (!std::is_sorted(g.rows.begin(), g.rows.end(),
                          [](const auto& a, const auto& b) { return a.first < b.first; })) {
        unsorted.insert(&g);
      }
    }
  }
  // The metrics measured by grouping |keys|, and the groups their rows name.
  auto grouped_metrics_of = [&](const std::vector<std::string>& keys,
                                std::set<std::vector<std::string>>* values) {
    std::set<std::string> grouped;
    for (const MetricResult& r : run.metrics) {
      for (const MetricGrouping& g : r.groupings) {
        if (g.keys != keys) continue;
        grouped.insert(r.id);
        for (const auto& row : g.rows) values->insert(row.first);
      }
    }
    return grouped;
  };
  // A metric's cell in |group| of grouping |keys|: its own, or its total when it is not grouped
  // so (broadcast), or an empty cell when the group has no row of it.
  auto cell_in = [&](const std::vector<std::string>& keys, const std::set<std::string>& grouped,
                     const std::vector<std::string>& group) {
    return [&, group](const MetricDef& m) -> MetricCell {
      auto it = results.find(m.id);
      if (it == results.end()) return EmptyCell(m);
      if (grouped.count(m.id) == 0) return it->second->total;  // broadcast
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
  };
  // Every id's value in each group (with rows) of grouping |keys|, once: what spreads read.
  std::map<std::vector<std::string>, std::set<std::string>> spread_grouped;
  values_of = [&](const std::vector<std::string>& keys)
      -> const std::vector<std::pair<std::vector<std::string>, ValueMap>>& {
    if (auto it = spread_values.find(keys); it != spread_values.end()) return it->second;
    std::set<std::vector<std::string>> groups;
    const std::set<std::string>& grouped =
        spread_grouped[keys] = grouped_metrics_of(keys, &groups);
    std::vector<std::pair<std::vector<std::string>, ValueMap>> out;
    const std::set<std::string> none;
    for (const auto& group : groups) {
      ValueMap values;
      evaluate(cell_in(keys, grouped, group), &none, &values, nullptr, nullptr);
      out.emplace_back(group, std::move(values));
    }
    return spread_values[keys] = std::move(out);
  };

  auto total_cell = [&](const MetricDef& m) {
    auto it = results.find(m.id);
    return it == results.end() ? EmptyCell(m) : it->second->total;
  };
  const std::vector<std::string> no_keys;
  report.total.kpis = evaluate(total_cell, nullptr, &result.totals, &no_keys, &no_keys);

  // Groupings: every distinct key list any metric was grouped by.
  for (const auto& keys : groupings) {
    // The KPIs with at least one metric measured by this grouping; the others would only repeat
    // their total.
    std::set<std::vector<std::string>> values;
    const std::set<std::string> grouped_metrics = grouped_metrics_of(keys, &values);
    if (const auto extra = extra_groups.find(keys); extra != extra_groups.end()) {
      values.insert(extra->second.begin(), extra->second.end());
    }
    std::set<std::string> kpis;
    for (const auto& [id, deps] : metric_deps) {
      for (const auto& m : deps) {
        if (grouped_metrics.count(m) != 0) kpis.insert(id);
      }
    }
    // A KPI with a spread is printed where the spread has groups to read: not in a grouping by
    // its column (one group each), nor where no grouping adds the column to these keys.
    for (auto it = kpis.begin(); it != kpis.end();) {
      const auto overs = spread_overs.find(*it);
      const bool readable =
          overs == spread_overs.end() ||
          std::all_of(overs->second.begin(), overs->second.end(),
                      [&](const std::string& o) { return spread_grouping(keys, o) != nullptr; });
      it = readable ? std::next(it) : kpis.erase(it);
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
      ValueMap values_here;
      GroupRow row;
      row.values = group;
      row.kpis = evaluate(cell_in(keys, grouped_metrics, group), &kpis, &values_here, &keys, &group);
      grouping.rows.push_back(std::move(row));
      if (group_values) result.group_values[keys][group] = std::move(values_here);
    }
    report.groupings.push_back(std::move(grouping));
  }
  return result;
}

}  // namespace crmkpi
