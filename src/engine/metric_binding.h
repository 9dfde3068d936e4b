// A metric bound to its source (metric_binding.cc): its value kind and unit, and where its
// accumulators lie in each table it reports (the total, the period, each `by`).
#pragma once

#include <cstddef>
#include <optional>
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
  // The roles the value column and the duration's ends are bound to ("amount", "created"), for
  // the exclusions' names (missing_amount rather than missing_value); empty when the column
  // plays no role.
  std::string value_role, from_role, to_role;
  bool missing = false;  // `optional = true` and a column is not in the file: MISSING_COLUMN
  // Money in the row's currency (MetricDef::money): converted under [fx], else split.
  bool money = false;
  int value_column = -1;  // kAmount: the column read (its currency marks, without a column)
  // Without rates, a money metric's targets[k] again with the currency column as its last
  // key (before the period): which currencies each group's amounts are in.
  std::vector<Attached> splits;
  // Without rates, every metric of a source with money metrics: the grouping by currency,
  // reported when the source's amounts are in more than one currency.
  std::optional<Attached> by_currency;
};

// The name of exclusion |e| for |m|: missing_value → missing_amount when the value column is the
// amount role, missing_from → missing_created, from_after_as_of → created_after_as_of, …
std::string ExclusionName(const MetricState& m, int e);

}  // namespace crmkpi::engine_detail
