// The long result (docs/scale.md): written from a MetricRun (write/long_result_writer.h) and
// read back against the definition (engine/long_result_reader.h) — values, kinds of number,
// n/a, exclusions, groupings, the as-of — and each way a result can fail to fit.
#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/engine/long_result_reader.h"
#include "crmkpi/write/long_result_writer.h"

namespace crmkpi {
namespace {

std::vector<MetricDef> Metrics() {
  MetricDef won;
  won.id = "won";
  won.by = {{"owner"}};
  won.period = Period::kMonth;
  MetricDef amount;
  amount.id = "amount";
  amount.aggregation = Aggregation::kSum;
  amount.columns = {"amount"};
  MetricDef avg;
  avg.id = "avg_amount";
  avg.aggregation = Aggregation::kAvg;
  avg.columns = {"amount"};
  MetricDef sla;
  sla.id = "sla";
  sla.aggregation = Aggregation::kSla;
  sla.duration_from = "created";
  sla.duration_to = "closed";
  return {won, amount, avg, sla};
}

const char* kHeader =
    "metric,group_by,owner,period,period_start,period_end,value,numerator,denominator,n,"
    "censored,reason,currency,excluded\n";

std::string Valid() {
  return std::string(kHeader) +
         "won,,,,,,3,,,3,,,,\n"
         "won,period,,2024-01,2024-01-01,2024-01-31,1,,,1,,,,\n"
         "won,period,,2024-02,2024-02-01,2024-02-29,2,,,2,,,,\n"
         "won,owner+period,Sato,2024-01,,,1,,,1,,,,\n"
         "won,owner+period,,2024-02,,,2,,,2,,,,\n"
         "amount,,,,,,1234.5,,,2,,,JPY,missing_value=1;invalid_value=2\n"
         "avg_amount,,,,,,,,,0,,EMPTY,,\n"
         "sla,,,,,,0.5,1,2,2,,,,pending=1\n";
}

int CodeOf(const std::string& text) {
  try {
    ParseLongResult(text, "long.csv", Metrics(), "");
  } catch (const Error& e) {
    return static_cast<int>(e.code());
  }
  return 0;
}

std::string MessageOf(const std::string& text) {
  try {
    ParseLongResult(text, "long.csv", Metrics(), "");
  } catch (const Error& e) {
    return e.Formatted();
  }
  return "";
}

TEST_CASE("long result: a CSV is read into the metric run the engine would make") {
  const LongResult r = ParseLongResult(Valid(), "long.csv", Metrics(), "");
  REQUIRE(r.run.metrics.size() == 4);
  const MetricResult& won = r.run.metrics[0];
  CHECK(won.id == "won");
  CHECK(won.total.value->ToString() == "3");
  REQUIRE(won.groupings.size() == 2);
  CHECK(won.groupings[0].keys == std::vector<std::string>{"period"});
  CHECK(won.groupings[1].keys == std::vector<std::string>{"owner", "period"});
  REQUIRE(won.groupings[1].rows.size() == 2);
  // Sorted by values: the empty owner (its own group) before Sato.
  CHECK(won.groupings[1].rows[0].first == std::vector<std::string>{"", "2024-02"});
  CHECK(won.groupings[1].rows[1].first == std::vector<std::string>{"Sato", "2024-01"});
  CHECK(r.run.period_bounds.at("2024-02") == std::make_pair(std::string("2024-02-01"),
                                                            std::string("2024-02-29")));
  const MetricCell& amount = r.run.metrics[1].total;
  CHECK(amount.value->fixed);  // money: exact
  CHECK(amount.value->units == 12345000);
  CHECK(amount.currency == "JPY");
  CHECK(amount.excluded == std::vector<std::pair<std::string, std::uint64_t>>{
                               {"missing_value", 1}, {"invalid_value", 2}});
  const MetricCell& avg = r.run.metrics[2].total;
  CHECK_FALSE(avg.value.has_value());  // n/a, not 0
  CHECK(avg.reason == "EMPTY");
  const MetricCell& sla = r.run.metrics[3].total;
  CHECK_FALSE(sla.value->fixed);  // a ratio: a double
  CHECK(sla.value->real == 0.5);
  CHECK(sla.numerator->fixed);  // met: a count
  CHECK(sla.denominator->ToString() == "2");
  CHECK_FALSE(r.run.data_as_of.has_value());
}

TEST_CASE("long result: written and read back, CSV and JSON alike") {
  const LongResult first = ParseLongResult(Valid(), "long.csv", Metrics(), "");
  for (const bool json : {false, true}) {
    const std::string text = json ? WriteLongResultJson(Metrics(), first.run, "2024-03-31")
                                  : WriteLongResultCsv(Metrics(), first.run, "2024-03-31");
    const LongResult again = ParseLongResult(text, json ? "long.json" : "long.csv", Metrics(), "");
    CHECK(WriteLongResultCsv(Metrics(), again.run, again.data_as_of) ==
          WriteLongResultCsv(Metrics(), first.run, "2024-03-31"));
    CHECK(again.data_as_of == "2024-03-31");
    REQUIRE(again.run.data_as_of.has_value());
  }
}

TEST_CASE("long result: the writer keeps every key's text and quotes as CSV must") {
  MetricRun run;
  MetricResult m;
  m.id = "won";
  m.total.value = Num::Count(2);
  m.total.n = 2;
  MetricGrouping g;
  g.keys = {"owner", "period"};
  MetricCell c;
  c.value = Num::Real(1.0 / 3);
  c.n = 1;
  g.rows.push_back({{"=Sato, K", "2024-01"}, c});
  m.groupings = {{}, g};
  m.groupings[0].keys = {"period"};
  run.metrics = {m};
  const std::string csv = WriteLongResultCsv(Metrics(), run, "");
  // Not neutralised for spreadsheets (a program reads it): "=Sato, K" stays as written.
  CHECK(csv.find("won,owner+period,\"=Sato, K\",2024-01,,,0.3333333333333333,,,1,,,,\n") !=
        std::string::npos);
}

TEST_CASE("long result: a result that does not fit the definition is refused") {
  // An unknown metric (a usage error: the result is of another definition), with a suggestion.
  std::string t = Valid() + "wonn,,,,,,1,,,1,,,,\n";
  CHECK(CodeOf(t) == 2);
  CHECK(MessageOf(t).find("long.csv:10:1: metric: 'wonn' is not a metric of the definition "
                          "(did you mean 'won'?)") != std::string::npos);
  // A metric without its total row.
  t = std::string(kHeader) + "won,,,,,,3,,,3,,,,\n";
  CHECK(CodeOf(t) == 2);
  CHECK(MessageOf(t).find("metric 'won' has no rows for its grouping 'period'") !=
        std::string::npos);
  t = Valid();
  t.erase(t.find("sla,,"));
  CHECK(CodeOf(t) == 2);
  CHECK(MessageOf(t).find("metric 'sla' of the definition has no row") != std::string::npos);
  // A grouping the metric has not.
  t = Valid() + "amount,owner,Sato,,,,5,,,1,,,,\n";
  CHECK(CodeOf(t) == 2);
  CHECK(MessageOf(t).find("long.csv:10:8: group_by: 'owner' is not a grouping of metric "
                          "'amount' (it has only its total") != std::string::npos);
  // A non-number, at its column.
  t = Valid() + "won,owner+period,Ito,2024-01,,,three,,,1,,,,\n";
  CHECK(CodeOf(t) == 3);
  CHECK(MessageOf(t).find("long.csv:10:32: value: 'three' is not a number") != std::string::npos);
  t = Valid() + "won,owner+period,Ito,2024-01,,,1,,,1.5,,,,\n";
  CHECK(CodeOf(t) == 3);
  CHECK(MessageOf(t).find("n: '1.5' is not a whole number") != std::string::npos);
  t = Valid() + "won,owner+period,Ito,2024-01,,,1,,,1,,,,missing\n";
  CHECK(CodeOf(t) == 3);
  // A duplicate row, naming the first.
  t = Valid() + "won,owner+period,Sato,2024-01,,,1,,,1,,,,\n";
  CHECK(CodeOf(t) == 3);
  CHECK(MessageOf(t).find("a second row for the same group (the first is at line 5)") !=
        std::string::npos);
  // A reason beside a value, a header without a fixed column, a row of another width.
  t = Valid() + "won,owner+period,Ito,2024-01,,,1,,,1,,EMPTY,,\n";
  CHECK(CodeOf(t) == 3);
  CHECK(CodeOf("metric,group_by,value\nwon,,1\n") == 3);
  CHECK(CodeOf(Valid() + "won,owner+period,Ito\n") == 3);
  // A key column a grouping needs is missing from the header.
  t = Valid();
  std::string no_owner;
  for (std::size_t at = 0, end; at < t.size(); at = end + 1) {
    end = t.find('\n', at);
    std::string line = t.substr(at, end - at);
    const std::size_t second = line.find(',', line.find(',') + 1);
    line.erase(second, line.find(',', second + 1) - second);
    no_owner += line + "\n";
  }
  CHECK(CodeOf(no_owner) == 2);
}

TEST_CASE("long result: JSON is parsed strictly, with locations") {
  const std::vector<MetricDef> one = {Metrics()[1]};
  const char* ok = R"({"schema_version":1,"as_of":null,"key_columns":["period"],"rows":[
{"metric":"amount","group_by":"","period":null,"value":12.5,"n":2,"excluded":{"missing_value":1},
 "currency":"\u5186"}]})";
  const LongResult r = ParseLongResult(ok, "long.json", one, "");
  CHECK(r.run.metrics[0].total.value->ToString() == "12.5");
  CHECK(r.run.metrics[0].total.currency == "円");
  CHECK(r.run.metrics[0].total.excluded.front().second == 1);
  auto code = [&](const std::string& text) {
    try {
      ParseLongResult(text, "long.json", one, "");
    } catch (const Error& e) {
      return static_cast<int>(e.code());
    }
    return 0;
  };
  CHECK(code(R"({"rows":[{"metric":"amount","group_by":"","value":"12","n":1}]})") == 3);
  CHECK(code(R"({"rows":[{"metric":"amount","group_by":"","value":true,"n":1}]})") == 3);
  CHECK(code(R"({"rows":[{"metric":"amount","group_by":"","value":1,"n":1}]} x)") == 3);
  CHECK(code(R"({"rows":[{"metric":"amount","group_by":"","value":1,"value":2,"n":1}]})") == 3);
  CHECK(code(R"({"rows":[{"metric":"amount","group_by":"","value":1,"n":1})") == 3);
  try {
    ParseLongResult("{\"rows\":[\n  {\"metric\":\"amount\",\"group_by\":\"\",\"value\":01x}]}",
                    "long.json", one, "");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.loc().line == 2);
  }
}

}  // namespace
}  // namespace crmkpi

namespace crmkpi {
namespace {

TEST_CASE("long result: a key named like a fixed column, and every currency of a mix") {
  MetricDef deals;
  deals.id = "deals";
  deals.source = "s";
  deals.by = {{"currency"}};
  MetricDef amount;
  amount.id = "amount";
  amount.source = "s";
  amount.aggregation = Aggregation::kSum;
  amount.columns = {"amount"};
  const std::vector<MetricDef> defs = {deals, amount};
  MetricRun run;
  MetricResult d;
  d.id = "deals";
  d.total.value = Num::Count(3);
  d.total.n = 3;
  MetricGrouping by;
  by.keys = {"currency"};
  MetricCell one;
  one.value = Num::Count(1);
  one.n = 1;
  by.rows = {{{""}, one}, {{"EUR"}, one}, {{"USD"}, one}};
  d.groupings = {by};
  MetricResult a;
  a.id = "amount";
  a.total.n = 3;
  a.total.reason = "MIXED_CURRENCIES";
  a.total.currencies = {"", "EUR", "USD"};
  a.groupings = {by};  // the per-currency grouping the definition does not spell
  run.metrics = {d, a};
  const std::string csv = WriteLongResultCsv(defs, run, "");
  CHECK(csv.rfind("metric,group_by,group.currency,period,", 0) == 0);
  CHECK(csv.find("amount,,,,,,,,,3,,MIXED_CURRENCIES,+EUR+USD,\n") != std::string::npos);
  for (const bool json : {false, true}) {
    const std::string text = json ? WriteLongResultJson(defs, run, "") : csv;
    const LongResult back = ParseLongResult(text, "long", defs, "");
    CHECK(back.run.metrics[1].total.currencies == std::vector<std::string>{"", "EUR", "USD"});
    REQUIRE(back.run.metrics[1].groupings.size() == 1);
    CHECK(back.run.metrics[1].groupings[0].rows.size() == 3);
    CHECK(back.run.metrics[0].groupings[0].rows[1].first == std::vector<std::string>{"EUR"});
  }
}

}  // namespace
}  // namespace crmkpi

namespace crmkpi {
namespace {

TEST_CASE("long result: a check's counts are collected by check and count, in their rows") {
  const std::string text = Valid() +
                           "@check:required,,,,,,8,,,,,rows,,\n"
                           "@check:required,,,,,,2,,,,,missing:email,,\n"
                           "@check:fresh,,,,,,2026-10-31T09:00:00Z,,,,,newest,,\n";
  const LongResult r = ParseLongResult(text, "long.csv", Metrics(), "");
  REQUIRE(r.checks.size() == 2);
  CHECK(r.checks.at("required").at("rows").value == "8");
  CHECK(r.checks.at("required").at("missing:email").value == "2");
  CHECK(r.checks.at("required").at("missing:email").loc.line == 11);
  CHECK(r.checks.at("fresh").at("newest").value == "2026-10-31T09:00:00Z");
  CHECK(r.run.metrics.size() == 4);  // the metrics are read as without them

  // The same count twice, or a row without its count's name: not a result of crmkpi sql.
  CHECK(CodeOf(text + "@check:required,,,,,,3,,,,,rows,,\n") == static_cast<int>(ExitCode::kInput));
  INFO(MessageOf(text + "@check:required,,,,,,3,,,,,rows,,\n"));
  CHECK(MessageOf(text + "@check:required,,,,,,3,,,,,rows,,\n").find("count 'rows' of check 'required' is "
                                                                     "in the result twice (first at long.csv:10") !=
        std::string::npos);
  CHECK(CodeOf(text + "@check:required,,,,,,3,,,,,,,\n") == static_cast<int>(ExitCode::kInput));
}

}  // namespace
}  // namespace crmkpi
