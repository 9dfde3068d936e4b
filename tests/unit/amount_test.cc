#include "crmkpi/values/amount.h"

#include <cstdint>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

constexpr std::int64_t kMax = INT64_MAX;

// Parses |text| and returns the amount in 1/10,000 units, failing unless the status is kOk.
std::int64_t Ok(std::string_view text) {
  std::int64_t v = -42;
  INFO("text: \"" << std::string(text) << "\"");
  REQUIRE(ParseAmount(text, &v) == ParseStatus::kOk);
  return v;
}

ParseStatus StatusOf(std::string_view text) {
  std::int64_t v = 0;
  return ParseAmount(text, &v);
}

}  // namespace

TEST_CASE("ParseAmount plain ASCII", "[amount]") {
  CHECK(Ok("0") == 0);
  CHECK(Ok("-0") == 0);
  CHECK(Ok("12345") == 123450000);
  CHECK(Ok("12345.67") == 123456700);
  CHECK(Ok("-12") == -120000);
  CHECK(Ok("+5") == 50000);
  CHECK(Ok("00012") == 120000);
  CHECK(Ok(".5") == 5000);
  CHECK(Ok("-.5") == -5000);
  CHECK(Ok("5.") == 50000);
  CHECK(Ok("0.0001") == 1);
  CHECK(Ok("12345678901234") == 123456789012340000);    // longest fast-path integer
  CHECK(Ok("123456789012345") == 1234567890123450000);  // general path
  CHECK(Ok("  42 \t") == 420000);
  CHECK(Ok("　42　") == 420000);
}

TEST_CASE("ParseAmount of up to nine bytes: digits exactly, any other byte refused", "[amount]") {
  // Every string of 1..7 bytes over digits and the bytes around them ('/' and ':' are one below
  // and above the digits, 0xFA and 0xFF carry when 6 is added: the word check's edge cases),
  // and 8- and 9-byte ones with one such byte at each place: all digits → the integer, any other
  // byte → invalid (none of them can start, end or sit in an amount).
  const std::string alphabet = {'0', '7', '9', '/', ':', '\xFA', '\xFF'};
  auto check = [](const std::string& text) {
    const bool digits = text.find_first_not_of("0123456789") == std::string::npos;
    std::int64_t v = -42;
    INFO("text: \"" << text << "\"");
    if (digits) {
      REQUIRE(ParseAmount(text, &v) == ParseStatus::kOk);
      REQUIRE(v == static_cast<std::int64_t>(std::stoull(text)) * 10000);
    } else {
      REQUIRE(ParseAmount(text, &v) == ParseStatus::kInvalid);
      REQUIRE(v == -42);
    }
  };
  std::size_t tested = 0;
  for (std::size_t n = 1; n <= 7; ++n) {
    std::size_t total = 1;
    for (std::size_t i = 0; i < n; ++i) total *= alphabet.size();
    for (std::size_t k = 0; k < total; k += (n >= 6 ? 7 : 1)) {  // every 7th past 5 bytes
      std::string text;
      for (std::size_t i = 0, x = k; i < n; ++i, x /= alphabet.size()) {
        text += alphabet[x % alphabet.size()];
      }
      check(text);
      ++tested;
    }
  }
  for (const std::string base : {"12345678", "99999999", "00000001", "123456789"}) {
    check(base);
    for (std::size_t i = 0; i < base.size(); ++i) {
      for (const char c : alphabet) {
        std::string text = base;
        text[i] = c;
        check(text);
        ++tested;
      }
    }
  }
  CHECK(tested > 100000);
}

TEST_CASE("ParseAmount thousands separators", "[amount]") {
  CHECK(Ok("1,234,567") == 12345670000);
  CHECK(Ok("1,234") == 12340000);
  CHECK(Ok("123,456.78") == 1234567800);
  CHECK(Ok("-1,000") == -10000000);
  CHECK(Ok("1,234.") == 12340000);
  const char* const kBad[] = {"1,2,3", "12,34", "1234,567", "1,234,56", "1,2345", ",123",
                              "1,,234", "1,234,", "1,234.5,6", "1.234,56"};
  for (const char* text : kBad) {
    INFO("text: \"" << text << "\"");
    CHECK(StatusOf(text) == ParseStatus::kInvalid);
  }
}

TEST_CASE("ParseAmount currency marks", "[amount]") {
  CHECK(Ok("¥1,200,000") == 12000000000);
  CHECK(Ok("￥1,200,000") == 12000000000);
  CHECK(Ok("1,200,000円") == 12000000000);
  CHECK(Ok("1,200,000 円") == 12000000000);
  CHECK(Ok("$ 1,234.50") == 12345000);
  CHECK(Ok("$1,234.50") == 12345000);
  CHECK(Ok("USD 100") == 1000000);
  CHECK(Ok("USD100") == 1000000);
  CHECK(Ok("100 JPY") == 1000000);
  CHECK(Ok("100JPY") == 1000000);
  CHECK(Ok("EUR 9.99") == 99900);
  CHECK(Ok("£5") == 50000);
  CHECK(Ok("€5") == 50000);
  CHECK(Ok("GBP 5") == 50000);
  CHECK(Ok("-$5") == -50000);
  CHECK(Ok("$-5") == -50000);
  const char* const kBad[] = {"$",       "¥",         "JPY",      "$¥100",  "$100円",
                              "USD 100 JPY", "¥ 100 円", "US 100", "100 USDX", "100 usd",
                              "$ $100", "100$$"};
  for (const char* text : kBad) {
    INFO("text: \"" << text << "\"");
    CHECK(StatusOf(text) == ParseStatus::kInvalid);
  }
}

TEST_CASE("ParseAmount signs and accounting parentheses", "[amount]") {
  CHECK(Ok("(1,234)") == -12340000);
  CHECK(Ok("( 1,234 )") == -12340000);
  CHECK(Ok("(¥1,234)") == -12340000);
  CHECK(Ok("(1,234円)") == -12340000);
  CHECK(Ok("（１，２３４）") == -12340000);
  CHECK(Ok("−500") == -5000000);  // U+2212 MINUS SIGN
  CHECK(Ok("－500") == -5000000);  // full-width hyphen-minus
  CHECK(Ok("＋５") == 50000);
  const char* const kBad[] = {"(-5)", "-(5)", "(5",  "5)", "()", "(", ")", "--5",
                              "+-5",  "- 5",  "5-",  "(+5)"};
  for (const char* text : kBad) {
    INFO("text: \"" << text << "\"");
    CHECK(StatusOf(text) == ParseStatus::kInvalid);
  }
}

TEST_CASE("ParseAmount full-width forms", "[amount]") {
  CHECK(Ok("１２，０００") == 120000000);
  CHECK(Ok("１２，０００円") == 120000000);
  CHECK(Ok("１２３．４５") == 1234500);
  CHECK(Ok("＄１００") == 1000000);
  CHECK(Ok("１,２３４") == 12340000);  // mixed widths are still digits and separators
}

TEST_CASE("ParseAmount rounds beyond four decimals half to even", "[amount]") {
  CHECK(Ok("0.00005") == 0);  // tie, 0 is even
  CHECK(Ok("0.00015") == 2);  // tie, 1 is odd
  CHECK(Ok("0.00025") == 2);  // tie, 2 is even
  CHECK(Ok("1.23456") == 12346);
  CHECK(Ok("1.23454") == 12345);
  CHECK(Ok("0.000050000000000000000001") == 1);  // above the tie
  CHECK(Ok("0.00004999999999") == 0);
  CHECK(Ok("-0.00015") == -2);  // symmetric
  CHECK(Ok("-1.23455") == -12346);
  CHECK(Ok("9.99995") == 100000);  // carries into the integer part
}

TEST_CASE("ParseAmount overflow is invalid", "[amount]") {
  CHECK(Ok("922337203685477.5807") == kMax);
  CHECK(Ok("-922337203685477.5807") == -kMax);
  CHECK(Ok("922,337,203,685,477") == 9223372036854770000);
  CHECK(StatusOf("922337203685477.5808") == ParseStatus::kInvalid);
  CHECK(StatusOf("-922337203685477.5808") == ParseStatus::kInvalid);
  CHECK(StatusOf("922337203685477.58075") == ParseStatus::kInvalid);  // rounds up past max
  CHECK(StatusOf("922337203685478") == ParseStatus::kInvalid);
  CHECK(StatusOf("99999999999999999999") == ParseStatus::kInvalid);
  CHECK(StatusOf("99999999999999999999999999999999999999999") == ParseStatus::kInvalid);
  CHECK(StatusOf("1" + std::string(400, '0')) == ParseStatus::kInvalid);
  CHECK(Ok("0000000000000000000000000000001") == 10000);  // leading zeros are not magnitude
}

TEST_CASE("ParseAmount rejects non-numbers", "[amount]") {
  CHECK(StatusOf("") == ParseStatus::kEmpty);
  CHECK(StatusOf("   ") == ParseStatus::kEmpty);
  CHECK(StatusOf("　") == ParseStatus::kEmpty);
  const char* const kBad[] = {"abc", "N/A", "-",   "+",    ".",     "1.2.3", "1e5",  "1E5",
                              "1 000", "1 234.5", "12 34", "0x10", "1..2", "５ ０", "１２a",
                              "12円円", "\xEF\xBC", "\xE2\x88"};
  for (const char* text : kBad) {
    INFO("text: \"" << text << "\"");
    CHECK(StatusOf(text) == ParseStatus::kInvalid);
  }
}

TEST_CASE("ParseAmount leaves *out alone on failure", "[amount]") {
  std::int64_t v = 7;
  CHECK(ParseAmount("1,2,3", &v) == ParseStatus::kInvalid);
  CHECK(ParseAmount("", &v) == ParseStatus::kEmpty);
  CHECK(v == 7);
}

}  // namespace crmkpi

namespace crmkpi {
namespace {

TEST_CASE("amounts with a decimal comma, and deciding it from a column's values", "[amount]") {
  auto comma = [](const char* text) {
    std::int64_t v = 0;
    INFO(text);
    REQUIRE(ParseAmountDecimalComma(text, &v) == ParseStatus::kOk);
    return static_cast<double>(v) / kAmountScale;
  };
  CHECK(comma("1.234,50") == 1234.5);
  CHECK(comma("4500,00") == 4500);
  CHECK(comma("10.000") == 10000);
  CHECK(comma("1 234,5") == 1234.5);
  CHECK(comma("1\xC2\xA0" "234,5 €") == 1234.5);  // U+00A0 between groups, a euro sign
  CHECK(comma("-12,5") == -12.5);
  CHECK(comma("158957") == 158957);
  std::int64_t v = 0;
  CHECK(ParseAmountDecimalComma("", &v) == ParseStatus::kEmpty);
  CHECK(ParseAmountDecimalComma("1,2,3", &v) == ParseStatus::kInvalid);
  CHECK(ParseAmountDecimalComma("1.234.5,0,0", &v) == ParseStatus::kInvalid);

  std::string example;
  CHECK(DecimalCommaOf({"10.000,00", "", "500"}, &example));
  CHECK(example == "10.000,00");
  CHECK_FALSE(DecimalCommaOf({"1,234.50", "4500"}, &example));  // a decimal point
  CHECK_FALSE(DecimalCommaOf({"1,234", "12.000"}, &example));     // thousands only: no evidence
  CHECK_FALSE(DecimalCommaOf({"4500,00", "12.50"}, &example));    // both: keep the point
}

}  // namespace
}  // namespace crmkpi
