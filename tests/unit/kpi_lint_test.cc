#include "crmkpi/evaluate/kpi_lint.h"

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"

using namespace crmkpi;

namespace {

// A definition every rule passes: one KGI with 3 KPIs under it (3 to 5 is the rule), a leading
// and a lagging KPI, every KPI with definition, owner, review and target, and the oldest review
// (avg_deal_size, reviewed quarterly, 2025-04-01) exactly 90 days before as_of 2025-06-30 (Apr
// 30 + May 31 + Jun 29 days; "more than 90" is stale, 90 is not: 90 days is the cap of every
// frequency, below a quarter's 2 × 92).
//
// Line numbers, used by the locations below (a section's location is its '[' at column 1; a
// value's is its first character: "kgi = " puts the value at column 7, "last_review = " at 15):
//   20 [kpi revenue]   30 [kpi opportunities]   40 [kpi win_rate]   50 [kpi avg_deal_size]
//   57 last_review of avg_deal_size              61 kgi = …          62 revenue = …
// Every target has a deadline, 2025-09-30, after as_of.
const char* kClean = R"([crmkpi]
as_of = 2025-06-30

[source deals]
file = deals.csv

[metric deal_count]
source = deals

[metric won_count]
source = deals
where = stage is won

[metric won_amount]
source = deals
type = sum
column = amount
where = stage is won

[kpi revenue]
formula = won_amount
target = 1,000,000
deadline = 2025-09-30
layer = lagging
owner = 営業本部長
review = monthly
last_review = 2025-06-02
definition = 受注金額の合計

[kpi opportunities]
formula = deal_count
target = 40
deadline = 2025-09-30
layer = leading
owner = インサイドセールス責任者
review = weekly
last_review = 2025-06-23
definition = 商談の件数

[kpi win_rate]
formula = won_count / deal_count
target = 25%
deadline = 2025-09-30
layer = process
owner = 営業部長
review = monthly
last_review = 2025-06-02
definition = 受注件数 ÷ 商談件数

[kpi avg_deal_size]
formula = won_amount / won_count
target = 100,000
deadline = 2025-09-30
layer = process
owner = 営業部長
review = quarterly
last_review = 2025-04-01
definition = 受注金額 ÷ 受注件数

[tree]
kgi = revenue
revenue = opportunities * win_rate * avg_deal_size
)";

// |text| with its only occurrence of |from| replaced by |to|.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

// |text| with the line "KEY = …" of |section| turned into a comment, so that no other line
// moves (the locations of the other findings stay as in kClean).
std::string Without(std::string text, const std::string& section, const std::string& key) {
  const auto s = text.find(section + "\n");
  REQUIRE(s != std::string::npos);
  const auto k = text.find("\n" + key + " = ", s);
  REQUIRE(k != std::string::npos);
  const auto end = text.find('\n', k + 1);
  REQUIRE(text.find("\n[", s + 1) > k);  // still inside |section|
  return text.replace(k + 1, end - k - 1, "; no " + key);
}

std::vector<LintFinding> Lint(const std::string& text, const std::string& as_of = "2025-06-30") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(text, "kpi.ini"));
  return LintModel(model, as_of);
}

// The findings of one rule.
std::vector<LintFinding> Of(const std::vector<LintFinding>& all, const std::string& rule) {
  std::vector<LintFinding> out;
  for (const auto& f : all) {
    if (f.rule == rule) out.push_back(f);
  }
  return out;
}

void CheckFinding(const LintFinding& f, const std::string& rule, LintSeverity severity,
                  const std::string& loc, const std::string& message) {
  CHECK(f.rule == rule);
  CHECK(SeverityName(f.severity) == SeverityName(severity));
  CHECK(f.loc.ToString() == loc);
  CHECK(f.message == message);
}

const char* kCountMessage = "; 3 to 5 keep a KGI both explained and manageable";

}  // namespace

TEST_CASE("lint: a clean definition has no finding", "[lint]") {
  CHECK(Lint(kClean).empty());
  // Also with as_of from the definition itself, as `crmkpi lint` passes it.
  const KpiModel model = KpiModel::Load(IniFile::Parse(kClean, "kpi.ini"));
  CHECK(model.as_of == "2025-06-30");
  CHECK(LintModel(model, model.as_of).empty());
  // 5 KPIs under the KGI is still within the rule.
  CHECK(Lint(Replace(kClean, "revenue = opportunities * win_rate * avg_deal_size",
                     "revenue = opportunities * win_rate * avg_deal_size * deal_count * won_count"))
            .empty());
}

TEST_CASE("lint: too_many_kgis is an error above 3 KGIs", "[lint]") {
  const auto four = Lint(Replace(kClean, "kgi = revenue\n",
                                 "kgi = revenue, opportunities, win_rate, avg_deal_size\n"));
  const auto kgis = Of(four, "too_many_kgis");
  REQUIRE(kgis.size() == 1);
  CheckFinding(kgis[0], "too_many_kgis", LintSeverity::kError, "kpi.ini:61:7",
               "4 KGIs; fix at most three so that the organisation knows what matters");
  REQUIRE(!four.empty());
  CHECK(four[0].rule == "too_many_kgis");  // reported first
  // The three KGIs without a breakdown also have 0 KPIs under them, located at the kgi value.
  const auto counts = Of(four, "kpi_count");
  REQUIRE(counts.size() == 3);
  CheckFinding(counts[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:61:7",
               std::string("KGI 'opportunities' has 0 KPIs under it") + kCountMessage);
  CheckFinding(counts[1], "kpi_count", LintSeverity::kWarning, "kpi.ini:61:7",
               std::string("KGI 'win_rate' has 0 KPIs under it") + kCountMessage);
  CheckFinding(counts[2], "kpi_count", LintSeverity::kWarning, "kpi.ini:61:7",
               std::string("KGI 'avg_deal_size' has 0 KPIs under it") + kCountMessage);
  CHECK(four.size() == 4);

  // Three KGIs are allowed.
  const auto three =
      Lint(Replace(kClean, "kgi = revenue\n", "kgi = revenue, opportunities, win_rate\n"));
  CHECK(Of(three, "too_many_kgis").empty());
}

TEST_CASE("lint: kpi_count wants 3 to 5 KPIs directly under a KGI", "[lint]") {
  SECTION("2 children") {
    const auto f = Lint(Replace(kClean, "revenue = opportunities * win_rate * avg_deal_size",
                                "revenue = opportunities * win_rate"));
    REQUIRE(f.size() == 1);
    // At the tree entry of the KGI: its key, line 62 column 1.
    CheckFinding(f[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:62:1",
                 std::string("KGI 'revenue' has 2 KPIs under it") + kCountMessage);
  }
  SECTION("6 children") {
    // Metrics count as children too (deal_count, won_count, won_amount).
    const auto f = Lint(Replace(
        kClean, "revenue = opportunities * win_rate * avg_deal_size",
        "revenue = opportunities * win_rate * avg_deal_size * deal_count * won_count * won_amount"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:62:1",
                 std::string("KGI 'revenue' has 6 KPIs under it") + kCountMessage);
  }
  SECTION("only the KGI's direct children count") {
    // revenue has 2 children, one of which has 2 more: 4 KPIs in the tree, still 2 under the KGI.
    const auto f = Lint(Replace(kClean, "revenue = opportunities * win_rate * avg_deal_size\n",
                                "revenue = opportunities * avg_deal_size\n"
                                "opportunities = won_count / win_rate\n"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:62:1",
                 std::string("KGI 'revenue' has 2 KPIs under it") + kCountMessage);
  }
}

TEST_CASE("lint: missing_definition, missing_owner, missing_review, missing_target", "[lint]") {
  SECTION("missing_definition") {
    const auto f = Lint(Without(kClean, "[kpi win_rate]", "definition"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "missing_definition", LintSeverity::kWarning, "kpi.ini:40:1",
                 "KPI 'win_rate' has no definition text");
  }
  SECTION("missing_owner") {
    const auto f = Lint(Without(kClean, "[kpi opportunities]", "owner"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "missing_owner", LintSeverity::kWarning, "kpi.ini:30:1",
                 "KPI 'opportunities' has no owner (責任者)");
  }
  SECTION("missing_review") {
    const auto f = Lint(Without(kClean, "[kpi avg_deal_size]", "review"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "missing_review", LintSeverity::kWarning, "kpi.ini:50:1",
                 "KPI 'avg_deal_size' has no review frequency");
  }
  SECTION("missing_target") {
    const auto f = Lint(Without(kClean, "[kpi revenue]", "target"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "missing_target", LintSeverity::kWarning, "kpi.ini:20:1",
                 "KPI 'revenue' has no target");
  }
  SECTION("all four on one KPI, in rule order") {
    std::string text = kClean;
    for (const char* key : {"definition", "owner", "review", "target"}) {
      text = Without(text, "[kpi win_rate]", key);
    }
    const auto f = Lint(text);
    REQUIRE(f.size() == 4);
    CheckFinding(f[0], "missing_definition", LintSeverity::kWarning, "kpi.ini:40:1",
                 "KPI 'win_rate' has no definition text");
    CheckFinding(f[1], "missing_owner", LintSeverity::kWarning, "kpi.ini:40:1",
                 "KPI 'win_rate' has no owner (責任者)");
    CheckFinding(f[2], "missing_review", LintSeverity::kWarning, "kpi.ini:40:1",
                 "KPI 'win_rate' has no review frequency");
    CheckFinding(f[3], "missing_target", LintSeverity::kWarning, "kpi.ini:40:1",
                 "KPI 'win_rate' has no target");
  }
  SECTION("KPIs outside the tree are not checked") {
    // avg_deal_size leaves the tree (kpi_count then fires: 2 children), and its missing owner
    // is not reported.
    const auto f = Lint(Replace(Without(kClean, "[kpi avg_deal_size]", "owner"),
                                "revenue = opportunities * win_rate * avg_deal_size",
                                "revenue = opportunities * win_rate"));
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule == "kpi_count");
  }
}

TEST_CASE("lint: layer_mix wants a leading and a lagging KPI in the tree", "[lint]") {
  const std::string advice = "; pair leading (行動/先行) with lagging (成果/遅行) KPIs";
  SECTION("no leading") {
    // opportunities was the only leading KPI.
    const auto f = Lint(Replace(kClean, "layer = leading", "layer = process"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:61:7",
                 "the tree has no leading indicator" + advice);
  }
  SECTION("no lagging") {
    const auto f = Lint(Replace(kClean, "layer = lagging", "layer = process"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:61:7",
                 "the tree has no lagging indicator" + advice);
  }
  SECTION("neither") {
    const auto f = Lint(Replace(Replace(kClean, "layer = lagging", "layer = 中間"),
                                "layer = leading", "layer = process"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:61:7",
                 "the tree has no leading or lagging indicator" + advice);
  }
  SECTION("Japanese layer names count") {
    CHECK(Lint(Replace(Replace(kClean, "layer = lagging", "layer = 成果"), "layer = leading",
                       "layer = 先行"))
              .empty());
  }
  SECTION("only KPIs in the tree count") {
    // The leading KPI opportunities is no longer under the KGI.
    const auto f = Lint(Replace(kClean, "revenue = opportunities * win_rate * avg_deal_size",
                                "revenue = won_count * win_rate * avg_deal_size"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:61:7",
                 "the tree has no leading indicator" + advice);
  }
}

TEST_CASE("lint: stale_review after more than 90 days before as_of", "[lint]") {
  // kClean: avg_deal_size (quarterly) reviewed 2025-04-01, 90 days before 2025-06-30 → not stale.
  CHECK(Of(Lint(kClean), "stale_review").empty());

  // 2025-03-31 is 91 days before 2025-06-30 (1 + 30 + 31 + 29 days).
  const std::string old = Replace(kClean, "last_review = 2025-04-01", "last_review = 2025-03-31");
  const auto f = Lint(old);
  REQUIRE(f.size() == 1);
  CheckFinding(f[0], "stale_review", LintSeverity::kWarning, "kpi.ini:57:15",
               "KPI 'avg_deal_size' was last reviewed 2025-03-31 (91 days before 2025-06-30); "
               "it is reviewed quarterly, but every KPI is due for review within 90 days");

  // The age counts from the as_of given (--as-of overrides [crmkpi] as_of): a day earlier the
  // same review is 90 days old.
  CHECK(Lint(old, "2025-06-29").empty());
  // Without an as_of there is nothing to count from.
  CHECK(Lint(old, "").empty());

  // Without a review frequency the limit is the cap, 90 days (missing_review fires too).
  const auto none = Lint(Without(old, "[kpi avg_deal_size]", "review"));
  REQUIRE(Of(none, "stale_review").size() == 1);
  CHECK(Of(none, "stale_review")[0].message ==
        "KPI 'avg_deal_size' was last reviewed 2025-03-31 (91 days before 2025-06-30); review "
        "the set at least every 90 days");
}

TEST_CASE("lint: stale_review judges each KPI against its own review frequency", "[lint]") {
  // opportunities is reviewed weekly: 2 × 7 = 14 days. 2025-06-16 is 14 days before 2025-06-30.
  CHECK(Lint(Replace(kClean, "last_review = 2025-06-23", "last_review = 2025-06-16")).empty());
  const auto weekly = Lint(Replace(kClean, "last_review = 2025-06-23", "last_review = 2025-06-15"));
  REQUIRE(weekly.size() == 1);
  CheckFinding(weekly[0], "stale_review", LintSeverity::kWarning, "kpi.ini:37:15",
               "KPI 'opportunities' was last reviewed 2025-06-15 (15 days before 2025-06-30); it "
               "is reviewed weekly (every 7 days): due within 14 days");
  // The same review, daily (毎日: 2 days), in Japanese.
  const auto daily = Lint(Replace(Replace(kClean, "last_review = 2025-06-23",
                                          "last_review = 2025-06-27"),
                                  "review = weekly", "review = 毎日"));
  REQUIRE(daily.size() == 1);
  CHECK(daily[0].message ==
        "KPI 'opportunities' was last reviewed 2025-06-27 (3 days before 2025-06-30); it is "
        "reviewed 毎日 (every 1 day): due within 2 days");
  CHECK(Lint(Replace(Replace(kClean, "last_review = 2025-06-23", "last_review = 2025-06-28"),
                     "review = weekly", "review = 日次"))
            .empty());
}

TEST_CASE("lint: review frequency → days between reviews, and the stale limit", "[lint]") {
  struct Row {
    const char* review;
    std::optional<int> interval;
    int limit;
  };
  const Row rows[] = {
      {"daily", 1, 2},      {"毎日", 1, 2},       {"日次", 1, 2},
      {"weekly", 7, 14},    {"毎週", 7, 14},      {"週次", 7, 14},
      {"biweekly", 14, 28}, {"隔週", 14, 28},     {"monthly", 31, 62},
      {"毎月", 31, 62},     {"月次", 31, 62},     {"quarterly", 92, 90},
      {"四半期", 92, 90},   {"yearly", 366, 90},  {"毎年", 366, 90},
      {"年次", 366, 90},    {"", std::nullopt, 90}, {"Monthly", std::nullopt, 90},
      {"hourly", std::nullopt, 90}};
  for (const Row& r : rows) {
    INFO(r.review);
    CHECK(ReviewIntervalDays(r.review) == r.interval);
    CHECK(ReviewLimitOf(r.review).days == r.limit);
  }
  // Every accepted value has an interval, and the loader accepts exactly those.
  CHECK(ReviewFrequencies().size() == 16);
  for (const std::string& name : ReviewFrequencies()) CHECK(ReviewIntervalDays(name));
}

TEST_CASE("lint: target_without_deadline and deadline_passed", "[lint]") {
  SECTION("a target without a deadline, at the target") {
    const auto f = Lint(Without(kClean, "[kpi win_rate]", "deadline"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "target_without_deadline", LintSeverity::kWarning, "kpi.ini:42:10",
                 "KPI 'win_rate' has a target but no deadline; say by when it is due "
                 "(deadline = YYYY-MM-DD: SMART's T)");
  }
  SECTION("no target: missing_target only") {
    const auto f = Lint(Without(Without(kClean, "[kpi win_rate]", "deadline"), "[kpi win_rate]",
                                "target"));
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule == "missing_target");
  }
  SECTION("a deadline before as_of has passed; on as_of it has not") {
    const std::string passed =
        Replace(Without(kClean, "[kpi opportunities]", "deadline"), "[kpi revenue]\nformula = won_amount\ntarget = 1,000,000\ndeadline = 2025-09-30",
                "[kpi revenue]\nformula = won_amount\ntarget = 1,000,000\ndeadline = 2025-06-29");
    const auto f = Lint(passed);
    REQUIRE(f.size() == 2);
    CheckFinding(f[0], "deadline_passed", LintSeverity::kWarning, "kpi.ini:23:12",
                 "KPI 'revenue' was due 2025-06-29 (1 day before 2025-06-30); set the next "
                 "target and deadline, or retire the KPI");
    CHECK(f[1].rule == "target_without_deadline");
    CHECK(f[1].loc.ToString() == "kpi.ini:32:10");
    // Due on the as-of itself: not passed yet; without an as-of: not judged.
    CHECK(Of(Lint(passed, "2025-06-29"), "deadline_passed").empty());
    CHECK(Of(Lint(passed, ""), "deadline_passed").empty());
    CHECK(Of(Lint(passed, "2025-09-30"), "deadline_passed").size() == 1);
  }
  SECTION("[lint] turns them off") {
    const std::string text = Without(kClean, "[kpi win_rate]", "deadline") +
                             "\n[lint]\ntarget_without_deadline = off\n";
    CHECK(Lint(text).empty());
  }
}

TEST_CASE("lint: [lint] changes a rule's severity", "[lint]") {
  const std::string two = Replace(kClean, "revenue = opportunities * win_rate * avg_deal_size",
                                  "revenue = opportunities * win_rate");
  const std::string no_owner = Without(two, "[kpi opportunities]", "owner");
  REQUIRE(Lint(no_owner).size() == 2);  // kpi_count and missing_owner, both warnings

  // [lint] goes at the end, so no line above moves.
  const auto f = Lint(no_owner + "\n[lint]\nmissing_owner = error\nkpi_count = off\n");
  REQUIRE(f.size() == 1);
  CheckFinding(f[0], "missing_owner", LintSeverity::kError, "kpi.ini:30:1",
               "KPI 'opportunities' has no owner (責任者)");

  // The other way round: too_many_kgis down to a warning, missing_owner off.
  const auto g = Lint(Replace(no_owner, "kgi = revenue\n",
                              "kgi = revenue, opportunities, win_rate, avg_deal_size\n") +
                      "\n[lint]\ntoo_many_kgis = warning\nmissing_owner = off\nkpi_count = off\n");
  REQUIRE(g.size() == 1);
  CheckFinding(g[0], "too_many_kgis", LintSeverity::kWarning, "kpi.ini:61:7",
               "4 KGIs; fix at most three so that the organisation knows what matters");

  // Severity "error" on a rule that does not fail reports nothing.
  CHECK(Lint(std::string(kClean) + "\n[lint]\nstale_review = error\nlayer_mix = error\n").empty());
}

TEST_CASE("lint: without a [tree] every KPI is checked", "[lint]") {
  // Drop the tree (3 lines from line 60): layer_mix then speaks of the definition and has only
  // the file as its location.
  const std::string no_tree =
      Replace(Replace(kClean, "[tree]\nkgi = revenue\nrevenue = opportunities * win_rate * avg_deal_size\n", ""),
              "layer = leading", "layer = process");
  const auto f = Lint(Without(no_tree, "[kpi avg_deal_size]", "target"));
  REQUIRE(f.size() == 2);
  CheckFinding(f[0], "missing_target", LintSeverity::kWarning, "kpi.ini:50:1",
               "KPI 'avg_deal_size' has no target");
  CheckFinding(f[1], "layer_mix", LintSeverity::kWarning, "kpi.ini",
               "the definition has no leading indicator; pair leading (行動/先行) with lagging "
               "(成果/遅行) KPIs");
}

TEST_CASE("lint: handoff_unmeasured with two row sources and no duration or SLA", "[lint]") {
  // kClean has one source: nothing to hand off.
  CHECK(Of(Lint(kClean), "handoff_unmeasured").empty());
  const std::string two = Replace(kClean, "[metric deal_count]",
                                  "[source leads]\nfile = leads.csv\n\n[metric deal_count]");
  const auto f = Of(Lint(two), "handoff_unmeasured");
  REQUIRE(f.size() == 1);
  CHECK(f[0].loc.line == 7);  // [source leads]
  CHECK(f[0].message.find("2 row sources (deals, leads)") != std::string::npos);
  // A duration metric measures a handoff.
  const std::string timed = Replace(two, "[metric deal_count]",
                                    "[metric lead_time]\nsource = deals\ntype = avg\nduration = "
                                    "created..closed\n\n[metric deal_count]");
  CHECK(Of(Lint(timed), "handoff_unmeasured").empty());
}
