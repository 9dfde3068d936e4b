// `crmkpi dwell`: stage dwell, stage-to-stage conversion and the stuck list of a stage-history
// export (dwell.h, stage_history.h).
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

// Adds the subcommand to |app|; when it is chosen, |*exit_code| receives the result.
void SetUpDwellCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
