// The loader of [view NAME] sections (view_def.h, docs/ini.md): kept apart from the other
// sections' loaders (kpi_model_sections.h). Errors are Error(kUsage) at the INI location.
#pragma once

#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/definition/view_def.h"

namespace crmkpi::kpi_load {

// [view NAME]: its keys and values (audience, kpis, layer, period, by, compare, trend).
ViewDef LoadView(const IniSection& s);

// Once the KPIs and the tree are loaded: every KPI a view names exists (else the closest id),
// `layer = kgi` has a [tree], each view selects at least one KPI, and a view's compare or
// trend has periods to work on.
void CheckViews(const KpiModel& model);

}  // namespace crmkpi::kpi_load
