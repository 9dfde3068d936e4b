// `crmkpi report`: the deal KPIs of one or more exports, total and per group and period.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

// Adds the subcommand to |app|; when it is chosen, |*exit_code| receives the result.
void SetUpReportCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
