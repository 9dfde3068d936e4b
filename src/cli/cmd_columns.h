// `crmkpi columns`: which column of a file was bound to which role, and how.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpColumnsCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
