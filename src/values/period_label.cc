#include "crmkpi/values/period_label.h"

#include <cstddef>

#include "crmkpi/base/text.h"
#include "crmkpi/values/fiscal_calendar.h"

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
constexpr char kFiscalMark = '\x84';   // 度 (年度: a fiscal year)
constexpr char kFirstHalfMark = '\x85';   // 上期
constexpr char kSecondHalfMark = '\x86';  // 下期

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
    } else if (is("\xE5\xBA\xA6")) {
      out = kFiscalMark;
    } else if (e - p >= 6 && (is("\xE4\xB8\x8A") || is("\xE4\xB8\x8B")) &&
               std::string_view(reinterpret_cast<const char*>(p) + 3, 3) == "\xE6\x9C\x9F") {
      buf[n++] = p[2] == 0x8A ? kFirstHalfMark : kSecondHalfMark;  // 上期, 下期
      p += 6;
      continue;
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

// Label kinds from finest to coarsest (a finer label is placed in the period that holds it).
enum class LabelKind { kNone, kWeek, kMonth, kQuarter, kHalf, kYear };

struct Label {
  LabelKind kind = LabelKind::kNone;
  int year = 0;    // the calendar year (months, ISO weeks) or the fiscal year's name
  int index = 0;   // month 1..12, quarter 1..4, half 1..2, ISO week 1..53
  bool fiscal = false;  // written as a fiscal year (FY2025, 2025年度)
};

// Tries each label form on the folded text.
Label MatchLabel(const char* begin, const char* end) {
  const auto make = [](LabelKind k, int y, int i, int max, bool fiscal = false) {
    return i >= 1 && i <= max ? Label{k, y, i, fiscal} : Label{};
  };
  const auto month = [&](int y, int m) { return make(LabelKind::kMonth, y, m, 12); };
  const auto quarter = [&](int y, int q, bool f = false) {
    return make(LabelKind::kQuarter, y, q, 4, f);
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
  bool fiscal = false;
  if (c.Take('F') || c.Take('f')) {  // FY2025, FY2025 Q1, FY2025-H2
    if (!(c.Take('Y') || c.Take('y'))) return {};
    c.Take(' ');
    fiscal = true;
  }
  if (!c.Digits(4, 4, &y)) return {};
  if (fiscal) {
    if (c.AtEnd()) return Label{LabelKind::kYear, y, 1, true};
    c.TakeSeparator(" -/.");
    if (c.TakeQ() && c.Digits(1, 1, &i) && c.AtEnd()) return quarter(y, i, true);
    if ((c.Take('H') || c.Take('h')) && c.Digits(1, 1, &i) && c.AtEnd()) {
      return make(LabelKind::kHalf, y, i, 2, true);
    }
    return {};
  }
  if (c.AtEnd()) return Label{LabelKind::kYear, y, 1, false};  // 2024
  const Cursor after_year = c;
  // 2024-03, 2024/3, 2024.03
  if (c.TakeSeparator("-/.") && c.Digits(1, 2, &i) && c.AtEnd()) return month(y, i);
  // 2024-W09 (ISO week)
  c = after_year;
  if (c.Take('-') && (c.Take('W') || c.Take('w')) && c.Digits(2, 2, &i) && c.AtEnd()) {
    return make(LabelKind::kWeek, y, i, 53);
  }
  // 2024年3月, 2024年第1四半期, 2025年度, 2025年度 第1四半期, 2025年度 上期
  c = after_year;
  if (c.Take(kYearMark)) {
    const bool nendo = c.Take(kFiscalMark);
    if (nendo && c.AtEnd()) return Label{LabelKind::kYear, y, 1, true};
    if (!nendo && c.AtEnd()) return Label{LabelKind::kYear, y, 1, false};
    c.Take(' ');
    const Cursor after_kanji = c;
    if (!nendo && c.Digits(1, 2, &i) && c.Take(kMonthMark) && c.AtEnd()) return month(y, i);
    c = after_kanji;
    if (c.Take(kOrdinalMark) && c.Digits(1, 1, &i) && c.Take(kQuarterMark) && c.AtEnd()) {
      return quarter(y, i, nendo);
    }
    c = after_kanji;
    if (c.Take(kFirstHalfMark) && c.AtEnd()) return make(LabelKind::kHalf, y, 1, 2, nendo);
    c = after_kanji;
    if (c.Take(kSecondHalfMark) && c.AtEnd()) return make(LabelKind::kHalf, y, 2, 2, nendo);
    return {};
  }
  // 2024-Q1, 2024Q1, 2024 Q1, 2024/Q1, 2024.Q1; 2024-H1
  c = after_year;
  c.TakeSeparator(" -/.");
  const Cursor before_letter = c;
  if (c.TakeQ() && c.Digits(1, 1, &i) && c.AtEnd()) return quarter(y, i);
  c = before_letter;
  if ((c.Take('H') || c.Take('h')) && c.Digits(1, 1, &i) && c.AtEnd()) {
    return make(LabelKind::kHalf, y, i, 2);
  }
  return {};
}

std::int64_t DayNumberOf(const date::year_month_day& ymd) {
  return date::sys_days{ymd}.time_since_epoch().count();
}
date::year_month_day YmdOf(std::int64_t day) {
  return date::year_month_day{date::sys_days{date::days{day}}};
}

// The first day of the period a label names, in |cal|: a quarter, half or year label is one of
// the calendar's fiscal year, named as the calendar names it (start or end year).
std::int64_t LabelFirstDay(const Label& l, const Calendar& cal) {
  const auto first_of_month = [](std::int64_t month_index) {
    const std::int64_t y = month_index >= 0 ? month_index / 12 : (month_index - 11) / 12;
    const auto m = static_cast<unsigned>(month_index - y * 12 + 1);
    return DayNumberOf(date::year{static_cast<int>(y)} / date::month{m} / date::day{1});
  };
  switch (l.kind) {
    case LabelKind::kWeek: {  // ISO: week 1 holds January 4th; weeks start on Monday
      const std::int64_t jan4 = DayNumberOf(date::year{l.year} / date::January / date::day{4});
      const auto wd = static_cast<std::int64_t>(date::weekday{date::sys_days{date::days{jan4}}}.iso_encoding());
      return jan4 - (wd - 1) + (l.index - 1) * 7;
    }
    case LabelKind::kMonth:
      return first_of_month(std::int64_t{l.year} * 12 + l.index - 1);
    case LabelKind::kQuarter:
    case LabelKind::kHalf:
    case LabelKind::kYear: {
      const int start_year = l.year - (cal.name_by_end && cal.fiscal() ? 1 : 0);
      const int months = l.kind == LabelKind::kQuarter ? 3 : l.kind == LabelKind::kHalf ? 6 : 12;
      return first_of_month(std::int64_t{start_year} * 12 + (cal.fiscal_year_start - 1) +
                            std::int64_t{l.index - 1} * months);
    }
    case LabelKind::kNone:
      break;
  }
  return 0;
}

int Rank(Period kind) {
  switch (kind) {
    case Period::kWeek: return 1;
    case Period::kMonth: return 2;
    case Period::kQuarter: return 3;
    case Period::kHalf: return 4;
    case Period::kYear: return 5;
    case Period::kNone: break;
  }
  return 0;
}

}  // namespace

std::int32_t PeriodOrdinal(Period kind, const Calendar& cal, const date::year_month_day& ymd) {
  return static_cast<std::int32_t>(PeriodCodeOf(kind, cal, DayNumberOf(ymd)));
}

date::year_month_day PeriodFirstDay(Period kind, const Calendar& cal, std::int32_t ordinal) {
  return YmdOf(PeriodFirstDayOf(kind, cal, ordinal));
}

date::year_month_day PeriodLastDay(Period kind, const Calendar& cal, std::int32_t ordinal) {
  return YmdOf(PeriodLastDayOf(kind, cal, ordinal));
}

std::string PeriodOrdinalLabel(Period kind, const Calendar& cal, std::int32_t ordinal) {
  return PeriodLabelOf(kind, cal, ordinal);
}

PeriodTextStatus ParsePeriodText(std::string_view text, Period kind, const Calendar& cal,
                                 const DateParser& dates, std::int32_t* ordinal, Period* label_kind) {
  text = TrimSpace(text);
  if (text.empty()) return PeriodTextStatus::kEmpty;
  char buf[kFoldCapacity];
  const int n = Fold(text, buf);
  if (n > 0) {
    const Label label = MatchLabel(buf, buf + n);
    if (label.kind != LabelKind::kNone) {
      static constexpr Period kOf[] = {Period::kNone, Period::kWeek, Period::kMonth,
                                       Period::kQuarter, Period::kHalf, Period::kYear};
      const Period of = kOf[static_cast<int>(label.kind)];
      if (Rank(of) > Rank(kind)) {
        if (label_kind != nullptr) *label_kind = of;
        return PeriodTextStatus::kTooCoarse;
      }
      // A week label only makes weeks: a week can straddle two months.
      if (of == Period::kWeek && kind != Period::kWeek) return PeriodTextStatus::kInvalid;
      *ordinal = static_cast<std::int32_t>(PeriodCodeOf(kind, cal, LabelFirstDay(label, cal)));
      return PeriodTextStatus::kOk;
    }
  }
  Seconds t = 0;
  if (dates.Parse(text, &t) != ParseStatus::kOk) return PeriodTextStatus::kInvalid;
  *ordinal = PeriodOrdinal(kind, cal, dates.LocalDate(t));
  return PeriodTextStatus::kOk;
}

}  // namespace crmkpi
