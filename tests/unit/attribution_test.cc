#include "crmkpi/evaluate/attribution.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

using Vec = std::vector<double>;

double Product(const Vec& x) {
  return std::accumulate(x.begin(), x.end(), 1.0, std::multiplies<>());
}

double Sum(const Vec& x) { return std::accumulate(x.begin(), x.end(), 0.0); }

NodeShape ProductShape(std::size_t k) { return {NodeShape::kProduct, std::vector<int>(k, 1)}; }

// Part C: revenue = leads × lead→opp rate × win rate × deal size.
const Vec kRevenue0 = {1000, 0.20, 0.25, 10000};  // 500,000
const Vec kRevenue1 = {1100, 0.18, 0.30, 9500};   // 564,300

}  // namespace

TEST_CASE("MethodName", "[attribution]") {
  CHECK(MethodName(AttributionMethod::kSum) == "sum");
  CHECK(MethodName(AttributionMethod::kLmdi) == "lmdi");
  CHECK(MethodName(AttributionMethod::kShapley) == "shapley");
  CHECK(MethodName(AttributionMethod::kNone) == "none");
}

TEST_CASE("Part C revenue tree by LMDI", "[attribution]") {
  for (bool with_formula : {true, false}) {
    INFO("with_formula: " << with_formula);
    const NodeEvaluator f = with_formula ? NodeEvaluator(Product) : NodeEvaluator();
    const Attribution a = Attribute(ProductShape(4), f, kRevenue0, kRevenue1);
    REQUIRE(a.method == AttributionMethod::kLmdi);
    CHECK(a.reason.empty());
    CHECK(a.parent0 == Approx(500000).epsilon(1e-15));
    CHECK(a.parent1 == Approx(564300).epsilon(1e-15));
    REQUIRE(a.contributions.size() == 4);
    CHECK(std::abs(a.contributions[0] - 50657.54) <= 0.005);
    CHECK(std::abs(a.contributions[1] - -55999.32) <= 0.005);
    CHECK(std::abs(a.contributions[2] - 96904.26) <= 0.005);
    CHECK(std::abs(a.contributions[3] - -27262.48) <= 0.005);
    CHECK(std::abs(Sum(a.contributions) - 64300) <= 1e-6);
    CHECK(std::abs(a.residual) <= 1e-6);
    CHECK(ResidualIsNegligible(a));
  }
}

TEST_CASE("Part C revenue tree by Shapley", "[attribution]") {
  const Attribution a = Attribute({NodeShape::kOther, {}}, Product, kRevenue0, kRevenue1);
  REQUIRE(a.method == AttributionMethod::kShapley);
  REQUIRE(a.contributions.size() == 4);
  CHECK(std::abs(a.contributions[0] - 50845.83) <= 0.005);
  CHECK(std::abs(a.contributions[1] - -56320.83) <= 0.005);
  CHECK(std::abs(a.contributions[2] - 97179.17) <= 0.005);
  CHECK(std::abs(a.contributions[3] - -27404.17) <= 0.005);
  CHECK(std::abs(Sum(a.contributions) - 64300) <= 1e-6);
  CHECK(ResidualIsNegligible(a));
}

TEST_CASE("LMDI does not depend on the order of the factors", "[attribution]") {
  const Vec r0 = {kRevenue0[3], kRevenue0[1], kRevenue0[0], kRevenue0[2]};
  const Vec r1 = {kRevenue1[3], kRevenue1[1], kRevenue1[0], kRevenue1[2]};
  const Attribution a = Attribute(ProductShape(4), Product, kRevenue0, kRevenue1);
  const Attribution b = Attribute(ProductShape(4), Product, r0, r1);
  CHECK(b.contributions[0] == Approx(a.contributions[3]).epsilon(1e-14));
  CHECK(b.contributions[1] == Approx(a.contributions[1]).epsilon(1e-14));
  CHECK(b.contributions[2] == Approx(a.contributions[0]).epsilon(1e-14));
  CHECK(b.contributions[3] == Approx(a.contributions[2]).epsilon(1e-14));
}

TEST_CASE("Sum node with signs", "[attribution]") {
  // gross_profit = revenue − cost: 1000 − 600 = 400 → 1200 − 900 = 300, Δ = −100.
  const NodeShape shape{NodeShape::kSum, {+1, -1}};
  const Attribution a = Attribute(shape, {}, {1000, 600}, {1200, 900});
  REQUIRE(a.method == AttributionMethod::kSum);
  CHECK(a.parent0 == 400);
  CHECK(a.parent1 == 300);
  CHECK(a.contributions == Vec{200, -300});
  CHECK(a.residual == 0);

  // The same with a formula object: it only supplies the parent values.
  const Attribution b =
      Attribute(shape, [](const Vec& x) { return x[0] - x[1]; }, {1000, 600}, {1200, 900});
  CHECK(b.method == AttributionMethod::kSum);
  CHECK(b.contributions == Vec{200, -300});
  CHECK(b.residual == 0);

  // A sum never needs Shapley, so 13 children are fine, and zero/negative values too.
  const Vec z0(13, -1.0), z1(13, 2.0);
  const Attribution c = Attribute({NodeShape::kSum, std::vector<int>(13, 1)}, {}, z0, z1);
  CHECK(c.method == AttributionMethod::kSum);
  CHECK(c.contributions == Vec(13, 3.0));
  CHECK(c.residual == 0);
}

TEST_CASE("Ratio node by LMDI with exponent -1", "[attribution]") {
  // win_rate = won / closed: 40/160 = 0.25 → 54/180 = 0.30, Δ = 0.05. By hand:
  //   L(0.30, 0.25) = 0.05 / ln 1.2 = 0.05 / 0.1823215568 = 0.2742407474
  //   won:    +L·ln(54/40)   = +0.2742407474 · 0.3001045925 = +0.0823009077
  //   closed: −L·ln(180/160) = −0.2742407474 · 0.1177830357 = −0.0323009077
  //   sum = L·(ln 1.35 − ln 1.125) = L·ln 1.2 = 0.05.
  const NodeShape shape{NodeShape::kProduct, {+1, -1}};
  const Attribution a = Attribute(shape, {}, {40, 160}, {54, 180});
  REQUIRE(a.method == AttributionMethod::kLmdi);
  CHECK(a.parent0 == Approx(0.25).epsilon(1e-15));
  CHECK(a.parent1 == Approx(0.30).epsilon(1e-15));
  CHECK(a.contributions[0] == Approx(0.0823009077).epsilon(1e-9));
  CHECK(a.contributions[1] == Approx(-0.0323009077).epsilon(1e-9));
  CHECK(std::abs(Sum(a.contributions) - 0.05) <= 1e-15);
  CHECK(ResidualIsNegligible(a));
}

TEST_CASE("A zero factor falls back to Shapley and still sums exactly", "[attribution]") {
  // revenue = won × avg_deal: no won deals against a target of 0 × 10,000 = 0, then 5 × 9,000.
  // Two factors, so Shapley is the mean of the two orderings:
  //   won first:  won 5·10000 − 0·10000 = 50,000; then avg 5·9000 − 5·10000 = −5,000
  //   avg first:  avg 0·9000 − 0·10000 = 0;        then won 5·9000 − 0·9000 = 45,000
  //   won = (50,000 + 45,000)/2 = 47,500; avg = (−5,000 + 0)/2 = −2,500; sum 45,000 = Δ.
  const Attribution a = Attribute(ProductShape(2), Product, {0, 10000}, {5, 9000});
  REQUIRE(a.method == AttributionMethod::kShapley);
  CHECK(a.parent0 == 0);
  CHECK(a.parent1 == 45000);
  CHECK(a.contributions[0] == Approx(47500).epsilon(1e-15));
  CHECK(a.contributions[1] == Approx(-2500).epsilon(1e-15));
  CHECK(std::abs(a.residual) <= 1e-9);
  CHECK(ResidualIsNegligible(a));
}

TEST_CASE("A negative parent falls back to Shapley", "[attribution]") {
  // margin = revenue × margin_rate with a loss-making reference: logarithms do not exist.
  const Attribution a = Attribute(ProductShape(2), Product, {1000, -0.1}, {1200, 0.05});
  REQUIRE(a.method == AttributionMethod::kShapley);
  CHECK(std::abs(Sum(a.contributions) - (60 - -100)) <= 1e-12);
}

TEST_CASE("Shapley for two factors is the mean of the two orderings", "[attribution]") {
  // a·b: (10, 100) → (12, 90), Δ = 1080 − 1000 = 80.
  //   a first: a 12·100 − 10·100 = 200, then b 12·90 − 12·100 = −120
  //   b first: b 10·90 − 10·100 = −100, then a 12·90 − 10·90 = 180
  //   a = (200 + 180)/2 = 190, b = (−120 − 100)/2 = −110.
  const Attribution a = Attribute({NodeShape::kOther, {}}, Product, {10, 100}, {12, 90});
  REQUIRE(a.method == AttributionMethod::kShapley);
  CHECK(a.contributions[0] == Approx(190).epsilon(1e-15));
  CHECK(a.contributions[1] == Approx(-110).epsilon(1e-15));
  CHECK(std::abs(a.residual) <= 1e-12);
}

TEST_CASE("Shapley gives an unchanged child exactly zero", "[attribution]") {
  const Attribution a =
      Attribute({NodeShape::kOther, {}}, [](const Vec& x) { return x[0] * x[1] + x[2] * x[2]; },
                {3, 4, 5}, {6, 4, 7});
  REQUIRE(a.method == AttributionMethod::kShapley);
  CHECK(a.contributions[1] == 0);
  CHECK(std::abs(Sum(a.contributions) - ((24 + 49) - (12 + 25))) <= 1e-12);
}

TEST_CASE("Too many factors for Shapley", "[attribution]") {
  const Vec x0(13, 1.0), x1(13, 2.0);
  const Attribution a = Attribute({NodeShape::kOther, {}}, Product, x0, x1);
  CHECK(a.method == AttributionMethod::kNone);
  CHECK(a.reason == "TOO_MANY_FACTORS");
  CHECK(a.contributions.empty());
  CHECK(a.parent0 == 1);
  CHECK(a.parent1 == 8192);

  // A product of 13 positive factors is fine by LMDI ...
  const Attribution lmdi = Attribute(ProductShape(13), Product, x0, x1);
  CHECK(lmdi.method == AttributionMethod::kLmdi);
  CHECK(std::abs(Sum(lmdi.contributions) - 8191) <= 1e-9);
  // ... but not with a zero, which needs Shapley.
  Vec with_zero = x0;
  with_zero[4] = 0;
  const Attribution z = Attribute(ProductShape(13), Product, with_zero, x1);
  CHECK(z.method == AttributionMethod::kNone);
  CHECK(z.reason == "TOO_MANY_FACTORS");

  // 12 is the limit, not 11.
  const Vec y0(12, 1.0), y1(12, 2.0);
  const Attribution twelve = Attribute({NodeShape::kOther, {}}, Product, y0, y1);
  REQUIRE(twelve.method == AttributionMethod::kShapley);
  // Symmetric factors share the gap equally.
  for (double c : twelve.contributions) CHECK(c == Approx(4095.0 / 12).epsilon(1e-13));
}

TEST_CASE("Undefined values give NOT_AVAILABLE", "[attribution]") {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const NodeShape ratio{NodeShape::kProduct, {+1, -1}};
  // No closed deals at the reference: the reference win rate itself is n/a.
  const Attribution a = Attribute(ratio, {}, {0, 0}, {5, 20});
  CHECK(a.method == AttributionMethod::kNone);
  CHECK(a.reason == "NOT_AVAILABLE");

  // A reference rate of 0 is defined: it only sends the node to Shapley, whose mixed points
  // (5 / 0.5, 0 / 20) are all defined here.
  const Attribution b = Attribute(ratio, {}, {0, 0.5}, {5, 20});
  CHECK(b.parent0 == 0);
  CHECK(b.method == AttributionMethod::kShapley);
  // won / (closed − excluded): 1/(2 − 1) → 2/(3 − 2), but the coalition with only `excluded`
  // at its actual value is 1/(2 − 2).
  const Attribution c =
      Attribute({NodeShape::kOther, {}},
                [](const Vec& x) {
                  const double den = x[1] - x[2];
                  return den == 0 ? std::numeric_limits<double>::quiet_NaN() : x[0] / den;
                },
                {1, 2, 1}, {2, 3, 2});
  CHECK(c.parent0 == 1);
  CHECK(c.parent1 == 2);
  CHECK(c.method == AttributionMethod::kNone);
  CHECK(c.reason == "NOT_AVAILABLE");

  // An n/a child.
  const Attribution d = Attribute(ProductShape(2), Product, {kNaN, 1}, {1, 1});
  CHECK(d.method == AttributionMethod::kNone);
  CHECK(d.reason == "NOT_AVAILABLE");
  const Attribution e = Attribute({NodeShape::kSum, {1, 1}}, {}, {1, 1}, {1, INFINITY});
  CHECK(e.reason == "NOT_AVAILABLE");
}

TEST_CASE("A tree built wrong is a usage error", "[attribution]") {
  CHECK_THROWS_AS(Attribute(ProductShape(3), Product, {1, 2}, {1, 2}), Error);
  CHECK_THROWS_AS(Attribute(ProductShape(2), Product, {1, 2}, {1, 2, 3}), Error);
  CHECK_THROWS_AS(Attribute({NodeShape::kOther, {}}, {}, {1, 2}, {1, 2}), Error);
  const Attribution none = Attribute(ProductShape(0), Product, {}, {});
  CHECK(none.method == AttributionMethod::kNone);
  CHECK(none.reason == "NO_FACTORS");
}

TEST_CASE("LogMean", "[attribution]") {
  CHECK(LogMean(7.5, 7.5) == 7.5);
  CHECK(LogMean(1e-300, 1e-300) == 1e-300);
  CHECK(LogMean(std::exp(1.0), 1.0) == Approx(std::exp(1.0) - 1).epsilon(1e-15));
  CHECK(LogMean(2, 1) == Approx(1 / std::log(2.0)).epsilon(1e-15));
  CHECK(std::isnan(LogMean(0, 1)));
  CHECK(std::isnan(LogMean(-1, -1)));
  // Ratios far from 1, where (a − b)/b would overflow.
  CHECK(LogMean(1e300, 1e-300) == Approx(1e300 / (1381.551055796427)).epsilon(1e-14));

  // a/b = 1 ± 1e-12: L = b·d/ln(1 + d) = b·(1 + d/2 − d²/12 + …), i.e. the arithmetic mean to
  // within 1e-25 relative. The textbook (a − b)/(ln a − ln b) is off by 1e-5 to 1e-4 here at
  // b = 1000 because ln a and ln b agree in their first 12 digits.
  for (double b : {1.0, 1000.0, 0.003, 123456789.0}) {
    for (double d : {1e-12, -1e-12, 1e-15, 3e-9}) {
      const double a = b * (1 + d);
      INFO("b = " << b << ", d = " << d);
      REQUIRE(a != b);
      const double expected = b + (a - b) / 2;  // exact a − b (Sterbenz), one rounding
      CHECK(std::abs(LogMean(a, b) - expected) <= 1e-15 * expected);
      CHECK(std::abs(LogMean(b, a) - expected) <= 1e-15 * expected);
    }
  }
}

TEST_CASE("LMDI stays exact when the parent barely moves", "[attribution]") {
  // Offsetting changes: the parent moves by 1 part in 1e12.
  const Vec x0 = {1000, 0.5};
  const Vec x1 = {1250, 0.4 * (1 + 1e-12)};
  const Attribution a = Attribute(ProductShape(2), Product, x0, x1);
  REQUIRE(a.method == AttributionMethod::kLmdi);
  CHECK(ResidualIsNegligible(a));
  // P barely moves, so L(P¹, P⁰) ≈ 500 and each share is ≈ 500·ln(x¹/x⁰).
  CHECK(a.contributions[0] == Approx(500 * std::log(1.25)).epsilon(1e-9));
  CHECK(a.contributions[1] == Approx(500 * std::log(0.8)).epsilon(1e-9));
}

TEST_CASE("Rescale", "[attribution]") {
  Attribution child;
  child.method = AttributionMethod::kSum;
  child.contributions = {6, -2};
  CHECK(Rescale(child, 4, 10) == Vec{15, -5});
  CHECK(Rescale(child, 0, 0) == Vec{0, 0});
  CHECK(Rescale(Attribution{}, 4, 10).empty());
}

TEST_CASE("Two-level chain sums to the root gap", "[attribution]") {
  // revenue = won × avg_deal; won = opps × win_rate.
  struct Case {
    const char* name;
    double opps0, rate0, avg0, opps1, rate1, avg1;
    AttributionMethod root, child;
  };
  const Case cases[] = {
      {"all positive", 200, 0.25, 10000, 220, 0.30, 9500, AttributionMethod::kLmdi,
       AttributionMethod::kLmdi},
      {"no wins at reference", 120, 0, 10000, 150, 0.2, 8000, AttributionMethod::kShapley,
       AttributionMethod::kShapley},
      {"won unchanged", 200, 0.25, 10000, 250, 0.20, 9000, AttributionMethod::kLmdi,
       AttributionMethod::kLmdi},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const double won0 = c.opps0 * c.rate0, won1 = c.opps1 * c.rate1;
    const Attribution root = Attribute(ProductShape(2), Product, {won0, c.avg0}, {won1, c.avg1});
    const Attribution won =
        Attribute(ProductShape(2), Product, {c.opps0, c.rate0}, {c.opps1, c.rate1});
    REQUIRE(root.method == c.root);
    REQUIRE(won.method == c.child);

    const Vec below = Rescale(won, won.parent1 - won.parent0, root.contributions[0]);
    REQUIRE(below.size() == 2);
    const Vec leaves = {below[0], below[1], root.contributions[1]};
    const double gap = root.parent1 - root.parent0;
    CHECK(std::abs(Sum(leaves) - gap) <= 1e-9 * std::abs(gap));

    if (std::string_view(c.name) == "won unchanged") {
      // won did not move, so its children get exactly 0 although opps and win_rate moved.
      REQUIRE(won1 == won0);
      CHECK(leaves[0] == 0);
      CHECK(leaves[1] == 0);
    } else if (c.root == AttributionMethod::kLmdi) {
      // Chained LMDI equals LMDI of the flattened product opps × win_rate × avg_deal:
      // c_won·L(won)·ln(r_opps)/Δwon = L(rev)·ln(r_won)·ln(r_opps)/ln(r_won) = L(rev)·ln(r_opps).
      const Attribution flat = Attribute(ProductShape(3), Product, {c.opps0, c.rate0, c.avg0},
                                         {c.opps1, c.rate1, c.avg1});
      for (int i = 0; i < 3; ++i) CHECK(leaves[i] == Approx(flat.contributions[i]).epsilon(1e-12));
    }
  }
}

}  // namespace crmkpi
