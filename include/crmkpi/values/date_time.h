// Date and time parsing for CRM exports. Values become instants: seconds since
// 1970-01-01T00:00:00Z. Naive values (no Z or offset, and date-only values at 00:00) are read in
// the configured time zone (default UTC). Periods (month/quarter/year) are decided by the local
// calendar date in that zone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "crmkpi/values/date_format.h"

namespace date {
class time_zone;
}

namespace crmkpi {

using Seconds = std::int64_t;

enum class ParseStatus { kOk, kEmpty, kInvalid };

class DateParser {
 public:
  // |format| empty = automatic, accepting (after trimming ASCII whitespace and U+3000):
  //   YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, M/D/YYYY and M-D-YYYY (US order, as
  //   Salesforce US and Excel write it; D/M/YYYY with set_day_first), D.M.YYYY (European),
  //   two-digit years (4/15/21: 69–99 → 19xx), English month names (15 Apr 2021,
  //   15 Apr, 2021 as Zoho writes it, 15-Apr-21, Apr 15, 2021), Japanese eras (令和6年4月15日,
  //   令和元年5月1日, 平成, 昭和, R6.4.15, H31/4/30), YYYYMMDD, and Excel serial day numbers
  //   (5 digits, days since 1899-12-30; a fraction is the time of day),
  //   each optionally followed by a time: 'T' or ' ' then HH:MM[:SS[.fraction]]
  //   and, for the year-first numeric forms (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD), an optional
  //   'Z', ±HH:MM, ±HHMM or ±HH (at most ±18:00). Single-digit month/day/hour are accepted in the
  //   slash and kanji forms. Fractions of seconds are truncated. Full-width digits and separators
  //   are accepted.
  // |format| non-empty = a format such as "%d.%m.%Y" or "%d/%m/%Y %H:%M" (date_format.h); only
  //   it. Throws Error(kUsage) naming |setting| for a format crmkpi cannot read (%Q).
  // |tz| = IANA zone name for naive values; "", "UTC" or "Etc/UTC" means UTC. Throws
  //   Error(kUsage) for an unknown zone. A naive time that a DST jump skips becomes the instant of
  //   the jump, and one that happens twice takes the earlier instant (date::choose::earliest).
  // Not thread-safe: Parse and LocalDate update a one-entry zone cache, so give each thread its
  // own DateParser (copies are cheap).
  DateParser(std::string format = {}, std::string tz = {},
             std::string_view setting = "--date-format");

  // Parses |text| into *out. kEmpty for empty/whitespace-only text. Never throws. The automatic
  // path allocates nothing (it is called for every row).
  ParseStatus Parse(std::string_view text, Seconds* out) const;

  // The fast path for the commonest export form, a bare "YYYY-MM-DD" (exactly 10 bytes, nothing
  // around it): its instant and its local calendar day (days since 1970-01-01), exactly as Parse
  // and LocalDate give them, without the grammar walk and the instant-to-day conversion. Returns
  // false (and sets nothing) for any other text, with a date_format, and when the date's local
  // midnight is outside the cached zone period; the caller then takes Parse and LocalDate, which
  // also decide invalid values ("2024-13-01" is not a plain date here, and invalid there).
  bool ParsePlainDate(std::string_view text, Seconds* instant, std::int64_t* day) const;

  // Local calendar date of an instant in the configured zone. Instants beyond about ±30,000
  // years are clamped (Parse never produces them).
  date::year_month_day LocalDate(Seconds t) const;

  // |t| in full, in the configured zone, as the automatic path reads it back exactly:
  // "2023-09-01T14:03:00Z" in UTC, "2023-09-01T23:03:00+09:00" in Asia/Tokyo.
  std::string FormatInstant(Seconds t) const;

  const std::string& format() const { return format_; }

  // Numeric dates with '/' whose year comes last: day first (15/04/2021) instead of the US
  // month first (4/15/2021). Decided from a column's values (DateOrderOf) or date_order.
  void set_day_first(bool day_first) { day_first_ = day_first; }
  bool day_first() const { return day_first_; }
  const std::string& tz_name() const { return tz_name_; }

 private:
  Seconds LocalToUtc(Seconds local) const;  // applies the zone to a naive local time

  std::string format_;
  DateFormat compiled_;  // format_, checked and compiled
  std::string tz_name_;
  bool day_first_ = false;
  const date::time_zone* zone_ = nullptr;  // nullptr = UTC
  // Cache of the last zone lookup (zone offsets change rarely): [begin, end) in local seconds.
  mutable Seconds cache_begin_ = 1;
  mutable Seconds cache_end_ = 0;
  mutable Seconds cache_offset_ = 0;
};

// "YYYY-MM-DD".
std::string FormatDate(const date::year_month_day& ymd);

// Whether numeric dates with '/' and the year last are month first (US: 4/15/2024) or day
// first (15/04/2024), from a column's values: a first number above 12 is a day, a second one
// above 12 is one. kAmbiguous: such dates, every one readable either way (03/04/2024);
// kConflict: values of both kinds; kNone: no such date.
enum class DateOrder { kNone, kMdy, kDmy, kAmbiguous, kConflict };
struct DateOrderEvidence {
  DateOrder order = DateOrder::kNone;
  std::size_t mdy = 0, dmy = 0, ambiguous = 0;  // values that show it
  std::string mdy_example, dmy_example, ambiguous_example;
};
DateOrderEvidence DecideDateOrder(const std::vector<std::string>& values);

// What a warning says of a value that is not a date: the formats accepted automatically, or
// that it does not match |date_format| when one is set; |setting| names where the format is
// set ("--date-format" on the command line, "date_format" in an INI file).
std::string InvalidDateMessage(std::string_view date_format, std::string_view setting);

// Whether a date value holds a time of day (every time format has a ':'; an Excel serial day
// number a fraction, 45397.5). A duration between a date-only and a date-time value is counted
// in whole calendar days (docs/kpis.md R4), so a deal closed the day it was created takes 0 days.
inline bool DateHasTime(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return true;
  return text.size() > 6 && text[5] == '.' && text[0] >= '0' && text[0] <= '9';
}

// A duration written with its unit: "48h", "2d", "90m", "1.5d", "30s" (a non-negative decimal
// number, then d, h, m or s; spaces around ignored) → seconds; nullopt for anything else.
std::optional<double> ParseDurationSeconds(std::string_view text);

// Periods that reports and metrics group by; quarters, halves and years follow the fiscal
// year of a Calendar (fiscal_calendar.h).
enum class Period { kNone, kWeek, kMonth, kQuarter, kHalf, kYear };

// The label of the period holding |ymd|: "2024-W09" (ISO week and ISO week-year), "2024-03",
// "2024-Q1", "2024"; "" for kNone. The first form writes into |out| without allocating (the
// labels fit the short-string buffer), for the hot loop.
void FormatPeriod(Period period, const date::year_month_day& ymd, std::string* out);
std::string FormatPeriod(Period period, const date::year_month_day& ymd);

}  // namespace crmkpi
