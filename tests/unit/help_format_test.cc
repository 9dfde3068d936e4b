#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "cli/completion.h"
#include "cli/help_format.h"
#include "crmkpi/base/utf8.h"

namespace crmkpi {
namespace {

std::size_t Widest(const std::string& text) {
  std::istringstream in(text);
  std::size_t widest = 0;
  for (std::string line; std::getline(in, line);) widest = std::max(widest, DisplayWidth(line));
  return widest;
}

TEST_CASE("WrapText breaks at spaces within the width and indents continuation lines") {
  const std::string t = WrapText("aaa bbb ccc ddd", 7, 2);
  CHECK(t == "aaa bbb\n  ccc ddd");
  CHECK(WrapText("one", 10, 4) == "one");
}

TEST_CASE("WrapText counts CJK as two columns and cuts a word wider than the line") {
  // 10 CJK characters = 20 columns, wrapped at 8: four per line.
  const std::string t = WrapText("受注率受注率受注率受注", 8, 0);
  CHECK(t == "受注率受\n注率受注\n率受注");
  CHECK(Widest(t) <= 8);
}

TEST_CASE("WrapText keeps the text's own line breaks") {
  CHECK(WrapText("a\nb", 10, 1) == "a\n b");
}

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
