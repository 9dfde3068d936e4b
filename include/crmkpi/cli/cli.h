// The command line: parses arguments, runs a subcommand, prints diagnostics and maps every
// failure to one of the frozen exit codes (exit_code.h). main() is only a call to RunCli.
#pragma once

namespace crmkpi {

int RunCli(int argc, char** argv);

}  // namespace crmkpi
