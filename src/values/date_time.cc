#include "crmkpi/values/date_time.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/values/date_format.h"

namespace crmkpi {
namespace {

constexpr Seconds kSecondsPerDay = 86400;

// Offsets between two periods of one zone differ by far less than this (the largest jumps in the
// tz database, Samoa 2011 and the LMT-era date-line moves, are about 24-32 h). Trimming a cached
// period by this margin on both sides guarantees that every local time inside the trimmed range
// maps to that period alone, so a cache hit never needs the neighbouring periods.
constexpr Seconds kCacheMargin = 2 * kSecondsPerDay;

// date::days has an int rep and date::year a short one; instants are clamped to roughly
// years -30000..30000 before any calendar arithmetic so absurd inputs cannot overflow.
constexpr Seconds kMaxAbsInstant = 30000LL * 365 * kSecondsPerDay;

// Sys_info bounds of the first/last period are far-away sentinels; clamp them so cache arithmetic
// stays comfortably inside int64.
constexpr Seconds kMaxAbsBound = Seconds{1} << 50;

// Longest automatic-form text after folding full-width characters. The longest real value,
// "2024-03-01T10:20:30.123456789+09:00", is 35 bytes; 64 leaves room for long fractions.
constexpr std::size_t kFoldCapacity = 64;

// Markers the full-width fold writes for 年 月 日. They are bytes >= 0x80, which the fold never
// copies through (it rejects non-ASCII it does not know), so they cannot come from raw input.
constexpr char kYearMark = '\x80';
constexpr char kMonthMark = '\x81';
constexpr char kDayMark = '\x82';
// 令和, 平成, 昭和 (the era before a Japanese year) and 元 (its first year, 元年).
constexpr char kReiwaMark = '\x83';
constexpr char kHeiseiMark = '\x84';
constexpr char kShowaMark = '\x85';
constexpr char kGanMark = '\x86';


// Folds full-width digits and separators to ASCII and 年月日 to the markers above, into |buf|.
// Returns the folded length, or -1 when |s| holds other non-ASCII text or does not fit (neither
// can be a date). Only called when |s| has a byte >= 0x80, so the ASCII path never pays for it.
int FoldWide(std::string_view s, char* buf) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  std::size_t n = 0;
  while (p < e) {
    if (n == kFoldCapacity) return -1;
    const unsigned char c = *p;
    if (c < 0x80) {
      buf[n++] = static_cast<char>(c);
      ++p;
      continue;
    }
    if (e - p < 3) return -1;  // every sequence we know is 3 bytes long
    const unsigned char b1 = p[1];
    const unsigned char b2 = p[2];
    char out = 0;
    // The eras, two characters each.
    if (e - p >= 6) {
      const std::string_view two(reinterpret_cast<const char*>(p), 6);
      const char era = two == "\xE4\xBB\xA4\xE5\x92\x8C"   ? kReiwaMark    // 令和
                       : two == "\xE5\xB9\xB3\xE6\x88\x90" ? kHeiseiMark   // 平成
                       : two == "\xE6\x98\xAD\xE5\x92\x8C" ? kShowaMark    // 昭和
                                                              : '\0';
      if (era != '\0') {
        buf[n++] = era;
        p += 6;
        continue;
      }
    }
    if (c == 0xEF && b1 == 0xBC) {  // U+FF00..FF3F: full-width ASCII forms
      if (b2 >= 0x90 && b2 <= 0x99) {
        out = static_cast<char>('0' + (b2 - 0x90));
      } else {
        switch (b2) {
          case 0x8F: out = '/'; break;
          case 0x8D: out = '-'; break;
          case 0x9A: out = ':'; break;
          case 0x8E: out = '.'; break;
          case 0x8B: out = '+'; break;
          case 0xB4: out = 'T'; break;
          case 0xBA: out = 'Z'; break;
          default: return -1;
        }
      }
    } else if (c == 0xE3 && b1 == 0x80 && b2 == 0x80) {
      out = ' ';  // U+3000 between the date and the time
    } else if (c == 0xE5 && b1 == 0xB9 && b2 == 0xB4) {
      out = kYearMark;  // 年
    } else if (c == 0xE6 && b1 == 0x9C && b2 == 0x88) {
      out = kMonthMark;  // 月
    } else if (c == 0xE6 && b1 == 0x97 && b2 == 0xA5) {
      out = kDayMark;  // 日
    } else if (c == 0xE5 && b1 == 0x85 && b2 == 0x83) {
      out = kGanMark;  // 元
    } else {
      return -1;
    }
    buf[n++] = out;
    p += 3;
  }
  return static_cast<int>(n);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). Written out
// rather than going through date::year_month_day so the hot path is a handful of integer ops.
constexpr Seconds DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;                                  // [0, 399]
  const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          // [0, 146096]
  return Seconds{era} * 146097 + doe - 719468;
}
static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2024, 2, 29) == 19782);
static_assert(DaysFromCivil(0, 1, 1) == -719528);

// DaysFromCivil for years 0..9999 without a branch (ParsePlainDate's dates, whose years and
// months are random from row to row): leap years in [1970, y) are those in [1, y - 1] minus
// the 477 in [1, 1969], counted 400 years later (97 leap years more) to keep the dividend
// positive for year 0.
constexpr short kDaysBeforeMonth[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
constexpr Seconds PlainDaysFromCivil(int y, int m, int d, bool leap) {
  const int x = y + 399;
  const int leaps = x / 4 - x / 100 + x / 400 - 97 - 477;
  return Seconds{365} * (y - 1970) + leaps + kDaysBeforeMonth[m] + ((m > 2) & leap) + d - 1;
}
static_assert(PlainDaysFromCivil(1970, 1, 1, false) == 0);
static_assert(PlainDaysFromCivil(2024, 2, 29, true) == DaysFromCivil(2024, 2, 29));
static_assert(PlainDaysFromCivil(2024, 3, 1, true) == DaysFromCivil(2024, 3, 1));
static_assert(PlainDaysFromCivil(0, 1, 1, true) == DaysFromCivil(0, 1, 1));
static_assert(PlainDaysFromCivil(0, 3, 1, true) == DaysFromCivil(0, 3, 1));
static_assert(PlainDaysFromCivil(9999, 12, 31, false) == DaysFromCivil(9999, 12, 31));

// Branch-free: years and months of real data are random from row to row.
constexpr bool IsLeapYear(int y) { return ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0); }

inline int DaysInMonth(int y, int m) {
  static constexpr signed char kDays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[m] + ((m == 2) & IsLeapYear(y));
}

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// Reads exactly |n| digits.
inline bool Fixed(const char*& p, const char* e, int n, int* v) {
  if (e - p < n) return false;
  int r = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(p[i])) return false;
    r = r * 10 + (p[i] - '0');
  }
  p += n;
  *v = r;
  return true;
}

// Reads one or two digits (single-digit month/day/hour in the slash and kanji forms).
inline bool OneOrTwo(const char*& p, const char* e, int* v) {
  if (p == e || !IsDigit(*p)) return false;
  int r = *p++ - '0';
  if (p != e && IsDigit(*p)) r = r * 10 + (*p++ - '0');
  *v = r;
  return true;
}

inline bool Expect(const char*& p, const char* e, char c) {
  if (p == e || *p != c) return false;
  ++p;
  return true;
}

struct AutoFields {
  Seconds local = 0;    // the wall-clock value, in seconds since 1970-01-01T00:00 local
  Seconds offset = 0;   // UTC offset, when has_offset
  bool has_offset = false;
};

// An English month name, short or full, any case ("Apr", "april", "Sept"): 1..12, else 0.
int MonthName(const char*& p, const char* e) {
  static constexpr std::string_view kNames[] = {"january", "february", "march",     "april",
                                                "may",     "june",     "july",      "august",
                                                "september", "october", "november", "december"};
  const char* q = p;
  char word[10];
  std::size_t n = 0;
  while (q != e && n < sizeof word && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')) {
    word[n++] = static_cast<char>(*q++ | 0x20);
  }
  if (n < 3 || (q != e && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))) return 0;
  const std::string_view w(word, n);
  for (int i = 0; i < 12; ++i) {
    if (w == kNames[i] || w == kNames[i].substr(0, 3) || (i == 8 && w == "sept")) {
      p = q;
      return i + 1;
    }
  }
  return 0;
}

// A two-digit year: 69–99 → 19xx, 00–68 → 20xx (as %y).
int FullYear(int y, int digits) { return digits == 2 ? (y >= 69 ? 1900 + y : 2000 + y) : y; }

// Reads a year of 4 or 2 digits.
bool Year(const char*& p, const char* e, int* y) {
  const char* q = p;
  while (q != e && IsDigit(*q)) ++q;
  const auto digits = static_cast<int>(q - p);
  if (digits != 4 && digits != 2) return false;
  Fixed(p, e, digits, y);
  *y = FullYear(*y, digits);
  return true;
}

// The date forms that do not start with a 4-digit year: M/D/Y (D/M/Y with |day_first|), D.M.Y,
// "15 Apr 2021", "15 Apr, 2021", "15-Apr-21", "Apr 15, 2021", Japanese eras (令和6年4月15日,
// 令和元年, R6.4.15, H31/4/30). Years of 2 digits are read as %y.
bool OtherDate(const char*& p, const char* e, bool day_first, int* y, int* mo, int* d) {
  int era_base = 0;  // the year before an era's first
  if (p != e && (*p == kReiwaMark || *p == kHeiseiMark || *p == kShowaMark)) {
    era_base = *p == kReiwaMark ? 2018 : *p == kHeiseiMark ? 1988 : 1925;
    ++p;
    int ey = 1;
    if (p != e && *p == kGanMark) {
      ++p;
    } else if (!OneOrTwo(p, e, &ey)) {
      return false;
    }
    *y = era_base + ey;
    return Expect(p, e, kYearMark) && OneOrTwo(p, e, mo) && Expect(p, e, kMonthMark) &&
           OneOrTwo(p, e, d) && Expect(p, e, kDayMark);
  }
  if (p != e && (*p == 'R' || *p == 'H' || *p == 'S') && e - p > 1 && IsDigit(p[1])) {
    era_base = *p == 'R' ? 2018 : *p == 'H' ? 1988 : 1925;
    ++p;
    int ey = 0;
    if (!OneOrTwo(p, e, &ey) || p == e || (*p != '.' && *p != '/' && *p != '-')) return false;
    const char sep = *p++;
    *y = era_base + ey;
    return ey >= 1 && OneOrTwo(p, e, mo) && Expect(p, e, sep) && OneOrTwo(p, e, d);
  }
  if (const int m = MonthName(p, e)) {  // Apr 15, 2021
    *mo = m;
    if (!Expect(p, e, ' ') || !OneOrTwo(p, e, d)) return false;
    if (p != e && *p == ',') ++p;
    return Expect(p, e, ' ') && Year(p, e, y);
  }
  int a = 0, b = 0;
  if (!OneOrTwo(p, e, &a) || p == e) return false;
  const char sep = *p++;
  if (sep == '/' || sep == '.' || (sep == '-' && p != e && IsDigit(*p))) {
    // M/D/Y or D/M/Y (also with '-'); D.M.Y (European)
    if (!OneOrTwo(p, e, &b) || !Expect(p, e, sep) || !Year(p, e, y)) return false;
    const bool dmy = sep == '.' || day_first;
    *mo = dmy ? b : a;
    *d = dmy ? a : b;
    return true;
  }
  if (sep == ' ' || sep == '-') {  // 15 Apr 2021, 15 Apr, 2021, 15-Apr-21
    *d = a;
    *mo = MonthName(p, e);
    if (*mo == 0) return false;
    if (p != e && *p == ',') ++p;
    return Expect(p, e, sep) && Year(p, e, y);
  }
  return false;
}

// An Excel serial day number (days since 1899-12-30, the fraction a time of day) as exports
// that went through Excel write dates: 5 digits (1927-05-18 … 2173-10-14), or 8 digits
// YYYYMMDD.
bool NumericDate(const char* p, const char* e, AutoFields* f) {
  const char* q = p;
  while (q != e && IsDigit(*q)) ++q;
  const auto digits = q - p;
  int v = 0;
  if (digits == 8 && q == e) {
    int y = 0, mo = 0, d = 0;
    Fixed(p, e, 4, &y);
    Fixed(p, e, 2, &mo);
    Fixed(p, e, 2, &d);
    if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return false;
    f->local = DaysFromCivil(y, mo, d) * kSecondsPerDay;
    return true;
  }
  if (digits != 5 || (q != e && *q != '.')) return false;
  Fixed(p, e, 5, &v);
  Seconds seconds = 0;
  if (q != e) {  // the fraction of a day, to the second
    ++q;
    if (q == e) return false;
    double frac = 0, scale = 0.1;
    for (; q != e; ++q, scale /= 10) {
      if (!IsDigit(*q)) return false;
      frac += (*q - '0') * scale;
    }
    seconds = static_cast<Seconds>(frac * kSecondsPerDay + 0.5);
  }
  f->local = (DaysFromCivil(1899, 12, 30) + v) * kSecondsPerDay + seconds;
  return true;
}

// The automatic grammar over ASCII (plus fold markers). Returns false for anything else.
bool ParseAuto(const char* p, const char* e, bool day_first, AutoFields* f) {
  if (p != e && IsDigit(*p) && IsDigit(e[-1]) && NumericDate(p, e, f)) return true;
  int y = 0, mo = 0, d = 0;
  // Offsets are accepted after the year-first numeric forms (the ISO-like ones), not after the
  // US or kanji forms, where a trailing "-5" is far more likely garbage than a zone.
  bool year_first_numeric = false;
  // Single-digit hours come with the forms Excel and Japanese tools write (slash and kanji).
  bool loose_hour = false;
  if (e - p > 4 && IsDigit(p[0]) && IsDigit(p[1]) && IsDigit(p[2]) && IsDigit(p[3])) {
    Fixed(p, e, 4, &y);
    const char sep = *p++;
    if (sep == '-' || sep == '.') {
      if (!Fixed(p, e, 2, &mo) || !Expect(p, e, sep) || !Fixed(p, e, 2, &d)) return false;
      year_first_numeric = true;
    } else if (sep == '/') {
      if (!OneOrTwo(p, e, &mo) || !Expect(p, e, '/') || !OneOrTwo(p, e, &d)) return false;
      year_first_numeric = true;
      loose_hour = true;
    } else if (sep == kYearMark) {
      if (!OneOrTwo(p, e, &mo) || !Expect(p, e, kMonthMark) || !OneOrTwo(p, e, &d) ||
          !Expect(p, e, kDayMark)) {
        return false;
      }
      loose_hour = true;
    } else {
      return false;
    }
  } else {  // M/D/YYYY, D/M/YYYY, D.M.YYYY, 15 Apr 2021, eras (OtherDate)
    if (!OtherDate(p, e, day_first, &y, &mo, &d)) return false;
    loose_hour = true;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return false;

  int h = 0, mi = 0, s = 0;
  if (p != e) {
    if (*p != 'T' && *p != ' ') return false;
    ++p;
    const bool hour_ok = loose_hour ? OneOrTwo(p, e, &h) : Fixed(p, e, 2, &h);
    if (!hour_ok || !Expect(p, e, ':') || !Fixed(p, e, 2, &mi)) return false;
    if (p != e && *p == ':') {
      ++p;
      if (!Fixed(p, e, 2, &s)) return false;
      if (p != e && *p == '.') {  // fraction: truncated, i.e. floored for a positive fraction
        ++p;
        if (p == e || !IsDigit(*p)) return false;
        while (p != e && IsDigit(*p)) ++p;
      }
    }
    // US exports (Salesforce, Excel en-US) write "3/1/2024 9:05 PM": a 12-hour clock.
    if (loose_hour && p != e) {
      const char* q = (*p == ' ') ? p + 1 : p;
      if (e - q == 2 && (q[1] == 'M' || q[1] == 'm') &&
          (q[0] == 'A' || q[0] == 'a' || q[0] == 'P' || q[0] == 'p')) {
        if (h < 1 || h > 12) return false;
        h = h % 12 + ((q[0] == 'P' || q[0] == 'p') ? 12 : 0);
        p = e;
      }
    }
    if (h > 23 || mi > 59 || s > 59) return false;
    if (p != e && year_first_numeric) {
      if (*p == 'Z' || *p == 'z') {
        ++p;
        f->has_offset = true;
      } else if (*p == '+' || *p == '-') {
        const bool neg = *p++ == '-';
        int oh = 0, om = 0;
        if (!Fixed(p, e, 2, &oh)) return false;
        if (p != e) {
          if (*p == ':') ++p;
          if (!Fixed(p, e, 2, &om)) return false;
        }
        if (om > 59 || oh * 60 + om > 18 * 60) return false;
        const Seconds off = Seconds{oh} * 3600 + Seconds{om} * 60;
        f->offset = neg ? -off : off;
        f->has_offset = true;
      }
    }
  }
  if (p != e) return false;  // trailing garbage
  f->local = DaysFromCivil(y, mo, d) * kSecondsPerDay + Seconds{h} * 3600 + Seconds{mi} * 60 + s;
  return true;
}

inline Seconds ClampBound(Seconds v) { return std::clamp(v, -kMaxAbsBound, kMaxAbsBound); }

// Caches a zone period as a local-time range, trimmed by kCacheMargin on both sides so the range
// never reaches a DST gap or overlap. A period shorter than twice the margin leaves the range
// empty (begin >= end), which simply means no cache hits.
inline void FillCache(const date::sys_info& info, Seconds* begin, Seconds* end, Seconds* offset) {
  const Seconds off = info.offset.count();
  *offset = off;
  *begin = ClampBound(info.begin.time_since_epoch().count()) + off + kCacheMargin;
  *end = ClampBound(info.end.time_since_epoch().count()) + off - kCacheMargin;
}

}  // namespace

DateParser::DateParser(std::string format, std::string tz, std::string_view setting)
    : format_(std::move(format)), tz_name_(std::move(tz)) {
  // Checked here, before any value is read: an unknown conversion (%Q) is a usage error.
  if (!format_.empty()) compiled_ = DateFormat::Compile(format_, setting);
  if (tz_name_.empty() || tz_name_ == "UTC" || tz_name_ == "Etc/UTC") return;
  try {
    zone_ = date::locate_zone(tz_name_);
  } catch (const std::exception&) {
    throw Error::Usage(
        fmt::format("unknown time zone '{}' (use an IANA name such as Asia/Tokyo)", tz_name_));
  }
  // get_info reads the zone file lazily; do the first lookup here so an unreadable zone fails at
  // startup (as a usage error) rather than as a surprise in the middle of a run.
  try {
    FillCache(zone_->get_info(date::sys_seconds{}), &cache_begin_, &cache_end_, &cache_offset_);
  } catch (const std::exception& e) {
    throw Error::Usage(fmt::format("cannot load time zone '{}': {}", tz_name_, e.what()));
  }
}

ParseStatus DateParser::Parse(std::string_view text, Seconds* out) const {
  text = TrimSpace(text);
  if (text.empty()) return ParseStatus::kEmpty;
  // The commonest export form first (equal to the paths below by its contract; tested so).
  std::int64_t day = 0;
  if (ParsePlainDate(text, out, &day)) return ParseStatus::kOk;

  if (!format_.empty()) {
    // Explicit format (date_format.h): the whole text, no allocation.
    Seconds local = 0, offset = 0;
    bool has_offset = false;
    if (!compiled_.Parse(text, &local, &has_offset, &offset)) return ParseStatus::kInvalid;
    if (local < -kMaxAbsInstant || local > kMaxAbsInstant) return ParseStatus::kInvalid;
    *out = has_offset ? local - offset : LocalToUtc(local);
    return ParseStatus::kOk;
  }

  // Automatic path: branch-light, allocation-free. Non-ASCII (full-width forms, kanji) is rare,
  // so it is detected with one OR-reduction and only then folded into a stack buffer.
  const char* p = text.data();
  const char* e = p + text.size();
  unsigned char high = 0;
  for (const char* q = p; q != e; ++q) high |= static_cast<unsigned char>(*q);
  char folded[kFoldCapacity];
  if (high & 0x80) {
    const int n = FoldWide(text, folded);
    if (n < 0) return ParseStatus::kInvalid;
    p = folded;
    e = folded + n;
  }
  AutoFields f;
  if (!ParseAuto(p, e, day_first_, &f)) return ParseStatus::kInvalid;
  *out = f.has_offset ? f.local - f.offset : LocalToUtc(f.local);
  return ParseStatus::kOk;
}

bool DateParser::ParsePlainDate(std::string_view text, Seconds* instant,
                                std::int64_t* day) const {
  if (text.size() != 10 || !format_.empty()) return false;
  // Eight bytes at once: XOR with "0000-00-" maps a digit to its value (0..9) and only a digit
  // there, and a '-' to 0; anything else leaves a byte >= 10 or a dash byte non-zero.
  std::uint64_t head = 0;  // "YYYY-MM-", byte i = text[i] (little-endian)
  std::memcpy(&head, text.data(), 8);
  head ^= 0x2D30302D30303030ull;
  constexpr std::uint64_t kDashes = 0xFF0000FF00000000ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  // A byte's high bit after + 0x76 means it was >= 10 (a carry out of a byte only comes from
  // a byte that is >= 0x8A itself, so it cannot make a bad text look good).
  if ((head & kDashes) != 0 || ((head + 0x7676767676767676ull) | head) & kHigh) return false;
  const unsigned d1 = static_cast<unsigned char>(text[8]) - '0';
  const unsigned d2 = static_cast<unsigned char>(text[9]) - '0';
  if (d1 > 9 || d2 > 9) return false;
  auto digit = [head](int i) { return static_cast<int>((head >> (8 * i)) & 0xFF); };
  const int y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const int mo = digit(5) * 10 + digit(6);
  const int d = static_cast<int>(d1 * 10 + d2);
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return false;
  const Seconds days = PlainDaysFromCivil(y, mo, d, IsLeapYear(y));
  const Seconds local = days * kSecondsPerDay;
  Seconds t = local;
  if (zone_ != nullptr) {
    // Inside the cached period (trimmed away from every transition) midnight exists once, so
    // the instant is local - offset and LocalDate of it is this very day. Elsewhere (a first
    // date of a period, or a midnight a DST jump skips, whose instant lies on the next day)
    // the general path decides, and refills the cache.
    if (local < cache_begin_ || local >= cache_end_) return false;
    t = local - cache_offset_;
  }
  *instant = t;
  *day = days;
  return true;
}

Seconds DateParser::LocalToUtc(Seconds local) const {
  if (zone_ == nullptr) return local;
  // Hot path: the same zone period as the previous row.
  if (local >= cache_begin_ && local < cache_end_) return local - cache_offset_;

  const date::local_info info = zone_->get_info(date::local_seconds{std::chrono::seconds{local}});
  const Seconds off = info.first.offset.count();
  switch (info.result) {
    case date::local_info::unique:
      FillCache(info.first, &cache_begin_, &cache_end_, &cache_offset_);
      return local - off;
    case date::local_info::nonexistent:
      // A wall time skipped by a DST jump: like choose::earliest, the instant of the jump
      // (02:30 on the New York spring-forward day becomes 03:00 EDT).
      return info.first.end.time_since_epoch().count();
    case date::local_info::ambiguous:
      // A wall time that happens twice: choose::earliest, i.e. the first (pre-transition) offset.
      return local - off;
  }
  return local - off;
}

date::year_month_day DateParser::LocalDate(Seconds t) const {
  t = std::clamp(t, -kMaxAbsInstant, kMaxAbsInstant);
  Seconds off = 0;
  if (zone_ != nullptr) {
    // The cache holds a local-time range [begin, end) with one offset; the same period in UTC is
    // [begin - offset, end - offset), so period bucketing shares the cache with Parse.
    if (t >= cache_begin_ - cache_offset_ && t < cache_end_ - cache_offset_) {
      off = cache_offset_;
    } else {
      FillCache(zone_->get_info(date::sys_seconds{std::chrono::seconds{t}}), &cache_begin_,
                &cache_end_, &cache_offset_);
      off = cache_offset_;
    }
  }
  const Seconds local = t + off;
  // Floor division: -1 s is 1969-12-31, not 1970-01-01.
  Seconds days = local / kSecondsPerDay;
  if (local % kSecondsPerDay < 0) --days;
  return date::year_month_day{date::sys_days{date::days{static_cast<int>(days)}}};
}

std::string DateParser::FormatInstant(Seconds t) const {
  t = std::clamp(t, -kMaxAbsInstant, kMaxAbsInstant);
  Seconds off = 0;
  if (zone_ != nullptr) {
    off = zone_->get_info(date::sys_seconds{std::chrono::seconds{t}}).offset.count();
  }
  const Seconds local = t + off;
  Seconds days = local / kSecondsPerDay;
  Seconds secs = local % kSecondsPerDay;
  if (secs < 0) {
    --days;
    secs += kSecondsPerDay;
  }
  const date::year_month_day ymd{date::sys_days{date::days{static_cast<int>(days)}}};
  std::string out = fmt::format("{}T{:02}:{:02}:{:02}", FormatDate(ymd), secs / 3600,
                                secs / 60 % 60, secs % 60);
  if (zone_ == nullptr || off == 0) return out + "Z";
  const Seconds a = off < 0 ? -off : off;
  return out + fmt::format("{}{:02}:{:02}", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

DateOrderEvidence DecideDateOrder(const std::vector<std::string>& values) {
  DateOrderEvidence ev;
  for (const std::string& raw : values) {
    const std::string_view v = TrimSpace(raw);
    const char* p = v.data();
    const char* e = p + v.size();
    int a = 0, b = 0;
    if (!OneOrTwo(p, e, &a) || p == e || (*p != '/' && *p != '-')) continue;
    const char sep = *p++;
    if (!OneOrTwo(p, e, &b) || !Expect(p, e, sep)) continue;
    int y = 0;
    if (!Year(p, e, &y) || (p != e && *p != ' ' && *p != 'T')) continue;
    if (a > 12 && b <= 12) {
      if (ev.dmy++ == 0) ev.dmy_example = raw;
    } else if (b > 12 && a <= 12) {
      if (ev.mdy++ == 0) ev.mdy_example = raw;
    } else if (a <= 12 && b <= 12 && a != b) {
      if (ev.ambiguous++ == 0) ev.ambiguous_example = raw;
    }
  }
  ev.order = ev.dmy && ev.mdy ? DateOrder::kConflict
             : ev.dmy         ? DateOrder::kDmy
             : ev.mdy         ? DateOrder::kMdy
             : ev.ambiguous   ? DateOrder::kAmbiguous
                              : DateOrder::kNone;
  return ev;
}

// Into |out| without allocating (labels fit the short-string buffer).
void FormatPeriod(Period kind, const date::year_month_day& ymd, std::string* out) {
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  char buf[24];
  int len = 0;
  switch (kind) {
    case Period::kWeek: {
      // ISO 8601: the week (Monday first) belongs to the year of its Thursday.
      const date::sys_days d{ymd};
      const int iso_weekday = static_cast<int>(date::weekday{d}.iso_encoding());  // Mon = 1
      const date::sys_days thursday = d + date::days{4 - iso_weekday};
      const date::year_month_day t{thursday};
      const date::sys_days jan1{t.year() / date::January / 1};
      const auto week = static_cast<unsigned>((thursday - jan1).count() / 7 + 1);
      len = std::snprintf(buf, sizeof buf, "%04d-W%02u", static_cast<int>(t.year()), week);
      break;
    }
    case Period::kMonth:
      len = std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
      break;
    case Period::kQuarter:
      len = std::snprintf(buf, sizeof buf, "%04d-Q%u", y, (m - 1) / 3 + 1);
      break;
    case Period::kHalf:
      len = std::snprintf(buf, sizeof buf, "%04d-H%u", y, (m - 1) / 6 + 1);
      break;
    case Period::kYear:
      len = std::snprintf(buf, sizeof buf, "%04d", y);
      break;
    case Period::kNone:
      break;
  }
  out->assign(buf, static_cast<std::size_t>(std::max(len, 0)));
}

std::string FormatPeriod(Period period, const date::year_month_day& ymd) {
  std::string out;
  FormatPeriod(period, ymd, &out);
  return out;
}

std::string FormatDate(const date::year_month_day& ymd) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::optional<double> ParseDurationSeconds(std::string_view text) {
  std::string_view t = TrimSpace(text);
  if (t.size() < 2) return std::nullopt;
  const char unit = t.back();
  const double scale = unit == 'd' ? 86400.0 : unit == 'h' ? 3600.0 : unit == 'm' ? 60.0
                       : unit == 's' ? 1.0 : 0.0;
  if (scale == 0.0) return std::nullopt;
  t = TrimSpace(t.substr(0, t.size() - 1));
  if (t.empty()) return std::nullopt;
  for (char c : t) {
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v * scale;
}

std::string InvalidDateMessage(std::string_view date_format, std::string_view setting) {
  if (!date_format.empty()) return fmt::format("does not match {} '{}'", setting, date_format);
  return fmt::format("is not a date (accepted: YYYY-MM-DD, ISO date-times, YYYY/MM/DD, "
                     "M/D/YYYY [h:mm AM/PM] (D/M/YYYY when the values say so), D.M.YYYY, "
                     "15 Apr 2021, Apr 15, 2021, 2024年3月1日, 令和6年3月1日, R6.3.1, YYYYMMDD, "
                     "Excel day numbers; see {})",
                     setting);
}

}  // namespace crmkpi
