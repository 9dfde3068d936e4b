// ROI / NPV / payback arithmetic (crmkpi/roi.h): the reference test vectors (Forrester TEI
// SalesLoft, lemonade stand, truck; the seed article's simple ROI), ramp-up, monthly
// discounting, risk adjustment, payback edge cases and the break-even volume. Every expected
// value is computed by hand in the comment beside it.
#include "crmkpi/base/roi.h"

#include <cmath>
#include <stdexcept>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

CashFlowInput Yearly(double initial, std::vector<double> costs, std::vector<double> gains) {
  CashFlowInput in;
  in.period = RoiPeriod::kYear;
  in.horizon = static_cast<int>(costs.size());
  in.initial_cost = initial;
  in.costs = std::move(costs);
  in.gains = std::move(gains);
  return in;
}

TEST_CASE("ROI simple mode reproduces the seed vectors", "[roi]") {
  // Seed article: cost 12,000, added gross margin 75,000:
  // ROI = (75,000 − 12,000) / 12,000 × 100 = 63,000 / 12,000 × 100 = 525 %;
  // gain/cost = 75,000 / 12,000 = 6.25 (625 %); net gain 63,000.
  RoiResult r = ComputeSimpleRoi({12000, 75000, 0, 0});
  CHECK(r.simple);
  CHECK(*r.roi_percent.value == 525.0);
  CHECK(*r.gain_cost_ratio.value == 6.25);
  CHECK(r.net_gain == 63000.0);
  CHECK(r.undiscounted_net == 63000.0);
  CHECK(r.pv_costs.reason == kReasonSimpleMode);
  CHECK(r.npv.reason == kReasonSimpleMode);
  CHECK(r.payback_months.reason == kReasonSimpleMode);
  CHECK(r.periods.empty());

  // Cost 1,000, gain 11,000: (11,000 − 1,000) / 1,000 × 100 = 1,000 %; gain/cost 11.
  r = ComputeSimpleRoi({1000, 11000, 0, 0});
  CHECK(*r.roi_percent.value == 1000.0);
  CHECK(*r.gain_cost_ratio.value == 11.0);
  CHECK(r.net_gain == 10000.0);
}

TEST_CASE("ROI simple mode: break-even is gain = cost (ROI 0 %, gain/cost 100 %)", "[roi]") {
  // The seed calls ROI = 100 % the break-even; by its own formula that is gain = 2 × cost.
  RoiResult even = ComputeSimpleRoi({5000, 5000, 0, 0});
  CHECK(*even.roi_percent.value == 0.0);
  CHECK(*even.gain_cost_ratio.value == 1.0);
  RoiResult hundred = ComputeSimpleRoi({5000, 10000, 0, 0});
  CHECK(*hundred.roi_percent.value == 100.0);
  CHECK(*hundred.gain_cost_ratio.value == 2.0);
}

TEST_CASE("ROI simple mode: cost 0 is n/a and not an error and a loss is negative", "[roi]") {
  RoiResult r = ComputeSimpleRoi({0, 5000, 0, 0});
  CHECK_FALSE(r.roi_percent.value);
  CHECK(r.roi_percent.reason == "ZERO_DENOMINATOR");
  CHECK(r.gain_cost_ratio.reason == "ZERO_DENOMINATOR");
  CHECK(r.net_gain == 5000.0);

  // Cost 10,000, gain 4,000: (4,000 − 10,000) / 10,000 = −60 %.
  r = ComputeSimpleRoi({10000, 4000, 0, 0});
  CHECK(*r.roi_percent.value == Approx(-60.0));
  CHECK(r.net_gain == -6000.0);
}

TEST_CASE("ROI simple mode: risk adjustment", "[roi]") {
  // Gain 75,000 × (1 − 10 %) = 67,500; cost 12,000 × (1 + 5 %) = 12,600;
  // ROI = (67,500 − 12,600) / 12,600 × 100 = 54,900 / 12,600 × 100 = 435.714… %.
  RoiResult r = ComputeSimpleRoi({12000, 75000, 0.1, 0.05});
  CHECK(r.total_gains == Approx(67500.0));
  CHECK(r.total_costs == Approx(12600.0));
  CHECK(*r.roi_percent.value == Approx(54900.0 / 12600.0 * 100.0));
}

TEST_CASE("ROI TEI vector: SalesLoft", "[roi]") {
  // Costs initial, Y1–Y3 = 53,150; 666,715; 636,772; 647,783; benefits 0; 1,606,511;
  // 3,061,331; 4,229,760; r = 10 %, year-end discounting, initial not discounted.
  // PV costs = 53,150 + 666,715/1.1 + 636,772/1.21 + 647,783/1.331
  //          = 53,150 + 606,104.5455 + 526,257.8512 + 486,688.9557 = 1,672,201.3524
  // PV benefits = 1,606,511/1.1 + 3,061,331/1.21 + 4,229,760/1.331
  //             = 1,460,464.5455 + 2,530,025.6198 + 3,177,881.2923 = 7,168,371.4576
  // NPV = 5,496,170.1052; ROI = NPV / PV costs = 3.286787 → 328.68 % (published 329 %)
  // Payback: N_0 = −53,150; Y1 net = 939,796 → N_1 = 886,646 ≥ 0;
  //          53,150 / 939,796 × 12 = 0.6787 months (published ≈ 0.7).
  const RoiResult r =
      ComputeCashFlowRoi(Yearly(53150, {666715, 636772, 647783}, {1606511, 3061331, 4229760}));
  CHECK(*r.pv_costs.value == Approx(1672201.3524).margin(0.001));
  CHECK(*r.pv_benefits.value == Approx(7168371.4576).margin(0.001));
  CHECK(*r.npv.value == Approx(5496170.1052).margin(0.001));
  CHECK(std::round(*r.pv_costs.value) == 1672201.0);
  CHECK(std::round(*r.pv_benefits.value) == 7168371.0);
  CHECK(std::round(*r.roi_percent.value * 10) / 10 == 328.7);
  CHECK(*r.roi_percent.value == Approx(328.6787).margin(0.0001));
  CHECK(*r.gain_cost_ratio.value == Approx(4.286787).margin(1e-6));
  CHECK(r.net_gain == *r.npv.value);
  CHECK(std::round(*r.payback_months.value * 100) / 100 == 0.68);
  CHECK(*r.payback_months.value == Approx(53150.0 / 939796.0 * 12.0));
  // Undiscounted: Σ benefits 8,897,602 − Σ costs 2,004,420 = 6,893,182.
  CHECK(r.undiscounted_net == 6893182.0);
  REQUIRE(r.periods.size() == 4);
  CHECK(r.periods[0].discount_factor == 1.0);
  CHECK(r.periods[0].cumulative_net == -53150.0);
  CHECK(r.periods[1].net == 939796.0);
  CHECK(r.periods[3].cumulative_net == 6893182.0);
  CHECK(r.periods[3].cumulative_discounted == Approx(*r.npv.value));
  // Discounted payback: D_0 = −53,150, D_1 = −53,150 + 939,796/1.1 = 801,210 →
  // 53,150 / 854,360 × 12 = 0.7465 months.
  CHECK(*r.discounted_payback_months.value == Approx(53150.0 / 854360.0 * 12.0));
}

TEST_CASE("ROI TEI vector: lemonade stand", "[roi]") {
  // Setup 10,000; costs 5,000/yr; revenue 15,000/yr; 3 years; annuity factor
  // 1/1.1 + 1/1.21 + 1/1.331 = 2.486852.
  // PV costs = 10,000 + 5,000 × 2.486852 = 22,434.26; PV benefits = 15,000 × 2.486852
  // = 37,302.78; NPV = 14,868.52; ROI = 14,868.52 / 22,434.26 = 66.28 % (published 66 %).
  // Undiscounted net = 45,000 − 25,000 = 20,000. Payback: N_0 = −10,000, N_1 = 0 ≥ 0 →
  // 0 + 10,000 / 10,000 = 1 year = 12 months.
  const RoiResult r = ComputeCashFlowRoi(Yearly(10000, {5000, 5000, 5000}, {15000, 15000, 15000}));
  CHECK(*r.pv_costs.value == Approx(22434.26).margin(0.005));
  CHECK(*r.pv_benefits.value == Approx(37302.78).margin(0.005));
  CHECK(std::round(*r.roi_percent.value * 10) / 10 == 66.3);
  CHECK(std::round(*r.roi_percent.value) == 66.0);
  CHECK(r.undiscounted_net == 20000.0);
  CHECK(*r.payback_months.value == 12.0);
}

TEST_CASE("ROI TEI vector: truck", "[roi]") {
  // Initial 250,000; costs 150,000/yr; revenue 300,000/yr; 3 years.
  // PV costs = 250,000 + 150,000 × 2.486852 = 623,027.80; PV benefits = 300,000 × 2.486852
  // = 746,055.60; NPV = 123,027.80; ROI = 19.75 % (published 20 %, reference 19.7 %).
  // Net 900,000 − 700,000 = 200,000. Payback: N_1 = −100,000, N_2 = 50,000 →
  // 1 year + 100,000 / 150,000 year = 12 + 8 = 20 months (exact).
  const RoiResult r =
      ComputeCashFlowRoi(Yearly(250000, {150000, 150000, 150000}, {300000, 300000, 300000}));
  CHECK(*r.pv_costs.value == Approx(623027.80).margin(0.005));
  CHECK(*r.pv_benefits.value == Approx(746055.60).margin(0.005));
  CHECK(*r.roi_percent.value == Approx(19.7468).margin(0.0001));
  CHECK(std::round(*r.roi_percent.value) == 20.0);
  CHECK(r.undiscounted_net == 200000.0);
  CHECK(*r.payback_months.value == 20.0);
}

TEST_CASE("ROI monthly flows discount at (1 + r)^(1/12) − 1", "[roi]") {
  // 12 months of 1,000 gain, r = 10 %/yr: r_m = 1.1^(1/12) − 1 = 0.0079741404;
  // month 12's factor is 1 / 1.1 exactly, month 6's 1 / √1.1 = 0.9534625892.
  CashFlowInput in;
  in.period = RoiPeriod::kMonth;
  in.horizon = 12;
  in.costs.assign(12, 0.0);
  in.gains.assign(12, 1000.0);
  const RoiResult r = ComputeCashFlowRoi(in);
  CHECK(r.monthly_rate == Approx(0.0079741404).margin(1e-10));
  CHECK(r.periods[12].discount_factor == Approx(1.0 / 1.1).epsilon(1e-15));
  CHECK(r.periods[6].discount_factor == Approx(0.9534625892).margin(1e-10));
  // No costs: ROI n/a (PV costs 0), payback 0 (N_0 = 0 ≥ 0).
  CHECK(r.roi_percent.reason == "ZERO_DENOMINATOR");
  CHECK(*r.payback_months.value == 0.0);
}

TEST_CASE("ROI ramp-up: period k ≤ N gets k/N of the gain", "[roi]") {
  CHECK(RampShare(1, 3) == Approx(1.0 / 3.0));
  CHECK(RampShare(2, 3) == Approx(2.0 / 3.0));
  CHECK(RampShare(3, 3) == 1.0);
  CHECK(RampShare(7, 3) == 1.0);
  CHECK(RampShare(1, 0) == 1.0);
  CHECK(RampShare(1, 1) == 1.0);
  // Initial 100; gain 90/period ramped over 3; cost 0; no discounting: gains 30, 60, 90, 90;
  // N = −100, −70, −10, 80 → payback in period 3: 2 + 10/90 periods.
  CashFlowInput in = Yearly(100, {0, 0, 0, 0}, {90, 90, 90, 90});
  in.ramp_periods = 3;
  in.discount_rate = 0;
  const RoiResult r = ComputeCashFlowRoi(in);
  CHECK(r.periods[1].gain == Approx(30.0));
  CHECK(r.periods[2].gain == Approx(60.0));
  CHECK(r.periods[3].gain == Approx(90.0));
  CHECK(*r.payback_months.value == Approx((2.0 + 10.0 / 90.0) * 12.0));
  // r = 0: PVs equal the undiscounted sums: ROI = (270 − 100) / 100 = 170 %.
  CHECK(*r.roi_percent.value == Approx(170.0));
}

TEST_CASE("ROI risk adjustment in cash-flow mode applies to every period", "[roi]") {
  // Lemonade with benefit risk 10 % and cost risk 5 %: C' = 10,500 initial and 5,250/yr,
  // B' = 13,500/yr. PV costs = 10,500 + 5,250 × 2.486852 = 23,555.97; PV benefits
  // = 13,500 × 2.486852 = 33,572.50; ROI = 10,016.53 / 23,555.97 = 42.52 %.
  // Payback: N_0 = −10,500, N_1 = −2,250, N_2 = 6,000 → 12 + 2,250/8,250 × 12 = 15.27 months.
  CashFlowInput in = Yearly(10000, {5000, 5000, 5000}, {15000, 15000, 15000});
  in.benefit_risk = 0.1;
  in.cost_risk = 0.05;
  const RoiResult r = ComputeCashFlowRoi(in);
  CHECK(r.periods[0].cost == Approx(10500.0));
  CHECK(r.periods[1].gain == Approx(13500.0));
  const double annuity = 1 / 1.1 + 1 / 1.21 + 1 / 1.331;
  CHECK(*r.pv_costs.value == Approx(10500 + 5250 * annuity));
  CHECK(*r.pv_benefits.value == Approx(13500 * annuity));
  CHECK(*r.roi_percent.value == Approx(42.5223).margin(0.0001));
  CHECK(*r.payback_months.value == Approx(12.0 + 2250.0 / 8250.0 * 12.0));
}

TEST_CASE("ROI payback not reached within the horizon is n/a NOT_REACHED", "[roi]") {
  // Initial 100,000; cost 5,000/month; gain 8,000/month; 12 months: N_12 = −100,000 +
  // 12 × 3,000 = −64,000 < 0.
  CashFlowInput in;
  in.period = RoiPeriod::kMonth;
  in.horizon = 12;
  in.initial_cost = 100000;
  in.costs.assign(12, 5000.0);
  in.gains.assign(12, 8000.0);
  const RoiResult r = ComputeCashFlowRoi(in);
  CHECK_FALSE(r.payback_months.value);
  CHECK(r.payback_months.reason == "NOT_REACHED");
  CHECK(r.discounted_payback_months.reason == "NOT_REACHED");
  CHECK(r.undiscounted_net == -64000.0);
}

TEST_CASE("ROI payback: the first crossing, linear inside the period", "[roi]") {
  CHECK(*PaybackMonths({0, 5}, 12).value == 0.0);           // N_0 ≥ 0 → 0
  CHECK(*PaybackMonths({-10, 0}, 12).value == 12.0);        // reached exactly at the end
  CHECK(*PaybackMonths({-10, 10}, 1).value == 0.5);         // half-way through month 1
  CHECK(*PaybackMonths({-10, -5, 5, -1}, 1).value == 1.5);  // first crossing counts
  CHECK(PaybackMonths({-10, -5}, 12).reason == "NOT_REACHED");
}

TEST_CASE("ROI calculation refuses inputs outside its ranges", "[roi]") {
  CHECK_THROWS_AS(ComputeSimpleRoi({-1, 5, 0, 0}), std::invalid_argument);
  CHECK_THROWS_AS(ComputeSimpleRoi({1, 5, 1.5, 0}), std::invalid_argument);
  CashFlowInput in = Yearly(0, {1}, {1});
  in.horizon = 0;
  CHECK_THROWS_AS(ComputeCashFlowRoi(in), std::invalid_argument);
  in = Yearly(0, {-1}, {1});
  CHECK_THROWS_AS(ComputeCashFlowRoi(in), std::invalid_argument);
  in = Yearly(0, {1}, {1});
  in.discount_rate = -0.1;
  CHECK_THROWS_AS(ComputeCashFlowRoi(in), std::invalid_argument);
}

TEST_CASE("ROI break-even volume", "[roi]") {
  // Cost 12,000 at a 30 % margin: revenue needed 12,000 / 0.3 = 40,000; at 40,000 per deal:
  // ⌈12,000 / (40,000 × 0.3)⌉ = ⌈1.0000000000000002 in doubles⌉ = 1 deal, not 2.
  BreakEven b = ComputeBreakEven(12000, 0.3, 40000.0);
  CHECK(*b.revenue.value == Approx(40000.0));
  CHECK(*b.deals.value == 1.0);
  // 4,095,000 / (1,200,000 × 0.4) = 8.53 → 9 deals; revenue 10,237,500.
  b = ComputeBreakEven(4095000, 0.4, 1200000.0);
  CHECK(*b.revenue.value == Approx(10237500.0));
  CHECK(*b.deals.value == 9.0);
  b = ComputeBreakEven(1000, 0.25, std::nullopt);
  CHECK(*b.revenue.value == 4000.0);
  CHECK_FALSE(b.deals.value);
  b = ComputeBreakEven(1000, 0, 500.0);
  CHECK(b.revenue.reason == kReasonNoMargin);
  CHECK(b.deals.reason == kReasonNoMargin);
  b = ComputeBreakEven(1000, 0.5, 0.0);
  CHECK(b.deals.reason == kReasonNoDealSize);
  CHECK(*ComputeBreakEven(0, 0.5, 100.0).deals.value == 0.0);
}

}  // namespace
}  // namespace crmkpi
