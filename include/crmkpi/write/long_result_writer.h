// The long result (docs/scale.md, "The long result"): a MetricRun as one row per metric ×
// grouping × group — the contract between crmkpi and a warehouse's SQL. `crmkpi metrics`
// writes it from crmkpi's own pass; `--metrics FILE` reads it back (engine/long_result_reader.h).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/metric_def.h"
#include "crmkpi/engine/metric_engine.h"

namespace crmkpi {


// The long result as CSV: header `metric,group_by,KEYS…,period,period_start,period_end,value,
// numerator,denominator,n,censored,reason,currency,excluded`; first an `@as_of` row when the
// run's as-of came from the data (its value column holds the instant, |data_as_of_text|), then
// per metric its total (group_by empty) and each grouping's rows. Missing values are empty.
std::string WriteLongResultCsv(const std::vector<MetricDef>& metrics, const MetricRun& run,
                               const std::string& data_as_of_text);

// The same rows as JSON (docs/schema/metrics.json): {"schema_version", "crmkpi_version",
// "as_of": the data's as-of or null, "key_columns": [...], "rows": [{...}]}.
std::string WriteLongResultJson(const std::vector<MetricDef>& metrics, const MetricRun& run,
                                const std::string& data_as_of_text);

}  // namespace crmkpi
