// How text output is shown: the terminal's width, colour and the width of East Asian
// ambiguous characters. One process-wide setting, chosen by the command line (src/cli/
// terminal_options.cc) before a command runs; writers and DisplayWidth read it. The default
// (no limit, no colour, ambiguous = 1) is what pipes, files and the tests get.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

struct TerminalSettings {
  std::size_t width = 0;        // columns text tables must fit; 0 = no limit
  bool color = false;           // ANSI colour for statuses
  bool ambiguous_wide = false;  // East Asian Width "A" (─ │ ○ ①) counts 2
  std::vector<std::string> columns;  // --columns: the table columns to show (by head), or all
  std::vector<std::string> kpis;     // --kpis: the KPIs (checks, tree nodes) to show, or all
  bool ja = false;                   // --lang ja: Japanese words in the text outputs
};

const TerminalSettings& Terminal();
void SetTerminal(TerminalSettings settings);

// Whether the text and Markdown writers show the KPI, check or tree node |id| (--kpis).
bool Shown(std::string_view id);

// The width of the terminal on |fd|: COLUMNS when set to a number, else TIOCGWINSZ; 0 when
// |fd| is not a terminal (a pipe or a file has no width, whatever COLUMNS says).
std::size_t TerminalWidth(int fd);

// |text| broken at spaces into lines of at most |width| display columns (|rest_width| for the
// lines after the first, when not 0; a word longer than a line is cut); at least one line.
std::vector<std::string> WrapText(std::string_view text, std::size_t width,
                                  std::size_t rest_width = 0);

// |text| cut to at most |width| display columns, ending in "…" when cut.
std::string TruncateToWidth(std::string_view text, std::size_t width);

// |text| with its start cut so that it fits |width| columns, starting with "…" when cut
// ("…/data/deals.csv": a file name's end says which file it is).
std::string TruncateFront(std::string_view text, std::size_t width);

// Every line of |text| wider than |width| broken at spaces (its inner spacing kept); the
// continuation lines hang under the value of a "key   value" line, else 2 columns in from the
// line's own indentation. Unchanged when |width| is 0.
std::string WrapLines(std::string_view text, std::size_t width);

// A status cell in ANSI colour when Terminal().color: "on track", "PASS", "ok" green; "off
// track", "error" red; "FAIL" bold red; "WARN", "warning" yellow; "n/a", "n/a (0/0)" and "no
// target" dim (and their --lang ja words 達成, 未達, 目標なし). Any other cell as is.
std::string PaintStatus(const std::string& cell);

}  // namespace crmkpi
