#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/bind/stage_column.h"

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"

using namespace crmkpi;

TEST_CASE("default won and lost values, compared in normal form", "[stages]") {
  StageRules rules({});
  CHECK(rules.Lookup("Closed Won").cls == StageClass::kWon);
  CHECK(rules.Lookup("closedwon").cls == StageClass::kWon);
  CHECK(rules.Lookup(" CLOSED_WON ").cls == StageClass::kWon);
  CHECK(rules.Lookup("受注").cls == StageClass::kWon);
  CHECK(rules.Lookup("Lost").cls == StageClass::kLost);
  CHECK(rules.Lookup("失注").cls == StageClass::kLost);
  CHECK(rules.Lookup("Negotiation").cls == StageClass::kOpen);
  CHECK(rules.Lookup("").cls == StageClass::kOpen);
  CHECK_FALSE(rules.has_funnel());
}

TEST_CASE("explicit won and lost values replace the defaults", "[stages]") {
  StageConfig c;
  c.won = {"Signed"};
  c.lost = {"Dead", "No decision"};
  StageRules rules(c);
  CHECK(rules.Lookup("signed").cls == StageClass::kWon);
  CHECK(rules.Lookup("won").cls == StageClass::kOpen);
  CHECK(rules.Lookup("no_decision").cls == StageClass::kLost);
}

TEST_CASE("funnel position and the lost-deal policy", "[stages]") {
  StageConfig c;
  c.order = {"lead", "qualified", "proposal", "won"};
  c.opportunity_stage = "Qualified";
  {
    StageRules rules(c);
    REQUIRE(rules.has_funnel());
    CHECK(rules.Lookup("lead").reached == Reached::kNo);
    CHECK(rules.Lookup("qualified").reached == Reached::kYes);
    CHECK(rules.Lookup("Proposal").reached == Reached::kYes);
    CHECK(rules.Lookup("won").reached == Reached::kYes);
    CHECK(rules.Lookup("lost").reached == Reached::kLostUnknown);
    CHECK(rules.Lookup("on hold").reached == Reached::kUnknownStage);
  }
  c.lost_reached = LostReached::kOpportunity;
  CHECK(StageRules(c).Lookup("lost").reached == Reached::kYes);
  c.lost_reached = LostReached::kLead;
  CHECK(StageRules(c).Lookup("lost").reached == Reached::kNo);
}

TEST_CASE("stage configuration errors are usage errors", "[stages]") {
  StageConfig no_order;
  no_order.opportunity_stage = "qualified";
  CHECK_THROWS_WITH(StageRules(no_order), "--opportunity-stage needs --stages (the pipeline order)");
  StageConfig absent;
  absent.order = {"a", "b"};
  absent.opportunity_stage = "c";
  CHECK_THROWS_WITH(StageRules(absent), "--opportunity-stage 'c' is not one of --stages");
  StageConfig both;
  both.won = {"done"};
  both.lost = {"Done"};
  CHECK_THROWS_WITH(StageRules(both), "stage value 'done' is given as both won and lost");
  StageConfig twice;
  twice.order = {"a", "A"};
  CHECK_THROWS_WITH(StageRules(twice), "--stages: stage 'A' is listed twice");
}

TEST_CASE("stage ids are dense, in order of first lookup, one per raw value", "[stages]") {
  StageRules rules({});
  CHECK(rules.Lookup("won").id == 0);
  CHECK(rules.Lookup("Negotiation").id == 1);
  CHECK(rules.Lookup("won").id == 0);
  CHECK(rules.Lookup(" Won").id == 2);  // another raw value, the same class
  CHECK(rules.Lookup(" Won").cls == StageClass::kWon);
  CHECK(rules.Lookup("Negotiation").id == 1);
}

namespace crmkpi {
namespace {

TEST_CASE("default stage words of each CRM and language; bracketed qualifiers", "[stages]") {
  StageRules rules(StageConfig{});
  for (const char* won : {"Closed Won", "Closed won", "Won", "受注", "成約", "成立", "受注済み", "契約",
                          "Cerrada-Ganada", "Ganho", "Gewonnen", "Gagnée", "Geschlossen und gewonnen",
                          "Fermée gagnée"}) {
    INFO(won);
    CHECK(rules.Lookup(won).cls == StageClass::kWon);
  }
  for (const char* lost : {"Closed Lost", "Closed-Lost to Competition", "Lost", "失注", "不成立",
                           "見送り", "失注（競合）", "Lost (price)", "Cerrada-Perdida", "Perdido",
                           "Verloren", "Perdue"}) {
    INFO(lost);
    CHECK(rules.Lookup(lost).cls == StageClass::kLost);
  }
  for (const char* open : {"Prospecting", "提案", "(won)", "Won later", "Qualify", "Close"}) {
    INFO(open);
    CHECK(rules.Lookup(open).cls == StageClass::kOpen);
  }
}

TEST_CASE("the stage column is chosen by its values", "[stages]") {
  const std::vector<std::string> header = {"Topic", "Sales Stage", "Status", "Est. Revenue"};
  const RoleBinding roles = BindRoles(header, {}, "d.csv");
  REQUIRE(roles[Role::kStage] == 1);  // the header's choice
  const std::vector<int> candidates = StageCandidates(header, roles);
  CHECK(candidates == std::vector<int>{1, 2});
  StageRules rules(StageConfig{});
  // Dynamics: Sales Stage never won or lost, Status is.
  StageColumnChoice c = ChooseStageColumn(
      header, roles, candidates, {{"Qualify", "Close", "Close"}, {"Open", "Won", "Lost"}}, 3, rules);
  CHECK(c.column == 2);
  CHECK(c.changed);
  CHECK_THAT(c.warning, Catch::Contains("'Sales Stage' has no won or lost value in the first 3 rows") &&
                            Catch::Contains("'Close' (2)") && Catch::Contains("--map stage='Sales Stage'"));
  // When the header's column has won or lost values, it stays, silently.
  c = ChooseStageColumn(header, roles, candidates, {{"Won", "Close"}, {"Won", "Lost"}}, 2, rules);
  CHECK(c.column == 1);
  CHECK_FALSE(c.changed);
  CHECK(c.warning.empty());
  // No column has a terminal value: the values seen and the flags that fix it.
  c = ChooseStageColumn(header, roles, candidates, {{"A", "B"}, {"x", ""}}, 2, rules);
  CHECK(c.column == 1);
  CHECK_THAT(c.warning, Catch::Contains("every deal counts as open") && Catch::Contains("--won"));
  // A stage given with --map is kept.
  const RoleBinding mapped = BindRoles(header, {{Role::kStage, "Sales Stage"}}, "d.csv");
  c = ChooseStageColumn(header, mapped, candidates, {{"Qualify"}, {"Won"}}, 1, rules);
  CHECK(c.column == 1);
  CHECK_FALSE(c.changed);
  // No stage header at all ("Verkaufsstufe", not one of the stage names): the candidate with
  // won/lost values.
  const std::vector<std::string> de = {"Name", "Verkaufsstufe", "Betrag"};
  const RoleBinding de_roles = BindRoles(de, {}, "de.csv");
  REQUIRE_FALSE(de_roles.has(Role::kStage));
  c = ChooseStageColumn(de, de_roles, StageCandidates(de, de_roles), {{"Gewonnen", "Verloren"}}, 2,
                        rules);
  CHECK(c.column == 1);
  CHECK(c.changed);
}

}  // namespace
}  // namespace crmkpi

namespace crmkpi {
namespace {

TEST_CASE("boolean won/closed columns decide over the stage words", "[stages]") {
  StageRules rules(StageConfig{});
  const StageInfo signed_info = rules.Lookup("Signed");  // not a default word: open
  REQUIRE(signed_info.cls == StageClass::kOpen);
  CHECK(rules.WithFlags(signed_info, true, true).cls == StageClass::kWon);
  CHECK(rules.WithFlags(signed_info, false, true).cls == StageClass::kLost);
  CHECK(rules.WithFlags(signed_info, std::nullopt, true).cls == StageClass::kLost);
  const StageInfo won = rules.Lookup("Closed Won");
  CHECK(rules.WithFlags(won, false, false).cls == StageClass::kOpen);
  CHECK(rules.WithFlags(won, false, std::nullopt).cls == StageClass::kOpen);
  CHECK(rules.WithFlags(won, std::nullopt, std::nullopt).cls == StageClass::kWon);
  CHECK(rules.WithFlags(won, true, true).reached == Reached::kYes);
  CHECK(ParseFlag(" TRUE ") == true);
  CHECK(ParseFlag("0") == false);
  CHECK(ParseFlag("いいえ") == false);
  CHECK_FALSE(ParseFlag("").has_value());
  CHECK_FALSE(ParseFlag("maybe").has_value());
}

}  // namespace
}  // namespace crmkpi
