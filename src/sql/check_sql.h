// A [check] as SQL: its counts over its source's rows (source_sql.h), each a row of the long
// result — metric "@check:NAME", the count's name in `reason`, the count in `value` — from
// which `crmkpi check -c … --metrics FILE` judges the check as a native run would
// (quality/check_counts.h reads them; docs/scale.md lists the counts of each check type).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/check_def.h"

#include "metric_sql.h"
#include "source_sql.h"

namespace crmkpi::sql_detail {

// What a check's timeliness ages are counted from: |seconds| an SQL expression of the instant
// (seconds since 1970, a number or an aggregate over the rows), |iso| the same as ISO 8601 UTC
// text (an SQL expression).
struct CheckAsOf {
  std::string seconds;
  std::string iso;
};

// The SELECTs of |def| (a check of |source|), each giving rows of the long result with every
// column as text. Throws Error(kUsage) naming the check for what SQL cannot express exactly in
// |source|'s dialect (the legal-form normaliser outside DuckDB and PostgreSQL, NFKC where the
// dialect has none, RE2 patterns outside DuckDB and BigQuery, a schema check outside DuckDB
// and PostgreSQL).
std::vector<std::string> CheckSelects(SourceSql& source, const CheckDef& def,
                                      const LongColumns& columns, const CheckAsOf& as_of);

// An instant (seconds since 1970, an SQL integer expression) as ISO 8601 UTC text:
// 2026-11-01T09:00:00Z.
std::string IsoUtcSql(const Sql& sql, const std::string& seconds);

}  // namespace crmkpi::sql_detail
