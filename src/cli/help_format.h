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

// |text| wrapped to |width| columns (display width: CJK counts 2), every line after the first
// indented by |indent| spaces; breaks at spaces, and inside a word only when it alone is wider
// than the line.
std::string WrapText(std::string_view text, std::size_t width, std::size_t indent);

}  // namespace crmkpi
