// `crmkpi check` for CI servers: the junit format of check_writer.h (JUnit XML as GitLab,
// Jenkins and Azure DevOps read it).
#pragma once

#include <string>

#include "crmkpi/definition/check_def.h"

namespace crmkpi::check_writing {

// The junit format: one testsuite per source group, one testcase per check.
std::string WriteJunit(const CheckRun& run);

}  // namespace crmkpi::check_writing
