#include "crmkpi/evaluate/kpi_lint.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"

using namespace crmkpi;

namespace {

// A definition every rule passes: one KGI with 3 KPIs under it (3 to 5 is the rule), a leading
// and a lagging KPI, every KPI with definition, owner, review and target, and the oldest review
// (avg_deal_size, 2025-04-01) exactly 90 days before as_of 2025-06-30 (Apr 30 + May 31 + Jun 29
// days; "more than 90" is stale, 90 is not).
//
// Line numbers, used by the locations below (a section's location is its '[' at column 1; a
// value's is its first character: "kgi = " puts the value at column 7, "last_review = " at 15):
//   20 [kpi revenue]   29 [kpi opportunities]   38 [kpi win_rate]   47 [kpi avg_deal_size]
//   53 last_review of avg_deal_size              57 kgi = …          58 revenue = …
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
layer = lagging
owner = 営業本部長
review = monthly
last_review = 2025-06-02
definition = 受注金額の合計

[kpi opportunities]
formula = deal_count
target = 40
layer = leading
owner = インサイドセールス責任者
review = weekly
last_review = 2025-06-23
definition = 商談の件数

[kpi win_rate]
formula = won_count / deal_count
target = 25%
layer = process
owner = 営業部長
review = monthly
last_review = 2025-06-02
definition = 受注件数 ÷ 商談件数

[kpi avg_deal_size]
formula = won_amount / won_count
target = 100,000
layer = process
owner = 営業部長
review = monthly
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
  CheckFinding(kgis[0], "too_many_kgis", LintSeverity::kError, "kpi.ini:57:7",
               "4 KGIs; fix at most three so that the organisation knows what matters");
  REQUIRE(!four.empty());
  CHECK(four[0].rule == "too_many_kgis");  // reported first
  // The three KGIs without a breakdown also have 0 KPIs under them, located at the kgi value.
  const auto counts = Of(four, "kpi_count");
  REQUIRE(counts.size() == 3);
  CheckFinding(counts[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:57:7",
               std::string("KGI 'opportunities' has 0 KPIs under it") + kCountMessage);
  CheckFinding(counts[1], "kpi_count", LintSeverity::kWarning, "kpi.ini:57:7",
               std::string("KGI 'win_rate' has 0 KPIs under it") + kCountMessage);
  CheckFinding(counts[2], "kpi_count", LintSeverity::kWarning, "kpi.ini:57:7",
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
    // At the tree entry of the KGI: its key, line 58 column 1.
    CheckFinding(f[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:58:1",
                 std::string("KGI 'revenue' has 2 KPIs under it") + kCountMessage);
  }
  SECTION("6 children") {
    // Metrics count as children too (deal_count, won_count, won_amount).
    const auto f = Lint(Replace(
        kClean, "revenue = opportunities * win_rate * avg_deal_size",
        "revenue = opportunities * win_rate * avg_deal_size * deal_count * won_count * won_amount"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:58:1",
                 std::string("KGI 'revenue' has 6 KPIs under it") + kCountMessage);
  }
  SECTION("only the KGI's direct children count") {
    // revenue has 2 children, one of which has 2 more: 4 KPIs in the tree, still 2 under the KGI.
    const auto f = Lint(Replace(kClean, "revenue = opportunities * win_rate * avg_deal_size\n",
                                "revenue = opportunities * avg_deal_size\n"
                                "opportunities = won_count / win_rate\n"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "kpi_count", LintSeverity::kWarning, "kpi.ini:58:1",
                 std::string("KGI 'revenue' has 2 KPIs under it") + kCountMessage);
  }
}

TEST_CASE("lint: missing_definition, missing_owner, missing_review, missing_target", "[lint]") {
  SECTION("missing_definition") {
    const auto f = Lint(Without(kClean, "[kpi win_rate]", "definition"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "missing_definition", LintSeverity::kWarning, "kpi.ini:38:1",
                 "KPI 'win_rate' has no definition text");
  }
  SECTION("missing_owner") {
    const auto f = Lint(Without(kClean, "[kpi opportunities]", "owner"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "missing_owner", LintSeverity::kWarning, "kpi.ini:29:1",
                 "KPI 'opportunities' has no owner (データ責任者)");
  }
  SECTION("missing_review") {
    const auto f = Lint(Without(kClean, "[kpi avg_deal_size]", "review"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "missing_review", LintSeverity::kWarning, "kpi.ini:47:1",
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
    CheckFinding(f[0], "missing_definition", LintSeverity::kWarning, "kpi.ini:38:1",
                 "KPI 'win_rate' has no definition text");
    CheckFinding(f[1], "missing_owner", LintSeverity::kWarning, "kpi.ini:38:1",
                 "KPI 'win_rate' has no owner (データ責任者)");
    CheckFinding(f[2], "missing_review", LintSeverity::kWarning, "kpi.ini:38:1",
                 "KPI 'win_rate' has no review frequency");
    CheckFinding(f[3], "missing_target", LintSeverity::kWarning, "kpi.ini:38:1",
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
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:57:7",
                 "the tree has no leading indicator" + advice);
  }
  SECTION("no lagging") {
    const auto f = Lint(Replace(kClean, "layer = lagging", "layer = process"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:57:7",
                 "the tree has no lagging indicator" + advice);
  }
  SECTION("neither") {
    const auto f = Lint(Replace(Replace(kClean, "layer = lagging", "layer = 中間"),
                                "layer = leading", "layer = process"));
    REQUIRE(f.size() == 1);
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:57:7",
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
    CheckFinding(f[0], "layer_mix", LintSeverity::kWarning, "kpi.ini:57:7",
                 "the tree has no leading indicator" + advice);
  }
}

TEST_CASE("lint: stale_review after more than 90 days before as_of", "[lint]") {
  // kClean: avg_deal_size reviewed 2025-04-01, 90 days before 2025-06-30 → not stale.
  CHECK(Of(Lint(kClean), "stale_review").empty());

  // 2025-03-31 is 91 days before 2025-06-30 (1 + 30 + 31 + 29 days).
  const std::string old = Replace(kClean, "last_review = 2025-04-01", "last_review = 2025-03-31");
  const auto f = Lint(old);
  REQUIRE(f.size() == 1);
  CheckFinding(f[0], "stale_review", LintSeverity::kWarning, "kpi.ini:53:15",
               "KPI 'avg_deal_size' was last reviewed 2025-03-31 (91 days before 2025-06-30); "
               "review the set every 90 days");

  // The age counts from the as_of given (--as-of overrides [crmkpi] as_of): a day earlier the
  // same review is 90 days old.
  CHECK(Lint(old, "2025-06-29").empty());
  // Without an as_of there is nothing to count from.
  CHECK(Lint(old, "").empty());
}

TEST_CASE("lint: [lint] changes a rule's severity", "[lint]") {
  const std::string two = Replace(kClean, "revenue = opportunities * win_rate * avg_deal_size",
                                  "revenue = opportunities * win_rate");
  const std::string no_owner = Without(two, "[kpi opportunities]", "owner");
  REQUIRE(Lint(no_owner).size() == 2);  // kpi_count and missing_owner, both warnings

  // [lint] goes at the end, so no line above moves.
  const auto f = Lint(no_owner + "\n[lint]\nmissing_owner = error\nkpi_count = off\n");
  REQUIRE(f.size() == 1);
  CheckFinding(f[0], "missing_owner", LintSeverity::kError, "kpi.ini:29:1",
               "KPI 'opportunities' has no owner (データ責任者)");

  // The other way round: too_many_kgis down to a warning, missing_owner off.
  const auto g = Lint(Replace(no_owner, "kgi = revenue\n",
                              "kgi = revenue, opportunities, win_rate, avg_deal_size\n") +
                      "\n[lint]\ntoo_many_kgis = warning\nmissing_owner = off\nkpi_count = off\n");
  REQUIRE(g.size() == 1);
  CheckFinding(g[0], "too_many_kgis", LintSeverity::kWarning, "kpi.ini:57:7",
               "4 KGIs; fix at most three so that the organisation knows what matters");

  // Severity "error" on a rule that does not fail reports nothing.
  CHECK(Lint(std::string(kClean) + "\n[lint]\nstale_review = error\nlayer_mix = error\n").empty());
}

TEST_CASE("lint: without a [tree] every KPI is checked", "[lint]") {
  // Drop the tree (3 lines from line 56): layer_mix then speaks of the definition and has only
  // the file as its location.
  const std::string no_tree =
      Replace(Replace(kClean, "[tree]\nkgi = revenue\nrevenue = opportunities * win_rate * avg_deal_size\n", ""),
              "layer = leading", "layer = process");
  const auto f = Lint(Without(no_tree, "[kpi avg_deal_size]", "target"));
  REQUIRE(f.size() == 2);
  CheckFinding(f[0], "missing_target", LintSeverity::kWarning, "kpi.ini:47:1",
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
