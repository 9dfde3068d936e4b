// `crmkpi check`: data-quality gates for CI (completeness, uniqueness, validity, timeliness)
// from flags or the INI's [check] sections; exit 1 when a check fails (docs/quality.md).
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpCheckCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
