// `crmkpi forecast`: forecast error of a forecast file against actuals from a deals export or
// the file's own actual column (forecast_report.h).
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

// Adds the subcommand to |app|; when it is chosen, |*exit_code| receives the result.
void SetUpForecastCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
