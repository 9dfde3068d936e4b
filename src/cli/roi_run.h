// Internal: `crmkpi roi` from checked settings to figures — runs the KPI definition on the
// "before" and the "after" exports (kpi_run.h), evaluates the amounts (formulas over those KPIs
// and constants), applies the attribution share to the gains, and computes ROI / NPV / payback
// (roi.h) and the break-even volume.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crmkpi/base/roi.h"
#include "crmkpi/definition/formula.h"
#include "crmkpi/definition/roi_settings.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

// One term of an amount's formula and what it came to (with its sign).
struct RoiTermValue {
  std::string key;  // "gain_per_month", or "gain_per_year[2]" for a per-period list
  int sign = 1;
  std::string text;
  Value value;  // signed contribution
};

// A KPI (metric, constant) of the definition that a formula used, on both runs.
struct RoiMeasure {
  std::string id;
  std::string label;
  std::optional<Value> before, after;  // nullopt: that run's value is not used
};

// An amount key after evaluation: its items' values before the attribution share.
struct RoiAmountValue {
  std::string key;
  std::vector<Value> items;
};

struct RoiEvaluation {
  // The figures; nullopt when an amount is n/a (na_key says which, na_reason why).
  std::optional<RoiResult> result;
  std::string na_key, na_reason;
  SourceLoc na_loc;
  std::vector<RoiAmountValue> amounts;
  std::optional<Value> margin_rate, deal_size;
  std::optional<BreakEven> breakeven;  // with margin_rate
  double breakeven_cost = 0;           // the cost it covers (undiscounted, risk-adjusted)
  std::vector<RoiTermValue> terms;
  std::vector<RoiMeasure> measured;
  std::vector<InputSummary> inputs;  // the exports read: before run, then after run
  std::string as_of, as_of_source;
  std::vector<DataWarning> warnings;  // both runs; messages start with "before: "/"after: "
};

// Throws Error(kUsage) when an evaluated formula breaks a rule a literal would (a negative
// cost, a margin above 100 %), naming the key and its file:line:col.
RoiEvaluation EvaluateRoi(const RoiSettings& settings);

}  // namespace crmkpi
