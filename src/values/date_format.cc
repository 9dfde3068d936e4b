#include "crmkpi/values/date_format.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

constexpr const char* kConversions =
    "%Y %y %m %b %B %h %d %e %a %A %H %I %p %M %S %z %Ez %Oz %F %T %R %D %n %t %%";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

// Reads 1..|width| digits at *p.
bool Digits(const char*& p, const char* end, int width, int* out) {
  int n = 0, v = 0;
  while (n < width && p != end && IsDigit(*p)) {
    v = v * 10 + (*p - '0');
    ++p;
    ++n;
  }
  *out = v;
  return n > 0;
}

// Case-insensitive: does [p, end) start with |word|?
bool StartsWithWord(const char* p, const char* end, std::string_view word) {
  if (static_cast<std::size_t>(end - p) < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (Lower(p[i]) != word[i]) return false;
  }
  return true;
}

// An English name from |names| (full first, then its first three letters); 1-based index, or 0.
int Name(const char*& p, const char* end, const char* const* names, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string_view full = names[i];
    if (StartsWithWord(p, end, full)) {
      p += full.size();
      return i + 1;
    }
  }
  for (int i = 0; i < count; ++i) {
    const std::string_view abbr = std::string_view(names[i]).substr(0, 3);
    if (StartsWithWord(p, end, abbr)) {
      p += abbr.size();
      return i + 1;
    }
  }
  return 0;
}

constexpr const char* kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                   "july",    "august",   "september", "october", "november", "december"};
constexpr const char* kWeekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};

// ±hh[mm] (colon = false) or ±h[h][:mm] (colon = true), or Z; seconds east of UTC.
bool Offset(const char*& p, const char* end, bool colon, std::int64_t* out) {
  if (p != end && (*p == 'Z' || *p == 'z')) {
    ++p;
    *out = 0;
    return true;
  }
  if (p == end || (*p != '+' && *p != '-')) return false;
  const bool negative = *p == '-';
  ++p;
  int h = 0, m = 0;
  const char* start = p;
  if (!Digits(p, end, 2, &h)) return false;
  if (!colon && p - start != 2) return false;
  if (colon) {
    if (p != end && *p == ':') {
      ++p;
      const char* ms = p;
      if (!Digits(p, end, 2, &m) || p - ms != 2) return false;
    }
  } else if (p != end && IsDigit(*p)) {
    const char* ms = p;
    if (!Digits(p, end, 2, &m) || p - ms != 2) return false;
  }
  if (h > 18 || m > 59) return false;
  const std::int64_t v = std::int64_t{h} * 3600 + std::int64_t{m} * 60;
  *out = negative ? -v : v;
  return true;
}

constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

}  // namespace

DateFormat DateFormat::Compile(std::string_view format, std::string_view setting) {
  DateFormat f;
  auto fail = [&](std::size_t at, const std::string& what) {
    throw Error::Usage(fmt::format("{} '{}': {} (at character {}); crmkpi reads {}", setting,
                                   format, what, at + 1, kConversions));
  };
  auto add = [&](Kind k, int width) { f.items_.push_back({k, static_cast<std::uint8_t>(width)}); };
  bool year = false, month = false, day = false;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c != '%') {
      if (IsSpace(c)) {
        if (f.items_.empty() || f.items_.back().kind != Kind::kSpace) add(Kind::kSpace, 0);
      } else {
        f.items_.push_back({Kind::kLiteral, static_cast<std::uint8_t>(c)});
      }
      continue;
    }
    const std::size_t start = i;
    if (++i == format.size()) fail(start, "a '%' at the end with no conversion after it");
    int width = 0;
    for (int n = 0; i < format.size() && IsDigit(format[i]); ++i) {
      if (++n > 1 || format[i] == '0') fail(start, "a width is one digit from 1 to 4 (%2d, %4Y)");
      width = format[i] - '0';
    }
    bool modified = false;
    if (i < format.size() && (format[i] == 'E' || format[i] == 'O')) {
      modified = true;
      ++i;
    }
    if (i == format.size()) fail(start, "a '%' at the end with no conversion after it");
    const char conv = format[i];
    if (width > (conv == 'Y' ? 4 : 2) && conv != 'E' && conv != 'O') {
      fail(start, fmt::format("'%{}{}' reads at most {} digits", width, conv, conv == 'Y' ? 4 : 2));
    }
    auto w = [&](int dflt) { return width > 0 ? width : dflt; };
    if (modified && conv != 'z') {
      fail(start, fmt::format("'%{}{}' is not read; write '%{}'", format[i - 1], conv, conv));
    }
    switch (conv) {
      case 'Y': add(Kind::kYear, width > 0 ? width : 4); year = true; break;
      case 'y': add(Kind::kYear2, w(2)); year = true; break;
      case 'm': add(Kind::kMonth, w(2)); month = true; break;
      case 'b': case 'B': case 'h': add(Kind::kMonthName, 0); month = true; break;
      case 'd': case 'e': add(Kind::kDay, w(2)); day = true; break;
      case 'a': case 'A': add(Kind::kWeekdayName, 0); break;
      case 'H': add(Kind::kHour, w(2)); break;
      case 'I': add(Kind::kHour12, w(2)); break;
      case 'p': add(Kind::kAmPm, 0); break;
      case 'M': add(Kind::kMinute, w(2)); break;
      case 'S': add(Kind::kSecond, w(2)); break;
      case 'z':
        add(modified ? Kind::kOffsetColon : Kind::kOffset, 0);
        f.has_offset_ = true;
        break;
      case 'F':
        add(Kind::kYear, 4); f.items_.push_back({Kind::kLiteral, '-'});
        add(Kind::kMonth, 2); f.items_.push_back({Kind::kLiteral, '-'});
        add(Kind::kDay, 2);
        year = month = day = true;
        break;
      case 'D':
        add(Kind::kMonth, 2); f.items_.push_back({Kind::kLiteral, '/'});
        add(Kind::kDay, 2); f.items_.push_back({Kind::kLiteral, '/'});
        add(Kind::kYear2, 2);
        year = month = day = true;
        break;
      case 'T':
      case 'R':
        add(Kind::kHour, 2); f.items_.push_back({Kind::kLiteral, ':'});
        add(Kind::kMinute, 2);
        if (conv == 'T') {
          f.items_.push_back({Kind::kLiteral, ':'});
          add(Kind::kSecond, 2);
        }
        break;
      case 'n': case 't':
        if (f.items_.empty() || f.items_.back().kind != Kind::kSpace) add(Kind::kSpace, 0);
        break;
      case '%': f.items_.push_back({Kind::kLiteral, '%'}); break;
      default: {
        const bool printable = static_cast<unsigned char>(conv) >= 0x20 &&
                               static_cast<unsigned char>(conv) < 0x7F;
        fail(start, printable ? fmt::format("unknown conversion '%{}'", conv)
                              : std::string("unknown conversion after '%'"));
      }
    }
  }
  if (!year || !month || !day) {
    throw Error::Usage(fmt::format("{} '{}' has no {}: a date format needs a year, a month and a "
                                   "day (%Y or %y, %m or %b, %d; or %F)",
                                   setting, format, !year ? "year" : !month ? "month" : "day"));
  }
  return f;
}

bool DateFormat::Parse(std::string_view text, std::int64_t* local, bool* has_offset,
                       std::int64_t* offset) const {
  const char* p = text.data();
  const char* const end = p + text.size();
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int pm = -1;  // -1: no %p; 0 AM; 1 PM
  bool twelve = false;
  *has_offset = false;
  for (const Item& it : items_) {
    int v = 0;
    switch (it.kind) {
      case Kind::kLiteral:
        if (p == end || *p != static_cast<char>(it.width)) return false;
        ++p;
        break;
      case Kind::kSpace:
        while (p != end && IsSpace(*p)) ++p;
        break;
      case Kind::kYear:
        if (!Digits(p, end, it.width, &y)) return false;
        break;
      case Kind::kYear2:
        if (!Digits(p, end, it.width, &v)) return false;
        y = v < 69 ? 2000 + v : 1900 + v;
        break;
      case Kind::kMonth:
        if (!Digits(p, end, it.width, &mo) || mo < 1 || mo > 12) return false;
        break;
      case Kind::kMonthName:
        if ((mo = Name(p, end, kMonths, 12)) == 0) return false;
        break;
      case Kind::kWeekdayName:
        if (Name(p, end, kWeekdays, 7) == 0) return false;
        break;
      case Kind::kDay:
        if (!Digits(p, end, it.width, &d) || d < 1 || d > 31) return false;
        break;
      case Kind::kHour:
        if (!Digits(p, end, it.width, &h) || h > 23) return false;
        break;
      case Kind::kHour12:
        if (!Digits(p, end, it.width, &h) || h < 1 || h > 12) return false;
        twelve = true;
        break;
      case Kind::kAmPm:
        if (StartsWithWord(p, end, "a.m.") || StartsWithWord(p, end, "p.m.")) {
          pm = Lower(*p) == 'p';
          p += 4;
        } else if (StartsWithWord(p, end, "am") || StartsWithWord(p, end, "pm")) {
          pm = Lower(*p) == 'p';
          p += 2;
        } else if (StartsWithWord(p, end, "\xE5\x8D\x88\xE5\x89\x8D")) {  // 午前
          pm = 0;
          p += 6;
        } else if (StartsWithWord(p, end, "\xE5\x8D\x88\xE5\xBE\x8C")) {  // 午後
          pm = 1;
          p += 6;
        } else {
          return false;
        }
        break;
      case Kind::kMinute:
        if (!Digits(p, end, it.width, &mi) || mi > 59) return false;
        break;
      case Kind::kSecond:
        if (!Digits(p, end, it.width, &s) || s > 60) return false;
        if (s == 60) s = 59;
        break;
      case Kind::kOffset:
      case Kind::kOffsetColon:
        if (!Offset(p, end, it.kind == Kind::kOffsetColon, offset)) return false;
        *has_offset = true;
        break;
    }
  }
  if (p != end) return false;  // the format must account for the whole text
  if (d > DaysInMonth(y, mo)) return false;
  if (pm >= 0) h = (twelve ? h % 12 : h) + (pm == 1 ? 12 : 0);
  if (h > 23) return false;  // "13 PM" with %H
  *local = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
           std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + s;
  return true;
}

}  // namespace crmkpi
