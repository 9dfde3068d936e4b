#include "crmkpi/definition/view_def.h"

#include <catch2/catch.hpp>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/view_select.h"

using namespace crmkpi;

namespace {

// Metrics and KPIs over one source; |kpis| adds [kpi] and other sections.
KpiModel Load(const std::string& kpis) {
  const std::string text = R"([source deals]
file = deals.csv

[metric won]
source = deals
where = stage is won

[metric lost]
source = deals
where = stage is lost

[metric amount]
source = deals
type = sum
column = amount

[metric leads]
source = deals
)" + kpis;
  return KpiModel::Load(IniFile::Parse(text, "kpi.ini"));
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  return "no error";
}

const char* kLayered = R"(
[kpi lead_count]
formula = leads
layer = 先行

[kpi revenue]
formula = amount
layer = lagging

[kpi won_deals]
formula = won
layer = 成果

[kpi win_rate]
formula = won / (won + lost)
layer = process

[kpi margin]
formula = amount * 0.3

[tree]
kgi = margin
)";

ViewDef Default(const char* name) {
  for (const ViewDef& v : DefaultViews()) {
    if (v.id == name) return v;
  }
  FAIL("no default view " << name);
  return {};
}

}  // namespace

TEST_CASE("default views: executive, manager and field with their periods and groupings") {
  const std::vector<ViewDef> views = DefaultViews();
  REQUIRE(views.size() == 3);
  CHECK(views[0].id == "executive");
  CHECK(views[0].audience == "経営層");
  CHECK(views[0].kgis);
  CHECK(views[0].layers == std::vector<Layer>{Layer::kLagging});
  CHECK(views[0].period == Period::kMonth);
  CHECK((views[0].by && views[0].by->empty()));  // by none: the total and the months
  CHECK(views[0].compare == "previous");
  CHECK(views[1].id == "manager");
  CHECK(views[1].audience == "部門責任者");
  CHECK(views[1].layers == std::vector<Layer>{Layer::kProcess});
  CHECK(views[1].period == Period::kWeek);
  CHECK((views[1].by && *views[1].by == std::vector<std::vector<std::string>>{{"owner"}}));
  CHECK(views[1].compare.empty());
  CHECK(views[2].id == "field");
  CHECK(views[2].audience == "現場");
  CHECK(views[2].layers == std::vector<Layer>{Layer::kLeading});
  CHECK(views[2].period == Period::kWeek);
  for (const ViewDef& v : views) CHECK(v.built_in);
}

TEST_CASE("default views select by layer, and the executive view takes the KGIs too") {
  const KpiModel model = Load(kLayered);
  CHECK(ViewsOf(model).size() == 3);  // no [view]: the defaults
  // The KGI (margin, no layer) and the lagging KPIs (Japanese 成果 = lagging), in model order.
  CHECK(ViewKpis(model, Default("executive")) ==
        std::vector<std::string>{"revenue", "won_deals", "margin"});
  CHECK(ViewKpis(model, Default("manager")) == std::vector<std::string>{"win_rate"});
  CHECK(ViewKpis(model, Default("field")) == std::vector<std::string>{"lead_count"});
  CHECK(FindView(model, "manager").id == "manager");
}

TEST_CASE("without layers, the executive view is the tree's KGIs and the others are errors") {
  const KpiModel with_tree = Load(R"(
[kpi revenue]
formula = amount

[kpi win_rate]
formula = won / (won + lost)

[tree]
kgi = revenue
)");
  CHECK(RequireViewKpis(with_tree, Default("executive")) == std::vector<std::string>{"revenue"});
  CHECK(ViewKpis(with_tree, Default("manager")).empty());
  const std::string manager =
      ErrorOf([&] { RequireViewKpis(with_tree, Default("manager")); });
  CHECK_THAT(manager, Catch::StartsWith("view 'manager' selects no KPI: this default view "
                                        "takes layer = process, and kpi.ini has none"));
  CHECK_THAT(manager, Catch::Contains("[view NAME] sections"));

  // Neither layers nor a tree: the executive view selects nothing either.
  const KpiModel bare = Load("[kpi revenue]\nformula = amount\n");
  CHECK_THAT(ErrorOf([&] { RequireViewKpis(bare, Default("executive")); }),
             Catch::Contains("a [tree] with kgi = ID"));
  // PlanView refuses it the same way, before any file is read.
  CHECK_THAT(ErrorOf([&] { PlanView(bare, "executive"); }),
             Catch::StartsWith("view 'executive' selects no KPI"));
}

TEST_CASE("[view] sections replace the defaults and are checked at load") {
  const KpiModel model = Load(std::string(kLayered) + R"(
[view owners]
audience = 部門責任者
kpis = win_rate, won_deals
period = month
by = owner, "Lead Source"
compare = year-ago
trend = 3

[view results]
layer = kgi, lagging
period = none
)");
  REQUIRE(model.views.size() == 2);
  CHECK(ViewsOf(model).size() == 2);
  const ViewDef& owners = model.views[0];
  CHECK(!owners.built_in);
  CHECK(owners.period == Period::kMonth);
  CHECK((owners.by && *owners.by == std::vector<std::vector<std::string>>{{"owner"},
                                                                           {"Lead Source"}}));
  CHECK(owners.compare == "year-ago");
  CHECK(owners.trend == std::size_t{3});
  // Model order, not the order named.
  CHECK(ViewKpis(model, owners) == std::vector<std::string>{"won_deals", "win_rate"});
  const ViewDef& results = model.views[1];
  CHECK(!results.trend);
  CHECK(results.period == Period::kNone);
  CHECK(ViewKpis(model, results) == std::vector<std::string>{"revenue", "won_deals", "margin"});
  CHECK_THAT(ErrorOf([&] { FindView(model, "executive"); }),
             Catch::Contains("unknown view 'executive'"));
  CHECK_THAT(ErrorOf([&] { FindView(model, "owner"); }),
             Catch::Contains("(did you mean 'owners'?)"));

  auto load_error = [&](const std::string& view) {
    return ErrorOf([&] { Load(std::string(kLayered) + view); });
  };
  CHECK(load_error("[view v]\nkpis = revenue, win_rat\n") ==
        "kpi.ini:42:17: unknown KPI 'win_rat' in kpis of [view v] (did you mean 'win_rate'?); "
        "KPIs: lead_count, revenue, won_deals, win_rate, margin");
  CHECK_THAT(load_error("[view v]\nkpis = won\n"),
             Catch::StartsWith("kpi.ini:42:8: kpis: 'won' is a metric, not a KPI"));
  CHECK_THAT(load_error("[view v]\nkpis = revenue\nperiod = weekly\n"),
             Catch::StartsWith("kpi.ini:43:10: period: expected week, month, quarter, half, "
                               "year or none, got 'weekly' (did you mean 'week'?)"));
  CHECK_THAT(load_error("[view v]\nkpis = revenue\naudiance = x\n"),
             Catch::StartsWith("kpi.ini:43:1: unknown key 'audiance' in [view v] (did you "
                               "mean 'audience'?)"));
  CHECK_THAT(load_error("[view v]\nlayer = leadin\n"),
             Catch::Contains("got 'leadin' (did you mean 'leading'?)"));
  CHECK_THAT(load_error("[view v]\naudience = x\n"), Catch::Contains("names no KPI"));
  CHECK_THAT(load_error("[view v]\nkpis = revenue\ncompare = previous\n"),
             Catch::StartsWith("kpi.ini:43:11: compare works on periods"));
  CHECK_THAT(load_error("[view v]\nkpis = revenue\nperiod = none\ntrend = 2\n"),
             Catch::StartsWith("kpi.ini:44:9: trend works on periods"));
  CHECK_THAT(load_error("[view v]\nkpis = revenue\ntrend = 0\n"),
             Catch::Contains("trend: expected the number of periods"));
  CHECK_THAT(load_error("[view v]\nkpis = revenue\n[view v]\nkpis = margin\n"),
             Catch::Contains("duplicate name 'v'"));
}

TEST_CASE("a view keeps the KPIs it shows, those they use and the metrics those read") {
  KpiModel model = Load(R"(
[kpi won_deals]
formula = won

[kpi closed]
formula = won + lost

[kpi win_rate]
formula = won_deals / closed

[kpi revenue]
formula = amount

[tree]
kgi = revenue
)");
  CHECK(NeededMetrics(model, {"win_rate"}) == std::set<std::string>{"won", "lost"});
  KeepKpis(&model, {"win_rate"});
  std::vector<std::string> kpis, metrics;
  for (const KpiDef& k : model.kpis) kpis.push_back(k.id);
  for (const MetricDef& m : model.metrics) metrics.push_back(m.id);
  CHECK(kpis == std::vector<std::string>{"won_deals", "closed", "win_rate"});
  CHECK(metrics == std::vector<std::string>{"won", "lost"});
  CHECK(model.tree.kgis.empty());

  Report report;
  for (const char* id : {"won_deals", "closed", "win_rate"}) {
    KpiValue v;
    v.id = id;
    report.total.kpis.push_back(v);
  }
  Grouping only_dependencies;
  only_dependencies.keys = {"owner"};
  only_dependencies.rows.push_back(GroupRow{{"Sato"}, {report.total.kpis[0]}});
  report.groupings.push_back(only_dependencies);
  KeepReportKpis(&report, {"win_rate"});
  REQUIRE(report.total.kpis.size() == 1);
  CHECK(report.total.kpis[0].id == "win_rate");
  CHECK(report.groupings.empty());
}
