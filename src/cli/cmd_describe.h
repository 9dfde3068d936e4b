// `crmkpi describe -c kpi.ini`: the KPI 定義書 of a definition (no data is read).
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpDescribeCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
