// A forecast source's figures (forecast_accuracy, wape, mape, smape, bias, bias_percent, mae,
// rmse, mase) as SQL, with the meaning `crmkpi forecast` gives them (analysis/forecast_report.cc,
// forecast_kpis.cc, forecast_error.h): the forecast file's rows read into entries per period,
// series, category and snapshot; each key's headline forecast (its latest snapshot made by
// the period's end) joined with its actual (the deals source's won amounts closed in the
// period, or the file's own actual column); the points that are left out and why; the MASE
// scale of each series from its history before the evaluated window; the figures of the total
// and of each period.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/metric_def.h"

#include "metric_sql.h"
#include "source_sql.h"

namespace crmkpi::sql_detail {

// The analysis' CTEs, appended to |ctes| (each "name AS (…)"), and the SELECTs of |metrics|:
// one row for the total and, without a category column, one per period. |forecast| reads the
// forecast file, |deals| the actual source or is null (the file's own actual column).
// |as_of_text|: the given as-of (--as-of or [crmkpi] as_of), or empty.
std::vector<std::string> ForecastSelects(SourceSql& forecast, SourceSql* deals,
                                         const std::vector<const MetricDef*>& metrics,
                                         const LongColumns& columns, const std::string& as_of_text,
                                         const std::string& model_tz, std::vector<std::string>* ctes);

}  // namespace crmkpi::sql_detail
