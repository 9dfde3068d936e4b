// Writers for the evaluated KPI tree: box-drawing text, Markdown, CSV (one row per node) and
// JSON ({"tree":[…], "kpis":[…]}).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/results/report.h"
#include "crmkpi/write/report_writer.h"

namespace crmkpi {

// |kpis| is the flat report of the same run (JSON carries it beside the tree). |groups|: the
// trees of each group (tree --by), printed after the whole data's (JSON "groups", CSV rows with
// the group's columns first).
std::string WriteTree(const TreeResult& tree, const Report& kpis, Format format,
                      const std::vector<TreeResult>& groups = {});

}  // namespace crmkpi
