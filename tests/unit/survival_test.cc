// Kaplan–Meier (survival.h). Every expected value is derived by hand beside it: r = risk set,
// d = events at that time, S(t_j) = S(t_{j−1}) × (r − d) / r.
#include "crmkpi/base/survival.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

Approx Exactly(double v) { return Approx(v).epsilon(1e-12).margin(1e-15); }

SurvivalObs Event(double t) { return {t, true}; }
SurvivalObs Censored(double t) { return {t, false}; }

// Part C: finished stays 3, 5, 7, 8, 15 days; still open after 12 and 20 days.
std::vector<SurvivalObs> ReferenceStays() {
  return {Event(3), Event(5), Event(7), Event(8), Event(15), Censored(12), Censored(20)};
}

}  // namespace

TEST_CASE("Kaplan-Meier reference vector (Part C stage dwell)", "[survival]") {
  const KaplanMeier km = EstimateKaplanMeier(ReferenceStays());
  CHECK(km.n == 7);
  CHECK(km.events == 5);
  CHECK(km.censored == 2);
  CHECK(km.invalid == 0);
  CHECK(km.max_followup == 20);

  // t=3:  r=7, d=1 → S = 6/7                     = .857
  // t=5:  r=6, d=1 → S = 6/7 · 5/6 = 5/7         = .714
  // t=7:  r=5, d=1 → S = 5/7 · 4/5 = 4/7         = .571
  // t=8:  r=4, d=1 → S = 4/7 · 3/4 = 3/7         = .429
  // t=12: censored: r drops 3 → 2, S unchanged (no step)
  // t=15: r=2, d=1 → S = 3/7 · 1/2 = 3/14        = .214
  // t=20: censored, no step
  REQUIRE(km.steps.size() == 5);
  const double times[] = {3, 5, 7, 8, 15};
  const double surv[] = {6.0 / 7, 5.0 / 7, 4.0 / 7, 3.0 / 7, 3.0 / 14};
  for (std::size_t i = 0; i < 5; ++i) {
    INFO("step " << i);
    CHECK(km.steps[i].first == times[i]);
    CHECK(km.steps[i].second == Exactly(surv[i]));
  }
  // Rounded as printed in Part C.
  CHECK(km.steps[0].second == Approx(0.857).margin(5e-4));
  CHECK(km.steps[1].second == Approx(0.714).margin(5e-4));
  CHECK(km.steps[2].second == Approx(0.571).margin(5e-4));
  CHECK(km.steps[3].second == Approx(0.429).margin(5e-4));
  CHECK(km.steps[4].second == Approx(0.214).margin(5e-4));

  // Median: first t with S(t) <= 0.5: S(7) = 4/7 > 0.5, S(8) = 3/7 <= 0.5 → 8.
  REQUIRE(km.median.has_value());
  CHECK(*km.median == 8);

  // Restricted mean to day 20 = area under the step function:
  //   [0,3)  × 1     = 3
  //   [3,5)  × 6/7   = 12/7
  //   [5,7)  × 5/7   = 10/7
  //   [7,8)  × 4/7   = 4/7
  //   [8,15) × 3/7   = 21/7 = 3   (S stays 3/7 through the censoring at 12)
  //   [15,20)× 3/14  = 15/14
  //   total = 6 + 26/7 + 15/14 = 6 + 67/14 = 151/14 = 10.7857… (Part C: 10.79)
  CHECK(km.RestrictedMean(20) == Exactly(151.0 / 14));
  CHECK(km.RestrictedMean(20) == Approx(10.79).margin(5e-3));
}

TEST_CASE("Kaplan-Meier SurvivalAt is a right-continuous step function", "[survival]") {
  const KaplanMeier km = EstimateKaplanMeier(ReferenceStays());
  CHECK(km.SurvivalAt(0) == 1);  // before the first event
  CHECK(km.SurvivalAt(2.999) == 1);
  CHECK(km.SurvivalAt(3) == Exactly(6.0 / 7));  // the drop at 3 is included at 3
  CHECK(km.SurvivalAt(4.5) == Exactly(6.0 / 7));
  CHECK(km.SurvivalAt(8) == Exactly(3.0 / 7));
  CHECK(km.SurvivalAt(12) == Exactly(3.0 / 7));  // censoring: no step
  CHECK(km.SurvivalAt(14.99) == Exactly(3.0 / 7));
  CHECK(km.SurvivalAt(15) == Exactly(3.0 / 14));
  CHECK(km.SurvivalAt(20) == Exactly(3.0 / 14));
  CHECK(km.SurvivalAt(1000) == Exactly(3.0 / 14));  // flat beyond max follow-up
  CHECK(km.SurvivalAt(-1) == 1);
  CHECK(std::isnan(km.SurvivalAt(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("Kaplan-Meier quantiles of the reference vector", "[survival]") {
  const KaplanMeier km = EstimateKaplanMeier(ReferenceStays());
  // Quantile(p) = first t with S(t) <= 1 − p. S takes 6/7, 5/7, 4/7, 3/7, 3/14 (min .214).
  // p = 0.9: S <= 0.1 never → nullopt.
  CHECK_FALSE(km.Quantile(0.9).has_value());
  // p = 0.1: S <= 0.9: 6/7 = .857 → t = 3.
  CHECK(km.Quantile(0.1) == 3.0);
  // p = 0.25: S <= 0.75: 6/7 = .857 no, 5/7 = .714 yes → t = 5.
  CHECK(km.Quantile(0.25) == 5.0);
  // p = 0.5 is the median: 8.
  CHECK(km.Quantile(0.5) == 8.0);
  // p = 0.75: S <= 0.25: 3/7 = .429 no, 3/14 = .214 yes → t = 15.
  CHECK(km.Quantile(0.75) == 15.0);
  // p = 1: S <= 0 never (last observation censored) → nullopt.
  CHECK_FALSE(km.Quantile(1.0).has_value());
  // Outside (0, 1] → nullopt.
  CHECK_FALSE(km.Quantile(0.0).has_value());
  CHECK_FALSE(km.Quantile(-0.5).has_value());
  CHECK_FALSE(km.Quantile(1.5).has_value());
  CHECK_FALSE(km.Quantile(std::numeric_limits<double>::quiet_NaN()).has_value());
}

TEST_CASE("Kaplan-Meier restricted mean at other horizons", "[survival]") {
  const KaplanMeier km = EstimateKaplanMeier(ReferenceStays());
  CHECK(km.RestrictedMean(0) == 0);
  CHECK(km.RestrictedMean(-5) == 0);
  CHECK(km.RestrictedMean(2) == Exactly(2.0));  // S = 1 on [0,2)
  CHECK(km.RestrictedMean(3) == Exactly(3.0));  // S = 1 on [0,3)
  // Horizon 10: 3 + 12/7 + 10/7 + 4/7 + [8,10) × 3/7 = 6/7 → 3 + 32/7 = 53/7 = 7.571…
  CHECK(km.RestrictedMean(10) == Exactly(53.0 / 7));
  // Horizon 30 (past max follow-up 20, S extended flat at 3/14):
  // 151/14 + 10 × 3/14 = 181/14.
  CHECK(km.RestrictedMean(30) == Exactly(181.0 / 14));
  // S never reaches 0 → unbounded mean.
  CHECK(std::isinf(km.RestrictedMean(std::numeric_limits<double>::infinity())));
  CHECK(std::isnan(km.RestrictedMean(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("Kaplan-Meier does not depend on input order", "[survival]") {
  std::vector<SurvivalObs> obs = ReferenceStays();
  std::reverse(obs.begin(), obs.end());
  std::rotate(obs.begin(), obs.begin() + 3, obs.end());
  const KaplanMeier a = EstimateKaplanMeier(ReferenceStays());
  const KaplanMeier b = EstimateKaplanMeier(obs);
  CHECK(a.steps == b.steps);
  CHECK(a.median == b.median);
  CHECK(a.RestrictedMean(20) == b.RestrictedMean(20));
}

TEST_CASE("Kaplan-Meier all censored: no steps, median n/a (ALL_CENSORED)", "[survival]") {
  const KaplanMeier km = EstimateKaplanMeier({Censored(5), Censored(10), Censored(15)});
  CHECK(km.n == 3);
  CHECK(km.events == 0);
  CHECK(km.censored == 3);
  CHECK(km.max_followup == 15);
  CHECK(km.steps.empty());
  CHECK_FALSE(km.median.has_value());
  CHECK_FALSE(km.Quantile(0.1).has_value());
  CHECK(km.SurvivalAt(100) == 1);
  CHECK(km.RestrictedMean(12) == Exactly(12.0));  // S ≡ 1 → area = horizon
}

TEST_CASE("Kaplan-Meier without censoring: lower median convention", "[survival]") {
  SECTION("even count: S(2) = 0.5 exactly → median 2, not the sample median 2.5") {
    const KaplanMeier km = EstimateKaplanMeier({Event(1), Event(2), Event(3), Event(4)});
    // t=1: r=4 → 3/4; t=2: r=3 → 3/4·2/3 = 1/2; t=3: r=2 → 1/4; t=4: r=1 → 0.
    REQUIRE(km.steps.size() == 4);
    CHECK(km.steps[0].second == Exactly(0.75));
    CHECK(km.steps[1].second == Exactly(0.5));
    CHECK(km.steps[2].second == Exactly(0.25));
    CHECK(km.steps[3].second == 0);
    REQUIRE(km.median.has_value());
    CHECK(*km.median == 2);
    // p = 1: S <= 0 at t = 4 (the risk set is empty).
    CHECK(km.Quantile(1.0) == 4.0);
    // Without censoring the restricted mean to the last time is the sample mean:
    // 1 + 3/4 + 1/2 + 1/4 = 2.5 = (1+2+3+4)/4.
    CHECK(km.RestrictedMean(4) == Exactly(2.5));
    CHECK(km.RestrictedMean(100) == Exactly(2.5));  // S = 0 after 4
    CHECK(km.RestrictedMean(std::numeric_limits<double>::infinity()) == Exactly(2.5));
  }
  SECTION("odd count: KM median = sample median") {
    const KaplanMeier km = EstimateKaplanMeier({Event(3), Event(1), Event(2)});
    // t=1: 2/3; t=2: 2/3·1/2 = 1/3 <= 0.5 → median 2 = sample median.
    REQUIRE(km.steps.size() == 3);
    CHECK(km.steps[0].second == Exactly(2.0 / 3));
    CHECK(km.steps[1].second == Exactly(1.0 / 3));
    CHECK(km.median == 2.0);
  }
  SECTION("an S of 0.5 on paper that rounds above 0.5 still gives the lower median") {
    // 10,000 events at 1..10,000: S(k) = (10000 − k)/10000 on paper, so S(5000) = 0.5; the
    // 5,000 rounded products give 0.5 + 3.6e-15 in double, and kSurvivalTolerance keeps the
    // median at 5000 (without it, 5001).
    std::vector<SurvivalObs> obs;
    for (int t = 1; t <= 10000; ++t) obs.push_back(Event(t));
    const KaplanMeier km = EstimateKaplanMeier(obs);
    CHECK(km.steps[4999].second == Approx(0.5).epsilon(1e-12));
    CHECK(km.median == 5000.0);
    CHECK(km.Quantile(0.25) == 2500.0);  // S(2500) = 0.75
  }
}

TEST_CASE("Kaplan-Meier ties: events before censorings at the same time", "[survival]") {
  // Events at 5, 5; censored at 5; event at 10; censored at 12. n = 5.
  // t=5:  r=5 (the subject censored at 5 is still at risk), d=2 → S = 3/5
  //       then the censoring at 5 leaves r = 5 − 2 − 1 = 2.
  // t=10: r=2, d=1 → S = 3/5 · 1/2 = 3/10.
  // (Censorings first would give r=4 at 5 → S = 2/4 = 0.5 and median 5; it must not.)
  const KaplanMeier km =
      EstimateKaplanMeier({Censored(5), Event(5), Censored(12), Event(10), Event(5)});
  CHECK(km.n == 5);
  CHECK(km.events == 3);
  CHECK(km.censored == 2);
  REQUIRE(km.steps.size() == 2);
  CHECK(km.steps[0].first == 5);
  CHECK(km.steps[0].second == Exactly(3.0 / 5));
  CHECK(km.steps[1].first == 10);
  CHECK(km.steps[1].second == Exactly(3.0 / 10));
  // First S <= 0.5: S(5) = .6 no, S(10) = .3 yes → 10.
  CHECK(km.median == 10.0);
  // Area to 12: 5·1 + 5·3/5 + 2·3/10 = 5 + 3 + 3/5 = 8.6.
  CHECK(km.RestrictedMean(12) == Exactly(8.6));
  CHECK(km.max_followup == 12);
}

TEST_CASE("Kaplan-Meier tied events only", "[survival]") {
  // 2, 2, 2, 4: t=2: r=4, d=3 → 1/4; t=4: r=1, d=1 → 0.
  const KaplanMeier km = EstimateKaplanMeier({Event(2), Event(2), Event(4), Event(2)});
  REQUIRE(km.steps.size() == 2);
  CHECK(km.steps[0].second == Exactly(0.25));
  CHECK(km.steps[1].second == 0);
  CHECK(km.median == 2.0);
  // Area: 2·1 + 2·1/4 = 2.5 = sample mean (2+2+2+4)/4.
  CHECK(km.RestrictedMean(10) == Exactly(2.5));
}

TEST_CASE("Kaplan-Meier an event and a censoring at the last time", "[survival]") {
  // Event at 1, censored at 1: r=2, d=1 → S(1) = 1/2 → median 1; the curve then has no subjects.
  const KaplanMeier km = EstimateKaplanMeier({Censored(1), Event(1)});
  REQUIRE(km.steps.size() == 1);
  CHECK(km.steps[0].second == Exactly(0.5));
  CHECK(km.median == 1.0);
  // Area to 3: 1·1 + 2·1/2 = 2 (flat extension past max follow-up 1).
  CHECK(km.RestrictedMean(3) == Exactly(2.0));
}

TEST_CASE("Kaplan-Meier events at time 0", "[survival]") {
  // 0, 0 (events), censored 3, event 6: t=0: r=4, d=2 → 1/2; t=6: r=1, d=1 → 0.
  const KaplanMeier km = EstimateKaplanMeier({Event(0), Event(-0.0), Censored(3), Event(6)});
  CHECK(km.invalid == 0);
  REQUIRE(km.steps.size() == 2);
  CHECK(km.steps[0].first == 0);
  CHECK_FALSE(std::signbit(km.steps[0].first));  // −0 normalised to 0
  CHECK(km.steps[0].second == Exactly(0.5));
  CHECK(km.SurvivalAt(0) == Exactly(0.5));  // right-continuous: the drop at 0 counts at 0
  CHECK(km.median == 0.0);
  // Area to 6: [0,6) × 1/2 = 3.
  CHECK(km.RestrictedMean(6) == Exactly(3.0));
}

TEST_CASE("Kaplan-Meier empty input", "[survival]") {
  const KaplanMeier km = EstimateKaplanMeier({});
  CHECK(km.n == 0);  // the caller reports EMPTY
  CHECK(km.events == 0);
  CHECK(km.censored == 0);
  CHECK(km.invalid == 0);
  CHECK(km.steps.empty());
  CHECK_FALSE(km.median.has_value());
  CHECK(km.max_followup == 0);
  CHECK(km.SurvivalAt(5) == 1);
  CHECK(km.RestrictedMean(10) == Exactly(10.0));  // S ≡ 1; documented, the caller checks n
}

TEST_CASE("Kaplan-Meier single observation", "[survival]") {
  SECTION("an event") {
    // t=4: r=1, d=1 → S = 0; median 4; area to 10 = 4·1 = 4.
    const KaplanMeier km = EstimateKaplanMeier({Event(4)});
    CHECK(km.n == 1);
    REQUIRE(km.steps.size() == 1);
    CHECK(km.steps[0] == std::pair<double, double>(4, 0));
    CHECK(km.median == 4.0);
    CHECK(km.Quantile(0.9) == 4.0);  // S(4) = 0 <= 0.1
    CHECK(km.RestrictedMean(10) == Exactly(4.0));
    CHECK(km.max_followup == 4);
  }
  SECTION("censored") {
    const KaplanMeier km = EstimateKaplanMeier({Censored(4)});
    CHECK(km.n == 1);
    CHECK(km.censored == 1);
    CHECK(km.steps.empty());
    CHECK_FALSE(km.median.has_value());  // ALL_CENSORED, max follow-up 4
    CHECK(km.max_followup == 4);
  }
}

TEST_CASE("Kaplan-Meier skips and counts invalid times", "[survival]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<SurvivalObs> obs = ReferenceStays();
  obs.push_back(Event(-1));
  obs.push_back(Censored(nan));
  obs.push_back(Event(nan));
  obs.push_back(Event(inf));
  obs.push_back(Censored(-inf));
  const KaplanMeier km = EstimateKaplanMeier(obs);
  CHECK(km.invalid == 5);
  // The rest is the reference vector unchanged.
  CHECK(km.n == 7);
  CHECK(km.events == 5);
  CHECK(km.censored == 2);
  CHECK(km.max_followup == 20);
  CHECK(km.steps == EstimateKaplanMeier(ReferenceStays()).steps);
  CHECK(km.median == 8.0);
  CHECK(km.RestrictedMean(20) == Exactly(151.0 / 14));
}

}  // namespace crmkpi
