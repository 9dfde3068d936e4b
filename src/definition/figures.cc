#include "crmkpi/definition/figures.h"

namespace crmkpi {

const std::vector<std::string>& AnalysisFigures(SourceKind kind) {
  static const std::vector<std::string> kDwell = {
      "dwell_entered",     "dwell_visits",    "dwell_reentries", "dwell_exited",
      "dwell_open",        "dwell_days_median", "dwell_days_mean", "dwell_days_p90",
      "dwell_days_km_median", "stage_conversion", "history_deals", "history_visits",
      "stuck_deals"};
  static const std::vector<std::string> kForecast = {
      "forecast_accuracy", "wape", "mape", "smape", "bias", "bias_percent", "mae", "rmse",
      "mase"};
  static const std::vector<std::string> kNone;
  return kind == SourceKind::kStageHistory ? kDwell
         : kind == SourceKind::kForecast   ? kForecast
                                           : kNone;
}

bool FigureNeedsStage(const std::string& figure) {
  return figure.rfind("dwell_", 0) == 0 || figure == "stage_conversion";
}

}  // namespace crmkpi
