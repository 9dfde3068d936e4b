// Internal: the 予実 section of the report's table and Markdown formats — per group × period
// of a targets table (evaluate/targets_join.h): actual, target, achievement, gap, status and the
// pace at the as-of.
#pragma once

#include <string>

#include "crmkpi/results/report.h"

namespace crmkpi {

// Empty when the report joined no targets table, or no group got a target from it.
std::string TargetsSection(const Report& report, bool markdown);

}  // namespace crmkpi
