// Binding the checks of `crmkpi check` to a source's header: each check's columns, limits and
// settings checked, and a schema check decided from the header (with renamed-column guesses).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/check_def.h"
#include "crmkpi/definition/where.h"
#include "crmkpi/quality/quality_run.h"
#include "check_state.h"

namespace crmkpi::quality {

// What a check is bound to: the source's header and settings, and the run's options.
struct CheckBinding {
  const CheckOptions& options;
  const RowSchema& schema;
  const StageRules& rules;
  const std::string& tz;
  const std::string& file;        // the source's input, for messages
  const std::string& as_of_text;  // the timeliness "now", printed
};

// The gated metric of a check type (CheckResult::metric): missing_percent, duplicate_percent,
// invalid_percent, stale_percent, row_count, missing_columns_percent.
const char* CheckMetricName(CheckType t);

// The state of check |def|, the |index|th of the run (definition order), bound to |b|'s header.
// Throws Error(kUsage) at the check for a bad setting; a column not in the header gives a
// result with status kError instead, so that the other checks still report.
CheckState BindCheck(std::size_t index, const CheckDef& def, const CheckBinding& b);

// A schema check's result->def against |header|: the missing, extra and likely renamed columns,
// violations and denominator, and up to |samples| samples on the header line (quality.md,
// "Row count and schema"). Also `check --metrics`, from the header a warehouse returned.
void CompareSchema(const std::vector<std::string>& header, std::size_t samples, CheckResult* result);

}  // namespace crmkpi::quality
