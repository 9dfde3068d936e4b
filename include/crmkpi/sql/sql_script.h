// `crmkpi sql`: a KPI definition's metrics compiled to one SQL script for a warehouse
// (docs/scale.md). The script's final SELECT returns the long result — what `crmkpi metrics`
// prints for the same data — so that `report -c … --metrics FILE` and `tree -c … --metrics FILE`
// evaluate the KPIs, the tree and its attribution from the warehouse's answer.
//
// Each source becomes a chain of CTEs over its table (or, in DuckDB, its CSV file read with
// read_csv), its lookups LEFT JOINed on (one row per key, or the first/last by a date); each
// metric one SELECT per grouping, all joined by UNION ALL. What cannot be compiled exactly for
// a dialect is an Error(kUsage) naming the metric or setting, never an approximation.
#pragma once

#include <map>
#include <string>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/sql/sql_dialect.h"

namespace crmkpi {

struct SqlOptions {
  SqlDialect dialect = SqlDialect::kDuckDb;
  // --table ID=NAME: the table holding source or lookup ID (schema.table). Without one, DuckDB
  // reads the CSV file, the other dialects a table named ID.
  std::map<std::string, std::string> tables;
  std::string as_of;  // --as-of, else the definition's as_of
  std::string version;  // crmkpi's, for the script's heading
};

std::string CompileSql(const KpiModel& model, const SqlOptions& options);

}  // namespace crmkpi
