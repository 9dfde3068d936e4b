// `crmkpi roi`: ROI, payback and NPV (Forrester TEI conventions) from flags or an [roi] INI
// section, with gains measured as KPI changes between a "before" and an "after" export.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

// Adds the subcommand to |app|; when it is chosen, |*exit_code| receives the result.
void SetUpRoiCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
