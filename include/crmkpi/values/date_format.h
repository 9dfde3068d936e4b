// DateFormat: an explicit --date-format / date_format, checked once and read without a stream.
//
// The conversions crmkpi reads (strftime's names, date::parse's meaning):
//   %Y year (1–4 digits)   %y year 00–99 (69–99 → 19xx, 00–68 → 20xx)   %C not supported
//   %m month 1–12          %b %h %B English month name, short or full, any case
//   %d %e day 1–31         %a %A English weekday name (read, not checked against the date)
//   %H hour 0–23           %I hour 1–12 (with %p: AM/PM, am/pm, A.M./P.M., 午前/午後)
//   %M minute 0–59         %S second 0–60 (60 = a leap second, read as 59)
//   %z offset ±hh[mm] or Z %Ez %Oz offset ±h[h][:mm] or Z
//   %F = %Y-%m-%d   %T = %H:%M:%S   %R = %H:%M   %D = %m/%d/%y
//   %n %t and white space: zero or more white-space characters   %%: a '%'
// A width between '%' and the letter (%2d, %4Y) is the most digits read: 1 or 2 digits. Every
// other byte of the format must appear as it is. The format must give a year, a month and a
// day (%F, %D or the parts).
//
// Why not date::parse (Howard Hinnant's date, which the automatic path does not use either):
// fuzzing showed undefined behaviour inside it on malformed input — %z against a bare '-'
// negates minutes::min(), %T on short text reads uninitialised seconds, a width such as
// %99999999999999d overflows an int — and it needs an istringstream per value (issue 18).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

class DateFormat {
 public:
  DateFormat() = default;

  // Throws Error(kUsage) naming |setting| ("--date-format", "date_format") for an unknown
  // conversion, a bad width, a lone '%' at the end, or a format without a year, month and day.
  static DateFormat Compile(std::string_view format, std::string_view setting);

  // Reads the whole |text| (already trimmed). On a match: true, *local = the naive date-time as
  // seconds since 1970-01-01 (as if UTC), and *has_offset / *offset (seconds east of UTC) when
  // the format reads an offset. Never throws, allocates nothing.
  bool Parse(std::string_view text, std::int64_t* local, bool* has_offset,
             std::int64_t* offset) const;

  bool has_offset() const { return has_offset_; }
  bool empty() const { return items_.empty(); }

  // The compiled format, item by item in the order Parse reads them (sql/date_format_sql.cc
  // writes the same reading as SQL).
  enum class Kind : std::uint8_t {
    kLiteral, kSpace, kYear, kYear2, kMonth, kMonthName, kWeekdayName, kDay, kHour, kHour12,
    kAmPm, kMinute, kSecond, kOffset, kOffsetColon
  };
  struct Item {
    Kind kind;
    std::uint8_t width;  // most digits; for kLiteral the byte
  };
  const std::vector<Item>& items() const { return items_; }

 private:
  std::vector<Item> items_;
  bool has_offset_ = false;
};

}  // namespace crmkpi
