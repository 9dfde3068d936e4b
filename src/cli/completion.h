// Internal: shell completion scripts made from the command line's own definition (every
// command, option and fixed value --help lists), so they never fall behind the binary.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace crmkpi {

// A bash script defining _crmkpi and `complete -F _crmkpi crmkpi`: commands, each command's
// options, the fixed values of an option (--format, --period, …), file names elsewhere.
std::string BashCompletion(const CLI::App& app);

// A zsh completion function (#compdef crmkpi) with each option's help.
std::string ZshCompletion(const CLI::App& app);

}  // namespace crmkpi
