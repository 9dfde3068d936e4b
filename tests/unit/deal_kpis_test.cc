#include "crmkpi/analysis/deal_kpis.h"

#include <catch2/catch.hpp>

#include "crmkpi/base/quantile.h"
#include "crmkpi/values/amount.h"

using namespace crmkpi;

namespace {

const KpiValue& Find(const std::vector<KpiValue>& kpis, const std::string& id) {
  for (const auto& k : kpis) {
    if (k.id == id) return k;
  }
  FAIL("no KPI " << id);
  return kpis.front();
}

DealFacts Won(std::int64_t amount, Seconds cycle) {
  DealFacts f;
  f.cls = StageClass::kWon;
  f.reached = Reached::kYes;
  f.amount_status = ParseStatus::kOk;
  f.amount = amount * kAmountScale;
  f.cycle_seconds = cycle;
  return f;
}

}  // namespace

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

TEST_CASE("ratios carry their population, zero denominators are n/a", "[kpis]") {
  DealStats s;
  KpiContext ctx{true, true, false};
  auto empty = ComputeDealKpis(s, ctx);
  CHECK_FALSE(Find(empty, "win_rate").value.has_value());
  CHECK(Find(empty, "win_rate").reason == "ZERO_DENOMINATOR");
  CHECK(Find(empty, "avg_deal_size").reason == "EMPTY");
  CHECK(Find(empty, "sales_cycle_days_median").reason == "EMPTY");
  CHECK(Find(empty, "revenue").value->ToString() == "0");

  s.Add(Won(1000, 10 * 86400));
  s.Add(Won(3000, 30 * 86400));
  DealFacts lost;
  lost.cls = StageClass::kLost;
  s.Add(lost);
  DealFacts missing = Won(0, 0);
  missing.amount_status = ParseStatus::kEmpty;
  missing.cycle_exclusion = CycleExclusion::kNegative;
  s.Add(missing);
  auto k = ComputeDealKpis(s, ctx);
  CHECK(Find(k, "win_rate").value->ToDouble() == Approx(0.75));
  CHECK(Find(k, "win_rate").numerator->ToString() == "3");
  CHECK(Find(k, "win_rate").denominator->ToString() == "4");
  CHECK(Find(k, "revenue").value->ToString() == "4000");
  CHECK(*Find(k, "revenue").n == 2);
  CHECK(Find(k, "revenue").excluded ==
        std::vector<std::pair<std::string, std::uint64_t>>{{"missing_amount", 1}});
  CHECK(Find(k, "avg_deal_size").value->ToDouble() == 2000);
  CHECK(Find(k, "sales_cycle_days_median").value->ToDouble() == 20);
  CHECK(Find(k, "sales_cycle_days_mean").numerator->ToDouble() == 40);
  CHECK(Find(k, "sales_cycle_days_p90").value->ToDouble() == Approx(28));
  CHECK(Find(k, "sales_cycle_days_p90").excluded ==
        std::vector<std::pair<std::string, std::uint64_t>>{{"negative_duration", 1}});
}

TEST_CASE("a KPI whose column is absent says so", "[kpis]") {
  DealStats s;
  auto k = ComputeDealKpis(s, KpiContext{false, false, false});
  CHECK(Find(k, "revenue").reason == "MISSING_COLUMN");
  CHECK(Find(k, "sales_cycle_days_p90").reason == "MISSING_COLUMN");
  for (const auto& v : k) CHECK(v.id != "lead_to_opportunity_rate");
}

TEST_CASE("exact numbers print exactly", "[kpis]") {
  CHECK(Num::Count(1234567).ToString() == "1234567");
  CHECK(Num::Money(12345).ToString() == "1.2345");
  CHECK(Num::Money(-15000).ToString() == "-1.5");
  CHECK(Num::Money(static_cast<Int128>(9223372036854775807LL) * 100).ToString() ==
        "92233720368547758.07");
  CHECK(Num::Real(0.1).ToString() == "0.1");
}
