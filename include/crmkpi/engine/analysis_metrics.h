// Metrics of analysis sources: a [source] with `kind = stage_history` or `kind = forecast` is not
// aggregated row by row; the whole file is analysed as `crmkpi dwell` / `crmkpi forecast` would
// (stage_history.h + dwell.h, forecast_report.h), and each of its [metric]s picks one figure of
// that analysis by id — the same ids as the commands' JSON:
//   stage_history  dwell_entered, dwell_visits, dwell_reentries, dwell_exited, dwell_open,
//                  dwell_days_median, dwell_days_mean, dwell_days_p90, dwell_days_km_median
//                  (with `stage = S`), stage_conversion (with `stage = S`: S → the next stage),
//                  history_deals, history_visits, stuck_deals (totals)
//   forecast       forecast_accuracy, wape, mape, smape, bias, bias_percent, mae, rmse, mase
//                  (totals)
// The metric carries the figure's value, n, numerator/denominator, exclusions and n/a reason, so
// a KPI over it prints the same population as the command. `by`, `where` and `period` do not
// apply (an error when given).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crmkpi/definition/figures.h"
#include "crmkpi/definition/metric_def.h"
#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

// Analyses |source| (read from |path|; a forecast's deals export from |actual|, whose file is
// |actual_path|) and fills the results of |metrics| (all of that source) at |result_indexes|.
// |as_of| closes open visits / decides ended periods (empty: the data's latest date). Throws
// Error(kUsage) at a metric's INI location for an unknown stage.
void RunAnalysisSource(const SourceDef& source, const std::string& path, const SourceDef* actual,
                       const std::string& actual_path, const std::vector<const MetricDef*>& metrics,
                       const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
                       const std::optional<Seconds>& as_of, const std::string& as_of_text,
                       MetricRun* run);

}  // namespace crmkpi
