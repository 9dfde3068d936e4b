// Reading stage history (stage_history.h): the long layout with re-entries, out-of-order rows,
// duplicate timestamps, unknown stages and bad rows; the wide layout (HubSpot "Date entered"
// columns, Maven's engage/close dates). Every expectation is worked out beside it.
#include "crmkpi/analysis/stage_history.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "temp_dir.h"

using namespace crmkpi;

namespace {

constexpr Seconds kDay = 86400;
// 2024-01-01T00:00:00Z
constexpr Seconds kJan1 = 1704067200;

StageHistoryOptions Options(const std::string& path, std::vector<std::string> order = {}) {
  StageHistoryOptions o;
  o.file = path;
  o.stages.order = std::move(order);
  return o;
}

const DealHistory& Deal(const StageHistory& h, const std::string& id) {
  for (const DealHistory& d : h.deals) {
    if (d.id == id) return d;
  }
  FAIL("no deal " << id);
  throw 0;
}

// "stage@day→day" per visit, days since 2024-01-01; "open" / "?" for no exit / unknown exit.
std::string Visits(const StageHistory& h, const DealHistory& d) {
  std::string out;
  for (const StageVisit& v : d.visits) {
    out += (out.empty() ? "" : " ") + h.stages[static_cast<std::size_t>(v.stage)] + "@" +
           std::to_string((v.enter - kJan1) / kDay) + "→" +
           (v.exit_unknown ? "?" : v.exit ? std::to_string((*v.exit - kJan1) / kDay) : "open");
  }
  return out;
}

}  // namespace

TEST_CASE("long layout: visits, re-entries, sorting, duplicates, unknown stages", "[history]") {
  TempDir dir;
  // Deal A: lead (day 0) → qualified (3) → lead again (5) → qualified (9) → won (12); rows out of
  // file order (the day-5 row comes last). Deal B: lead (0), lead again (2: same visit),
  // proposal (4) and "demo" (4: same time, not in the order) — the file order decides: proposal
  // then demo, so proposal lasts 0 days. Deal C: a row without a time, one with a bad time, one
  // without a stage, one without an id.
  const std::string path = dir.Write(
      "h.csv",
      "OpportunityId,StageName,CreatedDate,Owner,Amount,Region\n"
      "A,lead,2024-01-01,Ann,100,east\n"        // line 2
      "A,qualified,2024-01-04,Ann,100,east\n"   // 3
      "A,qualified,2024-01-10,Bob,200,west\n"   // 4
      "A,won,2024-01-13,Bob,250,west\n"         // 5
      "B,lead,2024-01-01,Cy,,north\n"           // 6
      "B,lead,2024-01-03,Cy,,north\n"           // 7
      "B,proposal,2024-01-05,Cy,50,north\n"     // 8
      "B,demo,2024-01-05,Cy,60,north\n"         // 9
      "C,lead,,Di,,\n"                          // 10: no time
      "C,lead,soon,Di,,\n"                      // 11: bad time
      "C,,2024-01-02,Di,,\n"                    // 12: no stage
      ",lead,2024-01-02,Di,,\n"                 // 13: no id
      "A,lead,2024-01-06,Ann,100,east\n");      // 14: out of order (before line 4's day 9)
  StageHistoryOptions o = Options(path, {"lead", "qualified", "proposal", "won"});
  o.by = {"Region"};
  const StageHistory h = ReadStageHistory(o);
  CHECK(h.layout == HistoryLayout::kLong);
  CHECK(h.input.rows == 13);
  REQUIRE(h.deals.size() == 2);  // C never had a usable row
  CHECK(h.stages == std::vector<std::string>{"lead", "qualified", "proposal", "won", "demo"});
  CHECK(h.ordered == 4);
  CHECK(h.classes[3] == StageClass::kWon);
  // A by time: lead 0, qualified 3, lead 5 (line 14, sorted into place), qualified 9, won 12.
  const DealHistory& a = Deal(h, "A");
  CHECK(Visits(h, a) == "lead@0→3 qualified@3→5 lead@5→9 qualified@9→12 won@12→open");
  CHECK(a.current == 3);
  CHECK(a.owner == "Bob");  // the latest row (won, day 12)
  CHECK(a.amount == std::int64_t{2500000});
  CHECK(a.by == std::vector<std::string>{"west"});
  const DealHistory& b = Deal(h, "B");
  CHECK(Visits(h, b) == "lead@0→4 proposal@4→4 demo@4→open");
  CHECK(b.owner == "Cy");
  CHECK(b.amount == std::int64_t{600000});  // the last row of the latest time (file order)
  CHECK(h.out_of_order == 1);
  CHECK(h.duplicate_timestamps == 1);
  CHECK(h.unknown_stage == 1);
  CHECK(h.missing_time == 1);
  CHECK(h.invalid_time == 1);
  CHECK(h.missing_stage == 1);
  CHECK(h.missing_id == 1);
  REQUIRE(h.latest.has_value());
  CHECK(*h.latest == kJan1 + 12 * kDay);
  bool warned = false;
  for (const DataWarning& w : h.warnings) {
    if (w.kind == "out_of_order") {
      warned = true;
      CHECK(w.first.line == 14);
      CHECK(w.column == "CreatedDate");
    }
  }
  CHECK(warned);

  SECTION("--out-of-order ignore leaves the row out, as the reference does") {
    o.out_of_order = OutOfOrder::kIgnore;
    const StageHistory ignored = ReadStageHistory(o);
    CHECK(Visits(ignored, Deal(ignored, "A")) == "lead@0→3 qualified@3→12 won@12→open");
  }
}

TEST_CASE("long layout: a changed-time column wins over created, missing roles", "[history]") {
  TempDir dir;
  const std::string path = dir.Write("h.csv",
                                     "deal_id,stage,created_at,changed_at\n"
                                     "1,lead,2024-01-01,2024-01-02\n"
                                     "1,won,2024-01-01,2024-01-05\n");
  const StageHistory h = ReadStageHistory(Options(path));
  CHECK(Visits(h, Deal(h, "1")) == "lead@1→4 won@4→open");
  CHECK(h.ordered == 0);
  CHECK(h.unknown_stage == 0);  // no order: nothing is unknown

  const std::string no_stage = dir.Write("n.csv", "deal_id,changed_at\n1,2024-01-01\n");
  try {
    ReadStageHistory(Options(no_stage));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK_THAT(e.message(), Catch::Contains("no stage column (role stage)"));
    CHECK_THAT(e.message(), Catch::Contains("'deal_id', 'changed_at'"));
  }
}

TEST_CASE("wide layout: HubSpot 'Date entered' columns are detected", "[history]") {
  TempDir dir;
  const std::string path = dir.Write(
      "w.csv",
      "Record ID,Deal Stage,Date entered \"Qualified (Sales Pipeline)\","
      "Date entered \"Proposal (Sales Pipeline)\",Date entered \"Won (Sales Pipeline)\"\n"
      "1,Won,2024-01-01,2024-01-11,2024-01-21\n"
      "2,Proposal,2024-01-02,2024-01-05,\n"
      "3,Qualified,2024-01-03,,\n");
  const StageHistory h = ReadStageHistory(Options(path, {"Qualified", "Proposal", "Won"}));
  CHECK(h.layout == HistoryLayout::kWide);
  CHECK(Visits(h, Deal(h, "1")) == "Qualified@0→10 Proposal@10→20 Won@20→open");
  CHECK(Visits(h, Deal(h, "2")) == "Qualified@1→4 Proposal@4→open");
  CHECK(Visits(h, Deal(h, "3")) == "Qualified@2→open");
  CHECK(Deal(h, "2").current == 1);
  CHECK(h.stage_without_date == 0);
}

TEST_CASE("wide layout: Maven engage/close dates, a shared close column", "[history]") {
  TempDir dir;
  // close_date means Won or Lost: it counts for the deal's current stage only. Prospecting has
  // no date: such deals are counted, without visits.
  const std::string path = dir.Write("m.csv",
                                     "opportunity_id,sales_agent,deal_stage,engage_date,"
                                     "close_date,close_value\n"
                                     "X1,Ann,Won,2024-01-01,2024-01-31,1000\n"
                                     "X2,Ann,Lost,2024-01-05,2024-01-07,0\n"
                                     "X3,Bob,Engaging,2024-01-10,,\n"
                                     "X4,Bob,Prospecting,,,\n");
  StageHistoryOptions o = Options(path, {"Prospecting", "Engaging", "Won", "Lost"});
  o.entered = {{"Engaging", "engage_date"}, {"Won", "close_date"}, {"Lost", "close_date"}};
  const StageHistory h = ReadStageHistory(o);
  CHECK(h.layout == HistoryLayout::kWide);
  CHECK(Visits(h, Deal(h, "X1")) == "Engaging@0→30 Won@30→open");
  CHECK(Visits(h, Deal(h, "X2")) == "Engaging@4→6 Lost@6→open");
  CHECK(Visits(h, Deal(h, "X3")) == "Engaging@9→open");
  CHECK(Visits(h, Deal(h, "X4")).empty());
  CHECK(Deal(h, "X4").current == 0);
  CHECK(Deal(h, "X3").owner == "Bob");
  CHECK(h.stage_without_date == 1);
  CHECK(h.classes[3] == StageClass::kLost);
}

TEST_CASE("wide layout: a current stage without a date leaves the last exit unknown",
          "[history]") {
  TempDir dir;
  const std::string path = dir.Write("w.csv",
                                     "id,stage,qualified_entered_at,proposal_entered_at\n"
                                     "1,negotiation,2024-01-01,2024-01-03\n");
  const StageHistory h =
      ReadStageHistory(Options(path, {"qualified", "proposal", "negotiation", "won"}));
  CHECK(Visits(h, Deal(h, "1")) == "qualified@0→2 proposal@2→?");
  CHECK(Deal(h, "1").current == 2);
  CHECK(h.stage_without_date == 1);
}

TEST_CASE("wide layout needs entry columns, --entered must name a known stage", "[history]") {
  TempDir dir;
  const std::string path = dir.Write("w.csv", "id,stage\n1,lead\n");
  StageHistoryOptions o = Options(path, {"lead"});
  o.layout = HistoryLayout::kWide;
  CHECK_THROWS_WITH(ReadStageHistory(o), Catch::Contains("no entry-date columns"));
  o.entered = {{"leed", "stage"}};
  CHECK_THROWS_WITH(ReadStageHistory(o), Catch::Contains("'leed' is not in --stages"));
}
