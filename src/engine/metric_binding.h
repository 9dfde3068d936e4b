// A metric bound to its source (metric_binding.cc): its value kind and unit, and where its
// accumulators lie in each table it reports (the total, the period, each `by`).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "crmkpi/definition/metric_def.h"

#include "accumulators.h"

namespace crmkpi::engine_detail {

inline constexpr double kSecondsPerDay = 86400.0;
inline constexpr double kSecondsPerHour = 3600.0;

struct Attached {  // the total or one grouping of one metric
  int table = 0;
  std::size_t user = 0;  // position of the metric's accumulators in the table's group runs
  bool counter = false;  // a row count: |user| indexes the table's counts
  std::vector<std::string> names;
};

struct MetricState {
  const MetricDef* def = nullptr;
  std::size_t result_index = 0;
  ValueKind kind = ValueKind::kRows;
  double unit_seconds = kSecondsPerDay;
  std::vector<Attached> targets;  // [0] = the total, then the groupings in output order
};

}  // namespace crmkpi::engine_detail
