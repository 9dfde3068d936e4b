// `crmkpi init`: the definition `crmkpi report FILE` runs, printed as an INI a person can edit.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

// Adds the subcommand to |app|; when it is chosen, |*exit_code| receives the result.
void SetUpInitCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
