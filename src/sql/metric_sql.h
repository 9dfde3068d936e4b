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

// The SELECTs of |m| (one per grouping). |as_of|: the instant sla lateness is counted at.
std::vector<std::string> MetricSelects(SourceSql& source, const MetricDef& m,
                                       const LongColumns& columns,
                                       const std::optional<Seconds>& as_of);

}  // namespace crmkpi::sql_detail
