// KPI-design lint: the seeds' checklists as rules over a KpiModel. Each finding has a rule id,
// a severity (a rule's default, or as set in the INI's [lint] section) and the INI location.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/kpi_model.h"

namespace crmkpi {

struct LintFinding {
  std::string rule;
  LintSeverity severity = LintSeverity::kWarning;
  std::string message;
  SourceLoc loc;
};

// Rules and their default severity:
//   too_many_kgis (error)        more than 3 KGIs
//   kpi_count (warning)          fewer than 3 or more than 5 KPIs directly under a KGI
//   missing_definition (warning) a KPI in the tree without a definition text
//   missing_owner (warning)      … without an owner
//   missing_review (warning)     … without a review frequency
//   missing_target (warning)     … without a target
//   layer_mix (warning)          the tree lacks a leading or a lagging indicator
//   stale_review (warning)       last review more than 90 days before as_of
//   handoff_unmeasured (warning) two or more row sources, no duration or SLA metric
//                                (failure_signs.h)
// |as_of| (YYYY-MM-DD) is the day stale_review counts from (empty: the rule is skipped, since
// crmkpi never reads the clock); the model's [lint] section overrides default severities.
std::vector<LintFinding> LintModel(const KpiModel& model, const std::string& as_of);

std::string_view SeverityName(LintSeverity s);

}  // namespace crmkpi
