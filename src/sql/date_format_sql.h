// A source's date_format (values/date_format.h) as SQL: the value read item by item as
// DateFormat::Parse reads it — one regular expression with a group per item, then the checks
// Parse makes (ranges, days in the month, 12-hour clocks, offsets) and the ones a regular
// expression needs to read digits as greedily as Parse, which never backtracks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "crmkpi/sql/sql_dialect.h"
#include "crmkpi/values/date_format.h"

#include "source_sql.h"
#include "zone_sql.h"

namespace crmkpi::sql_detail {

// Names one piece of the reading (an alias of a layer): (name, expression) → the alias.
using DateAdd = std::function<std::string(const std::string&, const std::string&)>;
// days_from_civil(y, m, d) as SQL.
using CivilDays = std::function<std::string(const std::string&, const std::string&, const std::string&)>;

// The trimmed text |t| (NULL when empty) read with |format|; naive values are local times of
// |zone|, the source's time zone (zone_sql.h).
ParsedDate FormattedDateSql(const Sql& sql, const DateFormat& format, const std::string& t,
                            const std::string& key, const ZoneSql& zone, const DateAdd& add,
                            const CivilDays& days);

}  // namespace crmkpi::sql_detail
