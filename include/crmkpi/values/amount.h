// Money amounts as written in CRM exports: "12000", "12,000", "¥1,200,000", "$1,234.50",
// "１２，０００円".
// Amounts are kept as exact fixed-point integers (1/10,000 of the currency unit) so that sums do
// not depend on row order or thread count.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/values/date_time.h"  // ParseStatus

namespace crmkpi {

// Fixed-point scale: an amount of 1 is stored as kAmountScale.
inline constexpr std::int64_t kAmountScale = 10000;

// Parses |text| into *out (units of 1/kAmountScale). Accepts, after trimming ASCII whitespace and
// U+3000: an optional sign (+, -, U+2212, full-width －) or accounting parentheses "(1,234)";
// an optional currency mark before or after the number ($ ¥ ￥ € £ 円 and the codes JPY USD EUR
// GBP, with or without a space); digits with optional thousands separators (',' or '，' in groups
// of three) and an optional decimal point ('.' or '．'); full-width digits ０-９. More than four
// decimals are rounded half to even. Returns kEmpty for empty text, kInvalid for anything else
// (including overflow beyond ±9.2e14 units). Never throws, never allocates.
ParseStatus ParseAmount(std::string_view text, std::int64_t* out);

// The currency an amount names with its mark, as a code: ¥ ￥ 円 JPY → "JPY", $ ＄ USD → "USD",
// € EUR → "EUR", £ GBP → "GBP"; "" for none. For text ParseAmount reads (one mark at most).
std::string_view AmountCurrencyMark(std::string_view text);

// ParseAmount for exports written with a decimal comma (German, French, Spanish, Portuguese
// Excel): "1.234,50", "4500,00", "1 234,50" (a space, U+00A0 or U+202F between digit groups).
// '.' and ',' trade places, the spaces between digits go, and ParseAmount reads the rest.
ParseStatus ParseAmountDecimalComma(std::string_view text, std::int64_t* out);

// Whether an amount column is written with a decimal comma, from its values: "4500,00" or
// "1.234,5" (a comma followed by one or two digits at the end) shows it; "1,234.50" or
// "4500.00" shows a decimal point. *example = a value that decided; false on none or both.
bool DecimalCommaOf(const std::vector<std::string>& values, std::string* example);

// ParseAmount's fast path, inline for the row loop: one to eight ASCII digits ("158957", what
// most amount columns hold), loaded as one word, checked and converted with a few word
// operations (the SWAR method of fast_float's parse_eight_digits_unrolled) instead of a loop
// per digit. False (nothing set) for any other text, including empty text; no byte outside |s|
// is read.
inline bool ParsePlainDigits(std::string_view s, std::int64_t* out) {
  if constexpr (std::endian::native != std::endian::little) return false;
  const std::size_t n = s.size();
  if (n - 1 >= 8) return false;  // 1..8 bytes
  const char* p = s.data();
  std::uint64_t w = 0;
  if (n >= 4) {  // two overlapping loads cover the n bytes
    std::uint32_t a = 0, b = 0;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = a | (std::uint64_t{b} << (8 * (n - 4)));
  } else {
    auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
    w = byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1));
  }
  // The digits into the high n bytes (the least significant digit last), '0's before them.
  const unsigned pad = static_cast<unsigned>(8 * (8 - n));
  w = (w << pad) | (0x3030303030303030ull & ((std::uint64_t{1} << pad) - 1));
  constexpr std::uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ull;
  if (((w & kHigh) | (((w + 0x0606060606060606ull) & kHigh) >> 4)) != 0x3333333333333333ull) {
    return false;  // a byte that is not '0'..'9'
  }
  w = (w & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
  w = (w & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
  w = (w & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32;
  *out = static_cast<std::int64_t>(w) * kAmountScale;
  return true;
}


}  // namespace crmkpi
