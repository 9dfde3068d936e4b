// Reading the long result (docs/scale.md, "The long result") back into the engine's boundary,
// a MetricRun, as if the metric engine had computed it: `report -c … --metrics FILE`, `tree -c
// … --metrics FILE` and everything built on them evaluate the KPIs from a warehouse's result
// (or `crmkpi metrics`'s) instead of reading the sources.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/definition/metric_def.h"
#include "crmkpi/engine/metric_engine.h"

namespace crmkpi {

// The columns every long result has, beside its group key columns.
inline const std::vector<std::string>& LongResultFixedColumns() {
  static const std::vector<std::string> kColumns = {
      "metric", "group_by", "period_start", "period_end", "value",    "numerator",
      "denominator", "n",  "censored",     "reason",     "currency", "excluded"};
  return kColumns;
}

// The column (CSV) or member (JSON) of group key |key|: the key itself, or "group.KEY" when
// the key is named as a fixed column (a `by = currency`, the per-currency grouping of a
// currency column named so).
std::string LongResultKeyColumn(const std::string& key);

// The group-key columns of the long result of |metrics|: every `by` name (the `as` names) in
// definition order, each once, then "period".
std::vector<std::string> LongResultKeyColumns(const std::vector<MetricDef>& metrics);

// One count of a check (a row "@check:NAME" with the count's name in reason): its value as
// written, and where.
struct LongCheckCount {
  std::string value;
  SourceLoc loc;
};

struct LongResult {
  MetricRun run;
  // The checks' counts (crmkpi sql compiles [check]s too): check name → count name → value.
  std::map<std::string, std::map<std::string, LongCheckCount>> checks;
  std::string data_as_of;  // the `@as_of` row's / "as_of" text; empty: none
  std::uint64_t rows = 0;  // data rows read (the @as_of row included)
};

// Reads |path| ("-" = standard input), CSV or JSON (detected by its first character, '{' for
// JSON), against |metrics| (the definition's): every metric must have exactly one total row,
// every row must name a metric and one of its groupings (group_by: the grouping's keys joined
// by '+', "" for the total; also the per-currency grouping of amounts in several currencies
// and an analysis source's periods, which the definition does not spell), and no metric ×
// grouping × group may repeat. Values are read as the engine makes them: counts exact,
// money exact when written with at most 4 decimals, ratios and durations as doubles.
// |tz| reads the as-of text (the definition's zone) into MetricRun::data_as_of.
//
// Errors, each at FILE:LINE:COL of the field with the column named and a hint:
// Error(kUsage) for a result that does not fit the definition (an unknown or missing metric,
// a grouping the metric does not have, a key column missing from the header);
// Error(kInput) for an unreadable file, malformed CSV or JSON, a value that is not a number,
// a duplicate row, an unknown column.
LongResult ReadLongResult(const std::string& path, const std::vector<MetricDef>& metrics,
                          const std::string& tz);

// The same from |text| (tests), named |file| in messages.
LongResult ParseLongResult(std::string_view text, const std::string& file,
                           const std::vector<MetricDef>& metrics, const std::string& tz);

}  // namespace crmkpi
