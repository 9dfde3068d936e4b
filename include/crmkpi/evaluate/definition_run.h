// Running a loaded definition: its sources read by the metric engine, its KPIs evaluated, the
// as-of settled (--as-of, else the definition's as_of, else the data's latest date when it says
// `as_of = data`). Used by `report -c`, `tree`, the views — and by the built-in report, which
// is the definition of an export's detected columns (deals_definition.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/definition/deals_definition.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/read/parallel_scan.h"

namespace crmkpi {

struct DefinitionRun {
  MetricRun metrics;
  KpiEvaluation evaluation;
  std::string as_of;  // the as-of used, YYYY-MM-DD when taken from the data; empty: none
};

// |as_of|: --as-of (any date or date-time; Error(kUsage) when unreadable), empty for the
// definition's. |files|: source id → path replacing the definition's `file =` lines.
// |overrides|: KPI, metric or constant → fixed value (what-if). |taps|: source id → another
// consumer of that source's records, fed by the same pass (row_tap.h; report --checks).
// |group_values|: keep every id's value per group (KpiEvaluation::group_values; the tree of one
// period or one owner). |given|: the metrics already computed (--metrics FILE, a long result
// read by engine/long_result_reader.h): no source is read, the KPIs are evaluated from them.
DefinitionRun RunDefinition(const KpiModel& model, const std::string& as_of,
                            const std::map<std::string, std::string>& files,
                            const std::map<std::string, double>& overrides,
                            const ParallelOptions& parallel,
                            const std::map<std::string, RowTap*>& taps = {},
                            bool group_values = false, const MetricRun* given = nullptr);

// The latest event in the rows of the sources |checks| read (as `as_of = data` finds it:
// created, changed and modified times, closed times of closed rows), by a read of those
// sources, printed in full in |tz|; empty when there is none, or when a file cannot be read
// twice (standard input, a pipe). `check -c` and `report --checks` take it as the timeliness
// as-of when the definition says `as_of = data`.
std::string ChecksAsOfFromData(const std::vector<SourceDef>& sources,
                               const std::vector<CheckDef>& checks,
                               const std::map<std::string, std::string>& files,
                               const std::string& tz, const ParallelOptions& parallel);

// `crmkpi report FILE`: the built-in definition of |in| (its files, header, roles and flags)
// run as above, presented as the built-in report (short names, no target columns). |mappings|
// are the --map roles; the others are detected in each file, as the files may differ in layout.
Report RunBuiltInReport(const DealsDefinitionInput& in, const std::vector<RoleMapping>& mappings,
                        const ParallelOptions& parallel);

}  // namespace crmkpi
