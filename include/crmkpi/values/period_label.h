// Calendar periods as ordinals, and period cells as forecast files write them.
//
// A month or quarter is an integer ordinal (months: year × 12 + month − 1; quarters: year × 4 +
// quarter − 1), so periods sort in time order, step by one and subtract; labels are those of
// FormatPeriod ("2024-03", "2024-Q1").
//
// A forecast file's period cell is read, after trimming ASCII whitespace and U+3000, as one of
// these labels (full-width digits, '－', '／', '．' and 'Ｑ' accepted):
//   month    2024-03  2024-3  2024/03  2024.03  202403  2024年3月
//   quarter  2024-Q1  2024Q1  2024 Q1  2024/Q1  Q1 2024  Q1-2024  2024年第1四半期  (q also)
// or, when it is none of them, as a date (DateParser: its formats, --date-format and --tz),
// which is placed in the period that holds its local calendar date. A month label read for
// quarter periods is placed in its quarter; a quarter label cannot be read for month periods
// (kTooCoarse). Parsing allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <date/date.h>

#include "crmkpi/values/date_time.h"

namespace crmkpi {

// The ordinal of the |kind| period (kMonth or kQuarter) that holds |ymd|.
std::int32_t PeriodOrdinal(Period kind, const date::year_month_day& ymd);

// First and last calendar day of period |ordinal| of |kind| (kMonth or kQuarter).
date::year_month_day PeriodFirstDay(Period kind, std::int32_t ordinal);
date::year_month_day PeriodLastDay(Period kind, std::int32_t ordinal);

// "2024-03" / "2024-Q1".
std::string PeriodOrdinalLabel(Period kind, std::int32_t ordinal);

enum class PeriodTextStatus {
  kOk,
  kEmpty,      // nothing but whitespace
  kInvalid,    // neither a period label nor a date
  kTooCoarse,  // a quarter label where months are wanted
};

// Reads a period cell as a |kind| (kMonth or kQuarter) ordinal into *ordinal. Never throws.
PeriodTextStatus ParsePeriodText(std::string_view text, Period kind, const DateParser& dates,
                                 std::int32_t* ordinal);

}  // namespace crmkpi
