// `crmkpi check` as data for programs and spreadsheets: the json and csv formats of
// check_writer.h, their numbers shortest round-trip at full precision.
#pragma once

#include <string>

#include "crmkpi/definition/check_def.h"

namespace crmkpi::check_writing {

// The json format; |exit_code| decides its status.
std::string WriteJson(const CheckRun& run, int exit_code);

// The csv format: one row per check.
std::string WriteCsv(const CheckRun& run);

}  // namespace crmkpi::check_writing
