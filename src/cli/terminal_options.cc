#include "terminal_options.h"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/terminal.h"
#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

struct TerminalArgs {
  std::size_t width = 0;  // --width; 0 = the terminal's
  std::string color = "auto";
  bool ambiguous_wide = false;
  std::vector<std::string> columns;
  std::vector<std::string> kpis;
  std::string lang;  // check's --lang (report, tree and forecast have their own)
};

TerminalArgs& Args() {
  static TerminalArgs args;
  return args;
}

std::string OptionValue(const CLI::App& cmd, const char* name) {
  const CLI::Option* o = cmd.get_option_no_throw(name);
  if (o == nullptr || o->count() == 0 || o->results().empty()) return {};
  return o->results().back();
}

bool EnvSet(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

}  // namespace

void AddTerminalOptions(CLI::App* cmd) {
  TerminalArgs& a = Args();
  // lint and describe print no table of their own on a terminal (describe's tables are md),
  // only lines that --width wraps.
  const bool tables = cmd->get_name() != "lint" && cmd->get_name() != "describe";
  cmd->add_option("--width", a.width,
                  "Fit text tables into N columns (default: the terminal's width on a terminal, "
                  "no limit in a pipe or file)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  if (!tables) return;
  cmd->add_option("--color", a.color,
                  "Colour statuses: auto (default: on a terminal, unless NO_COLOR or TERM=dumb), "
                  "always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--ambiguous-wide", a.ambiguous_wide,
                "Count East Asian ambiguous characters (─ │ ○ ①) as 2 columns, as CJK terminals "
                "show them (also CRMKPI_AMBIGUOUS_WIDE=1)");
  cmd->add_option("--columns", a.columns,
                  "Show only these table columns, by their heading (comma-separated, e.g. "
                  "node,actual,target,status)")
      ->type_name("NAME,...")
      ->delimiter(',')
      ->allow_extra_args(false);
  const std::string& name = cmd->get_name();
  if (name == "check") {
    cmd->add_option("--lang", a.lang,
                    "Language of the table's headings and statuses: en (default) or ja")
        ->type_name("LANG")
        ->check(CLI::IsMember({"en", "ja"}));
  }
  if (name == "report" || name == "tree" || name == "check" || name == "dwell" ||
      name == "forecast") {
    cmd->add_option("--kpis", a.kpis,
                    "Show only these KPIs in the table and md outputs (check: these checks; "
                    "tree: these nodes), by id, comma-separated; csv and json keep all")
        ->type_name("ID,...")
        ->delimiter(',')
        ->allow_extra_args(false);
  }
}

void ApplyTerminalOptions(const CLI::App& app) {
  const auto subs = app.get_subcommands();
  if (subs.empty()) return;
  const CLI::App& cmd = *subs.front();
  if (cmd.get_option_no_throw("--width") == nullptr) return;  // init
  const TerminalArgs& a = Args();
  const std::string output = OptionValue(cmd, "--output");
  const std::string format = OptionValue(cmd, "--format");
  // Only the text table is fitted and coloured: md, csv, json and junit are for machines and
  // files, and stay the same wherever they go.
  const bool text = format.empty() || format == "table";
  const bool to_terminal = (output.empty() || output == "-") && ::isatty(STDOUT_FILENO) == 1;
  TerminalSettings s;
  if (text) {
    s.width = a.width > 0 ? a.width : (to_terminal ? TerminalWidth(STDOUT_FILENO) : 0);
    if (a.color == "always") {
      s.color = true;
    } else if (a.color == "auto") {
      const char* term = std::getenv("TERM");
      s.color = to_terminal && !EnvSet("NO_COLOR") && !(term != nullptr &&
                                                        std::string(term) == "dumb");
    }
  }
  const char* amb = std::getenv("CRMKPI_AMBIGUOUS_WIDE");
  s.ambiguous_wide = a.ambiguous_wide ||
                     (amb != nullptr && *amb != '\0' && std::string(amb) != "0");
  s.columns = a.columns;
  s.kpis = a.kpis;
  s.ja = OptionValue(cmd, "--lang") == "ja";
  SetTerminal(std::move(s));
}

}  // namespace crmkpi
