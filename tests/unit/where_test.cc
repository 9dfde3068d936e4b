// The where language (where.h): every operator, missing-value semantics, the comparison kind
// chosen from the literal, stage conditions, name resolution, and error texts with locations.
#include "crmkpi/definition/where.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "crmkpi/base/error.h"

using namespace crmkpi;

namespace {

const SourceLoc kAt{"kpi.ini", 14, 17};  // where the where text starts

// A source with |header|; roles auto-detected; |stages| and |tz| as a source would set them.
struct Src {
  RowSchema schema;
  StageRules rules;
  std::string tz;
  DateParser dates;

  explicit Src(std::vector<std::string> header, StageConfig stages = {}, std::string zone = "")
      : schema(header, BindRoles(header, {}, "t.csv")),
        rules(std::move(stages)),
        tz(zone),
        dates("", zone) {}

  Where Compile(std::string_view text, std::string_view what = "where") const {
    return Where::Compile(text, kAt, schema, rules, tz, what);
  }

  // Evaluates |text| on one row (views, header order, then lookup columns).
  bool Eval(std::string_view text, std::vector<std::string_view> row) {
    Where w = Compile(text);
    return Eval(w, row);
  }
  bool Eval(Where& w, std::vector<std::string_view> row) {
    REQUIRE(row.size() == schema.size());
    RowContext ctx(schema, dates, &rules);
    ctx.SetRow(row.data());
    return w.Matches(ctx);
  }
};

// "file:line:col: message" of the Error |f| throws, with its exit code checked.
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  return "(no error)";
}

std::string SyntaxError(std::string_view text) {
  return ErrorOf([&] { WhereExpr::Parse(text, kAt); });
}

}  // namespace

TEST_CASE("text comparisons: every operator, trimmed, byte-wise", "[where]") {
  Src s({"owner", "note"});
  CHECK(s.Eval("owner = 'Bob'", {"Bob", ""}));
  CHECK(s.Eval("owner = 'Bob'", {"  Bob ", ""}));  // field trimmed
  CHECK(s.Eval("owner = ' Bob '", {"Bob", ""}));   // literal trimmed
  CHECK_FALSE(s.Eval("owner = 'Bob'", {"bob", ""}));  // exact bytes: case matters
  CHECK(s.Eval("owner = \"Bob\"", {"Bob", ""}));      // double-quoted value
  CHECK(s.Eval("owner = Bob", {"Bob", ""}));          // bare word value
  CHECK(s.Eval("owner != 'Bob'", {"Alice", ""}));
  CHECK_FALSE(s.Eval("owner != 'Bob'", {"Bob", ""}));
  // "Alice" < "B" < "Bob" < "Carol" byte-wise.
  CHECK(s.Eval("owner < 'B'", {"Alice", ""}));
  CHECK_FALSE(s.Eval("owner < 'B'", {"Bob", ""}));
  CHECK(s.Eval("owner <= 'Bob'", {"Bob", ""}));
  CHECK_FALSE(s.Eval("owner <= 'Bob'", {"Carol", ""}));
  CHECK(s.Eval("owner > 'Bob'", {"Carol", ""}));
  CHECK_FALSE(s.Eval("owner > 'Bob'", {"Bob", ""}));
  CHECK(s.Eval("owner >= 'Bob'", {"Bob", ""}));
  CHECK_FALSE(s.Eval("owner >= 'Bob'", {"Alice", ""}));
  CHECK(s.Eval("owner in ('Alice', \"Bob\", Carol)", {"Carol", ""}));
  CHECK_FALSE(s.Eval("owner in ('Alice', 'Bob')", {"Dave", ""}));
  CHECK(s.Eval("owner not in ('Alice', 'Bob')", {"Dave", ""}));
  CHECK_FALSE(s.Eval("owner not in ('Alice', 'Bob')", {"Bob", ""}));
  CHECK(s.Eval("owner between 'A' and 'B'", {"Alice", ""}));
  CHECK_FALSE(s.Eval("owner between 'A' and 'B'", {"Bob", ""}));  // "Bob" > "B"
  CHECK(s.Eval("owner not between 'A' and 'B'", {"Bob", ""}));
  CHECK(s.Eval("owner is empty", {"", ""}));
  CHECK(s.Eval("owner is empty", {" \t", ""}));            // blank = empty after trimming
  CHECK(s.Eval("owner is empty", {"\xE3\x80\x80", ""}));   // U+3000 only
  CHECK_FALSE(s.Eval("owner is empty", {"Bob", ""}));
  CHECK(s.Eval("owner is not empty", {"Bob", ""}));
  CHECK_FALSE(s.Eval("owner is not empty", {" ", ""}));
  CHECK(s.Eval("owner = 'O''Brien'", {"O'Brien", ""}));  // doubled quote
}

TEST_CASE("a missing value satisfies only 'is empty' (R5)", "[where]") {
  Src s({"owner", "amount", "created_at"});
  const std::vector<std::string_view> empty = {" ", "", ""};
  CHECK(s.Eval("owner is empty", empty));
  CHECK_FALSE(s.Eval("owner = 'Bob'", empty));
  CHECK_FALSE(s.Eval("owner != 'Bob'", empty));
  CHECK_FALSE(s.Eval("owner < 'zzz'", empty));
  CHECK_FALSE(s.Eval("owner in ('Bob')", empty));
  CHECK_FALSE(s.Eval("owner not in ('Bob')", empty));
  CHECK_FALSE(s.Eval("owner between 'A' and 'z'", empty));
  CHECK_FALSE(s.Eval("owner not between 'A' and 'B'", empty));
  CHECK_FALSE(s.Eval("amount != 5", empty));
  CHECK_FALSE(s.Eval("amount not in (5)", empty));
  CHECK_FALSE(s.Eval("created_at != 2024-01-01", empty));
  // The negation of a false condition is true.
  CHECK(s.Eval("not (owner = 'Bob')", empty));
  CHECK(s.Eval("not owner != 'Bob'", empty));
}

TEST_CASE("numeric literals compare fields parsed as amounts", "[where]") {
  Src s({"amount", "id"});
  CHECK(s.Eval("amount > 1000", {"1,500", ""}));        // 1500 > 1000
  CHECK(s.Eval("amount > 1000", {"$1,000.01", ""}));    // 1000.01 > 1000
  CHECK_FALSE(s.Eval("amount > 1000", {"¥1,000", ""}));  // 1000 = 1000
  CHECK(s.Eval("amount = 1.5", {"1.50", ""}));
  CHECK(s.Eval("amount = 1.5", {"１．５", ""}));        // full-width digits
  CHECK(s.Eval("amount >= -3", {"-3", ""}));
  CHECK(s.Eval("amount < -3", {"(4)", ""}));  // accounting -4 < -3
  CHECK(s.Eval("amount <= 0", {"0", ""}));
  CHECK(s.Eval("amount != 0", {"0.0001", ""}));
  CHECK(s.Eval("amount in (1, 2, 3)", {"2.0", ""}));
  CHECK_FALSE(s.Eval("amount in (1, 2, 3)", {"2.5", ""}));
  CHECK(s.Eval("amount not in (1, 2)", {"3", ""}));
  CHECK(s.Eval("amount between 10 and 20", {"20", ""}));      // inclusive
  CHECK_FALSE(s.Eval("amount between 10 and 20", {"20.0001", ""}));
  CHECK(s.Eval("amount not between 10 and 20", {"5", ""}));
  // Numeric, not text: "9" > "10" as text, but 9 < 10.
  CHECK(s.Eval("amount < 10", {"9", ""}));
  // A quoted number is text: "1,500" = '1,500' byte for byte, "1500" is not.
  CHECK(s.Eval("amount = '1,500'", {"1,500", ""}));
  CHECK_FALSE(s.Eval("amount = '1,500'", {"1500", ""}));
  CHECK_FALSE(s.Eval("id = '12'", {"", "12.0"}));
  CHECK(s.Eval("id = 12", {"", "12.0"}));
  // A mixed list is text.
  CHECK(s.Eval("id in (12, 'x')", {"", "12"}));
  CHECK_FALSE(s.Eval("id in (12, 'x')", {"", "12.0"}));
}

TEST_CASE("invalid numbers and dates make the condition false and are counted", "[where]") {
  Src s({"amount", "created_at"});
  std::vector<std::pair<std::string, int>> hooked;
  Where w = s.Compile("amount > 5 or amount <= 5 or created_at > 2024-01-01");
  RowContext ctx(s.schema, s.dates, &s.rules);
  ctx.set_invalid_hook(
      [&](std::string_view kind, int column) { hooked.emplace_back(std::string(kind), column); });
  const std::vector<std::string_view> bad = {"TBD", "soon"};
  ctx.SetRow(bad.data());
  CHECK_FALSE(w.Matches(ctx));
  // Three conditions failed on invalid values; the amount column was parsed once (memoised),
  // so the hook saw it once, and the date once.
  CHECK(w.invalid_values() == 3);
  REQUIRE(hooked.size() == 2);
  CHECK(hooked[0] == std::pair<std::string, int>("invalid_amount", 0));
  CHECK(hooked[1] == std::pair<std::string, int>("invalid_date", 1));
  // Next row: parsed again.
  const std::vector<std::string_view> good = {"7", "2024-02-01"};
  ctx.SetRow(good.data());
  CHECK(w.Matches(ctx));
  CHECK(hooked.size() == 2);
}

TEST_CASE("date literals compare local dates, with a time, instants", "[where]") {
  Src utc({"created_at"});
  CHECK(utc.Eval("created_at = 2024-03-01", {"2024-03-01 15:00"}));  // same calendar day
  CHECK(utc.Eval("created_at = 2024-03-01", {"3/1/2024 9:05 PM"}));  // any DateParser form
  CHECK(utc.Eval("created_at >= 2024-03-01", {"2024-03-01"}));
  CHECK_FALSE(utc.Eval("created_at >= 2024-03-01", {"2024-02-29 23:59"}));
  CHECK(utc.Eval("created_at < 2024-03-01", {"2024-02-29 23:59"}));
  CHECK(utc.Eval("created_at between 2024-01-01 and 2024-03-31", {"2024-03-31 23:00"}));
  CHECK(utc.Eval("created_at in (2024-01-01, '2024/03/01')", {"2024-03-01T08:00:00"}));
  CHECK(utc.Eval("created_at = '2024年3月1日'", {"2024-03-01"}));  // quoted: DateParser forms
  // A quoted literal with a time compares instants.
  CHECK(utc.Eval("created_at < '2024-03-01 12:00'", {"2024-03-01 11:59"}));
  CHECK_FALSE(utc.Eval("created_at < '2024-03-01 12:00'", {"2024-03-01 12:00"}));
  CHECK_FALSE(utc.Eval("created_at = '2024-03-01 12:00'", {"2024-03-01"}));
  // Quoted text that is not a date is text.
  CHECK(utc.Eval("created_at = 'soon'", {"soon"}));
  // The calendar date is the one in the source's zone: 16:00Z on Feb 29 is 01:00 on March 1
  // in Tokyo (UTC+9).
  Src tokyo({"created_at"}, {}, "Asia/Tokyo");
  CHECK(tokyo.Eval("created_at = 2024-03-01", {"2024-02-29T16:00:00Z"}));
  CHECK_FALSE(utc.Eval("created_at = 2024-03-01", {"2024-02-29T16:00:00Z"}));
  // A naive quoted time is Tokyo time: '2024-03-01 09:00' JST = 00:00Z.
  CHECK(tokyo.Eval("created_at >= '2024-03-01 09:00'", {"2024-03-01T00:00:00Z"}));
  CHECK_FALSE(tokyo.Eval("created_at >= '2024-03-01 09:00'", {"2024-02-29T23:59:59Z"}));
}

TEST_CASE("stage is won/lost/open/closed uses the source's stage rules", "[where]") {
  Src s({"owner", "Stage"});
  CHECK(s.Eval("stage is won", {"", "Closed Won"}));
  CHECK(s.Eval("stage is won", {"", "closed_won"}));
  CHECK_FALSE(s.Eval("stage is won", {"", "lost"}));
  CHECK(s.Eval("stage is lost", {"", "失注"}));
  CHECK(s.Eval("stage is open", {"", "proposal"}));
  CHECK(s.Eval("stage is open", {"", ""}));  // an empty stage is open (docs/kpis.md)
  CHECK(s.Eval("stage is closed", {"", "won"}));
  CHECK(s.Eval("stage is closed", {"", "lost"}));
  CHECK_FALSE(s.Eval("stage is closed", {"", "proposal"}));
  CHECK(s.Eval("stage is not won", {"", "lost"}));
  CHECK(s.Eval("STAGE IS WON", {"", "won"}));  // keywords are case-insensitive
  // `stage` is also an ordinary operand (the stage role's column).
  CHECK(s.Eval("stage = 'Closed Won'", {"", "Closed Won"}));
  CHECK(s.Eval("stage is empty", {"", ""}));

  StageConfig custom;
  custom.won = {"Signed"};
  custom.lost = {"Dropped"};
  Src c({"owner", "Stage"}, custom);
  CHECK(c.Eval("stage is won", {"", "signed"}));
  CHECK(c.Eval("stage is open", {"", "won"}));  // "won" is not a won value here
}

TEST_CASE("stage reached follows the stage order and the lost policy", "[where]") {
  StageConfig cfg;
  cfg.order = {"lead", "qualified", "proposal", "won"};
  Src s({"Stage"}, cfg);
  const char* q = "stage reached qualified";
  CHECK(s.Eval(q, {"qualified"}));
  CHECK(s.Eval(q, {"Proposal"}));
  CHECK_FALSE(s.Eval(q, {"lead"}));
  CHECK(s.Eval(q, {"won"}));     // a won deal went through every stage
  CHECK_FALSE(s.Eval(q, {"other"}));  // not in the order: unknown, not reached
  CHECK_FALSE(s.Eval(q, {"lost"}));   // lost_reached exclude: not counted as reached
  CHECK(s.Eval("stage reached 'Lead'", {"lead"}));

  cfg.lost_reached = LostReached::kOpportunity;
  Src opp({"Stage"}, cfg);
  CHECK(opp.Eval(q, {"lost"}));
  cfg.lost_reached = LostReached::kLead;
  Src lead({"Stage"}, cfg);
  CHECK_FALSE(lead.Eval(q, {"lost"}));
}

TEST_CASE("operands: quoted names, insensitive headers, roles, lookup columns", "[where]") {
  Src s({"Deal Owner", "Lead Source", "所有者", "Close Value"});
  CHECK(s.Eval("\"Lead Source\" = 'Web'", {"", "Web", "", ""}));
  CHECK(s.Eval("`Lead Source` = 'Web'", {"", "Web", "", ""}));
  CHECK(s.Eval("lead_source = 'Web'", {"", "Web", "", ""}));   // FindColumn: normal form
  CHECK(s.Eval("LEADSOURCE = 'Web'", {"", "Web", "", ""}));
  CHECK(s.Eval("所有者 = '田中'", {"", "", "田中", ""}));       // non-ASCII bare name
  // Roles: "Deal Owner" is the owner role, "Close Value" the amount role.
  CHECK(s.Eval("owner = 'Bob'", {"Bob", "", "", ""}));
  CHECK(s.Eval("amount >= 10", {"", "", "", "10"}));
  CHECK(s.Eval("Amount >= 10", {"", "", "", "10"}));

  Src l({"region_code", "owner"});
  l.schema.AddLookup("region", {"code", "Region Name"});
  // Row: source fields, then the lookup's columns.
  CHECK(l.Eval("region.region_name = 'Europe'", {"EU", "", "EU", "Europe"}));
  CHECK(l.Eval("`region.Region Name` = 'Europe'", {"EU", "", "EU", "Europe"}));
  CHECK(l.Eval("region.region_name is empty", {"XX", "", "", ""}));
  CHECK(l.schema.Resolve("region.code") == 2);
  CHECK(l.schema.Resolve("region.nope") == -1);
}

TEST_CASE("and binds tighter than or, not and parentheses", "[where]") {
  Src s({"a", "b", "c"});
  // a = 1 or (b = 1 and c = 1)
  CHECK(s.Eval("a = 1 or b = 1 and c = 1", {"1", "0", "0"}));
  CHECK_FALSE(s.Eval("(a = 1 or b = 1) and c = 1", {"1", "0", "0"}));
  CHECK(s.Eval("not a = 1 and b = 1", {"0", "1", "0"}));  // (not a = 1) and b = 1
  CHECK(s.Eval("not not a = 1", {"1", "", ""}));
  CHECK(s.Eval("A = 1 AND b = 2 OR c = 3", {"", "", "3"}));
  CHECK(s.Eval("a=1 and(b=2)", {"1", "2", ""}));
  // Empty text: every row.
  Where all = s.Compile("  ");
  CHECK(all.always());
  CHECK(s.Eval(all, {"", "", ""}));
}

TEST_CASE("syntax errors: exact text at the column inside the where text", "[where]") {
  // The text starts at kpi.ini:14:17, so offset k is column 17 + k (characters).
  // "owner =": the value is missing at the end, offset 7 → column 24.
  CHECK(SyntaxError("owner =") == "kpi.ini:14:24: expected a value after '='");
  // "owner >= and": 'and' at offset 9 → 26.
  CHECK(SyntaxError("owner >= and x = 1") ==
        "kpi.ini:14:26: expected a value after '>=', found the keyword 'and' (quote it to use "
        "it as text: 'and')");
  // "amount = 1" is 10 characters: ',' at offset 10 → 27.
  CHECK(SyntaxError("amount = 1,000") ==
        "kpi.ini:14:27: unexpected ',': write numbers without thousands separators (1000), or "
        "quote text ('1,000')");
  // The quote opens at offset 8 → 25.
  CHECK(SyntaxError("owner = 'Bob") == "kpi.ini:14:25: unclosed ' quote");
  // '(' at offset 0 = column 17; the end at offset 12 → 29.
  CHECK(SyntaxError("(owner = 'a'") ==
        "kpi.ini:14:29: expected ')' to close the '(' at column 17, found the end of the text");
  // ')' at offset 11 → 28.
  CHECK(SyntaxError("owner = 'a')") == "kpi.ini:14:28: unmatched ')'");
  // 'a' at offset 6 → 23.
  CHECK(SyntaxError("owner 'a'") ==
        "kpi.ini:14:23: expected an operator (=, !=, <, <=, >, >=, in, is, between) after "
        "'owner', found 'a'");
  // 'won' at offset 9 → 26.
  CHECK(SyntaxError("owner is won") ==
        "kpi.ini:14:26: 'is won' is only for stage (stage is won); compare a column with "
        "'owner' = 'won'");
  CHECK(SyntaxError("owner is nothing") ==
        "kpi.ini:14:26: expected 'empty' after 'is', found 'nothing'");
  // '12abc' at offset 9 → 26.
  CHECK(SyntaxError("amount > 12abc") ==
        "kpi.ini:14:26: '12abc' is not a number, a YYYY-MM-DD date or a duration (1d, 48h, "
        "90m); quote text values ('12abc')");
  // An impossible date is not a date: offset 11 → 28.
  CHECK(SyntaxError("created >= 2024-02-30") ==
        "kpi.ini:14:28: '2024-02-30' is not a number, a YYYY-MM-DD date or a duration (1d, "
        "48h, 90m); quote text values ('2024-02-30')");
  // 'a' at offset 9 → 26.
  CHECK(SyntaxError("owner in 'a'") == "kpi.ini:14:26: expected '(' after 'in'");
  // "owner in ('a' 'b')": 'b' at offset 14 → 31.
  CHECK(SyntaxError("owner in ('a' 'b')") ==
        "kpi.ini:14:31: expected ',' or ')' in the 'in' list, found 'b'");
  CHECK(SyntaxError("and owner = 1") == "kpi.ini:14:17: expected a column name before 'and'");
  CHECK(SyntaxError("'owner' = 1") ==
        "kpi.ini:14:17: expected a column name; quote column names with \"double quotes\" or "
        "`backticks` ('single quotes' are for values)");
  // 'bob' at offset 12 → 29.
  CHECK(SyntaxError("owner = 'a' bob = 'b'") ==
        "kpi.ini:14:29: unexpected 'bob': join conditions with 'and' or 'or', and quote values "
        "that contain spaces");
  // "amount between 1 5": '5' at offset 17 → 34.
  CHECK(SyntaxError("amount between 1 5") == "kpi.ini:14:34: expected 'and' after 'between 1'");
  // "owner not like": 'like' at offset 10 → 27.
  CHECK(SyntaxError("owner not like 'a'") ==
        "kpi.ini:14:27: expected 'in' or 'between' after 'owner not'");
  // '!' alone at offset 6 → 23.
  CHECK(SyntaxError("owner ! 'a'") ==
        "kpi.ini:14:23: unexpected '!' (write != for 'not equal', or not ...)");
  // "owner = 'a' and": the column name is missing at the end, offset 15 → 32.
  CHECK(SyntaxError("owner = 'a' and") == "kpi.ini:14:32: expected a column name");
  // Columns count characters, not bytes: "所有者 =" is 5 characters (9 + 2 bytes), the value is
  // missing at character 5 → column 22.
  CHECK(SyntaxError("所有者 =") == "kpi.ini:14:22: expected a value after '='");
  // On a continuation line (after a newline) only the line is known.
  CHECK(SyntaxError("owner = 'a' and\n(x = ") == "kpi.ini:15: expected a value after '='");
}

TEST_CASE("binding errors: unknown columns, stage without column or order", "[where]") {
  Src s({"owner", "amount"});
  // "ownr" at offset 0 → column 17. Roles in role order: amount, owner.
  CHECK(ErrorOf([&] { s.Compile("ownr = 'x'"); }) ==
        "kpi.ini:14:17: unknown column 'ownr' in where (the header has 'owner', 'amount'; "
        "roles: amount, owner)");
  // "bogus" at offset 16 → column 33; in a source filter the text is named 'filter'.
  CHECK(ErrorOf([&] { s.Compile("owner = 'x' and bogus > 1", "filter"); }) ==
        "kpi.ini:14:33: unknown column 'bogus' in filter (the header has 'owner', 'amount'; "
        "roles: amount, owner)");
  CHECK(ErrorOf([&] { s.Compile("stage is won"); }) ==
        "kpi.ini:14:17: unknown column 'stage' in where: 'stage is' needs the stage column "
        "(the header has 'owner', 'amount'; roles: amount, owner)");

  Src l({"code"});
  l.schema.AddLookup("region", {"code", "name"});
  CHECK(ErrorOf([&] { l.Compile("region.x = 1"); }) ==
        "kpi.ini:14:17: unknown column 'region.x' in where (the header has 'code'; roles: "
        "none; lookup columns: region.code, region.name)");

  Src st({"stage"});
  CHECK(ErrorOf([&] { st.Compile("stage reached qualified"); }) ==
        "kpi.ini:14:17: 'stage reached' in where needs the source's stage order (the pipeline "
        "stages, first to last)");
  StageConfig cfg;
  cfg.order = {"lead", "qualified"};
  Src so({"stage"}, cfg);
  // 'proposal' at offset 14 → column 31.
  CHECK(ErrorOf([&] { so.Compile("stage reached proposal"); }) ==
        "kpi.ini:14:31: stage 'proposal' in where is not in the stage order (lead, qualified)");
  // A continuation line: line 16, no column.
  CHECK(ErrorOf([&] { s.Compile("owner = 'a'\nand\nnope = 1"); }) ==
        "kpi.ini:16: unknown column 'nope' in where (the header has 'owner', 'amount'; roles: "
        "amount, owner)");
}

TEST_CASE("the byte-compare text tests: = and short in lists, empty literals, long lists",
          "[where]") {
  Src s({"source"});
  // = 'text': trimmed field, exact bytes, lengths that take each SameBytes branch.
  for (const char* v : {"w", "web", "referral", "partner-network", "a-very-long-lead-source-name-x"}) {
    const std::string eq = std::string("source = '") + v + "'";
    INFO(eq);
    CHECK(s.Eval(eq, {v}));
    CHECK(s.Eval(eq, {std::string(" ") + v + "\t"}));
    CHECK_FALSE(s.Eval(eq, {std::string(v) + "s"}));
    CHECK_FALSE(s.Eval(eq, {std::string(v).substr(1)}));
    CHECK_FALSE(s.Eval(eq, {""}));
  }
  CHECK_FALSE(s.Eval("source = web", {"Web"}));
  // An empty literal: equal to nothing, not even an empty field (missing is not a value).
  CHECK_FALSE(s.Eval("source = ''", {""}));
  CHECK_FALSE(s.Eval("source = ' '", {" "}));
  CHECK_FALSE(s.Eval("source in ('', web)", {""}));
  CHECK(s.Eval("source in ('', web)", {"web"}));
  CHECK_FALSE(s.Eval("source not in ('', web)", {""}));
  CHECK(s.Eval("source not in ('', web)", {"ads"}));
  // in / not in: short (linear) and long (binary searched) lists agree.
  const std::string shortlist = "(web, referral, partner)";
  const std::string longlist = "(a1, a2, a3, a4, a5, a6, a7, a8, web, referral, partner)";
  for (const std::string& list : {shortlist, longlist}) {
    INFO(list);
    CHECK(s.Eval("source in " + list, {"referral"}));
    CHECK(s.Eval("source in " + list, {" partner "}));
    CHECK_FALSE(s.Eval("source in " + list, {"event"}));
    CHECK_FALSE(s.Eval("source in " + list, {""}));
    CHECK(s.Eval("source not in " + list, {"event"}));
    CHECK_FALSE(s.Eval("source not in " + list, {"web"}));
    CHECK_FALSE(s.Eval("source not in " + list, {"  "}));
  }
}

TEST_CASE("blank numbers and dates are missing, not invalid", "[where]") {
  Src s({"amount", "created_at"});
  Where w = s.Compile("amount >= 5 or created_at >= 2024-01-01 or amount < 5");
  int hooked = 0;
  RowContext ctx(s.schema, s.dates, &s.rules);
  ctx.set_invalid_hook([&](std::string_view, int) { ++hooked; });
  const std::vector<std::string_view> blank = {" \t", "\xE3\x80\x80"};
  ctx.SetRow(blank.data());
  CHECK_FALSE(w.Matches(ctx));
  CHECK(w.invalid_values() == 0);
  CHECK(hooked == 0);
}

TEST_CASE("RowContext: a plain date's instant and day agree whichever is asked first",
          "[where][plain]") {
  Src utc({"d"});
  Src tokyo({"d"}, {}, "Asia/Tokyo");
  for (Src* s : {&utc, &tokyo}) {
    for (const char* text : {"2024-03-01", "2024-02-29T16:00:00Z", "2024-03-01 23:30",
                             " 2024-03-01", "2024-13-01", "", "soon"}) {
      INFO("text: \"" << text << "\", zone " << s->tz);
      const std::vector<std::string_view> row = {text};
      std::vector<std::pair<Seconds, std::int64_t>> answers;
      std::vector<std::pair<ParseStatus, ParseStatus>> statuses;
      int hooked = 0;
      for (const bool day_first : {true, false}) {
        RowContext ctx(s->schema, s->dates, &s->rules);
        ctx.set_invalid_hook([&](std::string_view, int) { ++hooked; });
        ctx.SetRow(row.data());
        Seconds t = 0;
        std::int64_t day = 0;
        ParseStatus ts{}, ds{};
        if (day_first) {
          ds = ctx.Day(0, &day);
          ts = ctx.Instant(0, &t);
        } else {
          ts = ctx.Instant(0, &t);
          ds = ctx.Day(0, &day);
        }
        CHECK(ts == ds);
        statuses.emplace_back(ts, ds);
        answers.emplace_back(ts == ParseStatus::kOk ? t : 0, ds == ParseStatus::kOk ? day : 0);
        // The general path's answer.
        Seconds want_t = 0;
        const ParseStatus want = s->dates.Parse(text, &want_t);
        CHECK(ts == want);
        if (want == ParseStatus::kOk) {
          CHECK(t == want_t);
          CHECK(day == date::sys_days(s->dates.LocalDate(want_t)).time_since_epoch().count());
        }
      }
      CHECK(answers[0] == answers[1]);
      // The hook runs once per row for an invalid value, whichever is asked first.
      CHECK(hooked == (statuses[0].first == ParseStatus::kInvalid ? 2 : 0));
    }
  }
}

TEST_CASE("RowContext: remembered plain dates stay right across rows and colliding slots",
          "[where][plain]") {
  // The memo is direct-mapped by the date's place in a decade of 404-day years: dates ten years
  // apart share a slot (1924, 2024, 2124; 1970, 2000), as do texts whose digits' low bits match
  // a date's (2024-0A-31 and 2024-01-31, 2024-02-00 = month 2 × 31 + day 0 = 1 × 31 + 31), and
  // invalid texts shaped like dates must never be remembered.
  Src utc({"d"});
  Src tokyo({"d"}, {}, "America/New_York");
  std::vector<std::string> texts;
  for (int y : {1924, 1969, 1970, 2000, 2011, 2022, 2024, 2033, 2099, 2124}) {
    for (int m : {1, 2, 3, 11, 12}) {
      for (int d : {1, 5, 28, 29, 30, 31}) texts.push_back(fmt::format("{:04}-{:02}-{:02}", y, m, d));
    }
  }
  texts.push_back("2024-01-31");
  texts.push_back("2024-0A-31");
  texts.push_back("2024-02-00");
  texts.push_back("2024-01-31");
  texts.push_back("2024-1x-01");
  texts.push_back("2024/01/01");
  texts.push_back("2024-06-05");
  texts.push_back("2024x06x05");  // the digits of the date just remembered, without its dashes
  texts.push_back("2024-06-05");
  for (Src* s : {&utc, &tokyo}) {
    RowContext ctx(s->schema, s->dates, &s->rules);
    for (int round = 0; round < 3; ++round) {
      for (std::size_t i = 0; i < texts.size(); ++i) {
        // Alternate the order, so slots are taken over back and forth.
        const std::string& text = texts[round % 2 ? texts.size() - 1 - i : i];
        const std::vector<std::string_view> row = {text};
        ctx.SetRow(row.data());
        Seconds t = 0, want_t = 0;
        std::int64_t day = 0;
        const ParseStatus want = s->dates.Parse(text, &want_t);
        INFO("text " << text << " zone " << s->tz << " round " << round);
        REQUIRE((round % 2 ? ctx.Instant(0, &t) : ctx.Day(0, &day)) == want);
        REQUIRE((round % 2 ? ctx.Day(0, &day) : ctx.Instant(0, &t)) == want);
        if (want != ParseStatus::kOk) continue;
        CHECK(t == want_t);
        CHECK(day == date::sys_days(s->dates.LocalDate(want_t)).time_since_epoch().count());
      }
    }
  }
}

TEST_CASE("Decide: what the stage and one column's text alone make of a where", "[where]") {
  StageConfig stages;
  stages.order = {"lead", "proposal", "won"};
  Src s({"owner", "stage", "amount", "source"}, stages);
  const int source = s.schema.Resolve("source");
  using O = Where::Outcome;
  // Decides |text| on |row| knowing the stage and |column|; the amount is never known.
  auto decide = [&](std::string_view text, std::vector<std::string_view> row, int column) {
    Where w = s.Compile(text);
    RowContext ctx(s.schema, s.dates, &s.rules);
    ctx.SetRow(row.data());
    const O o = w.Decide(ctx, column);
    CHECK(w.invalid_values() == 0);  // nothing counted while deciding
    // A decided outcome is the row's own outcome.
    if (o != O::kUnknown) CHECK(w.Matches(ctx) == (o == O::kTrue));
    return o;
  };
  const std::vector<std::string_view> won_web = {"Bob", "won", "x", "web"};
  const std::vector<std::string_view> won_ads = {"Bob", "won", "x", "ads"};
  const std::vector<std::string_view> lost_web = {"Bob", "lost", "x", " web "};
  CHECK(decide("stage is won", won_web, -1) == O::kTrue);
  CHECK(decide("stage reached proposal", lost_web, -1) == O::kFalse);
  CHECK(decide("not (stage is won) or stage is lost", won_web, -1) == O::kFalse);
  CHECK(decide("", won_web, -1) == O::kTrue);  // every row
  // The plan column's text conditions: =, in, is empty, text order; trimmed.
  CHECK(decide("stage is won and source = web", won_web, source) == O::kTrue);
  CHECK(decide("stage is won and source = web", won_ads, source) == O::kFalse);
  CHECK(decide("stage is won and source = web", lost_web, source) == O::kFalse);
  CHECK(decide("source in (web, ads)", lost_web, source) == O::kTrue);
  CHECK(decide("source not in (web, ads)", won_ads, source) == O::kFalse);
  CHECK(decide("source is empty", won_ads, source) == O::kFalse);
  CHECK(decide("source > 'b'", won_web, source) == O::kTrue);
  CHECK(decide("not (source = web)", won_web, source) == O::kFalse);
  // Without the column its conditions are unknown, and so is what depends on them.
  CHECK(decide("stage is won and source = web", won_web, -1) == O::kUnknown);
  CHECK(decide("stage is lost and source = web", won_web, -1) == O::kFalse);
  // Other columns: unknown. An 'and' is decided false by a failing known condition only when
  // every condition before it is pure (a text test): the row would test an amount comparison
  // first, which counts invalid values, so 'amount > 5 and source = web' stays unknown.
  CHECK(decide("amount > 5", won_web, source) == O::kUnknown);
  CHECK(decide("amount > 5 and source = web", won_ads, source) == O::kUnknown);
  CHECK(decide("source = web and amount > 5", won_ads, source) == O::kFalse);
  CHECK(decide("source = web and amount > 5", won_web, source) == O::kUnknown);
  CHECK(decide("owner = Bob and source = web", won_ads, source) == O::kFalse);  // pure before
  // 'or' likewise with true.
  CHECK(decide("amount > 5 or source = web", won_web, source) == O::kUnknown);
  CHECK(decide("owner = Al or source = web", won_web, source) == O::kTrue);
  CHECK(decide("source = web or amount > 5", won_ads, source) == O::kUnknown);
  CHECK(decide("source = ads or stage is lost", won_web, source) == O::kFalse);
  CHECK(decide("(stage is won or amount > 5) and source = ads", won_web, source) == O::kFalse);
  CHECK(decide("(amount > 5 or stage is won) and source = ads", won_web, source) ==
        O::kUnknown);
}

TEST_CASE("TestsText: a where with a text test of the column", "[where]") {
  StageConfig stages;
  stages.order = {"lead", "proposal", "won"};
  Src s({"owner", "stage", "amount"}, stages);
  const int owner = s.schema.Resolve("owner");
  CHECK(s.Compile("owner = Bob").TestsText(owner));
  CHECK(s.Compile("stage is won and owner in (Al, Bob)").TestsText(owner));
  CHECK(s.Compile("owner is not empty").TestsText(owner));
  CHECK(s.Compile("owner > 'B'").TestsText(owner));
  CHECK_FALSE(s.Compile("stage is won").TestsText(owner));
  CHECK_FALSE(s.Compile("amount > 3").TestsText(owner));
  CHECK_FALSE(s.Compile("owner = 3").TestsText(owner));  // a number comparison parses the owner
  CHECK_FALSE(s.Compile("").TestsText(owner));
}

TEST_CASE("AsRangeTest and AsEmptyTest: the row loop's flat tests agree with Matches",
          "[where]") {
  Src s({"amount", "created", "owner"});
  const std::vector<std::string> amounts = {"", "5", "10", "10.5", "12", "x", "-3"};
  const std::vector<std::string> dates = {"", "2024-01-01", "2024-01-02", "2024-01-03 10:00",
                                          "nope"};
  for (const std::string text :
       {"amount > 10", "amount <= 10", "amount = 10", "amount != 10", "amount between 5 and 12",
        "amount not between 5 and 12", "created >= 2024-01-02", "created < '2024-01-02 12:00'",
        "created != 2024-01-02"}) {
    INFO("where " << text);
    Where flat = s.Compile(text);
    Where plain = s.Compile(text);
    Where::RangeOf of = Where::RangeOf::kAmount;
    Where::RangeTest t;
    REQUIRE(flat.AsRangeTest(&of, &t));
    const bool on_amount = text.rfind("amount", 0) == 0;
    CHECK((of == Where::RangeOf::kAmount) == on_amount);
    for (const std::string& a : amounts) {
      for (const std::string& d : dates) {
        const std::vector<std::string_view> row = {a, d, "Bob"};
        RowContext ctx(s.schema, s.dates, &s.rules);
        ctx.SetRow(row.data());
        std::int64_t x = 0;
        ParseStatus status = ParseStatus::kEmpty;
        switch (of) {
          case Where::RangeOf::kAmount:
            status = ctx.Amount(t.column, &x);
            break;
          case Where::RangeOf::kDay:
            status = ctx.Day(t.column, &x);
            break;
          case Where::RangeOf::kInstant:
            status = ctx.Instant(t.column, &x);
            break;
        }
        INFO("amount '" << a << "' created '" << d << "'");
        CHECK(Where::TestRange(t, status, x) == plain.Matches(ctx));
      }
    }
    CHECK(flat.invalid_values() == plain.invalid_values());  // counted into the condition
    CHECK(flat.invalid_values() > 0);
  }
  int column = -1;
  bool negated = false;
  Where::RangeOf of = Where::RangeOf::kAmount;
  Where::RangeTest t;
  CHECK(s.Compile("owner is not empty").AsEmptyTest(&column, &negated));
  CHECK(column == 2);
  CHECK(negated);
  CHECK_FALSE(s.Compile("owner = Bob").AsEmptyTest(&column, &negated));
  CHECK_FALSE(s.Compile("owner = Bob").AsRangeTest(&of, &t));
  CHECK_FALSE(s.Compile("amount > 1 and amount < 5").AsRangeTest(&of, &t));  // two conditions
  CHECK_FALSE(s.Compile("amount in (1, 2)").AsRangeTest(&of, &t));
}

TEST_CASE("nesting deeper than 256 '(' or 'not' is an error at its column, not a crash",
          "[where]") {
  Src s({"stage", "amount"});
  // 256 levels are fine and evaluate as written.
  const std::string ok = std::string(256, '(') + "amount > 5" + std::string(256, ')');
  CHECK(s.Eval(ok, {"won", "10"}));
  std::string nots;
  for (int i = 0; i < 256; ++i) nots += "not ";
  CHECK(s.Eval(nots + "amount > 5", {"won", "10"}));  // an even number of 'not's
  // 10,000 levels (a stack overflow before the limit) stop at the 257th, column 17 + 256.
  const std::string deep = std::string(10000, '(') + "stage is won" + std::string(10000, ')');
  CHECK(SyntaxError(deep) ==
        "kpi.ini:14:273: condition nested too deeply (more than 256 levels of '(' and 'not'); "
        "write it flatter, e.g. with 'in (...)' or 'and'");
  std::string many_nots;
  for (int i = 0; i < 20000; ++i) many_nots += "not ";
  CHECK(SyntaxError(many_nots + "stage is won") ==
        "kpi.ini:14:1041: condition nested too deeply (more than 256 levels of '(' and 'not'); "
        "write it flatter, e.g. with 'in (...)' or 'and'");
}

TEST_CASE("a difference of two dates against durations: closed - created < 1d", "[where]") {
  Src s({"created", "closed", "note"});
  // Both date-only: whole days.
  CHECK(s.Eval("closed - created < 1d", {"2024-03-01", "2024-03-01", ""}));
  CHECK_FALSE(s.Eval("closed - created < 1d", {"2024-03-01", "2024-03-02", ""}));
  CHECK(s.Eval("closed - created <= 1d", {"2024-03-01", "2024-03-02", ""}));
  // Both with times: the instants' difference (10 h; 23 h 59 m across midnight).
  CHECK(s.Eval("closed - created < 1d", {"2024-03-01 10:00", "2024-03-01 20:00", ""}));
  CHECK(s.Eval("closed - created < 1d", {"2024-03-01 10:00", "2024-03-02 09:59", ""}));
  CHECK_FALSE(s.Eval("closed - created < 1d", {"2024-03-01 10:00", "2024-03-02 10:00", ""}));
  CHECK(s.Eval("closed - created = 10h", {"2024-03-01 10:00", "2024-03-01 20:00", ""}));
  CHECK(s.Eval("closed - created > 90m", {"2024-03-01 10:00", "2024-03-01 11:31", ""}));
  CHECK_FALSE(s.Eval("closed - created > 90m", {"2024-03-01 10:00", "2024-03-01 11:30", ""}));
  // A date-time beside a date-only value: calendar days (R4), so the day itself is 0 days
  // although 23:00 → 00:00 would be a negative time.
  CHECK(s.Eval("closed - created < 1d", {"2024-03-01 23:00", "2024-03-01", ""}));
  CHECK_FALSE(s.Eval("closed - created < 1d", {"2024-03-01 01:00", "2024-03-02", ""}));
  CHECK(s.Eval("closed - created = 1d", {"2024-03-01 01:00", "2024-03-02", ""}));
  // between, inclusive, and not between.
  CHECK(s.Eval("closed - created between 1d and 2d", {"2024-03-01", "2024-03-03", ""}));
  CHECK_FALSE(s.Eval("closed - created between 1d and 2d", {"2024-03-01", "2024-03-04", ""}));
  CHECK(s.Eval("closed - created not between 1d and 2d", {"2024-03-01", "2024-03-04", ""}));
  CHECK(s.Eval("closed - created between 1.5d and 36h", {"2024-03-01 00:00", "2024-03-02 12:00", ""}));
  // A missing end or a negative difference is in no duration; not (...) is their negation.
  CHECK_FALSE(s.Eval("closed - created < 1d", {"2024-03-01", "", ""}));
  CHECK_FALSE(s.Eval("closed - created >= 0d", {"2024-03-02", "2024-03-01", ""}));
  CHECK(s.Eval("not (closed - created < 1d)", {"2024-03-02", "2024-03-01", ""}));
  // An invalid date: false and counted.
  Where w = s.Compile("closed - created < 1d");
  CHECK_FALSE(s.Eval(w, {"2024-03-01", "soon", ""}));
  CHECK(w.invalid_values() == 1);
  // Without spaces, and quoted names.
  Src q({"Created Date", "Close Date"});
  CHECK(q.Eval("\"Close Date\"-`Created Date`<2d", {"2024-03-01", "2024-03-02"}));
  // The zone decides the calendar day of a date-time beside a date: 2024-02-29T16:00Z is
  // March 1 in Tokyo.
  Src tokyo({"created", "closed"}, {}, "Asia/Tokyo");
  CHECK(tokyo.Eval("closed - created < 1d", {"2024-02-29T16:00:00Z", "2024-03-01"}));
  Src utc({"created", "closed"});
  CHECK_FALSE(utc.Eval("closed - created < 1d", {"2024-02-29T16:00:00Z", "2024-03-01"}));
}

TEST_CASE("two columns compared: numbers, dates, text, or not comparable", "[where]") {
  Src s({"amount", "list_price", "close_date", "due_date", "owner", "creator"});
  auto row = [](std::string_view a, std::string_view b, std::string_view c, std::string_view d,
                std::string_view e = "Sato", std::string_view f = "Sato") {
    return std::vector<std::string_view>{a, b, c, d, e, f};
  };
  // Numbers, parsed as amounts on both sides ("¥1,200" = 1200).
  CHECK(s.Eval("amount >= list_price", row("100", "100", "", "")));
  CHECK_FALSE(s.Eval("amount > list_price", row("100", "100", "", "")));
  CHECK(s.Eval("amount > `list_price`", row("¥1,200", "999.99", "", "")));
  CHECK(s.Eval("amount != `list_price`", row("1", "2", "", "")));
  CHECK(s.Eval("amount = `list_price`", row("1.50", "$1.5", "", "")));
  // Dates: calendar days when either is date-only, instants when both have a time.
  CHECK(s.Eval("close_date > due_date", row("", "", "2024-03-02", "2024-03-01")));
  CHECK_FALSE(s.Eval("close_date > due_date", row("", "", "2024-03-01 23:00", "2024-03-01")));
  CHECK(s.Eval("close_date = `due_date`", row("", "", "2024-03-01 23:00", "3/1/2024")));
  CHECK(s.Eval("close_date > due_date", row("", "", "2024-03-01 23:00", "2024-03-01 22:59")));
  // Text when neither is a number or a date: exact bytes after trimming.
  CHECK(s.Eval("owner = `creator`", row("", "", "", "", " Sato ", "Sato")));
  CHECK_FALSE(s.Eval("owner = `creator`", row("", "", "", "", "Sato", "sato")));
  CHECK(s.Eval("owner < creator", row("", "", "", "", "Aoki", "Sato")));
  // Missing on either side: false, not counted (R5).
  Where w = s.Compile("amount >= list_price");
  CHECK_FALSE(s.Eval(w, row("", "5", "", "")));
  CHECK_FALSE(s.Eval(w, row("5", " ", "", "")));
  CHECK(w.invalid_values() == 0);
  // A number beside text: not comparable, false and counted; so is a date beside a number.
  CHECK_FALSE(s.Eval(w, row("TBD", "5", "", "")));
  CHECK(w.invalid_values() == 1);
  Where d = s.Compile("close_date > `amount`");
  CHECK_FALSE(s.Eval(d, row("5", "", "2024-03-01", "")));
  CHECK(d.invalid_values() == 1);
  // With = and != a bare word is text, even when a column has its name.
  CHECK(s.Eval("owner = creator", row("", "", "", "", "creator", "Sato")));
  CHECK_FALSE(s.Eval("owner = creator", row("", "", "", "", "Sato", "Sato")));
  // A bare word that names no column stays text with every operator.
  CHECK(s.Eval("owner < Tanaka", row("", "", "", "", "Sato", "")));
  // Neither side's parse warns: the second column is read as whichever kind the first is.
  std::vector<std::string> hooked;
  RowContext ctx(s.schema, s.dates, &s.rules);
  ctx.set_invalid_hook([&](std::string_view kind, int) { hooked.emplace_back(kind); });
  Where dates = s.Compile("close_date > due_date");
  const std::vector<std::string_view> r = {"", "", "2024-03-02", "2024-03-01", "", ""};
  ctx.SetRow(r.data());
  CHECK(dates.Matches(ctx));
  CHECK(hooked.empty());
  // A duration needs a difference; a column is not a list or range member.
  CHECK(ErrorOf([&] { s.Compile("amount > 1d"); }) ==
        "kpi.ini:14:26: a duration ('1d') bounds the difference of two date columns in where: "
        "write amount - FROM < 1d (closed - created < 1d)");
  CHECK(ErrorOf([&] { s.Compile("owner in (`creator`)"); }) ==
        "kpi.ini:14:27: `creator` in where is a column: compare two columns with =, !=, <, "
        "<=, >, >= (owner >= `creator`), not in a list or a range; quote text values in "
        "'single quotes'");
  CHECK(ErrorOf([&] { s.Compile("amount >= `nope`"); }).rfind(
            "kpi.ini:14:27: unknown column 'nope' in where", 0) == 0);
  CHECK(ErrorOf([&] { s.Compile("close_date - nope < 1d"); }).rfind(
            "kpi.ini:14:30: unknown column 'nope' in where", 0) == 0);
}

TEST_CASE("syntax errors of differences, at their columns", "[where]") {
  // "closed - created < 1": '1' at offset 19 → 36.
  CHECK(SyntaxError("closed - created < 1") ==
        "kpi.ini:14:36: expected a duration after 'closed - created <' (a number and a unit: "
        "1d, 48h, 90m, 30s), found '1'");
  // '<' at offset 9 → 26.
  CHECK(SyntaxError("closed - < 1d") ==
        "kpi.ini:14:26: expected a date column after 'closed -' (a difference of two dates: "
        "closed - created < 1d), found '<'");
  // 'is' at offset 17 → 34.
  CHECK(SyntaxError("closed - created is empty") ==
        "kpi.ini:14:34: expected an operator (=, !=, <, <=, >, >=, between) and a duration "
        "after 'closed - created' (closed - created < 1d), found 'is'");
  CHECK(SyntaxError("closed - created between 1d 2d") ==
        "kpi.ini:14:45: expected 'and' after 'between 1d'");
  CHECK(SyntaxError("closed - created not in (1d)") ==
        "kpi.ini:14:38: expected 'between' after 'closed - created' not");
  // A '-' where a condition ends.
  CHECK(SyntaxError("owner = a - b") ==
        "kpi.ini:14:27: unexpected '-': join conditions with 'and' or 'or', and quote values "
        "that contain spaces");
}
