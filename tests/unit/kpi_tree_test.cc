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

namespace {

// The textbook tree of issue 21: revenue (target 30,000,000) = won_deals × avg_deal_size;
// won_deals = deals × win_rate has no target; deals 50, win_rate 30 %, avg_deal_size 2,000,000.
// Actuals: 25 deals, 20 % won → 5 won deals at 1,500,000 → 7,500,000 (gap −22,500,000).
std::string Textbook(const std::string& win_rate_target = "target = 30%",
                     const std::string& won_deals_target = "") {
  return R"(
[constant n]
value = 25
[constant w]
value = 0.2
[constant a]
value = 1500000
[kpi deals]
formula = n
target = 50
[kpi win_rate]
formula = w
)" + win_rate_target + R"(
[kpi won_deals]
formula = deals * win_rate
)" + won_deals_target + R"(
[kpi avg_deal_size]
formula = a
target = 2000000
[kpi revenue]
formula = won_deals * avg_deal_size
target = 30000000
[tree]
kgi = revenue
revenue = won_deals * avg_deal_size
won_deals = deals * win_rate
)";
}

}  // namespace

TEST_CASE("a node without a target gets its children's: the textbook gap is split", "[tree]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(Textbook(), "t.ini"));
  const TreeResult t = EvaluateTree(m, Totals(m), {}, ReferenceKind::kTarget);
  const TreeNode& r = t.roots[0];
  const TreeNode& won = Child(r, "won_deals");
  // won_deals: 50 × 0.3 = 15, derived; 5 against 15.
  REQUIRE(won.target.has_value());
  CHECK(*won.target == Approx(15));
  CHECK(won.target_derived);
  CHECK_FALSE(r.target_derived);
  CHECK(*won.reference.v == Approx(15));
  CHECK(*won.achievement.v == Approx(5.0 / 15));
  CHECK(won.status == "off track");
  // Root gap 7.5M − 30M = −22.5M, all of it explained. LMDI: each leaf gets −22.5M ×
  // ln(x¹/x⁰) / ln(7.5/30): deals ln 0.5 / ln 0.25 = ½ → −11,250,000; win_rate ln(2/3) / ln ¼
  // = 0.2924813 → −6,580,828.13; avg_deal_size ln ¾ / ln ¼ = 0.2075187 → −4,669,171.87.
  CHECK(*r.contribution == Approx(-22500000));
  const double deals = *Child(won, "deals").contribution;
  const double win = *Child(won, "win_rate").contribution;
  const double avg = *Child(r, "avg_deal_size").contribution;
  CHECK(deals == Approx(-11250000).epsilon(0).margin(0.01));
  CHECK(win == Approx(-22500000 * std::log(2.0 / 3) / std::log(0.25)).margin(0.01));
  CHECK(win == Approx(-6580828.13).epsilon(0).margin(0.01));
  CHECK(avg == Approx(-4669171.87).epsilon(0).margin(0.01));
  CHECK(deals + win + avg == Approx(-22500000).epsilon(1e-12));
  CHECK(*Child(won, "deals").contribution_share == Approx(0.5));
  CHECK(t.blocked.empty());
  CHECK(t.warnings.empty());
}

TEST_CASE("a node whose target cannot be derived blocks the attribution, and says why", "[tree]") {
  // win_rate has no target: won_deals cannot get one either.
  const KpiModel m = KpiModel::Load(IniFile::Parse(Textbook(""), "t.ini"));
  const TreeResult t = EvaluateTree(m, Totals(m), {}, ReferenceKind::kTarget);
  const TreeNode& r = t.roots[0];
  const TreeNode& won = Child(r, "won_deals");
  CHECK_FALSE(won.target.has_value());
  CHECK(won.status == "no target");
  REQUIRE(t.blocked.size() == 1);  // won_deals, the topmost; not win_rate below it
  CHECK(t.blocked[0].id == "won_deals");
  CHECK(t.blocked[0].reason == "no target, and its child win_rate has none");
  // As before: won_deals at its actual (5) explains nothing; the children explain
  // 5 × 1.5M − 5 × 2M = −2.5M of the −22.5M gap, and the warning says so.
  CHECK(*r.contribution == Approx(-2500000));
  CHECK(*won.contribution == Approx(0).margin(1e-6));
  CHECK(*Child(won, "deals").contribution == Approx(0).margin(1e-6));
  REQUIRE(t.warnings.size() == 1);
  CHECK(t.warnings[0].find("do not multiply out") != std::string::npos);
}

TEST_CASE("an own target wins over the derived one, and a mismatch is reported", "[tree]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(Textbook("target = 30%", "target = 12"), "t.ini"));
  const TreeResult t = EvaluateTree(m, Totals(m), {}, ReferenceKind::kTarget);
  const TreeNode& won = Child(t.roots[0], "won_deals");
  CHECK(*won.target == 12);
  CHECK_FALSE(won.target_derived);
  REQUIRE(won.target_from_children.has_value());
  CHECK(*won.target_from_children == Approx(15));
  CHECK(*won.achievement.v == Approx(5.0 / 12));
  // The root's own target (30M) against its children's (12 × 2M = 24M) and won_deals's against
  // its children's, each reported, and the root's gap against what its children explain.
  REQUIRE(t.roots[0].target_from_children.has_value());
  CHECK(*t.roots[0].target_from_children == Approx(24000000));
  REQUIRE(t.warnings.size() == 3);
  CHECK(t.warnings[0].find("revenue: its target 30000000 and its children's targets, which give "
                           "24000000") != std::string::npos);
  CHECK(t.warnings[1].find("won_deals: its target 12 and its children's targets, which give 15") !=
        std::string::npos);
  CHECK(t.warnings[2].find("children's references do not multiply out") != std::string::npos);
  CHECK(t.blocked.empty());
  // A derived target that agrees with the own one is not reported.
  const KpiModel same = KpiModel::Load(IniFile::Parse(Textbook("target = 30%", "target = 15"), "s.ini"));
  const TreeResult u = EvaluateTree(same, Totals(same), {}, ReferenceKind::kTarget);
  CHECK_FALSE(Child(u.roots[0], "won_deals").target_from_children.has_value());
  CHECK(u.warnings.empty());
}

TEST_CASE("targets passed by the caller replace the model's", "[tree]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(Textbook(), "t.ini"));
  // One owner's targets: deals 40 and no revenue target (derived: 40 × 0.3 × 2M = 24M).
  const TargetMap owner{{"deals", 40}, {"win_rate", 0.3}, {"avg_deal_size", 2000000}};
  const TreeResult t = EvaluateTree(m, Totals(m), {}, ReferenceKind::kTarget, owner);
  const TreeNode& r = t.roots[0];
  CHECK(r.target_derived);
  CHECK(*r.target == Approx(24000000));
  CHECK(*Child(r, "won_deals").target == Approx(12));
  CHECK(*r.contribution == Approx(7500000 - 24000000));
  // The default is the model's targets.
  CHECK(ModelTargets(m).at("revenue") == 30000000);
  CHECK(ModelTargets(m).count("won_deals") == 0);
  // No targets at all: the root is blocked, naming both children.
  const TreeResult none = EvaluateTree(m, Totals(m), {}, ReferenceKind::kTarget, TargetMap{});
  REQUIRE(none.blocked.size() == 1);
  CHECK(none.blocked[0].id == "revenue");
  CHECK(none.blocked[0].reason ==
        "no target, and its children won_deals and avg_deal_size have none");
  CHECK(*none.roots[0].contribution == 0);
}

TEST_CASE("derived targets: constants count as their value; n/a and leaves block", "[tree]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(R"(
[constant price]
value = 3
[constant n]
value = 4
[constant z]
value = 0
[kpi units]
formula = n
target = 10
[kpi sales]
formula = units * price
[kpi won]
formula = n
target = 0
[kpi closed]
formula = z
target = 0
[kpi rate]
formula = won / closed
[kpi raw]
formula = n
[kpi other]
formula = raw * price
[tree]
kgi = sales, rate, other
sales = units * price
rate = won / closed
other = raw * price
)",
                                                   "c.ini"));
  const ValueMap v = Totals(m);
  const TreeResult t = EvaluateTree(m, v, {}, ReferenceKind::kTarget);
  REQUIRE(t.roots.size() == 3);
  CHECK(t.roots[0].target_derived);
  CHECK(*t.roots[0].target == 30);  // 10 × 3
  CHECK(t.roots[0].status == "off track");  // 12 < 30
  REQUIRE(t.blocked.size() == 2);
  CHECK(t.blocked[0].id == "rate");
  CHECK(t.blocked[0].reason == "no target, and its children's targets give n/a (ZERO_DENOMINATOR)");
  CHECK(t.blocked[1].id == "other");
  CHECK(t.blocked[1].reason == "no target, and its child raw has none");
  // A leaf without a target under a node with one.
  const TreeResult leaf = EvaluateTree(m, v, {}, ReferenceKind::kTarget, TargetMap{{"other", 9}});
  bool found = false;
  for (const BlockedNode& b : leaf.blocked) {
    if (b.id == "raw") {
      found = true;
      CHECK(b.reason == "no target, and no children to derive one from");
    }
  }
  CHECK(found);
  // Baselines do not block: the reference is the baseline's value.
  CHECK(EvaluateTree(m, v, v, ReferenceKind::kBaseline).blocked.empty());
}
