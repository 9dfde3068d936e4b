// Period cells of forecast files (period_label.h): every accepted label form, dates, month →
// quarter, and what is refused.
#include "crmkpi/values/period_label.h"

#include <string>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

// The label of |text| read as a |kind| period, or "" when it is not OK.
std::string Read(std::string_view text, Period kind = Period::kMonth, const Calendar& cal = {}) {
  const DateParser dates;
  std::int32_t ordinal = 0;
  if (ParsePeriodText(text, kind, cal, dates, &ordinal) != PeriodTextStatus::kOk) return "";
  return PeriodOrdinalLabel(kind, cal, ordinal);
}

PeriodTextStatus Status(std::string_view text, Period kind = Period::kMonth) {
  const DateParser dates;
  std::int32_t ordinal = 0;
  return ParsePeriodText(text, kind, Calendar{}, dates, &ordinal);
}

}  // namespace

TEST_CASE("Period labels: month forms", "[forecast]") {
  CHECK(Read("2024-03") == "2024-03");
  CHECK(Read("2024-3") == "2024-03");
  CHECK(Read("2024/03") == "2024-03");
  CHECK(Read("2024/3") == "2024-03");
  CHECK(Read("2024.03") == "2024-03");
  CHECK(Read("202403") == "2024-03");
  CHECK(Read("2024年3月") == "2024-03");
  CHECK(Read("2024年12月") == "2024-12");
  CHECK(Read("２０２４年３月") == "2024-03");  // full-width digits
  CHECK(Read("２０２４－０３") == "2024-03");
  CHECK(Read("  2024-03\xE3\x80\x80") == "2024-03");  // ASCII space and U+3000 trimmed
}

TEST_CASE("Period labels: quarter forms", "[forecast]") {
  for (const char* text : {"2024-Q1", "2024Q1", "2024 Q1", "2024/Q1", "2024.q1", "Q1 2024",
                           "Q1-2024", "q1/2024", "2024年第1四半期", "２０２４－Ｑ１"}) {
    CAPTURE(text);
    CHECK(Read(text, Period::kQuarter) == "2024-Q1");
  }
  CHECK(Read("2024-Q4", Period::kQuarter) == "2024-Q4");
}

TEST_CASE("Period labels: months and dates placed in their quarter", "[forecast]") {
  CHECK(Read("2024-03", Period::kQuarter) == "2024-Q1");
  CHECK(Read("2024-04", Period::kQuarter) == "2024-Q2");
  CHECK(Read("2024年12月", Period::kQuarter) == "2024-Q4");
  CHECK(Read("2024-05-31", Period::kQuarter) == "2024-Q2");
  CHECK(Read("2024-05-31") == "2024-05");
  CHECK(Read("2024/5/31") == "2024-05");
  CHECK(Read("2024年5月31日") == "2024-05");
}

TEST_CASE("Period labels: a date is placed by its local date in --tz", "[forecast]") {
  // 2024-03-31T20:00Z is 2024-04-01 05:00 in Tokyo.
  const DateParser tokyo({}, "Asia/Tokyo");
  std::int32_t ordinal = 0;
  REQUIRE(ParsePeriodText("2024-03-31T20:00:00Z", Period::kMonth, Calendar{}, tokyo, &ordinal) ==
          PeriodTextStatus::kOk);
  CHECK(PeriodOrdinalLabel(Period::kMonth, Calendar{}, ordinal) == "2024-04");
}

TEST_CASE("Period labels: refused", "[forecast]") {
  CHECK(Status("") == PeriodTextStatus::kEmpty);
  CHECK(Status("   ") == PeriodTextStatus::kEmpty);
  CHECK(Status("2024-13") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024-00") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024-Q5", Period::kQuarter) == PeriodTextStatus::kInvalid);
  CHECK(Status("March 2024") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024") == PeriodTextStatus::kTooCoarse);  // a year, months wanted
  CHECK(Status("2024-W09", Period::kQuarter) == PeriodTextStatus::kInvalid);  // weeks straddle
  CHECK(Status("2024-02-30") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024-Q1") == PeriodTextStatus::kTooCoarse);  // a quarter, months wanted
}

TEST_CASE("Period ordinals: order, first and last days", "[forecast]") {
  using date::year_month_day;
  const Calendar cal;
  const std::int32_t feb = PeriodOrdinal(Period::kMonth, cal, date::year{2024} / 2 / 10);
  CHECK(PeriodOrdinal(Period::kMonth, cal, date::year{2024} / 3 / 1) == feb + 1);
  CHECK(PeriodOrdinal(Period::kMonth, cal, date::year{2023} / 12 / 31) == feb - 2);
  CHECK(PeriodLastDay(Period::kMonth, cal, feb) == year_month_day{date::year{2024} / 2 / 29});
  CHECK(PeriodFirstDay(Period::kMonth, cal, feb) == year_month_day{date::year{2024} / 2 / 1});
  const std::int32_t q2 = PeriodOrdinal(Period::kQuarter, cal, date::year{2024} / 5 / 10);
  CHECK(PeriodFirstDay(Period::kQuarter, cal, q2) == year_month_day{date::year{2024} / 4 / 1});
  CHECK(PeriodLastDay(Period::kQuarter, cal, q2) == year_month_day{date::year{2024} / 6 / 30});
  CHECK(PeriodOrdinalLabel(Period::kQuarter, cal, q2 + 3) == "2025-Q1");
}

TEST_CASE("Period labels of a fiscal year, weeks, halves and years", "[forecast]") {
  Calendar april;
  april.fiscal_year_start = 4;
  for (const char* text : {"FY2025 Q1", "FY2025Q1", "fy2025-q1", "2025年度 第1四半期",
                           "2025年度第1四半期", "2025-Q1", "2025-05", "2025-06-30"}) {
    CAPTURE(text);
    CHECK(Read(text, Period::kQuarter, april) == "FY2025 Q1");
  }
  CHECK(Read("2026-03", Period::kQuarter, april) == "FY2025 Q4");
  CHECK(Read("2025年度 上期", Period::kHalf, april) == "FY2025 H1");
  CHECK(Read("2025年度 下期", Period::kHalf, april) == "FY2025 H2");
  CHECK(Read("FY2025 H2", Period::kHalf, april) == "FY2025 H2");
  CHECK(Read("2026-01", Period::kHalf, april) == "FY2025 H2");
  CHECK(Read("2025年度", Period::kYear, april) == "FY2025");
  CHECK(Read("FY2025", Period::kYear, april) == "FY2025");
  CHECK(Read("2026-02-01", Period::kYear, april) == "FY2025");
  Calendar us;  // FY2026 = 2025-10 … 2026-09
  us.fiscal_year_start = 10;
  us.name_by_end = true;
  CHECK(Read("FY2026 Q1", Period::kQuarter, us) == "FY2026 Q1");
  CHECK(Read("2025-11", Period::kQuarter, us) == "FY2026 Q1");
  // Calendar-year halves and years, and ISO weeks.
  CHECK(Read("2024-H2", Period::kHalf) == "2024-H2");
  CHECK(Read("2024-08", Period::kHalf) == "2024-H2");
  CHECK(Read("2024", Period::kYear) == "2024");
  CHECK(Read("2024年", Period::kYear) == "2024");
  CHECK(Read("2024-W09", Period::kWeek) == "2024-W09");
  CHECK(Read("2020-W53", Period::kWeek) == "2020-W53");
  CHECK(Read("2024-02-29", Period::kWeek) == "2024-W09");
  CHECK(Status("FY2025 Q1", Period::kMonth) == PeriodTextStatus::kTooCoarse);
  CHECK(Status("2025年度 上期", Period::kQuarter) == PeriodTextStatus::kTooCoarse);
}

}  // namespace crmkpi
