// The checks of references between the KPI model's definitions, run once every section is
// loaded: the sources that checks, metrics, lookups and forecasts name, the figures of analysis
// sources, the variables of KPI formulas, and the KPIs' dependency order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/kpi_model.h"

namespace crmkpi::kpi_load {

void CheckCheckSources(const KpiModel& model);   // [check] source = a source
void CheckMetricSources(const KpiModel& model);  // [metric] source = a source
void CheckLookupSources(const KpiModel& model);  // [lookup] source = a row source
void CheckForecastActuals(const KpiModel& model);  // forecast actual = a row source
// A metric of an analysis source is one of its figures (with a stage where one is needed); a
// metric of a row source is no figure.
void CheckMetricFigures(const KpiModel& model);
// Every variable of a KPI formula is in |ids| (the metrics, constants and KPIs).
void CheckKpiVariables(const std::vector<KpiDef>& kpis,
                       const std::map<std::string, SourceLoc>& ids);
// |kpis| ordered so that each comes after the KPIs it uses; a cycle is an error naming it.
std::vector<KpiDef> OrderKpis(const std::vector<KpiDef>& kpis);
// Every stddev(ID, COLUMN) / cv(ID, COLUMN) of a KPI formula spreads a metric or KPI (not a
// constant) that itself uses no spread, and some metric ID reads is grouped by COLUMN alone
// (`by = COLUMN`, a period besides allowed): else an error at the call saying to add it.
void CheckKpiSpreads(const KpiModel& model);

}  // namespace crmkpi::kpi_load
