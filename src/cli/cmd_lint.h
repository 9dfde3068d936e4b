// `crmkpi lint -c kpi.ini`: checks a KPI definition against the KPI-design checklists.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpLintCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
