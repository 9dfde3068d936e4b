// DataWarning: a data problem a run survived (an invalid amount, an unparseable date, a skipped
// row), counted, with its first occurrence for the user to look at. Found while reading;
// collected by WarningLog (warning_log.h) and printed by every command.
#pragma once

#include <cstdint>
#include <string>

#include "crmkpi/base/error.h"

namespace crmkpi {

// A data problem the run survived: counted, with the first occurrence for the user to look at.
struct DataWarning {
  std::string kind;    // e.g. "invalid_amount", "invalid_date", "negative_cycle", "skipped_row"
  std::string column;  // header name, empty when not about one column
  std::uint64_t count = 0;
  SourceLoc first;
  std::string sample;   // the first offending value (truncated)
  std::string message;  // human text
};

}  // namespace crmkpi
