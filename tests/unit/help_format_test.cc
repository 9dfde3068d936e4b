#include <catch2/catch.hpp>

#include <string>

#include "cli/completion.h"
#include "cli/help_format.h"

namespace crmkpi {
namespace {

TEST_CASE("OptionGroup puts options in their group, unknown ones in none") {
  CHECK(OptionGroup("encoding") == "Input");
  CHECK(OptionGroup("format") == "Output");
  CHECK(OptionGroup("by") == "Grouping and periods");
  CHECK(OptionGroup("max-missing") == "Checks");
  CHECK(OptionGroup("no-such-option").empty());
}

TEST_CASE("The completion scripts list commands, options and fixed values") {
  CLI::App app{"t", "crmkpi"};
  CLI::App* report = app.add_subcommand("report", "Deal KPIs. More text");
  std::string format, period;
  bool lenient = false;
  report->add_option("-f,--format", format, "table (default), csv, json or md");
  report->add_option("--period", period, "p")->type_name("week|month|COL");
  report->add_flag("--lenient", lenient, "l");
  const std::string bash = BashCompletion(app);
  CHECK(bash.find("compgen -W \"report --help --version\"") != std::string::npos);
  CHECK(bash.find("-f|--format) COMPREPLY=($(compgen -W \"table csv json md\"") !=
        std::string::npos);
  CHECK(bash.find("--period) COMPREPLY=($(compgen -W \"week month\"") != std::string::npos);
  CHECK(bash.find("--lenient)") == std::string::npos);  // a flag takes no value
  const std::string zsh = ZshCompletion(app);
  CHECK(zsh.rfind("#compdef crmkpi", 0) == 0);
  CHECK(zsh.find("'report:Deal KPIs'") != std::string::npos);
  CHECK(zsh.find("'--period[p]:value:(week month)'") != std::string::npos);
}

}  // namespace
}  // namespace crmkpi
