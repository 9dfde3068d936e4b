// Forecast error metrics (forecast_error.h). Every expected value is derived by hand beside it,
// as an exact fraction where there is one; e = F − A.
#include "crmkpi/analysis/forecast_error.h"

#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

Approx Exactly(double v) { return Approx(v).epsilon(1e-12).margin(1e-15); }

// Part C: y (actual) = [100, 0, 50, 200], ŷ (forecast) = [110, 10, 40, 150].
std::vector<ForecastPoint> ReferencePoints() {
  return {{110, 100}, {10, 0}, {40, 50}, {150, 200}};
}

void CheckAllNullopt(const ForecastErrors& r) {
  CHECK_FALSE(r.accuracy.has_value());
  CHECK_FALSE(r.wape.has_value());
  CHECK_FALSE(r.mape.has_value());
  CHECK_FALSE(r.smape.has_value());
  CHECK_FALSE(r.bias.has_value());
  CHECK_FALSE(r.bias_percent.has_value());
  CHECK_FALSE(r.mae.has_value());
  CHECK_FALSE(r.rmse.has_value());
  CHECK_FALSE(r.mase.has_value());
}

}  // namespace

TEST_CASE("Forecast errors reference vector (Part C)", "[forecast_error]") {
  const ForecastErrors r = ComputeForecastErrors(ReferencePoints());
  // e = 10, 10, −10, −50; |e| = 10, 10, 10, 50; e² = 100, 100, 100, 2500.
  CHECK(r.n == 4);
  CHECK(r.invalid == 0);
  CHECK(r.sum_forecast == 310);  // 110 + 10 + 40 + 150
  CHECK(r.sum_actual == 350);    // 100 + 0 + 50 + 200
  CHECK(r.sum_abs_actual == 350);
  CHECK(r.sum_abs_error == 80);   // 10 + 10 + 10 + 50
  CHECK(r.sum_sq_error == 2800);  // 100 + 100 + 100 + 2500
  CHECK(r.sum_error == -40);      // 10 + 10 − 10 − 50

  // accuracy = 1 − |310 − 350| / 350 = 1 − 40/350 = 31/35 = 0.885714…
  REQUIRE(r.accuracy.has_value());
  CHECK(*r.accuracy == Exactly(31.0 / 35));
  CHECK(*r.accuracy == Approx(0.8857).margin(5e-5));
  // WAPE = 80/350 = 8/35 = 0.228571…
  REQUIRE(r.wape.has_value());
  CHECK(*r.wape == Exactly(8.0 / 35));
  CHECK(*r.wape == Approx(0.2286).margin(5e-5));
  // MAPE over A ≠ 0: 10/100 = 0.1, 10/50 = 0.2, 50/200 = 0.25 → 0.55 / 3 = 11/60 = 0.18333…
  REQUIRE(r.mape.has_value());
  CHECK(*r.mape == Exactly(11.0 / 60));
  CHECK(*r.mape == Approx(0.1833).margin(5e-5));
  CHECK(r.mape_n == 3);
  CHECK(r.mape_zero_actuals_excluded == 1);
  // sMAPE terms 2|e|/(|A|+|F|): 2·10/210 = 2/21, 2·10/10 = 2, 2·10/90 = 2/9, 2·50/350 = 2/7.
  // Σ = (6 + 126 + 14 + 18)/63 = 164/63; mean = 164/252 = 41/63 = 0.650793…
  REQUIRE(r.smape.has_value());
  CHECK(*r.smape == Exactly(41.0 / 63));
  CHECK(*r.smape == Approx(0.6508).margin(5e-5));
  // bias = −40/4 = −10; bias % = −40/350 = −4/35 = −0.114285…
  CHECK(r.bias == -10.0);
  REQUIRE(r.bias_percent.has_value());
  CHECK(*r.bias_percent == Exactly(-4.0 / 35));
  // MAE = 80/4 = 20; RMSE = sqrt(2800/4) = sqrt(700) = 26.4575…
  CHECK(r.mae == 20.0);
  REQUIRE(r.rmse.has_value());
  CHECK(*r.rmse == Exactly(std::sqrt(700.0)));
  CHECK(*r.rmse == Approx(26.458).margin(5e-4));
  // No history → no MASE.
  CHECK_FALSE(r.mase.has_value());
  CHECK(r.mase_history == 0);
}

TEST_CASE("Forecast errors MASE with a hand-computed history", "[forecast_error]") {
  SECTION("m = 1") {
    // history [100, 120, 90]: |120 − 100| = 20, |90 − 120| = 30 → scale = 50/2 = 25.
    // MAE of the reference points = 20 → MASE = 20/25 = 0.8.
    const ForecastErrors r = ComputeForecastErrors(ReferencePoints(), {100, 120, 90});
    REQUIRE(r.mase.has_value());
    CHECK(*r.mase == Exactly(0.8));
    CHECK(r.mase_history == 3);
  }
  SECTION("seasonal m = 2") {
    // history [10, 20, 16, 26, 12], m = 2: |16−10| = 6, |26−20| = 6, |12−16| = 4
    // → scale = 16/3; MASE = 20 / (16/3) = 60/16 = 3.75.
    const ForecastErrors r = ComputeForecastErrors(ReferencePoints(), {10, 20, 16, 26, 12}, 2);
    REQUIRE(r.mase.has_value());
    CHECK(*r.mase == Exactly(3.75));
    CHECK(r.mase_history == 5);
  }
  SECTION("exactly m + 1 history points is enough") {
    // m = 2, history [5, 7, 9]: one difference |9 − 5| = 4 → MASE = 20/4 = 5.
    const ForecastErrors r = ComputeForecastErrors(ReferencePoints(), {5, 7, 9}, 2);
    CHECK(r.mase == 5.0);
  }
}

TEST_CASE("Forecast errors MASE n/a", "[forecast_error]") {
  SECTION("one history point with m = 1 (needs m + 1 = 2)") {
    const ForecastErrors r = ComputeForecastErrors(ReferencePoints(), {100});
    CHECK_FALSE(r.mase.has_value());
    CHECK(r.mase_history == 1);
    CHECK(r.mae == 20.0);  // the other metrics are unaffected
  }
  SECTION("m history points with m = 2") {
    CHECK_FALSE(ComputeForecastErrors(ReferencePoints(), {100, 120}, 2).mase.has_value());
  }
  SECTION("scale 0: constant history") {
    // |50−50| = |50−50| = 0 → scale 0 → n/a (ZERO_DENOMINATOR), never ∞.
    CHECK_FALSE(ComputeForecastErrors(ReferencePoints(), {50, 50, 50}).mase.has_value());
  }
  SECTION("scale 0: perfectly seasonal history") {
    // m = 2: |1−1| = 0, |2−2| = 0 → scale 0.
    CHECK_FALSE(ComputeForecastErrors(ReferencePoints(), {1, 2, 1, 2}, 2).mase.has_value());
  }
  SECTION("m = 0") {
    CHECK_FALSE(ComputeForecastErrors(ReferencePoints(), {100, 120, 90}, 0).mase.has_value());
  }
  SECTION("non-finite history value") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_FALSE(ComputeForecastErrors(ReferencePoints(), {100, nan, 90}).mase.has_value());
  }
  SECTION("no points, history fine") {
    const ForecastErrors r = ComputeForecastErrors({}, {100, 120, 90});
    CHECK_FALSE(r.mase.has_value());
    CHECK(r.mase_history == 3);
  }
}

TEST_CASE("Forecast errors with all-zero actuals", "[forecast_error]") {
  // A = [0, 0], F = [5, 0]: e = 5, 0.
  const ForecastErrors r = ComputeForecastErrors({{5, 0}, {0, 0}});
  CHECK(r.n == 2);
  CHECK(r.sum_actual == 0);
  CHECK(r.sum_abs_actual == 0);
  // ΣA = 0, Σ|A| = 0 → accuracy, WAPE, bias % n/a (ZERO_DENOMINATOR).
  CHECK_FALSE(r.accuracy.has_value());
  CHECK_FALSE(r.wape.has_value());
  CHECK_FALSE(r.bias_percent.has_value());
  // Every A = 0 → MAPE n/a, both points counted as excluded.
  CHECK_FALSE(r.mape.has_value());
  CHECK(r.mape_n == 0);
  CHECK(r.mape_zero_actuals_excluded == 2);
  // sMAPE terms: 2·5/(0+5) = 2; A = F = 0 → 0. Mean = 2/2 = 1.
  CHECK(r.smape == 1.0);
  // bias = 5/2 = 2.5; MAE = 5/2 = 2.5; RMSE = sqrt(25/2) = 3.5355…
  CHECK(r.bias == 2.5);
  CHECK(r.mae == 2.5);
  REQUIRE(r.rmse.has_value());
  CHECK(*r.rmse == Exactly(std::sqrt(12.5)));
}

TEST_CASE("Forecast errors sMAPE with A = F = 0 terms", "[forecast_error]") {
  // A = [0, 100, 0], F = [0, 50, 0]: terms 0, 2·50/150 = 2/3, 0 → mean (2/3)/3 = 2/9.
  // The zero terms count in n (they are perfect forecasts, not missing ones).
  const ForecastErrors r = ComputeForecastErrors({{0, 0}, {50, 100}, {0, 0}});
  CHECK(r.n == 3);
  REQUIRE(r.smape.has_value());
  CHECK(*r.smape == Exactly(2.0 / 9));
  // MAPE over the one non-zero actual: 50/100 = 0.5; two excluded.
  CHECK(r.mape == 0.5);
  CHECK(r.mape_n == 1);
  CHECK(r.mape_zero_actuals_excluded == 2);
  // WAPE = 50/100 = 0.5; accuracy = 1 − |50 − 100|/100 = 0.5.
  CHECK(r.wape == 0.5);
  CHECK(r.accuracy == 0.5);
}

TEST_CASE("Forecast errors negative accuracy is not clipped", "[forecast_error]") {
  // A = [100, 100], F = [300, 250]: ΣF = 550, ΣA = 200
  // → accuracy = 1 − |550 − 200|/200 = 1 − 350/200 = −0.75.
  const ForecastErrors r = ComputeForecastErrors({{300, 100}, {250, 100}});
  REQUIRE(r.accuracy.has_value());
  CHECK(*r.accuracy == Exactly(-0.75));
  // WAPE = (200 + 150)/200 = 1.75; bias = 350/2 = 175; bias % = 350/200 = 1.75.
  CHECK(r.wape == 1.75);
  CHECK(r.bias == 175.0);
  CHECK(r.bias_percent == 1.75);
  // MAPE = (2 + 1.5)/2 = 1.75; sMAPE = (2·200/400 + 2·150/350)/2 = (1 + 6/7)/2 = 13/14.
  CHECK(r.mape == 1.75);
  REQUIRE(r.smape.has_value());
  CHECK(*r.smape == Exactly(13.0 / 14));
}

TEST_CASE("Forecast errors single point", "[forecast_error]") {
  // A = 80, F = 100: e = 20.
  const ForecastErrors r = ComputeForecastErrors({{100, 80}});
  CHECK(r.n == 1);
  CHECK(r.accuracy == 0.75);  // 1 − 20/80
  CHECK(r.wape == 0.25);      // 20/80
  CHECK(r.mape == 0.25);      // 20/80
  REQUIRE(r.smape.has_value());
  CHECK(*r.smape == Exactly(2.0 / 9));  // 2·20/180
  CHECK(r.bias == 20.0);
  CHECK(r.bias_percent == 0.25);  // 20/80
  CHECK(r.mae == 20.0);
  CHECK(r.rmse == 20.0);  // sqrt(400/1)
  CHECK_FALSE(r.mase.has_value());
}

TEST_CASE("Forecast errors negative actuals (refunds) use absolute values", "[forecast_error]") {
  // A = [−100, 50], F = [−80, 70]: e = 20, 20; ΣA = −50, Σ|A| = 150, ΣF = −10.
  const ForecastErrors r = ComputeForecastErrors({{-80, -100}, {70, 50}});
  CHECK(r.sum_actual == -50);
  CHECK(r.sum_abs_actual == 150);
  // accuracy = 1 − |−10 − (−50)| / |−50| = 1 − 40/50 = 0.2.
  REQUIRE(r.accuracy.has_value());
  CHECK(*r.accuracy == Exactly(0.2));
  // WAPE = 40/150 = 4/15; bias % = 40/150 = 4/15.
  REQUIRE(r.wape.has_value());
  CHECK(*r.wape == Exactly(4.0 / 15));
  REQUIRE(r.bias_percent.has_value());
  CHECK(*r.bias_percent == Exactly(4.0 / 15));
  // MAPE = (20/100 + 20/50)/2 = 0.3.
  REQUIRE(r.mape.has_value());
  CHECK(*r.mape == Exactly(0.3));
  // sMAPE = (2·20/(100+80) + 2·20/(50+70))/2 = (2/9 + 1/3)/2 = 5/18.
  REQUIRE(r.smape.has_value());
  CHECK(*r.smape == Exactly(5.0 / 18));
}

TEST_CASE("Forecast errors accuracy n/a when actuals cancel to ΣA = 0", "[forecast_error]") {
  // A = [50, −50], F = [60, −40]: ΣA = 0 → accuracy n/a; Σ|A| = 100 → WAPE = 20/100 = 0.2.
  const ForecastErrors r = ComputeForecastErrors({{60, 50}, {-40, -50}});
  CHECK_FALSE(r.accuracy.has_value());
  CHECK(r.wape == 0.2);
  CHECK(r.bias_percent == 0.2);  // Σe = 20 → 20/100
}

TEST_CASE("Forecast errors perfect forecast", "[forecast_error]") {
  // F = A everywhere: every error metric 0, accuracy 1; MASE 0 with a usable history.
  const ForecastErrors r = ComputeForecastErrors({{10, 10}, {0, 0}, {30, 30}}, {1, 2});
  CHECK(r.accuracy == 1.0);
  CHECK(r.wape == 0.0);
  CHECK(r.mape == 0.0);
  CHECK(r.smape == 0.0);
  CHECK(r.bias == 0.0);
  CHECK(r.rmse == 0.0);
  CHECK(r.mase == 0.0);  // 0 / (|2 − 1| / 1)
}

TEST_CASE("Forecast errors empty input: everything n/a", "[forecast_error]") {
  const ForecastErrors r = ComputeForecastErrors({});
  CHECK(r.n == 0);
  CHECK(r.sum_actual == 0);
  CHECK(r.sum_abs_error == 0);
  CHECK(r.mape_n == 0);
  CHECK(r.mape_zero_actuals_excluded == 0);
  CheckAllNullopt(r);
}

TEST_CASE("Forecast errors skip and count non-finite points", "[forecast_error]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<ForecastPoint> points = ReferencePoints();
  points.push_back({nan, 10});
  points.push_back({10, inf});
  points.push_back({-inf, nan});
  const ForecastErrors r = ComputeForecastErrors(points);
  CHECK(r.invalid == 3);
  CHECK(r.n == 4);  // the reference vector, unchanged
  REQUIRE(r.wape.has_value());
  CHECK(*r.wape == Exactly(8.0 / 35));
  CHECK(r.mae == 20.0);

  SECTION("only invalid points → n = 0, everything n/a") {
    const ForecastErrors none = ComputeForecastErrors({{nan, 1}, {1, nan}});
    CHECK(none.n == 0);
    CHECK(none.invalid == 2);
    CheckAllNullopt(none);
  }
}

TEST_CASE("Forecast errors compensated sums", "[forecast_error]") {
  // 1e16 + 1 + 1 − 1e16: a plain left-to-right sum loses both 1s (1e16 + 1 rounds to 1e16);
  // the compensated sum gives 2 exactly.
  const ForecastErrors r = ComputeForecastErrors({{0, 1e16}, {0, 1}, {0, 1}, {0, -1e16}});
  CHECK(r.sum_actual == 2);
  // accuracy = 1 − |0 − 2| / 2 = 0.
  CHECK(r.accuracy == 0.0);
}

}  // namespace crmkpi
