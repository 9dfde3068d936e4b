// Money amounts as written in CRM exports: "12000", "12,000", "¥1,200,000", "$1,234.50",
// "１２，０００円".
// Amounts are kept as exact fixed-point integers (1/10,000 of the currency unit) so that sums do
// not depend on row order or thread count.
#pragma once

#include <cstdint>
#include <string_view>

#include "crmkpi/date_time.h"  // ParseStatus

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

}  // namespace crmkpi
