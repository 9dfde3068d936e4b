#include "crmkpi/write/check_writer.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/base/utf8.h"
#include "temp_dir.h"

using namespace crmkpi;

namespace {

// ---- a strict little JSON reader (RFC 8259), enough to check the writer's structure ------

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // in document order

  bool Has(std::string_view key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return true;
    }
    return false;
  }
  const Json& operator[](std::string_view key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return v;
    }
    throw std::runtime_error("no key " + std::string(key));
  }
  const Json& operator[](std::size_t i) const { return items.at(i); }
  std::vector<std::string> Keys() const {
    std::vector<std::string> keys;
    for (const auto& m : members) keys.push_back(m.first);
    return keys;
  }
};

class JsonReader {
 public:
  static Json Parse(std::string_view s) {
    std::size_t tail = 0;
    if (FindInvalidUtf8(s.data(), s.size(), &tail) != s.size() || tail != 0) {
      throw std::runtime_error("invalid UTF-8");
    }
    JsonReader r(s);
    Json v = r.Value();
    r.Space();
    if (r.i_ != s.size()) r.Fail("trailing text");
    return v;
  }

 private:
  explicit JsonReader(std::string_view s) : s_(s) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw std::runtime_error(what + " at offset " + std::to_string(i_));
  }
  void Space() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) {
      ++i_;
    }
  }
  char Peek() {
    Space();
    if (i_ >= s_.size()) Fail("unexpected end");
    return s_[i_];
  }
  void Expect(char c) {
    if (Peek() != c) Fail(std::string("expected ") + c);
    ++i_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Json Value() {
    Json v;
    const char c = Peek();
    if (c == '{') {
      v.kind = Json::kObject;
      ++i_;
      if (Peek() == '}') return ++i_, v;
      for (;;) {
        if (Peek() != '"') Fail("expected a key");
        std::string key = String();
        if (v.Has(key)) Fail("duplicate key " + key);
        Expect(':');
        v.members.emplace_back(std::move(key), Value());
        if (Peek() == ',') {
          ++i_;
          continue;
        }
        Expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = Json::kArray;
      ++i_;
      if (Peek() == ']') return ++i_, v;
      for (;;) {
        v.items.push_back(Value());
        if (Peek() == ',') {
          ++i_;
          continue;
        }
        Expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = Json::kString;
      v.text = String();
      return v;
    }
    if (Literal("null")) return v;
    if (Literal("true") || Literal("false")) {
      v.kind = Json::kBool;
      v.boolean = s_[i_ - 1] == 'e' && s_[i_ - 2] == 'u';
      return v;
    }
    v.kind = Json::kNumber;
    v.number = Number();
    return v;
  }

  double Number() {
    const std::size_t start = i_;
    auto digits = [&] {
      const std::size_t from = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == from) Fail("expected a digit");
    };
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else {
      digits();
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      digits();
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      digits();
    }
    return std::strtod(std::string(s_.substr(start, i_ - start)).c_str(), nullptr);
  }

  unsigned Hex4() {
    if (i_ + 4 > s_.size()) Fail("short \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[i_++];
      v <<= 4;
      if (h >= '0' && h <= '9') {
        v |= static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        v |= static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        v |= static_cast<unsigned>(h - 'A' + 10);
      } else {
        Fail("bad \\u escape");
      }
    }
    return v;
  }

  static void AppendUtf8(std::string& out, unsigned cp) {
    auto byte = [&](unsigned b) { out.push_back(static_cast<char>(b)); };
    if (cp < 0x80) {
      byte(cp);
    } else if (cp < 0x800) {
      byte(0xC0 | (cp >> 6));
      byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      byte(0xE0 | (cp >> 12));
      byte(0x80 | ((cp >> 6) & 0x3F));
      byte(0x80 | (cp & 0x3F));
    } else {
      byte(0xF0 | (cp >> 18));
      byte(0x80 | ((cp >> 12) & 0x3F));
      byte(0x80 | ((cp >> 6) & 0x3F));
      byte(0x80 | (cp & 0x3F));
    }
  }

  std::string String() {
    Expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) Fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) Fail("raw control character in a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (i_ >= s_.size()) Fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          unsigned cp = Hex4();
          if (cp >= 0xD800 && cp < 0xDC00) {
            if (!Literal("\\u")) Fail("lone high surrogate");
            const unsigned lo = Hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) Fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            Fail("lone low surrogate");
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          Fail("bad escape");
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// ---- the run the tests format -------------------------------------------------------------

// Untrusted text in a sample: XML/HTML/JSON specials, a control character, Japanese.
const std::string kNasty = "<&>\"' \x01 株式会社テスト";

CheckResult PassCompleteness() {
  CheckResult r;
  r.def.name = "required_contact";
  r.def.type = CheckType::kCompleteness;
  r.def.source = "contacts.csv";
  r.def.columns = {"email", "氏名"};
  r.def.fail = ParseLimit("5%");
  r.status = CheckStatus::kPass;
  r.metric = "missing_percent";
  r.violations = 0;
  r.denominator = 12;
  r.percent = 0.0;
  r.rows = 6;
  r.missing_by_column = {{"email", 0}, {"氏名", 0}};
  r.complete_records = 6;
  return r;
}

CheckResult WarnValidity() {
  CheckResult r;
  r.def.name = "valid_email";
  r.def.type = CheckType::kValidity;
  r.def.source = "contacts.csv";
  r.def.columns = {"email"};
  r.def.rule = "email";
  r.def.fail = ParseLimit("50%");
  r.def.warn = ParseLimit("10%");
  r.status = CheckStatus::kWarn;
  r.metric = "invalid_percent";
  r.violations = 1;
  r.denominator = 5;
  r.percent = 20.0;
  r.breached = "warn";
  r.rows = 6;
  r.missing = 1;
  // The second value would recolour a terminal: ESC, the C1 CSI (U+009B) and DEL.
  r.samples = {{4, 3, "email", "not-an-email", "", "email"},
               {6, 5, "email", "esc\x1b[31m\xC2\x9Bred\x7F", "", "email"}};
  return r;
}

CheckResult FailUniqueness() {
  CheckResult r;
  r.def.name = "unique_company";
  r.def.type = CheckType::kUniqueness;
  r.def.source = "deals";
  r.def.columns = {"company"};
  r.def.normalize = "nfkc,lower";
  r.def.near = "0.8";
  r.status = CheckStatus::kFail;
  r.metric = "duplicate_percent";
  r.violations = 3;
  r.denominator = 9;
  r.percent = 100.0 * 3 / 9;
  r.breached = "fail";
  r.rows = 10;
  r.missing_key = 1;
  r.distinct = 6;
  r.duplicate_groups = 2;
  r.rows_in_duplicate_groups = 5;
  r.samples = {
      {5, 4, "company", kNasty, "<&>\"' \x01 株式会社テスト", "duplicate of line 3"},
      {8, 7, "company", "ＡＢＣ株式会社", "abc株式会社", "duplicate of line 6"},
      {9, 8, "company", "bad \xFF byte", "bad \xFF byte", "duplicate of line 2"},
  };
  r.near = {{"abc株式会社", "abc商事", "ＡＢＣ株式会社", "ABC商事", 6, 10, 0.83, "abc"}};
  r.near_total = 3;
  return r;
}

CheckResult ErrorTimeliness() {
  CheckResult r;
  r.def.name = "fresh_leads";
  r.def.type = CheckType::kTimeliness;
  r.def.source = "leads.csv";  // no source summary: the file could not be read
  r.def.columns = {"updated_at"};
  r.def.max_age_days = 30;
  r.def.fail = ParseLimit("10");
  r.status = CheckStatus::kError;
  r.error = "leads.csv: column 'updated_at' not found";
  r.metric = "stale_percent";
  return r;
}

CheckRun FullRun() {
  CheckRun run;
  run.sources = {{"contacts.csv", "contacts.csv", 6, 0, "utf-8"},
                 {"deals", "deals.csv", 10, 1, "shift_jis"}};
  run.checks = {PassCompleteness(), WarnValidity(), FailUniqueness(), ErrorTimeliness()};
  run.as_of = "2025-06-30T00:00:00Z";
  run.as_of_source = "--as-of";
  run.invalid_rows_written = 4;
  return run;
}

CheckRun SmallRun() {
  CheckRun run;
  run.sources = {{"contacts.csv", "contacts.csv", 6, 0, "utf-8"}};
  run.checks = {PassCompleteness()};
  return run;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

const std::string* LineWith(const std::vector<std::string>& lines, std::string_view needle) {
  for (const auto& l : lines) {
    if (l.find(needle) != std::string::npos) return &l;
  }
  return nullptr;
}

bool HasXmlLint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("ParseCheckFormat names every format and refuses others", "[check_writer]") {
  CHECK(ParseCheckFormat("table") == CheckFormat::kTable);
  CHECK(ParseCheckFormat("json") == CheckFormat::kJson);
  CHECK(ParseCheckFormat("junit") == CheckFormat::kJunit);
  CHECK(ParseCheckFormat("csv") == CheckFormat::kCsv);
  CHECK(ParseCheckFormat("md") == CheckFormat::kMarkdown);
  CHECK(ParseCheckFormat("markdown") == CheckFormat::kMarkdown);
  CHECK(ParseCheckFormat("html") == CheckFormat::kHtml);
  try {
    ParseCheckFormat("xml");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.message() ==
          "--format: unknown format 'xml' (table, json, junit, csv, md, html, xlsx)");
  }
}

TEST_CASE("check table: one passing check, exact", "[check_writer]") {
  const std::string expected =
      "contacts.csv: 6 rows, utf-8\n"
      "status  check             type          columns      violations      threshold  "
      "details\n"
      "------  ----------------  ------------  -----------  --------------  ---------  "
      "------------------------------------------------\n"
      "PASS    required_contact  completeness  email, 氏名  0 / 12 = 0.0 %  fail > 5%  "
      "missing email 0, 氏名 0; complete records 6 of 6\n"
      "\n"
      "1 check: 1 pass, 0 warn, 0 fail, 0 error → exit 0\n";
  CHECK(WriteChecks(SmallRun(), CheckFormat::kTable, 0) == expected);
}

TEST_CASE("check table: sources, one line per check, samples, candidates, summary",
          "[check_writer]") {
  const std::string out = WriteChecks(FullRun(), CheckFormat::kTable, 1);
  const std::vector<std::string> lines = Lines(out);
  INFO(out);
  CHECK(out.find('\x01') == std::string::npos);  // control characters are shown, not sent
  CHECK(lines.front() == "contacts.csv: 6 rows, utf-8");
  CHECK(LineWith(lines, "deals (deals.csv): 10 rows, shift_jis, 1 structural error"));
  CHECK(LineWith(lines, "leads.csv") != nullptr);

  const std::string* warn = LineWith(lines, "WARN    valid_email");
  REQUIRE(warn);
  CHECK(warn->find("1 / 5 = 20.0 %") != std::string::npos);
  CHECK(warn->find("fail > 50%, warn > 10%") != std::string::npos);
  CHECK(warn->find("rule email, invalid 1, N 5, missing 1, not applicable 0") != std::string::npos);

  const std::string* fail = LineWith(lines, "FAIL    unique_company");
  REQUIRE(fail);
  CHECK(fail->find("3 / 9 = 33.3 %") != std::string::npos);
  CHECK(fail->find("fail > 0 (default)") != std::string::npos);
  CHECK(fail->find("N 9, D 6, duplicates 3, groups 2, rows in groups 5, missing keys 1, "
                   "normalize nfkc,lower") != std::string::npos);

  const std::string* error = LineWith(lines, "ERROR   fresh_leads");
  REQUIRE(error);
  CHECK(error->find("error: leads.csv: column 'updated_at' not found") != std::string::npos);

  // Samples of the failing check: Japanese and the escaped control character, aligned by
  // display width (the normalized column starts at the same terminal column on every row).
  REQUIRE(LineWith(lines, "FAIL unique_company: samples"));
  const std::string* s1 = LineWith(lines, "<&>\"' \\x01 株式会社テスト");
  const std::string* s2 = LineWith(lines, "ＡＢＣ株式会社");
  REQUIRE(s1);
  REQUIRE(s2);
  CHECK(s1->rfind("  ", 0) == 0);                               // indented under its heading
  const std::size_t n1 = s1->find("<&>", s1->find("<&>") + 1);  // the normalized copy
  const std::size_t n2 = s2->find("abc株式会社");
  REQUIRE(n1 != std::string::npos);
  REQUIRE(n2 != std::string::npos);
  CHECK(DisplayWidth(s1->substr(0, n1)) == DisplayWidth(s2->substr(0, n2)));
  CHECK(LineWith(lines, "bad \xEF\xBF\xBD byte"));  // invalid UTF-8 → U+FFFD
  CHECK(LineWith(lines, "WARN valid_email: samples"));
  CHECK(LineWith(lines, "not-an-email"));
  CHECK(LineWith(lines, "esc\\x1b[31m\\u009bred\\x7f"));
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find("\xC2\x9B") == std::string::npos);

  REQUIRE(LineWith(lines, "unique_company: near-duplicate candidates (candidates, not counted; 1 of 3)"));
  const std::string* near = LineWith(lines, "ABC商事");
  REQUIRE(near);
  CHECK(near->find("0.83") != std::string::npos);

  CHECK(LineWith(lines, "4 invalid rows written"));
  CHECK(lines.back() == "4 checks: 1 pass, 1 warn, 1 fail, 1 error → exit 1");
}

TEST_CASE("check json: small case, exact", "[check_writer]") {
  const std::string expected =
      "{\"schema_version\":1,\"crmkpi_version\":\"" CRMKPI_VERSION "\",\"command\":\"check\","
      "\"status\":\"pass\",\"exit_code\":0,\n"
      "\"as_of\":null,\"as_of_source\":null,\n"
      "\"summary\":{\"checks\":1,\"pass\":1,\"warn\":0,\"fail\":0,\"error\":0},\n"
      "\"invalid_rows_written\":0,\n"
      "\"sources\":[\n"
      "{\"id\":\"contacts.csv\",\"file\":\"contacts.csv\",\"rows\":6,\"structural_errors\":0,"
      "\"encoding\":\"utf-8\",\"encoding_detected\":false}],\n"
      "\"checks\":[\n"
      "{\"id\":\"completeness\",\"name\":\"required_contact\",\"description\":null,"
      "\"source\":\"contacts.csv\","
      "\"columns\":[\"email\",\"氏名\"],\"status\":\"pass\",\"error\":null,"
      "\"metric\":\"missing_percent\",\"value\":0,\"numerator\":0,\"denominator\":12,"
      "\"thresholds\":{\"fail\":{\"limit\":\"5%\",\"unit\":\"percent\",\"value\":5},"
      "\"warn\":null},\"breached\":null,"
      "\"counts\":{\"rows\":6,\"missing_by_column\":{\"email\":0,\"氏名\":0},"
      "\"complete_records\":6,\"structural_errors\":0},\"samples\":[]}]}\n";
  const std::string out = WriteChecks(SmallRun(), CheckFormat::kJson, 0);
  CHECK(out == expected);
  CHECK_NOTHROW(JsonReader::Parse(out));
}

TEST_CASE("check json: valid, complete and faithful to the values", "[check_writer]") {
  const std::string out = WriteChecks(FullRun(), CheckFormat::kJson, 1);
  INFO(out);
  Json doc;
  REQUIRE_NOTHROW(doc = JsonReader::Parse(out));
  CHECK(doc.Keys() == std::vector<std::string>{"schema_version", "crmkpi_version", "command",
                                               "status", "exit_code",
                                               "as_of", "as_of_source", "summary",
                                               "invalid_rows_written", "sources", "checks"});
  CHECK(doc["schema_version"].number == 1);
  CHECK(doc["crmkpi_version"].text == CRMKPI_VERSION);
  CHECK(doc["status"].text == "fail");
  CHECK(doc["exit_code"].number == 1);
  CHECK(doc["as_of"].text == "2025-06-30T00:00:00Z");
  CHECK(doc["as_of_source"].text == "--as-of");
  CHECK(doc["summary"]["pass"].number == 1);
  CHECK(doc["summary"]["warn"].number == 1);
  CHECK(doc["summary"]["fail"].number == 1);
  CHECK(doc["summary"]["error"].number == 1);
  CHECK(doc["invalid_rows_written"].number == 4);
  REQUIRE(doc["sources"].items.size() == 2);
  CHECK(doc["sources"][1]["file"].text == "deals.csv");
  CHECK(doc["sources"][1]["structural_errors"].number == 1);
  REQUIRE(doc["checks"].items.size() == 4);

  const std::vector<std::string> check_keys = {
      "id",     "name",  "description", "source",      "columns",    "status",
      "error",  "metric", "value",      "numerator",   "denominator", "thresholds",
      "breached", "counts", "samples"};
  CHECK(doc["checks"][0].Keys() == check_keys);
  CHECK(doc["checks"][1].Keys() == check_keys);
  std::vector<std::string> uniqueness_keys = check_keys;
  uniqueness_keys.push_back("near_duplicates");
  CHECK(doc["checks"][2].Keys() == uniqueness_keys);

  const Json& warn = doc["checks"][1];
  CHECK(warn["id"].text == "validity");
  CHECK(warn["status"].text == "warn");
  CHECK(warn["value"].number == 20);
  CHECK(warn["thresholds"]["warn"]["limit"].text == "10%");
  CHECK(warn["thresholds"]["warn"]["unit"].text == "percent");
  CHECK(warn["thresholds"]["warn"]["value"].number == 10);
  CHECK(warn["counts"].Keys() == std::vector<std::string>{"rows", "rule", "when", "n",
                                                          "invalid_count", "missing",
                                                          "not_applicable"});
  CHECK(warn["counts"]["when"].kind == Json::kNull);
  CHECK(warn["samples"][0]["normalized"].kind == Json::kNull);

  const Json& fail = doc["checks"][2];
  CHECK(fail["id"].text == "uniqueness");
  CHECK(fail["value"].number == 100.0 * 3 / 9);  // full precision, round-trips
  CHECK(fail["numerator"].number == 3);
  CHECK(fail["denominator"].number == 9);
  CHECK(fail["thresholds"]["fail"].kind == Json::kNull);
  CHECK(fail["breached"].text == "fail");
  const Json& counts = fail["counts"];
  CHECK(counts.Keys() == std::vector<std::string>{"rows", "n", "distinct", "duplicate_count",
                                                  "duplicate_groups", "rows_in_duplicate_groups",
                                                  "missing_key", "normalize", "distinctness",
                                                  "near_threshold", "near_total"});
  CHECK(counts["n"].number == 9);
  CHECK(counts["duplicate_count"].number == 3);
  CHECK(counts["distinctness"].number == Approx(6.0 / 9));
  CHECK(counts["normalize"].text == "nfkc,lower");
  REQUIRE(fail["samples"].items.size() == 3);
  CHECK(fail["samples"][0]["value"].text == kNasty);  // exact, control character included
  CHECK(fail["samples"][0]["line"].number == 5);
  CHECK(fail["samples"][0]["rule"].text == "duplicate of line 3");
  CHECK(fail["samples"][2]["value"].text == "bad \xEF\xBF\xBD byte");
  REQUIRE(fail["near_duplicates"].items.size() == 1);
  CHECK(fail["near_duplicates"][0]["original_b"].text == "ABC商事");
  CHECK(fail["near_duplicates"][0]["similarity"].number == 0.83);

  const Json& error = doc["checks"][3];
  CHECK(error["status"].text == "error");
  CHECK(error["error"].text == "leads.csv: column 'updated_at' not found");
  CHECK(error["value"].kind == Json::kNull);
  CHECK(error["numerator"].kind == Json::kNull);
  CHECK(error["counts"].kind == Json::kNull);
  CHECK(error["thresholds"]["fail"]["unit"].text == "count");
  CHECK(error["thresholds"]["fail"]["value"].number == 10);
}

TEST_CASE("check json: overall status follows the exit code", "[check_writer]") {
  auto status = [](const CheckRun& run, int code) {
    return JsonReader::Parse(WriteChecks(run, CheckFormat::kJson, code))["status"].text;
  };
  CheckRun warned = SmallRun();
  warned.checks.push_back(WarnValidity());
  CHECK(status(SmallRun(), 0) == "pass");
  CHECK(status(warned, 0) == "warn");
  CHECK(status(FullRun(), 1) == "fail");
  CHECK(status(FullRun(), 3) == "error");
  CHECK(status(CheckRun{}, 0) == "pass");
}

TEST_CASE("check junit: counts, failing case with samples, escaping", "[check_writer]") {
  const std::string out = WriteChecks(FullRun(), CheckFormat::kJunit, 1);
  INFO(out);
  const std::vector<std::string> lines = Lines(out);
  CHECK(lines[0] == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
  CHECK(lines[1] ==
        "<testsuites name=\"crmkpi check\" tests=\"4\" failures=\"1\" errors=\"1\" "
        "skipped=\"0\" time=\"0\">");
  CHECK(LineWith(lines,
                 "<testsuite name=\"contacts.csv\" tests=\"2\" failures=\"0\" "
                 "errors=\"0\" skipped=\"0\" time=\"0\">"));
  CHECK(LineWith(lines, "<testsuite name=\"deals\" tests=\"1\" failures=\"1\" errors=\"0\""));
  CHECK(LineWith(lines, "<testsuite name=\"leads.csv\" tests=\"1\" failures=\"0\" errors=\"1\""));
  CHECK(LineWith(lines, "<property name=\"file\" value=\"deals.csv\"/>"));
  // The as-of only where a timeliness check is (the leads suite), so a clock as-of does not
  // change the report of the other suites.
  const std::string as_of = "<property name=\"as_of\" value=\"2025-06-30T00:00:00Z\"/>";
  CHECK(out.find(as_of) != std::string::npos);
  CHECK(out.find(as_of) == out.rfind(as_of));
  CHECK(out.find(as_of) > out.find("<testsuite name=\"leads.csv\""));
  CHECK(LineWith(lines,
                 "<testcase classname=\"crmkpi.check.contacts_csv\" "
                 "name=\"required_contact (email, 氏名)\" time=\"0\">"));

  // The failing testcase names the check and carries its samples.
  const std::size_t start = out.find("name=\"unique_company (company)\"");
  REQUIRE(start != std::string::npos);
  const std::size_t end = out.find("</testcase>", start);
  const std::string failing = out.substr(start, end - start);
  CHECK(failing.find("<failure message=\"duplicate_percent: 3 / 9 = 33.3 % (fail &gt; 0 "
                     "(default))\" type=\"uniqueness\">") != std::string::npos);
  CHECK(failing.find("line 5 (row 4) company = &quot;&lt;&amp;&gt;&quot;&apos; \\x01 "
                     "株式会社テスト&quot;") != std::string::npos);
  CHECK(failing.find("line 8 (row 7) company = &quot;ＡＢＣ株式会社&quot; → "
                     "&quot;abc株式会社&quot;: duplicate of line 6") != std::string::npos);
  CHECK(failing.find("bad \xEF\xBF\xBD byte") != std::string::npos);
  CHECK(failing.find("ABC商事") != std::string::npos);

  CHECK(out.find("<error message=\"leads.csv: column &apos;updated_at&apos; not found\" "
                 "type=\"timeliness\">ERROR timeliness: leads.csv: column &apos;updated_at&apos; "
                 "not found\n</error>") != std::string::npos);
  CHECK(out.find("<system-out>WARN validity invalid_percent: 1 / 5 = 20.0 %") != std::string::npos);
  CHECK(out.find("<system-out>PASS completeness") != std::string::npos);
  CHECK(out.find('\x01') == std::string::npos);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find("\xFF") == std::string::npos);
}

TEST_CASE("check junit: well-formed and valid against tests/data/junit.xsd", "[check_writer]") {
  if (!HasXmlLint()) {
    WARN("xmllint is not installed (Debian: libxml2-utils): JUnit schema validation SKIPPED");
    return;
  }
  TempDir dir;
  const std::string schema = std::string(CRMKPI_TEST_DATA_DIR) + "/junit.xsd";
  const std::pair<const char*, CheckRun> runs[] = {
      {"full.xml", FullRun()}, {"small.xml", SmallRun()}, {"empty.xml", CheckRun{}}};
  for (const auto& [name, run] : runs) {
    const std::string file = dir.Write(name, WriteChecks(run, CheckFormat::kJunit, 0));
    INFO(file);
    const std::string log = dir.path() + "/xmllint.log";
    const std::string cmd =
        "xmllint --noout --schema '" + schema + "' '" + file + "' >'" + log + "' 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream in(log);
    const std::string messages((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    INFO(messages);
    CHECK(rc == 0);
    CHECK(messages.find(" validates") != std::string::npos);
  }
}

TEST_CASE("check csv: one RFC 4180 row per check", "[check_writer]") {
  const std::string out = WriteChecks(FullRun(), CheckFormat::kCsv, 1);
  const std::vector<std::string> lines = Lines(out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] ==
        "source,name,id,columns,status,metric,value,numerator,denominator,fail,warn,error");
  CHECK(lines[1] ==
        "contacts.csv,required_contact,completeness,\"email,氏名\",pass,missing_percent,0,0,12,"
        "5%,,");
  CHECK(lines[2] == "contacts.csv,valid_email,validity,email,warn,invalid_percent,20,1,5,50%,10%,");
  CHECK(lines[3] ==
        "deals,unique_company,uniqueness,company,fail,duplicate_percent,33.333333333333336,3,9,,,");
  CHECK(lines[4] ==
        "leads.csv,fresh_leads,timeliness,updated_at,error,stale_percent,,,,10,,"
        "leads.csv: column 'updated_at' not found");
}

TEST_CASE("check md: table and samples as a list", "[check_writer]") {
  const std::string out = WriteChecks(FullRun(), CheckFormat::kMarkdown, 1);
  INFO(out);
  const std::vector<std::string> lines = Lines(out);
  CHECK(lines[0] == "# crmkpi check");
  CHECK(LineWith(lines, "**4 checks: 1 pass, 1 warn, 1 fail, 1 error → exit 1**"));
  CHECK(LineWith(lines, "- deals (deals.csv): 10 rows, shift\\_jis, 1 structural error"));
  const std::string* head = LineWith(lines, "| source ");
  REQUIRE(head);
  CHECK(head->find("| violations ") != std::string::npos);
  const std::string* fail = LineWith(lines, "| unique\\_company ");
  REQUIRE(fail);
  CHECK(fail->find("| FAIL ") != std::string::npos);
  CHECK(fail->find("3 / 9 = 33.3 %") != std::string::npos);
  CHECK(fail->find("| fail > 0 (default) ") != std::string::npos);
  CHECK(LineWith(lines, "## Samples"));
  CHECK(LineWith(lines, "### FAIL unique\\_company (deals)"));
  CHECK(LineWith(lines, "- line 5 (row 4), `company`: `<&>\"' \\x01 株式会社テスト` → "));
  CHECK(LineWith(lines, "- line 4 (row 3), `email`: `not-an-email` — email"));
  CHECK(LineWith(lines, "- line 6 (row 5), `email`: `esc\\x1b[31m\\u009bred\\x7f` — email"));
  CHECK(out.find('\x01') == std::string::npos);
  CHECK(out.find('\x1b') == std::string::npos);
}

// ---- issue 18: CI gates ------------------------------------------------------------------

namespace {

// The text of the testcase named |name| (from its start tag to its end tag).
std::string Testcase(const std::string& out, const std::string& name) {
  const std::size_t start = out.find("name=\"" + name);
  if (start == std::string::npos) return {};
  return out.substr(start, out.find("</testcase>", start) - start);
}

bool ValidJunit(const std::string& xml) {
  TempDir dir;
  const std::string file = dir.Write("out.xml", xml);
  const std::string cmd = "xmllint --noout --schema '" + std::string(CRMKPI_TEST_DATA_DIR) +
                          "/junit.xsd' '" + file + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace

TEST_CASE("check junit: a warning is marked as one, --fail-on-warn says why it failed",
          "[check_writer]") {
  CheckRun run = SmallRun();
  CheckResult warn = WarnValidity();
  warn.breached = "warn: invalid_percent > 10%";
  CheckResult failed = WarnValidity();
  failed.def.name = "valid_email_strict";
  failed.status = CheckStatus::kFail;  // what cmd_check does with --fail-on-warn
  failed.breached = "warn: invalid_percent > 10% (--fail-on-warn)";
  failed.failed_on_warn = true;
  run.checks = {PassCompleteness(), warn, failed};
  const std::string out = WriteChecks(run, CheckFormat::kJunit, 1);
  INFO(out);
  // The warning: still a passing testcase (no <failure>), with a status property and a WARN
  // line in <system-err>, which GitLab and Jenkins show beside the test.
  const std::string w = Testcase(out, "valid_email (email)");
  CHECK(w.find("<failure") == std::string::npos);
  CHECK(w.find("<property name=\"status\" value=\"warn\"/>") != std::string::npos);
  CHECK(w.find("<system-err>WARN: invalid_percent &gt; 10% — 1 / 5 = 20.0 %\n</system-err>") !=
        std::string::npos);
  // The pass has neither.
  const std::string p = Testcase(out, "required_contact");
  CHECK(p.find("<system-err>") == std::string::npos);
  CHECK(p.find("<properties>") == std::string::npos);
  // The warning failed by --fail-on-warn: its failure message says so.
  const std::string f = Testcase(out, "valid_email_strict");
  CHECK(f.find("<failure message=\"warning failed by --fail-on-warn: invalid_percent: 1 / 5 = "
               "20.0 % (fail &gt; 50%, warn &gt; 10%)\"") != std::string::npos);
  CHECK(f.find("<property name=\"failed_by\" value=\"--fail-on-warn\"/>") != std::string::npos);
  CHECK(out.find("failures=\"1\"") != std::string::npos);
  if (HasXmlLint()) CHECK(ValidJunit(out));
}

TEST_CASE("check junit: suite and class names do not depend on the path as typed",
          "[check_writer]") {
  auto names = [](const std::string& path) {
    CheckRun run;
    run.sources = {{path, path, 6, 0, "utf-8"}};
    CheckResult r = PassCompleteness();
    r.def.source = path;
    run.checks = {r};
    const std::string out = WriteChecks(run, CheckFormat::kJunit, 0);
    const std::size_t suite = out.find("<testsuite name=");
    const std::size_t cls = out.find("classname=");
    return std::make_pair(out.substr(suite, out.find(' ', suite + 11) - suite),
                          out.substr(cls, out.find(' ', cls) - cls));
  };
  const auto plain = names("contacts.csv");
  CHECK(plain.first == "<testsuite name=\"contacts.csv\"");
  CHECK(plain.second == "classname=\"crmkpi.check.contacts_csv\"");
  CHECK(names("./contacts.csv") == plain);
  CHECK(names("/abs/dir/contacts.csv") == plain);
  CHECK(names("../data/contacts.csv") == plain);
  CHECK(names("deals").second == "classname=\"crmkpi.check.deals\"");  // an INI source id
}

TEST_CASE("check writers: no negative zero (freshness of a timestamp just after --as-of)",
          "[check_writer]") {
  CheckRun run;
  run.sources = {{"leads.csv", "leads.csv", 1, 0, "utf-8"}};
  CheckResult r;
  r.def.name = "fresh";
  r.def.type = CheckType::kTimeliness;
  r.def.source = "leads.csv";
  r.def.columns = {"updated_at"};
  r.def.max_age_days = 30;
  r.status = CheckStatus::kPass;
  r.metric = "stale_percent";
  r.denominator = 1;
  r.percent = 0.0;
  r.rows = 1;
  r.newest = "2026-11-01T01:00:00Z";
  r.freshness_days = -1.0 / 24;  // an hour after the as-of: rounds to zero
  r.as_of = "2026-11-01T00:00:00Z";
  run.checks = {r};
  for (CheckFormat f : {CheckFormat::kTable, CheckFormat::kJson, CheckFormat::kJunit,
                        CheckFormat::kCsv, CheckFormat::kMarkdown}) {
    const std::string out = WriteChecks(run, f, 0);
    INFO(out);
    // (JSON keeps the exact value, -0.041666666666666664: not a zero.)
    CHECK(out.find("-0.0 ") == std::string::npos);
    CHECK(out.find("-0 ") == std::string::npos);
    CHECK(out.find(":-0,") == std::string::npos);
    CHECK(out.find(",-0,") == std::string::npos);
  }
  CHECK(WriteChecks(run, CheckFormat::kTable, 0).find("freshness 0.0 d") != std::string::npos);
}

TEST_CASE("check writers: row_count, schema and no-rows texts", "[check_writer]") {
  CheckRun run;
  run.sources = {{"deals", "deals.csv", 0, 0, "utf-8"}};
  CheckResult rows;
  rows.def.name = "rows";
  rows.def.type = CheckType::kRowCount;
  rows.def.source = "deals";
  rows.def.fail = ParseLimit("1000");
  rows.def.warn = ParseLimit("5000");
  rows.status = CheckStatus::kFail;
  rows.metric = "row_count";
  rows.breached = "fail: row_count 0 < 1000 (no rows)";
  CheckResult shape;
  shape.def.name = "shape";
  shape.def.type = CheckType::kSchema;
  shape.def.source = "deals";
  shape.def.columns = {"Name", "Stage", "Probability"};
  shape.def.extra = ExtraColumns::kWarn;
  shape.status = CheckStatus::kFail;
  shape.metric = "missing_columns_percent";
  shape.violations = 2;
  shape.denominator = 3;
  shape.percent = 100.0 * 2 / 3;
  shape.missing_columns = {"Stage", "Probability"};
  shape.renamed = {{"Stage", "Sales Stage"}};
  shape.extra_columns = {"Owner"};
  shape.samples = {{1, 0, "Stage", "", "", "missing column; renamed? 'Stage' → 'Sales Stage'"}};
  CheckResult empty = PassCompleteness();
  empty.def.source = "deals";
  empty.status = CheckStatus::kFail;
  empty.rows = 0;
  empty.denominator = 0;
  empty.percent.reset();
  empty.breached = "fail: no rows";
  run.checks = {rows, shape, empty};
  const std::string table = WriteChecks(run, CheckFormat::kTable, 1);
  INFO(table);
  CHECK(table.find("0 rows") != std::string::npos);
  CHECK(table.find("fail < 1000, warn < 5000") != std::string::npos);
  CHECK(table.find("2 of 3 missing, 1 extra") != std::string::npos);
  CHECK(table.find("missing fails, extra: warn") != std::string::npos);
  CHECK(table.find("missing 'Probability'; renamed? 'Stage' → 'Sales Stage'; extra 'Owner'; "
                   "extra = warn") != std::string::npos);
  CHECK(table.find("no rows: the source has no data rows") != std::string::npos);
  const std::string junit = WriteChecks(run, CheckFormat::kJunit, 1);
  CHECK(junit.find("line 1 (header) Stage: missing column; renamed? &apos;Stage&apos; → "
                   "&apos;Sales Stage&apos;") != std::string::npos);
  if (HasXmlLint()) CHECK(ValidJunit(junit));
  const std::string md = WriteChecks(run, CheckFormat::kMarkdown, 1);
  CHECK(md.find("- line 1 (header), `Stage` — missing column; renamed?") != std::string::npos);
}
