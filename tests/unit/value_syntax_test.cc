#include "crmkpi/values/value_syntax.h"

#include <string>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

TEST_CASE("IsEmail accepts practical addresses", "[value_syntax]") {
  const std::string valid[] = {
      "a@b.co",
      "taro.yamada@example.com",
      "Taro.Yamada@Example.COM",
      "user+tag@gmail.com",
      "first_last-1@sub.mail.example.co.jp",
      "!#$%&'*+/=?^_`{|}~-@example.org",
      "x@example.xn--p1ai",         // punycode TLD
      "x@a-b.example",              // inner hyphen
      "123@456.com",                // digits in local part and labels
      "  spaced@example.com \t",    // trimmed first
      "　user@example.jp　",        // U+3000 trimmed too
      "山田@example.jp",            // RFC 6531 local part
      "user@例え.jp",               // IDN label
      "user@example.みんな",        // IDN TLD
      "josé@café.fr",
      std::string(64, 'a') + "@example.com",          // local part at its limit
      "a@" + std::string(63, 'b') + ".com",           // label at its limit
  };
  for (const std::string& v : valid) {
    INFO(v);
    CHECK(IsEmail(v));
  }
}

TEST_CASE("IsEmail rejects broken addresses", "[value_syntax]") {
  const std::string invalid[] = {
      "",
      "N/A",
      "tel",
      "a@b",                  // one label
      "a@@b.com",
      "a@b@c.com",
      "a@b..com",
      "a @b.com",             // space inside
      "a@-b.com",             // label starts with a hyphen
      "a@b-.com",             // label ends with a hyphen
      "a@b.c",                // one-letter TLD
      "a@1.23",               // numeric TLD
      "a@b.c1",               // TLD with one letter
      "@example.com",         // empty local part
      "user@",                // empty domain
      ".user@example.com",
      "user.@example.com",
      "us..er@example.com",
      "user@example.com.",    // trailing dot
      "user@.example.com",
      "\"john doe\"@example.com",  // quoted local part: not accepted
      "user@[192.0.2.1]",     // IP literal: not accepted
      "user@exa_mple.com",
      "user(comment)@example.com",
      "ｕｓｅｒ@example.com",    // full-width letters
      "user＠example.com",      // full-width at sign
      "user@example．com",      // full-width dot
      "user@ex ample.com",
      "user\xFF@example.com",   // invalid UTF-8
      std::string(65, 'a') + "@example.com",
      "a@" + std::string(64, 'b') + ".com",
      // Four 63-byte labels and "com": every label is fine, the domain is 259 bytes.
      "a@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(63, 'd') +
          "." + std::string(63, 'e') + ".com",
      "😀@example.com",          // a symbol, not a letter
  };
  for (const std::string& v : invalid) {
    INFO(v);
    CHECK_FALSE(IsEmail(v));
  }
}

TEST_CASE("IsPhone accepts 7 to 15 digits with separators", "[value_syntax]") {
  const std::string valid[] = {
      "03-1234-5678",
      "0312345678",
      "090-1234-5678",
      "(03) 1234-5678",
      "03(1234)5678",
      "03.1234.5678",
      "03/1234/5678",
      "+81 3-1234-5678",
      "+81 (0)3 1234 5678",
      "+1 (415) 555-0100",
      "０３－１２３４－５６７８",          // full-width digits and hyphen
      "０９０ー１２３４ー５６７８",        // ー typed for a hyphen
      "＋８１　３　１２３４　５６７８",    // full-width plus and spaces
      "（０３）１２３４－５６７８",
      "0120–123–456",                       // en dash
      "1234567",                            // 7 digits
      "123456789012345",                    // 15 digits
      "  03-1234-5678  ",                   // trimmed
  };
  for (const std::string& v : valid) {
    INFO(v);
    CHECK(IsPhone(v));
  }
}

TEST_CASE("IsPhone rejects junk, extensions and wrong lengths", "[value_syntax]") {
  const std::string invalid[] = {
      "",
      "N/A",
      "tel",
      "123",
      "123456",                        // 6 digits
      "1234567890123456",              // 16 digits
      "TEL: 03-1234-5678",
      "03-1234-5678 ext. 12",
      "03-1234-5678 x12",
      "03-1234-5678 内線12",
      "03-1234-5678#12",
      "*03-1234-5678",
      "03-1234-5678, 03-9876-5432",
      "++81 3 1234 5678",
      "03-1234+5678",                  // plus not first
      "03-1234-567８a",
      "ー",
      "---- ----",
      "03-1234-5678\xFF",              // invalid UTF-8
      "〇三-1234-5678",                // kanji numerals are not digits
  };
  for (const std::string& v : invalid) {
    INFO(v);
    CHECK_FALSE(IsPhone(v));
  }
}

}  // namespace
}  // namespace crmkpi
