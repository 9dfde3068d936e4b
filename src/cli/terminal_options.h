// --width, --color, --ambiguous-wide and --columns: how text tables are shown on a terminal
// (docs/cli.md, "Terminal output"). Every command that prints tables has them.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

// Adds the options to |cmd| (one shared set: only one command runs).
void AddTerminalOptions(CLI::App* cmd);
// Sets Terminal() for the command |app| parsed, from its options, -o/--format, whether
// standard output is a terminal, COLUMNS, NO_COLOR, TERM and CRMKPI_AMBIGUOUS_WIDE. Call after
// parsing, before the command runs.
void ApplyTerminalOptions(const CLI::App& app);

}  // namespace crmkpi
