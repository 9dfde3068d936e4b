// The data-quality engine (quality_run.h): every definition of docs/quality.md on the 6-row
// worked example, missing tokens, structural errors, composite keys, thresholds, checks that
// cannot run, validity rules, near-duplicate candidates and the quarantine file. Every expected
// number is worked out by hand beside it.
#include "crmkpi/quality/quality_run.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "temp_dir.h"

using namespace crmkpi;

namespace {

// The worked example of docs/quality.md (also examples/quality/contacts.csv).
const char* kContacts =
    "id,email,company,phone,updated_at,stage,amount\n"
    "1,a@x.com,株式会社ＡＢＣ,03-1234-5678,2026-10-30,won,100\n"
    "2, A@X.com ,ABC株式会社,+81 3-1234-5678,2026-09-01,lost,-5\n"
    "3,a@x.com,(株)ABC,,2026-10-15,won,-20\n"
    "4,b@x.com,Acme Inc.,NULL,2026-10-31,open,\n"
    "5,c@x,,０３－９９９９－００００,not a date,won,50\n"
    "6,,Acme,12,,open,30\n";

SourceDef Source(const std::string& path) {
  SourceDef s;
  s.id = "contacts";
  s.file = path;
  s.loc = {"q.ini", 1, 1};
  return s;
}

CheckDef Check(CheckType type, std::vector<std::string> columns, std::string name = "c") {
  CheckDef c;
  c.name = std::move(name);
  c.type = type;
  c.source = "contacts";
  c.columns = std::move(columns);
  c.loc = {"q.ini", 10, 1};
  return c;
}

CheckRun Run(const SourceDef& s, const std::vector<CheckDef>& checks,
             CheckOptions options = {}) {
  if (options.as_of.empty()) options.as_of = "2026-11-01";
  std::vector<DataWarning> warnings;
  return RunChecks({s}, checks, options, &warnings);
}

Limit L(const char* text) {
  const std::optional<Limit> l = ParseLimit(text);
  REQUIRE(l.has_value());
  return *l;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("limits: counts and percents", "[quality]") {
  CHECK(L("5%").percent);
  CHECK(L("5%").value == 5);
  CHECK(L(" 0.5 % ").value == 0.5);
  CHECK(!L("10").percent);
  CHECK(L("10").value == 10);
  CHECK(L("0").value == 0);
  CHECK_FALSE(ParseLimit("").has_value());
  CHECK_FALSE(ParseLimit("-1").has_value());
  CHECK_FALSE(ParseLimit("101%").has_value());
  CHECK_FALSE(ParseLimit("1.5").has_value());  // a count is whole
  CHECK_FALSE(ParseLimit("5 percent").has_value());
  CHECK_FALSE(ParseLimit("1e3").has_value());
}

TEST_CASE("the worked example: completeness, uniqueness, validity, timeliness", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write("contacts.csv", kContacts));
  CheckDef complete = Check(CheckType::kCompleteness, {"email", "company"});
  CheckDef unique = Check(CheckType::kUniqueness, {"email"});
  unique.normalize = "email";
  CheckDef valid = Check(CheckType::kValidity, {"email"});
  valid.rule = "email";
  CheckDef fresh = Check(CheckType::kTimeliness, {"updated_at"});
  fresh.max_age_days = 30;
  const CheckRun run = Run(s, {complete, unique, valid, fresh});
  REQUIRE(run.checks.size() == 4);
  CHECK(run.as_of == "2026-11-01T00:00:00Z");
  CHECK(run.as_of_source == "--as-of");
  REQUIRE(run.sources.size() == 1);
  CHECK(run.sources[0].rows == 6);

  // Completeness: email missing in row 6 (empty), company in row 5; R = 6, 2 columns.
  const CheckResult& c = run.checks[0];
  CHECK(c.metric == "missing_percent");
  CHECK(c.rows == 6);
  CHECK(c.violations == 2);
  CHECK(c.denominator == 12);
  CHECK(*c.percent == Approx(100.0 * 2 / 12));
  REQUIRE(c.missing_by_column.size() == 2);
  CHECK(c.missing_by_column[0] == std::make_pair(std::string("email"), std::uint64_t{1}));
  CHECK(c.missing_by_column[1] == std::make_pair(std::string("company"), std::uint64_t{1}));
  CHECK(c.complete_records == 4);  // rows 1-4
  CHECK(c.status == CheckStatus::kFail);  // no limit: any violation fails
  REQUIRE(c.samples.size() == 2);
  CHECK(c.samples[0].line == 6);
  CHECK(c.samples[0].row == 5);
  CHECK(c.samples[0].column == "company");
  CHECK(c.samples[0].rule == "missing");

  // Uniqueness of email after trim + lower: a@x.com ×3 (rows 1-3; row 2 is " A@X.com "),
  // b@x.com, c@x; row 6 has no key. N = 5, D = 3, N − D = 2, one group of 3 rows, 40 %.
  const CheckResult& u = run.checks[1];
  CHECK(u.metric == "duplicate_percent");
  CHECK(u.denominator == 5);
  CHECK(u.distinct == 3);
  CHECK(u.violations == 2);
  CHECK(u.duplicate_groups == 1);
  CHECK(u.rows_in_duplicate_groups == 3);
  CHECK(u.missing_key == 1);
  CHECK(*u.percent == Approx(40.0));
  REQUIRE(u.samples.size() == 2);
  CHECK(u.samples[0].line == 3);
  CHECK(u.samples[0].value == "A@X.com");
  CHECK(u.samples[0].normalized == "a@x.com");
  CHECK(u.samples[0].rule == "duplicate of line 2");

  // Validity (email): 5 non-missing values, "c@x" has no dot in its domain → 1 / 5.
  const CheckResult& v = run.checks[2];
  CHECK(v.metric == "invalid_percent");
  CHECK(v.violations == 1);
  CHECK(v.denominator == 5);
  CHECK(v.missing == 1);
  CHECK(v.not_applicable == 0);
  CHECK(*v.percent == Approx(20.0));
  REQUIRE(v.samples.size() == 1);
  CHECK(v.samples[0].value == "c@x");

  // Timeliness at 2026-11-01, 30 days: ages 2, 61, 17, 1 days; row 5 invalid, row 6 missing.
  const CheckResult& t = run.checks[3];
  CHECK(t.metric == "stale_percent");
  CHECK(t.denominator == 4);
  CHECK(t.violations == 1);
  CHECK(t.invalid_timestamps == 1);
  CHECK(t.missing == 1);
  CHECK(*t.percent == Approx(25.0));
  CHECK(t.newest == "2026-10-31T00:00:00Z");
  CHECK(*t.freshness_days == Approx(1.0));
  CHECK(t.samples.at(0).rule == "age 61.0 days > 30");
}

TEST_CASE("missing tokens count as missing, case-insensitively, after trimming", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write("c.csv", "a,b\nNULL,1\n n/a ,2\n-,3\nx,4\n\xC2\xA0,5\nnull ,6\n"));
  CheckOptions o;
  o.missing_tokens = {"NULL", "N/A"};
  const CheckRun run = Run(s, {Check(CheckType::kCompleteness, {"a"})}, o);
  // NULL, n/a, (a no-break space alone: whitespace), null → 4 missing; "-" is not a token
  // here, "x" a value.
  CHECK(run.checks[0].violations == 4);
  CHECK(run.checks[0].denominator == 6);
  SourceDef with_dash = s;
  with_dash.missing_tokens = {"-"};  // the source's own tokens add to the run's
  const CheckRun run2 = Run(with_dash, {Check(CheckType::kCompleteness, {"a"})}, o);
  CHECK(run2.checks[0].violations == 5);
}

TEST_CASE("a short row: its absent fields are missing and it is a structural error",
          "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write("c.csv", "a,b,c\n1,2,3\n4\n5,6,7,8\n"));
  std::vector<DataWarning> warnings;
  CheckOptions o;
  o.as_of = "2026-01-01";
  const CheckRun run =
      RunChecks({s}, {Check(CheckType::kCompleteness, {"b", "c"})}, o, &warnings);
  // Row 2 ("4") lacks b and c → 2 missing cells; row 3 has an extra field (ignored).
  CHECK(run.checks[0].violations == 2);
  CHECK(run.checks[0].denominator == 6);
  CHECK(run.checks[0].structural_errors == 2);
  CHECK(run.sources[0].structural_errors == 2);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].kind == "structural_error");
  CHECK(warnings[0].count == 2);
  CHECK(warnings[0].first.line == 3);
}

TEST_CASE("composite keys are length-prefixed, a missing part excludes the row", "[quality]") {
  TempDir dir;
  // ("a,b","c"), ("a","b,c"), ("a,b","c") again, ("x", "") → N = 3, D = 2, 1 missing key.
  const SourceDef s =
      Source(dir.Write("k.csv", "p,q\n\"a,b\",c\na,\"b,c\"\n\"a,b\",c\nx,\n"));
  const CheckRun run = Run(s, {Check(CheckType::kUniqueness, {"p", "q"})});
  const CheckResult& u = run.checks[0];
  CHECK(u.denominator == 3);
  CHECK(u.distinct == 2);
  CHECK(u.violations == 1);
  CHECK(u.missing_key == 1);
  REQUIRE(u.samples.size() == 1);
  CHECK(u.samples[0].column == "p+q");
  CHECK(u.samples[0].value == "a,b + c");
  CHECK(u.samples[0].rule == "duplicate of line 2");
}

TEST_CASE("uniqueness after 名寄せ: Japanese legal forms and full-width letters", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write(
      "c.csv", "company\n株式会社ＡＢＣ\nABC株式会社\n(株)ABC\nＡＢＣ　株式会社\n㈱ＡＢＣ\nXYZ\n"));
  CheckDef plain = Check(CheckType::kUniqueness, {"company"}, "plain");
  CheckDef named = Check(CheckType::kUniqueness, {"company"}, "named");
  named.normalize = "company";
  const CheckRun run = Run(s, {plain, named});
  CHECK(run.checks[0].distinct == 6);  // byte-exact: all different
  CHECK(run.checks[1].distinct == 2);  // abc, xyz
  CHECK(run.checks[1].violations == 4);
  CHECK(run.checks[1].duplicate_groups == 1);
  CHECK(run.checks[1].rows_in_duplicate_groups == 5);
}

TEST_CASE("thresholds: fail and warn on counts and percents, equal is within", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write("contacts.csv", kContacts));
  // Email uniqueness: 2 duplicates of N = 5 = 40 %.
  auto with = [&](const char* fail, const char* warn) {
    CheckDef u = Check(CheckType::kUniqueness, {"email"});
    u.normalize = "email";
    if (fail != nullptr) u.fail = L(fail);
    if (warn != nullptr) u.warn = L(warn);
    return Run(s, {u}).checks[0];
  };
  CHECK(with("2", nullptr).status == CheckStatus::kPass);   // 2 > 2 is false
  CHECK(with("1", nullptr).status == CheckStatus::kFail);   // 2 > 1
  CHECK(with("40%", nullptr).status == CheckStatus::kPass); // 40 > 40 is false
  CHECK(with("39.9%", nullptr).status == CheckStatus::kFail);
  CHECK(with("50%", "10%").status == CheckStatus::kWarn);
  CHECK(with("50%", "10%").breached == "warn: duplicate_percent > 10%");
  CHECK(with("50%", "40%").status == CheckStatus::kPass);
  CHECK(with(nullptr, nullptr).status == CheckStatus::kFail);  // default: any violation
  CHECK(with("1", nullptr).breached == "fail: duplicate_count > 1");  // a count limit
  CHECK(with("39%", nullptr).breached == "fail: duplicate_percent > 39%");
  CHECK(with(nullptr, "1").status == CheckStatus::kWarn);   // only a warn limit: never fails
  CHECK(with(nullptr, "2").status == CheckStatus::kPass);
  CHECK(with(nullptr, "1").breached == "warn: duplicate_count > 1");
  CHECK_THROWS_WITH(with("10%", "20%"),
                    Catch::Contains("the warn limit 20% is above the fail limit 10%"));
}

TEST_CASE("a check whose column is not in the file is an error, never a pass", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write("contacts.csv", kContacts));
  CheckDef bad = Check(CheckType::kCompleteness, {"email", "mail_addr"}, "bad");
  CheckDef good = Check(CheckType::kCompleteness, {"id"}, "good");
  const CheckRun run = Run(s, {bad, good});
  CHECK(run.checks[0].status == CheckStatus::kError);
  CHECK_THAT(run.checks[0].error, Catch::Contains("'mail_addr' not in"));
  CHECK_THAT(run.checks[0].error, Catch::Contains("'email'"));  // the header is listed
  CHECK(run.checks[1].status == CheckStatus::kPass);  // the other checks still run
  CHECK(run.checks[1].denominator == 6);
}

TEST_CASE("configuration errors are usage errors before any row is read", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write("contacts.csv", kContacts));
  CheckDef rule = Check(CheckType::kValidity, {"email"});
  rule.rule = "emial";
  try {
    Run(s, {rule});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK_THAT(e.message(), Catch::Contains("unknown validity rule 'emial'"));
    CHECK_THAT(e.message(), Catch::Contains("did you mean 'email'"));
  }
  CheckDef norm = Check(CheckType::kUniqueness, {"email"});
  norm.normalize = "trim,lowr";
  CHECK_THROWS_AS(Run(s, {norm}), Error);
  CheckDef other = Check(CheckType::kCompleteness, {"email"});
  other.source = "deals";
  try {
    Run(s, {other});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK_THAT(e.message(), Catch::Contains("unknown source 'deals'"));
  }
  SourceDef missing = Source(dir.path() + "/nope.csv");
  try {
    Run(missing, {Check(CheckType::kCompleteness, {"email"})});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kInput);
  }
}

TEST_CASE("validity rules: kinds, when, cross-field", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write(
      "v.csv",
      "stage,amount,qty,code,created,closed,name\n"
      "won,100,3,A1,2024-01-01,2024-01-05,Ann\n"          // row 1
      "won,-5,2.5,B2,2024-02-01,2024-01-31,Bo\n"          // row 2: negative; closed < created
      "lost,-7,x,zz,2024-03-01,,Christopher\n"            // row 3: lost; no closed
      "open,\"1,200\",4,A1,not a date,2024-04-01,D\n"     // row 4
      "won,,10,C3,2024-05-01,2024-05-01,\n"));            // row 5: amount missing
  auto run = [&](const std::string& column, const std::string& rule) {
    CheckDef c = Check(CheckType::kValidity, {column});
    c.rule = rule;
    return Run(s, {c}).checks[0];
  };
  // number over amount: 100, -5, -7, 1,200 valid; row 5 missing → N = 4, 0 invalid.
  CHECK(run("amount", "number").violations == 0);
  CHECK(run("amount", "number").denominator == 4);
  CHECK(run("amount", "number").missing == 1);
  // integer over qty: 3, 2.5 (decimal point), x, 4, 10 → 2 invalid of 5.
  CHECK(run("qty", "integer").violations == 2);
  // range(0, 5) over qty: 3 ok, 2.5 ok, x invalid, 4 ok, 10 out → 2 invalid.
  CHECK(run("qty", "range(0, 5)").violations == 2);
  CHECK(run("qty", "range(, 3)").violations == 3);  // 4, 10 and x
  // in(A1, B2, C3) over code: zz invalid → 1.
  CHECK(run("code", "in(A1, B2, C3)").violations == 1);
  CHECK(run("code", "in('A1', C3)").violations == 2);  // B2, zz
  // length(2, 3) over name: Ann ok, Bo ok, Christopher (11) out, D (1) out; row 5 missing.
  CHECK(run("name", "length(2, 3)").violations == 2);
  CHECK(run("name", "length(2, 3)").denominator == 4);
  // regex: codes of a capital letter and a digit: zz fails.
  CHECK(run("code", "regex([A-Z][0-9])").violations == 1);
  // date over created: "not a date" → 1 of 5.
  CHECK(run("created", "date").violations == 1);
  // amount >= 0 when stage is won: rows 1, 2, 5 are won; 5 missing → N = 2, 1 invalid (-5);
  // rows 3 and 4 not applicable.
  const CheckResult w = run("amount", ">= 0 when stage is won");
  CHECK(w.violations == 1);
  CHECK(w.denominator == 2);
  CHECK(w.missing == 1);
  CHECK(w.not_applicable == 2);
  // closed >= created (cross-field, as dates): row 1 ok, row 2 invalid, row 3 closed empty →
  // missing, row 4 created not a date → not applicable, row 5 equal → ok. N = 3.
  const CheckResult x = run("closed", ">= created");
  CHECK(x.violations == 1);
  CHECK(x.denominator == 3);
  CHECK(x.missing == 1);
  CHECK(x.not_applicable == 1);
  // A date literal: created >= 2024-02-01 → row 1 fails; row 4 invalid → 2 of 5.
  CHECK(run("created", ">= 2024-02-01").violations == 2);
}

TEST_CASE("near-duplicate candidates are listed, never counted", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(dir.Write(
      "n.csv", "company\nAcme Holdings\nAcme Holding\nGlobex\nAcme Holdings Inc.\n"));
  CheckDef c = Check(CheckType::kUniqueness, {"company"});
  c.normalize = "company";
  c.near = "0.9";
  const CheckResult r = Run(s, {c}).checks[0];
  // "acme holdings" twice (Inc. stripped) → 1 duplicate; "acme holding" is near it: 1 − 1/13.
  CHECK(r.violations == 1);
  REQUIRE(r.near.size() == 1);
  CHECK(r.near[0].similarity == Approx(1.0 - 1.0 / 13.0));
  CHECK(r.near[0].line_a + r.near[0].line_b == 2 + 3);
}

TEST_CASE("quarantine file: the header and every failing row with its original bytes",
          "[quality]") {
  TempDir dir;
  const std::string input =
      "id,email,note\n"
      "1,a@x.com,\"multi\nline, \"\"quoted\"\"\"\n"
      "2,,empty email\n"
      "3,A@X.COM,dup after lower\n"
      "4,b@x.com,ok\n";
  const SourceDef s = Source(dir.Write("in.csv", input));
  CheckDef req = Check(CheckType::kCompleteness, {"email"});
  CheckDef u = Check(CheckType::kUniqueness, {"email"});
  u.normalize = "email";
  struct StringSink : RecordSink {
    std::string bytes;
    void Write(std::string_view b) override { bytes += b; }
  } sink;
  CheckOptions o;
  o.invalid_out = &sink;
  const CheckRun run = Run(s, {req, u}, o);
  CHECK(run.invalid_rows_written == 2);
  CHECK(sink.bytes == "id,email,note\n2,,empty email\n3,A@X.COM,dup after lower\n");
  CHECK(Read(dir.path() + "/in.csv") == input);  // never touched
}

TEST_CASE("an empty source fails every row-counting check with 'no rows' unless allowed",
          "[quality]") {
  TempDir dir;
  // A header-only export: R = 0, so every percent is n/a. Before issue 18 each check below
  // passed (n/a → pass) and `check` exited 0.
  const SourceDef s = Source(dir.Write("empty.csv", "id,email,updated_at\n"));
  CheckDef limited = Check(CheckType::kCompleteness, {"email"}, "limited");
  limited.fail = L("5%");
  CheckDef plain = Check(CheckType::kUniqueness, {"email"}, "plain");  // no limit: any fails
  CheckDef warn_only = Check(CheckType::kValidity, {"email"}, "warn_only");
  warn_only.rule = "email";
  warn_only.warn = L("1%");
  CheckDef fresh = Check(CheckType::kTimeliness, {"updated_at"}, "fresh");
  fresh.max_age_days = 30;
  fresh.fail = L("10%");
  const CheckRun run = Run(s, {limited, plain, warn_only, fresh});
  CHECK(run.checks[0].status == CheckStatus::kFail);
  CHECK_THAT(run.checks[0].breached, Catch::StartsWith("fail: no rows"));
  CHECK_FALSE(run.checks[0].percent.has_value());
  CHECK(run.checks[1].status == CheckStatus::kFail);
  CHECK(run.checks[2].status == CheckStatus::kWarn);  // only a warn limit: never fails
  CHECK_THAT(run.checks[2].breached, Catch::StartsWith("warn: no rows"));
  CHECK(run.checks[3].status == CheckStatus::kFail);

  // allow_empty, per check or for the run: n/a passes as before.
  CheckDef allowed = limited;
  allowed.allow_empty = true;
  CHECK(Run(s, {allowed}).checks[0].status == CheckStatus::kPass);
  CheckOptions o;
  o.allow_empty = true;
  const CheckRun all = Run(s, {limited, plain, warn_only, fresh}, o);
  for (const CheckResult& r : all.checks) {
    CHECK(r.status == CheckStatus::kPass);
    CHECK(r.breached.empty());
  }

  // A source filter that keeps no row is "no rows" too; one row is not.
  SourceDef filtered = s;
  filtered.file = dir.Write("one.csv", "id,email,updated_at\n1,a@x.com,2026-10-30\n");
  CHECK(Run(filtered, {limited}).checks[0].status == CheckStatus::kPass);
  filtered.filter = "id = 2";
  CHECK(Run(filtered, {limited}).checks[0].status == CheckStatus::kFail);
}

TEST_CASE("row_count: fail below the minimum (default 1), warn below the warn minimum",
          "[quality]") {
  TempDir dir;
  const SourceDef six = Source(dir.Write("contacts.csv", kContacts));
  const SourceDef empty = Source(dir.Write("empty.csv", "id,email\n"));
  auto rows = [&](const SourceDef& s, const char* min, const char* warn) {
    CheckDef c = Check(CheckType::kRowCount, {}, "rows");
    if (min != nullptr) c.fail = L(min);
    if (warn != nullptr) c.warn = L(warn);
    return Run(s, {c}).checks[0];
  };
  const CheckResult r = rows(six, nullptr, nullptr);
  CHECK(r.status == CheckStatus::kPass);
  CHECK(r.metric == "row_count");
  CHECK(r.rows == 6);
  CHECK(r.violations == 6);
  CHECK(*r.percent == 6);  // the metric's value is R
  const CheckResult e = rows(empty, nullptr, nullptr);
  CHECK(e.status == CheckStatus::kFail);
  CHECK(e.breached == "fail: row_count 0 < 1 (default) (no rows)");
  CHECK(rows(six, "6", nullptr).status == CheckStatus::kPass);  // 6 < 6 is false
  CHECK(rows(six, "7", nullptr).status == CheckStatus::kFail);
  CHECK(rows(six, "7", nullptr).breached == "fail: row_count 6 < 7");
  CHECK(rows(six, "2", "10").status == CheckStatus::kWarn);
  CHECK(rows(six, "2", "10").breached == "warn: row_count 6 < 10");
  CHECK(rows(six, nullptr, "10").status == CheckStatus::kWarn);  // only warn: never fails
  CHECK(rows(empty, nullptr, "10").status == CheckStatus::kWarn);
  // allow_empty does not weaken an explicit minimum.
  CheckOptions o;
  o.allow_empty = true;
  CHECK(Run(empty, {Check(CheckType::kRowCount, {}, "rows")}, o).checks[0].status ==
        CheckStatus::kFail);
  CHECK_THROWS_WITH(rows(six, "10", "5"), Catch::Contains("the warn minimum 5 is below"));
  CHECK_THROWS_WITH(rows(six, "5%", nullptr), Catch::Contains("not percents"));
}

TEST_CASE("schema: missing, extra and likely renamed columns", "[quality]") {
  TempDir dir;
  const SourceDef s = Source(
      dir.Write("deals.csv", "Deal Name,Sales Stage,Amount,Close Date,Owner,Notes\nA,won,1,2026-01-01,x,\n"));
  auto schema = [&](std::vector<std::string> columns, ExtraColumns extra) {
    CheckDef c = Check(CheckType::kSchema, std::move(columns), "shape");
    c.extra = extra;
    return Run(s, {c}).checks[0];
  };
  // Stage: inside "Sales Stage"; close_date: the same loose name as "Close Date"; Amuont one
  // edit from Amount; Probability like nothing. Owner and Notes are extra.
  const CheckResult r = schema({"Deal Name", "Stage", "close_date", "Amuont", "Probability"},
                               ExtraColumns::kAllow);
  CHECK(r.status == CheckStatus::kFail);
  CHECK(r.metric == "missing_columns_percent");
  CHECK(r.violations == 4);
  CHECK(r.denominator == 5);
  CHECK(r.missing_columns ==
        std::vector<std::string>{"Stage", "close_date", "Amuont", "Probability"});
  using P = std::pair<std::string, std::string>;
  CHECK(r.renamed == std::vector<P>{{"Stage", "Sales Stage"},
                                    {"close_date", "Close Date"},
                                    {"Amuont", "Amount"}});
  CHECK(r.extra_columns == std::vector<std::string>{"Owner", "Notes"});
  CHECK(r.breached == "fail: 4 expected columns missing");
  REQUIRE(r.samples.size() == 6);
  CHECK(r.samples[0].line == 1);
  CHECK(r.samples[0].row == 0);
  CHECK(r.samples[0].column == "Stage");
  CHECK(r.samples[0].rule == "missing column; renamed? 'Stage' → 'Sales Stage'");
  CHECK(r.samples[3].rule == "missing column");  // Probability
  CHECK(r.samples[4].column == "Owner");
  CHECK(r.samples[4].rule == "extra column");

  // Every expected column present: extra columns as `extra` says.
  const std::vector<std::string> all = {"Deal Name", "Sales Stage", "Amount", "Close Date"};
  CHECK(schema(all, ExtraColumns::kAllow).status == CheckStatus::kPass);
  CHECK(schema(all, ExtraColumns::kWarn).status == CheckStatus::kWarn);
  CHECK(schema(all, ExtraColumns::kWarn).breached == "warn: 2 extra columns (extra = warn)");
  CHECK(schema(all, ExtraColumns::kFail).status == CheckStatus::kFail);
  std::vector<std::string> exact = all;
  exact.insert(exact.end(), {"Owner", "Notes"});
  CHECK(schema(exact, ExtraColumns::kFail).status == CheckStatus::kPass);

  // The header decides a schema check, rows do not: an empty export with the right header
  // passes it (the row-counting checks and row_count catch the empty file).
  const SourceDef empty = Source(dir.Write("empty.csv", "a,b\n"));
  CheckDef c = Check(CheckType::kSchema, {"a", "b"}, "shape");
  CHECK(Run(empty, {c}).checks[0].status == CheckStatus::kPass);
  c.fail = L("1");
  CHECK_THROWS_WITH(Run(empty, {c}), Catch::Contains("takes no fail or warn limit"));
}

TEST_CASE("a source of several files is checked one file at a time", "[quality]") {
  TempDir dir;
  SourceDef s = Source(dir.Write("a.csv", "email\nx@y.z\n"));
  s.more_files = {dir.Write("b.csv", "email\n\n")};
  s.more_file_locs = {{"kpi.ini", 4, 8}};
  const CheckDef req = Check(CheckType::kCompleteness, {"email"});
  CHECK_THROWS_WITH(Run(s, {req}), Catch::Contains("source 'contacts' has 2 files; check reads "
                                                   "one file per source"));
  // Naming the file with --source reads that one.
  CheckOptions o;
  o.file_overrides["contacts"] = dir.path() + "/b.csv";
  const CheckRun run = Run(s, {req}, o);
  CHECK(run.checks.at(0).status == CheckStatus::kFail);
}
