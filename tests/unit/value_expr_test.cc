// A metric's `value =` arithmetic (value_expr.h): the grammar and its canonical text, the
// per-row value in amount units with percents and exclusions, and errors at their columns.
#include "crmkpi/definition/value_expr.h"

#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/values/num.h"

using namespace crmkpi;

namespace {

const SourceLoc kAt{"kpi.ini", 12, 9};  // where the value text starts

struct Src {
  RowSchema schema;
  StageRules rules;
  DateParser dates;
  explicit Src(std::vector<std::string> header)
      : schema(header, BindRoles(header, {}, "t.csv")), rules(StageConfig{}), dates("", "") {}

  // The value of |text| on |row|: "12.5", or the status name.
  std::string Eval(std::string_view text, std::vector<std::string_view> row,
                   bool decimal_comma = false) {
    ValueExpr e = ValueExpr::Parse(text, kAt);
    e.Bind(schema);
    RowContext ctx(schema, dates, &rules);
    ctx.set_decimal_comma(decimal_comma);
    ctx.SetRow(row.data());
    std::int64_t units = 0;
    switch (e.Eval(ctx, &units)) {
      case ValueExpr::Status::kOk:
        return Num::Money(units).ToString();
      case ValueExpr::Status::kMissing:
        return "missing";
      case ValueExpr::Status::kInvalid:
        return "invalid";
      case ValueExpr::Status::kDivisionByZero:
        return "division_by_zero";
    }
    return "?";
  }
};

std::string ErrorOf(std::string_view text, Src* bind = nullptr) {
  try {
    ValueExpr e = ValueExpr::Parse(text, kAt);
    if (bind != nullptr) e.Bind(bind->schema);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  return "(no error)";
}

std::string Canonical(std::string_view text) { return ValueExpr::Parse(text, kAt).ToString(); }

}  // namespace

TEST_CASE("value: precedence, parentheses, signs and the canonical text", "[value]") {
  CHECK(Canonical("amount*probability/100") == "amount * probability / 100");
  CHECK(Canonical("a + b * c") == "a + b * c");
  CHECK(Canonical("(a + b) * c") == "(a + b) * c");
  CHECK(Canonical("a - (b - c)") == "a - (b - c)");
  CHECK(Canonical("(a - b) - c") == "a - b - c");
  CHECK(Canonical("a / (b * c)") == "a / (b * c)");
  CHECK(Canonical("-a * +b") == "-a * b");
  CHECK(Canonical("-(a + b)") == "-(a + b)");
  CHECK(Canonical("金額 × 確度") == "金額 * 確度");
  CHECK(Canonical("金額＊（確度－値引）／100") == "金額 * (確度 - 値引) / 100");
  CHECK(Canonical("\"List Price\" * `qty`") == "\"List Price\" * qty");
  CHECK(Canonical("\"a \"\"b\"\"\" * 2") == "\"a \"\"b\"\"\" * 2");
  CHECK(Canonical("amount * 60 %") == "amount * 60%");
  CHECK(Canonical("users.score*2") == "users.score * 2");
  // Parse(ToString()) is the same expression.
  for (const char* text : {"a-(b-c)", "-(-a)", "((a))", "a/b/c", "a/(b/c)", "\"x y\"*.5"}) {
    const std::string once = Canonical(text);
    CHECK(Canonical(once) == once);
  }
  const ValueExpr e = ValueExpr::Parse("amount * probability + amount", kAt);
  CHECK(e.names() == std::vector<std::string>{"amount", "probability"});
}

TEST_CASE("value: per row in amount units, percent cells, exclusions by first reason",
          "[value]") {
  Src s({"amount", "probability", "list price", "qty"});
  // amount * probability / 100, with the probability as a whole number or a percent cell.
  CHECK(s.Eval("amount * probability / 100", {"1,000,000", "60", "", ""}) == "600000");
  CHECK(s.Eval("amount * probability", {"1,000,000", "60%", "", ""}) == "600000");
  CHECK(s.Eval("amount * probability", {"¥1,000,000", "12.5 %", "", ""}) == "125000");
  CHECK(s.Eval("amount * probability", {"1000", "１２．５％", "", ""}) == "125");  // full width
  CHECK(s.Eval("amount * probability", {"1000", "12.5％", "", ""}) == "125");
  CHECK(s.Eval("amount * 60%", {"1000", "", "", ""}) == "600");
  // Rounded to 1/10,000, half away from zero, once per row.
  CHECK(s.Eval("amount / 3", {"1", "", "", ""}) == "0.3333");
  CHECK(s.Eval("amount / 3 * 3", {"1", "", "", ""}) == "1");
  CHECK(s.Eval("amount / 8", {"0.0001", "", "", ""}) == "0");
  CHECK(s.Eval("amount / 2", {"0.0001", "", "", ""}) == "0.0001");
  CHECK(s.Eval("-amount / 2", {"0.0001", "", "", ""}) == "-0.0001");
  CHECK(s.Eval("(amount - \"list price\") * qty", {"100", "", "80", "3"}) == "60");
  CHECK(s.Eval("amount - -qty", {"100", "", "", "3"}) == "103");
  // The source's decimal comma.
  CHECK(s.Eval("amount * probability", {"1.234,50", "50%", "", ""}, true) == "617.25");
  CHECK(s.Eval("amount * probability", {"1.234,50", "50,5%", "", ""}, true) == "623.4225");
  // Left out: the first operand, left to right, that has no value; then a division by zero.
  CHECK(s.Eval("amount * probability", {"", "abc", "", ""}) == "missing");
  CHECK(s.Eval("probability * amount", {"", "abc", "", ""}) == "invalid");
  CHECK(s.Eval("amount * probability", {"TBD", "50%", "", ""}) == "invalid");
  CHECK(s.Eval("amount * probability", {"100", "%", "", ""}) == "invalid");
  CHECK(s.Eval("amount / qty", {"100", "", "", "0"}) == "division_by_zero");
  CHECK(s.Eval("amount / (qty - qty)", {"100", "", "", "5"}) == "division_by_zero");
  CHECK(s.Eval("qty / amount", {"", "", "", "0"}) == "missing");
  CHECK(s.Eval("amount * 1000000000000", {"1000000", "", "", ""}) == "invalid");  // > 9.2e14
}

TEST_CASE("value: an invalid cell is warned once per column and row, like any amount",
          "[value]") {
  Src s({"amount", "probability"});
  std::vector<std::string> hooked;
  ValueExpr e = ValueExpr::Parse("amount * probability + amount", kAt);
  e.Bind(s.schema);
  RowContext ctx(s.schema, s.dates, &s.rules);
  ctx.set_invalid_hook([&](std::string_view kind, int c) {
    hooked.push_back(std::string(kind) + ":" + std::to_string(c));
  });
  const std::vector<std::string_view> row = {"TBD", "x%"};
  ctx.SetRow(row.data());
  std::int64_t units = 0;
  CHECK(e.Eval(ctx, &units) == ValueExpr::Status::kInvalid);
  CHECK(hooked == std::vector<std::string>{"invalid_amount:0", "invalid_amount:1"});
}

TEST_CASE("value: syntax and binding errors at their columns", "[value]") {
  // The text starts at column 9: offset k is column 9 + k.
  CHECK(ErrorOf("amount *") == "kpi.ini:12:17: expected a column, a number or '(' after '*'");
  CHECK(ErrorOf("") == "kpi.ini:12:9: expected an expression over columns (amount * "
                       "probability / 100)");
  CHECK(ErrorOf("(amount * 2") ==
        "kpi.ini:12:20: expected ')' to close the '(' at column 9, found the end of the text");
  CHECK(ErrorOf("amount)") == "kpi.ini:12:15: unmatched ')'");
  CHECK(ErrorOf("amount probability") ==
        "kpi.ini:12:16: unexpected 'p': join columns and numbers with + - * / (amount * "
        "probability / 100); quote column names with spaces in \"double quotes\"");
  CHECK(ErrorOf("amount * 'x'") ==
        "kpi.ini:12:18: expected a column name; quote column names with \"double quotes\" or "
        "`backticks` (the value is computed from columns and numbers, not text)");
  CHECK(ErrorOf("amount * 1.2.3") == "kpi.ini:12:18: '1.2.3' is not a number (12, 0.5)");
  CHECK(ErrorOf("amount * 2x") ==
        "kpi.ini:12:18: '2x' is not a number; quote a column name that starts with a digit "
        "(\"2x\")");
  CHECK(ErrorOf("amount * \"x") == "kpi.ini:12:18: unclosed \" quote");
  CHECK(ErrorOf("amount ^ 2") ==
        "kpi.ini:12:16: unexpected '^': join columns and numbers with + - * / (amount * "
        "probability / 100); quote column names with spaces in \"double quotes\"");
  // Columns count characters: "金額 *" is 4 characters, the operand is missing at 13.
  CHECK(ErrorOf("金額 *") == "kpi.ini:12:13: expected a column, a number or '(' after '*'");
  // Nesting is bounded.
  CHECK(ErrorOf(std::string(300, '(') + "a" + std::string(300, ')')) ==
        "kpi.ini:12:265: expression nested too deeply (more than 256 levels)");
  std::string chain = "a";
  for (int i = 0; i < 300; ++i) chain += "+a";
  CHECK(ErrorOf(chain).find("expression nested too deeply (more than 256 levels)") !=
        std::string::npos);
  Src s({"amount", "Close Date"});
  CHECK(ErrorOf("amount * probabilty", &s) ==
        "kpi.ini:12:18: unknown column 'probabilty' in value (the header has 'amount', "
        "'Close Date'; roles: amount, closed)");
  CHECK(ErrorOf("amount * \"close date\"", &s) == "(no error)");  // insensitive header
}
