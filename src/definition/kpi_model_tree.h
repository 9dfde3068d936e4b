// The KPI model's [tree] section: loaded last, since its nodes refer to the metrics, constants
// and KPIs (and a list of children to a KPI's formula).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"

namespace crmkpi::kpi_load {

// The tree of |s|: every id is in |ids| (the metrics, constants and KPIs), a list of children
// is the variables of that KPI's formula in |kpis|, and no node is its own descendant.
TreeDef LoadTree(const IniSection& s, const std::map<std::string, SourceLoc>& ids,
                 const std::vector<KpiDef>& kpis);

}  // namespace crmkpi::kpi_load
