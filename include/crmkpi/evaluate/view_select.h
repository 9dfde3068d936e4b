// Running an audience view (definition/view_def.h) as `report -c kpi.ini --view NAME`: which
// KPIs and metrics it needs, whether a default view's groupings fit the sources, what it keeps
// of the definition before the pass and of the report after it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/definition/view_def.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

struct ViewPlan {
  // The view; a default view's by, period, compare and trend as they fit the sources
  // (FitDefaultView resets those that do not).
  ViewDef view;
  std::vector<std::string> kpis;  // the KPIs it shows (RequireViewKpis)
  std::set<std::string> metrics;  // the metrics they read (NeededMetrics)
  // Metric id → the date column that places its rows in the view's periods, where its source
  // has no closed date (a default view: the created date).
  std::map<std::string, std::string> period_of;
  std::vector<std::string> notes;  // what of the view does not apply, and why
};

// The view |name| of the definition (FindView) with its KPIs (RequireViewKpis) and their
// metrics. Error(kUsage) for an unknown view, or one that selects no KPI.
ViewPlan PlanView(const KpiModel& model, std::string_view name);

// The metrics the KPIs |ids| read, directly or through the KPIs they use.
std::set<std::string> NeededMetrics(const KpiModel& model, const std::vector<std::string>& ids);

// A default view against the headers of the sources its metrics read (engine/source_schema.h;
// |files|: source id → a path replacing its `file =`). Its grouping `by owner` needs an owner
// column in every one of them, else the view is not grouped (by = none). Its period needs, for
// each metric without a period_of of its own, the source's closed date, else its created date
// (plan->period_of), else the view has no period — nor compare or trend. Each change adds a
// note. |by| / |period|: whether the view's own by / period apply (no --by / --period,
// --period-of). Metrics of analysis sources (totals) are not checked.
void FitDefaultView(const KpiModel& model, const std::map<std::string, std::string>& files,
                    bool by, bool period, ViewPlan* plan);

// Keeps in |model| the KPIs |ids| and every KPI they use, the metrics those read, and the
// targets table's rows of those KPIs; drops the tree (a view is a report). A source none of
// the kept metrics reads is then not read (nor counted in an as-of taken from the data).
void KeepKpis(KpiModel* model, const std::vector<std::string>& ids);

// Keeps only the KPIs |ids| in the report's total and groupings (a grouping left without any
// goes), so that the KPIs the view's KPIs use are not shown.
void KeepReportKpis(Report* report, const std::vector<std::string>& ids);

// The heading a report of |plan| carries (Report::view).
ReportView ViewHeading(const ViewPlan& plan);

}  // namespace crmkpi
