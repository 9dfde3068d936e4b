// `crmkpi check -c kpi.ini --metrics FILE`: the checks of a definition judged from the counts a
// warehouse computed for them (the "@check:NAME" rows of the long result that `crmkpi sql`
// compiles, docs/scale.md), as RunChecks judges them from a read of the sources — the same
// counts, percents, limits and statuses. What needs the rows themselves is not there: samples
// (lines of a file) and near-duplicate candidates.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/check_def.h"
#include "crmkpi/definition/metric_def.h"
#include "crmkpi/engine/long_result_reader.h"
#include "crmkpi/quality/quality_run.h"

namespace crmkpi {

// |checks| of |sources| from |result| (read from |file|). The as-of is options.as_of (with
// options.as_of_source) when given — a timeliness count computed at another as-of is then an
// error —, else the one the result's timeliness checks were computed at (as_of_source
// |result_as_of_source|), else the clock. Throws Error(kUsage) at |file| for a check with no
// rows in the result or a count missing (a result of another definition), Error(kInput) at the
// field for a count that is not a whole number. Configuration errors (an unknown source, a bad
// limit) are RunChecks'.
CheckRun ChecksFromLongResult(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
                              const LongResult& result, const std::string& file,
                              const CheckOptions& options, const std::string& result_as_of_source);

}  // namespace crmkpi
