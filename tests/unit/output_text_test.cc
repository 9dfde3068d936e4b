#include "crmkpi/write/output_text.h"

#include <string>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/write/sheet.h"

namespace crmkpi {
namespace {

TEST_CASE("NeutraliseFormula prefixes an apostrophe to what a spreadsheet would run", "[csv]") {
  CHECK(NeutraliseFormula("=HYPERLINK(\"http://x\",\"y\")") == "'=HYPERLINK(\"http://x\",\"y\")");
  CHECK(NeutraliseFormula("+1") == "'+1");
  CHECK(NeutraliseFormula("-cmd") == "'-cmd");
  CHECK(NeutraliseFormula("@SUM(A1)") == "'@SUM(A1)");
  CHECK(NeutraliseFormula("\tx") == "'\tx");
  CHECK(NeutraliseFormula("\rx") == "'\rx");
  // Only the first character counts; ordinary and empty text is kept.
  CHECK(NeutraliseFormula("a=b") == "a=b");
  CHECK(NeutraliseFormula("佐藤") == "佐藤");
  CHECK(NeutraliseFormula(" =x") == " =x");
  CHECK(NeutraliseFormula("").empty());
}

TEST_CASE("CsvField neutralises, then quotes", "[csv]") {
  CHECK(CsvField("=1+2") == "'=1+2");
  CHECK(CsvField("=HYPERLINK(\"http://x\",\"y\")") ==
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(CsvField("\rx") == "\"'\rx\"");
  CHECK(CsvField("-5") == "'-5");  // a text cell; numbers are written without CsvField
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
}

TEST_CASE("EncodeOutput: BOM, CP932 and what CP932 cannot hold", "[output]") {
  OutputText bom;
  bom.bom = true;
  CHECK(EncodeOutput("a,b\n", bom) == "\xEF\xBB\xBF" "a,b\n");
  CHECK(EncodeOutput("a,b\n", OutputText{}) == "a,b\n");
  OutputText sjis;
  sjis.cp932 = true;
  // 佐藤 = 8D B2 93 A1; the wave dash U+301C and the middle dot map to their CP932 look-alikes.
  CHECK(EncodeOutput("佐藤\n", sjis) == "\x8D\xB2\x93\xA1\n");
  CHECK(EncodeOutput("\u301C", sjis) == "\x81\x60");
  CHECK(EncodeOutput("\u00B7", sjis) == "\x81\x45");
  CHECK(EncodeOutput("0\u2013200 \u2264 \u2308x\u2309", sjis) == "0-200 \x81\x85 ceil(x)");
  CHECK(EncodeOutput("①髙", sjis) == "\x87\x40\xFB\xFC");  // NEC and IBM extensions
  try {
    EncodeOutput("kpi,owner\nwon,ok\nwon,Zoë 😀\n", sjis);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.message().find("U+00EB") != std::string::npos);
    CHECK(e.message().find("line 3") != std::string::npos);
    CHECK(e.message().find("--bom") != std::string::npos);
  }
}

TEST_CASE("SheetName makes a valid, unique worksheet name", "[xlsx]") {
  CHECK(SheetName("By owner", {}) == "By owner");
  CHECK(SheetName("a[b]:c*d?e/f\\g", {}) == "a_b__c_d_e_f_g");
  CHECK(SheetName("'quoted'", {}) == "quoted");
  CHECK(SheetName("", {}) == "Sheet");
  CHECK(SheetName("tab\there", {}) == "tab_here");
  // 31 code points, not bytes: 40 kanji keep 31 (93 bytes).
  std::string kanji;
  for (int i = 0; i < 40; ++i) kanji += "営";
  const std::string cut = SheetName(kanji, {});
  CHECK(cut.size() == 31 * 3);
  CHECK(SheetName(std::string(40, 'x'), {}) == std::string(31, 'x'));
  // Unique, case-insensitively, within the 31.
  CHECK(SheetName("Total", {"total"}) == "Total (2)");
  CHECK(SheetName("Total", {"Total", "Total (2)"}) == "Total (3)");
  CHECK(SheetName(std::string(40, 'x'), {std::string(31, 'x')}) == std::string(27, 'x') + " (2)");
  CHECK(SheetName("Settings", {"Settings"}) == "Settings (2)");
}

TEST_CASE("Cell::Of gives the number format's kind, n/a an empty cell", "[xlsx]") {
  CHECK(Cell::Of(std::optional<double>(), Unit::kRatio).kind == CellKind::kEmpty);
  CHECK(Cell::Of(std::optional<double>(0.25), Unit::kRatio).kind == CellKind::kRatio);
  CHECK(Cell::Of(std::optional<double>(3), Unit::kDays).kind == CellKind::kDays);
  CHECK(Cell::Of(std::optional<double>(1500), Unit::kAmount, "JPY").decimals == -1);
  CHECK(Cell::Of(std::optional<double>(15.5), Unit::kAmount, "USD").decimals == 2);
  CHECK(Cell::Text("").kind == CellKind::kEmpty);
}

}  // namespace
}  // namespace crmkpi
