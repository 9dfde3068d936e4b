// The inputs of `crmkpi roi` (crmkpi/roi_settings.h): rates as "10%" or "0.1", flags and [roi]
// keys merged into one checked setting, and the errors (exit 2) for bad input, with the flag or
// file:line:col.
#include "crmkpi/definition/roi_settings.h"

#include <string>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "temp_dir.h"

namespace crmkpi {
namespace {

RoiFlags Flags(std::map<std::string, std::vector<std::string>> values) {
  RoiFlags f;
  f.values = std::move(values);
  return f;
}

// The message (with location) of the usage error LoadRoiSettings throws.
std::string ErrorOf(const RoiFlags& flags) {
  try {
    LoadRoiSettings(flags);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  FAIL("no error");
  return {};
}

TEST_CASE("ROI rates accept 10% or 0.1", "[roi]") {
  CHECK(*ParseRateText("10%", "x", {}) == Approx(0.1));
  CHECK(*ParseRateText("0.1", "x", {}) == 0.1);
  CHECK(*ParseRateText("12.5 %", "x", {}) == 0.125);
  CHECK(*ParseRateText("150%", "x", {}) == 1.5);
  CHECK(*ParseRateText("1", "x", {}) == 1.0);
  CHECK(*ParseRateText("0", "x", {}) == 0.0);
  CHECK_FALSE(ParseRateText("abc", "x", {}));
  CHECK_FALSE(ParseRateText("", "x", {}));
  CHECK_FALSE(ParseRateText("1.2.3", "x", {}));
  CHECK_THROWS_WITH(ParseRateText("-5%", "--cost-risk", {}),
                    "--cost-risk: must not be negative, got '-5%'");
  // 10 is ambiguous (10 % or 1,000 %?): refused with the fix.
  CHECK_THROWS_WITH(ParseRateText("10", "--discount-rate", {}),
                    Catch::Contains("10 would be 1000 %; write 10% for 10 per cent"));
}

TEST_CASE("ROI flags: simple mode", "[roi]") {
  const RoiSettings s = LoadRoiSettings(Flags({{"cost", {"12,000"}}, {"gain", {"¥75,000"}}}));
  CHECK(s.simple);
  REQUIRE(s.cost);
  CHECK(*s.cost->items.at(0).number == 12000.0);
  CHECK(*s.gain->items.at(0).number == 75000.0);
  CHECK(s.attribution_share.value == 1.0);
  CHECK(s.attribution_share.from == "default");
}

TEST_CASE("ROI flags: cash-flow mode, periods and horizon", "[roi]") {
  RoiSettings s = LoadRoiSettings(Flags({{"initial_cost", {"53150"}},
                                         {"cost_per_year", {"666715", "636772", "647783"}},
                                         {"gain_per_year", {"1,606,511; 3,061,331; 4,229,760"}},
                                         {"discount_rate", {"10%"}},
                                         {"benefit_risk", {"0.1"}}}));
  CHECK_FALSE(s.simple);
  CHECK(s.period == RoiPeriod::kYear);
  CHECK(s.horizon == 3);
  CHECK(s.horizon_from == "default");
  REQUIRE(s.recurring_cost);
  CHECK(s.recurring_cost->items.size() == 3);
  CHECK(*s.recurring_gain->items.at(2).number == 4229760.0);
  CHECK(s.discount_rate.value == Approx(0.1));
  CHECK(s.discount_rate.from == "--discount-rate");
  CHECK(s.benefit_risk.value == 0.1);

  // Monthly flows: the default horizon is 3 years = 36 months; --years 2 = 24 months.
  s = LoadRoiSettings(Flags({{"cost_per_month", {"100"}}, {"gain_per_month", {"300"}}}));
  CHECK(s.period == RoiPeriod::kMonth);
  CHECK(s.horizon == 36);
  s = LoadRoiSettings(Flags({{"gain_per_month", {"300"}}, {"years", {"2"}}}));
  CHECK(s.horizon == 24);
  // Yearly flows with a horizon in whole years' months.
  s = LoadRoiSettings(Flags({{"gain_per_year", {"300"}}, {"months", {"24"}}}));
  CHECK(s.period == RoiPeriod::kYear);
  CHECK(s.horizon == 2);
}

TEST_CASE("ROI flags: bad input is a usage error naming the flag", "[roi]") {
  CHECK(ErrorOf(Flags({{"cost", {"abc"}}, {"gain", {"1"}}})) ==
        "--cost: expected a number (e.g. 12000, 12,000 or ¥12,000), got 'abc'");
  CHECK(ErrorOf(Flags({{"cost", {"-5"}}, {"gain", {"1"}}})) ==
        "--cost: a cost must not be negative, got '-5'");
  CHECK(ErrorOf(Flags({{"cost", {"5"}}})) == "--cost needs a gain too (--gain)");
  CHECK(ErrorOf(Flags({{"initial_cost", {"5"}}, {"years", {"-3"}}})) ==
        "--years: must not be negative, got '-3' (the horizon counts forward)");
  CHECK(ErrorOf(Flags({{"initial_cost", {"5"}}, {"months", {"0"}}})) ==
        "--months: must be at least 1, got 0");
  CHECK(ErrorOf(Flags({{"initial_cost", {"5"}}, {"years", {"2.5"}}})) ==
        "--years: expected a whole number, got '2.5'");
  CHECK(ErrorOf(Flags({{"cost_per_month", {"1"}}, {"cost_per_year", {"12"}}})) ==
        "--cost-per-month and --cost-per-year: give one of them, not both");
  CHECK_THAT(ErrorOf(Flags({{"cost_per_month", {"1"}}, {"gain_per_year", {"12"}}})),
             Catch::Contains("give the costs and the gains for the same period"));
  CHECK(ErrorOf(Flags({{"initial_cost", {"5"}}, {"months", {"3"}}, {"years", {"1"}}})) ==
        "--months and --years: give one of them, not both");
  CHECK_THAT(
      ErrorOf(Flags({{"cost", {"5"}}, {"gain", {"6"}}, {"years", {"1"}}})),
      Catch::Contains("--cost (simple mode: one cost, one gain) cannot be combined with --years"));
  CHECK(ErrorOf(Flags({{"initial_cost", {"5"}}, {"discount_rate", {"-10%"}}})) ==
        "--discount-rate: must not be negative, got '-10%'");
  CHECK(ErrorOf(Flags({{"initial_cost", {"5"}}, {"benefit_risk", {"120%"}}})) ==
        "--benefit-risk: must be at most 100 %, got '120%'");
  CHECK(ErrorOf(Flags({{"initial_cost", {"5"}}, {"cost_risk", {"x"}}})) ==
        "--cost-risk: expected a rate such as 10% or 0.1, got 'x'");
  CHECK(ErrorOf(Flags({{"gain_per_year", {"1;2"}}})) ==
        "--gain-per-year: 2 values; give one value for every period or one per period (3 years)");
  CHECK_THAT(ErrorOf(Flags({{"gain_per_year", {"1"}}, {"months", {"18"}}})),
             Catch::Contains("18 months is not a whole number of years"));
  CHECK_THAT(ErrorOf(Flags({{"cost", {"1"}}, {"gain", {"2"}}, {"deal_size", {"5"}}})),
             Catch::Contains("--deal-size needs the margin rate too"));
  CHECK(ErrorOf(Flags({{"cost", {"1"}}, {"gain", {"2"}}, {"margin_rate", {"0"}}})) ==
        "--margin-rate: the margin rate must be above 0, got '0'");
  CHECK_THAT(ErrorOf(Flags({{"cost", {"1"}}, {"gain", {"2"}}, {"margin_rate", {"30"}}})),
             Catch::Contains("30 would be 3000 %"));
  CHECK_THAT(ErrorOf(Flags({})), Catch::StartsWith("nothing to compute"));
  RoiFlags sides = Flags({{"cost", {"1"}}, {"gain", {"2"}}});
  sides.before_sources = {"deals=old.csv"};
  CHECK_THAT(ErrorOf(sides), Catch::StartsWith("--before-source deals=old.csv: the exports of a "
                                               "before/after run need a KPI definition"));
}

TEST_CASE("ROI INI: formulas over KPIs before and after, constants, flags override", "[roi]") {
  TempDir dir;
  dir.Write("kpi.ini",
            "[source deals]\nfile = deals.csv\n"
            "[metric won_amount]\nsource = deals\ntype = sum\ncolumn = amount\n"
            "[constant gross_margin]\nvalue = 40%\n"
            "[kpi revenue]\nformula = won_amount\n");
  const std::string roi =
      dir.Write("roi.ini",
                "[roi]\n"
                "definition = kpi.ini\n"
                "before.deals = old.csv\n"
                "after.deals = new.csv\n"
                "constant.hours = 10\n"
                "gain_per_year = (revenue_after - revenue_before) * gross_margin + hours * 3000\n"
                "initial_cost = 1,000\n"
                "years = 2\n"
                "attribution_share = 60%\n");
  RoiFlags f;
  f.config = roi;
  RoiSettings s = LoadRoiSettings(f);
  CHECK(s.definition == dir.path() + "/kpi.ini");
  CHECK(s.before_sources.at("deals") == dir.path() + "/old.csv");
  CHECK(s.after_sources.at("deals") == dir.path() + "/new.csv");
  CHECK(s.before_ids == std::set<std::string>{"revenue"});
  CHECK(s.after_ids == std::set<std::string>{"revenue"});
  CHECK(s.constants.at("gross_margin") == 0.4);
  CHECK(s.constants.at("hours") == 10.0);
  CHECK(s.horizon == 2);
  CHECK(s.attribution_share.value == Approx(0.6));
  CHECK(s.attribution_share.from == roi + ":9");
  REQUIRE(s.recurring_gain);
  const RoiAmount& gain = s.recurring_gain->items.at(0);
  CHECK(gain.formula);
  REQUIRE(gain.terms.size() == 2);
  CHECK(gain.terms[0].text == "(revenue_after - revenue_before) * gross_margin");
  CHECK(gain.terms[1].text == "hours * 3000");
  CHECK(*s.initial_cost->items.at(0).number == 1000.0);

  // A flag replaces the INI key; --after-source the INI's after.deals.
  f.values["years"] = {"3"};
  f.after_sources = {"deals=other.csv"};
  s = LoadRoiSettings(f);
  CHECK(s.horizon == 3);
  CHECK(s.horizon_from == "--years");
  CHECK(s.after_sources.at("deals") == "other.csv");
}

TEST_CASE("ROI INI: errors point at file:line:col", "[roi]") {
  TempDir dir;
  dir.Write("kpi.ini",
            "[source deals]\nfile = deals.csv\n"
            "[metric won]\nsource = deals\n"
            "[kpi revenue]\nformula = won\n");
  auto error = [&](const std::string& body) {
    RoiFlags f;
    f.config = dir.Write("roi.ini", "[roi]\ndefinition = kpi.ini\n" + body);
    const std::string prefix = f.config + ":";
    std::string e = ErrorOf(f);
    if (e.rfind(prefix, 0) == 0) e = e.substr(prefix.size());
    return e;
  };
  CHECK(error("gain = revenue_aftr\ncost = 1\n") ==
        "3:8: gain: unknown name 'revenue_aftr' (did you mean 'revenue_after'?); formulas use "
        "constants and the definition's metrics, constants and KPIs as ID_before / ID_after");
  CHECK_THAT(error("gain_per_mnth = 5\n"),
             Catch::StartsWith("3:1: unknown key 'gain_per_mnth' in [roi] (did you mean "
                               "'gain_per_month'?)"));
  CHECK(error("before.dealz = x.csv\ngain = 1\ncost = 1\n") ==
        "3:1: before.dealz: the definition " + dir.path() +
            "/kpi.ini has no source or lookup 'dealz' (did you mean 'deals'?); it has: deals");
  CHECK(error("gain = (revenue_after -\ncost = 1\n") == "3:24: gain: unexpected end of formula");
  CHECK(error("gain_per_year = 1; x +; 3\n") ==
        "3:23: gain_per_year (value 2): unexpected end of formula");
  CHECK(error("cost = 1\ngain = 2\nconstant.seats = abc\n") ==
        "5:18: constant.seats: expected a number (e.g. 4,500 or 35%), got 'abc'");
  CHECK(error("cost = 1\ngain = 2\nmargin_rate = 150%\n") ==
        "5:15: margin_rate: the margin rate must be at most 100 %, got '150%'");
  CHECK_THAT(error("cost = 1\ngain = 2\n[kpi x]\nformula = 1\n"),
             Catch::StartsWith("5:1: unknown section [kpi]; an ROI file has one [roi] section"));

  RoiFlags missing;
  missing.config = dir.path() + "/nope.ini";
  CHECK(ErrorOf(missing) == dir.path() + "/nope.ini: cannot open the ROI settings");
}

}  // namespace
}  // namespace crmkpi
