// ROI, payback and NPV, Forrester TEI-compatible (docs/kpis.md "ROI, payback and NPV"): pure
// arithmetic on amounts that are already known — no I/O, no parsing, no KPI tree.
//
// Simple mode (one period, nothing discounted):
//   ROI % = (gain − cost) / cost × 100, gain/cost = gain / cost, net gain = gain − cost.
// Cash-flow mode (periods k = 0 .. H, months or years):
//   k = 0 is the initial cost, undiscounted; recurring costs and gains fall at the end of
//   periods 1 .. H; a ramp-up of N periods gives period k ≤ N the share k/N of the full gain;
//   risk: B'_k = B_k × (1 − benefit_risk), C'_k = C_k × (1 + cost_risk);
//   discount factor 1/(1 + r)^k yearly, 1/(1 + r_m)^k monthly with r_m = (1 + r)^(1/12) − 1;
//   PV(x) = Σ x_k × factor_k, NPV = PV(B') − PV(C'), ROI = NPV / PV(C');
//   payback: the first crossing of the undiscounted cumulative net N_k = Σ_{j≤k} (B'_j − C'_j)
//   to ≥ 0, linear inside the period; N_0 ≥ 0 → 0; never within H → n/a NOT_REACHED.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace crmkpi {

// Reason codes of undefined ROI figures (besides ZERO_DENOMINATOR, formula.h).
inline constexpr char kReasonNotReached[] = "NOT_REACHED";   // payback beyond the horizon
inline constexpr char kReasonSimpleMode[] = "SIMPLE_MODE";   // no time axis: no PV/payback
inline constexpr char kReasonNoMargin[] = "NO_MARGIN";       // margin rate ≤ 0
inline constexpr char kReasonNoDealSize[] = "NO_DEAL_SIZE";  // average deal size ≤ 0

// A figure that may be undefined: a value, or n/a with a reason code.
struct RoiFigure {
  std::optional<double> value;
  std::string reason;  // empty when value is set

  static RoiFigure Of(double v) { return RoiFigure{v, {}}; }
  static RoiFigure Na(std::string why) { return RoiFigure{std::nullopt, std::move(why)}; }
};

struct SimpleRoiInput {
  double cost = 0;          // ≥ 0
  double gain = 0;          // any sign
  double benefit_risk = 0;  // 0 ≤ br ≤ 1: gain × (1 − br)
  double cost_risk = 0;     // ≥ 0: cost × (1 + cr)
};

enum class RoiPeriod { kMonth, kYear };

struct CashFlowInput {
  RoiPeriod period = RoiPeriod::kYear;
  int horizon = 3;              // periods H ≥ 1
  double initial_cost = 0;      // at k = 0, ≥ 0
  std::vector<double> costs;    // periods 1 .. H (size H), ≥ 0
  std::vector<double> gains;    // periods 1 .. H (size H), the full gain before ramp-up
  int ramp_periods = 0;         // N ≥ 0; 0 and 1 mean no ramp-up
  double discount_rate = 0.10;  // per year, ≥ 0
  double benefit_risk = 0;
  double cost_risk = 0;
};

// One row of the cash-flow table; amounts are risk-adjusted (and ramped).
struct RoiPeriodRow {
  int k = 0;  // 0 = initial
  double cost = 0, gain = 0, net = 0, cumulative_net = 0;
  double discount_factor = 1;
  double discounted_cost = 0, discounted_gain = 0, discounted_net = 0;
  double cumulative_discounted = 0;
};

struct RoiResult {
  bool simple = false;
  RoiFigure roi_percent;                 // net gain / cost × 100 (cash flow: NPV / PV(C') × 100)
  RoiFigure gain_cost_ratio;             // gain / cost (cash flow: PV(B') / PV(C'))
  double net_gain = 0;                   // gain − cost (cash flow: NPV)
  RoiFigure pv_costs, pv_benefits, npv;  // simple mode: n/a SIMPLE_MODE
  double total_costs = 0;                // undiscounted Σ C'_k (simple: the risk-adjusted cost)
  double total_gains = 0;                // undiscounted Σ B'_k
  double undiscounted_net = 0;
  RoiFigure payback_months;             // simple mode: n/a SIMPLE_MODE
  RoiFigure discounted_payback_months;  // the same on discounted flows
  double monthly_rate = 0;              // r_m when period = month
  std::vector<RoiPeriodRow> periods;    // cash flow only: k = 0 .. H
};

// Throws std::invalid_argument when an input breaks its documented range (callers validate
// user input first and report it with the flag or INI key).
RoiResult ComputeSimpleRoi(const SimpleRoiInput& in);
RoiResult ComputeCashFlowRoi(const CashFlowInput& in);

// Ramp-up share of the full gain in period k ≥ 1: min(k, N) / N, 1 when N ≤ 1.
double RampShare(int k, int ramp_periods);

// Payback in periods on cumulative nets N_0 .. N_H (linear inside the period): 0 when N_0 ≥ 0,
// (k − 1) + (−N_{k−1}) / (N_k − N_{k−1}) for the first k with N_k ≥ 0, n/a NOT_REACHED
// otherwise. |period_months| scales the result (12 for years, 1 for months); the scaling is
// done before the division so that whole months stay exact (1 + 100,000/150,000 years = 20).
RoiFigure PaybackMonths(const std::vector<double>& cumulative, double period_months);

// Break-even volume: revenue needed = cost / margin_rate; won deals needed =
// ceil(cost / (deal_size × margin_rate)). margin ≤ 0 → n/a NO_MARGIN; deal_size ≤ 0 → deals
// n/a NO_DEAL_SIZE. The ceiling forgives floating-point noise of 1e-9 relative (12,000 /
// (40,000 × 0.3) is 1 deal, not 2).
struct BreakEven {
  RoiFigure revenue;
  RoiFigure deals;
};
BreakEven ComputeBreakEven(double cost, double margin_rate, std::optional<double> deal_size);

}  // namespace crmkpi
