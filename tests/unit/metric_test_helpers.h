// Helpers of the metric engine's tests (metric_engine_test.cc, metric_exprs_test.cc): a source
// and a metric as an INI would define them, a run, and the cells as text for whole-table checks.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/engine/metric_engine.h"

namespace crmkpi::testing {

inline SourceDef Source(const std::string& id, const std::string& path) {
  SourceDef s;
  s.id = id;
  s.loc = {"kpi.ini", 2, 1};
  s.file = path;
  s.file_loc = {"kpi.ini", 3, 8};
  return s;
}

inline MetricDef Metric(const std::string& id, const std::string& source,
                        Aggregation aggregation = Aggregation::kCount) {
  MetricDef m;
  m.id = id;
  m.loc = {"kpi.ini", 10, 1};
  m.source = source;
  m.aggregation = aggregation;
  m.column_loc = {"kpi.ini", 12, 10};
  m.where_loc = {"kpi.ini", 13, 9};
  m.by_loc = {"kpi.ini", 14, 6};
  m.period_loc = {"kpi.ini", 15, 10};
  return m;
}

inline MetricRun Run(const std::vector<SourceDef>& sources, const std::vector<MetricDef>& metrics,
                     const std::vector<LookupDef>& lookups = {}, const std::string& tz = "") {
  return RunMetrics(sources, lookups, metrics, {}, tz);
}

inline const MetricResult& Find(const MetricRun& run, const std::string& id) {
  for (const MetricResult& r : run.metrics) {
    if (r.id == id) return r;
  }
  FAIL("no metric " << id);
  throw 0;
}

// "8700", "16.666666666666668", or "n/a EMPTY".
inline std::string Str(const MetricCell& c) {
  return c.value ? c.value->ToString() : "n/a " + c.reason;
}

inline std::string Excluded(const MetricCell& c) {
  std::string out;
  for (const auto& [reason, n] : c.excluded) {
    out += (out.empty() ? "" : " ") + reason + "=" + std::to_string(n);
  }
  return out;
}

// "value1|value2 → cell" per row, for whole-table checks.
inline std::vector<std::string> Table(const MetricGrouping& g) {
  std::vector<std::string> out;
  for (const auto& [values, cell] : g.rows) {
    std::string key;
    for (std::size_t i = 0; i < values.size(); ++i) key += (i == 0 ? "" : "|") + values[i];
    out.push_back(key + " → " + Str(cell));
  }
  return out;
}

inline const DataWarning* Warning(const MetricRun& run, const std::string& kind) {
  for (const DataWarning& w : run.warnings) {
    if (w.kind == kind) return &w;
  }
  return nullptr;
}

}  // namespace crmkpi::testing
