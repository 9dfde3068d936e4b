// regex() validity rules (validity_rule.h) run on RE2: whole-value matches, linear time on long
// values and on patterns that make a backtracking engine explode, and config errors at the
// pattern's column for what RE2 does not take.
#include "crmkpi/quality/validity_rule.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/values/date_time.h"

using namespace crmkpi;

namespace {

struct Rule {
  RowSchema schema{{"note"}, BindRoles({"note"}, {}, "t.csv")};
  StageRules rules{StageConfig{}};
  DateParser dates{"", ""};
  ValidityRule rule;

  explicit Rule(std::string_view text, SourceLoc loc = {"q.ini", 7, 8})
      : rule(ValidityRule::Bind(text, "", 0, schema, rules, "", loc)) {}

  ValidityRule::Outcome Check(std::string_view value) {
    std::vector<std::string_view> row{value};
    RowContext ctx(schema, dates, &rules);
    ctx.SetRow(row.data());
    return rule.Check(ctx, value.empty());
  }
};

std::string ErrorOf(std::string_view text) {
  try {
    Rule r(text);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("regex() matches the whole trimmed value", "[validity][regex]") {
  Rule r("regex([A-Z]{2}-[0-9]+)");
  CHECK(r.Check("AB-12") == ValidityRule::Outcome::kValid);
  CHECK(r.Check("  AB-12 ") == ValidityRule::Outcome::kValid);
  CHECK(r.Check("xAB-12") == ValidityRule::Outcome::kInvalid);
  CHECK(r.Check("AB-12x") == ValidityRule::Outcome::kInvalid);
  CHECK(r.Check("") == ValidityRule::Outcome::kMissing);
  // '.' is one UTF-8 character, not one byte.
  Rule jp("regex(株式会社.)");
  CHECK(jp.Check("株式会社Ａ") == ValidityRule::Outcome::kValid);
}

TEST_CASE("regex() on a 131,072-character value and on (a+)+b neither crashes nor hangs",
          "[validity][regex]") {
  // std::regex recursed once per character: a*, on 40 KB, was a stack overflow.
  Rule star("regex(a*)");
  CHECK(star.Check(std::string(131072, 'a')) == ValidityRule::Outcome::kValid);
  CHECK(star.Check(std::string(131071, 'a') + "b") == ValidityRule::Outcome::kInvalid);
  // Catastrophic backtracking: took 2 s on 27 characters and did not finish on 32.
  Rule nested("regex((a+)+b)");
  CHECK(nested.Check(std::string(10000, 'a')) == ValidityRule::Outcome::kInvalid);
  CHECK(nested.Check(std::string(10000, 'a') + "b") == ValidityRule::Outcome::kValid);
}

TEST_CASE("a pattern RE2 cannot take is a config error at its column", "[validity][regex]") {
  // The rule starts at column 8; the pattern at column 14; '(?=' (look-ahead) at 14 + 3.
  CHECK(ErrorOf("regex(ab(?=c))") ==
        "q.ini:7:16: rule 'regex(ab(?=c))': bad regular expression: invalid perl operator: (?= "
        "('(?='); patterns are RE2 syntax (no back-references or look-around, see "
        "docs/quality.md)");
  CHECK(ErrorOf("regex((a)\\1)").find("q.ini:7:17: rule 'regex((a)\\1)': bad regular expression: "
                                      "invalid escape sequence: \\1") == 0);
  CHECK(ErrorOf("regex(a{2,1})").find("q.ini:7:15: rule 'regex(a{2,1})': bad regular expression: invalid repetition size: {2,1}") !=
        std::string::npos);
}
