// The calendar periods are counted in (docs/kpis.md, "Groups and periods"): the month the fiscal
// year starts in (4 in most Japanese companies: 2025年度 = 2025-04 … 2026-03), whether a fiscal
// year is named by the calendar year it starts or ends in, the first day of a week, and the
// language of the labels. Periods are numbered by a code per kind (PeriodCodeOf), so that a row's
// period is found once per distinct day and each period has a first and a last day.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crmkpi/values/date_time.h"  // Period

namespace crmkpi {

struct Calendar {
  unsigned fiscal_year_start = 1;   // the month (1–12) a fiscal year starts in
  bool name_by_end = false;         // FY named by the calendar year it ends in (US style)
  bool week_starts_sunday = false;  // else Monday (ISO weeks)
  bool ja = false;                  // labels in Japanese: 2025年度 第1四半期, 上期/下期

  bool fiscal() const { return fiscal_year_start != 1; }
  bool operator==(const Calendar&) const = default;
};

// The code of the |kind| period holding |day| (days since 1970-01-01): week → the day number
// of its first day; month → year × 12 + month − 1; quarter, half, year → fiscal year (by the
// calendar year it starts in) × 4 + quarter − 1, × 2 + half − 1, or the fiscal year itself.
// Codes of one kind sort in time order and step by one (weeks by seven).
std::int64_t PeriodCodeOf(Period kind, const Calendar& cal, std::int64_t day);

// The first and last day (days since 1970-01-01) of the period |code| of |kind|.
std::int64_t PeriodFirstDayOf(Period kind, const Calendar& cal, std::int64_t code);
std::int64_t PeriodLastDayOf(Period kind, const Calendar& cal, std::int64_t code);

// The label of period |code|. A calendar year (fiscal_year_start 1) keeps the calendar labels
// "2024-W09" (ISO week of a Monday), "2024-03", "2024-Q1", "2024-H1", "2024"; a fiscal year
// (start ≠ 1) gives "FY2025 Q1", "FY2025 H1", "FY2025" — in Japanese "2025年度 第1四半期",
// "2025年度 上期"/"下期", "2025年度" (a calendar year: "2024年 第1四半期", "2024年"). Months are
// "2024-03" in both languages (they sort as text); weeks starting on Sunday are labelled by
// their first day, "2024-03-03 week" / "2024-03-03週". Labels of one kind sort in time order.
std::string PeriodLabelOf(Period kind, const Calendar& cal, std::int64_t code);

// The |kind| period a text names, as a targets table writes it (docs/kpis.md, "Targets per group
// and period"): a label crmkpi prints in either language ("2025-04", "FY2025 Q1", "2025年度 第1
// 四半期", "2025年度 上期", "FY2025", "2024-W09", "2024-03-03週"), a month "2025/4" or "2025年4月"
// (for a longer period: the one holding that month's first day), or a day "2025-04-15" (the
// period holding it). Quarters, halves and years are read in |cal|'s fiscal year and naming.
// Digits and letters are ASCII (NFKC the text first). nullopt when the text names no period
// of |kind| (a quarter for a monthly grouping, a month that does not exist).
std::optional<std::int64_t> ParsePeriodText(Period kind, const Calendar& cal,
                                            std::string_view text);
// What ParsePeriodText reads for |kind|, for messages: "a month: 2025-04, 2025/4, 2025年4月 or a
// day in it".
std::string PeriodTextForms(Period kind, const Calendar& cal);

// The month a fiscal year starts in: "4", "04", "4月", "April", "apr". Throws Error(kUsage)
// saying what is accepted.
unsigned ParseFiscalYearStart(std::string_view text);

// "week", "month", "quarter", "half", "year" → the Period; kNone for anything else.
Period ParsePeriodName(std::string_view name);
// And back: "week" … "year"; "none" for kNone.
std::string_view PeriodName(Period period);
// "YYYY-MM-DD" of a day number, and back (nullopt for anything else).
std::string DayText(std::int64_t day);
std::optional<std::int64_t> ParseDayText(std::string_view text);

}  // namespace crmkpi
