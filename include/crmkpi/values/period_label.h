// Periods as ordinals in a fiscal calendar (fiscal_calendar.h), and period cells as forecast
// files write them.
//
// An ordinal is PeriodCodeOf's code (weeks: their first day's number; months: year × 12 +
// month − 1; quarters, halves, years of the fiscal year), so periods sort in time order and
// subtract; labels are PeriodLabelOf's ("2024-03", "2024-Q1", "FY2025 Q1", "2025年度 上期").
//
// A forecast file's period cell is read, after trimming ASCII whitespace and U+3000, as one of
// these labels (full-width digits, '－', '／', '．' and 'Ｑ' accepted):
//   week     2024-W09 (ISO)
//   month    2024-03  2024-3  2024/03  2024.03  202403  2024年3月
//   quarter  2024-Q1  2024Q1  2024 Q1  2024/Q1  Q1 2024  Q1-2024  2024年第1四半期  FY2025 Q1
//            2025年度 第1四半期  (q also)
//   half     2024-H1  FY2025 H2  2025年度 上期  2025年度 下期
//   year     2024  FY2025  2025年  2025年度
// — a quarter, half or year of the calendar's fiscal year, named as the calendar names it — or,
// when it is none of them, as a date (DateParser: its formats, --date-format and --tz), which is
// placed in the period that holds its local calendar date. A finer label is placed in the
// period that holds it (a month in its quarter); a coarser one cannot be read (kTooCoarse), nor
// a week for longer periods (weeks straddle months). Parsing allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <date/date.h>

#include "crmkpi/values/date_time.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {

// The ordinal of the |kind| period that holds |ymd|.
std::int32_t PeriodOrdinal(Period kind, const Calendar& cal, const date::year_month_day& ymd);

// First and last calendar day of period |ordinal| of |kind|.
date::year_month_day PeriodFirstDay(Period kind, const Calendar& cal, std::int32_t ordinal);
date::year_month_day PeriodLastDay(Period kind, const Calendar& cal, std::int32_t ordinal);

// "2024-03", "2024-Q1", "FY2025 Q1", …
std::string PeriodOrdinalLabel(Period kind, const Calendar& cal, std::int32_t ordinal);

enum class PeriodTextStatus {
  kOk,
  kEmpty,      // nothing but whitespace
  kInvalid,    // neither a period label nor a date
  kTooCoarse,  // a coarser label than the period (a quarter label where months are wanted)
};

// Reads a period cell as a |kind| ordinal into *ordinal. Never throws. On kTooCoarse,
// *label_kind (when given) is the label's period (a year label where halves are wanted).
PeriodTextStatus ParsePeriodText(std::string_view text, Period kind, const Calendar& cal,
                                 const DateParser& dates, std::int32_t* ordinal,
                                 Period* label_kind = nullptr);

}  // namespace crmkpi
