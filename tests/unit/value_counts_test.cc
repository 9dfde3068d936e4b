// ValueCounts keeps a multiset as value → count: its quantiles must equal selection over the
// written-out values, and Kaplan–Meier over weighted observations must equal it over the
// expanded ones.
#include <map>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/quantile.h"
#include "crmkpi/base/survival.h"
#include "crmkpi/base/value_counts.h"

namespace crmkpi {

TEST_CASE("value counts: quantiles equal selection over the written-out values") {
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    const std::size_t n = 1 + rng() % 60;
    const int spread = 1 + static_cast<int>(rng() % 12);  // few distinct values: many ties
    std::vector<std::int64_t> v;
    ValueCounts c, a, b;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t x = static_cast<std::int64_t>(rng() % static_cast<unsigned>(spread)) * 86400 - 3;
      v.push_back(x);
      c.Add(x);
      (i % 2 ? a : b).Add(x);
    }
    a.Merge(b);
    Int128 sum = 0;
    for (std::int64_t x : v) sum += x;
    REQUIRE(c.size() == n);
    REQUIRE(a.size() == n);
    CHECK(c.sum() == sum);
    CHECK(a.sum() == sum);
    for (double p : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
      std::vector<std::int64_t> copy = v;
      const QuantileBracket<std::int64_t> want = SelectQuantile(copy, p);
      for (const ValueCounts* counts : {&c, &a}) {
        const QuantileBracket<std::int64_t> got = counts->Quantile(p);
        INFO("n " << n << " p " << p);
        CHECK(got.lower == want.lower);
        CHECK(got.upper == want.upper);
        CHECK(got.frac == want.frac);
      }
    }
  }
}

TEST_CASE("value counts: whole days (dense) and other values (table) agree with a map") {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 60; ++round) {
    std::map<std::int64_t, std::uint64_t> want;
    std::vector<std::int64_t> all;
    ValueCounts c, a, b;
    const int n = 1 + static_cast<int>(rng() % 3000);
    // Day spreads from a few days to beyond the dense limit (2^16 days), both signs.
    const std::int64_t spread = std::int64_t{1} << (2 + rng() % 18);
    const std::int64_t base = static_cast<std::int64_t>(rng() % 40000) - 20000;
    for (int i = 0; i < n; ++i) {
      std::int64_t v = (base + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(spread)) -
                        spread / 2) * 86400;
      if (rng() % 5 == 0) v += static_cast<std::int64_t>(rng() % 86399) + 1;  // not a whole day
      ++want[v];
      all.push_back(v);
      c.Add(v);
      (i % 3 ? a : b).Add(v);
    }
    b.Merge(a);
    std::vector<std::pair<std::int64_t, std::uint64_t>> sorted(want.begin(), want.end());
    INFO("round " << round << " n " << n << " spread " << spread);
    CHECK(c.Sorted() == sorted);
    CHECK(b.Sorted() == sorted);
    CHECK(c.distinct() == want.size());
    CHECK(b.size() == static_cast<std::uint64_t>(n));
    for (double p : {0.0, 0.5, 0.9, 1.0}) {
      std::vector<std::int64_t> copy = all;
      const QuantileBracket<std::int64_t> q = SelectQuantile(copy, p);
      CHECK(c.Quantile(p).lower == q.lower);
      CHECK(c.Quantile(p).upper == q.upper);
      CHECK(b.Quantile(p).lower == q.lower);
    }
  }
}

TEST_CASE("value counts: sorted distinct values with their counts") {
  ValueCounts c;
  for (std::int64_t x : {5, -2, 5, 9, 5, -2}) c.Add(x);
  c.Add(100, 4);
  c.Add(7, 0);  // nothing
  using P = std::pair<std::int64_t, std::uint64_t>;
  CHECK(c.Sorted() == std::vector<P>{{-2, 2}, {5, 3}, {9, 1}, {100, 4}});
  CHECK(c.distinct() == 4);
  CHECK(c.size() == 10);
  CHECK(c.sum() == Int128{-4 + 15 + 9 + 400});
  ValueCounts many;
  for (int i = 0; i < 100000; ++i) many.Add(i % 1000);  // grows past its first table
  CHECK(many.distinct() == 1000);
  CHECK(many.Quantile(0.5).lower == 499);
  CHECK(many.Quantile(0.5).upper == 500);
}

TEST_CASE("value counts: buffered values fold into the sorted run exactly") {
  // Non-day values are buffered, radix-sorted and folded once the buffer is as long as the run:
  // many folds, ranges from one value to the whole int64 span, counted adds, merges mid-way.
  std::mt19937_64 rng(17);
  for (int round = 0; round < 12; ++round) {
    std::map<std::int64_t, std::uint64_t> want;
    ValueCounts c, a, b;
    ValueCounts parts[3];  // merged by move, as the parallel pass merges its chunks
    const int n = 5000 + static_cast<int>(rng() % 60000);
    const unsigned bits = 1 + static_cast<unsigned>(rng() % 63);
    for (int i = 0; i < n; ++i) {
      std::int64_t v = static_cast<std::int64_t>(rng() >> (64 - bits));
      if (rng() % 2) v = -v;
      if (v % 86400 == 0) v += 1;  // a whole day goes to the dense array: keep to the run
      const std::uint64_t count = rng() % 50 == 0 ? 1 + rng() % 1000 : 1;
      want[v] += count;
      c.Add(v, count);
      (i % 4 ? a : b).Add(v, count);
      parts[i % 3].Add(v, count);
      parts[(i + 1) % 3].Add((i % 2 ? 2 : -1) * std::int64_t{86400});  // a day
      want[(i % 2 ? 2 : -1) * std::int64_t{86400}] += 1;
      c.Add((i % 2 ? 2 : -1) * std::int64_t{86400});
      (i % 4 ? b : a).Add((i % 2 ? 2 : -1) * std::int64_t{86400});
      if (i == n / 2) a.Merge(b), b = ValueCounts();  // merge a part still buffering
    }
    a.Merge(b);
    ValueCounts moved;
    for (ValueCounts& part : parts) moved.Merge(std::move(part));  // the first is moved in
    CHECK(parts[0].empty());
    CHECK(parts[0].Sorted().empty());
    std::vector<std::pair<std::int64_t, std::uint64_t>> sorted(want.begin(), want.end());
    INFO("round " << round << " n " << n << " bits " << bits);
    CHECK(c.Sorted() == sorted);
    CHECK(a.Sorted() == sorted);
    CHECK(a.size() == c.size());
    CHECK(a.sum() == c.sum());
    CHECK(moved.Sorted() == sorted);
    CHECK(moved.size() == c.size());
    CHECK(moved.sum() == c.sum());
  }
}

TEST_CASE("value counts: a day counted past 65,535 goes on in the table, exactly") {
  // Day arrays hold 2-byte counts; a bulk import dated one day must still count every row.
  constexpr std::int64_t kDay = 86400;
  ValueCounts c, a, b;
  const std::uint64_t n = 70000;
  for (std::uint64_t i = 0; i < n; ++i) {
    c.Add(5 * kDay);
    (i % 3 ? a : b).Add(5 * kDay);
  }
  c.Add(4 * kDay, 3);
  c.Add(6 * kDay, std::uint64_t{1} << 40);  // a count no day slot can hold
  a.Merge(b);
  const auto sorted = c.Sorted();
  REQUIRE(sorted.size() == 3);
  CHECK(sorted[0] == std::pair<std::int64_t, std::uint64_t>{4 * kDay, 3});
  CHECK(sorted[1] == std::pair<std::int64_t, std::uint64_t>{5 * kDay, n});
  CHECK(sorted[2] == std::pair<std::int64_t, std::uint64_t>{6 * kDay, std::uint64_t{1} << 40});
  CHECK(c.size() == n + 3 + (std::uint64_t{1} << 40));
  CHECK(c.Quantile(0.0).lower == 4 * kDay);
  CHECK(c.Quantile(0.5).lower == 6 * kDay);
  const auto merged = a.Sorted();
  REQUIRE(merged.size() == 1);
  CHECK(merged[0].second == n);
  CHECK(a.Quantile(0.5).lower == 5 * kDay);
}

TEST_CASE("Kaplan-Meier: weighted observations equal the expanded ones") {
  std::mt19937 rng(5);
  for (int round = 0; round < 100; ++round) {
    std::vector<SurvivalObs> expanded, weighted;
    const int groups = 1 + static_cast<int>(rng() % 10);
    for (int g = 0; g < groups; ++g) {
      const double t = static_cast<double>(rng() % 6);
      const bool event = rng() % 3 != 0;
      const std::uint64_t w = 1 + rng() % 4;
      weighted.push_back({t, event, w});
      for (std::uint64_t k = 0; k < w; ++k) expanded.push_back({t, event});
    }
    weighted.push_back({-1.0, true, 3});  // invalid: counted by weight
    expanded.insert(expanded.end(), 3, SurvivalObs{-1.0, true});
    const KaplanMeier a = EstimateKaplanMeier(expanded);
    const KaplanMeier b = EstimateKaplanMeier(weighted);
    CHECK(a.n == b.n);
    CHECK(a.events == b.events);
    CHECK(a.censored == b.censored);
    CHECK(a.invalid == b.invalid);
    CHECK(a.invalid == 3);
    CHECK(a.steps == b.steps);
    CHECK(a.median == b.median);
  }
}

}  // namespace crmkpi
