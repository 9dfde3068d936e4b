// Day numbers (days since 1970-01-01) as YYYY-MM-DD text in SQL, and the periods of a source's
// rows: SourceSql::PeriodOf and SourceSql::DayText are defined in period_sql.cc.
#pragma once

#include <functional>
#include <string>

#include "crmkpi/sql/sql_dialect.h"
#include "crmkpi/values/fiscal_calendar.h"

#include "source_sql.h"

namespace crmkpi::sql_detail {

// Names one step of the arithmetic (an alias of a layer), or inlines it: (step, expression).
using DayTextAdd = std::function<std::string(const std::string&, const std::string&)>;

// civil_from_days of |day| (year 0 on) as YYYY-MM-DD text, each step passed through |add|.
std::string CivilDayText(const Sql& sql, const std::string& day, const DayTextAdd& add);
// The same in one expression.
std::string DayTextOf(const Sql& sql, const std::string& day);
// days_from_civil: the day number of year |y|, month |m|, day |d| (integer expressions).
std::string DaysFromCivilOf(const Sql& sql, const std::string& y, const std::string& m,
                            const std::string& d);
// The period of |kind| (month, quarter, half or year of |cal|, not week) holding month |m| of
// year |y| (integer expressions): its label, as PeriodLabelOf writes it, and its first and last
// days as YYYY-MM-DD text.
PeriodCols MonthPeriodCols(const Sql& sql, const Calendar& cal, Period kind, const std::string& y,
                           const std::string& m);
// The week (ISO, or from Sunday in |cal|) starting on day |first|: its label as PeriodLabelOf
// writes it, and its first and last days as text by |day_text| (a day number's YYYY-MM-DD).
PeriodCols WeekPeriodCols(const Sql& sql, const Calendar& cal, const std::string& first,
                          const std::function<std::string(const std::string&)>& day_text);

}  // namespace crmkpi::sql_detail
