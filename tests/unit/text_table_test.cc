// Numbers as people read them (text_table.h): thousands separators and never a negative zero.
#include "write/text_table.h"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/terminal.h"
#include "crmkpi/base/utf8.h"

using namespace crmkpi;

TEST_CASE("Fixed: thousands, rounding, and no '-0.0'", "[text_table]") {
  CHECK(Fixed(1234567.891, 2) == "1,234,567.89");
  CHECK(Fixed(-1234.5, 1) == "-1,234.5");
  CHECK(Fixed(0.0, 1) == "0.0");
  CHECK(Fixed(-0.0, 1) == "0.0");
  // A small negative value that rounds to zero was printed "-0.0" (timeliness, tree gaps).
  CHECK(Fixed(-0.04, 1) == "0.0");
  CHECK(Fixed(-0.004, 2) == "0.00");
  CHECK(Fixed(-0.4, 0) == "0");
  CHECK(Fixed(-0.06, 1) == "-0.1");
  CHECK(Fixed(-1e-12, 2) == "0.00");
}

namespace {

// The widest line of |text| (display width).
std::size_t Widest(const std::string& text) {
  std::size_t w = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    w = std::max(w, DisplayWidth(std::string_view(text).substr(pos, end - pos)));
    pos = end + 1;
  }
  return w;
}

Table CheckLikeTable() {
  Table t;
  t.head = {"status", "check", "violations", "details"};
  t.right = {false, false, true, false};
  t.rows = {{"FAIL", "required", "2 / 12 = 16.7 %",
             "missing email 1, company 1; complete records 4 of 6, and more words here"},
            {"PASS", "fresh", "0 / 4 = 0.0 %", "max age 30 d"}};
  return t;
}

}  // namespace

TEST_CASE("Table: no limit renders as before", "[text_table]") {
  SetTerminal({});
  const std::string out = CheckLikeTable().Render(false);
  CHECK(out.find("FAIL    required  2 / 12 = 16.7 %  missing email 1") != std::string::npos);
  CHECK(Widest(out) > 80);
}

TEST_CASE("Table: a long text column wraps within its cell to fit the width", "[text_table]") {
  TerminalSettings s;
  s.width = 60;
  SetTerminal(s);
  const std::string out = CheckLikeTable().Render(false);
  SetTerminal({});
  CHECK(Widest(out) <= 60);
  // details wrapped in its column: the continuation starts under the column.
  CHECK(out.find("FAIL    required  2 / 12 = 16.7 %  missing email 1, company") !=
        std::string::npos);
  CHECK(out.find("\n                                   ") != std::string::npos);
}

TEST_CASE("Table: columns that cannot fit move under their row", "[text_table]") {
  TerminalSettings s;
  s.width = 30;
  SetTerminal(s);
  const std::string out = CheckLikeTable().Render(false);
  SetTerminal({});
  INFO(out);
  CHECK(Widest(out) <= 30);
  // violations and details on the lines under each row, "head: value", wrapped.
  CHECK(out.find("\nFAIL    required\n    violations: 2 / 12 =\n      16.7 % | details:\n") !=
        std::string::npos);
  CHECK(out.find("\nPASS    fresh\n    violations: 0 / 4 = 0.0") != std::string::npos);
}

TEST_CASE("Table: a tree's node wraps under its own branch", "[text_table]") {
  Table t;
  t.head = {"node", "actual"};
  t.right = {false, true};
  t.rows = {{"├─ 受注件数 won_deals_in_the_period", "4"},
            {"│  └─ 商談数 opportunities", "11"}};
  TerminalSettings s;
  s.width = 30;
  SetTerminal(s);
  const std::string out = t.Render(false);
  SetTerminal({});
  CHECK(Widest(out) <= 30);
  INFO(out);
  // The node column narrowed to what is left: the text wraps (a long word is cut) behind the
  // branch's continuation, "│  " under "├─ ", "   " under "└─ ".
  CHECK(out.find("\n├─ 受注件数                  4\n│  won_deals_in_the_pe\n│  riod\n") !=
        std::string::npos);
  CHECK(out.find("\n│  └─ 商談数                11\n│     opportunities\n") !=
        std::string::npos);
}

TEST_CASE("Table: --columns chooses the columns; markdown ignores the width", "[text_table]") {
  TerminalSettings s;
  s.columns = {"Status", "violations"};
  SetTerminal(s);
  const std::string out = CheckLikeTable().Render(false);
  CHECK(out.rfind("status       violations\n", 0) == 0);
  CHECK(out.find("required") == std::string::npos);
  s.columns.clear();
  s.width = 30;
  SetTerminal(s);
  const std::string md = CheckLikeTable().Render(true);
  SetTerminal({});
  CHECK(Widest(md) > 80);
}

TEST_CASE("Table: statuses coloured, alignment by display width without escapes",
          "[text_table]") {
  TerminalSettings s;
  s.color = true;
  SetTerminal(s);
  const std::string out = CheckLikeTable().Render(false);
  SetTerminal({});
  CHECK(out.find("\x1b[1;31mFAIL\x1b[0m    required") != std::string::npos);
  CHECK(out.find("\x1b[32mPASS\x1b[0m    fresh   ") != std::string::npos);
  CHECK(out.find("\x1b[", 0) > out.find('\n'));  // never in the head
}

TEST_CASE("WrapLines: prose wider than the terminal wraps with a hanging indent",
          "[text_table]") {
  CHECK(WrapLines("short\n", 20) == "short\n");
  CHECK(WrapLines("  one two three four five six seven eight nine ten\n", 30) ==
        "  one two three four five six\n    seven eight nine ten\n");
  CHECK(WrapLines("a\n  one two three four five six seven eight nine ten", 30) ==
        "a\n  one two three four five six\n    seven eight nine ten");
  CHECK(WrapLines("unchanged when no limit\n", 0) == "unchanged when no limit\n");
  const std::vector<std::string> cut = WrapText("受注率受注率受注率", 7);
  CHECK(cut == std::vector<std::string>{"受注率", "受注率", "受注率"});
}

TEST_CASE("Table: --lang ja headings and statuses, measured as shown", "[text_table]") {
  Table t;
  t.head = {"KPI", "value", "status"};
  t.right = {false, true, false};
  t.rows = {{"受注率", "36.4 %", "off track"}, {"商談数", "11", "on track"}};
  TerminalSettings s;
  s.ja = true;
  SetTerminal(s);
  const std::string out = t.Render(false);
  SetTerminal({});
  CHECK(out ==
        "KPI         値  状態\n"
        "------  ------  ---------\n"
        "受注率  36.4 %  未達\n"
        "商談数      11  達成\n");
  CHECK(PointsSuffix() == " pt");
}

TEST_CASE("NumberCell: list cells by unit, never a raw double", "[text_table]") {
  CHECK(NumberCell("0.16666666666666666", Unit::kRatio) == "16.7 %");
  CHECK(NumberCell("104169.3391", Unit::kAmount) == "104,169");
  CHECK(NumberCell("3000000", Unit::kAmount) == "3,000,000");
  CHECK(NumberCell("12.5", Unit::kAmount) == "12.50");
  CHECK(NumberCell("0.992088943446991", Unit::kNumber) == "0.9921");
  CHECK(NumberCell("0.1", std::nullopt) == "0.1");
  CHECK(NumberCell("70", Unit::kDays) == "70.0");
  CHECK(NumberCell("", Unit::kAmount).empty());
  CHECK(NumberCell("n/a", Unit::kAmount) == "n/a");
  CHECK(MoneyIn(1500.5, "USD") == "1,500.50");
  CHECK(MoneyIn(2848571.43, "JPY") == "2,848,571");
  CHECK(Human(Num::Real(2848571.43), Unit::kAmount) == "2,848,571");
  CHECK(Human(Num::Real(200.5), Unit::kAmount) == "201");
}
