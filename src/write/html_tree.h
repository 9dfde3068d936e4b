// Internal: the KPI tree of `crmkpi tree -f html` (and of report --checks): the tree as a
// diagram, each node coloured by status with its status as text and shape, its value against
// the reference and its share of the root's gap; the attribution as a waterfall from the
// reference to the actual; and every number in a table. Numbers carry data-json pointers into
// the tree JSON of the same run (under |prefix|).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/results/report.h"

namespace crmkpi::html {

// One tree's sections; |prefix| the pointer of the object holding its "tree" key.
std::string TreeSections(const TreeResult& tree, const std::string& prefix, bool diagram);

std::string TreePage(const TreeResult& tree, const Report& kpis,
                     const std::vector<TreeResult>& groups);

}  // namespace crmkpi::html
