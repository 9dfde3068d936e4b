#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

// `crmkpi sql -c kpi.ini --dialect D`: the definition's metrics as one SQL script whose
// result is the long result (docs/scale.md).
void SetUpSqlCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
