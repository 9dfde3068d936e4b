#include "crmkpi/values/period_label.h"

#include <cstddef>

#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

// Longest label after folding: "2024年第1四半期" is 10 folded bytes; anything longer is not a
// label (it may still be a date).
constexpr std::size_t kFoldCapacity = 16;

// Markers the fold writes for the kanji of the Japanese forms: bytes >= 0x80, which it never
// copies through from the input, so they cannot be confused with ASCII text.
constexpr char kYearMark = '\x80';     // 年
constexpr char kMonthMark = '\x81';    // 月
constexpr char kOrdinalMark = '\x82';  // 第
constexpr char kQuarterMark = '\x83';  // 四半期 (three characters, one marker)

// Folds |s| into |buf|: full-width digits, '－', '／', '．', 'Ｑ', 'ｑ' and the ideographic space to
// ASCII, the kanji above to their markers. Returns the length, or -1 for any other non-ASCII
// text or when it does not fit.
int Fold(std::string_view s, char* buf) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  std::size_t n = 0;
  auto is = [&](const char* seq) {
    const auto* q = reinterpret_cast<const unsigned char*>(seq);
    return e - p >= 3 && p[0] == q[0] && p[1] == q[1] && p[2] == q[2];
  };
  while (p < e) {
    if (n == kFoldCapacity) return -1;
    if (*p < 0x80) {
      buf[n++] = static_cast<char>(*p++);
      continue;
    }
    char out = 0;
    if (e - p >= 3 && p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
      out = static_cast<char>('0' + (p[2] - 0x90));
    } else if (is("\xEF\xBC\x8D")) {
      out = '-';
    } else if (is("\xEF\xBC\x8F")) {
      out = '/';
    } else if (is("\xEF\xBC\x8E")) {
      out = '.';
    } else if (is("\xEF\xBC\xB1") || is("\xEF\xBD\x91")) {
      out = 'Q';
    } else if (is("\xE3\x80\x80")) {
      out = ' ';
    } else if (is("\xE5\xB9\xB4")) {
      out = kYearMark;
    } else if (is("\xE6\x9C\x88")) {
      out = kMonthMark;
    } else if (is("\xE7\xAC\xAC")) {
      out = kOrdinalMark;
    } else if (e - p >= 9 && is("\xE5\x9B\x9B") &&
               std::string_view(reinterpret_cast<const char*>(p), 9) ==
                   "\xE5\x9B\x9B\xE5\x8D\x8A\xE6\x9C\x9F") {
      buf[n++] = kQuarterMark;
      p += 9;
      continue;
    } else {
      return -1;
    }
    buf[n++] = out;
    p += 3;
  }
  return static_cast<int>(n);
}

// A cursor over the folded text.
struct Cursor {
  const char* p;
  const char* e;

  bool AtEnd() const { return p == e; }
  bool Take(char c) {
    if (p != e && *p == c) {
      ++p;
      return true;
    }
    return false;
  }
  bool TakeQ() { return Take('Q') || Take('q'); }
  bool TakeSeparator(const char* seps) {
    for (const char* s = seps; *s; ++s) {
      if (Take(*s)) return true;
    }
    return false;
  }
  // Exactly |min|..|max| decimal digits into *v.
  bool Digits(int min, int max, int* v) {
    int n = 0, value = 0;
    while (p != e && n < max && *p >= '0' && *p <= '9') {
      value = value * 10 + (*p - '0');
      ++p;
      ++n;
    }
    if (n < min || (p != e && *p >= '0' && *p <= '9')) return false;
    *v = value;
    return true;
  }
};

enum class LabelKind { kNone, kMonth, kQuarter };

struct Label {
  LabelKind kind = LabelKind::kNone;
  int year = 0;
  int index = 0;  // month 1..12 or quarter 1..4
};

// Tries each label form on the folded text.
Label MatchLabel(const char* begin, const char* end) {
  const auto month = [](int y, int m) {
    return m >= 1 && m <= 12 ? Label{LabelKind::kMonth, y, m} : Label{};
  };
  const auto quarter = [](int y, int q) {
    return q >= 1 && q <= 4 ? Label{LabelKind::kQuarter, y, q} : Label{};
  };
  int y = 0, i = 0;
  {  // 202403
    Cursor c{begin, end};
    if (end - begin == 6 && c.Digits(6, 6, &y)) return month(y / 100, y % 100);
  }
  {  // Q1 2024, Q1-2024
    Cursor c{begin, end};
    if (c.TakeQ() && c.Digits(1, 1, &i) && c.TakeSeparator(" -/") && c.Digits(4, 4, &y) &&
        c.AtEnd()) {
      return quarter(y, i);
    }
  }
  Cursor c{begin, end};
  if (!c.Digits(4, 4, &y)) return {};
  const Cursor after_year = c;
  // 2024-03, 2024/3, 2024.03
  if (c.TakeSeparator("-/.") && c.Digits(1, 2, &i) && c.AtEnd()) return month(y, i);
  // 2024年3月, 2024年第1四半期
  c = after_year;
  if (c.Take(kYearMark)) {
    const Cursor after_kanji = c;
    if (c.Digits(1, 2, &i) && c.Take(kMonthMark) && c.AtEnd()) return month(y, i);
    c = after_kanji;
    if (c.Take(kOrdinalMark) && c.Digits(1, 1, &i) && c.Take(kQuarterMark) && c.AtEnd()) {
      return quarter(y, i);
    }
    return {};
  }
  // 2024-Q1, 2024Q1, 2024 Q1, 2024/Q1, 2024.Q1
  c = after_year;
  c.TakeSeparator(" -/.");
  if (c.TakeQ() && c.Digits(1, 1, &i) && c.AtEnd()) return quarter(y, i);
  return {};
}

std::int32_t FloorDiv(std::int32_t a, std::int32_t b) {
  const std::int32_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::int32_t PeriodOrdinal(Period kind, const date::year_month_day& ymd) {
  const std::int32_t y = static_cast<int>(ymd.year());
  const auto m = static_cast<std::int32_t>(static_cast<unsigned>(ymd.month()));
  return kind == Period::kQuarter ? y * 4 + (m - 1) / 3 : y * 12 + (m - 1);
}

date::year_month_day PeriodFirstDay(Period kind, std::int32_t ordinal) {
  const std::int32_t per_year = kind == Period::kQuarter ? 4 : 12;
  const std::int32_t y = FloorDiv(ordinal, per_year);
  const std::int32_t i = ordinal - y * per_year;  // 0-based index inside the year
  const auto month = static_cast<unsigned>(kind == Period::kQuarter ? i * 3 + 1 : i + 1);
  return date::year{y} / date::month{month} / date::day{1};
}

date::year_month_day PeriodLastDay(Period kind, std::int32_t ordinal) {
  const date::year_month_day first = PeriodFirstDay(kind, ordinal);
  const date::year_month last_month =
      first.year() / first.month() + date::months{kind == Period::kQuarter ? 2 : 0};
  return date::year_month_day{last_month / date::last};
}

std::string PeriodOrdinalLabel(Period kind, std::int32_t ordinal) {
  return FormatPeriod(kind, PeriodFirstDay(kind, ordinal));
}

PeriodTextStatus ParsePeriodText(std::string_view text, Period kind, const DateParser& dates,
                                 std::int32_t* ordinal) {
  text = TrimSpace(text);
  if (text.empty()) return PeriodTextStatus::kEmpty;
  char buf[kFoldCapacity];
  const int n = Fold(text, buf);
  if (n > 0) {
    const Label label = MatchLabel(buf, buf + n);
    if (label.kind == LabelKind::kMonth) {
      const std::int32_t month = label.year * 12 + label.index - 1;
      *ordinal = kind == Period::kQuarter ? FloorDiv(month, 3) : month;
      return PeriodTextStatus::kOk;
    }
    if (label.kind == LabelKind::kQuarter) {
      if (kind != Period::kQuarter) return PeriodTextStatus::kTooCoarse;
      *ordinal = label.year * 4 + label.index - 1;
      return PeriodTextStatus::kOk;
    }
  }
  Seconds t = 0;
  if (dates.Parse(text, &t) != ParseStatus::kOk) return PeriodTextStatus::kInvalid;
  *ordinal = PeriodOrdinal(kind, dates.LocalDate(t));
  return PeriodTextStatus::kOk;
}

}  // namespace crmkpi
