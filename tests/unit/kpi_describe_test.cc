#include "crmkpi/evaluate/kpi_describe.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/kpi_attainable.h"

using namespace crmkpi;

namespace {

// Every way a metric reads a column: value column, count_distinct keys, duration ends, where
// (stage conditions read the stage), km_median's censored, reached (the stage), by,
// period_of, the source's filter, a lookup joined on a mapped role, and the analysis sources
// (their roles; a forecast's actuals from another source).
const char* kDefinition = R"([source deals]
file = exports/deals.csv
file = exports/deals_2.csv
map.owner = 担当者
stages = lead, won
filter = "Deal Type" != 'Renewal'

[source leads]
file = /data/leads.csv

[source history]
file = history.csv
kind = stage_history
stages = lead, won
entered.lead = lead_at

[source forecast]
file = forecast.csv
kind = forecast
actual = deals
series = owner

[lookup users]
file = users.csv
key = user_id
source = deals
on = owner
last = updated_at

[metric won]
source = deals
where = stage is won and users.role in (manager, rep)

[metric amount_p90]
source = deals
type = p90
column = 金額
by = owner, region+product
period = month
period_of = closed

[metric customers]
source = deals
type = count_distinct
column = account+zip

[metric open_age]
source = deals
type = km_median
duration = created..closed
censored = stage is open or "Next Step" is empty

[metric reached]
source = deals
type = reached
stage = won

[metric leads]
source = leads

[metric lead_cycle]
source = leads
type = median
duration = mql_at..sql_at
period = week
period_of = sql_at

[metric dwell]
source = history
type = dwell_days_median
stage = lead

[metric accuracy]
source = forecast
type = forecast_accuracy

[constant goal]
value = 10
label = 目標件数

[kpi won_rate]
label = 受注率
formula = won / leads
target = 10%

[kpi progress]
label = 進捗
formula = won_rate / goal

[kpi spread]
formula = amount_p90 + customers + open_age + reached

[kpi cycle]
formula = lead_cycle

[kpi dwell_kpi]
formula = dwell + accuracy

[tree]
kgi = won_rate
won_rate = won, leads
)";

const SheetEntry& Entry(const KpiSheet& sheet, const std::string& id) {
  for (const SheetEntry& e : sheet.kpis) {
    if (e.kpi.id == id) return e;
  }
  FAIL("no KPI " << id);
  return sheet.kpis.front();
}

std::string Describe(const SheetSource& s) {
  std::string out = s.id + " [" + s.kind + "]";
  for (const std::string& f : s.files) out += " " + f;
  out += ":";
  for (const std::string& c : s.columns) out += " " + c + ";";
  return out;
}

std::vector<std::string> Sources(const SheetEntry& e) {
  std::vector<std::string> out;
  for (const SheetSource& s : e.sources) out.push_back(Describe(s));
  return out;
}

}  // namespace

TEST_CASE("describe: formulas in ids and words, inputs, metrics through KPIs", "[describe]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(kDefinition, "defs/kpi.ini"));
  const KpiSheet sheet = DescribeKpis(model);
  CHECK(sheet.definition == "defs/kpi.ini");
  REQUIRE(sheet.kpis.size() == 5);
  // File order (progress depends on won_rate, spread on nothing: the model orders them so).
  CHECK(sheet.kpis[0].kpi.id == "won_rate");
  CHECK(sheet.kpis[1].kpi.id == "progress");
  CHECK(sheet.kpis[4].kpi.id == "dwell_kpi");

  const SheetEntry& rate = Entry(sheet, "won_rate");
  CHECK(rate.kgi);
  CHECK(rate.formula == "won_rate = won / leads");
  CHECK(rate.formula_words == "受注率 = won ÷ leads");  // metrics without labels keep their ids
  const SheetEntry& progress = Entry(sheet, "progress");
  CHECK_FALSE(progress.kgi);
  CHECK(progress.formula_words == "進捗 = 受注率 ÷ 目標件数");
  CHECK(progress.inputs == std::vector<std::string>{"won_rate", "goal"});
  CHECK(progress.metrics == std::vector<std::string>{"won", "leads"});  // through won_rate
  CHECK(LabelOf(model, "goal") == "目標件数");
  CHECK(LabelOf(model, "won") == "won");
}

TEST_CASE("describe: the columns each KPI reads", "[describe]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(kDefinition, "defs/kpi.ini"));
  const KpiSheet sheet = DescribeKpis(model);

  // The filter first (every metric of deals reads it), then the where: stage, and the lookup
  // column, which reads the joining column (owner, mapped to 担当者) and the lookup's key and
  // `last` date. Files as the INI names them (relative to its folder; absolute as given).
  CHECK(Sources(Entry(sheet, "won_rate")) ==
        std::vector<std::string>{
            "deals [rows] exports/deals.csv exports/deals_2.csv: Deal Type; stage; 担当者 (owner);",
            "users [lookup] users.csv: user_id; updated_at; role;",
            "leads [rows] /data/leads.csv:"});
  CHECK(Sources(Entry(sheet, "progress")) == Sources(Entry(sheet, "won_rate")));

  // Value column, by (each column of each grouping; owner is the mapped role), period_of, count_distinct's keys, both ends of a duration, censored, reached.
  CHECK(Sources(Entry(sheet, "spread")) ==
        std::vector<std::string>{
            "deals [rows] exports/deals.csv exports/deals_2.csv: Deal Type; 金額; 担当者 (owner); "
            "region; product; closed; account; zip; created; stage; Next Step;"});

  CHECK(Sources(Entry(sheet, "cycle")) ==
        std::vector<std::string>{"leads [rows] /data/leads.csv: mql_at; sql_at;"});

  // Analysis sources: the roles their analysis reads; a forecast's actuals come from deals.
  CHECK(Sources(Entry(sheet, "dwell_kpi")) ==
        std::vector<std::string>{
            "history [stage_history] history.csv: id; stage; changed; lead_at;",
            // The forecast file maps no owner: the series column by its role name.
            "forecast [forecast] forecast.csv: period; forecast; owner;",
            "deals [rows] exports/deals.csv exports/deals_2.csv: Deal Type; stage; amount; closed; "
            "担当者 (owner);"});
}

TEST_CASE("describe: a where that does not parse is an error at its place", "[describe]") {
  const KpiModel model = KpiModel::Load(IniFile::Parse(
      "[source s]\nfile = x.csv\n[metric m]\nsource = s\nwhere = a = \n[kpi k]\nformula = m\n",
      "kpi.ini"));
  try {
    DescribeKpis(model);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.Formatted().rfind("kpi.ini:5:", 0) == 0);
  }
}

TEST_CASE("target_unattainable: the date a metric without a period is counted by", "[lint]") {
  MetricDef m;
  CHECK(AttainableDate(m, true, true) == "closed");
  CHECK(AttainableDate(m, false, true) == "created");
  CHECK(AttainableDate(m, false, false).empty());
  m.duration_to = "resolved_at";  // a duration: when it ended
  CHECK(AttainableDate(m, true, true) == "resolved_at");
}
