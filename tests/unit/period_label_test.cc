// Period cells of forecast files (period_label.h): every accepted label form, dates, month →
// quarter, and what is refused.
#include "crmkpi/values/period_label.h"

#include <string>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

// The label of |text| read as a |kind| period, or "" when it is not OK.
std::string Read(std::string_view text, Period kind = Period::kMonth) {
  const DateParser dates;
  std::int32_t ordinal = 0;
  if (ParsePeriodText(text, kind, dates, &ordinal) != PeriodTextStatus::kOk) return "";
  return PeriodOrdinalLabel(kind, ordinal);
}

PeriodTextStatus Status(std::string_view text, Period kind = Period::kMonth) {
  const DateParser dates;
  std::int32_t ordinal = 0;
  return ParsePeriodText(text, kind, dates, &ordinal);
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
  REQUIRE(ParsePeriodText("2024-03-31T20:00:00Z", Period::kMonth, tokyo, &ordinal) ==
          PeriodTextStatus::kOk);
  CHECK(PeriodOrdinalLabel(Period::kMonth, ordinal) == "2024-04");
}

TEST_CASE("Period labels: refused", "[forecast]") {
  CHECK(Status("") == PeriodTextStatus::kEmpty);
  CHECK(Status("   ") == PeriodTextStatus::kEmpty);
  CHECK(Status("2024-13") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024-00") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024-Q5", Period::kQuarter) == PeriodTextStatus::kInvalid);
  CHECK(Status("March 2024") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024-02-30") == PeriodTextStatus::kInvalid);
  CHECK(Status("2024-Q1") == PeriodTextStatus::kTooCoarse);  // a quarter, months wanted
}

TEST_CASE("Period ordinals: order, first and last days", "[forecast]") {
  using date::year_month_day;
  const std::int32_t feb = PeriodOrdinal(Period::kMonth, date::year{2024} / 2 / 10);
  CHECK(PeriodOrdinal(Period::kMonth, date::year{2024} / 3 / 1) == feb + 1);
  CHECK(PeriodOrdinal(Period::kMonth, date::year{2023} / 12 / 31) == feb - 2);
  CHECK(PeriodLastDay(Period::kMonth, feb) == year_month_day{date::year{2024} / 2 / 29});
  CHECK(PeriodFirstDay(Period::kMonth, feb) == year_month_day{date::year{2024} / 2 / 1});
  const std::int32_t q2 = PeriodOrdinal(Period::kQuarter, date::year{2024} / 5 / 10);
  CHECK(PeriodFirstDay(Period::kQuarter, q2) == year_month_day{date::year{2024} / 4 / 1});
  CHECK(PeriodLastDay(Period::kQuarter, q2) == year_month_day{date::year{2024} / 6 / 30});
  CHECK(PeriodOrdinalLabel(Period::kQuarter, q2 + 3) == "2025-Q1");
}

}  // namespace crmkpi
