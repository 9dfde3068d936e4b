// Internal: the data-quality scorecard of `crmkpi check -f html` (and of report --checks): the
// status counts, each check's value against its limit as bars and in a table (status as text and
// shape), and the sample rows of each failing or warning check. Numbers carry data-json
// pointers into the check JSON of the same run (under |prefix|).
#pragma once

#include <string>

#include "crmkpi/definition/check_def.h"

namespace crmkpi::html {

std::string ChecksBody(const CheckRun& run, int exit_code, const std::string& prefix);

std::string ChecksPage(const CheckRun& run, int exit_code);

}  // namespace crmkpi::html
