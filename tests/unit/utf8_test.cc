#include "crmkpi/base/utf8.h"

#include <string>

#include <catch2/catch.hpp>

#include "crmkpi/base/ambiguous_width.h"
#include "crmkpi/base/terminal.h"

namespace crmkpi {
namespace {

std::size_t Find(const std::string& s, std::size_t* tail) {
  return FindInvalidUtf8(s.data(), s.size(), tail);
}

TEST_CASE("FindInvalidUtf8 accepts valid text", "[utf8]") {
  std::size_t tail = 99;
  const std::string samples[] = {
      "",
      "plain ascii, longer than one 8-byte word: 0123456789abcdef\n",
      "株式会社,１２３\n",
      "mixed ascii 株式 and more ascii after it to reach the word loop again 会社",
      "\xC2\x80 \xDF\xBF",                        // 2-byte bounds U+0080, U+07FF
      "\xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80",   // U+0800, U+D7FF, U+E000
      "\xEF\xBF\xBF",                             // U+FFFF
      "\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF",        // U+10000, U+10FFFF
      "😀 emoji",
      std::string("nul\0inside", 10),
  };
  for (const std::string& s : samples) {
    INFO(s);
    CHECK(Find(s, &tail) == s.size());
    CHECK(tail == 0);
  }
}

TEST_CASE("FindInvalidUtf8 reports the first invalid sequence", "[utf8]") {
  struct Case {
    const char* what;
    std::string bytes;
    std::size_t offset;
  };
  const Case cases[] = {
      {"stray continuation", "abc\x80", 3},
      {"stray continuation after valid char", "\xC3\xA9\xA9", 2},
      {"overlong C0", "ab\xC0\xAF", 2},
      {"overlong C1", "\xC1\xBF", 0},
      {"overlong E0 80", "x\xE0\x80\x80", 1},
      {"overlong E0 9F", "x\xE0\x9F\xBF", 1},
      {"overlong F0 80", "\xF0\x80\x80\x80", 0},
      {"overlong F0 8F", "\xF0\x8F\xBF\xBF", 0},
      {"surrogate ED A0", "0123456789\xED\xA0\x80", 10},
      {"surrogate ED BF", "\xED\xBF\xBF", 0},
      {"above U+10FFFF F4 90", "\xF4\x90\x80\x80", 0},
      {"lead F5", "\xF5\x80\x80\x80", 0},
      {"lead FF", "ok\xFF", 2},
      {"lead FE", "\xFE", 0},
      {"missing continuation", "\xE6\xA0z", 0},
      {"ascii where 4th byte expected", "\xF0\x9F\x98z", 0},
      {"invalid after long ascii run", std::string(37, 'a') + "\xC0\x80", 37},
      // Invalid even though it is at the end: no continuation can make E0 80 valid.
      {"invalid prefix at end", "ab\xE0\x80", 2},
      {"F4 90 prefix at end", "\xF4\x90", 0},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    std::size_t tail = 99;
    CHECK(Find(c.bytes, &tail) == c.offset);
  }
}

TEST_CASE("FindInvalidUtf8 leaves a valid prefix at the end as an incomplete tail", "[utf8]") {
  struct Case {
    std::string bytes;
    std::size_t tail;
  };
  const Case cases[] = {
      {"abc\xC3", 1},
      {"abc\xE6", 1},
      {"abc\xE6\xA0", 2},
      {"\xF0", 1},
      {"\xF0\x9F", 2},
      {"\xF0\x9F\x98", 3},
      {"0123456789\xF4\x8F\xBF", 3},
      {"\xE0\xA0", 2},
      {"\xED\x9F", 2},
  };
  for (const Case& c : cases) {
    INFO(c.bytes.size());
    std::size_t tail = 99;
    CHECK(Find(c.bytes, &tail) == c.bytes.size());
    CHECK(tail == c.tail);
  }
}

TEST_CASE("FindInvalidUtf8 streamed in every split equals one pass", "[utf8]") {
  const std::string text = "名前,金額\n株式会社😀,１２３\nabc\xC3\xA9\n";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    INFO(split);
    std::size_t tail = 0;
    REQUIRE(FindInvalidUtf8(text.data(), split, &tail) == split);
    const std::size_t resume = split - tail;
    REQUIRE(FindInvalidUtf8(text.data() + resume, text.size() - resume, &tail) ==
            text.size() - resume);
    CHECK(tail == 0);
  }
}

TEST_CASE("DisplayWidth", "[utf8]") {
  CHECK(DisplayWidth("") == 0);
  CHECK(DisplayWidth("abc") == 3);
  CHECK(DisplayWidth("株式会社") == 8);
  CHECK(DisplayWidth("ｱｲｳ") == 3);  // half-width katakana
  CHECK(DisplayWidth("Ａ") == 2);     // full-width Latin
  CHECK(DisplayWidth("e\xCC\x81") == 1);  // e + U+0301 combining acute
  CHECK(DisplayWidth("か\xE3\x82\x99") == 2);  // か + U+3099 combining voiced mark
  CHECK(DisplayWidth("한국") == 4);
  CHECK(DisplayWidth("😀") == 2);
  CHECK(DisplayWidth("a\xE2\x80\x8B" "b") == 2);  // zero-width space
  CHECK(DisplayWidth("\xF0\xA0\x80\x8B") == 2);    // U+2000B, CJK extension B
  CHECK(DisplayWidth("葛\xF3\xA0\x84\x80") == 2);  // ideographic variation selector
  CHECK(DisplayWidth("a\xFF" "b") == 3);           // invalid byte counts 1
  CHECK(DisplayWidth("\xE6\xA0") == 2);            // truncated: one per byte
}

TEST_CASE("DisplayWidth: utf8proc's widths, emoji, ANSI escapes, ambiguous", "[utf8]") {
  SetTerminal({});
  CHECK(DisplayWidth("👍🏽") == 4);                 // emoji + skin tone modifier (both wide)
  CHECK(DisplayWidth("✅") == 2);                   // emoji presentation
  CHECK(DisplayWidth("\x1b[1;31mFAIL\x1b[0m") == 4);  // colour takes no column
  CHECK(DisplayWidth("\x1b[32mon track\x1b[0m") == 8);
  CHECK(DisplayWidth("\xF4\x8F\xBF\xBF") == 1);       // U+10FFFF unassigned: one box
  // Ambiguous (─ │ ○ ① α): 1 by default, 2 when the terminal draws them wide.
  const std::string amb = "─│○①α";
  CHECK(DisplayWidth(amb) == 5);
  CHECK(DisplayWidth("├─ 受注") == 7);
  TerminalSettings wide;
  wide.ambiguous_wide = true;
  SetTerminal(wide);
  CHECK(DisplayWidth(amb) == 10);
  CHECK(DisplayWidth("├─ 受注") == 9);
  CHECK(DisplayWidth("abc株") == 5);  // neither wide nor narrow changes
  SetTerminal({});
  CHECK(IsAmbiguousWidth(U'①'));
  CHECK(IsAmbiguousWidth(U'─'));
  CHECK(!IsAmbiguousWidth(U'a'));
  CHECK(!IsAmbiguousWidth(U'株'));
}

}  // namespace
}  // namespace crmkpi
