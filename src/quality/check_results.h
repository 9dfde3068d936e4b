// Finishing the results of `crmkpi check` once a source is read: each check's counts, metric
// and near-duplicate candidates, and its status against the fail and warn limits (Judge).
#pragma once

#include <string>

#include "crmkpi/quality/quality_run.h"
#include "crmkpi/values/date_time.h"
#include "check_state.h"

namespace crmkpi::quality {

// 2026-11-01T09:00:00Z
std::string IsoUtc(Seconds t);

// Completes the result of |c| (not kError) after its source's pass: the uniqueness counts and
// near-duplicate candidates, the timeliness freshness, the metric, and the status (Judge).
// |as_of| is the timeliness "now".
void FinishCheckResult(CheckState& c, Seconds as_of);

}  // namespace crmkpi::quality
