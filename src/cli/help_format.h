// Internal: how `--help` reads — lines of at most 100 columns, options grouped by what they
// are about (input, definition, stages, grouping, output, …), and each command's help ending
// with runnable examples (help_examples.cc).
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace crmkpi {

// The widest line --help prints, in terminal columns.
inline constexpr std::size_t kHelpWidth = 100;

// Installs the formatter on |app| (subcommands inherit it).
void UseHelpFormatter(CLI::App* app);

// Puts every option of |cmd| in its group by its name (the table in help_format.cc); an option
// the table does not know stays in "Options". Call after the options are added.
void GroupOptions(CLI::App* cmd);

// The group GroupOptions gives the option named |lname| (its long name without "--"), "" when
// the table does not know it.
std::string_view OptionGroup(std::string_view lname);

}  // namespace crmkpi
