// Dwell (dwell.h) on hand-built stage histories. Every expected value is worked out beside it;
// times are whole days after an arbitrary epoch, so durations in days are exact.
#include "crmkpi/analysis/dwell.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

constexpr Seconds kT0 = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr Seconds At(double days) { return kT0 + static_cast<Seconds>(days * 86400); }

StageVisit Visit(int stage, double enter, std::optional<double> exit, std::uint64_t line = 0) {
  StageVisit v;
  v.stage = stage;
  v.enter = At(enter);
  if (exit) v.exit = At(*exit);
  v.line = line;
  return v;
}

DealHistory Deal(std::string id, std::vector<StageVisit> visits, int current) {
  DealHistory d;
  d.id = std::move(id);
  d.visits = std::move(visits);
  d.current = current;
  return d;
}

// |ordered| of |stages| are the --stages order; the rest are unknown stages. Stages named "won"
// and "lost" are terminal.
StageHistory History(std::vector<std::string> stages, std::size_t ordered) {
  StageHistory h;
  h.stages = std::move(stages);
  h.ordered = ordered;
  for (const std::string& s : h.stages) {
    h.classes.push_back(s == "won"    ? StageClass::kWon
                        : s == "lost" ? StageClass::kLost
                                      : StageClass::kOpen);
  }
  h.input.name = "history.csv";
  return h;
}

const Grouping& GroupingWith(const Report& r, std::size_t index) {
  REQUIRE(index < r.groupings.size());
  return r.groupings[index];
}

const KpiValue& Find(const std::vector<KpiValue>& kpis, std::string_view id) {
  for (const KpiValue& v : kpis) {
    if (v.id == id) return v;
  }
  FAIL("no KPI " << id);
  return kpis.front();
}

const KpiValue& Find(const Grouping& g, const std::vector<std::string>& values,
                     std::string_view id) {
  for (const GroupRow& row : g.rows) {
    if (row.values == values) return Find(row.kpis, id);
  }
  FAIL("no row " << values.front());
  return g.rows.front().kpis.front();
}

double Value(const KpiValue& v) {
  REQUIRE(v.value.has_value());
  return v.value->ToDouble();
}

std::uint64_t Excluded(const KpiValue& v, std::string_view reason) {
  for (const auto& [r, n] : v.excluded) {
    if (r == reason) return n;
  }
  return 0;
}

// Part C: finished stays of 3, 5, 7, 8, 15 days in "proposal"; two deals still there after 12
// and 20 days at as-of (day 100). The finished deals moved on to "won".
StageHistory ReferenceHistory() {
  StageHistory h = History({"qualify", "proposal", "won"}, 3);
  const double stays[] = {3, 5, 7, 8, 15};
  for (int i = 0; i < 5; ++i) {
    const double start = 10.0 * i;
    h.deals.push_back(Deal("c" + std::to_string(i + 1),
                           {Visit(1, start, start + stays[i]), Visit(2, start + stays[i], {})}, 2));
  }
  h.deals.push_back(Deal("open12", {Visit(1, 88, {})}, 1));
  h.deals.push_back(Deal("open20", {Visit(1, 80, {})}, 1));
  h.deals[5].owner = "alice";
  h.deals[5].amount = 12'345'000;  // 1234.5
  h.deals[6].owner = "bob";
  h.latest = At(100);
  return h;
}

}  // namespace

TEST_CASE("dwell reproduces the Part C censoring vector", "[dwell]") {
  const Report r = ComputeDwell(ReferenceHistory(), {});
  CHECK(r.command == "dwell");
  CHECK(r.as_of_source == "data");
  const Grouping& g = GroupingWith(r, 0);
  REQUIRE(g.keys == std::vector<std::string>{"stage"});
  const std::vector<std::string> row = {"proposal"};

  CHECK(Value(Find(g, row, "dwell_entered")) == 7);
  CHECK(Value(Find(g, row, "dwell_visits")) == 7);
  CHECK(Value(Find(g, row, "dwell_reentries")) == 0);
  CHECK(Value(Find(g, row, "dwell_exited")) == 5);
  CHECK(Value(Find(g, row, "dwell_open")) == 2);

  // Exited only: (3 + 5 + 7 + 8 + 15) / 5 = 38 / 5 = 7.6; median 7.
  const KpiValue& mean = Find(g, row, "dwell_days_mean");
  CHECK(mean.unit == Unit::kDays);
  CHECK(mean.n == 5u);
  CHECK(Value(mean) == Approx(7.6).epsilon(1e-12));
  CHECK(mean.numerator->ToDouble() == 38);
  CHECK(mean.denominator->ToDouble() == 5);
  CHECK(Value(Find(g, row, "dwell_days_median")) == 7);
  CHECK(Find(g, row, "dwell_days_median").n == 5u);
  // Type 7 over 3, 5, 7, 8, 15: h = 0.9 · 4 = 3.6 → 8 + 0.6 · (15 − 8) = 12.2.
  CHECK(Value(Find(g, row, "dwell_days_p90")) == Approx(12.2).epsilon(1e-12));

  // Kaplan–Meier with the open deals censored at 12 and 20: S(7) = 4/7, S(8) = 3/7 → 8.
  const KpiValue& km = Find(g, row, "dwell_days_km_median");
  CHECK(km.n == 7u);
  CHECK(km.censored == 2u);
  CHECK(Value(km) == 8);

  // Totals.
  CHECK(Value(Find(r.total.kpis, "history_deals")) == 7);
  CHECK(Value(Find(r.total.kpis, "history_visits")) == 12);
}

TEST_CASE("dwell rows: ordered stages, then unknown ones, terminal stages have no dwell",
          "[dwell]") {
  StageHistory h = History({"lead", "won", "lost", "nurture"}, 2);
  h.deals.push_back(Deal("a", {Visit(0, 0, 4), Visit(1, 4, {})}, 1));
  h.deals.push_back(Deal("b", {Visit(3, 0, 2), Visit(2, 2, {})}, 2));
  const Report r = ComputeDwell(h, {});
  const Grouping& g = GroupingWith(r, 0);
  REQUIRE(g.rows.size() == 4);
  CHECK(g.rows[0].values[0] == "lead");
  CHECK(g.rows[1].values[0] == "won");
  CHECK(g.rows[2].values[0] == "lost");
  CHECK(g.rows[3].values[0] == "nurture");
  // Every row has the same KPIs, so the wide table lines up.
  for (const GroupRow& row : g.rows) CHECK(row.kpis.size() == g.rows[0].kpis.size());

  CHECK(Value(Find(g, {"won"}, "dwell_entered")) == 1);
  CHECK(Value(Find(g, {"won"}, "dwell_visits")) == 1);
  for (const char* id : {"dwell_exited", "dwell_open", "dwell_days_median", "dwell_days_mean",
                         "dwell_days_p90", "dwell_days_km_median"}) {
    INFO(id);
    CHECK_FALSE(Find(g, {"won"}, id).value.has_value());
    CHECK(Find(g, {"won"}, id).reason == "TERMINAL");
    CHECK(Find(g, {"lost"}, id).reason == "TERMINAL");
  }
  // Unknown stages have dwell like any other.
  CHECK(Value(Find(g, {"nurture"}, "dwell_days_median")) == 2);
  CHECK(Value(Find(g, {"lead"}, "dwell_days_median")) == 4);
  // Conversion only between ordered stages: lead → won.
  const Grouping& c = GroupingWith(r, 1);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].values[0] == "lead \u2192 won");
}

TEST_CASE("dwell re-entries: cumulative sums the visits, latest takes the last", "[dwell]") {
  // Deal x: a [0, 2), b [2, 5), a [5, 9), b [9, open) with as-of day 20.
  StageHistory h = History({"a", "b"}, 2);
  h.deals.push_back(
      Deal("x", {Visit(0, 0, 2), Visit(1, 2, 5), Visit(0, 5, 9), Visit(1, 9, {})}, 1));
  h.latest = At(20);

  DwellOptions cumulative;
  cumulative.stuck_after_days = 12;
  const Report rc = ComputeDwell(h, cumulative);
  const Grouping& gc = GroupingWith(rc, 0);
  CHECK(Value(Find(gc, {"a"}, "dwell_entered")) == 1);
  CHECK(Value(Find(gc, {"a"}, "dwell_visits")) == 2);
  CHECK(Value(Find(gc, {"a"}, "dwell_reentries")) == 1);
  CHECK(Value(Find(gc, {"a"}, "dwell_days_median")) == 6);  // 2 + 4
  CHECK(Value(Find(gc, {"b"}, "dwell_exited")) == 0);
  CHECK(Value(Find(gc, {"b"}, "dwell_open")) == 1);  // 3 + 11 = 14, censored
  CHECK(Find(gc, {"b"}, "dwell_days_median").reason == "EMPTY");
  CHECK(Find(gc, {"b"}, "dwell_days_km_median").reason == "ALL_CENSORED");
  CHECK(Find(gc, {"b"}, "dwell_days_km_median").n == 1u);
  REQUIRE(rc.lists.size() == 2);
  REQUIRE(rc.lists[0].rows.size() == 1);
  CHECK(rc.lists[0].rows[0][3] == "14.0");  // over the 12-day threshold
  // The Kaplan–Meier points behind the KM median (JSON and -f html only): a's one dwell of 6
  // days (2 + 4, cumulative) ended → S(6) = 0; b's visit is open (censored): no step.
  const ReportList& km = rc.lists[1];
  CHECK(km.id == "survival");
  CHECK(!km.in_text);
  REQUIRE(km.rows.size() == 1);
  CHECK(km.rows[0] == std::vector<std::string>{"a", "6", "0"});

  DwellOptions latest = cumulative;
  latest.mode = DwellMode::kLatest;
  const Report rl = ComputeDwell(h, latest);
  const Grouping& gl = GroupingWith(rl, 0);
  CHECK(Value(Find(gl, {"a"}, "dwell_reentries")) == 1);    // counted in both modes
  CHECK(Value(Find(gl, {"a"}, "dwell_days_median")) == 4);  // the visit [5, 9)
  CHECK(Value(Find(gl, {"b"}, "dwell_open")) == 1);         // 11 days, censored
  CHECK(rl.lists[0].rows.empty());                          // 11 <= 12
  CHECK(Value(Find(rl.total.kpis, "stuck_deals")) == 0);
}

TEST_CASE("dwell stage conversion, any (back-fill, not for lost deals) and strict", "[dwell]") {
  // Order lead, qualified, proposal, won; "lost" is terminal and not in the order.
  StageHistory h = History({"lead", "qualified", "proposal", "won", "lost"}, 4);
  h.deals.push_back(  // d1: every stage, won
      Deal("d1", {Visit(0, 0, 1), Visit(1, 1, 2), Visit(2, 2, 3), Visit(3, 3, {})}, 3));
  h.deals.push_back(Deal("d2", {Visit(0, 0, 1), Visit(2, 1, {})}, 2));  // skipped qualified
  h.deals.push_back(Deal("d3", {Visit(2, 0, {})}, 2));                  // entered at proposal
  h.deals.push_back(Deal("d4", {Visit(0, 0, 1), Visit(1, 1, 2), Visit(4, 2, {})}, 4));
  h.deals.push_back(Deal("d5", {Visit(1, 0, 1), Visit(4, 1, {})}, 4));  // lost, never a lead

  // any — reached: d1 all; d2 lead, qualified (back-fill), proposal; d3 lead and qualified
  // (back-fill), proposal; d4 lead, qualified; d5 qualified only (lost: no back-fill).
  //   lead → qualified      d1 d2 d3 d4 / d1 d2 d3 d4     = 4/4
  //   qualified → proposal  d1 d2 d3 / d1 d2 d3 d4 d5     = 3/5
  //   proposal → won        d1 / d1 d2 d3                 = 1/3
  const Report ra = ComputeDwell(h, {});
  const Grouping& a = GroupingWith(ra, 1);
  REQUIRE(a.rows.size() == 3);
  CHECK(a.rows[0].values[0] == "lead \u2192 qualified");
  CHECK(a.rows[2].values[0] == "proposal \u2192 won");
  const KpiValue& a01 = Find(a, {"lead \u2192 qualified"}, "stage_conversion");
  CHECK(a01.unit == Unit::kRatio);
  CHECK(a01.label == "stage conversion (any)");
  CHECK(a01.numerator->ToDouble() == 4);
  CHECK(a01.denominator->ToDouble() == 4);
  CHECK(Value(a01) == 1);
  const KpiValue& a12 = Find(a, {"qualified \u2192 proposal"}, "stage_conversion");
  CHECK(a12.numerator->ToDouble() == 3);
  CHECK(a12.denominator->ToDouble() == 5);
  CHECK(Value(a12) == Approx(0.6));
  const KpiValue& a23 = Find(a, {"proposal \u2192 won"}, "stage_conversion");
  CHECK(a23.numerator->ToDouble() == 1);
  CHECK(a23.denominator->ToDouble() == 3);

  // strict — reached k only when every stage 0..k was entered: d1 all; d2 lead; d3 nothing;
  // d4 lead, qualified; d5 nothing.
  //   lead → qualified      d1 d4 / d1 d2 d4 = 2/3
  //   qualified → proposal  d1 / d1 d4       = 1/2
  //   proposal → won       d1 / d1          = 1/1
  DwellOptions strict;
  strict.conversion = ConversionMode::kStrict;
  const Report rs = ComputeDwell(h, strict);
  const Grouping& s = GroupingWith(rs, 1);
  const KpiValue& s01 = Find(s, {"lead \u2192 qualified"}, "stage_conversion");
  CHECK(s01.label == "stage conversion (strict)");
  CHECK(s01.numerator->ToDouble() == 2);
  CHECK(s01.denominator->ToDouble() == 3);
  const KpiValue& s12 = Find(s, {"qualified \u2192 proposal"}, "stage_conversion");
  CHECK(s12.numerator->ToDouble() == 1);
  CHECK(s12.denominator->ToDouble() == 2);
  const KpiValue& s23 = Find(s, {"proposal \u2192 won"}, "stage_conversion");
  CHECK(s23.numerator->ToDouble() == 1);
  CHECK(s23.denominator->ToDouble() == 1);
  CHECK(Value(s23) == 1);

  // Entered counts never back-fill: d1, d4 and d5 entered qualified.
  CHECK(Value(Find(GroupingWith(ra, 0), {"qualified"}, "dwell_entered")) == 3);
}

TEST_CASE("dwell conversion never back-fills a lost deal, even with lost in the order", "[dwell]") {
  // x: b then lost (current lost, in the order) — no back-fill of a; y: b, open — back-fills a.
  //   a → b     y / y     = 1/1, but only by back-fill: no deal entered a, so n/a (issue 18:
  //                         such a count printed 100 % beside "a entered 0")
  //   b → lost  x / x y   = 1/2
  StageHistory h = History({"a", "b", "lost"}, 3);
  h.deals.push_back(Deal("x", {Visit(1, 0, 2), Visit(2, 2, {})}, 2));
  h.deals.push_back(Deal("y", {Visit(1, 0, {})}, 1));
  const Report r = ComputeDwell(h, {});
  const KpiValue& ab = Find(GroupingWith(r, 1), {"a \u2192 b"}, "stage_conversion");
  CHECK_FALSE(ab.value.has_value());
  CHECK(ab.reason == "STAGE_NOT_ENTERED");
  // Once a deal (z) entered a, the back-filled y counts again: a → b = z, y / z, y = 2/2.
  h.deals.push_back(Deal("z", {Visit(0, 0, 1), Visit(1, 1, {})}, 1));
  const Report r2 = ComputeDwell(h, {});
  const KpiValue& ab2 = Find(GroupingWith(r2, 1), {"a \u2192 b"}, "stage_conversion");
  CHECK(ab2.numerator->ToDouble() == 2);
  CHECK(ab2.denominator->ToDouble() == 2);
  const KpiValue& bl = Find(GroupingWith(r, 1), {"b \u2192 lost"}, "stage_conversion");
  CHECK(bl.numerator->ToDouble() == 1);
  CHECK(bl.denominator->ToDouble() == 2);
}

TEST_CASE("dwell leaves out a visit that exits before it starts", "[dwell]") {
  StageHistory h = History({"a", "b"}, 2);
  h.deals.push_back(Deal("x", {Visit(0, 5, 3), Visit(1, 3, {})}, 1));  // a: exit before enter
  h.deals.push_back(Deal("y", {Visit(0, 0, 4), Visit(1, 4, {})}, 1));
  h.latest = At(10);
  h.missing_time = 2;
  const Report r = ComputeDwell(h, {});
  const Grouping& g = GroupingWith(r, 0);
  CHECK(Value(Find(g, {"a"}, "dwell_entered")) == 2);
  CHECK(Value(Find(g, {"a"}, "dwell_exited")) == 1);
  CHECK(Value(Find(g, {"a"}, "dwell_days_median")) == 4);
  CHECK(Excluded(Find(g, {"a"}, "dwell_days_median"), "negative_dwell") == 1);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].kind == "negative_dwell");
  CHECK(Excluded(Find(r.total.kpis, "history_visits"), "missing_time") == 2);
}

TEST_CASE("dwell: a visit left at an unknown time is entered, neither exited nor open", "[dwell]") {
  // Wide layout: x is in c now without an entry date, so its visit to b (days 2–?) ended at an
  // unknown time: b entered 2, exited 1 (y: 3 days), open 0; nobody is stuck in b.
  StageHistory h = History({"a", "b", "c"}, 3);
  StageVisit left = Visit(1, 2, {});
  left.exit_unknown = true;
  h.deals.push_back(Deal("x", {Visit(0, 0, 2), left}, 2));
  h.deals.push_back(Deal("y", {Visit(0, 0, 1), Visit(1, 1, 4), Visit(2, 4, {})}, 2));
  h.latest = At(50);
  const Report r = ComputeDwell(h, {});
  const Grouping& g = GroupingWith(r, 0);
  CHECK(Value(Find(g, {"b"}, "dwell_entered")) == 2);
  CHECK(Value(Find(g, {"b"}, "dwell_visits")) == 2);
  CHECK(Value(Find(g, {"b"}, "dwell_exited")) == 1);
  CHECK(Value(Find(g, {"b"}, "dwell_open")) == 0);
  CHECK(Value(Find(g, {"b"}, "dwell_days_km_median")) == 3);
  CHECK(Find(g, {"b"}, "dwell_days_km_median").n == 1u);
  CHECK(Value(Find(r.total.kpis, "stuck_deals")) == 0);
  // x reached c (its current stage): b → c is 2 of 2.
  CHECK(Value(Find(GroupingWith(r, 1), {"b \u2192 c"}, "stage_conversion")) == 1);
}

TEST_CASE("dwell conversion with no one reaching a stage is n/a, not 0", "[dwell]") {
  StageHistory h = History({"a", "b", "c"}, 3);
  h.deals.push_back(Deal("x", {Visit(0, 0, {})}, 0));
  const Report r = ComputeDwell(h, {});
  const KpiValue& bc = Find(GroupingWith(r, 1), {"b \u2192 c"}, "stage_conversion");
  CHECK_FALSE(bc.value.has_value());
  CHECK(bc.reason == "ZERO_DENOMINATOR");
  CHECK(Value(Find(GroupingWith(r, 1), {"a \u2192 b"}, "stage_conversion")) == 0);
}

TEST_CASE("dwell stuck list with the default p90 threshold", "[dwell]") {
  // p90 of exited in proposal = 12.2: open20 is stuck, open12 is not.
  const Report r = ComputeDwell(ReferenceHistory(), {});
  REQUIRE(r.lists.size() == 2);  // stuck, then the KM points (survival)
  const ReportList& list = r.lists[0];
  CHECK(list.id == "stuck");
  CHECK(list.title == "Stuck deals (open longer than the threshold)");
  CHECK(list.columns == std::vector<std::string>{"id", "owner", "stage", "days", "amount",
                                                 "threshold_days", "threshold_source"});
  CHECK(list.numeric == std::vector<bool>{false, false, false, true, true, true, false});
  REQUIRE(list.rows.size() == 1);
  CHECK(list.rows[0] ==
        std::vector<std::string>{"open20", "bob", "proposal", "20.0", "", "12.2", "p90 of exited"});
  CHECK(Value(Find(r.total.kpis, "stuck_deals")) == 1);
}

TEST_CASE("dwell stuck list with explicit thresholds, global and per stage", "[dwell]") {
  StageHistory h = ReferenceHistory();
  // A third open deal at 20 days ("a20" sorts before "open20") and one open in qualify, a stage
  // with no exited visit (no p90, so listed only with an explicit threshold).
  h.deals.push_back(Deal("a20", {Visit(1, 80, {})}, 1));
  h.deals.push_back(Deal("q30", {Visit(0, 70, {})}, 0));

  DwellOptions global;
  global.stuck_after_days = 10;
  const Report rg = ComputeDwell(h, global);
  const ReportList& lg = rg.lists[0];
  REQUIRE(lg.rows.size() == 4);
  // Longest first, then id.
  CHECK(lg.rows[0][0] == "q30");
  CHECK(lg.rows[1][0] == "a20");
  CHECK(lg.rows[2][0] == "open20");
  CHECK(lg.rows[3][0] == "open12");
  CHECK(lg.rows[3][1] == "alice");
  CHECK(lg.rows[3][3] == "12.0");
  CHECK(lg.rows[3][4] == "1234.5");
  CHECK(lg.rows[3][5] == "10");
  CHECK(lg.rows[3][6] == "--stuck-after");

  // Per stage (matched in the normal form), overriding the global value.
  DwellOptions per_stage;
  per_stage.stuck_after_days = 100;
  per_stage.stuck_after["Proposal"] = 15;
  const Report rp = ComputeDwell(h, per_stage);
  const ReportList& lp = rp.lists[0];
  REQUIRE(lp.rows.size() == 2);
  CHECK(lp.rows[0][0] == "a20");
  CHECK(lp.rows[1][0] == "open20");
  CHECK(lp.rows[1][5] == "15");

  // Without thresholds: qualify has no exited visit, so q30 is never listed.
  const Report rd = ComputeDwell(h, {});
  for (const auto& row : rd.lists[0].rows) CHECK(row[0] != "q30");

  // A stage the history does not have is a usage error.
  DwellOptions unknown;
  unknown.stuck_after["negotiation"] = 5;
  try {
    ComputeDwell(h, unknown);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK_THAT(e.message(), Catch::Contains("negotiation"));
  }
  DwellOptions negative;
  negative.stuck_after_days = -1;
  CHECK_THROWS_AS(ComputeDwell(h, negative), Error);
}

TEST_CASE("dwell --by: per stage, then per stage × by values", "[dwell]") {
  StageHistory h = History({"a", "b"}, 2);
  h.by_names = {"owner"};
  h.deals.push_back(Deal("1", {Visit(0, 0, 2), Visit(1, 2, {})}, 1));
  h.deals.push_back(Deal("2", {Visit(0, 0, 4), Visit(1, 4, {})}, 1));
  h.deals.push_back(Deal("3", {Visit(0, 0, {})}, 0));
  h.deals[0].by = {"bob"};
  h.deals[1].by = {"alice"};
  h.deals[2].by = {"alice"};
  h.latest = At(10);
  const Report r = ComputeDwell(h, {});
  REQUIRE(r.groupings.size() == 4);

  CHECK(r.groupings[0].keys == std::vector<std::string>{"stage"});
  CHECK(Value(Find(r.groupings[0], {"a"}, "dwell_entered")) == 3);

  const Grouping& by = r.groupings[1];
  CHECK(by.keys == std::vector<std::string>{"stage", "owner"});
  REQUIRE(by.rows.size() == 4);  // stage order, then owner
  CHECK(by.rows[0].values == std::vector<std::string>{"a", "alice"});
  CHECK(by.rows[1].values == std::vector<std::string>{"a", "bob"});
  CHECK(by.rows[2].values == std::vector<std::string>{"b", "alice"});
  CHECK(by.rows[3].values == std::vector<std::string>{"b", "bob"});
  CHECK(Value(Find(by, {"a", "alice"}, "dwell_entered")) == 2);
  CHECK(Value(Find(by, {"a", "alice"}, "dwell_exited")) == 1);
  CHECK(Value(Find(by, {"a", "alice"}, "dwell_open")) == 1);
  CHECK(Value(Find(by, {"a", "alice"}, "dwell_days_median")) == 4);
  CHECK(Value(Find(by, {"a", "bob"}, "dwell_days_median")) == 2);

  CHECK(r.groupings[2].keys == std::vector<std::string>{"stage"});
  const KpiValue& all = Find(r.groupings[2], {"a \u2192 b"}, "stage_conversion");
  CHECK(all.numerator->ToDouble() == 2);
  CHECK(all.denominator->ToDouble() == 3);
  const Grouping& cby = r.groupings[3];
  CHECK(cby.keys == std::vector<std::string>{"stage", "owner"});
  const KpiValue& alice = Find(cby, {"a \u2192 b", "alice"}, "stage_conversion");
  CHECK(alice.numerator->ToDouble() == 1);
  CHECK(alice.denominator->ToDouble() == 2);
  CHECK(Value(Find(cby, {"a \u2192 b", "bob"}, "stage_conversion")) == 1);
}

TEST_CASE("dwell leaves out visits that start after as-of, with a warning", "[dwell]") {
  StageHistory h = History({"a", "b"}, 2);
  h.deals.push_back(Deal("early", {Visit(0, 0, 3), Visit(1, 3, {})}, 1));
  h.deals.push_back(Deal("late", {Visit(0, 1, 2), Visit(1, 8, {}, 42)}, 1));
  h.latest = At(8);
  DwellOptions o;
  o.as_of = At(5);  // before "late" entered b
  const Report r = ComputeDwell(h, o);
  CHECK(r.as_of_source == "option");
  const Grouping& g = GroupingWith(r, 0);
  CHECK(Value(Find(g, {"b"}, "dwell_entered")) == 2);  // the data, as read
  CHECK(Value(Find(g, {"b"}, "dwell_open")) == 1);     // only "early", 2 days
  CHECK(Excluded(Find(g, {"b"}, "dwell_open"), "negative_dwell") == 0);
  CHECK(Excluded(Find(g, {"b"}, "dwell_days_km_median"), "negative_dwell") == 1);
  CHECK(Excluded(Find(g, {"b"}, "dwell_exited"), "negative_dwell") == 1);
  CHECK(Find(g, {"b"}, "dwell_days_km_median").n == 1u);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].kind == "negative_dwell");
  CHECK(r.warnings[0].count == 1);
  CHECK(r.warnings[0].first.file == "history.csv");
  CHECK(r.warnings[0].first.line == 42);
  CHECK_THAT(r.warnings[0].message, Catch::Contains("deal late in stage b"));
}

TEST_CASE("dwell keeps the history's warnings", "[dwell]") {
  StageHistory h = History({"a"}, 1);
  DataWarning w;
  w.kind = "out_of_order";
  w.count = 3;
  h.warnings.push_back(w);
  const Report r = ComputeDwell(h, {});
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].kind == "out_of_order");
}

TEST_CASE("dwell of an empty history", "[dwell]") {
  const Report empty = ComputeDwell(StageHistory{}, {});
  CHECK(empty.as_of.empty());
  CHECK(Value(Find(empty.total.kpis, "history_deals")) == 0);
  CHECK(Value(Find(empty.total.kpis, "history_visits")) == 0);
  CHECK(Value(Find(empty.total.kpis, "stuck_deals")) == 0);
  REQUIRE(empty.groupings.size() == 1);
  CHECK(empty.groupings[0].rows.empty());
  REQUIRE(empty.lists.size() == 2);
  CHECK(empty.lists[0].rows.empty());
  CHECK(empty.lists[1].rows.empty());  // no curve either

  // Ordered stages nobody entered still have a row: counts 0, statistics n/a (EMPTY).
  const Report r = ComputeDwell(History({"a", "b"}, 2), {});
  const Grouping& g = GroupingWith(r, 0);
  REQUIRE(g.rows.size() == 2);
  CHECK(Value(Find(g, {"a"}, "dwell_entered")) == 0);
  for (const char* id :
       {"dwell_days_median", "dwell_days_mean", "dwell_days_p90", "dwell_days_km_median"}) {
    INFO(id);
    CHECK_FALSE(Find(g, {"a"}, id).value.has_value());
    CHECK(Find(g, {"a"}, id).reason == "EMPTY");
  }
  CHECK(Find(GroupingWith(r, 1), {"a \u2192 b"}, "stage_conversion").reason == "ZERO_DENOMINATOR");
}

}  // namespace crmkpi
