// The lint rule that needs the data: target_unattainable (SMART's A), run by `crmkpi lint
// --data`. Each KPI with a target (of the tree, or every KPI without one) is evaluated per
// period over the data — its metrics' own period, else [lint] attainable_period (month) of the
// metric's date: its duration's end, else its source's closed date, else its created date —
// and its target compared with the best period by the KPI's direction: higher warns when
// target > factor × best, lower when target < best ÷ factor ([lint] attainable_factor, 2).
// Negative values are not judged. docs/kpis.md, "Lint".
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/kpi_lint.h"
#include "crmkpi/read/data_warning.h"
#include "crmkpi/read/parallel_scan.h"

namespace crmkpi {

struct AttainableLint {
  std::vector<LintFinding> findings;
  // KPIs with a target that could not be judged, and why (at the KPI's section).
  std::vector<std::pair<SourceLoc, std::string>> notes;
  std::vector<DataWarning> warnings;  // from reading the data
  std::string as_of;  // the run's as-of (--as-of, the definition's, or the data's latest)
};

// Reads the definition's sources (|files| replace their `file =` lines) once per period kind
// the KPIs need, usually once. |as_of|: --as-of, empty for the definition's.
AttainableLint LintAttainable(const KpiModel& model, const std::string& as_of,
                              const std::map<std::string, std::string>& files,
                              const ParallelOptions& parallel);

// The metric's date the rule counts it by when it has no period of its own: |duration_to|,
// else "closed" when |has_closed|, else "created" when |has_created|; empty: none.
std::string AttainableDate(const MetricDef& m, bool has_closed, bool has_created);

}  // namespace crmkpi
