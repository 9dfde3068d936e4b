// The Report of `crmkpi roi` (see roi_report.h).
#include "roi_report.h"

#include <cmath>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/values/amount.h"

namespace crmkpi {
namespace {

// Money in the project's fixed point (1/10,000), rounded half away from zero.
Num MoneyNum(double x) {
  return Num::Money(static_cast<Int128>(std::llround(x * static_cast<double>(kAmountScale))));
}

std::string MoneyCell(double x) { return MoneyNum(x).ToString(); }
std::string RealCell(double x) { return Num::Real(x + 0.0).ToString(); }

// "1,234,567.5"
std::string MoneyText(double x) { return GroupThousands(MoneyCell(x)); }
// 0.125 → "12.5 %"
std::string PercentText(double x) { return fmt::format("{:.10g} %", x * 100 + 0.0); }

KpiValue Figure(const char* id, const std::string& label, Unit unit, const RoiFigure& f,
                bool money) {
  KpiValue v;
  v.id = id;
  v.label = label;
  v.unit = unit;
  if (f.value) {
    v.value = money ? MoneyNum(*f.value) : Num::Real(*f.value + 0.0);
  } else {
    v.reason = f.reason;
  }
  return v;
}

std::string ItemName(const RoiKey& k, std::size_t i) {
  return k.items.size() > 1 ? fmt::format("{}[{}]", k.key, i + 1) : k.key;
}

const RoiAmountValue* AmountOf(const RoiEvaluation& ev, const std::string& key) {
  for (const RoiAmountValue& a : ev.amounts) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

std::string ValueCell(const Value& v) { return v.v ? RealCell(*v.v) : ""; }

// "600,000" or "1,606,511; 3,061,331; 4,229,760" (formulas as written).
std::string ShownAmounts(const RoiKey& k, const RoiAmountValue* values) {
  std::string out;
  for (std::size_t i = 0; i < k.items.size(); ++i) {
    const RoiAmount& a = k.items[i];
    std::string item = a.number ? MoneyText(*a.number) : a.text;
    if (!a.number && values != nullptr && i < values->items.size()) {
      const Value& v = values->items[i];
      item += v.v ? " = " + MoneyText(*v.v) : " = n/a (" + v.reason + ")";
    }
    out += (out.empty() ? "" : "; ") + item;
  }
  return out;
}

ReportList PeriodsList(const RoiSettings& s, const RoiResult& r) {
  const bool monthly = s.period == RoiPeriod::kMonth;
  ReportList list;
  list.id = "periods";
  list.title = fmt::format(
      "Cash flow per {} (period 0 = initial costs, not discounted; flows at the end of each {}; "
      "risk-adjusted; discount factor 1/(1 + {})^period)",
      monthly ? "month" : "year", monthly ? "month" : "year",
      monthly ? fmt::format("{:.6g}", r.monthly_rate)
              : fmt::format("{:.10g}", s.discount_rate.value));
  list.columns = {"period",
                  "cost",
                  "gain",
                  "net",
                  "cumulative_net",
                  "discount_factor",
                  "discounted_cost",
                  "discounted_gain",
                  "discounted_net",
                  "cumulative_discounted"};
  list.numeric.assign(list.columns.size(), true);
  list.units.assign(list.columns.size(), Unit::kAmount);
  list.units[0] = Unit::kCount;
  list.units[5] = Unit::kNumber;  // the discount factor: 4 decimals (below 1)
  for (const RoiPeriodRow& p : r.periods) {
    list.rows.push_back({std::to_string(p.k), MoneyCell(p.cost), MoneyCell(p.gain),
                         MoneyCell(p.net), MoneyCell(p.cumulative_net), RealCell(p.discount_factor),
                         MoneyCell(p.discounted_cost), MoneyCell(p.discounted_gain),
                         MoneyCell(p.discounted_net), MoneyCell(p.cumulative_discounted)});
  }
  return list;
}

ReportList TermsList(const RoiSettings& s, const RoiEvaluation& ev) {
  ReportList list;
  list.id = "terms";
  list.title = "Terms of the formulas (signed contributions; gains before the attribution share)";
  list.columns = {"amount", "term", "value"};
  list.numeric = {false, false, true};
  for (const std::optional<RoiKey>* k : {&s.cost, &s.gain, &s.initial_cost, &s.recurring_cost,
                                         &s.recurring_gain, &s.margin_rate, &s.deal_size}) {
    if (!k->has_value()) continue;
    const RoiKey& key = **k;
    const bool gain = key.key.rfind("gain", 0) == 0;
    const RoiAmountValue* values = AmountOf(ev, key.key);
    for (std::size_t i = 0; i < key.items.size(); ++i) {
      if (!key.items[i].formula) continue;
      const std::string name = ItemName(key, i);
      std::size_t terms = 0;
      for (const RoiTermValue& t : ev.terms) {
        if (t.key != name) continue;
        list.rows.push_back({name, (t.sign < 0 ? "- " : "+ ") + t.text, ValueCell(t.value)});
        ++terms;
      }
      const Value total =
          values != nullptr && i < values->items.size() ? values->items[i] : Value::Na("");
      if (terms > 1) list.rows.push_back({name, "= " + key.items[i].text, ValueCell(total)});
      if (gain) {
        const Value attributed =
            total.v ? Value::Number(*total.v * s.attribution_share.value) : total;
        list.rows.push_back({name,
                             fmt::format("× attribution share {} (the part the CRM caused)",
                                         PercentText(s.attribution_share.value)),
                             ValueCell(attributed)});
      }
    }
  }
  return list;
}

ReportList MeasuredList(const RoiEvaluation& ev) {
  ReportList list;
  list.id = "measured";
  list.title = "KPIs measured by the definition on the before and after exports";
  list.columns = {"id", "label", "before", "after", "change", "note"};
  list.numeric = {false, false, true, true, true, false};
  for (const RoiMeasure& m : ev.measured) {
    std::string note;
    auto cell = [&](const std::optional<Value>& v, const char* side) -> std::string {
      if (!v) return "";
      if (!v->v) note += fmt::format("{}{} n/a ({})", note.empty() ? "" : "; ", side, v->reason);
      return ValueCell(*v);
    };
    const std::string before = cell(m.before, "before");
    const std::string after = cell(m.after, "after");
    std::string change;
    if (m.before && m.after && m.before->v && m.after->v)
      change = RealCell(*m.after->v - *m.before->v);
    list.rows.push_back({m.id, m.label, before, after, change, note});
  }
  return list;
}

ReportList SettingsList(const RoiSettings& s, const RoiEvaluation& ev) {
  ReportList list;
  list.id = "settings";
  list.title = "Inputs and assumptions";
  list.columns = {"setting", "value", "shown", "from"};
  list.numeric = {false, true, false, false};
  auto add = [&](const std::string& setting, const std::string& value, const std::string& shown,
                 const std::string& from) {
    list.rows.push_back({setting, value, shown, from});
  };
  const bool monthly = s.period == RoiPeriod::kMonth;
  const std::string unit = monthly ? "month" : "year";
  add("mode", "",
      s.simple ? "simple: one cost, one gain, nothing discounted"
               : fmt::format("cash flow: initial costs at period 0, flows per {}", unit),
      s.config.empty() ? "flags" : s.config);
  auto from = [&](const std::string& key) {
    auto it = s.from.find(key);
    return it == s.from.end() ? std::string() : it->second;
  };
  if (!s.definition.empty()) add("definition", "", s.definition, from("definition"));
  for (const auto& [id, path] : s.before_sources) {
    add("before." + id, "", path, from("before." + id));
  }
  for (const auto& [id, path] : s.after_sources) add("after." + id, "", path, from("after." + id));
  for (const auto& [name, value] : s.constants) {
    add("constant." + name, RealCell(value), "", from("constant." + name));
  }
  for (const std::optional<RoiKey>* k :
       {&s.cost, &s.gain, &s.initial_cost, &s.recurring_cost, &s.recurring_gain}) {
    if (!k->has_value()) continue;
    const RoiAmountValue* values = AmountOf(ev, (*k)->key);
    std::string value;
    if (values != nullptr && values->items.size() == 1) value = ValueCell(values->items[0]);
    add((*k)->key, value, ShownAmounts(**k, values), (*k)->from);
  }
  if (!s.simple) {
    add("horizon", std::to_string(s.horizon),
        fmt::format("{} {}{}", s.horizon, unit, s.horizon == 1 ? "" : "s"), s.horizon_from);
    add("ramp_periods", std::to_string(s.ramp_periods),
        s.ramp_periods <= 1 ? std::string("no ramp-up: the full gain from period 1")
                            : fmt::format("linear: period k ≤ {} gets k/{} of the gain",
                                          s.ramp_periods, s.ramp_periods),
        s.ramp_from);
    std::string rate = PercentText(s.discount_rate.value) + " per year";
    if (monthly && ev.result) {
      rate +=
          fmt::format(" = {:.6g} % per month ((1 + r)^(1/12) − 1)", ev.result->monthly_rate * 100);
    }
    add("discount_rate", RealCell(s.discount_rate.value), rate, s.discount_rate.from);
  }
  add("benefit_risk", RealCell(s.benefit_risk.value),
      fmt::format("{}: gains × (1 − {})", PercentText(s.benefit_risk.value),
                  PercentText(s.benefit_risk.value)),
      s.benefit_risk.from);
  add("cost_risk", RealCell(s.cost_risk.value),
      fmt::format("{}: costs × (1 + {})", PercentText(s.cost_risk.value),
                  PercentText(s.cost_risk.value)),
      s.cost_risk.from);
  add("attribution_share", RealCell(s.attribution_share.value),
      PercentText(s.attribution_share.value) + " of the gain is credited to the CRM",
      s.attribution_share.from);
  if (s.margin_rate && ev.margin_rate) {
    const RoiAmount& a = s.margin_rate->items[0];
    std::string shown = ev.margin_rate->v ? PercentText(*ev.margin_rate->v)
                                          : "n/a (" + ev.margin_rate->reason + ")";
    if (!a.number) shown += " = " + a.text;
    add("margin_rate", ValueCell(*ev.margin_rate), shown, s.margin_rate->from);
  }
  if (s.deal_size && ev.deal_size) {
    const RoiAmount& a = s.deal_size->items[0];
    std::string shown =
        ev.deal_size->v ? MoneyText(*ev.deal_size->v) : "n/a (" + ev.deal_size->reason + ")";
    if (!a.number) shown += " = " + a.text;
    add("deal_size", ValueCell(*ev.deal_size), shown, s.deal_size->from);
  }
  if (ev.breakeven) {
    add("breakeven_cost", MoneyCell(ev.breakeven_cost),
        s.simple ? "the cost (risk-adjusted)"
                 : "all costs over the horizon, undiscounted, risk-adjusted",
        "");
  }
  return list;
}

}  // namespace

Report BuildRoiReport(const RoiSettings& s, const RoiEvaluation& ev) {
  Report report;
  report.command = "roi";
  report.inputs = ev.inputs;
  report.as_of = ev.as_of;
  report.as_of_source = ev.as_of_source;
  report.warnings = ev.warnings;

  RoiResult r;
  if (ev.result) {
    r = *ev.result;
  } else {  // an amount is n/a: so is every figure
    const RoiFigure na = RoiFigure::Na(ev.na_reason);
    r.simple = s.simple;
    r.roi_percent = r.gain_cost_ratio = r.pv_costs = r.pv_benefits = r.npv = na;
    r.payback_months = r.discounted_payback_months = na;
    DataWarning w;
    w.kind = "na_amount";
    w.count = 1;
    w.first = ev.na_loc;
    w.message = fmt::format("{} is n/a ({}), so every ROI figure is n/a (see the terms)", ev.na_key,
                            ev.na_reason);
    report.warnings.push_back(w);
  }
  auto money = [&](double x) { return ev.result ? RoiFigure::Of(x) : RoiFigure::Na(ev.na_reason); };
  std::vector<KpiValue>& k = report.total.kpis;
  KpiValue roi =
      Figure("roi_percent",
             s.simple ? "ROI % = (gain − cost) / cost × 100" : "ROI % = NPV / PV costs × 100",
             Unit::kNumber, r.roi_percent, false);
  KpiValue ratio = Figure(
      "gain_cost_ratio",
      s.simple ? "gain / cost (100 % = break-even)" : "PV benefits / PV costs (100 % = break-even)",
      Unit::kRatio, r.gain_cost_ratio, false);
  if (ev.result) {
    const double cost = s.simple ? r.total_costs : *r.pv_costs.value;
    const double gain = s.simple ? r.total_gains : *r.pv_benefits.value;
    roi.numerator = MoneyNum(r.net_gain);
    roi.denominator = ratio.denominator = MoneyNum(cost);
    ratio.numerator = MoneyNum(gain);
  }
  k.push_back(roi);
  k.push_back(ratio);
  k.push_back(Figure("net_gain", s.simple ? "net gain = gain − cost" : "net gain = NPV",
                     Unit::kAmount, money(r.net_gain), true));
  k.push_back(Figure("pv_costs", "PV costs", Unit::kAmount, r.pv_costs, true));
  k.push_back(Figure("pv_benefits", "PV benefits", Unit::kAmount, r.pv_benefits, true));
  k.push_back(Figure("npv", "NPV = PV benefits − PV costs", Unit::kAmount, r.npv, true));
  k.push_back(Figure("undiscounted_net", "undiscounted net = Σ gains − Σ costs", Unit::kAmount,
                     money(r.undiscounted_net), true));
  // Interpolation leaves noise in the last bits (13.319999999999999): 10 decimals are plenty.
  auto months = [](RoiFigure f) {
    if (f.value) *f.value = std::round(*f.value * 1e10) / 1e10;
    return f;
  };
  k.push_back(Figure("payback_months", "payback (months, undiscounted)", Unit::kNumber,
                     months(r.payback_months), false));
  k.push_back(Figure("discounted_payback_months", "discounted payback (months)", Unit::kNumber,
                     months(r.discounted_payback_months), false));
  if (ev.breakeven) {
    KpiValue revenue = Figure("breakeven_revenue", "break-even revenue = cost / margin rate",
                              Unit::kAmount, ev.breakeven->revenue, true);
    if (revenue.value && ev.margin_rate && ev.margin_rate->v) {
      revenue.numerator = MoneyNum(ev.breakeven_cost);
      revenue.denominator = Num::Real(*ev.margin_rate->v);
    }
    k.push_back(revenue);
    if (s.deal_size) {
      KpiValue deals =
          Figure("breakeven_deals", "break-even won deals = ⌈cost / (deal size × margin rate)⌉",
                 Unit::kCount, ev.breakeven->deals, false);
      if (deals.value)
        deals.value = Num::Count(static_cast<std::uint64_t>(*ev.breakeven->deals.value));
      k.push_back(deals);
    }
  }

  if (!s.simple && ev.result) report.lists.push_back(PeriodsList(s, r));
  ReportList terms = TermsList(s, ev);
  if (!terms.rows.empty()) report.lists.push_back(std::move(terms));
  if (!ev.measured.empty()) report.lists.push_back(MeasuredList(ev));
  report.lists.push_back(SettingsList(s, ev));
  return report;
}

std::string WriteRoiReport(const Report& report, const RoiSettings& s, Format format) {
  std::string out = WriteReport(report, format);
  if (!report.inputs.empty() || (format != Format::kTable && format != Format::kMarkdown)) {
    return out;
  }
  const std::string::size_type eol = out.find('\n');
  const std::string heading =
      fmt::format("{}crmkpi roi: {}", format == Format::kMarkdown ? "# " : "",
                  s.config.empty() ? std::string("figures from the command line") : s.config);
  return heading + (eol == std::string::npos ? "\n" : out.substr(eol));
}

}  // namespace crmkpi
