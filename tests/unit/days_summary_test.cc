#include "crmkpi/analysis/days_summary.h"

#include <catch2/catch.hpp>

#include "crmkpi/base/quantile.h"
#include "crmkpi/values/amount.h"

using namespace crmkpi;

TEST_CASE("type-7 quantiles by selection equal sorting and indexing", "[kpis]") {
  auto q = [](std::vector<double> v, double p) {
    const QuantileBracket<double> b = SelectQuantile(v, p);
    return b.lower + b.frac * (b.upper - b.lower);
  };
  CHECK(q({7}, 0.5) == 7);
  CHECK(q({8, 3, 7, 5}, 0.5) == 6);                       // (5 + 7) / 2
  CHECK(q({30, 10, 10}, 0.9) == Approx(26));              // h = 1.8: 10 + 0.8 × 20
  CHECK(q({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.9) == Approx(9.1));  // h = 8.1
  CHECK(q({5}, 0.9) == 5);
  CHECK(q({1, 2}, 1.0) == 2);
}

TEST_CASE("days summary: median, mean and p90 of durations carry n", "[kpis]") {
  ValueCounts seconds;
  for (Seconds d : {10, 20, 30, 40}) seconds.Add(d * 86400);
  std::vector<KpiValue> out;
  static const char* const kIds[3] = {"m", "a", "p"};
  AppendDaysSummary(seconds, kIds, &out);
  REQUIRE(out.size() == 3);
  CHECK(out[0].value->ToDouble() == 25);                 // (20 + 30) / 2
  CHECK(out[1].value->ToDouble() == 25);                 // 100 / 4
  CHECK(out[1].numerator->ToDouble() == 100);
  CHECK(out[1].denominator->ToString() == "4");
  CHECK(out[2].value->ToDouble() == Approx(37));         // h = 2.7: 30 + 0.7 × 10
  for (const KpiValue& v : out) CHECK(*v.n == 4);
  std::vector<KpiValue> none;
  AppendDaysSummary(ValueCounts{}, kIds, &none);
  for (const KpiValue& v : none) CHECK(v.reason == "EMPTY");
}

TEST_CASE("Kaplan-Meier median KPI: value, all censored, empty", "[kpis]") {
  KpiValue v;
  SetKaplanMeierMedian({{10, true, 1}, {16, false, 1}, {20, true, 1}}, &v);
  CHECK(v.value->ToDouble() == 20);  // S(10) = 2/3, S(20) = 0
  CHECK(*v.n == 3);
  CHECK(*v.censored == 1);
  KpiValue all;
  SetKaplanMeierMedian({{5, false, 2}}, &all);
  CHECK(all.reason == "ALL_CENSORED");
  KpiValue empty;
  SetKaplanMeierMedian({}, &empty);
  CHECK(empty.reason == "EMPTY");
}

TEST_CASE("exact numbers print exactly", "[kpis]") {
  CHECK(Num::Count(1234567).ToString() == "1234567");
  CHECK(Num::Money(12345).ToString() == "1.2345");
  CHECK(Num::Money(-15000).ToString() == "-1.5");
  CHECK(Num::Money(static_cast<Int128>(9223372036854775807LL) * 100).ToString() ==
        "92233720368547758.07");
  CHECK(Num::Real(0.1).ToString() == "0.1");
}
