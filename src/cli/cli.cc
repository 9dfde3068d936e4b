#include "crmkpi/cli/cli.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/exit_code.h"
#include "crmkpi/base/text.h"
#include "crmkpi/write/xlsx_writer.h"
#include "cmd_check.h"
#include "cmd_completion.h"
#include "cmd_columns.h"
#include "cmd_describe.h"
#include "cmd_dwell.h"
#include "cmd_forecast.h"
#include "cmd_init.h"
#include "cmd_lint.h"
#include "cmd_report.h"
#include "cmd_roi.h"
#include "cmd_metrics.h"
#include "cmd_sql.h"
#include "cmd_tree.h"
#include "cmd_views.h"
#include "help_examples.h"
#include "help_format.h"
#include "terminal_options.h"

namespace crmkpi {
namespace {

constexpr const char* kFooter = R"(Exit codes (frozen):
  0  ok (data warnings allowed)
  1  a data check failed
  2  usage or configuration error
  3  input unreadable or malformed

Documentation: docs/cli.md, docs/kpis.md)";

void PrintError(const std::string& text) { std::fprintf(stderr, "crmkpi: %s\n", text.c_str()); }

// The subcommands' names, in the order --help lists them.
std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// "unknown command 'repot' (did you mean 'report'?)" when argv[1] is a word that names no
// command (CLI11 said "A subcommand is required"), else "".
std::string UnknownCommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '\0') return {};
  const std::vector<std::string> names = CommandNames(app);
  if (std::find(names.begin(), names.end(), argv[1]) != names.end()) return {};
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return fmt::format("unknown command '{}'{}; the commands are {}", argv[1],
                     DidYouMean(argv[1], names), list);
}

// For CLI11's "The following argument was not expected: --max-mising": "check: unknown option
// '--max-mising' (did you mean '--max-missing'?)", naming the command and its nearest option.
std::string ExtrasMessage(const CLI::App& app, const CLI::ParseError& e) {
  std::string text;
  bool all_options = true;
  for (const CLI::App* sub : app.get_subcommands()) {
    std::vector<std::string> flags;
    for (const CLI::Option* opt : sub->get_options()) {
      for (const std::string& l : opt->get_lnames()) flags.push_back("--" + l);
      for (const std::string& n : opt->get_snames()) flags.push_back("-" + n);
    }
    for (const std::string& extra : sub->remaining()) {
      if (extra.size() < 2 || extra[0] != '-') {
        all_options = false;
        continue;
      }
      const std::string word = extra.substr(0, extra.find('='));
      text += fmt::format("{}{}: unknown option '{}'{}", text.empty() ? "" : "\ncrmkpi: ",
                          sub->get_name(), word, DidYouMean(word, flags));
    }
  }
  return all_options && !text.empty() ? text : std::string(e.what());
}

// The command line as a shell would take it back: "crmkpi report 'a b.csv' -f xlsx".
std::string CommandLine(int argc, char** argv) {
  std::string out = "crmkpi";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
                                                         "KLMNOPQRSTUVWXYZ0123456789-_=.,/:+@%") ==
                                         std::string_view::npos;
    std::string quoted = "'";
    for (const char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += " " + (plain ? std::string(a) : quoted + "'");
  }
  return out;
}

}  // namespace

int RunCli(int argc, char** argv) {
  // A closed pipe (`crmkpi report x.csv | head`) must end quietly, not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"crmkpi: KPIs from CRM export CSVs (deals, leads, stage history)", "crmkpi"};
  app.set_version_flag("--version", std::string("crmkpi ") + CRMKPI_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  SetUpReportCommand(&app, &exit_code);
  SetUpColumnsCommand(&app, &exit_code);
  SetUpTreeCommand(&app, &exit_code);
  SetUpMetricsCommand(&app, &exit_code);
  SetUpSqlCommand(&app, &exit_code);
  SetUpLintCommand(&app, &exit_code);
  SetUpDescribeCommand(&app, &exit_code);
  SetUpViewsCommand(&app, &exit_code);
  SetUpCheckCommand(&app, &exit_code);
  SetUpDwellCommand(&app, &exit_code);
  SetUpForecastCommand(&app, &exit_code);
  SetUpRoiCommand(&app, &exit_code);
  SetUpInitCommand(&app, &exit_code);
  SetUpCompletionCommand(&app, &exit_code);
  // Every command that prints tables: --width, --color, --ambiguous-wide, --columns, applied
  // once parsing is done and before the command runs (the main app's parse-complete callback
  // runs before the subcommands' callbacks).
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() != "init" && sub->get_name() != "completion") AddTerminalOptions(sub);
  }
  app.parse_complete_callback([&app] { ApplyTerminalOptions(app); });
  // --help: lines of at most 100 columns, options in groups, runnable examples at the end.
  UseHelpFormatter(&app);
  app.footer(ExamplesText("") + "\n" + kFooter);
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    UseHelpFormatter(sub);
    GroupOptions(sub);
    sub->footer(ExamplesText(sub->get_name()) + "\n" + kFooter);
  }

  if (const std::string unknown = UnknownCommand(app, argc, argv); !unknown.empty()) {
    PrintError(unknown + "\nRun 'crmkpi --help' for usage.");
    return ToInt(ExitCode::kUsage);
  }
  SetXlsxCommandLine(CommandLine(argc, argv));  // the Settings sheet of -f xlsx
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return ToInt(ExitCode::kOk);
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return ToInt(ExitCode::kOk);
  } catch (const CLI::CallForVersion& e) {
    std::fputs((std::string(e.what()) + "\n").c_str(), stdout);
    return ToInt(ExitCode::kOk);
  } catch (const CLI::ExtrasError& e) {
    PrintError(fmt::format("{}\nRun 'crmkpi --help' or 'crmkpi COMMAND --help' for usage.",
                           ExtrasMessage(app, e)));
    return ToInt(ExitCode::kUsage);
  } catch (const CLI::ParseError& e) {
    PrintError(fmt::format("{}\nRun 'crmkpi --help' or 'crmkpi COMMAND --help' for usage.",
                           e.what()));
    return ToInt(ExitCode::kUsage);
  } catch (const Error& e) {
    PrintError(e.Formatted());
    return ToInt(e.code());
  } catch (const std::bad_alloc&) {
    PrintError("out of memory");
    return ToInt(ExitCode::kInput);
  } catch (const std::exception& e) {
    // Anything else is a bug; say so rather than crash.
    PrintError(fmt::format("internal error: {}", e.what()));
    return ToInt(ExitCode::kInput);
  }
  return exit_code;
}

}  // namespace crmkpi
