// `crmkpi roi`: measuring the KPIs before and after, evaluating the amounts, computing the
// figures (see roi_run.h).
#include "roi_run.h"

#include <cmath>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

// The definition run on one side's exports.
struct Side {
  bool ran = false;
  ValueMap totals;
  KpiModel model;
};

Side RunSide(const RoiSettings& s, const std::map<std::string, std::string>& sources,
             const char* name, RoiEvaluation* ev) {
  Side side;
  KpiRunArgs args;
  args.config = s.definition;
  KpiRun run = RunKpis(args, {}, sources);
  side.ran = true;
  side.totals = run.evaluation.totals;
  side.model = run.model;
  Report& report = run.evaluation.report;
  for (const InputSummary& in : report.inputs) ev->inputs.push_back(in);
  if (!report.as_of.empty()) {  // the after run wins: it comes second
    ev->as_of = report.as_of;
    ev->as_of_source = report.as_of_source;
  }
  for (DataWarning w : report.warnings) {
    w.message = fmt::format("{}: {}", name, w.message);
    ev->warnings.push_back(std::move(w));
  }
  return side;
}

// "gain_per_year" or "gain_per_year[2]" for the second of a per-period list.
std::string ItemName(const RoiKey& k, std::size_t i) {
  return k.items.size() > 1 ? fmt::format("{}[{}]", k.key, i + 1) : k.key;
}

[[noreturn]] void Refuse(const RoiKey& k, const RoiAmount& a, std::size_t i, double v,
                         const char* rule) {
  throw Error(ExitCode::kUsage,
              fmt::format("{} = {} evaluates to {}: {}", ItemName(k, i), a.text,
                          fmt::format("{}", v), rule),
              a.loc);
}

}  // namespace

RoiEvaluation EvaluateRoi(const RoiSettings& s) {
  RoiEvaluation ev;
  Side before, after;
  if (!s.definition.empty() && s.RunsBefore()) before = RunSide(s, s.before_sources, "before", &ev);
  if (!s.definition.empty() && s.RunsAfter()) after = RunSide(s, s.after_sources, "after", &ev);

  const Formula::Lookup lookup = [&](std::string_view name) -> Value {
    auto c = s.constants.find(std::string(name));
    if (c != s.constants.end()) return Value::Number(c->second);
    for (const auto& [suffix, side] :
         {std::pair<std::string_view, const Side*>{"_before", &before}, {"_after", &after}}) {
      if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
        auto it = side->totals.find(name.substr(0, name.size() - suffix.size()));
        if (it != side->totals.end()) return it->second;
      }
    }
    return Value::Na("UNKNOWN");  // LoadRoiSettings checked every name
  };

  // The KPI values the formulas used, in id order.
  std::set<std::string> ids = s.before_ids;
  ids.insert(s.after_ids.begin(), s.after_ids.end());
  for (const std::string& id : ids) {
    RoiMeasure m;
    m.id = id;
    const KpiModel& model = after.ran ? after.model : before.model;
    if (const KpiDef* k = model.FindKpi(id)) m.label = k->label;
    if (s.before_ids.count(id)) m.before = lookup(id + "_before");
    if (s.after_ids.count(id)) m.after = lookup(id + "_after");
    ev.measured.push_back(std::move(m));
  }

  // Evaluates every item of a key (n/a stays n/a) and records its terms.
  auto evaluate = [&](const std::optional<RoiKey>& k) -> std::vector<Value> {
    std::vector<Value> values;
    if (!k) return values;
    for (std::size_t i = 0; i < k->items.size(); ++i) {
      const RoiAmount& a = k->items[i];
      if (a.number) {
        values.push_back(Value::Number(*a.number));
        continue;
      }
      values.push_back(a.formula->Eval(lookup));
      for (const RoiAmount::Term& t : a.terms) {
        Value v = t.formula.Eval(lookup);
        if (v.v) v.v = t.sign * *v.v + 0.0;  // + 0.0: no "-0"
        ev.terms.push_back({ItemName(*k, i), t.sign, t.text, v});
      }
    }
    ev.amounts.push_back({k->key, values});
    return values;
  };
  // The first n/a among |values| stops the computation (every figure would be n/a).
  auto na = [&](const std::optional<RoiKey>& k, const std::vector<Value>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!values[i].v && ev.na_key.empty()) {
        ev.na_key = ItemName(*k, i);
        ev.na_reason = values[i].reason;
        ev.na_loc = k->items[i].loc;
      }
    }
  };
  // Formulas must give what a literal must be: costs ≥ 0.
  auto check_cost = [&](const std::optional<RoiKey>& k, const std::vector<Value>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i].v && *values[i].v < 0) {
        Refuse(*k, k->items[i], i, *values[i].v, "a cost must not be negative");
      }
    }
  };
  const double share = s.attribution_share.value;
  auto first = [](const std::vector<Value>& v) { return v.empty() || !v[0].v ? 0.0 : *v[0].v; };

  if (s.simple) {
    const std::vector<Value> cost = evaluate(s.cost), gain = evaluate(s.gain);
    check_cost(s.cost, cost);
    na(s.cost, cost);
    na(s.gain, gain);
    if (ev.na_key.empty()) {
      SimpleRoiInput in;
      in.cost = first(cost);
      in.gain = first(gain) * share;
      in.benefit_risk = s.benefit_risk.value;
      in.cost_risk = s.cost_risk.value;
      ev.result = ComputeSimpleRoi(in);
    }
  } else {
    const std::vector<Value> initial = evaluate(s.initial_cost);
    const std::vector<Value> costs = evaluate(s.recurring_cost);
    const std::vector<Value> gains = evaluate(s.recurring_gain);
    check_cost(s.initial_cost, initial);
    check_cost(s.recurring_cost, costs);
    na(s.initial_cost, initial);
    na(s.recurring_cost, costs);
    na(s.recurring_gain, gains);
    if (ev.na_key.empty()) {
      CashFlowInput in;
      in.period = s.period;
      in.horizon = s.horizon;
      in.initial_cost = first(initial);
      const auto h = static_cast<std::size_t>(s.horizon);
      auto per_period = [h](const std::vector<Value>& v, double scale) {
        std::vector<double> out(h, 0.0);
        for (std::size_t k = 0; k < h && !v.empty(); ++k) {
          out[k] = *v[v.size() == 1 ? 0 : k].v * scale;
        }
        return out;
      };
      in.costs = per_period(costs, 1.0);
      in.gains = per_period(gains, share);
      in.ramp_periods = s.ramp_periods;
      in.discount_rate = s.discount_rate.value;
      in.benefit_risk = s.benefit_risk.value;
      in.cost_risk = s.cost_risk.value;
      ev.result = ComputeCashFlowRoi(in);
    }
  }

  // Break-even volume: the (risk-adjusted, undiscounted) cost over margin and deal size.
  if (s.margin_rate) {
    const std::vector<Value> margin = evaluate(s.margin_rate);
    ev.margin_rate = margin[0];
    if (margin[0].v && *margin[0].v > 1) {
      Refuse(*s.margin_rate, s.margin_rate->items[0], 0, *margin[0].v,
             "a margin rate is at most 100 %");
    }
    if (s.deal_size) ev.deal_size = evaluate(s.deal_size)[0];
    BreakEven b;
    if (!ev.result) {
      b.revenue = b.deals = RoiFigure::Na(ev.na_reason);
    } else if (!margin[0].v) {
      b.revenue = b.deals = RoiFigure::Na(margin[0].reason);
    } else {
      ev.breakeven_cost = ev.result->total_costs;
      std::optional<double> size;
      if (ev.deal_size && ev.deal_size->v) size = *ev.deal_size->v;
      b = ComputeBreakEven(ev.breakeven_cost, *margin[0].v, size);
      if (ev.deal_size && !ev.deal_size->v && b.revenue.value) {
        b.deals = RoiFigure::Na(ev.deal_size->reason);
      }
    }
    if (!s.deal_size) b.deals = RoiFigure::Na("");  // not asked for
    ev.breakeven = b;
  }
  return ev;
}

}  // namespace crmkpi
