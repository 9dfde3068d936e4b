// The KPI tree as sheets (-f xlsx; sheet.h): one per tree, one row per node in tree order.
#pragma once

#include <vector>

#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/write/sheet.h"

namespace crmkpi {

// The tree's sheets (and its period and warnings as settings) into |book|.
void AddTreeSheets(const TreeResult& tree, const std::vector<TreeResult>& groups,
                   Workbook* book);
// `tree -f xlsx`: the trees, then the flat KPIs of the run (as `report`'s sheets).
Workbook TreeWorkbook(const TreeResult& tree, const Report& kpis,
                      const std::vector<TreeResult>& groups);

}  // namespace crmkpi
