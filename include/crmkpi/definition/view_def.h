// Audience views (docs/ini.md, "[view NAME]"): a saved set of report flags — period, grouping,
// compare, trend — plus a selection of KPIs, for one audience (経営層, 部門責任者, 現場).
// `crmkpi report -c kpi.ini --view NAME` prints one, `crmkpi views -c kpi.ini` lists them. A
// definition without [view] sections has three default views (DefaultViews), after the usual
// CRM review design: the KGIs monthly for executives, process KPIs weekly by owner for
// managers, leading KPIs weekly by owner for the field.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/kpi_layer.h"
#include "crmkpi/values/date_time.h"  // Period

namespace crmkpi {

class KpiModel;

struct ViewDef {
  std::string id;
  SourceLoc loc;
  std::string audience;            // who reads it: 経営層
  std::vector<std::string> kpis;   // `kpis = a, b`: KPIs by id
  std::vector<SourceLoc> kpi_locs;  // where each is named
  std::vector<Layer> layers;       // `layer = lagging`: and every KPI of these layers
  bool kgis = false;               // `layer = kgi`: and the KGIs of [tree]
  SourceLoc layer_loc;
  // `period`: replaces every metric's period (as --period); nullopt: the metrics' own stay;
  // Period::kNone (`period = none`): no period.
  std::optional<Period> period;
  SourceLoc period_loc;
  // `by`: replaces every metric's groupings (as --by); nullopt: the metrics' own stay; empty
  // (`by = none`): the total and the periods only.
  std::optional<std::vector<std::vector<std::string>>> by;
  SourceLoc by_loc;
  std::string compare;  // `compare`: "previous", "year-ago"; "" none (as --compare)
  SourceLoc compare_loc;
  std::optional<std::size_t> trend;  // `trend = N` (as --trend)
  SourceLoc trend_loc;
  bool built_in = false;  // one of DefaultViews(): the definition names no view
};

// executive (経営層: the KGIs and lagging KPIs, by month, against the previous month), manager
// (部門責任者: process KPIs, by week and owner) and field (現場: leading KPIs, by week and owner).
std::vector<ViewDef> DefaultViews();

// The definition's views, or DefaultViews() when it has none.
std::vector<ViewDef> ViewsOf(const KpiModel& model);

// The view |name| of ViewsOf(model); Error(kUsage) naming the views (with the closest name)
// otherwise.
ViewDef FindView(const KpiModel& model, std::string_view name);

// The ids of the KPIs |view| selects, in the model's order: those it names, those of its
// layers and, with `layer = kgi`, the tree's KGIs. May be empty.
std::vector<std::string> ViewKpis(const KpiModel& model, const ViewDef& view);

// ViewKpis, or Error(kUsage) when it is empty, saying what the view takes and how to give it
// KPIs (at the view's `layer` line for a view of the definition).
std::vector<std::string> RequireViewKpis(const KpiModel& model, const ViewDef& view);

// Groupings as `by =` writes them: "owner, owner+product"; "none" when there are none.
std::string GroupingText(const std::vector<std::vector<std::string>>& by);

// What a view selects, for people: "kpis = revenue, win_rate", "KGIs and layer = lagging".
std::string SelectionText(const ViewDef& view);

}  // namespace crmkpi
