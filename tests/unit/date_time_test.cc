#include "crmkpi/values/date_time.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <date/tz.h>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

// Expected instants below were computed independently (Python datetime/zoneinfo and GNU date),
// not with the code under test.
constexpr Seconds k20240229 = 1709164800;  // 2024-02-29T00:00:00Z
constexpr Seconds k20240301 = 1709251200;  // 2024-03-01T00:00:00Z

// Parses |text| and returns the instant, failing the test unless the status is kOk.
Seconds Ok(const DateParser& p, std::string_view text) {
  Seconds t = -42;
  INFO("text: \"" << std::string(text) << "\"");
  REQUIRE(p.Parse(text, &t) == ParseStatus::kOk);
  return t;
}

ParseStatus StatusOf(const DateParser& p, std::string_view text) {
  Seconds t = 0;
  return p.Parse(text, &t);
}

}  // namespace

TEST_CASE("DateParser automatic ISO dates", "[date]") {
  const DateParser p;
  CHECK(Ok(p, "1970-01-01") == 0);
  CHECK(Ok(p, "2024-02-29") == k20240229);
  CHECK(Ok(p, "2024-03-01") == k20240301);
  CHECK(Ok(p, "2000-02-29") == 951782400);
  CHECK(Ok(p, "1969-12-31") == -86400);
  CHECK(Ok(p, "2024/03/01") == k20240301);
  CHECK(Ok(p, "2024/3/1") == k20240301);
  CHECK(Ok(p, "2024.03.01") == k20240301);
}

TEST_CASE("DateParser automatic date-times and offsets", "[date]") {
  const DateParser p;
  CHECK(Ok(p, "2024-03-01 10:20:30") == 1709288430);
  CHECK(Ok(p, "2024-03-01T10:20:30") == 1709288430);
  CHECK(Ok(p, "2024-03-01T10:20") == 1709288400);
  CHECK(Ok(p, "2024-03-01T10:20:30.123Z") == 1709288430);
  CHECK(Ok(p, "2024-03-01T10:20:30.999999999Z") == 1709288430);
  CHECK(Ok(p, "2024-03-01T10:20:30Z") == 1709288430);
  CHECK(Ok(p, "2024-03-01T09:00:00+09:00") == k20240301);
  CHECK(Ok(p, "2024-03-01T09:00:00+0900") == k20240301);
  CHECK(Ok(p, "2024-03-01T09:00:00+09") == k20240301);
  CHECK(Ok(p, "2024-03-01T00:00:00-05:00") == 1709269200);
  CHECK(Ok(p, "2024-03-01T00:00:00.000+0000") == k20240301);  // Salesforce API style
  CHECK(Ok(p, "2024/03/01 09:00:00+09:00") == k20240301);
  CHECK(Ok(p, "2024-03-01T00:00:00+18:00") == k20240301 - 18 * 3600);
  CHECK(Ok(p, "2024-03-01T00:00:00-18:00") == k20240301 + 18 * 3600);
  // Fractions are truncated toward the earlier second, also before the epoch.
  CHECK(Ok(p, "1969-12-31T23:59:59.9Z") == -1);
  CHECK(Ok(p, "2024-03-01T23:59:59") == k20240301 + 86399);
}

TEST_CASE("DateParser US and kanji forms", "[date]") {
  const DateParser p;
  CHECK(Ok(p, "3/1/2024") == k20240301);
  CHECK(Ok(p, "03/01/2024") == k20240301);
  CHECK(Ok(p, "2/29/2024") == k20240229);
  CHECK(Ok(p, "3/1/2024 9:00") == k20240301 + 9 * 3600);
  CHECK(Ok(p, "03/01/2024 10:20:30") == 1709288430);
  CHECK(Ok(p, "2024年3月1日") == k20240301);
  CHECK(Ok(p, "2024年03月01日") == k20240301);
  CHECK(Ok(p, "2024年3月1日 9:05") == 1709283900);
  CHECK(Ok(p, "2024年3月1日 10:20:30") == 1709288430);
}

TEST_CASE("DateParser full-width digits and separators", "[date]") {
  const DateParser p;
  CHECK(Ok(p, "２０２４－０３－０１") == k20240301);
  CHECK(Ok(p, "２０２４／３／１") == k20240301);
  CHECK(Ok(p, "２０２４年３月１日") == k20240301);
  CHECK(Ok(p, "２０２４／０３／０１　１０：２０") == 1709288400);
  CHECK(Ok(p, "2024-03-01T10:20:30＋09:00") == 1709288430 - 9 * 3600);
  CHECK(StatusOf(p, "2024—03—01") == ParseStatus::kInvalid);  // em dash is not a separator
  CHECK(StatusOf(p, "2024-03-01 日") == ParseStatus::kInvalid);
  CHECK(StatusOf(p, "2024-03-01\x80") == ParseStatus::kInvalid);  // stray byte, not a marker
}

TEST_CASE("DateParser trims ASCII whitespace and U+3000", "[date]") {
  const DateParser p;
  CHECK(Ok(p, "  2024-03-01\t\r\n") == k20240301);
  CHECK(Ok(p, "　2024-03-01　") == k20240301);
  CHECK(StatusOf(p, "") == ParseStatus::kEmpty);
  CHECK(StatusOf(p, "   ") == ParseStatus::kEmpty);
  CHECK(StatusOf(p, "　") == ParseStatus::kEmpty);
}

TEST_CASE("DateParser rejects invalid values", "[date]") {
  const DateParser p;
  const char* const kBad[] = {
      "2023-02-29",           // not a leap year
      "1900-02-29",           // century, not a leap year
      "2024-04-31",           // April has 30 days
      "2024-13-01",           // month
      "2024-00-10",           // month
      "2024-01-00",           // day
      "13/01/2024",           // automatic is US order: month 13
      "2024-03-01T24:00:00",  // 24:00 is not accepted
      "2024-03-01T10:60",     //
      "2024-03-01T10:20:60",  // no leap seconds
      "2024-03-01T10:20:30+19:00",
      "2024-03-01T10:20:30+18:01",
      "2024-03-01T10:20:30+09:60",
      "2024-03-01T10:20:30+9",
      "2024-03-01T10:20:30+09:",
      "2024-03-01T10:20:30.",    // fraction without digits
      "2024-03-01T10:20.5",      // fraction needs seconds
      "2024-03-01x",             // trailing garbage
      "2024-03-01T",             //
      "2024-03-01 10:20:30Zx",   //
      "2024-03-01 10:20:30 Z",   //
      "2024-03-01Z",             // offset needs a time
      "3/1/2024 10:00Z",         // offsets only on the year-first forms
      "2024年3月1日 10:00+09:00",  //
      "24-03-01",                // year must have 4 digits
      "202-03-01",               //
      "12024-03-01",             //
      "3/1/20245",               //
      "2024-3-1",                // dashed form needs two-digit month/day
      "2024-03/01",              // mixed separators
      "2024-03-01T9:00",         // ISO dashed form needs a two-digit hour
      "2024年3月1",              // missing 日
      "2024-03-01  10:00",       // two separators
      "abc",
      "N/A",
      "-",
      "20241301",                // YYYYMMDD with month 13
      "1234",                    // neither a serial day number (5 digits) nor YYYYMMDD
      "15 Foo 2021",             // not a month name
      "Ap 15, 2021",             // a month name needs 3 letters
      "32.01.2024",              // D.M.Y with day 32
      "R0.4.15",                 // an era's first year is 1 (元)
      "令和6年4月",              // missing 日
  };
  for (const char* text : kBad) {
    INFO("text: \"" << text << "\"");
    CHECK(StatusOf(p, text) == ParseStatus::kInvalid);
  }
}

TEST_CASE("DateParser leaves *out alone on failure", "[date]") {
  const DateParser p;
  Seconds t = 7;
  CHECK(p.Parse("2023-02-29", &t) == ParseStatus::kInvalid);
  CHECK(p.Parse("", &t) == ParseStatus::kEmpty);
  CHECK(t == 7);
}

TEST_CASE("DateParser naive values in a time zone", "[date][tz]") {
  const DateParser tokyo("", "Asia/Tokyo");
  CHECK(Ok(tokyo, "2024-03-01") == 1709218800);
  CHECK(Ok(tokyo, "2024年3月1日") == 1709218800);
  CHECK(Ok(tokyo, "3/1/2024 9:00") == k20240301);
  // An explicit offset wins over the zone.
  CHECK(Ok(tokyo, "2024-03-01T00:00:00Z") == k20240301);
  CHECK(Ok(tokyo, "2024-03-01T09:00:00+09:00") == k20240301);

  for (const char* utc : {"", "UTC", "Etc/UTC"}) {
    const DateParser p("", utc);
    CHECK(Ok(p, "2024-03-01") == k20240301);
  }
}

TEST_CASE("DateParser DST gap and overlap in America/New_York", "[date][tz]") {
  const DateParser ny("", "America/New_York");
  CHECK(Ok(ny, "2024-01-15 12:00") == 1705338000);  // EST
  CHECK(Ok(ny, "2024-07-04") == 1720065600);        // EDT
  // Spring forward on 2024-03-10: 02:00-03:00 does not exist.
  CHECK(Ok(ny, "2024-03-10 01:30") == 1710052200);  // EST
  CHECK(Ok(ny, "2024-03-10 02:30") == 1710054000);  // nonexistent -> the jump, 03:00 EDT
  CHECK(Ok(ny, "2024-03-10 03:00") == 1710054000);
  CHECK(Ok(ny, "2024-03-10 03:30") == 1710055800);  // EDT
  // Fall back on 2024-11-03: 01:00-02:00 happens twice; the earlier (EDT) one is chosen.
  CHECK(Ok(ny, "2024-11-03 01:30") == 1730611800);
  CHECK(Ok(ny, "2024-11-03 02:30") == 1730611800 + 2 * 3600);  // EST
  // Order must not matter (the zone cache must never serve a stale offset).
  CHECK(Ok(ny, "2024-03-09 12:00") == 1710003600);
  CHECK(Ok(ny, "2024-03-11 12:00") == 1710172800);
  CHECK(Ok(ny, "2024-03-09 12:00") == 1710003600);
}

TEST_CASE("DateParser zone cache agrees with the tz database hour by hour", "[date][tz]") {
  // Sweeps a year containing both transitions, in and out of order, comparing the cached parser
  // with a direct (uncached) conversion by the date library.
  for (const char* name : {"America/New_York", "Europe/London", "Australia/Sydney", "Asia/Tokyo"}) {
    const DateParser p("", name);
    const date::time_zone* zone = date::locate_zone(name);
    INFO("zone " << name);
    for (int pass = 0; pass < 2; ++pass) {
      for (int hour = 0; hour < 366 * 24; hour += (pass == 0 ? 1 : 7)) {
        const int h = pass == 0 ? hour : 366 * 24 - 1 - hour;
        const auto local = date::local_days{date::year{2024} / 1 / 1} + std::chrono::hours{h} +
                           std::chrono::minutes{30};
        const date::year_month_day ymd{date::floor<date::days>(local)};
        const date::hh_mm_ss hms{local - date::floor<date::days>(local)};
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(hms.hours().count()),
                      static_cast<int>(hms.minutes().count()));
        const Seconds expected = zone->to_sys(local, date::choose::earliest)
                                     .time_since_epoch()
                                     .count();
        INFO(text);
        Seconds got = 0;
        REQUIRE(p.Parse(text, &got) == ParseStatus::kOk);
        REQUIRE(got == expected);
        // And back: LocalDate agrees with the library's own UTC-to-local conversion.
        const date::local_seconds back = zone->to_local(date::sys_seconds{std::chrono::seconds{got}});
        REQUIRE(p.LocalDate(got) == date::year_month_day{date::floor<date::days>(back)});
      }
    }
  }
}

TEST_CASE("DateParser::LocalDate uses the zone's calendar", "[date][tz]") {
  const DateParser utc;
  const DateParser tokyo("", "Asia/Tokyo");
  CHECK(tokyo.LocalDate(1709218800) == date::year{2024} / 3 / 1);
  CHECK(utc.LocalDate(1709218800) == date::year{2024} / 2 / 29);
  CHECK(utc.LocalDate(0) == date::year{1970} / 1 / 1);
  CHECK(utc.LocalDate(-1) == date::year{1969} / 12 / 31);  // floor, not truncation
  CHECK(utc.LocalDate(-86400) == date::year{1969} / 12 / 31);
  CHECK(utc.LocalDate(-86401) == date::year{1969} / 12 / 30);
  CHECK(tokyo.LocalDate(-32401) == date::year{1969} / 12 / 31);
  CHECK(tokyo.LocalDate(-32400) == date::year{1970} / 1 / 1);
  const DateParser ny("", "America/New_York");
  CHECK(ny.LocalDate(1730611800) == date::year{2024} / 11 / 3);
  CHECK(ny.LocalDate(k20240301) == date::year{2024} / 2 / 29);
  // Absurd instants are clamped, never undefined behaviour.
  (void)utc.LocalDate(INT64_MAX);
  (void)tokyo.LocalDate(INT64_MIN);
}

TEST_CASE("FormatDate", "[date]") {
  CHECK(FormatDate(date::year{2024} / 3 / 1) == "2024-03-01");
  CHECK(FormatDate(date::year{987} / 12 / 31) == "0987-12-31");
  const DateParser tokyo("", "Asia/Tokyo");
  CHECK(FormatDate(tokyo.LocalDate(1709218800)) == "2024-03-01");
}

TEST_CASE("DateParser explicit formats", "[date][format]") {
  const DateParser dmy("%d/%m/%Y");
  CHECK(Ok(dmy, "13/01/2024") == 1705104000);
  CHECK(Ok(dmy, " 01/03/2024 ") == k20240301);
  CHECK(StatusOf(dmy, "2024-03-01") == ParseStatus::kInvalid);  // only the given format
  CHECK(StatusOf(dmy, "01/03/2024 junk") == ParseStatus::kInvalid);
  CHECK(StatusOf(dmy, "01/03/2024 10:00") == ParseStatus::kInvalid);
  CHECK(StatusOf(dmy, "31/02/2024") == ParseStatus::kInvalid);
  CHECK(StatusOf(dmy, "") == ParseStatus::kEmpty);

  const DateParser dotted("%d.%m.%Y", "Asia/Tokyo");
  CHECK(Ok(dotted, "01.03.2024") == 1709218800);

  const DateParser with_time("%d/%m/%Y %H:%M");
  CHECK(Ok(with_time, "01/03/2024 10:20") == 1709288400);

  // %z makes the value an instant: the zone is not applied on top of the offset.
  const DateParser with_offset("%Y-%m-%d %H:%M %z", "America/New_York");
  CHECK(Ok(with_offset, "2024-03-01 09:00 +0900") == k20240301);

  const DateParser ny("%Y-%m-%d %H:%M", "America/New_York");
  CHECK(Ok(ny, "2024-03-10 02:30") == 1710054000);  // gap handled as in the automatic path
}

TEST_CASE("DateParser rejects unknown zones as usage errors", "[date][tz]") {
  try {
    DateParser p("", "Asia/Tokio");
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.message().find("unknown time zone 'Asia/Tokio'") != std::string::npos);
    CHECK(e.message().find("Asia/Tokyo") != std::string::npos);
  }
  CHECK_THROWS_AS(DateParser("%Y", "Mars/Olympus"), Error);
}

TEST_CASE("DateParser accessors", "[date]") {
  const DateParser p("%d/%m/%Y", "Asia/Tokyo");
  CHECK(p.format() == "%d/%m/%Y");
  CHECK(p.tz_name() == "Asia/Tokyo");
}

TEST_CASE("DateParser 12-hour clock of US exports", "[date]") {
  const DateParser p;
  CHECK(Ok(p, "3/1/2024 9:05 AM") == k20240301 + 9 * 3600 + 5 * 60);
  CHECK(Ok(p, "3/1/2024 9:05 PM") == k20240301 + 21 * 3600 + 5 * 60);
  CHECK(Ok(p, "3/1/2024 12:00 AM") == k20240301);
  CHECK(Ok(p, "3/1/2024 12:30 pm") == k20240301 + 12 * 3600 + 30 * 60);
  CHECK(Ok(p, "3/1/2024 9:05:07PM") == k20240301 + 21 * 3600 + 5 * 60 + 7);
  CHECK(Ok(p, "2024/3/1 9:05 PM") == k20240301 + 21 * 3600 + 5 * 60);
  CHECK(StatusOf(p, "3/1/2024 13:05 PM") == ParseStatus::kInvalid);
  CHECK(StatusOf(p, "3/1/2024 0:05 AM") == ParseStatus::kInvalid);
  CHECK(StatusOf(p, "2024-03-01 09:05 PM") == ParseStatus::kInvalid);  // ISO is 24-hour
  CHECK(StatusOf(p, "3/1/2024 9:05 XM") == ParseStatus::kInvalid);
}

}  // namespace crmkpi

namespace crmkpi {
namespace {

// The general path's answer for |text|: Parse, then LocalDate of the instant.
struct General {
  ParseStatus status;
  Seconds instant = 0;
  std::int64_t day = 0;
};
General GeneralPath(const DateParser& p, std::string_view text) {
  General g{p.Parse(text, &g.instant)};
  if (g.status == ParseStatus::kOk) {
    g.day = date::sys_days(p.LocalDate(g.instant)).time_since_epoch().count();
  }
  return g;
}

// Every day of the years [from, to], as "YYYY-MM-DD".
std::vector<std::string> Days(int from, int to) {
  std::vector<std::string> out;
  for (date::sys_days d{date::year{from} / 1 / 1}; d <= date::sys_days{date::year{to} / 12 / 31};
       d += date::days{1}) {
    out.push_back(FormatDate(date::year_month_day{d}));
  }
  return out;
}

// Checks ParsePlainDate against the general path on |text|; returns whether it took the text.
bool AgreesWithParse(const DateParser& p, const std::string& text) {
  INFO("text: \"" << text << "\", zone " << p.tz_name());
  Seconds instant = -42;
  std::int64_t day = -42;
  const bool plain = p.ParsePlainDate(text, &instant, &day);
  const General g = GeneralPath(p, text);
  if (plain) {
    REQUIRE(g.status == ParseStatus::kOk);
    CHECK(instant == g.instant);
    CHECK(day == g.day);
  } else {
    CHECK(instant == -42);  // nothing set
    CHECK(day == -42);
  }
  return plain;
}

}  // namespace

TEST_CASE("ParsePlainDate agrees with Parse and LocalDate on every day it takes",
          "[date][plain]") {
  // Year 0 (a leap year) and 9999, the Gregorian 100/400 rules, and the years around today.
  std::vector<std::string> days;
  for (const auto& [from, to] : {std::pair{0, 4}, {1599, 1601}, {1896, 1904}, {1968, 2104},
                                 {2399, 2401}, {9995, 9999}}) {
    for (std::string& d : Days(from, to)) days.push_back(std::move(d));
  }
  const DateParser utc;
  for (const std::string& d : days) REQUIRE(AgreesWithParse(utc, d));  // UTC: always taken

  // Zones: taken within the cached period only, and then exact; São Paulo's DST began at
  // midnight (2018-11-04 00:00 did not exist), Apia skipped 2011-12-30 entirely.
  for (const char* zone : {"Asia/Tokyo", "America/New_York", "America/Sao_Paulo",
                           "Pacific/Apia"}) {
    const DateParser p("", zone);
    int taken = 0;
    for (const std::string& d : Days(2010, 2020)) taken += AgreesWithParse(p, d);
    CHECK(taken > 3000);  // the fast path does run in a zone
    for (const char* d : {"2018-11-04", "2018-11-03", "2011-12-30", "2011-12-31", "2011-12-29"}) {
      AgreesWithParse(p, d);
    }
  }
}

TEST_CASE("ParsePlainDate leaves everything but a bare valid YYYY-MM-DD to Parse",
          "[date][plain]") {
  const DateParser utc;
  Seconds t = 0;
  std::int64_t day = 0;
  REQUIRE(utc.ParsePlainDate("2024-02-29", &t, &day));
  CHECK(t == k20240229);
  CHECK(day == 19782);
  REQUIRE(utc.ParsePlainDate("0000-01-01", &t, &day));
  CHECK(day == -719528);
  REQUIRE(utc.ParsePlainDate("9999-12-31", &t, &day));
  CHECK(day == 2932896);
  REQUIRE(utc.ParsePlainDate("2000-02-29", &t, &day));  // divisible by 400: a leap year

  // Invalid dates (the general path says invalid), other forms (it says ok), blanks (empty).
  for (const char* text : {"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "2023-02-29",
                           "1900-02-29", "2024-04-31", "2024-1-05x", "2024-01-0a", "2024+01-05",
                           "2024-01/05", "20240-1-05", "2024-01-05T", ":024-01-05",
                           "2024-01-05 ", " 2024-01-05", "2024/01/05", "2024-1-05",
                           "２０２４-01-05", "2024-01-05T10:00", "2024-01-05Z", "          ",
                           "", "2024\x80" "01-05"}) {
    INFO("text: \"" << text << "\"");
    Seconds before = 7;
    std::int64_t day_before = 7;
    CHECK_FALSE(utc.ParsePlainDate(text, &before, &day_before));
    CHECK(before == 7);
    CHECK(day_before == 7);
  }
  CHECK(StatusOf(utc, "2024-13-01") == ParseStatus::kInvalid);
  CHECK(StatusOf(utc, "2023-02-29") == ParseStatus::kInvalid);
  CHECK(StatusOf(utc, "2024-01-05 ") == ParseStatus::kOk);

  // With a date_format the text means what the format says: never the fast path.
  const DateParser year_day_month("%Y-%d-%m");
  CHECK_FALSE(year_day_month.ParsePlainDate("2024-05-01", &t, &day));
  CHECK(Ok(year_day_month, "2024-05-01") == Ok(utc, "2024-01-05"));
}

TEST_CASE("DateParser reads the other exports' date forms", "[dates]") {
  const DateParser p;
  auto day = [&](const char* text) {
    Seconds t = 0;
    INFO(text);
    REQUIRE(p.Parse(text, &t) == ParseStatus::kOk);
    return FormatDate(p.LocalDate(t)) + (t % 86400 ? " +" + std::to_string(t % 86400) : "");
  };
  CHECK(day("15 Apr, 2021 00:02:00") == "2021-04-15 +120");  // Zoho
  CHECK(day("15 Apr 2021") == "2021-04-15");
  CHECK(day("Apr 15, 2021") == "2021-04-15");
  CHECK(day("april 15 2021") == "2021-04-15");
  CHECK(day("15-Apr-21") == "2021-04-15");
  CHECK(day("2021/4/15 0:02") == "2021-04-15 +120");
  CHECK(day("15.04.2021") == "2021-04-15");  // German
  CHECK(day("4/15/21") == "2021-04-15");
  CHECK(day("3/1/24") == "2024-03-01");
  CHECK(day("3/1/69") == "1969-03-01");
  CHECK(day("45397") == "2024-04-15");  // Excel: days since 1899-12-30
  CHECK(day("45397.5") == "2024-04-15 +43200");
  CHECK(day("20240301") == "2024-03-01");
  CHECK(day("令和6年4月15日") == "2024-04-15");
  CHECK(day("令和元年5月1日") == "2019-05-01");
  CHECK(day("平成31年4月30日") == "2019-04-30");
  CHECK(day("昭和64年1月7日") == "1989-01-07");
  CHECK(day("R6.4.15") == "2024-04-15");
  CHECK(day("H31/4/30") == "2019-04-30");
  // Day first when the column says so (D/M/Y); month first otherwise.
  CHECK(day("03/04/2024") == "2024-03-04");
  DateParser dmy;
  dmy.set_day_first(true);
  Seconds t = 0;
  REQUIRE(dmy.Parse("03/04/2024 10:00", &t) == ParseStatus::kOk);
  CHECK(FormatDate(dmy.LocalDate(t)) == "2024-04-03");
  REQUIRE(dmy.Parse("13-01-2022", &t) == ParseStatus::kOk);
  CHECK(FormatDate(dmy.LocalDate(t)) == "2022-01-13");
  CHECK(p.Parse("13-01-2022", &t) == ParseStatus::kInvalid);  // month 13, month first
}

TEST_CASE("DecideDateOrder: a part above 12 decides, none is ambiguous", "[dates]") {
  CHECK(DecideDateOrder({"15/04/2021", "03/04/2021", ""}).order == DateOrder::kDmy);
  CHECK(DecideDateOrder({"04/15/2021 9:00 AM", "03/04/2021"}).order == DateOrder::kMdy);
  const DateOrderEvidence amb = DecideDateOrder({"03/04/2021", "01/02/2021", "2021-01-13"});
  CHECK(amb.order == DateOrder::kAmbiguous);
  CHECK(amb.ambiguous == 2);
  CHECK(amb.ambiguous_example == "03/04/2021");
  const DateOrderEvidence both = DecideDateOrder({"13/04/2021", "04/13/2021"});
  CHECK(both.order == DateOrder::kConflict);
  CHECK(both.dmy_example == "13/04/2021");
  CHECK(both.mdy_example == "04/13/2021");
  CHECK(DecideDateOrder({"2024-04-15", "15 Apr 2021", "13-01-2022"}).order == DateOrder::kDmy);
  CHECK(DecideDateOrder({"2024-04-15"}).order == DateOrder::kNone);
}

TEST_CASE("InvalidDateMessage names the accepted formats, or the format that was set", "[date]") {
  CHECK(InvalidDateMessage("", "--date-format") ==
        "is not a date (accepted: YYYY-MM-DD, ISO date-times, YYYY/MM/DD, M/D/YYYY [h:mm AM/PM] "
        "(D/M/YYYY when the values say so), D.M.YYYY, 15 Apr 2021, Apr 15, 2021, 2024年3月1日, "
        "令和6年3月1日, R6.3.1, YYYYMMDD, Excel day numbers; see --date-format)");
  CHECK(InvalidDateMessage("%d.%m.%Y", "date_format") ==
        "does not match date_format '%d.%m.%Y'");
}

}  // namespace crmkpi
