// A [metric] as SQL: one SELECT per grouping of the metric (its total, its period, each `by`)
// over its source's rows (source_sql.h), each returning rows of the long result (docs/scale.md)
// with every column as text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crmkpi/definition/metric_def.h"
#include "crmkpi/values/date_time.h"

#include "source_sql.h"

namespace crmkpi::sql_detail {

// The columns of the long result between group_by and period_start: the key columns (the `by`
// names, then "period"), as LongResultKeyColumns gives them.
struct LongColumns {
  std::vector<std::string> keys;
  std::vector<std::string> all;  // every column's name in the header, in order
};

// One row of the long result: "SELECT" and |values| (SQL, one per column of |columns|, in its
// order) named by the columns; the caller adds the FROM.
std::string LongRow(const Sql& sql, const LongColumns& columns, const std::vector<std::string>& values);
// One part of the excluded column: 'name=N' when the integer SQL |count| is above 0, else NULL
// (the parts are joined by JoinSkippingNull).
std::string ExcludedPart(const Sql& sql, const std::string& name, const std::string& count);
// The error (exit 2) of metric |m|, which the dialect cannot compute exactly: |what| says why.
[[noreturn]] void NotCompiled(const Sql& sql, const MetricDef& m, const std::string& what);

// The SELECTs of |m| (one per grouping). |as_of|: the instant sla lateness is counted at, as
// SQL (seconds since 1970: a number, or the data's as-of as a scalar subquery); empty: none.
std::vector<std::string> MetricSelects(SourceSql& source, const MetricDef& m,
                                       const LongColumns& columns, const std::string& as_of);

}  // namespace crmkpi::sql_detail
