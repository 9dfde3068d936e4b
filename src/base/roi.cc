// ROI, payback and NPV arithmetic (see crmkpi/base/roi.h for the definitions).
#include "crmkpi/base/roi.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "crmkpi/base/na_reasons.h"

namespace crmkpi {
namespace {

void Require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

bool Finite(double x) { return std::isfinite(x); }

void CheckRisks(double benefit_risk, double cost_risk) {
  Require(Finite(benefit_risk) && benefit_risk >= 0 && benefit_risk <= 1,
          "benefit_risk must be in [0, 1]");
  Require(Finite(cost_risk) && cost_risk >= 0, "cost_risk must be >= 0");
}

// ROI % and gain/cost from a (present or plain) gain and cost; cost 0 → n/a.
void SetRatios(double gain, double cost, RoiResult* r) {
  if (cost == 0) {
    r->roi_percent = RoiFigure::Na(kReasonZeroDenominator);
    r->gain_cost_ratio = RoiFigure::Na(kReasonZeroDenominator);
    return;
  }
  r->roi_percent = RoiFigure::Of((gain - cost) / cost * 100.0);
  r->gain_cost_ratio = RoiFigure::Of(gain / cost);
}

}  // namespace

double RampShare(int k, int ramp_periods) {
  if (ramp_periods <= 1 || k >= ramp_periods) return 1.0;
  if (k <= 0) return 0.0;
  return static_cast<double>(k) / static_cast<double>(ramp_periods);
}

RoiFigure PaybackMonths(const std::vector<double>& cumulative, double period_months) {
  if (cumulative.empty()) return RoiFigure::Na(kReasonNotReached);
  if (cumulative[0] >= 0) return RoiFigure::Of(0);
  for (std::size_t k = 1; k < cumulative.size(); ++k) {
    if (cumulative[k] < 0) continue;
    const double deficit = -cumulative[k - 1];              // > 0
    const double step = cumulative[k] - cumulative[k - 1];  // ≥ deficit > 0
    return RoiFigure::Of(static_cast<double>(k - 1) * period_months +
                         deficit * period_months / step);
  }
  return RoiFigure::Na(kReasonNotReached);
}

RoiResult ComputeSimpleRoi(const SimpleRoiInput& in) {
  Require(Finite(in.cost) && in.cost >= 0, "cost must be >= 0");
  Require(Finite(in.gain), "gain must be finite");
  CheckRisks(in.benefit_risk, in.cost_risk);
  RoiResult r;
  r.simple = true;
  const double cost = in.cost * (1.0 + in.cost_risk);
  const double gain = in.gain * (1.0 - in.benefit_risk);
  SetRatios(gain, cost, &r);
  r.net_gain = gain - cost;
  r.total_costs = cost;
  r.total_gains = gain;
  r.undiscounted_net = r.net_gain;
  r.pv_costs = r.pv_benefits = r.npv = RoiFigure::Na(kReasonSimpleMode);
  r.payback_months = r.discounted_payback_months = RoiFigure::Na(kReasonSimpleMode);
  return r;
}

RoiResult ComputeCashFlowRoi(const CashFlowInput& in) {
  const auto h = static_cast<std::size_t>(in.horizon);
  Require(in.horizon >= 1, "horizon must be >= 1 period");
  Require(in.costs.size() == h && in.gains.size() == h, "one cost and one gain per period");
  Require(Finite(in.initial_cost) && in.initial_cost >= 0, "initial cost must be >= 0");
  Require(in.ramp_periods >= 0, "ramp_periods must be >= 0");
  Require(Finite(in.discount_rate) && in.discount_rate >= 0, "discount rate must be >= 0");
  CheckRisks(in.benefit_risk, in.cost_risk);
  for (std::size_t i = 0; i < h; ++i) {
    Require(Finite(in.costs[i]) && in.costs[i] >= 0, "costs must be >= 0");
    Require(Finite(in.gains[i]), "gains must be finite");
  }

  RoiResult r;
  // Per-period rate: the yearly rate, or its monthly equivalent (compounding to r in a year).
  const bool monthly = in.period == RoiPeriod::kMonth;
  const double rate =
      monthly ? std::pow(1.0 + in.discount_rate, 1.0 / 12.0) - 1.0 : in.discount_rate;
  if (monthly) r.monthly_rate = rate;

  double pv_costs = 0, pv_gains = 0, cumulative = 0, cumulative_discounted = 0;
  std::vector<double> cum_net, cum_discounted;
  for (std::size_t k = 0; k <= h; ++k) {
    RoiPeriodRow row;
    row.k = static_cast<int>(k);
    if (k == 0) {
      row.cost = in.initial_cost * (1.0 + in.cost_risk);
      row.gain = 0;
      row.discount_factor = 1;  // TEI: initial costs are not discounted
    } else {
      row.cost = in.costs[k - 1] * (1.0 + in.cost_risk);
      row.gain = in.gains[k - 1] * RampShare(row.k, in.ramp_periods) * (1.0 - in.benefit_risk);
      // 1 / (1 + rate)^k: year-end (month-end) discounting. Monthly, (1 + r_m)^k is
      // (1 + r)^(k/12), computed so, which keeps month 12's factor exactly 1 / (1 + r).
      const double years = monthly ? static_cast<double>(k) / 12.0 : static_cast<double>(k);
      row.discount_factor = 1.0 / std::pow(1.0 + in.discount_rate, years);
    }
    row.net = row.gain - row.cost;
    cumulative += row.net;
    row.cumulative_net = cumulative;
    row.discounted_cost = row.cost * row.discount_factor;
    row.discounted_gain = row.gain * row.discount_factor;
    row.discounted_net = row.discounted_gain - row.discounted_cost;
    cumulative_discounted += row.discounted_net;
    row.cumulative_discounted = cumulative_discounted;
    pv_costs += row.discounted_cost;
    pv_gains += row.discounted_gain;
    r.total_costs += row.cost;
    r.total_gains += row.gain;
    cum_net.push_back(row.cumulative_net);
    cum_discounted.push_back(row.cumulative_discounted);
    r.periods.push_back(row);
  }
  r.pv_costs = RoiFigure::Of(pv_costs);
  r.pv_benefits = RoiFigure::Of(pv_gains);
  r.npv = RoiFigure::Of(pv_gains - pv_costs);
  r.net_gain = pv_gains - pv_costs;
  SetRatios(pv_gains, pv_costs, &r);
  r.undiscounted_net = r.total_gains - r.total_costs;
  const double months = monthly ? 1.0 : 12.0;
  r.payback_months = PaybackMonths(cum_net, months);
  r.discounted_payback_months = PaybackMonths(cum_discounted, months);
  return r;
}

BreakEven ComputeBreakEven(double cost, double margin_rate, std::optional<double> deal_size) {
  BreakEven b;
  if (!(margin_rate > 0)) {
    b.revenue = b.deals = RoiFigure::Na(kReasonNoMargin);
    return b;
  }
  const double revenue = cost / margin_rate;
  b.revenue = RoiFigure::Of(revenue);
  if (!deal_size) return b;
  if (!(*deal_size > 0)) {
    b.deals = RoiFigure::Na(kReasonNoDealSize);
    return b;
  }
  const double q = cost / (*deal_size * margin_rate);
  double n = std::ceil(q);
  // 12,000 / (40,000 × 0.3) = 1.0000000000000002 in doubles: one deal, not two.
  if (n >= 1 && n - 1 >= q - 1e-9 * std::max(1.0, std::fabs(q))) n -= 1;
  b.deals = RoiFigure::Of(n);
  return b;
}

}  // namespace crmkpi
