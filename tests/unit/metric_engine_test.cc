// The metric engine (metric_engine.h): every aggregation with its population and exclusions,
// groupings and periods, source filters, lenient sources, lookups, errors, and a check that the
// hot loop does not allocate per row. Every expected number is worked out by hand beside it.
#include "crmkpi/engine/metric_engine.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "metric_test_helpers.h"
#include "temp_dir.h"

using namespace crmkpi;
using namespace crmkpi::testing;

namespace {

namespace fs = std::filesystem;

MetricDef Amount(const std::string& id, Aggregation aggregation, const std::string& where = "") {
  MetricDef m = Metric(id, "deals", aggregation);
  m.columns = {"amount"};
  m.where = where;
  return m;
}

MetricDef Duration(const std::string& id, Aggregation aggregation, const std::string& where = "",
                   DurationUnit unit = DurationUnit::kDays) {
  MetricDef m = Metric(id, "deals", aggregation);
  m.duration_from = "created";
  m.duration_to = "closed";
  m.duration_unit = unit;
  m.where = where;
  return m;
}

template <typename F>
Error ErrorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no error");
  throw 0;
}

// The deals used by most tests. Line numbers: header = line 1, deal k = line k + 1.
//   amounts: 1000, 3000, (missing), TBD (invalid), 500, 4000, 200
//   stage won: deals 1, 2, 3, 6; lost: 4; open: 5, 7
//   durations created → closed: 10, 10, 30 (Feb 1 → Mar 2, 2024 is a leap year: 29 + 1),
//   10, (no closed), −1 (Mar 1 → Feb 28: negative), (no closed)
const char* kDeals =
    "id,owner,stage,amount,created_at,closed_at\n"
    "1,Alice,won,1000,2024-01-01,2024-01-11\n"
    "2,Alice,won,\"3,000\",2024-01-05,2024-01-15\n"
    "3,Bob,won,,2024-02-01,2024-03-02\n"
    "4,Bob,lost,TBD,2024-02-10,2024-02-20\n"
    "5,Carol,open,500,2024-03-01,\n"
    "6,Alice,won,4000,2024-03-01,2024-02-28\n"
    "7, ,open,200,2024-03-15,\n";

}  // namespace

TEST_CASE("count, count_distinct, sum, avg, min, max, median, pNN of amounts", "[metric]") {
  TempDir dir;
  const SourceDef deals = Source("deals", dir.Write("deals.csv", kDeals));
  MetricDef distinct = Metric("owners", "deals", Aggregation::kCountDistinct);
  distinct.columns = {"owner"};
  MetricDef p90 = Amount("p90", Aggregation::kPercentile);
  p90.percentile = 0.9;
  MetricDef p25 = Amount("p25", Aggregation::kPercentile);
  p25.percentile = 0.25;
  MetricDef nonempty = Metric("with_amount", "deals");
  nonempty.columns = {"amount"};
  const MetricRun run =
      Run({deals}, {Metric("deals", "deals"), distinct, Amount("sum", Aggregation::kSum),
                    Amount("avg", Aggregation::kAvg), Amount("min", Aggregation::kMin),
                    Amount("max", Aggregation::kMax), Amount("median", Aggregation::kMedian),
                    p90, p25, nonempty, Amount("won_sum", Aggregation::kSum, "stage is won")});

  REQUIRE(run.metrics.size() == 11);
  CHECK(run.metrics[0].id == "deals");  // results in definition order
  CHECK(run.metrics[10].id == "won_sum");
  // 7 data rows.
  CHECK(Str(Find(run, "deals").total) == "7");
  CHECK(Find(run, "deals").total.n == 7);
  // Alice, Bob, Carol; deal 7's owner " " is empty after trimming: excluded.
  const MetricCell& owners = Find(run, "owners").total;
  CHECK(Str(owners) == "3");
  CHECK(owners.n == 6);
  CHECK(Excluded(owners) == "missing_value=1");
  // Valid amounts 1000 + 3000 + 500 + 4000 + 200 = 8700 (n = 5); deal 3 missing, deal 4 TBD.
  const MetricCell& sum = Find(run, "sum").total;
  CHECK(Str(sum) == "8700");
  CHECK(sum.value->fixed);  // exact money
  CHECK(sum.n == 5);
  CHECK(Excluded(sum) == "missing_amount=1 invalid_amount=1");
  // 8700 / 5 = 1740, a double.
  const MetricCell& avg = Find(run, "avg").total;
  CHECK_FALSE(avg.value->fixed);
  CHECK(avg.value->ToDouble() == Approx(1740.0));
  CHECK(Excluded(avg) == "missing_amount=1 invalid_amount=1");
  CHECK(Str(Find(run, "min").total) == "200");
  CHECK(Str(Find(run, "max").total) == "4000");
  // Sorted 200, 500, 1000, 3000, 4000: the middle (odd n) is 1000.
  CHECK(Str(Find(run, "median").total) == "1000");
  CHECK(Find(run, "median").total.value->fixed);
  // p90: h = 0.9 × 4 = 3.6 → 3000 + 0.6 × (4000 − 3000) = 3600 (a whole unit: exact).
  CHECK(Str(Find(run, "p90").total) == "3600");
  CHECK(Find(run, "p90").total.value->fixed);
  // p25: h = 0.25 × 4 = 1 → x1 = 500.
  CHECK(Str(Find(run, "p25").total) == "500");
  // count of a column: rows where it is not empty: 7 − 1 (deal 3) = 6 ("TBD" is not empty).
  CHECK(Str(Find(run, "with_amount").total) == "6");
  CHECK(Excluded(Find(run, "with_amount").total) == "missing_amount=1");
  // Won deals 1, 2, 3, 6: 1000 + 3000 + 4000 = 8000, deal 3 missing.
  CHECK(Str(Find(run, "won_sum").total) == "8000");
  CHECK(Find(run, "won_sum").total.n == 3);
  CHECK(Excluded(Find(run, "won_sum").total) == "missing_amount=1");
  // The invalid amount is warned about once (deal 4, line 5; "4,Bob,lost," is 11 characters,
  // so the amount starts at column 12), although 9 metrics read the column.
  const DataWarning* w = Warning(run, "invalid_amount");
  REQUIRE(w != nullptr);
  CHECK(w->count == 1);
  CHECK(w->column == "amount");
  CHECK(w->first.line == 5);
  CHECK(w->first.column == 12);
  CHECK(w->sample == "TBD");
  REQUIRE(run.sources.size() == 1);
  CHECK(run.sources[0].id == "deals");
  CHECK(run.sources[0].rows == 7);
  CHECK(run.sources[0].encoding == "utf-8");
}

TEST_CASE("sums stay exact past 64 bits of units (also merged across chunks)", "[metric]") {
  // 900 trillion in 1/10,000 units is 9 * 10^18, just under 2^63: a few such rows overflow
  // the 64-bit running sum, which must hand over to the 128-bit remainder without loss.
  TempDir dir;
  std::string csv = "id,owner,stage,amount\n";
  const int rows = 4000;
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(i) + (i % 2 ? ",A,won," : ",B,won,") +
           (i % 3 == 0 ? "-900000000000000" : "900000000000000") + "\n";
  }
  const SourceDef s = Source("deals", dir.Write("big.csv", csv));
  MetricDef sum = Amount("sum", Aggregation::kSum);
  sum.by = {{"owner"}};
  MetricDef avg = Amount("avg", Aggregation::kAvg);
  MetricDef max = Amount("max", Aggregation::kMax);
  // Rows i with i % 3 == 0 are negative: 1334 of 4000, so the sum is 1332 * 9 * 10^14.
  const std::string want = "1198800000000000000";
  for (unsigned threads : {1u, 3u}) {
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 1000;  // split the small file
    const MetricRun run = RunMetrics({s}, {}, {sum, avg, max}, {}, "", std::nullopt, parallel);
    INFO("threads " << threads);
    CHECK(Str(Find(run, "sum").total) == want);
    CHECK(Find(run, "avg").total.value->ToDouble() == Approx(1332.0 * 9e14 / rows));
    CHECK(Str(Find(run, "max").total) == "900000000000000");
    // Owner A: odd i (2000 rows), negative when i % 3 == 0 (667 of them): 666 net positive.
    CHECK(Table(Find(run, "sum").groupings.at(0)) ==
          std::vector<std::string>{"A → 599400000000000000", "B → 599400000000000000"});
  }
}

TEST_CASE("as_of = data: the latest created or closed date of the rows, also in chunks",
          "[metric]") {
  TempDir dir;
  // The latest valid date is row 3's closed 2024-05-02T10:00Z; 'soon' is invalid (and warned
  // about, although no metric reads the dates); row 4 is filtered out, so its 2030 date is not
  // seen. Many rows so that the parallel pass splits the file.
  std::string csv = "stage,created_at,closed_at\n";
  csv += "won,2024-01-01,2024-02-01\n";
  csv += "open,soon,\n";
  csv += "lost,2024-03-01,2024-05-02T10:00:00Z\n";
  csv += "test,2030-01-01,2030-01-02\n";
  for (int i = 0; i < 400; ++i) csv += "open,2024-01-15,\n";
  SourceDef s = Source("deals", dir.Write("d.csv", csv));
  s.filter = "stage != test";
  for (unsigned threads : {1u, 3u}) {
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 1000;
    const MetricRun run = RunMetrics({s}, {}, {Metric("deals", "deals")}, {}, "", std::nullopt,
                                     parallel, true);
    INFO("threads " << threads);
    REQUIRE(run.data_as_of);
    CHECK(*run.data_as_of == 1714644000);  // 2024-05-02T10:00:00Z
    const DataWarning* w = Warning(run, "invalid_date");
    REQUIRE(w != nullptr);
    CHECK(w->count == 1);
    CHECK(w->sample == "soon");
  }
  // Not asked for, or a fixed as-of given: no dates are read.
  const MetricRun plain = RunMetrics({s}, {}, {Metric("deals", "deals")}, {}, "");
  CHECK_FALSE(plain.data_as_of);
  CHECK(Warning(plain, "invalid_date") == nullptr);
  const MetricRun fixed =
      RunMetrics({s}, {}, {Metric("deals", "deals")}, {}, "", Seconds{0}, {}, true);
  CHECK_FALSE(fixed.data_as_of);
}

TEST_CASE("a source of several files reads them as one, each listed with its rows",
          "[metric]") {
  TempDir dir;
  SourceDef s = Source("deals", dir.Write("jan.csv",
                                          "owner,stage,amount\n"
                                          "Ann,won,100\n"
                                          "Bob,won,x\n"));
  s.more_files = {dir.Write("feb.csv",
                            "owner,stage,amount\n"
                            "Ann,won,50\n"
                            "Cid,won,y\n"
                            "Ann,open,7\n")};
  s.more_file_locs = {{"kpi.ini", 4, 8}};
  MetricDef revenue = Amount("revenue", Aggregation::kSum, "stage is won");
  revenue.by = {{"owner"}};
  const MetricRun run = Run({s}, {revenue});
  const MetricResult& r = Find(run, "revenue");
  CHECK(Str(r.total) == "150");
  CHECK(Excluded(r.total) == "invalid_amount=2");
  CHECK(Table(r.groupings.at(0)) == std::vector<std::string>{"Ann → 150", "Bob → 0", "Cid → 0"});
  REQUIRE(run.sources.size() == 2);
  CHECK(run.sources[0].rows == 2);
  CHECK(run.sources[1].rows == 3);
  CHECK(run.sources[1].file.find("feb.csv") != std::string::npos);
  // Each file's first bad amount is warned about (x in jan.csv, y in feb.csv).
  std::size_t amount_warnings = 0;
  for (const DataWarning& w : run.warnings) amount_warnings += w.kind == "invalid_amount";
  CHECK(amount_warnings == 2);
  // Parallel chunks within each file give the same answer.
  ParallelOptions parallel;
  parallel.threads = 3;
  parallel.min_chunk_bytes = 8;
  const MetricRun chunked = RunMetrics({s}, {}, {revenue}, {}, "", std::nullopt, parallel);
  CHECK(Str(Find(chunked, "revenue").total) == "150");

  // Another order and case of the columns: each file is bound on its own header.
  SourceDef reordered = s;
  reordered.more_files = {dir.Write("apr.csv", "Amount,Stage,Owner\n7,won,Cid\n8,lost,Ann\n")};
  const MetricRun r2 = Run({reordered}, {revenue});
  CHECK(Str(Find(r2, "revenue").total) == "107");
  CHECK(Table(Find(r2, "revenue").groupings.at(0)) ==
        std::vector<std::string>{"Ann → 100", "Bob → 0", "Cid → 7"});
  // A file the where cannot bind in: the binding error, naming that file.
  SourceDef other = s;
  other.more_files = {dir.Write("mar.csv", "owner,result,amount\nAnn,won,1\n")};
  CHECK_THROWS_WITH(Run({other}, {revenue}),
                    Catch::Contains("unknown column 'stage'") &&
                        Catch::Contains("mar.csv, a further file of source 'deals'"));
  // An optional metric that finds its column in one file and not in another: an input error
  // naming the metric and both files (its n/a would mean different things per file).
  MetricDef optional_revenue = revenue;
  optional_revenue.optional = true;
  SourceDef no_amount = s;
  no_amount.more_files = {dir.Write("may.csv", "owner,stage\nAnn,won\n")};
  CHECK_THROWS_WITH(Run({no_amount}, {optional_revenue}),
                    Catch::Contains("may.csv:1:1: the header differs from") &&
                        Catch::Contains("metric 'revenue' finds its columns in"));
  // --source replaces every file of the source.
  const MetricRun one =
      RunMetrics({s}, {}, {revenue}, {{"deals", dir.Write("one.csv", "owner,stage,amount\nZed,won,9\n")}}, "");
  CHECK(Str(Find(one, "revenue").total) == "9");
  CHECK(one.sources.size() == 1);
}

TEST_CASE("a source's summary says the delimiter it was read with", "[metric]") {
  TempDir dir;
  SourceDef semi = Source("deals", dir.Write("semi.csv", "stage;amount\nwon;5\n"));
  semi.delimiter = ";";
  SourceDef sniffed = Source("other", dir.Write("tab.csv", "stage\tamount\nwon\t5\n"));
  sniffed.delimiter = "auto";
  MetricDef a = Metric("a", "deals");
  MetricDef b = Metric("b", "other");
  const MetricRun run = Run({semi, sniffed}, {a, b});
  REQUIRE(run.sources.size() == 2);
  CHECK(run.sources[0].delimiter == ';');
  CHECK(run.sources[1].delimiter == '\t');
}

TEST_CASE("even-n median is the mean of the middles, exact only in whole units", "[metric]") {
  TempDir dir;
  // Amounts 1, 2, 4, 10: median (2 + 4) / 2 = 3, exact. Amounts 0.0001, 0.0002: the median is
  // 1.5 units of 1/10,000 = 0.00015, not a whole unit: a double.
  const SourceDef a = Source("deals", dir.Write("a.csv", "amount\n1\n2\n4\n10\n"));
  const SourceDef b = Source("tiny", dir.Write("b.csv", "amount\n0.0001\n0.0002\n"));
  MetricDef tiny = Amount("tiny_median", Aggregation::kMedian);
  tiny.source = "tiny";
  const MetricRun run = Run({a, b}, {Amount("median", Aggregation::kMedian), tiny});
  CHECK(Str(Find(run, "median").total) == "3");
  CHECK(Find(run, "median").total.value->fixed);
  const MetricCell& t = Find(run, "tiny_median").total;
  CHECK_FALSE(t.value->fixed);
  CHECK(t.value->ToDouble() == Approx(0.00015));
  REQUIRE(run.sources.size() == 2);
}

TEST_CASE("empty groups: count and sum are 0, avg/min/max/median/pNN n/a EMPTY", "[metric]") {
  TempDir dir;
  const SourceDef deals = Source("deals", dir.Write("deals.csv", kDeals));
  std::vector<MetricDef> metrics = {
      Metric("open", "deals"), Amount("open_sum", Aggregation::kSum, "stage is open"),
      Amount("avg", Aggregation::kAvg), Amount("open_avg", Aggregation::kAvg, "stage is open"),
      Amount("open_min", Aggregation::kMin, "stage is open"),
      Amount("open_max", Aggregation::kMax, "stage is open"),
      Amount("open_median", Aggregation::kMedian, "stage is open")};
  metrics[0].where = "stage is open";
  for (MetricDef& m : metrics) m.by = {{"owner"}};
  const MetricRun run = Run({deals}, metrics);

  // Groups are every owner value of the rows: "" (deal 7), Alice, Bob, Carol (sorted bytes).
  // Open deals: 5 (Carol, 500) and 7 ("", 200).
  REQUIRE(Find(run, "open").groupings.size() == 1);
  CHECK(Find(run, "open").groupings[0].keys == std::vector<std::string>{"owner"});
  CHECK(Table(Find(run, "open").groupings[0]) ==
        std::vector<std::string>{" → 1", "Alice → 0", "Bob → 0", "Carol → 1"});
  CHECK(Table(Find(run, "open_sum").groupings[0]) ==
        std::vector<std::string>{" → 200", "Alice → 0", "Bob → 0", "Carol → 500"});
  CHECK(Table(Find(run, "open_avg").groupings[0]) ==
        std::vector<std::string>{" → 200", "Alice → n/a EMPTY", "Bob → n/a EMPTY",
                                 "Carol → 500"});
  CHECK(Table(Find(run, "open_min").groupings[0])[1] == "Alice → n/a EMPTY");
  CHECK(Table(Find(run, "open_max").groupings[0])[2] == "Bob → n/a EMPTY");
  CHECK(Table(Find(run, "open_median").groupings[0])[3] == "Carol → 500");
  // Bob's two amounts are missing (deal 3) and invalid (deal 4): avg n/a, both counted.
  const MetricCell& bob = Find(run, "avg").groupings[0].rows[2].second;
  CHECK(Str(bob) == "n/a EMPTY");
  CHECK(bob.n == 0);
  CHECK(Excluded(bob) == "missing_amount=1 invalid_amount=1");
  // Alice: (1000 + 3000 + 4000) / 3 = 2666.67.
  CHECK(Find(run, "avg").groupings[0].rows[1].second.value->ToDouble() ==
        Approx(8000.0 / 3.0));
  // Totals: open sum 200 + 500 = 700; the total's avg over all = 1740 (see above).
  CHECK(Str(Find(run, "open_sum").total) == "700");
}

TEST_CASE("count_distinct: composite keys are length-prefixed", "[metric]") {
  TempDir dir;
  // Keys (a, b): ("a,b", "c"), ("a", "b,c"), ("a,b", "c") again, ("x", "") with an empty part,
  // (" a,b ", "c") = ("a,b", "c") after trimming. Joined naively, "a,b" + "c" and "a" + "b,c"
  // would both be "a,b,c"; length-prefixed they are two keys → 2 distinct, n = 4, 1 missing.
  const SourceDef s = Source("deals", dir.Write("k.csv",
                                                "a,b\n"
                                                "\"a,b\",c\n"
                                                "a,\"b,c\"\n"
                                                "\"a,b\",c\n"
                                                "x,\n"
                                                "\" a,b \",c\n"));
  MetricDef pair = Metric("pairs", "deals", Aggregation::kCountDistinct);
  pair.columns = {"a", "b"};
  MetricDef single = Metric("as", "deals", Aggregation::kCountDistinct);
  single.columns = {"a"};  // "a,b", "a", "x" → 3
  const MetricRun run = Run({s}, {pair, single});
  CHECK(Str(Find(run, "pairs").total) == "2");
  CHECK(Find(run, "pairs").total.n == 4);
  CHECK(Excluded(Find(run, "pairs").total) == "missing_value=1");
  CHECK(Str(Find(run, "as").total) == "3");
  CHECK(Find(run, "as").total.n == 5);
}

TEST_CASE("count_distinct stays exact when a large set switches to a bitmap", "[metric]") {
  TempDir dir;
  // 6,000 rows: key k = i % 2,500 (each key 2 or 3 times), group g = i % 3. A set becomes a
  // bitmap past 1,024 keys when the ids are dense; the counts must not change. Per group: 2,000
  // rows, all with different keys (two rows of a group share a key only 7,500 apart) → 2,000.
  // Even rows: i % 2,500 is even for even i (2,500 is even) → the 1,250 even keys.
  std::string csv = "k,g,even\n";
  std::vector<std::set<int>> per_group(3);
  std::set<int> evens;
  for (int i = 0; i < 6000; ++i) {
    const int k = i % 2500;
    csv += fmt::format("key-{},{},{}\n", k, i % 3, i % 2);
    per_group[static_cast<std::size_t>(i % 3)].insert(k);
    if (i % 2 == 0) evens.insert(k);
  }
  const SourceDef s = Source("deals", dir.Write("many.csv", csv));
  MetricDef all = Metric("keys", "deals", Aggregation::kCountDistinct);
  all.columns = {"k"};
  all.by = {{"g"}};
  MetricDef even = Metric("even_keys", "deals", Aggregation::kCountDistinct);
  even.columns = {"k"};
  even.where = "even = 0";
  const MetricRun run = Run({s}, {all, even});
  CHECK(Str(Find(run, "keys").total) == "2500");
  CHECK(Find(run, "keys").total.n == 6000);
  const MetricGrouping& g = Find(run, "keys").groupings.at(0);
  REQUIRE(g.rows.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(Str(g.rows[i].second) == "2000");
    CHECK(per_group[i].size() == 2000);  // the brute force agrees with the comment
  }
  CHECK(Str(Find(run, "even_keys").total) == "1250");
  CHECK(evens.size() == 1250);
}

TEST_CASE("sla: met / (met + breached), pending unless already late at as-of", "[metric]") {
  TempDir dir;
  // within 2 days, as of 2024-01-20:
  //   1: 1 day → met; 2: exactly 2 days → met (<=); 3: 3 days → breached;
  //   4: no first touch, created 01-19 (1 day ago) → pending;
  //   5: no first touch, created 01-10 (10 days ago) → breached (late, still open);
  //   6: no created → missing_from; 7: touch before created → negative_duration.
  const SourceDef s = Source("deals", dir.Write("leads.csv",
                                                "id,created,first_touch\n"
                                                "1,2024-01-01,2024-01-02\n"
                                                "2,2024-01-01,2024-01-03\n"
                                                "3,2024-01-01,2024-01-04\n"
                                                "4,2024-01-19,\n"
                                                "5,2024-01-10,\n"
                                                "6,,2024-01-05\n"
                                                "7,2024-01-05,2024-01-04\n"));
  MetricDef m = Metric("sla", "deals", Aggregation::kSla);
  m.duration_from = "created";
  m.duration_to = "first_touch";
  m.within_seconds = 2 * 86400.0;
  const Seconds as_of = 1705708800;  // 2024-01-20T00:00:00Z
  const MetricRun run = RunMetrics({s}, {}, {m}, {}, "", as_of);
  const MetricCell& c = Find(run, "sla").total;
  CHECK(c.numerator->ToString() == "2");
  CHECK(c.denominator->ToString() == "4");
  CHECK(Str(c) == "0.5");
  CHECK(c.n == 4);
  CHECK(Excluded(c) == "missing_created=1 negative_duration=1 pending=1");
  // Without an as-of nothing unfinished can be judged late: rows 4 and 5 are pending.
  const MetricRun no_as_of = RunMetrics({s}, {}, {m}, {}, "");
  const MetricCell& p = Find(no_as_of, "sla").total;
  CHECK(p.denominator->ToString() == "3");
  CHECK(Str(p) == "0.6666666666666666");
  CHECK(Excluded(p) == "missing_created=1 negative_duration=1 pending=2");
}

TEST_CASE("durations in days and hours, exclusions, a negative one is warned", "[metric]") {
  TempDir dir;
  const SourceDef deals = Source("deals", dir.Write("deals.csv", kDeals));
  MetricDef p90 = Duration("p90", Aggregation::kPercentile, "stage is won");
  p90.percentile = 0.9;
  const MetricRun run = Run(
      {deals}, {Duration("median", Aggregation::kMedian, "stage is won"),
                Duration("avg", Aggregation::kAvg, "stage is won"), p90,
                Duration("sum_hours", Aggregation::kSum, "stage is won", DurationUnit::kHours),
                Duration("max_hours", Aggregation::kMax, "stage is won", DurationUnit::kHours),
                Duration("min", Aggregation::kMin), Duration("all_avg", Aggregation::kAvg),
                Duration("with_duration", Aggregation::kCount)});
  // Won deals 1, 2, 3, 6: cycles 10, 10, 30; deal 6 closed before it was created.
  const MetricCell& median = Find(run, "median").total;
  CHECK(median.value->ToDouble() == Approx(10.0));
  CHECK(median.n == 3);
  CHECK(Excluded(median) == "negative_duration=1");
  // (10 + 10 + 30) / 3 = 16.67
  CHECK(Find(run, "avg").total.value->ToDouble() == Approx(50.0 / 3.0));
  // h = 0.9 × 2 = 1.8 → 10 + 0.8 × (30 − 10) = 26 (the docs/kpis.md example)
  CHECK(Find(run, "p90").total.value->ToDouble() == Approx(26.0));
  // Hours: (10 + 10 + 30) × 24 = 1200; max 30 × 24 = 720.
  CHECK(Find(run, "sum_hours").total.value->ToDouble() == Approx(1200.0));
  CHECK_FALSE(Find(run, "sum_hours").total.value->fixed);
  CHECK(Find(run, "max_hours").total.value->ToDouble() == Approx(720.0));
  // All deals: 10, 10, 30, 10 (deal 4); deals 5 and 7 have no closed date; deal 6 negative.
  // min 10; avg (10 + 10 + 30 + 10) / 4 = 15.
  CHECK(Find(run, "min").total.value->ToDouble() == Approx(10.0));
  CHECK(Find(run, "all_avg").total.value->ToDouble() == Approx(15.0));
  CHECK(Excluded(Find(run, "all_avg").total) == "missing_closed=2 negative_duration=1");
  CHECK(Str(Find(run, "with_duration").total) == "4");
  // One warning for the one row, although 8 metrics saw it: deal 6, line 7, column of 'closed'
  // ("6,Alice,won,4000,2024-03-01," is 28 characters → column 29).
  const DataWarning* w = Warning(run, "negative_duration");
  REQUIRE(w != nullptr);
  CHECK(w->count == 1);
  CHECK(w->column == "closed_at");
  CHECK(w->first.line == 7);
  CHECK(w->first.column == 29);
  CHECK(w->sample == "2024-02-28");
}

TEST_CASE("exclusions are named after the role of their column, else generically", "[metric]") {
  TempDir dir;
  // 'score', 'start' and 'stop' play no role; 'amount', 'created_at' and 'closed_at' do.
  const SourceDef s = Source("deals", dir.Write("d.csv",
                                                "amount,score,created_at,closed_at,start,stop\n"
                                                "100,5,2024-01-01,2024-01-03,2024-01-01,2024-01-02\n"
                                                ",,,,,\n"
                                                "x,y,soon,later,soon,later\n"));
  MetricDef score = Metric("score_sum", "deals", Aggregation::kSum);
  score.columns = {"score"};
  MetricDef steps = Metric("steps", "deals", Aggregation::kSum);
  steps.duration_from = "start";
  steps.duration_to = "stop";
  MetricDef mixed = Metric("mixed", "deals", Aggregation::kSum);
  mixed.duration_from = "created";
  mixed.duration_to = "stop";
  const MetricRun run = Run({s}, {Amount("amount_sum", Aggregation::kSum), score,
                                  Duration("cycle", Aggregation::kSum), steps, mixed});
  CHECK(Excluded(Find(run, "amount_sum").total) == "missing_amount=1 invalid_amount=1");
  CHECK(Excluded(Find(run, "score_sum").total) == "missing_value=1 invalid_value=1");
  CHECK(Excluded(Find(run, "cycle").total) == "missing_created=1 invalid_created=1");
  CHECK(Excluded(Find(run, "steps").total) == "missing_from=1 invalid_from=1");
  CHECK(Excluded(Find(run, "mixed").total) == "missing_created=1 invalid_created=1");
}

TEST_CASE("optional metrics over a column that is not there are n/a MISSING_COLUMN", "[metric]") {
  TempDir dir;
  const SourceDef s = Source("deals", dir.Write("d.csv",
                                                "owner,stage\n"
                                                "Ann,won\n"
                                                "Bob,lost\n"
                                                "Ann,open\n"));
  MetricDef revenue = Amount("revenue", Aggregation::kSum, "stage is won");
  revenue.optional = true;
  revenue.by = {{"owner"}};
  MetricDef cycle = Duration("cycle", Aggregation::kMedian, "stage is won");
  cycle.optional = true;
  cycle.by = {{"owner"}};
  MetricDef won = Metric("won", "deals");
  won.where = "stage is won";
  won.by = {{"owner"}};
  const MetricRun run = Run({s}, {revenue, cycle, won});
  for (const char* id : {"revenue", "cycle"}) {
    const MetricResult& r = Find(run, id);
    CHECK_FALSE(r.total.value);
    CHECK(r.total.reason == "MISSING_COLUMN");
    CHECK(r.total.n == 0);
    CHECK(r.total.excluded.empty());
    REQUIRE(r.groupings.size() == 1);
    REQUIRE(r.groupings[0].rows.size() == 2);  // Ann, Bob: the groups exist, n/a in each
    for (const auto& [values, cell] : r.groupings[0].rows) CHECK(cell.reason == "MISSING_COLUMN");
  }
  CHECK(Str(Find(run, "won").total) == "1");
  // Without `optional`, the same metric is a configuration error naming the column.
  MetricDef strict = Amount("strict", Aggregation::kSum);
  CHECK_THROWS_WITH(Run({s}, {strict}), Catch::Contains("unknown column 'amount'"));
}

TEST_CASE("avg carries its population: numerator the sum, denominator n", "[metric]") {
  TempDir dir;
  const SourceDef s = Source("deals", dir.Write("d.csv",
                                                "amount,created_at,closed_at\n"
                                                "100.5,2024-01-01,2024-01-03\n"
                                                "200,2024-01-01,2024-01-02\n"
                                                ",,\n"));
  MetricDef none = Amount("none", Aggregation::kAvg, "amount > 1000");
  const MetricRun run = Run({s}, {Amount("avg", Aggregation::kAvg),
                                  Duration("days", Aggregation::kAvg), none});
  const MetricCell& avg = Find(run, "avg").total;
  // (100.5 + 200) / 2 = 150.25; the sum stays exact fixed point.
  CHECK(avg.value->ToDouble() == Approx(150.25));
  CHECK(avg.numerator->fixed);
  CHECK(avg.numerator->ToString() == "300.5");
  CHECK(avg.denominator->ToString() == "2");
  CHECK(avg.n == 2);
  const MetricCell& days = Find(run, "days").total;  // (2 + 1) / 2 days
  CHECK(days.value->ToDouble() == Approx(1.5));
  CHECK(days.numerator->ToDouble() == Approx(3.0));
  CHECK(days.denominator->ToString() == "2");
  // Over no values: n/a EMPTY, with 0 / 0 as its population.
  const MetricCell& empty = Find(run, "none").total;
  CHECK_FALSE(empty.value);
  CHECK(empty.reason == "EMPTY");
  CHECK(empty.numerator->ToString() == "0");
  CHECK(empty.denominator->ToString() == "0");
}

TEST_CASE("a date-only value beside a date-time: whole calendar days in the data's zone",
          "[metric]") {
  TempDir dir;
  // Salesforce: CloseDate a date, CreatedDate a date-time. Won the day it was created: 0 days
  // (not -10 h, excluded). The next day, whatever the times: 1 day. Both date-times: exact.
  const SourceDef s = Source("deals", dir.Write("d.csv",
                                                "created_at,closed_at\n"
                                                "2023-03-01T10:15:00.000Z,2023-03-01\n"
                                                "2023-03-01T23:59:00Z,2023-03-02\n"
                                                "2023-03-02,2023-03-01T10:00:00Z\n"
                                                "2023-03-01 06:00,2023-03-01 18:00\n"));
  const MetricRun run = Run({s}, {Duration("days", Aggregation::kSum)});
  CHECK(Find(run, "days").total.value->ToDouble() == Approx(0 + 1 + 0.5));
  CHECK(Find(run, "days").total.n == 3);
  CHECK(Excluded(Find(run, "days").total) == "negative_duration=1");  // closed the day before
  // In Tokyo, 2023-03-01T23:59Z is already 2023-03-02: the same day as the close, 0 days.
  SourceDef tokyo = s;
  tokyo.tz = "Asia/Tokyo";
  const MetricRun t = Run({tokyo}, {Duration("days", Aggregation::kSum)});
  CHECK(Find(t, "days").total.value->ToDouble() == Approx(0 + 0 + 0.5));
}

TEST_CASE("duration exclusions in order: from missing/invalid, to missing/invalid", "[metric]") {
  TempDir dir;
  // Row 1: 2024-01-01 00:00 → 2024-01-01 06:00 = 6 h = 0.25 days (fractional, not rounded;
  // both ends have a time).
  // Rows 2–6: missing_from (to invalid too: the first reason wins), invalid_from, missing_to,
  // invalid_to, negative (1 h back).
  const SourceDef s = Source("deals", dir.Write("d.csv",
                                                "created_at,closed_at\n"
                                                "2024-01-01 00:00,2024-01-01 06:00\n"
                                                ",later\n"
                                                "soon,2024-01-02\n"
                                                "2024-01-01,\n"
                                                "2024-01-01,later\n"
                                                "2024-01-01 01:00,2024-01-01 00:00\n"));
  const MetricRun run = Run({s}, {Duration("days", Aggregation::kSum),
                                  Duration("hours", Aggregation::kSum, "", DurationUnit::kHours)});
  CHECK(Find(run, "days").total.value->ToDouble() == Approx(0.25));
  CHECK(Find(run, "hours").total.value->ToDouble() == Approx(6.0));
  CHECK(Find(run, "days").total.n == 1);
  CHECK(Excluded(Find(run, "days").total) ==
        "missing_created=1 invalid_created=1 missing_closed=1 invalid_closed=1 negative_duration=1");
  // Invalid dates are warned about per column: 'soon' (created), 'later' twice (closed).
  const DataWarning* w = Warning(run, "invalid_date");
  REQUIRE(w != nullptr);
  CHECK(w->column == "closed_at");  // row 2's 'later' is the first invalid date read
  CHECK(w->count == 2);
}

TEST_CASE("periods: ISO week across a year boundary, month, quarter, year", "[metric]") {
  CHECK(FormatPeriod(Period::kWeek, date::year{2024} / 12 / 30) == "2025-W01");
  CHECK(FormatPeriod(Period::kWeek, date::year{2024} / 12 / 29) == "2024-W52");
  CHECK(FormatPeriod(Period::kWeek, date::year{2021} / 1 / 3) == "2020-W53");
  CHECK(FormatPeriod(Period::kWeek, date::year{2024} / 3 / 1) == "2024-W09");
  CHECK(FormatPeriod(Period::kMonth, date::year{2024} / 3 / 1) == "2024-03");
  CHECK(FormatPeriod(Period::kQuarter, date::year{2024} / 12 / 31) == "2024-Q4");
  CHECK(FormatPeriod(Period::kYear, date::year{2024} / 3 / 1) == "2024");

  TempDir dir;
  // Closed dates and their periods:
  //   2024-12-30 (Monday)  → 2025-W01, 2024-12, 2024-Q4, 2024
  //   2024-12-29 (Sunday)  → 2024-W52, 2024-12, 2024-Q4, 2024
  //   2025-01-01           → 2025-W01, 2025-01, 2025-Q1, 2025
  //   2024-03-01 (Friday)  → 2024-W09 (its Thursday is Feb 29, day 60: (60 − 1) / 7 + 1 = 9)
  //   (empty)              → ""
  //   2021-01-03 (Sunday)  → 2020-W53 (2020 has 53 ISO weeks)
  //   2024-06-30T23:30:00Z → UTC: 2024-06 / 2024-Q2; in Asia/Tokyo (UTC+9) 2024-07-01: 2024-07
  const std::string path = dir.Write("p.csv",
                                     "id,stage,closed_at,amount\n"
                                     "1,won,2024-12-30,10\n"
                                     "2,won,2024-12-29,20\n"
                                     "3,won,2025-01-01,30\n"
                                     "4,won,2024-03-01,40\n"
                                     "5,won,,50\n"
                                     "6,won,2021-01-03,60\n"
                                     "7,won,2024-06-30T23:30:00Z,70\n");
  const SourceDef s = Source("deals", path);
  MetricDef week = Amount("week", Aggregation::kSum);
  week.period = Period::kWeek;
  week.period_of = "closed";
  MetricDef month = Metric("month", "deals");
  month.period = Period::kMonth;  // period_of defaults to the closed role
  MetricDef quarter = Metric("quarter", "deals");
  quarter.period = Period::kQuarter;
  quarter.period_of = "closed";
  MetricDef year = Metric("year", "deals");
  year.period = Period::kYear;
  year.period_of = "closed";
  const MetricRun run = Run({s}, {week, month, quarter, year});

  REQUIRE(Find(run, "week").groupings.size() == 1);
  CHECK(Find(run, "week").groupings[0].keys == std::vector<std::string>{"period"});
  // 2025-W01: 10 + 30 = 40; 2024-W26: 2024-06-30 is a Sunday → week 26 (Thursday June 27, day
  // 31 + 29 + 31 + 30 + 31 + 27 = 179: (179 − 1) / 7 + 1 = 26).
  CHECK(Table(Find(run, "week").groupings[0]) ==
        std::vector<std::string>{" → 50", "2020-W53 → 60", "2024-W09 → 40", "2024-W26 → 70",
                                 "2024-W52 → 20", "2025-W01 → 40"});
  CHECK(Table(Find(run, "month").groupings[0]) ==
        std::vector<std::string>{" → 1", "2021-01 → 1", "2024-03 → 1", "2024-06 → 1",
                                 "2024-12 → 2", "2025-01 → 1"});
  CHECK(Table(Find(run, "quarter").groupings[0]) ==
        std::vector<std::string>{" → 1", "2021-Q1 → 1", "2024-Q1 → 1", "2024-Q2 → 1",
                                 "2024-Q4 → 2", "2025-Q1 → 1"});
  CHECK(Table(Find(run, "year").groupings[0]) ==
        std::vector<std::string>{" → 1", "2021 → 1", "2024 → 4", "2025 → 1"});

  // The source's tz decides the calendar date: deal 7 falls in July in Tokyo.
  SourceDef tokyo = s;
  tokyo.tz = "Asia/Tokyo";
  const MetricRun t = Run({tokyo}, {month});
  CHECK(Table(Find(t, "month").groupings[0])[3] == "2024-07 → 1");
  // ... and so does the [crmkpi] tz when the source sets none.
  const MetricRun d = Run({s}, {month}, {}, "Asia/Tokyo");
  CHECK(Table(Find(d, "month").groupings[0])[3] == "2024-07 → 1");

  // A first row without a date, then the same month twice, an invalid date, another month:
  // "" = rows 1 and 4 (invalid is no date), 2024-03 = rows 2, 3, 2024-04 = row 5.
  const SourceDef first_empty = Source("deals", dir.Write("e.csv",
                                                          "closed_at,id\n"
                                                          ",1\n"
                                                          "2024-03-05,2\n"
                                                          "2024-03-06,3\n"
                                                          "someday,4\n"
                                                          "2024-04-01,5\n"));
  const MetricRun e = Run({first_empty}, {month});
  CHECK(Table(Find(e, "month").groupings[0]) ==
        std::vector<std::string>{" → 2", "2024-03 → 2", "2024-04 → 1"});
}

TEST_CASE("by + period: a period table and a by table with period", "[metric]") {
  TempDir dir;
  const SourceDef deals = Source("deals", dir.Write("deals.csv", kDeals));
  MetricDef won = Metric("won", "deals");
  won.where = "stage is won";
  won.by = {{"owner"}, {"owner", "stage"}};
  won.period = Period::kMonth;
  won.period_of = "closed";
  MetricDef all = Metric("all", "deals");  // same (by, period): shares the group tables
  all.by = {{"owner"}};
  all.period = Period::kMonth;
  all.period_of = "closed";
  const MetricRun run = Run({deals}, {won, all});
  const MetricResult& r = Find(run, "won");
  CHECK(Str(r.total) == "4");
  REQUIRE(r.groupings.size() == 3);
  CHECK(r.groupings[0].keys == std::vector<std::string>{"period"});
  CHECK(r.groupings[1].keys == std::vector<std::string>{"owner", "period"});
  CHECK(r.groupings[2].keys == std::vector<std::string>{"owner", "stage", "period"});
  // Closed months: deal 1, 2 → 2024-01 (won); 3 → 2024-03 (won); 4 → 2024-02 (lost);
  // 5, 7 → "" (open, no closed date); 6 → 2024-02 (won).
  CHECK(Table(r.groupings[0]) ==
        std::vector<std::string>{" → 0", "2024-01 → 2", "2024-02 → 1", "2024-03 → 1"});
  CHECK(Table(r.groupings[1]) ==
        std::vector<std::string>{"| → 0", "Alice|2024-01 → 2", "Alice|2024-02 → 1",
                                 "Bob|2024-02 → 0", "Bob|2024-03 → 1", "Carol| → 0"});
  CHECK(Table(r.groupings[2]) ==
        std::vector<std::string>{"|open| → 0", "Alice|won|2024-01 → 2", "Alice|won|2024-02 → 1",
                                 "Bob|lost|2024-02 → 0", "Bob|won|2024-03 → 1",
                                 "Carol|open| → 0"});
  CHECK(Table(Find(run, "all").groupings[1]) ==
        std::vector<std::string>{"| → 1", "Alice|2024-01 → 2", "Alice|2024-02 → 1",
                                 "Bob|2024-02 → 1", "Bob|2024-03 → 1", "Carol| → 1"});
}

TEST_CASE("the source filter applies before every metric and is counted", "[metric]") {
  TempDir dir;
  SourceDef deals = Source("deals", dir.Write("deals.csv", kDeals));
  deals.filter = "owner != 'Bob'";
  deals.filter_loc = {"kpi.ini", 6, 10};
  MetricDef by = Metric("by_owner", "deals");
  by.by = {{"owner"}};
  const MetricRun run = Run({deals}, {Metric("deals", "deals"), Amount("sum", Aggregation::kSum),
                                      by});
  // Out: deals 3 and 4 (Bob) and 7 (no owner: missing satisfies no '!='). In: 1, 2, 5, 6.
  CHECK(Str(Find(run, "deals").total) == "4");
  CHECK(run.sources[0].rows == 7);
  CHECK(run.sources[0].filtered_out == 3);
  // 1000 + 3000 + 500 + 4000 = 8500; the invalid amount of deal 4 is not even read.
  CHECK(Str(Find(run, "sum").total) == "8500");
  CHECK(Find(run, "sum").total.excluded.empty());
  CHECK(Warning(run, "invalid_amount") == nullptr);
  // Filtered rows make no groups.
  CHECK(Table(Find(run, "by_owner").groupings[0]) ==
        std::vector<std::string>{"Alice → 3", "Carol → 1"});

  // A filter error is located in the filter text: "owner ! 'x'", '!' at offset 6 → 6:16.
  deals.filter = "owner ! 'x'";
  const Error e = ErrorOf([&] { Run({deals}, {Metric("deals", "deals")}); });
  CHECK(e.Formatted() == "kpi.ini:6:16: unexpected '!' (write != for 'not equal', or not ...)");
}

TEST_CASE("field-count mismatch: an input error, or skipped and counted when lenient",
          "[metric]") {
  TempDir dir;
  const std::string path = dir.Write("short.csv",
                                     "a,b,c\n"
                                     "1,2,3\n"
                                     "4,5\n"
                                     "6,7,8\n");
  SourceDef s = Source("deals", path);
  // Line 3 "4,5" has 2 fields; the missing third would start at column 4.
  const Error e = ErrorOf([&] { Run({s}, {Metric("n", "deals")}); });
  CHECK(e.code() == ExitCode::kInput);
  CHECK(e.message() ==
        "record has 2 fields but the header has 3: 'c' (field 3) is missing; set lenient = "
        "true in [source deals] to skip such rows");
  CHECK(e.loc().file == path);
  CHECK(e.loc().line == 3);
  CHECK(e.loc().column == 4);

  s.lenient = true;
  const MetricRun run = Run({s}, {Metric("n", "deals")});
  CHECK(Str(Find(run, "n").total) == "2");  // rows 1 and 3
  CHECK(run.sources[0].rows == 2);
  CHECK(run.sources[0].skipped_rows == 1);
  const DataWarning* w = Warning(run, "skipped_row");
  REQUIRE(w != nullptr);
  CHECK(w->count == 1);
  CHECK(w->first.line == 3);
}

TEST_CASE("lookups: first/last keep one row per key of an event log (first sales touch)",
          "[metric]") {
  TempDir dir;
  // Activities (many per lead, in any order). first = at keeps each lead's earliest row:
  //   L1: 01-03 10:00 (call), 01-02 09:00 (mail) → 01-02 09:00; L2: 01-05 (visit) only;
  //   L3: a row without a date (left out) and 01-20 → 01-20; L4 none.
  const std::string activities = dir.Write("acts.csv",
                                           "lead,at,kind\n"
                                           "L1,2024-01-03 10:00,call\n"
                                           "L1,2024-01-02 09:00,mail\n"
                                           "L2,2024-01-05 12:00,visit\n"
                                           "L3,,note\n"
                                           "L3,2024-01-20 08:00,call\n");
  const SourceDef leads = Source("leads", dir.Write("leads.csv",
                                                    "id,created\n"
                                                    "L1,2024-01-01 09:00\n"
                                                    "L2,2024-01-01 12:00\n"
                                                    "L3,2024-01-10 08:00\n"
                                                    "L4,2024-01-18 00:00\n"));
  LookupDef l;
  l.id = "touch";
  l.loc = {"kpi.ini", 20, 1};
  l.file = activities;
  l.key = "lead";
  l.source = "leads";
  l.on = "id";
  l.first = "at";
  // Hours to first touch: L1 24 (met), L2 96 (breached), L3 240 (breached); L4 no touch: at
  // as-of 2024-01-20 00:00 it is 48 h old, past 24 h → breached (late, still open).
  MetricDef sla = Metric("sla", "leads", Aggregation::kSla);
  sla.duration_from = "created";
  sla.duration_to = "touch.at";
  sla.within_seconds = 24 * 3600.0;
  MetricDef kinds = Metric("kinds", "leads", Aggregation::kCountDistinct);
  kinds.columns = {"touch.kind"};  // mail, visit, call (the kept rows' columns)
  const MetricRun run = RunMetrics({leads}, {l}, {sla, kinds}, {}, "", Seconds{1705708800});
  const MetricCell& c = Find(run, "sla").total;
  CHECK(c.numerator->ToString() == "1");
  CHECK(c.denominator->ToString() == "4");
  CHECK(Str(Find(run, "kinds").total) == "3");

  SECTION("last = at keeps the latest row instead") {
    l.first.clear();
    l.last = "at";
    MetricDef last_kind = Metric("last_kind", "leads");
    last_kind.where = "touch.kind = 'call'";  // L1's latest is the call, L2 visit, L3 call
    const MetricRun r = RunMetrics({leads}, {l}, {last_kind}, {}, "");
    CHECK(Str(Find(r, "last_kind").total) == "2");
  }
  SECTION("without first/last, a duplicate key is an error that suggests them") {
    l.first.clear();
    CHECK_THROWS_WITH(RunMetrics({leads}, {l}, {kinds}, {}, ""),
                      Catch::Contains("keep one row per key with first = DATE_COLUMN"));
  }
}

TEST_CASE("lookups: joined columns in by, where and values, misses counted", "[metric]") {
  TempDir dir;
  const std::string regions = dir.Write("regions.csv",
                                        "code,name,manager\n"
                                        "EU,Europe,Anna\n"
                                        "US ,Americas,Ben\n");
  const SourceDef acc = Source("acc", dir.Write("acc.csv",
                                                "account,region,revenue\n"
                                                "A1,EU,100\n"
                                                "A2, US,200\n"
                                                "A3,EU,300\n"
                                                "A4,XX,400\n"
                                                "A5,,500\n"
                                                "A6,XX,600\n"));
  LookupDef l;
  l.id = "region";
  l.loc = {"kpi.ini", 20, 1};
  l.file = regions;
  l.key = "code";
  l.source = "acc";
  l.on = "region";
  l.on_loc = {"kpi.ini", 24, 6};

  MetricDef by_region = Metric("revenue", "acc", Aggregation::kSum);
  by_region.columns = {"revenue"};
  by_region.by = {{"region.name"}};
  MetricDef anna = Metric("anna", "acc");
  anna.where = "region.manager = 'Anna'";
  MetricDef managers = Metric("managers", "acc", Aggregation::kCountDistinct);
  managers.columns = {"region.manager"};
  const MetricRun run = Run({acc}, {by_region, anna, managers}, {l});
  // Keys are trimmed on both sides (" US" = "US "). A4 and A6 (XX) are misses, A5 has no key:
  // their lookup values are empty. Revenue by region.name: "" = 400 + 500 + 600 = 1500,
  // Americas = 200, Europe = 100 + 300 = 400.
  CHECK(Table(Find(run, "revenue").groupings[0]) ==
        std::vector<std::string>{" → 1500", "Americas → 200", "Europe → 400"});
  CHECK(Find(run, "revenue").groupings[0].keys == std::vector<std::string>{"region.name"});
  CHECK(Str(Find(run, "anna").total) == "2");  // A1, A3
  // Anna, Ben; three rows without a manager.
  CHECK(Str(Find(run, "managers").total) == "2");
  CHECK(Excluded(Find(run, "managers").total) == "missing_value=3");
  // Two misses (A4 line 5, A6); the empty key of A5 is missing, not a miss.
  const DataWarning* w = Warning(run, "lookup_miss");
  REQUIRE(w != nullptr);
  CHECK(w->count == 2);
  CHECK(w->column == "region");
  CHECK(w->first.line == 5);
  CHECK(w->first.column == 4);  // "A4," → the region field starts at column 4
  CHECK(w->sample == "XX");

  // A key listed twice is an input error naming both lines (2 and 4), located at the second.
  LookupDef dup = l;
  dup.file = dir.Write("dup.csv", "code,name\nEU,Europe\nUS,Americas\n EU ,Europa\n");
  const Error e = ErrorOf([&] { Run({acc}, {anna}, {dup}); });
  CHECK(e.code() == ExitCode::kInput);
  CHECK(e.message() == "lookup 'region': duplicate key 'EU' in column 'code' at lines 2 and 4 (for an event "
                       "log, keep one row per key with first = DATE_COLUMN or last = DATE_COLUMN)");
  CHECK(e.loc().line == 4);
  CHECK(e.loc().column == 1);

  // An unknown `on` column is a usage error at its INI location.
  LookupDef bad_on = l;
  bad_on.on = "regio";
  const Error u = ErrorOf([&] { Run({acc}, {anna}, {bad_on}); });
  CHECK(u.code() == ExitCode::kUsage);
  CHECK(u.loc().line == 24);
  CHECK(u.loc().column == 6);
  CHECK_THAT(u.message(), Catch::StartsWith("lookup 'region': unknown column 'regio' in on"));
}

TEST_CASE("errors: unknown columns at the metric's INI location, unreadable files", "[metric]") {
  TempDir dir;
  const std::string path = dir.Write("deals.csv", kDeals);
  const SourceDef deals = Source("deals", path);
  const std::string columns =
      "(source 'deals' in " + path +
      ": the header has 'id', 'owner', 'stage', 'amount', 'created_at', 'closed_at'; roles: id, "
      "stage, amount, owner, created, closed)";

  MetricDef bad = Amount("revenue", Aggregation::kSum);
  bad.columns = {"amnt"};
  Error e = ErrorOf([&] { Run({deals}, {bad}); });
  CHECK(e.code() == ExitCode::kUsage);
  CHECK(e.Formatted() == "kpi.ini:12:10: metric 'revenue': unknown column 'amnt' in column " +
                             columns);

  MetricDef by = Metric("n", "deals");
  by.by = {{"owner", "regionn"}};
  e = ErrorOf([&] { Run({deals}, {by}); });
  CHECK(e.Formatted() == "kpi.ini:14:6: metric 'n': unknown column 'regionn' in by " + columns);

  MetricDef period = Metric("n", "deals");
  period.period = Period::kMonth;
  period.period_of = "won_at";
  e = ErrorOf([&] { Run({deals}, {period}); });
  CHECK(e.Formatted() == "kpi.ini:15:10: metric 'n': unknown column 'won_at' in period_of " +
                             columns);

  MetricDef duration = Duration("cycle", Aggregation::kAvg);
  duration.duration_to = "closed_on";
  e = ErrorOf([&] { Run({deals}, {duration}); });
  CHECK(e.Formatted() == "kpi.ini:12:10: metric 'cycle': unknown column 'closed_on' in "
                         "duration " + columns);

  // In a where: at the operand's column inside the text (where starts at 13:9; "stage is won
  // and " is 17 characters → column 26).
  MetricDef where = Metric("n", "deals");
  where.where = "stage is won and ownr = 'x'";
  e = ErrorOf([&] { Run({deals}, {where}); });
  CHECK(e.Formatted() ==
        "kpi.ini:13:26: unknown column 'ownr' in where (the header has 'id', 'owner', 'stage', "
        "'amount', 'created_at', 'closed_at'; roles: id, stage, amount, owner, created, closed)");

  MetricDef unknown_source = Metric("n", "leads");
  e = ErrorOf([&] { Run({deals}, {unknown_source}); });
  CHECK(e.Formatted() == "kpi.ini:10:1: metric 'n': unknown source 'leads' (sources: deals)");

  MetricDef sum_without_column = Metric("s", "deals", Aggregation::kSum);
  e = ErrorOf([&] { Run({deals}, {sum_without_column}); });
  CHECK(e.Formatted() == "kpi.ini:12:10: metric 's': this aggregation needs one numeric column, "
                         "a value = … or a duration = FROM..TO");

  const SourceDef missing = Source("deals", path + ".nope");
  e = ErrorOf([&] { Run({missing}, {Metric("n", "deals")}); });
  CHECK(e.code() == ExitCode::kInput);

  // --source overrides the file; an unknown id is a usage error.
  const std::string other = dir.Write("other.csv", "id\n1\n2\n");
  const MetricRun run = RunMetrics({missing}, {}, {Metric("n", "deals")}, {{"deals", other}}, "");
  CHECK(Str(Find(run, "n").total) == "2");
  CHECK(run.sources[0].file == other);
  e = ErrorOf([&] { RunMetrics({deals}, {}, {Metric("n", "deals")}, {{"dealz", other}}, ""); });
  CHECK(e.code() == ExitCode::kUsage);
  CHECK(e.message() == "--source dealz=" + other + ": no source or lookup 'dealz' (sources: deals)");
}

TEST_CASE("sources without metrics are not read, stage config and reached", "[metric]") {
  TempDir dir;
  const SourceDef unused = Source("unused", dir.Write("none.csv.missing", "x\n"));
  SourceDef deals = Source("deals", dir.Write("s.csv",
                                              "stage,amount\n"
                                              "Lead,1\n"
                                              "Qualified,2\n"
                                              "Proposal,3\n"
                                              "Signed,4\n"
                                              "Dropped,5\n"
                                              "Other,6\n"));
  deals.stages.won = {"Signed"};
  deals.stages.lost = {"Dropped"};
  deals.stages.order = {"Lead", "Qualified", "Proposal"};
  fs::remove(unused.file);  // would be an input error if it were opened
  MetricDef reached = Amount("reached", Aggregation::kSum, "stage reached qualified");
  MetricDef won = Amount("won", Aggregation::kSum, "stage is won");
  MetricDef closed = Amount("closed", Aggregation::kSum, "stage is closed");
  const MetricRun run = Run({unused, deals}, {reached, won, closed});
  // Reached Qualified: Qualified 2 + Proposal 3 + Signed (won) 4 = 9; Dropped (lost, policy
  // exclude) and Other (not in the order) are not.
  CHECK(Str(Find(run, "reached").total) == "9");
  CHECK(Str(Find(run, "won").total) == "4");
  CHECK(Str(Find(run, "closed").total) == "9");  // 4 + 5
  REQUIRE(run.sources.size() == 1);
  CHECK(run.sources[0].id == "deals");

  deals.stages.lost_reached = LostReached::kOpportunity;
  const MetricRun opp = Run({deals}, {reached});
  CHECK(Str(Find(opp, "reached").total) == "14");  // 9 + Dropped 5
}

namespace {

// km_median over created..closed, censored = stage is open, as of 2024-01-31T00:00:00Z.
//   row  owner stage  created     closed      →
//    1   A     won    2024-01-01  2024-01-03  event 2
//    2   A     lost   2024-01-01  2024-01-05  event 4
//    3   B     won    2024-01-02  2024-01-06  event 4
//    4   B     open   2024-01-27              censored at 4 (Jan 31 − Jan 27)
//    5   A     open   2024-01-21              censored at 10
//    6   B     won    2024-01-01  2024-01-11  event 10
//    7   A     open   2024-02-05              created_after_as_of (from_after_as_of: created is a role)
//    8   A     won                2024-01-05  missing_created
//    9   B     open   soon                    invalid_created
//   10   A     won    2024-01-01              missing_to
//   11   B     lost   2024-01-03  later       invalid_to
//   12   A     won    2024-01-09  2024-01-08  negative_duration
//   13   B     open   2024-01-01  2024-01-02  censored at 30 (its closed date is not read)
// Total: events 2, 4, 4, 10; censored 4, 10, 30; n = 7.
//   t = 2:  r = 7, d = 1 → S = 6/7
//   t = 4:  r = 6 (4, 4, 4c, 10, 10c, 30c; censored at 4 is still at risk), d = 2
//           → S = 6/7 · 4/6 = 4/7 ≈ 0.571
//   t = 10: r = 3 (10, 10c, 30c), d = 1 → S = 4/7 · 2/3 = 8/21 ≈ 0.381 <= 0.5 → median 10.
// Owner A: events 2, 4; censored 10; n = 3: S(2) = 2/3, S(4) = 1/3 → median 4.
// Owner B: events 4, 10; censored 4, 30; n = 4: S(4) = 3/4 (r = 4), S(10) = 3/4 · 1/2 = 3/8
//   (r = 2) → median 10.
const char* kKmDeals =
    "id,owner,stage,created,closed\n"
    "1,A,won,2024-01-01,2024-01-03\n"
    "2,A,lost,2024-01-01,2024-01-05\n"
    "3,B,won,2024-01-02,2024-01-06\n"
    "4,B,open,2024-01-27,\n"
    "5,A,open,2024-01-21,\n"
    "6,B,won,2024-01-01,2024-01-11\n"
    "7,A,open,2024-02-05,\n"
    "8,A,won,,2024-01-05\n"
    "9,B,open,soon,\n"
    "10,A,won,2024-01-01,\n"
    "11,B,lost,2024-01-03,later\n"
    "12,A,won,2024-01-09,2024-01-08\n"
    "13,B,open,2024-01-01,2024-01-02\n";
constexpr Seconds kKmAsOf = 1706659200;  // 2024-01-31T00:00:00Z

MetricDef KmMedian(const std::string& id, const std::string& where = "",
                   DurationUnit unit = DurationUnit::kDays) {
  MetricDef m = Duration(id, Aggregation::kKmMedian, where, unit);
  m.censored = "stage is open";
  m.censored_loc = {"kpi.ini", 16, 12};
  return m;
}

// "value n=… censored=… excluded" of a km_median cell.
std::string Km(const MetricCell& c) {
  return Str(c) + " n=" + std::to_string(c.n) +
         " censored=" + (c.censored ? std::to_string(*c.censored) : "-") + " " + Excluded(c);
}

}  // namespace

TEST_CASE("km_median: events, censored at as-of, exclusions, by owner, in parallel",
          "[metric][km]") {
  TempDir dir;
  const SourceDef s = Source("deals", dir.Write("km.csv", kKmDeals));
  MetricDef km = KmMedian("km");
  km.by = {{"owner"}};
  MetricDef hours = KmMedian("hours", "", DurationUnit::kHours);
  // Only open rows: every observation censored (4, 10, 30), S stays 1 → ALL_CENSORED.
  MetricDef open = KmMedian("open", "stage is open");
  MetricDef none = KmMedian("none", "owner = 'Z'");  // no row → EMPTY
  MetricDef median = Duration("median", Aggregation::kMedian);  // shares the duration
  for (unsigned threads : {1u, 3u}) {
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 64;  // a few rows per chunk
    const MetricRun run =
        RunMetrics({s}, {}, {km, hours, open, none, median}, {}, "", kKmAsOf, parallel);
    INFO("threads " << threads);
    const std::string excluded =
        "missing_created=1 invalid_created=1 missing_to=1 invalid_to=1 negative_duration=1 "
        "created_after_as_of=1";
    CHECK(Km(Find(run, "km").total) == "10 n=7 censored=3 " + excluded);
    CHECK(Km(Find(run, "hours").total) == "240 n=7 censored=3 " + excluded);
    REQUIRE(Find(run, "km").groupings.size() == 1);
    const MetricGrouping& g = Find(run, "km").groupings[0];
    REQUIRE(g.rows.size() == 2);
    CHECK(Km(g.rows[0].second) ==
          "4 n=3 censored=1 missing_created=1 missing_to=1 negative_duration=1 "
          "created_after_as_of=1");
    CHECK(Km(g.rows[1].second) == "10 n=4 censored=2 invalid_created=1 invalid_to=1");
    CHECK(Km(Find(run, "open").total) ==
          "n/a ALL_CENSORED n=3 censored=3 invalid_created=1 created_after_as_of=1");
    CHECK(Km(Find(run, "none").total) == "n/a EMPTY n=0 censored=0 ");
    // The plain median of the same durations still sees every valid one: closed rows 2, 4, 4,
    // 10 and row 13's 1 → 1, 2, 4, 4, 10 → 4 (open rows without a closed date: missing_to).
    CHECK(Str(Find(run, "median").total) == "4");
  }
  // Without an as-of the censoring times are unknown: n/a NO_AS_OF, exclusions still counted.
  const MetricRun no_as_of = RunMetrics({s}, {}, {km}, {}, "");
  CHECK(Km(Find(no_as_of, "km").total) ==
        "n/a NO_AS_OF n=0 censored=- missing_created=1 invalid_created=1 missing_to=1 invalid_to=1 "
        "negative_duration=1");
}

TEST_CASE("km_median: the censored condition is checked like a where", "[metric][km]") {
  TempDir dir;
  const SourceDef s = Source("deals", dir.Write("km.csv", kKmDeals));
  MetricDef km = KmMedian("km");
  km.censored = "nosuch is empty";
  const Error e = ErrorOf([&] { RunMetrics({s}, {}, {km}, {}, "", kKmAsOf); });
  CHECK(e.code() == ExitCode::kUsage);
  CHECK(std::string(e.what()).find("nosuch") != std::string::npos);
}

namespace {

// reached: order Lead < Qualified < Proposal, won Signed, lost Dropped.
//   row owner stage      class            reached Qualified (index 1)
//    1  A     Lead       open, index 0    no
//    2  A     Qualified  open, index 1    yes
//    3  B     Proposal   open, index 2    yes
//    4  B     Signed     won              yes
//    5  C     Dropped    lost             exclude: lost_stage_unknown; opportunity: yes; lead: no
//    6  C     Other      open, not in it  stage_not_in_order
//    7  A     lead       open, index 0    no (stages compare in normal form)
SourceDef ReachedSource(const TempDir& dir, LostReached policy) {
  SourceDef s = Source("deals", dir.Write("reached.csv",
                                          "id,owner,stage\n"
                                          "1,A,Lead\n"
                                          "2,A,Qualified\n"
                                          "3,B,Proposal\n"
                                          "4,B,Signed\n"
                                          "5,C,Dropped\n"
                                          "6,C,Other\n"
                                          "7,A,lead\n"));
  s.stages.won = {"Signed"};
  s.stages.lost = {"Dropped"};
  s.stages.order = {"Lead", "Qualified", "Proposal"};
  s.stages.lost_reached = policy;
  return s;
}

MetricDef ReachedMetric(const std::string& id, const std::string& stage) {
  MetricDef m = Metric(id, "deals", Aggregation::kReached);
  m.stage = stage;
  m.stage_loc = {"kpi.ini", 17, 9};
  return m;
}

// "value yes/den n excluded" of a reached cell.
std::string Share(const MetricCell& c) {
  return Str(c) + " " + c.numerator->ToString() + "/" + c.denominator->ToString() +
         " n=" + std::to_string(c.n) + " " + Excluded(c);
}

}  // namespace

TEST_CASE("reached: won, lost by policy, open by stage order, not in the order", "[metric]") {
  TempDir dir;
  MetricDef reached = ReachedMetric("reached", "qualified");
  reached.by = {{"owner"}};
  for (unsigned threads : {1u, 3u}) {
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 16;
    INFO("threads " << threads);
    // exclude: yes 2, 3, 4; no 1, 7 → 3/5.
    const MetricRun ex = RunMetrics({ReachedSource(dir, LostReached::kExclude)}, {}, {reached},
                                    {}, "", std::nullopt, parallel);
    const MetricResult& r = Find(ex, "reached");
    CHECK(Share(r.total) == "0.6 3/5 n=5 lost_stage_unknown=1 stage_not_in_order=1");
    REQUIRE(r.groupings.size() == 1);
    const auto& rows = r.groupings[0].rows;
    REQUIRE(rows.size() == 3);
    CHECK(Share(rows[0].second) == "0.3333333333333333 1/3 n=3 ");  // A: 2 yes; 1, 7 no
    CHECK(Share(rows[1].second) == "1 2/2 n=2 ");                   // B: 3, 4 yes
    // C: Dropped excluded, Other not in the order: nothing to divide by.
    CHECK(Share(rows[2].second) ==
          "n/a ZERO_DENOMINATOR 0/0 n=0 lost_stage_unknown=1 stage_not_in_order=1");
    // opportunity: Dropped counts as reached → 4/6.
    const MetricRun opp = RunMetrics({ReachedSource(dir, LostReached::kOpportunity)}, {},
                                     {reached}, {}, "", std::nullopt, parallel);
    CHECK(Share(Find(opp, "reached").total) ==
          "0.6666666666666666 4/6 n=6 stage_not_in_order=1");
    // lead: Dropped counts as not reached → 3/6.
    const MetricRun lead = RunMetrics({ReachedSource(dir, LostReached::kLead)}, {}, {reached},
                                      {}, "", std::nullopt, parallel);
    CHECK(Share(Find(lead, "reached").total) == "0.5 3/6 n=6 stage_not_in_order=1");
  }
}

TEST_CASE("reached: the source's opportunity stage by default, a where first, errors",
          "[metric]") {
  TempDir dir;
  SourceDef s = ReachedSource(dir, LostReached::kExclude);
  s.stages.opportunity_stage = "Proposal";
  // Reached Proposal: yes 3, 4; no 1, 2, 7 → 2/5.
  const MetricRun run = Run({s}, {ReachedMetric("reached", "")});
  CHECK(Share(Find(run, "reached").total) ==
        "0.4 2/5 n=5 lost_stage_unknown=1 stage_not_in_order=1");
  // A where applies first: owner B only → 3 and 4, both reached.
  MetricDef b = ReachedMetric("b", "lead");
  b.where = "owner = 'B'";
  CHECK(Share(Find(Run({s}, {b}), "b").total) == "1 2/2 n=2 ");
  // A stage not in the order: an error at the stage key.
  const Error not_in = ErrorOf([&] { Run({s}, {ReachedMetric("x", "Negotiation")}); });
  CHECK(not_in.code() == ExitCode::kUsage);
  CHECK(not_in.loc().line == 17);
  // No stage and no opportunity stage: an error at the metric.
  s.stages.opportunity_stage.clear();
  const Error none = ErrorOf([&] { Run({s}, {ReachedMetric("x", "")}); });
  CHECK(none.code() == ExitCode::kUsage);
  CHECK(none.loc().line == 10);
}

// ---------------------------------------------------------------------------------------------
// Allocations. hot_loop_alloc_test.cc already replaces operator new in this binary (it can be
// replaced once), so this test counts one level lower: malloc, which that replacement and
// everything else ends in, forwarded to glibc's own. Not under AddressSanitizer, which owns malloc.

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define CRMKPI_COUNT_MALLOC 1
namespace {
std::atomic<long> g_mallocs{0};
}
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) noexcept {
  g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
  g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) noexcept {
  g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void free(void* p) noexcept { __libc_free(p); }
}
#endif

namespace {

// |rows| deals over 7 owners and 5 stages, with invalid and missing amounts, invalid dates,
// negative durations, quoted notes, and owners the lookup does not know.
std::string WriteAllocDeals(const TempDir& dir, long rows) {
  std::string text = "id,owner,stage,amount,created,closed,notes\n";
  const char* stages[] = {"lead", "qualified", "won", "lost", "Closed Won"};
  for (long i = 0; i < rows; ++i) {
    text += std::to_string(i) + ",Owner " + std::to_string(i % 7) + "," + stages[i % 5] + ",";
    if (i % 10 == 3) {
      text += "TBD";
    } else if (i % 7 != 4) {
      text += "\"" + std::to_string(1 + i % 997) + ",000\"";
    }
    text += ",2024-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) + ",";
    if (i % 13 == 0) {
      text += "someday";
    } else if (i % 5 >= 2) {
      text += "2024-0" + std::to_string(1 + (i + 3) % 9) + "-20";
    }
    text += ",\"note, with \"\"quotes\"\" " + std::to_string(i) + "\"\n";
  }
  return dir.Write("alloc_" + std::to_string(rows) + ".csv", text);
}

long MallocsOfRun(const std::string& path, const std::string& owners) {
  SourceDef s = Source("deals", path);
  s.filter = "owner != 'Owner 6'";
  LookupDef l;
  l.id = "team";
  l.file = owners;
  l.key = "owner";
  l.source = "deals";
  l.on = "owner";
  std::vector<MetricDef> m;
  m.push_back(Metric("deals", "deals"));
  m.push_back(Metric("won", "deals"));
  m.back().where = "stage is won";
  m.back().by = {{"owner"}};
  m.back().period = Period::kMonth;
  m.back().period_of = "closed";
  m.push_back(Amount("sum", Aggregation::kSum));
  m.back().by = {{"owner"}, {"team.name"}};
  m.push_back(Amount("avg", Aggregation::kAvg, "stage is won"));
  m.push_back(Amount("median", Aggregation::kMedian));
  m.back().by = {{"stage"}};
  m.push_back(Duration("p90", Aggregation::kPercentile, "stage is won"));
  m.back().percentile = 0.9;
  m.push_back(Metric("owners", "deals", Aggregation::kCountDistinct));
  m.back().columns = {"owner"};
  m.push_back(Metric("pairs", "deals", Aggregation::kCountDistinct));
  m.back().columns = {"owner", "stage"};
  m.back().period = Period::kWeek;
  m.back().period_of = "created";
  m.push_back(Amount("max", Aggregation::kMax, "amount > 1000 and owner in ('Owner 1', 'Owner 2')"));
  m.push_back(Duration("min_hours", Aggregation::kMin, "created >= 2024-03-01",
                       DurationUnit::kHours));
  // value = … and the where extensions (a difference of dates, two columns compared).
  m.push_back(Metric("weighted", "deals", Aggregation::kSum));
  m.back().value = "amount * 60% / (1 + 1) - amount ÷ 4";
  m.back().where = "closed - created < 30d and closed > created";
  m.back().by = {{"owner"}};
  m.push_back(Metric("repeat", "deals", Aggregation::kCountDistinct));
  m.back().columns = {"owner"};
  m.back().having = HavingDef{HavingDef::Op::kGe, 2};
  m.back().where = "amount >= `amount`";
  REQUIRE(m.size() == 12);
#ifdef CRMKPI_COUNT_MALLOC
  const long before = g_mallocs.load();
#endif
  const MetricRun run = RunMetrics({s}, {l}, m, {}, "");
#ifdef CRMKPI_COUNT_MALLOC
  const long used = g_mallocs.load() - before;
#else
  const long used = 0;
#endif
  REQUIRE(run.sources.at(0).rows > 0);
  REQUIRE(Warning(run, "invalid_amount") != nullptr);
  REQUIRE(Warning(run, "lookup_miss") != nullptr);
  return used;
}

}  // namespace

TEST_CASE("a metric run's allocations do not grow with the row count", "[metric][alloc]") {
#ifndef CRMKPI_COUNT_MALLOC
  WARN("malloc is not counted in this build (sanitizer or not glibc)");
#endif
  TempDir dir;
  const std::string owners =
      dir.Write("owners.csv", "owner,name\nOwner 0,North\nOwner 1,North\nOwner 2,South\n");
  const std::string small = WriteAllocDeals(dir, 2000);
  const std::string large = WriteAllocDeals(dir, 200000);
  const long a = MallocsOfRun(small, owners);
  const long b = MallocsOfRun(large, owners);
  INFO("allocations: 2,000 rows " << a << ", 200,000 rows " << b);
  // 198,000 more rows × 10 metrics; one allocation per row would add 198,000. Growth of the
  // kept median/p90 values (doubling: ~7 more per kept vector) adds a few dozen.
  CHECK(b - a < 300);
}

TEST_CASE("metrics reading one value under one where share accumulators, each its own answer",
          "[metric]") {
  TempDir dir;
  const SourceDef deals = Source("deals", dir.Write("deals.csv", kDeals));
  auto by_owner = [](MetricDef m) {
    m.by = {{"owner"}};
    return m;
  };
  MetricDef p90 = Amount("p90_won", Aggregation::kPercentile, "stage is won");
  p90.percentile = 0.9;
  MetricDef count_won = Metric("count_won", "deals");
  count_won.where = "stage is won";
  MetricDef count_won_month = count_won;
  count_won_month.id = "count_won_month";
  count_won_month.period = Period::kMonth;
  count_won_month.period_of = "closed";
  MetricDef sla_10d = Duration("sla_10d", Aggregation::kSla, "stage is won");
  sla_10d.within_seconds = 10 * 86400;
  MetricDef sla_5d = Duration("sla_5d", Aggregation::kSla, "stage is won");
  sla_5d.within_seconds = 5 * 86400;
  const std::vector<MetricDef> metrics = {
      by_owner(Amount("sum_won", Aggregation::kSum, "stage is won")),
      Amount("avg_won", Aggregation::kAvg, "stage is won"),
      Amount("min_won", Aggregation::kMin, "stage is won"),
      Amount("max_won", Aggregation::kMax, "stage is won"),
      by_owner(Amount("median_won", Aggregation::kMedian, "stage is won")),
      p90,
      Amount("sum_open", Aggregation::kSum, "stage is open"),
      Amount("sum_all", Aggregation::kSum),
      by_owner(count_won),
      count_won_month,
      Duration("days_won", Aggregation::kAvg, "stage is won"),
      Duration("hours_won", Aggregation::kMedian, "stage is won", DurationUnit::kHours),
      sla_10d,
      sla_5d};
  const MetricRun together = Run({deals}, metrics);

  // Hand-checked: won amounts 1000, 3000, 4000 (deal 3 missing), open 500 + 200.
  CHECK(Str(Find(together, "sum_won").total) == "8000");
  CHECK(Excluded(Find(together, "sum_won").total) == "missing_amount=1");
  CHECK(Str(Find(together, "min_won").total) == "1000");
  CHECK(Str(Find(together, "max_won").total) == "4000");
  CHECK(Str(Find(together, "median_won").total) == "3000");
  CHECK(Str(Find(together, "sum_open").total) == "700");
  CHECK(Table(Find(together, "sum_won").groupings[0]) ==
        std::vector<std::string>{" → 0", "Alice → 8000", "Bob → 0", "Carol → 0"});
  CHECK(Table(Find(together, "median_won").groupings[0]) ==
        std::vector<std::string>{" → n/a EMPTY", "Alice → 3000", "Bob → n/a EMPTY",
                                 "Carol → n/a EMPTY"});
  // Won durations 10, 10, 30 days (deal 6 negative): met within 10 days 2 of 3, within 5 none.
  CHECK(Find(together, "sla_10d").total.numerator->ToString() == "2");
  CHECK(Find(together, "sla_5d").total.numerator->ToString() == "0");
  CHECK(Find(together, "sla_5d").total.denominator->ToString() == "3");

  // Each metric alone (nothing to share) gives the very same cells.
  for (const MetricDef& m : metrics) {
    INFO("metric " << m.id);
    const MetricRun alone = Run({deals}, {m});
    const MetricResult& a = Find(alone, m.id);
    const MetricResult& t = Find(together, m.id);
    CHECK(Str(t.total) == Str(a.total));
    CHECK(t.total.n == a.total.n);
    CHECK(Excluded(t.total) == Excluded(a.total));
    REQUIRE(t.groupings.size() == a.groupings.size());
    for (std::size_t g = 0; g < t.groupings.size(); ++g) {
      CHECK(Table(t.groupings[g]) == Table(a.groupings[g]));
    }
  }
}

TEST_CASE("wheres on a grouped column's text are decided per stage and value, tests kept",
          "[metric]") {
  // The owner grouping makes owner the plan column: 'owner = …' conditions are decided once per
  // (stage, owner) — but a condition that counts invalid values and comes first is still
  // tested on every row (deal 4, Bob, amount TBD).
  TempDir dir;
  const SourceDef deals = Source("deals", dir.Write("deals.csv", kDeals));
  MetricDef alice_big = Metric("alice_big", "deals");
  alice_big.where = "amount > 100 and owner = Alice";
  alice_big.by = {{"owner"}};
  MetricDef alice_won = Metric("alice_won", "deals");
  alice_won.where = "owner = Alice and stage is won";
  alice_won.by = {{"owner"}};
  MetricDef sum_some = Amount("sum_some", Aggregation::kSum, "owner in (Alice, Carol) or stage is lost");
  MetricDef not_bob = Metric("not_bob", "deals");
  not_bob.where = "not (owner = Bob)";
  const std::vector<MetricDef> metrics = {alice_big, alice_won, sum_some, not_bob};
  const MetricRun run = Run({deals}, metrics);
  // Alice: deals 1 (1000), 2 (3000), 6 (4000), all won and over 100.
  CHECK(Table(Find(run, "alice_big").groupings[0]) ==
        std::vector<std::string>{" → 0", "Alice → 3", "Bob → 0", "Carol → 0"});
  CHECK(Table(Find(run, "alice_won").groupings[0]) ==
        std::vector<std::string>{" → 0", "Alice → 3", "Bob → 0", "Carol → 0"});
  // Alice 8000 + Carol 500; deal 4 (lost) has TBD.
  CHECK(Str(Find(run, "sum_some").total) == "8500");
  CHECK(Excluded(Find(run, "sum_some").total) == "invalid_amount=1");
  // Every deal but Bob's two; deal 7's blank owner is missing, so 'owner = Bob' is false.
  CHECK(Str(Find(run, "not_bob").total) == "5");
  // Each alone: the same cells, and the amount test of alice_big still meets deal 4's TBD.
  for (const MetricDef& m : metrics) {
    INFO("metric " << m.id);
    const MetricRun alone = Run({deals}, {m});
    CHECK(Str(Find(alone, m.id).total) == Str(Find(run, m.id).total));
  }
  const MetricRun alone = Run({deals}, {alice_big});
  const DataWarning* w = Warning(alone, "invalid_amount");
  REQUIRE(w != nullptr);
  CHECK(w->count == 1);
  CHECK(w->first.line == 5);
}
