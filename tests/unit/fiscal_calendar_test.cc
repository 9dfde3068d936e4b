// Fiscal calendars (fiscal_calendar.h): codes, first and last days and labels of weeks, months,
// quarters, halves and years for an April fiscal year (Japan), an October one named by its end
// (US federal), and the calendar year, whose labels stay those of earlier versions.
#include "crmkpi/values/fiscal_calendar.h"

#include <string>

#include <catch2/catch.hpp>
#include <date/date.h>

#include "crmkpi/base/error.h"

using namespace crmkpi;

namespace {

std::int64_t Day(int y, unsigned m, unsigned d) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}}.time_since_epoch().count();
}

// "label first..last" of the |kind| period holding y-m-d.
std::string Of(Period kind, const Calendar& cal, int y, unsigned m, unsigned d) {
  const std::int64_t code = PeriodCodeOf(kind, cal, Day(y, m, d));
  return PeriodLabelOf(kind, cal, code) + " " + DayText(PeriodFirstDayOf(kind, cal, code)) +
         ".." + DayText(PeriodLastDayOf(kind, cal, code));
}

}  // namespace

TEST_CASE("an April fiscal year: 2025年度 = 2025-04 … 2026-03", "[calendar]") {
  Calendar cal;
  cal.fiscal_year_start = 4;
  CHECK(Of(Period::kYear, cal, 2025, 4, 1) == "FY2025 2025-04-01..2026-03-31");
  CHECK(Of(Period::kYear, cal, 2026, 3, 31) == "FY2025 2025-04-01..2026-03-31");
  CHECK(Of(Period::kYear, cal, 2025, 3, 31) == "FY2024 2024-04-01..2025-03-31");
  CHECK(Of(Period::kQuarter, cal, 2025, 4, 1) == "FY2025 Q1 2025-04-01..2025-06-30");
  CHECK(Of(Period::kQuarter, cal, 2025, 12, 31) == "FY2025 Q3 2025-10-01..2025-12-31");
  CHECK(Of(Period::kQuarter, cal, 2026, 2, 28) == "FY2025 Q4 2026-01-01..2026-03-31");
  CHECK(Of(Period::kHalf, cal, 2025, 9, 30) == "FY2025 H1 2025-04-01..2025-09-30");
  CHECK(Of(Period::kHalf, cal, 2025, 10, 1) == "FY2025 H2 2025-10-01..2026-03-31");
  CHECK(Of(Period::kMonth, cal, 2024, 2, 10) == "2024-02 2024-02-01..2024-02-29");
  cal.ja = true;
  CHECK(Of(Period::kYear, cal, 2026, 1, 5) == "2025年度 2025-04-01..2026-03-31");
  CHECK(Of(Period::kQuarter, cal, 2025, 7, 1) == "2025年度 第2四半期 2025-07-01..2025-09-30");
  CHECK(Of(Period::kHalf, cal, 2025, 4, 1) == "2025年度 上期 2025-04-01..2025-09-30");
  CHECK(Of(Period::kHalf, cal, 2026, 3, 1) == "2025年度 下期 2025-10-01..2026-03-31");
  // Labels of one kind sort in time order: 上 (U+4E0A) before 下 (U+4E0B).
  CHECK(std::string("2025年度 上期") < std::string("2025年度 下期"));
}

TEST_CASE("a fiscal year named by its end: FY2026 = 2025-10 … 2026-09", "[calendar]") {
  Calendar cal;
  cal.fiscal_year_start = 10;
  cal.name_by_end = true;
  CHECK(Of(Period::kYear, cal, 2025, 10, 1) == "FY2026 2025-10-01..2026-09-30");
  CHECK(Of(Period::kYear, cal, 2025, 9, 30) == "FY2025 2024-10-01..2025-09-30");
  CHECK(Of(Period::kQuarter, cal, 2025, 12, 15) == "FY2026 Q1 2025-10-01..2025-12-31");
  CHECK(Of(Period::kQuarter, cal, 2026, 9, 30) == "FY2026 Q4 2026-07-01..2026-09-30");
}

TEST_CASE("the calendar year keeps the labels of earlier versions", "[calendar]") {
  const Calendar cal;
  CHECK(Of(Period::kYear, cal, 2024, 12, 31) == "2024 2024-01-01..2024-12-31");
  CHECK(Of(Period::kQuarter, cal, 2024, 3, 5) == "2024-Q1 2024-01-01..2024-03-31");
  CHECK(Of(Period::kHalf, cal, 2024, 7, 1) == "2024-H2 2024-07-01..2024-12-31");
  // ISO weeks: 2024-12-30 (a Monday) is in 2025-W01; 2021-01-03 (a Sunday) in 2020-W53.
  CHECK(Of(Period::kWeek, cal, 2024, 12, 31) == "2025-W01 2024-12-30..2025-01-05");
  CHECK(Of(Period::kWeek, cal, 2021, 1, 3) == "2020-W53 2020-12-28..2021-01-03");
  Calendar sunday;
  sunday.week_starts_sunday = true;
  CHECK(Of(Period::kWeek, sunday, 2024, 2, 10) == "2024-02-04 week 2024-02-04..2024-02-10");
  CHECK(Of(Period::kWeek, sunday, 2024, 2, 11) == "2024-02-11 week 2024-02-11..2024-02-17");
  sunday.ja = true;
  CHECK(Of(Period::kWeek, sunday, 2024, 2, 11) == "2024-02-11週 2024-02-11..2024-02-17");
  Calendar ja;
  ja.ja = true;
  CHECK(Of(Period::kQuarter, ja, 2024, 3, 5) == "2024年 第1四半期 2024-01-01..2024-03-31");
  // Before 1970 too (day numbers are negative).
  CHECK(Of(Period::kQuarter, cal, 1969, 12, 31) == "1969-Q4 1969-10-01..1969-12-31");
}

TEST_CASE("the fiscal year's first month as people write it", "[calendar]") {
  CHECK(ParseFiscalYearStart("4") == 4);
  CHECK(ParseFiscalYearStart("04") == 4);
  CHECK(ParseFiscalYearStart("4月") == 4);
  CHECK(ParseFiscalYearStart("April") == 4);
  CHECK(ParseFiscalYearStart("oct") == 10);
  CHECK(ParseFiscalYearStart("12") == 12);
  for (const char* bad : {"0", "13", "", "4.5", "Apl"}) {
    INFO(bad);
    CHECK_THROWS_AS(ParseFiscalYearStart(bad), Error);
  }
  CHECK(ParsePeriodName("half") == Period::kHalf);
  CHECK(ParsePeriodName("fortnight") == Period::kNone);
}

TEST_CASE("a period as a targets table writes it reads back to its code", "[calendar]") {
  Calendar april;
  april.fiscal_year_start = 4;
  Calendar april_ja = april;
  april_ja.ja = true;
  // Every label crmkpi prints reads back, in either language, for every kind and many codes.
  for (const Period kind :
       {Period::kWeek, Period::kMonth, Period::kQuarter, Period::kHalf, Period::kYear}) {
    for (const Calendar& cal : {Calendar{}, april, april_ja}) {
      const std::int64_t first = PeriodCodeOf(kind, cal, Day(2023, 12, 25));
      const std::int64_t step = kind == Period::kWeek ? 7 : 1;
      for (std::int64_t code = first; code < first + 60 * step; code += step) {
        CAPTURE(static_cast<int>(kind), cal.fiscal_year_start, cal.ja, code);
        CHECK(ParsePeriodText(kind, cal, PeriodLabelOf(kind, cal, code)) == code);
        // And the period's first and last day name it too.
        CHECK(ParsePeriodText(kind, cal, DayText(PeriodFirstDayOf(kind, cal, code))) == code);
        CHECK(ParsePeriodText(kind, cal, DayText(PeriodLastDayOf(kind, cal, code))) == code);
      }
    }
  }
  CHECK(ParsePeriodText(Period::kMonth, april, "2025/4") == 2025 * 12 + 3);
  CHECK(ParsePeriodText(Period::kMonth, april, "2025年4月") == 2025 * 12 + 3);
  CHECK(ParsePeriodText(Period::kMonth, april, "2025.04") == 2025 * 12 + 3);
  // Fiscal names: FY2025 Q1 = 2025-04 … 06 (named by the start), or by the end.
  CHECK(ParsePeriodText(Period::kQuarter, april, "FY2025 Q1") ==
        PeriodCodeOf(Period::kQuarter, april, Day(2025, 4, 1)));
  CHECK(ParsePeriodText(Period::kHalf, april, "2025年度 下期") ==
        PeriodCodeOf(Period::kHalf, april, Day(2025, 10, 1)));
  Calendar by_end = april;
  by_end.name_by_end = true;
  CHECK(ParsePeriodText(Period::kYear, by_end, "FY2026") ==
        PeriodCodeOf(Period::kYear, by_end, Day(2025, 4, 1)));
  // A month for a quarter: the quarter holding its first day.
  CHECK(ParsePeriodText(Period::kQuarter, april, "2025-05") ==
        PeriodCodeOf(Period::kQuarter, april, Day(2025, 5, 1)));
  // ISO weeks: 2024-W01 starts on Monday 2024-01-01; 2020 has a week 53, 2021 none.
  CHECK(ParsePeriodText(Period::kWeek, Calendar{}, "2024-W01") == Day(2024, 1, 1));
  CHECK(ParsePeriodText(Period::kWeek, Calendar{}, "2020-W53") == Day(2020, 12, 28));
  CHECK_FALSE(ParsePeriodText(Period::kWeek, Calendar{}, "2021-W53"));
  // What names no period of the kind.
  CHECK_FALSE(ParsePeriodText(Period::kMonth, april, "2025-13"));
  CHECK_FALSE(ParsePeriodText(Period::kMonth, april, "FY2025 Q1"));
  CHECK_FALSE(ParsePeriodText(Period::kQuarter, april, "FY2025 Q5"));
  CHECK_FALSE(ParsePeriodText(Period::kYear, april, "FY2025 H1"));
  CHECK_FALSE(ParsePeriodText(Period::kMonth, april, "2025-02-30"));
  CHECK_FALSE(ParsePeriodText(Period::kMonth, april, "April"));
  CHECK_FALSE(ParsePeriodText(Period::kMonth, april, ""));
  CHECK_FALSE(ParsePeriodText(Period::kNone, april, "2025-04"));
}
