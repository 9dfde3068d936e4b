// `crmkpi tree -c kpi.ini`: the KPI tree with targets, status and the gap attributed down to
// the leaves; `--baseline` for period-over-period, `--set` for what-if.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpTreeCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
