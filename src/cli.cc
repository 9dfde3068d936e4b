#include "crmkpi/cli.h"

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cmd_check.h"
#include "cmd_columns.h"
#include "cmd_dwell.h"
#include "cmd_forecast.h"
#include "cmd_lint.h"
#include "cmd_report.h"
#include "cmd_roi.h"
#include "cmd_tree.h"
#include "crmkpi/error.h"
#include "crmkpi/exit_code.h"

namespace crmkpi {
namespace {

constexpr const char* kFooter = R"(Exit codes (frozen):
  0  ok (data warnings allowed)
  1  a data check failed
  2  usage or configuration error
  3  input unreadable or malformed

Documentation: docs/cli.md, docs/kpis.md)";

void PrintError(const std::string& text) { std::fprintf(stderr, "crmkpi: %s\n", text.c_str()); }

}  // namespace

int RunCli(int argc, char** argv) {
  // A closed pipe (`crmkpi report x.csv | head`) must end quietly, not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"crmkpi: KPIs from CRM export CSVs (deals, leads, stage history)", "crmkpi"};
  app.set_version_flag("--version", std::string("crmkpi ") + CRMKPI_VERSION);
  app.require_subcommand(1);
  app.footer(kFooter);
  int exit_code = 0;
  SetUpReportCommand(&app, &exit_code);
  SetUpColumnsCommand(&app, &exit_code);
  SetUpTreeCommand(&app, &exit_code);
  SetUpLintCommand(&app, &exit_code);
  SetUpCheckCommand(&app, &exit_code);
  SetUpDwellCommand(&app, &exit_code);
  SetUpForecastCommand(&app, &exit_code);
  SetUpRoiCommand(&app, &exit_code);

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
