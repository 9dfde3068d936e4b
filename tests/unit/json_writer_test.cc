#include "crmkpi/write/json_writer.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "crmkpi/base/utf8.h"

namespace crmkpi {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";  // U+FFFD

std::string Q(const std::string& s) { return JsonWriter::Quote(s); }

bool ValidUtf8(const std::string& s) {
  std::size_t tail = 0;
  return FindInvalidUtf8(s.data(), s.size(), &tail) == s.size() && tail == 0;
}

TEST_CASE("JsonWriter escapes quotes, backslashes and control characters", "[json_writer]") {
  CHECK(Q("") == "\"\"");
  CHECK(Q("plain") == "\"plain\"");
  CHECK(Q("a\"b\\c/d") == "\"a\\\"b\\\\c/d\"");  // '/' needs no escape
  CHECK(Q("l1\nl2\r\tx") == "\"l1\\nl2\\r\\tx\"");
  CHECK(Q(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
  CHECK(Q("\x01\x08\x0c\x1f") == "\"\\u0001\\u0008\\u000c\\u001f\"");
  CHECK(Q("del\x7f") == "\"del\\u007f\"");
  // C1 controls (U+0080..U+009F) and the JavaScript line terminators U+2028/U+2029.
  CHECK(Q("\xC2\x80\xC2\x9F\xC2\xA0") == "\"\\u0080\\u009f\xC2\xA0\"");
  CHECK(Q("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c\xE2\x80\xA7") ==
        "\"a\\u2028b\\u2029c\xE2\x80\xA7\"");
}

TEST_CASE("JsonWriter keeps valid UTF-8 as it is", "[json_writer]") {
  const std::string samples[] = {
      "株式会社ＡＢＣ", "😀", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
      "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "葛󠄀",
  };
  for (const std::string& s : samples) {
    INFO(s);
    CHECK(Q(s) == "\"" + s + "\"");
  }
}

// Expected strings as Python's bytes.decode("utf-8", "replace") gives them (one U+FFFD per
// maximal subpart, Unicode §3.9).
TEST_CASE("JsonWriter replaces invalid UTF-8 by U+FFFD per maximal subpart", "[json_writer]") {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"\xFF", kFffd},
      {"a\xFE" "b", "a" + kFffd + "b"},
      {"\x80", kFffd},                             // a continuation byte alone
      {"\xBF\x80", kFffd + kFffd},                 // two of them
      {"\xC0\xAF", kFffd + kFffd},                 // overlong '/' (C0 never leads)
      {"\xC1\xBF", kFffd + kFffd},                 // overlong
      {"\xE0\x80\xAF", kFffd + kFffd + kFffd},     // overlong 3-byte: E0 needs A0..BF
      {"\xF0\x80\x80\xAF", kFffd + kFffd + kFffd + kFffd},  // overlong 4-byte
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},     // surrogate U+D800
      {"\xED\xBF\xBF", kFffd + kFffd + kFffd},     // surrogate U+DFFF
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // above U+10FFFF
      {"\xF5\x80", kFffd + kFffd},
      // Truncated sequences: the valid prefix is one maximal subpart.
      {"\xE3\x81", kFffd},
      {"\xE3\x81" "a", kFffd + "a"},
      {"\xF0\x9F\x98", kFffd},
      {"\xF0\x9F\x98" "x\xF0\x9F\x98\x80", kFffd + "x😀"},
      {"\xC3", kFffd},
      {"\xC3\xC3\xA9", kFffd + "é"},
      // Shift_JIS "売上.csv" (a Windows file name): 94 84 and 8F are stray continuation bytes,
      // E3 a lead byte cut off by '.'.
      {"\x94\x84\x8F\xE3.csv", kFffd + kFffd + kFffd + kFffd + ".csv"},
      {"\xE3\x8F.csv", kFffd + ".csv"},  // a 3-byte lead with one of its continuation bytes
  };
  for (const Case& c : cases) {
    INFO(c.in);
    const std::string q = Q(c.in);
    CHECK(q == "\"" + c.out + "\"");
    CHECK(ValidUtf8(q));
  }
}

TEST_CASE("JsonWriter output is valid UTF-8 for every byte pair", "[json_writer]") {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string s = {static_cast<char>(a), static_cast<char>(b), '\xE3', '\x81'};
      const std::string q = Q(s);
      REQUIRE(ValidUtf8(q));
      for (std::size_t i = 1; i + 1 < q.size(); ++i) {
        const auto c = static_cast<unsigned char>(q[i]);
        REQUIRE(c >= 0x20);  // no raw control character inside the literal
        REQUIRE(c != 0x7F);
      }
    }
  }
}

TEST_CASE("JsonWriter nests objects and arrays with commas and line breaks", "[json_writer]") {
  JsonWriter w;
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray();
  w.Newline().BeginObject().Key("x").Null().EndObject();
  w.Newline(2).BeginObject().Key("y").Bool(true).Key("z").Bool(false).EndObject();
  w.EndArray().Key("empty").BeginArray().EndArray().Key("o").BeginObject().EndObject();
  w.Newline().Key("s").StringOrNull("").Key("t").StringOrNull("v").EndObject().Newline();
  CHECK(w.Take() ==
        "{\"a\":1,\"b\":[\n{\"x\":null},\n  {\"y\":true,\"z\":false}],\"empty\":[],\"o\":{},\n"
        "\"s\":null,\"t\":\"v\"}\n");

  JsonWriter top;
  top.BeginArray().String("k\xFF").Int(-3).EndArray();
  CHECK(top.Take() == "[\"k" + kFffd + "\",-3]");

  JsonWriter keys;  // keys are strings like any other
  keys.BeginObject().Key("\xFF\n").Int(0).EndObject();
  CHECK(keys.Take() == "{\"" + kFffd + "\\n\":0}");
}

TEST_CASE("JsonWriter refuses structures that would not be JSON", "[json_writer]") {
  {
    JsonWriter w;
    w.BeginObject();
    CHECK_THROWS_AS(w.Int(1), std::logic_error);  // a value without a key
  }
  {
    JsonWriter w;
    w.BeginArray();
    CHECK_THROWS_AS(w.Key("k"), std::logic_error);  // a key in an array
    CHECK_THROWS_AS(w.EndObject(), std::logic_error);
    CHECK_THROWS_AS(w.Take(), std::logic_error);  // not closed
  }
  {
    JsonWriter w;
    w.BeginObject().Key("k");
    CHECK_THROWS_AS(w.Key("l"), std::logic_error);    // two keys
    CHECK_THROWS_AS(w.EndObject(), std::logic_error);  // a key without its value
  }
  {
    JsonWriter w;
    w.Int(1);
    CHECK_THROWS_AS(w.Int(2), std::logic_error);  // two documents
    CHECK_THROWS_AS(w.EndArray(), std::logic_error);
  }
  JsonWriter empty;
  CHECK_THROWS_AS(empty.Take(), std::logic_error);
}

std::string One(double v) {
  JsonWriter w;
  w.Double(v);
  return w.Take();
}
std::string Text(std::string_view v) {
  JsonWriter w;
  w.Number(v);
  return w.Take();
}

TEST_CASE("JsonWriter numbers", "[json_writer]") {
  // Integers, full range.
  JsonWriter ints;
  ints.BeginArray().Int(0).Int(-1).Int(std::numeric_limits<std::int64_t>::min());
  ints.Int(std::numeric_limits<std::uint64_t>::max()).Int(std::uint8_t{200}).EndArray();
  CHECK(ints.Take() == "[0,-1,-9223372036854775808,18446744073709551615,200]");
  // Doubles: shortest round-trip, as fmt "{}" has always printed them here.
  CHECK(One(5) == "5");
  CHECK(One(20.0) == "20");
  CHECK(One(0.1) == "0.1");
  CHECK(One(100.0 / 3) == "33.333333333333336");
  CHECK(One(0.6666666666666666) == "0.6666666666666666");
  CHECK(One(-2.5) == "-2.5");
  CHECK(One(1e20) == "1e+20");
  CHECK(One(1.5e-7) == "1.5e-07");
  CHECK(One(-0.0) == "0");
  CHECK(std::stod(One(0.1 + 0.2)) == 0.1 + 0.2);
  // n/a: NaN, infinities and nullopt are null.
  CHECK(One(std::nan("")) == "null");
  CHECK(One(std::numeric_limits<double>::infinity()) == "null");
  CHECK(One(-std::numeric_limits<double>::infinity()) == "null");
  JsonWriter opt;
  opt.BeginArray().Double(std::optional<double>{}).Double(std::optional<double>{2.5}).EndArray();
  CHECK(opt.Take() == "[null,2.5]");
  // Numbers given as text (exact decimals, list cells): written when they are JSON numbers.
  CHECK(Text("1234") == "1234");
  CHECK(Text("-1234.5") == "-1234.5");
  CHECK(Text("0") == "0");
  CHECK(Text("0.0001") == "0.0001");
  CHECK(Text("1e+20") == "1e+20");
  CHECK(Text("2E-3") == "2E-3");
  CHECK(Text("") == "null");
  for (const char* bad : {"-", "01", "1.", ".5", "+1", "1e", "1e+", "inf", "nan", "12 ", "0x1",
                          "1,5", "--1", "1.2.3"}) {
    INFO(bad);
    CHECK(Text(bad) == "null");
    CHECK_FALSE(JsonWriter::IsNumber(bad));
  }
}

TEST_CASE("JsonWriter version keys", "[json_writer]") {
  JsonWriter w;
  w.BeginObject().VersionKeys().EndObject();
  CHECK(w.Take() == std::string("{\"schema_version\":1,\"crmkpi_version\":\"") + CRMKPI_VERSION +
                        "\"}");
}

}  // namespace
}  // namespace crmkpi
