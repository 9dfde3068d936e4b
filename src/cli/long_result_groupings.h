// The groupings a long result is made with (docs/scale.md): `crmkpi metrics` and `crmkpi sql`
// take report's --by/--period/--period-of/--view and tree's --tree-by/--tree-period, so that
// `report -c … --by X --metrics FILE` and `tree --by X --metrics FILE` find the groupings they
// regroup by.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crmkpi/definition/kpi_model.h"

namespace crmkpi {

struct LongResultGroupings {
  std::vector<std::string> by;
  std::string period, period_of, view;
  std::string tree_by, tree_period;
  CLI::App* cmd = nullptr;

  void Register(CLI::App* cmd);
  // Regroups |model|'s metrics as report -c (or tree) does with the same flags; |sources| are
  // the --source overrides (a built-in view looks at the sources' headers).
  void Apply(const std::string& config, const std::map<std::string, std::string>& sources,
             KpiModel* model) const;
};

}  // namespace crmkpi
