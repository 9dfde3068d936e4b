// The metric engine's per-row expressions and per-key counts (issue 21): `value =` arithmetic
// over a row's columns and `count_distinct … having`, serial and in parallel chunks. Every
// expected number is worked out by hand beside it.
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "crmkpi/engine/metric_engine.h"
#include "metric_test_helpers.h"
#include "temp_dir.h"

using namespace crmkpi;
using namespace crmkpi::testing;

TEST_CASE("value = …: arithmetic of the row's columns, percent cells, exclusions by reason",
          "[metric][value]") {
  TempDir dir;
  // Hand-checked per row (amount × probability; probability as written or a percent cell):
  //   1 A  1,000,000 × 60%   = 600,000
  //   2 A    500,000 × 30    = 15,000,000   (a whole number is taken as written)
  //   3 B    200,000 × ""    → missing_value
  //   4 B        TBD × 50%   → invalid_value
  //   5 B    100,000 × 100 % = 100,000
  //   6 C   ¥300,000 × 12.5％ = 37,500
  const SourceDef deals = Source(
      "deals", dir.Write("deals.csv",
                         "id,owner,stage,amount,probability,list price,qty\n"
                         "1,A,open,\"1,000,000\",60%,1200000,2\n"
                         "2,A,open,500000,30,,1\n"
                         "3,B,open,200000,,300000,1\n"
                         "4,B,open,TBD,50%,1,1\n"
                         "5,B,won,100000,100 %,0,3\n"
                         "6,C,open,\"¥300,000\",12.5％,400000,x\n"));
  MetricDef weighted = Metric("weighted", "deals", Aggregation::kSum);
  weighted.value = "amount * probability";
  weighted.by = {{"owner"}};
  // amount ÷ list price: 1,000,000 / 1,200,000 = 0.8333 (rounded per row), row 2 missing,
  // 200,000 / 300,000 = 0.6667, row 4 invalid, row 5 ÷ 0, 300,000 / 400,000 = 0.75:
  // avg = (0.8333 + 0.6667 + 0.75) / 3 = 2.25 / 3 = 0.75.
  MetricDef ratio = Metric("ratio", "deals", Aggregation::kAvg);
  ratio.value = "amount ÷ \"list price\"";
  // amount × qty: 2,000,000, 500,000, 200,000, (TBD), 300,000, (qty x): min 200,000,
  // max 2,000,000, median of 200k, 300k, 500k, 2M = (300k + 500k) / 2 = 400,000.
  MetricDef lo = Metric("lo", "deals", Aggregation::kMin);
  lo.value = "amount * qty";
  MetricDef hi = lo;
  hi.id = "hi";
  hi.aggregation = Aggregation::kMax;
  MetricDef mid = lo;
  mid.id = "mid";
  mid.aggregation = Aggregation::kMedian;
  // The same value under a where: open deals only (rows 1, 2, 3, 4, 6).
  MetricDef open = weighted;
  open.id = "open_weighted";
  open.where = "stage is open";
  open.by.clear();
  const MetricRun run = Run({deals}, {weighted, ratio, lo, hi, mid, open});
  const MetricResult& w = Find(run, "weighted");
  CHECK(Str(w.total) == "15737500");
  CHECK(w.total.n == 4);
  CHECK(Excluded(w.total) == "missing_value=1 invalid_value=1");
  CHECK(Table(w.groupings[0]) ==
        std::vector<std::string>{"A → 15600000", "B → 100000", "C → 37500"});
  const MetricResult& r = Find(run, "ratio");
  CHECK(Str(r.total) == "0.75");
  CHECK(r.total.numerator->ToString() == "2.25");
  CHECK(Excluded(r.total) == "missing_value=1 invalid_value=1 division_by_zero=1");
  CHECK(Str(Find(run, "lo").total) == "200000");
  CHECK(Str(Find(run, "hi").total) == "2000000");
  CHECK(Str(Find(run, "mid").total) == "400000");
  CHECK(Excluded(Find(run, "mid").total) == "invalid_value=2");
  CHECK(Str(Find(run, "open_weighted").total) == "15637500");
  // Money: the value reads the amount role's column, so the yen mark of row 6 labels it.
  CHECK(w.total.currency == "JPY");
  // One invalid amount warning for the column, however many expressions read it.
  const DataWarning* bad = Warning(run, "invalid_amount");
  REQUIRE(bad != nullptr);
  CHECK(bad->count == 1);

  // In parallel chunks the same cells (merged in file order).
  std::string big = "id,owner,stage,amount,probability,list price,qty\n";
  for (int i = 0; i < 3000; ++i) {
    big += fmt::format("{},O{},open,{},{}%,{},{}\n", i, i % 3, 1000 + i, i % 101, 2000,
                       i % 5 == 0 ? "" : "2");
  }
  const SourceDef many = Source("deals", dir.Write("many.csv", big));
  MetricDef per_qty = Metric("per_qty", "deals", Aggregation::kAvg);
  per_qty.value = "amount * probability / qty";
  per_qty.by = {{"owner"}};
  const MetricRun serial = Run({many}, {weighted, per_qty});
  ParallelOptions parallel;
  parallel.threads = 3;
  parallel.min_chunk_bytes = 4096;
  const MetricRun split =
      RunMetrics({many}, {}, {weighted, per_qty}, {}, "", std::nullopt, parallel);
  for (const char* id : {"weighted", "per_qty"}) {
    INFO(id);
    CHECK(Str(Find(split, id).total) == Str(Find(serial, id).total));
    CHECK(Excluded(Find(split, id).total) == Excluded(Find(serial, id).total));
    CHECK(Table(Find(split, id).groupings[0]) == Table(Find(serial, id).groupings[0]));
  }
  // Σ over i of (1000 + i) × (i mod 101) / 100, exact to the unit of 1/10,000 per row.
  long double expected = 0;
  for (int i = 0; i < 3000; ++i) {
    expected += std::llround((1000.0L + i) * (i % 101) / 100 * 10000) / 10000.0L;
  }
  CHECK(Str(Find(serial, "weighted").total) == Num::Money(std::llround(expected * 10000)).ToString());
}

TEST_CASE("count_distinct with having: keys with so many rows, per group, merged in parallel",
          "[metric][having]") {
  TempDir dir;
  // Hand-checked: C1 has orders 1, 3, 5 (A, B, A), C2 2, 6 (A, B), C3 4 (B), C4 8 (A); order 7
  // has no customer (missing_value).
  const SourceDef orders = Source(
      "orders", dir.Write("orders.csv",
                          "order_id,customer_id,owner,ordered_at,amount\n"
                          "1,C1,A,2024-03-01,100\n"
                          "2,C2,A,2024-03-02,200\n"
                          "3,C1,B,2024-03-05,150\n"
                          "4,C3,B,2024-03-06,50\n"
                          "5,C1,A,2024-04-01,300\n"
                          "6,C2,B,2024-04-02,10\n"
                          "7,,A,2024-04-03,5\n"
                          "8,C4,A,2024-04-04,70\n"));
  auto distinct = [](const std::string& id, std::optional<HavingDef> having) {
    MetricDef m = Metric(id, "orders", Aggregation::kCountDistinct);
    m.columns = {"customer_id"};
    m.having = having;
    m.by = {{"owner"}};
    return m;
  };
  using Op = HavingDef::Op;
  const std::vector<MetricDef> metrics = {
      distinct("customers", std::nullopt),  distinct("repeat", HavingDef{Op::kGe, 2}),
      distinct("once", HavingDef{Op::kEq, 1}), distinct("three", HavingDef{Op::kGt, 2}),
      distinct("few", HavingDef{Op::kLe, 2}),  distinct("not_two", HavingDef{Op::kNe, 2}),
      distinct("under_two", HavingDef{Op::kLt, 2})};
  const MetricRun run = Run({orders}, metrics);
  // Total: C1 3 rows, C2 2, C3 1, C4 1.
  CHECK(Str(Find(run, "customers").total) == "4");
  CHECK(Str(Find(run, "repeat").total) == "2");
  CHECK(Str(Find(run, "once").total) == "2");
  CHECK(Str(Find(run, "three").total) == "1");
  CHECK(Str(Find(run, "few").total) == "3");
  CHECK(Str(Find(run, "not_two").total) == "3");
  CHECK(Str(Find(run, "under_two").total) == "2");
  CHECK(Find(run, "repeat").total.n == 7);  // rows with a key
  CHECK(Excluded(Find(run, "repeat").total) == "missing_value=1");
  // Per owner, the key's rows in the group: A has C1 twice (1, 5), C2, C4; B C1, C3, C2 once.
  CHECK(Table(Find(run, "repeat").groupings[0]) ==
        std::vector<std::string>{"A → 1", "B → 0"});
  CHECK(Table(Find(run, "customers").groupings[0]) ==
        std::vector<std::string>{"A → 3", "B → 3"});
  // The same alone (no stream shared with a metric without having).
  const MetricRun alone = Run({orders}, {metrics[1]});
  CHECK(Str(Find(alone, "repeat").total) == "2");
  // A where counts only the rows that pass it: orders from 2024-04 on, C1 (5) and C2 (6) once.
  MetricDef april = distinct("april_repeat", HavingDef{Op::kGe, 2});
  april.where = "ordered_at >= 2024-04-01";
  CHECK(Str(Find(Run({orders}, {april}), "april_repeat").total) == "0");
  // A composite key counts (customer, owner) pairs: (C1, A) has two rows.
  MetricDef pairs = distinct("pairs", HavingDef{Op::kGe, 2});
  pairs.columns = {"customer_id", "owner"};
  pairs.by.clear();
  CHECK(Str(Find(Run({orders}, {pairs}), "pairs").total) == "1");

  // Many keys (the counts become a direct array past 1,024 keys), grouped and not, serial and
  // in chunks: customer k has k mod 4 + 1 orders, so k mod 4 ≥ 1 are repeat customers.
  std::string big = "order_id,customer_id,owner,ordered_at,amount\n";
  std::map<std::string, int> rows;
  std::map<std::pair<std::string, std::string>, int> rows_by_owner;
  int order = 0;
  for (int round = 0; round < 4; ++round) {
    for (int k = 0; k < 5000; ++k) {
      if (k % 4 < round) continue;
      const std::string c = "C" + std::to_string(k), owner = "O" + std::to_string(order % 3);
      big += fmt::format("{},{},{},2024-01-01,1\n", order++, c, owner);
      ++rows[c];
      ++rows_by_owner[{owner, c}];
    }
  }
  const SourceDef many = Source("orders", dir.Write("many.csv", big));
  MetricDef total_only = distinct("repeat_total", HavingDef{Op::kGe, 2});
  total_only.by.clear();
  const std::vector<MetricDef> big_metrics = {metrics[0], metrics[1], total_only};
  const MetricRun serial = Run({many}, big_metrics);
  ParallelOptions parallel;
  parallel.threads = 3;
  parallel.min_chunk_bytes = 4096;
  const MetricRun split = RunMetrics({many}, {}, big_metrics, {}, "", std::nullopt, parallel);
  int repeat = 0;
  for (const auto& [c, n] : rows) repeat += n >= 2;
  std::map<std::string, int> repeat_by_owner;
  for (const auto& [key, n] : rows_by_owner) repeat_by_owner[key.first] += n >= 2;
  CHECK(repeat == 3750);
  for (const MetricRun* r : {&serial, &split}) {
    CHECK(Str(Find(*r, "repeat").total) == "3750");
    CHECK(Str(Find(*r, "repeat_total").total) == "3750");
    CHECK(Str(Find(*r, "customers").total) == "5000");
    CHECK(Table(Find(*r, "repeat").groupings[0]) ==
          std::vector<std::string>{fmt::format("O0 → {}", repeat_by_owner["O0"]),
                                   fmt::format("O1 → {}", repeat_by_owner["O1"]),
                                   fmt::format("O2 → {}", repeat_by_owner["O2"])});
  }
}

TEST_CASE("by … as: a grouping keyed by its name, not the column's", "[metric][as]") {
  TempDir dir;
  const SourceDef users = Source("users", dir.Write("users.csv",
                                                    "user_id,role\nU1,営業\nU2,営業\nU3,マネージャー\n"));
  SourceDef events = Source("events", dir.Write("events.csv", "user_id,type\nU1,login\nU3,login\n"));
  LookupDef lookup;
  lookup.id = "u";
  lookup.file = users.file;
  lookup.key = "user_id";
  lookup.source = "events";
  lookup.on = "user_id";
  MetricDef logins = Metric("logins", "events", Aggregation::kCountDistinct);
  logins.columns = {"user_id"};
  logins.by = {{"u.role"}, {"type", "u.role"}};
  logins.by_as = {{"role"}, {"", "role"}};
  MetricDef all = Metric("all", "users");
  all.by = {{"role"}};
  const MetricRun run = Run({users, events}, {logins, all}, {lookup});
  const MetricResult& l = Find(run, "logins");
  REQUIRE(l.groupings.size() == 2);
  CHECK(l.groupings[0].keys == std::vector<std::string>{"role"});
  CHECK(l.groupings[1].keys == std::vector<std::string>{"type", "role"});
  CHECK(Table(l.groupings[0]) == std::vector<std::string>{"マネージャー → 1", "営業 → 1"});
  CHECK(Find(run, "all").groupings[0].keys == std::vector<std::string>{"role"});
}
