// KPI-design lint: the seeds' checklists as rules over a KpiModel. Each finding has a rule id,
// a severity (a rule's default, or as set in the INI's [lint] section) and the INI location.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/results/report.h"

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
//   target_without_deadline (warning)  … with a target but no deadline (SMART's T)
//   deadline_passed (warning)    … whose deadline is before as_of
//   layer_mix (warning)          the tree lacks a leading or a lagging indicator
//   stale_review (warning)       last review older than ReviewLimitOf(its review frequency)
//                                before as_of
//   handoff_unmeasured (warning) two or more row sources, no duration or SLA metric
//                                (failure_signs.h)
// and, with the data (kpi_attainable.h, `crmkpi lint --data`):
//   target_unattainable (warning)  a target more than [lint] attainable_factor (2) times the
//                                best period's value (direction lower: below best ÷ factor)
// |as_of| (YYYY-MM-DD) is the day stale_review and deadline_passed count from (empty: they are
// skipped, since crmkpi never reads the clock); the model's [lint] section overrides default
// severities.
std::vector<LintFinding> LintModel(const KpiModel& model, const std::string& as_of);

// stale_review: a KPI reviewed at frequency F is stale when its last review is more than
// kReviewGrace × F's interval (ReviewIntervalDays) before as_of, and never later than
// kReviewCapDays, which is also the limit of a KPI without a frequency: daily 2 days, weekly
// 14, biweekly 28, monthly 62, quarterly and yearly 90.
constexpr int kReviewGrace = 2;
constexpr int kReviewCapDays = 90;
struct ReviewLimit {
  int days = kReviewCapDays;
  std::string why;  // the end of the finding's message: the frequency and the limit
};
ReviewLimit ReviewLimitOf(std::string_view review);

// The ids the rules about single KPIs look at: the tree's, KGIs first (metrics and constants
// included: callers skip what is no KPI), or every KPI when there is no tree.
std::vector<std::string> LintedKpis(const KpiModel& model);

// The severity of |rule| in |model| ([lint] RULE = …), else |fallback|.
LintSeverity SeverityOf(const KpiModel& model, const std::string& rule, LintSeverity fallback);

std::string_view SeverityName(LintSeverity s);

// The failure signs of the data (failure_signs.h; lint --data) as findings: rule = the sign's
// kind (input_up_results_flat, forecast_error_not_improving; warnings unless [lint] says
// otherwise), at the first KPI's section, the message followed by the remedy.
std::vector<LintFinding> SignFindings(const KpiModel& model,
                                      const std::vector<FailureSign>& signs);

}  // namespace crmkpi
