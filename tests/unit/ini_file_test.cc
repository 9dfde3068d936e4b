#include "crmkpi/definition/ini_file.h"

#include <catch2/catch.hpp>

using namespace crmkpi;

namespace {

std::string ErrorOf(std::string_view text) {
  try {
    IniFile::Parse(text, "kpi.ini");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  return "no error";
}

}  // namespace

TEST_CASE("sections, entries, comments, continuation lines", "[ini]") {
  const IniFile ini = IniFile::Parse(
      "\xEF\xBB\xBF; a comment\r\n"
      "[source deals]\r\n"
      "file = deals.csv\r\n"
      "# another comment\n"
      "[kpi win_rate]\n"
      "label = 受注率\n"
      "definition = 受注 / (受注 + 失注); closed deals only\n"
      "  second line of the definition\n"
      "padded = \"  kept  \"\n"
      "empty =\n"
      "[tree]\n",
      "kpi.ini");
  REQUIRE(ini.sections().size() == 3);
  const IniSection& src = ini.sections()[0];
  CHECK(src.type == "source");
  CHECK(src.id == "deals");
  CHECK(src.loc.ToString() == "kpi.ini:2:1");
  CHECK(src.Find("file")->value == "deals.csv");
  CHECK(src.Find("file")->value_loc.ToString() == "kpi.ini:3:8");
  const IniSection& kpi = ini.sections()[1];
  CHECK(kpi.Find("label")->value == "受注率");
  CHECK(kpi.Find("definition")->value ==
        "受注 / (受注 + 失注); closed deals only\nsecond line of the definition");
  CHECK(kpi.Find("padded")->value == "  kept  ");
  CHECK(kpi.Find("empty")->value.empty());
  CHECK(kpi.Find("nope") == nullptr);
  CHECK(ini.sections()[2].type == "tree");
  CHECK(ini.sections()[2].id.empty());
}

TEST_CASE("long lines are not cut (unlike libinih's 200-byte limit)", "[ini]") {
  std::string long_text;
  for (int i = 0; i < 500; ++i) long_text += "受";
  const IniFile ini = IniFile::Parse("[kpi a]\ndefinition = " + long_text + "\n", "x.ini");
  CHECK(ini.sections()[0].Find("definition")->value == long_text);
}

TEST_CASE("INI syntax errors name file, line and column", "[ini]") {
  CHECK(ErrorOf("[kpi a]\nlabel\n") ==
        "kpi.ini:2:1: expected 'key = value', '[section]' or a comment");
  CHECK(ErrorOf("file = x\n") == "kpi.ini:1:1: an entry before the first [section]");
  CHECK(ErrorOf("[kpi a\n") == "kpi.ini:1:7: expected ']' to close the section name");
  CHECK(ErrorOf("[kpi a]\nlabel = x\nlabel = y\n") ==
        "kpi.ini:3:1: duplicate key 'label' in [kpi a] (first set at line 2)");
  CHECK(ErrorOf("[kpi a b]\n") ==
        "kpi.ini:1:2: bad section name '[kpi a b]': expected [type] or [type id], where a name "
        "has letters, digits, '_', '-' or '.'");
  CHECK(ErrorOf("[kpi a]\nbad key = 1\n") ==
        "kpi.ini:2:1: bad key 'bad key': a key has letters, digits, '_', '-' or '.'");
  CHECK(ErrorOf("[kpi a]\nlabel = \xff\n") ==
        "kpi.ini:2: invalid UTF-8 at byte offset 16; save the file as UTF-8");
}

TEST_CASE("a missing INI file is a configuration error", "[ini]") {
  try {
    IniFile::Load("/nonexistent/kpi.ini");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.Formatted() == "/nonexistent/kpi.ini: cannot open the KPI definition");
  }
}
