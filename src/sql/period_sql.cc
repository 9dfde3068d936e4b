// The periods of a source's rows (month, quarter, half, year in the fiscal calendar, ISO or
// Sunday weeks) as SQL over day numbers, with their labels from crmkpi's own PeriodLabelOf and
// their first and last days (period_sql.h).
#include "period_sql.h"

#include <cstdlib>

#include <fmt/format.h>

#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi::sql_detail {

namespace {

std::string Inline(const std::string&, const std::string& expr) { return "(" + expr + ")"; }

}  // namespace

std::string CivilDayText(const Sql& sql, const std::string& day, const DayTextAdd& add) {
  // Howard Hinnant's civil_from_days, for days from year 0 on: counted one era (146,097 days,
  // 400 years) later and the era taken off the year at the end, so that every operand stays
  // non-negative in January and February of year 0 too.
  const std::string z = add("z", fmt::format("({} + 719468 + 146097)", day));
  const std::string era = add("era", sql.IntDiv(z, "146097"));
  const std::string doe = add("doe", fmt::format("({} - {} * 146097)", z, era));
  const std::string yoe = add("yoe", sql.IntDiv(
      fmt::format("({0} - {1} + {2} - {3})", doe, sql.IntDiv(doe, "1460"), sql.IntDiv(doe, "36524"),
                  sql.IntDiv(doe, "146096")),
      "365"));
  const std::string doy = add("doy", fmt::format("({} - (365 * {} + {} - {}))", doe, yoe,
                                                 sql.IntDiv(yoe, "4"), sql.IntDiv(yoe, "100")));
  const std::string mp = add("mp", sql.IntDiv(fmt::format("(5 * {} + 2)", doy), "153"));
  const std::string d = fmt::format("({} - {} + 1)", doy, sql.IntDiv(fmt::format("(153 * {} + 2)", mp), "5"));
  const std::string m = fmt::format("CASE WHEN {0} < 10 THEN {0} + 3 ELSE {0} - 9 END", mp);
  const std::string y = fmt::format("({} + {} * 400 - 400 + CASE WHEN {} < 10 THEN 0 ELSE 1 END)", yoe, era, mp);
  return add("text", sql.Concat({sql.ZeroPad(y, 4), "'-'", sql.ZeroPad(m, 2), "'-'", sql.ZeroPad(d, 2)}));
}

std::string DayTextOf(const Sql& sql, const std::string& day) { return CivilDayText(sql, day, Inline); }

std::string SourceSql::DayText(const std::string& day) {
  // Each step an alias, so that no expression is repeated inside another (an engine that
  // inlines CTEs would multiply them).
  return CivilDayText(sql_, day, [&](const std::string& step, const std::string& expr) {
    return Add(0, "civil:" + day + ":" + step, expr);
  });
}

std::string DaysFromCivilOf(const Sql& sql, const std::string& y, const std::string& m,
                            const std::string& d) {
  // Howard Hinnant's days_from_civil, for years 0 and later: counted from 400 years on (one
  // era, 146,097 days, taken off at the end), so that every operand stays non-negative in
  // January and February of year 0 too.
  const std::string yy = fmt::format("({} + 400 - CASE WHEN {} <= 2 THEN 1 ELSE 0 END)", y, m);
  const std::string era = sql.IntDiv(yy, "400");
  const std::string yoe = fmt::format("({} - {} * 400)", yy, era);
  const std::string mp = sql.Mod(fmt::format("({} + 9)", m), "12");
  const std::string doy = fmt::format("({} + {} - 1)", sql.IntDiv(fmt::format("(153 * {} + 2)", mp), "5"), d);
  const std::string doe = fmt::format("({0} * 365 + {1} - {2} + {3})", yoe, sql.IntDiv(yoe, "4"),
                                      sql.IntDiv(yoe, "100"), doy);
  return fmt::format("({} * 146097 + {} - 719468 - 146097)", era, doe);
}

PeriodCols MonthPeriodCols(const Sql& sql, const Calendar& cal, Period kind, const std::string& y,
                           const std::string& m) {
  // The label of every period comes from PeriodLabelOf itself: a template per quarter or half
  // (its text around the year) and the SQL puts the year in.
  auto templated = [&](Period k, std::int64_t code_of_5555, const std::string& year) {
    const std::string label = PeriodLabelOf(k, cal, code_of_5555);
    for (const char* yr : {"5555", "5556", "5554"}) {
      const std::size_t at = label.find(yr);
      if (at == std::string::npos) continue;
      const int shift = std::atoi(yr) - 5555;
      return sql.Concat({sql.Str(label.substr(0, at)), sql.ToText(fmt::format("({} + {})", year, shift)),
                         sql.Str(label.substr(at + 4))});
    }
    return sql.Str(label);
  };
  // The fiscal year (named by its start) and the month's index in it.
  const int start = static_cast<int>(cal.fiscal_year_start);
  const std::string fy = fmt::format("({} - CASE WHEN {} < {} THEN 1 ELSE 0 END)", y, m, start);
  const std::string idx = sql.Mod(fmt::format("({} - {} + 12)", m, start), "12");  // 0..11
  const std::string dim_of = "CASE WHEN {m} = 2 THEN 28 + CASE WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 THEN 1 ELSE 0 END WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END";
  auto ymd_text = [&](const std::string& yy, const std::string& mm, const std::string& dd) {
    return sql.Concat({sql.ZeroPad(yy, 4), "'-'", sql.ZeroPad(mm, 2), "'-'", sql.ZeroPad(dd, 2)});
  };
  auto dim = [&](const std::string& yy, const std::string& mm) {
    std::string s = dim_of;
    auto rep = [&](const std::string& from, const std::string& to) {
      for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
      }
    };
    rep("{y} % 400", sql.Mod(yy, "400"));  // before "{y} % 4", its prefix
    rep("{y} % 100", sql.Mod(yy, "100"));
    rep("{y} % 4", sql.Mod(yy, "4"));
    rep("{m}", mm);
    return "(" + s + ")";
  };
  PeriodCols out;
  // A span of |months| months starting at month index |first_index| of fiscal year |fy|.
  auto span = [&](const std::string& first_index, int months) {
    const std::string a = fmt::format("({} - 1 + {})", start, first_index);
    const std::string b = fmt::format("({} - 1 + {} + {})", start, first_index, months - 1);
    const std::string sy = fmt::format("({} + {})", fy, sql.IntDiv(a, "12"));
    const std::string sm = fmt::format("({} + 1)", sql.Mod(a, "12"));
    const std::string ey = fmt::format("({} + {})", fy, sql.IntDiv(b, "12"));
    const std::string em = fmt::format("({} + 1)", sql.Mod(b, "12"));
    out.start = ymd_text(sy, sm, "1");
    out.end = ymd_text(ey, em, dim(ey, em));
  };
  switch (kind) {
    case Period::kMonth:
      out.label = sql.Concat({sql.ZeroPad(y, 4), "'-'", sql.ZeroPad(m, 2)});
      out.start = ymd_text(y, m, "1");
      out.end = ymd_text(y, m, dim(y, m));
      break;
    case Period::kQuarter: {
      const std::string q = sql.IntDiv(idx, "3");  // 0..3
      out.label = "CASE";
      for (int i = 0; i < 4; ++i) {
        out.label += fmt::format(" WHEN {} = {} THEN {}", q, i, templated(Period::kQuarter, 5555 * 4 + i, fy));
      }
      out.label += " END";
      span(fmt::format("({} * 3)", q), 3);
      break;
    }
    case Period::kHalf: {
      const std::string h = sql.IntDiv(idx, "6");
      out.label = fmt::format("CASE WHEN {} = 0 THEN {} ELSE {} END", h,
                              templated(Period::kHalf, 5555 * 2, fy), templated(Period::kHalf, 5555 * 2 + 1, fy));
      span(fmt::format("({} * 6)", h), 6);
      break;
    }
    case Period::kYear:
      out.label = templated(Period::kYear, 5555, fy);
      span("0", 12);
      break;
    case Period::kWeek:
    case Period::kNone:
      break;
  }
  return out;
}

PeriodCols WeekPeriodCols(const Sql& sql, const Calendar& cal, const std::string& first,
                          const std::function<std::string(const std::string&)>& day_text) {
  PeriodCols p;
  if (cal.week_starts_sunday) {
    const std::string text = day_text(first);
    const std::string sample = PeriodLabelOf(Period::kWeek, cal, 3);  // 1970-01-04 (a Sunday)
    p.label = sql.Concat({text, sql.Str(sample.substr(10))});
    p.start = text;
    p.end = day_text(fmt::format("({} + 6)", first));
    return p;
  }
  // ISO: the week of the year its Thursday falls in.
  const std::string thu = fmt::format("({} + 3)", first);
  const std::string ty = sql.Cast(fmt::format("substr({}, 1, 4)", day_text(thu)), sql.BigintType());
  const std::string jan1 = DaysFromCivilOf(sql, ty, "1", "1");
  const std::string week = fmt::format("({} + 1)", sql.IntDiv(fmt::format("({} - {})", thu, jan1), "7"));
  p.label = sql.Concat({sql.ZeroPad(ty, 4), "'-W'", sql.ZeroPad(week, 2)});
  p.start = day_text(first);
  p.end = day_text(fmt::format("({} + 6)", first));
  return p;
}

PeriodCols SourceSql::PeriodOf(Period kind, int c) {
  const std::string key = fmt::format("p{}_{}", static_cast<int>(kind), c);
  if (auto it = by_key_.find(key + "l"); it != by_key_.end()) {
    return {it->second, by_key_[key + "s"], by_key_[key + "e"]};
  }
  const ParsedDate date = Date(c);
  const std::string day = date.day;  // layer 3: the periods' first and last days sit in layer 4
  const Calendar& cal = def_.calendar;
  // Local y, m of the day.
  const std::string ymd = DayText(day);
  const std::string y = Add(3, key + "y", sql_.Cast(fmt::format("substr({}, 1, 4)", ymd), sql_.BigintType()));
  const std::string m = Add(3, key + "m", sql_.Cast(fmt::format("substr({}, 6, 2)", ymd), sql_.BigintType()));
  PeriodCols p;
  if (kind == Period::kWeek) {
    // The week's first day (Monday, or Sunday), an alias, then its label and bounds.
    const std::string back = sql_.Mod(fmt::format("({} + {})", day, cal.week_starts_sunday ? 4 : 3), "7");
    const std::string first = Add(3, key + "wf", fmt::format("({} - {})", day, back));
    p = WeekPeriodCols(sql_, cal, first, [&](const std::string& d) { return DayText(d); });
  } else {
    p = MonthPeriodCols(sql_, cal, kind, y, m);
  }
  PeriodCols out;
  out.label = Add(4, key + "l", fmt::format("CASE WHEN {} IS NULL THEN '' ELSE {} END", day, p.label));
  out.start = Add(4, key + "s", fmt::format("CASE WHEN {} IS NOT NULL THEN {} END", day, p.start));
  out.end = Add(4, key + "e", fmt::format("CASE WHEN {} IS NOT NULL THEN {} END", day, p.end));
  by_key_[key + "l"] = out.label;
  by_key_[key + "s"] = out.start;
  by_key_[key + "e"] = out.end;
  return out;
}

}  // namespace crmkpi::sql_detail
