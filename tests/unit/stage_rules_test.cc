#include "crmkpi/bind/stage_rules.h"

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
