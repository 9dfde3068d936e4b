// The KPI tree end to end on values (no CSV): the reference's Part C vector through the tree,
// chaining over two levels, what-if propagation and the identity check.
#include "crmkpi/evaluate/kpi_tree.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "crmkpi/definition/ini_file.h"

using namespace crmkpi;

namespace {

// Part C: revenue = leads × lead→opp × win × deal size; targets are t0, actuals t1.
const char* kPartC = R"(
[constant leads_now]
value = 1100
[constant l2o_now]
value = 0.18
[constant win_now]
value = 0.30
[constant deal_now]
value = 9500
[kpi leads]
formula = leads_now
target = 1000
[kpi l2o]
formula = l2o_now
target = 0.20
[kpi win]
formula = win_now
target = 0.25
[kpi deal]
formula = deal_now
target = 10000
[kpi revenue]
formula = leads * l2o * win * deal
target = 500000
[tree]
kgi = revenue
revenue = leads, l2o, win, deal
)";

ValueMap Totals(const KpiModel& m) {
  ValueMap v;
  for (const auto& c : m.constants) v[c.id] = Value::Number(c.value);
  for (const auto& k : m.kpis) {
    v[k.id] = k.formula.Eval([&](std::string_view id) { return v.find(id)->second; });
  }
  return v;
}

const TreeNode& Child(const TreeNode& n, const std::string& id) {
  for (const auto& c : n.children) {
    if (c.id == id) return c;
  }
  FAIL("no child " << id);
  return n;
}

}  // namespace

TEST_CASE("Part C: LMDI attribution of the revenue gap to the cent", "[tree]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(kPartC, "c.ini"));
  const TreeResult t = EvaluateTree(m, Totals(m), {}, ReferenceKind::kTarget);
  REQUIRE(t.roots.size() == 1);
  const TreeNode& r = t.roots[0];
  CHECK(*r.actual.v == Approx(564300));
  CHECK(*r.contribution == Approx(64300));
  CHECK(r.method == AttributionMethod::kLmdi);
  // Hand-computed (reference Part C): L(564300, 500000) = 64300 / ln(1.1286) = 531,501.92;
  // leads: L·ln(1.1) = +50,657.54, l2o: L·ln(0.9) = −55,999.32, win: L·ln(1.2) = +96,904.26,
  // deal: L·ln(0.95) = −27,262.48.
  CHECK(*Child(r, "leads").contribution == Approx(50657.54).margin(0.005));
  CHECK(*Child(r, "l2o").contribution == Approx(-55999.32).margin(0.005));
  CHECK(*Child(r, "win").contribution == Approx(96904.26).margin(0.005));
  CHECK(*Child(r, "deal").contribution == Approx(-27262.48).margin(0.005));
  CHECK(*Child(r, "win").contribution_share == Approx(96904.26 / 64300).epsilon(1e-6));
  CHECK(r.status == "on track");
  CHECK(Child(r, "l2o").status == "off track");
  CHECK(t.warnings.empty());
}

TEST_CASE("two levels chain so that the leaves add up to the root gap", "[tree]") {
  // revenue = won × avg; won = opps × win_rate. Targets: opps 100, win 0.25 → won 25,
  // avg 4000 → revenue 100,000. Actuals: opps 120, win 0.20 → won 24, avg 5000 → 120,000.
  const KpiModel m = KpiModel::Load(IniFile::Parse(R"(
[constant o]
value = 120
[constant w]
value = 0.20
[constant a]
value = 5000
[kpi opps]
formula = o
target = 100
[kpi win_rate]
formula = w
target = 25%
[kpi won]
formula = opps * win_rate
target = 25
[kpi avg]
formula = a
target = 4000
[kpi revenue]
formula = won * avg
target = 100000
[tree]
kgi = revenue
revenue = won, avg
won = opps, win_rate
)",
                                                   "t.ini"));
  const TreeResult t = EvaluateTree(m, Totals(m), {}, ReferenceKind::kTarget);
  const TreeNode& r = t.roots[0];
  CHECK(*r.contribution == Approx(20000));
  const TreeNode& won = Child(r, "won");
  const TreeNode& avg = Child(r, "avg");
  // LMDI at the root: L(120000, 100000) = 20000 / ln 1.2 = 109,696.1;
  // won: L·ln(24/25) = −4,478.0; avg: L·ln(1.25) = +24,478.0 (sum 20,000).
  CHECK(*won.contribution == Approx(-4478.0).margin(0.1));
  CHECK(*avg.contribution == Approx(24478.0).margin(0.1));
  const double leaves = *Child(won, "opps").contribution + *Child(won, "win_rate").contribution +
                        *avg.contribution;
  CHECK(leaves == Approx(20000).epsilon(1e-9));
  // won's own change (−1) splits ln(1.2) : ln(0.8) between opps and win_rate, scaled to −4,478.
  const double share = std::log(1.2) / (std::log(1.2) + std::log(0.8));
  CHECK(*Child(won, "opps").contribution == Approx(-4478.0 * share).margin(0.5));
}

TEST_CASE("what-if moves a measured node by its identity's change", "[tree]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(R"(
[constant measured]
value = 1000
[constant n]
value = 10
[constant s]
value = 99
[kpi revenue]
formula = measured
[kpi won]
formula = n
[kpi avg]
formula = s
[tree]
kgi = revenue
revenue = won * avg
)",
                                                   "w.ini"));
  const ValueMap before = Totals(m);
  ValueMap after = before;
  after["won"] = Value::Number(12);
  const ValueMap moved = PropagateThroughTree(m, before, after);
  // 1000 + (12 × 99 − 10 × 99) = 1198; the identity's residual (1000 vs 990) stays as it was.
  CHECK(*moved.at("revenue").v == Approx(1198));
  const TreeResult t = EvaluateTree(m, moved, before, ReferenceKind::kWhatIf);
  CHECK(*t.roots[0].contribution == Approx(198));
  CHECK(*Child(t.roots[0], "won").contribution == Approx(198));
  // The identity check warns: 1198 measured vs 1188 from the children (and 1000 vs 990 before).
  REQUIRE(t.roots[0].identity_residual.has_value());
  CHECK(*t.roots[0].identity_residual == Approx(10));
  CHECK(t.warnings.size() == 1);
}
