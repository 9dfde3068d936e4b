#include "crmkpi/values/fiscal_calendar.h"

#include <cstdio>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

date::sys_days Days(std::int64_t day) { return date::sys_days{date::days{day}}; }
std::int64_t DayOf(const date::year_month_day& ymd) {
  return date::sys_days{ymd}.time_since_epoch().count();
}

// Months since year 0, January: the month of |day|.
std::int64_t MonthIndex(std::int64_t day) {
  const date::year_month_day ymd{Days(day)};
  return std::int64_t{static_cast<int>(ymd.year())} * 12 +
         static_cast<unsigned>(ymd.month()) - 1;
}

// The first day of month index |m|.
std::int64_t FirstOfMonth(std::int64_t m) {
  const std::int64_t y = FloorDiv(m, 12);
  const auto month = static_cast<unsigned>(m - y * 12 + 1);
  return DayOf(date::year{static_cast<int>(y)} / date::month{month} / date::day{1});
}

// Months in a period of |kind| (quarter 3, half 6, year 12).
std::int64_t MonthsIn(Period kind) {
  return kind == Period::kQuarter ? 3 : kind == Period::kHalf ? 6 : 12;
}

}  // namespace

std::int64_t PeriodCodeOf(Period kind, const Calendar& cal, std::int64_t day) {
  switch (kind) {
    case Period::kWeek: {
      const date::weekday wd{Days(day)};
      const unsigned back = cal.week_starts_sunday ? wd.c_encoding() : wd.iso_encoding() - 1;
      return day - back;
    }
    case Period::kMonth:
      return MonthIndex(day);
    case Period::kQuarter:
    case Period::kHalf:
    case Period::kYear: {
      // Months since the start of fiscal year 0, then whole periods of that many months.
      const std::int64_t fiscal_month = MonthIndex(day) - (cal.fiscal_year_start - 1);
      return FloorDiv(fiscal_month, MonthsIn(kind));
    }
    case Period::kNone:
      break;
  }
  return 0;
}

std::int64_t PeriodFirstDayOf(Period kind, const Calendar& cal, std::int64_t code) {
  switch (kind) {
    case Period::kWeek:
      return code;
    case Period::kMonth:
      return FirstOfMonth(code);
    case Period::kQuarter:
    case Period::kHalf:
    case Period::kYear:
      return FirstOfMonth(code * MonthsIn(kind) + (cal.fiscal_year_start - 1));
    case Period::kNone:
      break;
  }
  return 0;
}

std::int64_t PeriodLastDayOf(Period kind, const Calendar& cal, std::int64_t code) {
  if (kind == Period::kWeek) return code + 6;
  return PeriodFirstDayOf(kind, cal, code + 1) - 1;
}

std::string DayText(std::int64_t day) {
  const date::year_month_day ymd{Days(day)};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::optional<std::int64_t> ParseDayText(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 0;
  const std::string t(text.substr(0, 10));
  if (t.size() != 10 || std::sscanf(t.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return DayOf(ymd);
}

std::string PeriodLabelOf(Period kind, const Calendar& cal, std::int64_t code) {
  const std::int64_t first = PeriodFirstDayOf(kind, cal, code);
  switch (kind) {
    case Period::kWeek:
      if (!cal.week_starts_sunday) return FormatPeriod(Period::kWeek, date::year_month_day{Days(first)});
      return DayText(first) + (cal.ja ? "週" : " week");
    case Period::kMonth:
      return FormatPeriod(Period::kMonth, date::year_month_day{Days(first)});
    case Period::kQuarter:
    case Period::kHalf:
    case Period::kYear:
      break;
    case Period::kNone:
      return {};
  }
  // The fiscal year: named by the calendar year it starts in, or ends in.
  const std::int64_t per_year = 12 / MonthsIn(kind);
  const std::int64_t fy = FloorDiv(code, per_year);
  const std::int64_t index = code - fy * per_year + 1;  // 1-based within the year
  const std::int64_t start_year = FloorDiv(fy * 12 + cal.fiscal_year_start - 1, 12);
  const std::int64_t name = start_year + (cal.name_by_end && cal.fiscal() ? 1 : 0);
  if (cal.ja) {
    const std::string year = fmt::format("{:04}{}", name, cal.fiscal() ? "年度" : "年");
    if (kind == Period::kQuarter) return fmt::format("{} 第{}四半期", year, index);
    if (kind == Period::kHalf) return year + (index == 1 ? " 上期" : " 下期");
    return year;
  }
  if (!cal.fiscal()) {
    if (kind == Period::kQuarter) return fmt::format("{:04}-Q{}", name, index);
    if (kind == Period::kHalf) return fmt::format("{:04}-H{}", name, index);
    return fmt::format("{:04}", name);
  }
  if (kind == Period::kQuarter) return fmt::format("FY{:04} Q{}", name, index);
  if (kind == Period::kHalf) return fmt::format("FY{:04} H{}", name, index);
  return fmt::format("FY{:04}", name);
}

unsigned ParseFiscalYearStart(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (c != ' ') t += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (t.size() > 3 && t.compare(t.size() - 3, 3, "月") == 0) t.resize(t.size() - 3);
  static const char* kNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  for (unsigned m = 0; m < 12; ++m) {
    if (t.size() >= 3 && t.compare(0, 3, kNames[m]) == 0) return m + 1;
  }
  unsigned m = 0;
  bool digits = !t.empty() && t.size() <= 2;
  for (char c : t) {
    digits = digits && c >= '0' && c <= '9';
    if (digits) m = m * 10 + static_cast<unsigned>(c - '0');
  }
  if (!digits || m < 1 || m > 12) {
    throw Error::Usage(fmt::format(
        "expected the month the fiscal year starts in, 1–12 (4 = April: 2025年度 = 2025-04 … "
        "2026-03), got '{}'",
        text));
  }
  return m;
}

namespace {

// The numbers of a period text and the words around them (ASCII lower-cased, separators out).
struct PeriodTokens {
  std::vector<std::int64_t> numbers;
  std::vector<std::size_t> digits;  // of each number
  std::string words;                // everything else but separators, in order
  bool Has(std::string_view w) const { return words.find(w) != std::string::npos; }
  // The index of the first number of four digits (a year), or -1.
  int Year() const {
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (digits[i] == 4) return static_cast<int>(i);
    }
    return -1;
  }
};

PeriodTokens Tokenize(std::string_view text) {
  PeriodTokens t;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      std::int64_t v = 0;
      std::size_t n = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (n < 9) v = v * 10 + (text[i] - '0');
        ++n;
        ++i;
      }
      t.numbers.push_back(v);
      t.digits.push_back(n);
      t.words += '#';
      continue;
    }
    if (c == ' ' || c == '-' || c == '/' || c == '.' || c == '_') {
      ++i;
      continue;
    }
    t.words += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    ++i;
  }
  return t;
}

// The Monday of ISO week |week| of ISO year |year|: week 1 holds January 4.
std::int64_t IsoWeekMonday(std::int64_t year, std::int64_t week) {
  const std::int64_t jan4 = DayOf(date::year{static_cast<int>(year)} / 1 / 4);
  const date::weekday wd{Days(jan4)};
  return jan4 - (wd.iso_encoding() - 1) + (week - 1) * 7;
}

}  // namespace

std::optional<std::int64_t> ParsePeriodText(Period kind, const Calendar& cal,
                                            std::string_view text) {
  if (kind == Period::kNone) return std::nullopt;
  const PeriodTokens t = Tokenize(text);
  const int y = t.Year();
  if (y < 0 || t.numbers.size() > 3) return std::nullopt;
  const std::int64_t year = t.numbers[static_cast<std::size_t>(y)];
  auto other = [&]() -> std::optional<std::int64_t> {  // the one number besides the year
    if (t.numbers.size() != 2) return std::nullopt;
    return t.numbers[y == 0 ? 1 : 0];
  };
  auto day_of = [&](std::int64_t m, std::int64_t d) -> std::optional<std::int64_t> {
    if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    const date::year_month_day ymd{date::year{static_cast<int>(year)},
                                   date::month{static_cast<unsigned>(m)},
                                   date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return DayOf(ymd);
  };
  // The fiscal year named |year| → its code (the calendar year it starts in).
  const std::int64_t fy = year - (cal.name_by_end && cal.fiscal() ? 1 : 0);
  const bool quarter = t.Has("q") || t.Has("四半期");
  const bool half = t.Has("h") || t.Has("上期") || t.Has("下期") || t.Has("上半期") ||
                    t.Has("下半期");
  if (t.numbers.size() == 3 && y == 0) {  // a day: the period holding it
    const auto day = day_of(t.numbers[1], t.numbers[2]);
    if (!day) return std::nullopt;
    return PeriodCodeOf(kind, cal, *day);
  }
  if (t.numbers.size() == 3) return std::nullopt;
  if (t.Has("w") && !t.Has("week")) {  // ISO week: 2024-W09
    const auto week = other();
    if (kind != Period::kWeek || !week || *week < 1 || *week > 53) return std::nullopt;
    const std::int64_t monday = IsoWeekMonday(year, *week);
    if (*week == 53 && IsoWeekMonday(year + 1, 1) == monday) return std::nullopt;
    return PeriodCodeOf(kind, cal, monday);
  }
  if (quarter) {
    const auto q = other();
    if (kind != Period::kQuarter || !q || *q < 1 || *q > 4) return std::nullopt;
    return fy * 4 + *q - 1;
  }
  if (half) {
    std::optional<std::int64_t> h = other();
    if (!h && t.numbers.size() == 1) {
      if (t.Has("上")) h = 1;
      if (t.Has("下")) h = 2;
    }
    if (kind != Period::kHalf || !h || *h < 1 || *h > 2) return std::nullopt;
    return fy * 2 + *h - 1;
  }
  if (t.numbers.size() == 2 && y == 0) {  // a month: its own, or the period holding its 1st
    const auto day = day_of(t.numbers[1], 1);
    if (!day || t.Has("fy") || t.Has("年度")) return std::nullopt;
    return PeriodCodeOf(kind, cal, *day);
  }
  if (t.numbers.size() == 1 && kind == Period::kYear) return fy;
  return std::nullopt;
}

std::string PeriodTextForms(Period kind, const Calendar& cal) {
  const auto label = [&](std::int64_t code) { return PeriodLabelOf(kind, cal, code); };
  const std::int64_t day = DayOf(date::year{2025} / 4 / 15);
  const std::string example = label(PeriodCodeOf(kind, cal, day));
  switch (kind) {
    case Period::kWeek:
      return fmt::format("a week: {}, 2025-W16 or a day in it (2025-04-15)", example);
    case Period::kMonth:
      return "a month: 2025-04, 2025/4, 2025年4月 or a day in it (2025-04-15)";
    case Period::kQuarter:
      return fmt::format("a quarter: {} (Q1 is the fiscal year's first), or a day in it",
                         example);
    case Period::kHalf:
      return fmt::format("a half: {} (H1, 上期, is the fiscal year's first), or a day in it",
                         example);
    case Period::kYear:
      return fmt::format("a year: {}, or a day in it", example);
    case Period::kNone:
      break;
  }
  return {};
}

std::string_view PeriodName(Period period) {
  switch (period) {
    case Period::kWeek:
      return "week";
    case Period::kMonth:
      return "month";
    case Period::kQuarter:
      return "quarter";
    case Period::kHalf:
      return "half";
    case Period::kYear:
      return "year";
    case Period::kNone:
      break;
  }
  return "none";
}

Period ParsePeriodName(std::string_view name) {
  if (name == "week") return Period::kWeek;
  if (name == "month") return Period::kMonth;
  if (name == "quarter") return Period::kQuarter;
  if (name == "half") return Period::kHalf;
  if (name == "year") return Period::kYear;
  return Period::kNone;
}

}  // namespace crmkpi
