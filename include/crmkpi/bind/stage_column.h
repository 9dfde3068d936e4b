// Which column holds the deal's stage when the header alone cannot say. Dynamics 365 exports
// both `Sales Stage` (Qualify, Develop, Propose, Close: never won or lost) and `Status` (Open,
// Won, Lost); Pipedrive both `Deal - Stage` and `Deal - Status`; a German or French export
// names it `Phase` or `Phase de vente`. The header's choice (column_roles.h) is checked
// against the values of the first rows: a stage column none of whose values is won or lost
// gives way to a candidate column whose values are, with a warning naming both; when no
// column has a terminal value, a warning names the values seen and the flags that fix it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"

namespace crmkpi {

// The columns that may hold the stage: the one bound to the stage role first (when there is
// one), then every column whose header, after an object prefix such as Pipedrive's
// "Deal - ", names a stage, status or phase (stage, status, phase, fase, etapa, フェーズ,
// ステータス, 進捗, 段階, …).
std::vector<int> StageCandidates(const std::vector<std::string>& header,
                                 const RoleBinding& roles);

struct StageColumnChoice {
  int column = -1;         // the stage column to read (-1: none)
  bool changed = false;    // not the header's choice: bind it as if given with --map
  std::string warning;     // what to tell the user; empty when all is well
  // What the first rows showed of |column|: "4 won, 3 lost in the first 11 rows".
  std::string evidence;
};

// |values|[i]: the values of column |candidates|[i] in the first |rows| rows. |rules| says
// which values are won or lost (the defaults, or --won/--lost). A mapped stage (--map) is
// kept whatever its values; it is only warned about.
StageColumnChoice ChooseStageColumn(const std::vector<std::string>& header,
                                    const RoleBinding& roles, const std::vector<int>& candidates,
                                    const std::vector<std::vector<std::string>>& values,
                                    std::size_t rows, StageRules& rules);

}  // namespace crmkpi
