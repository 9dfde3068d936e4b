#include "crmkpi/definition/kpi_model.h"

#include <catch2/catch.hpp>

using namespace crmkpi;

namespace {

const char* kGood = R"([crmkpi]
as_of = 2024-12-31

[source deals]
file = data/deals.csv
map.stage = フェーズ
stages = lead, qualified, won

[metric won]
source = deals
where = stage is won
by = owner, owner+source

[metric lost]
source = deals
where = stage is lost

[metric cycle]
source = deals
type = p90
duration = created..closed
duration_unit = hours

[constant spend]
value = ¥1,200,000

[kpi win_rate]
label = 受注率
formula = won / (won + lost)
unit = percent
target = 35%
direction = higher
layer = 中間
owner = 営業部長
review = monthly
last_review = 2024-10-01

[kpi cost_per_win]
formula = spend / won
unit = JPY
direction = lower

[tree]
kgi = win_rate
win_rate = won, lost
)";

std::string ErrorOf(const std::string& text) {
  try {
    KpiModel::Load(IniFile::Parse(text, "kpi.ini"));
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a complete definition loads", "[model]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(kGood, "conf/kpi.ini"));
  CHECK(m.as_of == "2024-12-31");
  REQUIRE(m.sources.size() == 1);
  CHECK(m.sources[0].file == "conf/data/deals.csv");  // relative to the INI file
  CHECK(m.sources[0].mappings.size() == 1);
  CHECK(m.sources[0].stages.order == std::vector<std::string>{"lead", "qualified", "won"});
  const MetricDef* won = m.FindMetric("won");
  REQUIRE(won != nullptr);
  CHECK(won->by == std::vector<std::vector<std::string>>{{"owner"}, {"owner", "source"}});
  const MetricDef* cycle = m.FindMetric("cycle");
  CHECK(cycle->aggregation == Aggregation::kPercentile);
  CHECK(cycle->percentile == 0.9);
  CHECK(cycle->duration_from == "created");
  CHECK(cycle->duration_unit == DurationUnit::kHours);
  CHECK(m.FindConstant("spend")->value == 1200000);
  const KpiDef* wr = m.FindKpi("win_rate");
  CHECK(*wr->target == Approx(0.35));
  CHECK(wr->unit.name == "ratio");
  CHECK(wr->layer == Layer::kProcess);
  CHECK(m.FindKpi("cost_per_win")->unit.currency == "JPY");
  CHECK(m.FindKpi("cost_per_win")->direction == Direction::kLower);
  CHECK(m.tree.kgis == std::vector<std::string>{"win_rate"});
  CHECK(m.tree.nodes.at("win_rate").children == std::vector<std::string>{"won", "lost"});
}

TEST_CASE("KPIs come in dependency order", "[model]") {
  const KpiModel m = KpiModel::Load(IniFile::Parse(R"([source s]
file = x.csv
[metric a]
source = s
[kpi c]
formula = b * 2
[kpi b]
formula = a + 1
)",
                                                   "k.ini"));
  REQUIRE(m.kpis.size() == 2);
  CHECK(m.kpis[0].id == "b");
  CHECK(m.kpis[1].id == "c");
}

TEST_CASE("bad definitions fail at their location", "[model]") {
  std::string typo = kGood;
  typo.replace(typo.find("formula = won / (won"), 7, "fomula");
  CHECK(ErrorOf(typo) ==
        "kpi.ini:29:1: unknown key 'fomula' in [kpi win_rate] (did you mean 'formula'?); keys: "
        "formula, label, unit, target, direction, layer, owner, data_owner, collection, review, "
        "last_review, deadline, definition");

  std::string unknown = kGood;
  unknown.replace(unknown.find("spend / won"), 11, "spend / wonn");
  CHECK(ErrorOf(unknown) ==
        "kpi.ini:39:19: unknown metric, constant or KPI 'wonn' in the formula of "
        "[kpi cost_per_win] (did you mean 'won'?)");

  CHECK(ErrorOf("[source s]\nfile = x\n[kpi a]\nformula = b + 1\n[kpi b]\nformula = 2 * a\n") ==
        "kpi.ini:4:11: formula cycle: a → b → a");

  CHECK(ErrorOf("[kpi a]\nformula = (1 + \n") ==
        "kpi.ini:2:15: formula: unexpected end of formula");

  CHECK(ErrorOf("[metric a]\nsource = s\n[kpi a]\nformula = 1\n") ==
        "kpi.ini:3:1: duplicate name 'a' ([kpi a] is already defined at line 1)");

  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\ntype = sla\n"
                "duration = created..closed\n") ==
        "kpi.ini:3:1: [metric a]: type = sla needs 'within = …' (e.g. 48h, 2d)");
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\ntype = sla\n"
                "duration = created..closed\nwithin = 2 weeks\n") ==
        "kpi.ini:7:10: within: expected a duration such as 48h, 2d, 90m or 1.5d, got '2 weeks'");
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\ntype = count\nwithin = 2d\n") ==
        "kpi.ini:6:1: within is for type = sla");
  // Analysis sources: figures only on them, and only their own; stage where needed.
  CHECK(ErrorOf("[source h]\nfile = x\nkind = stage_histry\n") ==
        "kpi.ini:3:8: kind: expected rows, stage_history or forecast, got 'stage_histry' (did "
        "you mean 'stage_history'?)");
  CHECK(ErrorOf("[source h]\nfile = x\nkind = stage_history\n[metric a]\nsource = h\n"
                "type = count\n") ==
        "kpi.ini:4:1: [metric a]: source 'h' is a stage_history source; its metrics are figures: "
        "dwell_entered, dwell_visits, dwell_reentries, dwell_exited, dwell_open, "
        "dwell_days_median, dwell_days_mean, dwell_days_p90, dwell_days_km_median, "
        "stage_conversion, history_deals, history_visits, stuck_deals");
  CHECK(ErrorOf("[source d]\nfile = x\n[metric a]\nsource = d\ntype = wape\n") ==
        "kpi.ini:3:1: [metric a]: type wape is a figure of a stage_history or forecast source; "
        "'d' is a row source (set kind = … on it)");
  CHECK(ErrorOf("[source h]\nfile = x\nkind = stage_history\n[metric a]\nsource = h\n"
                "type = dwell_days_median\n") ==
        "kpi.ini:4:1: [metric a]: dwell_days_median needs 'stage = …'");
  CHECK(ErrorOf("[source f]\nfile = x\nkind = forecast\n[metric a]\nsource = f\n"
                "type = dwell_open\nstage = a\n") ==
        "kpi.ini:4:1: [metric a]: dwell_open is not a figure of a forecast source");
  CHECK(ErrorOf("[source f]\nfile = x\nkind = forecast\nactual = nowhere\n") ==
        "kpi.ini:1:1: [source f]: actual = 'nowhere' must name a row source (the deals export)");
  CHECK(ErrorOf("[source s]\nfile = x\n[lookup t]\nfile = y\nkey = k\nsource = s\non = id\n"
                "first = at\nlast = at\n") == "kpi.ini:9:8: give first or last, not both");
  CHECK(ErrorOf("[source d]\nfile = x\nmode = latest\n") ==
        "kpi.ini:3:1: mode is for kind = stage_history sources");
  CHECK(ErrorOf("[kpis a]\n") ==
        "kpi.ini:1:1: unknown section [kpis] (did you mean 'kpi'?); sections: crmkpi, source, "
        "lookup, metric, constant, kpi, tree, lint, check, fx, targets, view");

  CHECK(ErrorOf("[metric a]\nsource = nowhere\n") ==
        "kpi.ini:1:1: [metric a]: unknown source 'nowhere'");

  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\ntype = count\ncolumn = a+b\n") ==
        "kpi.ini:6:10: only count_distinct takes several columns (a+b)");

  CHECK(ErrorOf("[source s]\nfile = x\n[kpi a]\nformula = 1\ntarget = lots\n") ==
        "kpi.ini:5:10: target: expected a number (e.g. 1200000, 1,200,000 or 35%), got 'lots'");

  CHECK(ErrorOf("[kpi a]\nformula = 1\n[tree]\nkgi = b\n") ==
        "kpi.ini:4:7: kgi: unknown KPI 'b' (did you mean 'a'?)");
}

TEST_CASE("KPI 定義書 keys: data_owner, collection, deadline; [lint] attainable settings",
          "[model]") {
  const std::string base = "[source s]\nfile = x\n[metric a]\nsource = s\n[kpi k]\nformula = a\n";
  const KpiModel m = KpiModel::Load(IniFile::Parse(
      base + "target = 40\ndeadline = 2026-03-31\ndata_owner = 営業企画\n"
             "collection = SFA の商談画面から日次で入力\nreview = 月次\n"
             "[lint]\nattainable_factor = 3\nattainable_period = quarter\n",
      "kpi.ini"));
  const KpiDef& k = m.kpis.at(0);
  CHECK(k.deadline == "2026-03-31");
  CHECK(k.deadline_loc.ToString() == "kpi.ini:8:12");
  CHECK(k.target_loc.ToString() == "kpi.ini:7:10");
  CHECK(k.data_owner == "営業企画");
  CHECK(k.collection == "SFA の商談画面から日次で入力");
  CHECK(k.review == "月次");
  CHECK(m.attainable_factor == 3);
  CHECK(m.attainable_period == Period::kQuarter);
  // Defaults: twice the best month.
  const KpiModel d = KpiModel::Load(IniFile::Parse(base, "kpi.ini"));
  CHECK(d.attainable_factor == 2);
  CHECK(d.attainable_period == Period::kMonth);
  CHECK(d.kpis.at(0).deadline.empty());

  // A deadline is a strict YYYY-MM-DD day of the calendar, at its value.
  for (const char* bad : {"2026-3-31", "2026/03/31", "2026-02-30", "2026-03-31T00:00",
                          "31.03.2026", "next year"}) {
    INFO(bad);
    CHECK(ErrorOf(base + "deadline = " + bad + "\n") ==
          std::string("kpi.ini:7:12: deadline: expected the date the target is due, YYYY-MM-DD "
                      "(deadline = 2026-03-31), got '") + bad + "'");
  }
  CHECK(ErrorOf(base + "review = 月一\n") ==
        "kpi.ini:7:10: review: expected daily, weekly, biweekly, monthly, quarterly or yearly "
        "(毎日, 毎週, 隔週, 毎月, 四半期, 毎年; 日次, 週次, 月次, 年次), got '月一'");
  CHECK(ErrorOf(base + "[lint]\nattainable_factor = 1\n") ==
        "kpi.ini:8:21: attainable_factor: expected a number above 1 (2: a target may be up to "
        "twice the best period), got '1'");
  CHECK(ErrorOf(base + "[lint]\nattainable_period = fortnight\n").find("kpi.ini:8:21: ") == 0);
  CHECK(ErrorOf(base + "[lint]\nattainable_factr = 2\n") ==
        "kpi.ini:8:1: unknown key 'attainable_factr' in [lint] (did you mean "
        "'attainable_factor'?); keys: too_many_kgis, kpi_count, missing_definition, "
        "missing_owner, missing_review, missing_target, layer_mix, stale_review, "
        "target_without_deadline, deadline_passed, target_unattainable, handoff_unmeasured, "
        "input_up_results_flat, forecast_error_not_improving, attainable_factor, "
        "attainable_period");
}

TEST_CASE("a tree list must name the node formula's own variables", "[model]") {
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\n[metric b]\nsource = s\n"
                "[kpi r]\nformula = a / b\n[tree]\nkgi = r\nr = a, c\n") ==
        "kpi.ini:11:5: [tree] r: unknown child 'c' (did you mean 'a'?)");
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\n[metric b]\nsource = s\n"
                "[kpi c]\nformula = a\n[kpi r]\nformula = a / b\n[tree]\nkgi = r\nr = a, c\n") ==
        "kpi.ini:13:5: [tree] r: the children (a, c) are not the variables of its formula (a, "
        "b); list those (r = a, b), or write an identity that computes r from its children, "
        "e.g. r = a * c");
  // One child: the suggestion must not repeat the failing line (it said "e.g. r = c").
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\n[metric b]\nsource = s\n"
                "[kpi c]\nformula = a\n[kpi r]\nformula = a / b\n[tree]\nkgi = r\nr = c\n") ==
        "kpi.ini:13:5: [tree] r: the children (c) are not the variables of its formula (a, b); "
        "list those (r = a, b), or write an identity that computes r from its children, e.g. "
        "r = c * OTHER_KPI");
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\n[metric b]\nsource = s\n"
                "[metric r]\nsource = s\n[tree]\nkgi = r\nr = a, b\n") ==
        "kpi.ini:11:5: [tree] r: a list of children needs 'r' to be a KPI whose formula uses "
        "them; write an identity that computes it from its children instead, e.g. r = a * b");
}

TEST_CASE("by: quoted column names; exact_groups reaches every source", "[model]") {
  auto by_of = [](const std::string& by) {
    const KpiModel m = KpiModel::Load(IniFile::Parse(
        "[source s]\nfile = x\n[metric a]\nsource = s\nby = " + by + "\n", "kpi.ini"));
    return m.metrics.at(0).by;
  };
  using Specs = std::vector<std::vector<std::string>>;
  CHECK(by_of("owner, owner+source") == Specs{{"owner"}, {"owner", "source"}});
  CHECK(by_of("\"Lead Source\"") == Specs{{"Lead Source"}});
  CHECK(by_of("owner, \"Lead Source\"") == Specs{{"owner"}, {"Lead Source"}});
  // Both quoted: the INI's whole-value unquoting would have made this one broken name.
  CHECK(by_of("\"Lead Source\", \"Deal Owner\"") == Specs{{"Lead Source"}, {"Deal Owner"}});
  CHECK(by_of("owner+\"Lead Source\"") == Specs{{"owner", "Lead Source"}});
  CHECK(by_of("`Won, Lost`+owner") == Specs{{"Won, Lost", "owner"}});
  CHECK(by_of("\"a+b\"") == Specs{{"a+b"}});
  CHECK(by_of("Lead Source") == Specs{{"Lead Source"}});  // unquoted still works

  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\nby = owner, \"Lead Source\n") ==
        "kpi.ini:5:13: by: this quote opens a column name that is never closed; close it "
        "(by = owner, \"Lead Source\")");
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\nby = \"Lead\" Source\n") ==
        "kpi.ini:5:13: by: expected ',' or '+' after the quoted name \"Lead\", got 'S'; quote "
        "the whole name (by = \"Lead Source\")");
  CHECK(ErrorOf("[source s]\nfile = x\n[metric a]\nsource = s\nby = owner, \"\"\n") ==
        "kpi.ini:5:15: by: an empty quoted column name");

  const KpiModel exact = KpiModel::Load(IniFile::Parse(
      "[crmkpi]\nexact_groups = true\n[source s]\nfile = x\n[source t]\nfile = y\n", "kpi.ini"));
  CHECK(exact.exact_groups);
  CHECK(exact.sources.at(0).exact_groups);
  CHECK(exact.sources.at(1).exact_groups);
  const KpiModel normal = KpiModel::Load(IniFile::Parse("[source s]\nfile = x\n", "kpi.ini"));
  CHECK_FALSE(normal.sources.at(0).exact_groups);
  CHECK(ErrorOf("[crmkpi]\nexact_groups = yes\n") ==
        "kpi.ini:2:16: exact_groups: expected true or false, got 'yes' (true compares group "
        "values as written, without NFKC and white-space collapsing)");
}

TEST_CASE("date_order and decimal take one of their values, else an error at the value",
          "[kpi_model]") {
  const std::string base = "[source s]\nfile = d.csv\n";
  CHECK(ErrorOf(base + "date_order = ymd\n") ==
        "kpi.ini:3:14: date_order: expected auto (decided from the first 1,000 rows, the "
        "default), mdy (4/15/2024) or dmy (15/04/2024), got 'ymd'");
  CHECK(ErrorOf(base + "decimal = coma\n") ==
        "kpi.ini:3:11: decimal: expected point (1,234.50, the default) or comma (1.234,50), got "
        "'coma'");
}

TEST_CASE("value, having, by … as and spreads load, or fail at their location", "[model]") {
  const char* base = "[source s]\nfile = x\n";
  const KpiModel m = KpiModel::Load(IniFile::Parse(
      std::string(base) +
          "[metric w]\nsource = s\ntype = sum\nvalue = amount * probability / 100\n"
          "[metric r]\nsource = s\ntype = count_distinct\ncolumn = customer\n"
          "having = count >= 2\n"
          "[metric u]\nsource = s\nby = users.role as role, owner+\"Lead Source\" AS src\n"
          "[kpi spread]\nformula = cv(u, role)\n",
      "kpi.ini"));
  CHECK(m.metrics.at(0).value == "amount * probability / 100");
  CHECK(m.metrics.at(0).value_loc.column == 9);
  REQUIRE(m.metrics.at(1).having);
  CHECK(m.metrics.at(1).having->op == HavingDef::Op::kGe);
  CHECK(m.metrics.at(1).having->count == 2);
  CHECK(m.metrics.at(1).having->Holds(2));
  CHECK_FALSE(m.metrics.at(1).having->Holds(1));
  const MetricDef& u = m.metrics.at(2);
  CHECK(u.by == std::vector<std::vector<std::string>>{{"users.role"}, {"owner", "Lead Source"}});
  CHECK(u.ByNames(0) == std::vector<std::string>{"role"});
  CHECK(u.ByNames(1) == std::vector<std::string>{"owner", "src"});

  auto metric = [&](const std::string& keys) {
    return ErrorOf(std::string(base) + "[metric a]\nsource = s\n" + keys);
  };
  CHECK(metric("type = count\nvalue = a * b\n") ==
        "kpi.ini:6:9: [metric a]: value = … is for type = sum, avg, min, max, median and pNN (a "
        "number per row to aggregate)");
  CHECK(metric("type = sum\ncolumn = amount\nvalue = a * b\n") ==
        "kpi.ini:7:9: [metric a]: give 'value' or 'column', not both (value = is the arithmetic "
        "of several columns, column = one)");
  CHECK(metric("type = sum\nvalue = a * \n") ==
        "kpi.ini:6:12: expected a column, a number or '(' after '*'");
  CHECK(metric("type = sum\n") ==
        "kpi.ini:3:1: [metric a]: this type needs 'column = …', 'value = …' or 'duration = "
        "FROM..TO'");
  CHECK(metric("type = count\nhaving = count >= 2\n") ==
        "kpi.ini:6:1: having is for type = count_distinct (count the keys with so many rows: "
        "having = count >= 2)");
  CHECK(metric("type = count_distinct\ncolumn = c\nhaving = count => 2\n") ==
        "kpi.ini:7:17: having: expected a whole number of rows, got '> 2'; write having = "
        "count >= 2 (= != < <= > >= and a whole number of rows)");
  CHECK(metric("type = count_distinct\ncolumn = c\nhaving = rows >= 2\n") ==
        "kpi.ini:7:10: having: expected 'count' (the key's rows), got 'rows'; write having = "
        "count >= 2 (= != < <= > >= and a whole number of rows)");
  CHECK(metric("by = users.role as\n") ==
        "kpi.ini:5:17: by: expected the name a grouping is reported under after 'as' (by = "
        "users.role as role)");
  // Spreads: of a metric or KPI grouped by the column, not of a constant or another spread.
  const std::string grouped = std::string(base) +
                              "[metric won]\nsource = s\nby = owner\n"
                              "[metric all]\nsource = s\n"
                              "[constant c]\nvalue = 2\n"
                              "[kpi rate]\nformula = won / all\n";
  CHECK(ErrorOf(grouped + "[kpi x]\nformula = 1 + stddev(rate, owner)\n") == "no error");
  CHECK(ErrorOf(grouped + "[kpi x]\nformula = 1 + stddev(rate, source)\n") ==
        "kpi.ini:13:15: stddev(rate, source) in [kpi x]: no metric of 'rate' is grouped by "
        "source — add `by = source` to its metrics (all, won), so that it has a value per "
        "source");
  CHECK(ErrorOf(grouped + "[kpi x]\nformula = cv(all, owner)\n") ==
        "kpi.ini:13:11: cv(all, owner) in [kpi x]: no metric of 'all' is grouped by owner — "
        "add `by = owner` to its metrics (all), so that it has a value per owner");
  CHECK(ErrorOf(grouped + "[kpi x]\nformula = cv(c, owner)\n") ==
        "kpi.ini:13:11: cv(c, owner) in [kpi x]: 'c' is a constant, the same in every group; "
        "spread a metric or KPI");
  CHECK(ErrorOf(grouped + "[kpi x]\nformula = cv(rate, owner)\n[kpi y]\nformula = stddev(x, "
                          "owner)\n") ==
        "kpi.ini:15:11: stddev(x, owner) in [kpi y]: 'x' uses stddev() or cv() itself; a "
        "spread is of per-group values, not of another spread");
  CHECK(ErrorOf(grouped + "[kpi x]\nformula = cv(nope, owner)\n") ==
        "kpi.ini:13:14: unknown metric, constant or KPI 'nope' in the formula of [kpi x]");
}
