// Explicit date formats (date_format.h): what each conversion reads, the format checked before
// any value (%Q, bad widths), and the inputs that were undefined behaviour inside date::parse.
#include "crmkpi/values/date_format.h"

#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/values/date_time.h"

using namespace crmkpi;

namespace {

constexpr std::int64_t k20240301 = 1709251200;  // 2024-03-01T00:00:00Z

// The instant |text| gives under |format| in UTC, or -1 when it does not match.
std::int64_t At(const char* format, std::string_view text) {
  const DateParser p(format);
  Seconds t = 0;
  return p.Parse(text, &t) == ParseStatus::kOk ? t : -1;
}

std::string FormatError(std::string_view format) {
  try {
    DateParser p{std::string(format)};
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    return e.Formatted();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("date formats: each conversion", "[date][format]") {
  CHECK(At("%d/%m/%Y", "01/03/2024") == k20240301);
  CHECK(At("%d/%m/%Y", "1/3/2024") == k20240301);
  CHECK(At("%F", "2024-03-01") == k20240301);
  CHECK(At("%D", "03/01/24") == k20240301);
  CHECK(At("%y%m%d", "240301") == k20240301);
  CHECK(At("%d.%m.%y", "01.03.69") == -306 * 86400);  // 1969-03-01: 69 → 1969
  CHECK(At("%d.%m.%y", "01.03.68") == k20240301 + (44 * 365 + 11) * 86400);  // 68 → 2068
  CHECK(At("%Y%m%d", "20240301") == k20240301);                 // widths 4, 2, 2
  CHECK(At("%4Y%2m%2d", "20240301") == k20240301);
  // Zoho: "15 Apr, 2021 00:02:00"; month and weekday names in any case, short or full.
  CHECK(At("%d %b, %Y %H:%M:%S", "01 Mar, 2024 00:02:00") == k20240301 + 120);
  CHECK(At("%d %B %Y", "1 MARCH 2024") == k20240301);
  CHECK(At("%a, %d %b %Y", "Fri, 01 Mar 2024") == k20240301);
  CHECK(At("%A %d %b %Y", "friday 01 mar 2024") == k20240301);
  CHECK(At("%d %b %Y", "01 Mrz 2024") == -1);
  // Times, 12-hour clocks, seconds.
  CHECK(At("%F %T", "2024-03-01 13:05:09") == k20240301 + 13 * 3600 + 5 * 60 + 9);
  CHECK(At("%F %R", "2024-03-01 13:05") == k20240301 + 13 * 3600 + 5 * 60);
  CHECK(At("%m/%d/%Y %I:%M %p", "3/1/2024 12:30 AM") == k20240301 + 30 * 60);
  CHECK(At("%m/%d/%Y %I:%M %p", "3/1/2024 12:30 pm") == k20240301 + 12 * 3600 + 30 * 60);
  CHECK(At("%m/%d/%Y %I:%M %p", "3/1/2024 9:30 P.M.") == k20240301 + 21 * 3600 + 30 * 60);
  CHECK(At("%Y/%m/%d %p%I:%M", "2024/03/01 午後3:00") == k20240301 + 15 * 3600);
  CHECK(At("%F %T", "2024-03-01 23:59:60") == k20240301 + 86399);  // a leap second
  // Offsets make an instant; Z is UTC.
  CHECK(At("%F %H:%M %z", "2024-03-01 09:00 +0900") == k20240301);
  CHECK(At("%F %H:%M %z", "2024-03-01 09:00 +09") == k20240301);
  CHECK(At("%F %H:%M %Ez", "2024-03-01 09:00 +9:00") == k20240301);
  CHECK(At("%F %H:%M %z", "2024-02-29 19:00 -0500") == k20240301);
  CHECK(At("%F %H:%M %z", "2024-03-01 00:00 Z") == k20240301);
  // White space in the format matches any run of it, or none; other bytes exactly.
  CHECK(At("%d %m %Y", "01   03 2024") == k20240301);
  CHECK(At("%d %m %Y", "0103 2024") == k20240301);  // %d stops after 2 digits; no space needed
  CHECK(At("%d-%m-%Y", "01 -03-2024") == -1);
  CHECK(At("%d%%%m%%%Y", "01%03%2024") == k20240301);
}

TEST_CASE("date formats: what is not a date", "[date][format]") {
  CHECK(At("%d/%m/%Y", "31/02/2024") == -1);
  CHECK(At("%d/%m/%Y", "29/02/2023") == -1);
  CHECK(At("%d/%m/%Y", "29/02/2024") == k20240301 - 86400);
  CHECK(At("%d/%m/%Y", "00/03/2024") == -1);
  CHECK(At("%d/%m/%Y", "01/13/2024") == -1);
  CHECK(At("%d/%m/%Y", "01/03/2024 junk") == -1);
  CHECK(At("%d/%m/%Y", "01/03/") == -1);
  CHECK(At("%F %T", "2024-03-01 24:00:00") == -1);
  CHECK(At("%F %H:%M", "2024-03-01 10:60") == -1);
  CHECK(At("%F %I:%M %p", "2024-03-01 13:00 PM") == -1);
  CHECK(At("%F %I:%M %p", "2024-03-01 00:00 AM") == -1);
  CHECK(At("%F %H:%M %z", "2024-03-01 10:00 +1900") == -1);
  CHECK(At("%F %H:%M %z", "2024-03-01 10:00 +09:") == -1);
  CHECK(At("%F %H:%M %z", "2024-03-01 10:00") == -1);  // the offset is required
}

TEST_CASE("date formats: inputs that were undefined behaviour in date::parse", "[date][format]") {
  // %z against a bare '-': date::parse negated minutes::min().
  CHECK(At("%z %F", "- 2024-03-01") == -1);
  CHECK(At("%F%z", "2024-03-01-") == -1);
  CHECK(At("%F%Ez", "2024-03-01-") == -1);
  CHECK(At("%F %z", "2024-03-01 +") == -1);
  // %T on short text: date::parse read uninitialised seconds.
  CHECK(At("%F %T", "2024-03-01 1") == -1);
  CHECK(At("%F %T", "2024-03-01 10:2") == -1);
  CHECK(At("%F %T", "2024-03-01 10:20:") == -1);
}

TEST_CASE("date formats are checked before any value is read", "[date][format]") {
  CHECK(FormatError("%d/%m/%Y") == "(no error)");
  CHECK(FormatError("%Q") ==
        "--date-format '%Q': unknown conversion '%Q' (at character 1); crmkpi reads %Y %y %m %b %B "
        "%h %d %e %a %A %H %I %p %M %S %z %Ez %Oz %F %T %R %D %n %t %%");
  CHECK(FormatError("%d/%m/%Y %").find("--date-format '%d/%m/%Y %': a '%' at the end with no "
                                       "conversion after it (at character 10)") == 0);
  // A width overflowed an int inside date::parse.
  CHECK(FormatError("%99999999999999d/%m/%Y")
            .find("a width is one digit from 1 to 4 (%2d, %4Y) (at character 1)") !=
        std::string::npos);
  CHECK(FormatError("%3d/%m/%Y").find("'%3d' reads at most 2 digits (at character 1)") !=
        std::string::npos);
  CHECK(FormatError("%0d/%m/%Y").find("a width is one digit") != std::string::npos);
  CHECK(FormatError("%Ed/%m/%Y").find("'%Ed' is not read; write '%d'") != std::string::npos);
  CHECK(FormatError("%Y-%m") ==
        "--date-format '%Y-%m' has no day: a date format needs a year, a month and a day (%Y or "
        "%y, %m or %b, %d; or %F)");
  CHECK(FormatError("%H:%M") .find("has no year") != std::string::npos);
  CHECK(FormatError(std::string("%d/%m/%Y%\x01", 10)).find("unknown conversion after '%'") !=
        std::string::npos);
  // In an INI the setting is named as it is written there.
  try {
    DateParser p("%Q", "", "date_format");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.message().rfind("date_format '%Q': unknown conversion", 0) == 0);
  }
}
