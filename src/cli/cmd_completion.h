// `crmkpi completion bash|zsh`: prints the shell completion script for every command of |app|
// (cmake --install and the .deb install both scripts).
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpCompletionCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
