// The first records of a file, sampled to decide what its values are (the stage column, the
// order of numeric dates, a decimal comma) before the pass that reads them all.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "crmkpi/read/csv_reader.h"

namespace crmkpi {

// How many records a sample reads.
constexpr std::size_t kSampleRows = 1000;

// The values of |columns| in the first kSampleRows records of |reader| (past its header);
// *rows = how many were read. A column beyond a short record gives "". A malformed record ends
// the sample (the pass reports it where it is).
std::vector<std::vector<std::string>> SampleColumns(CsvReader* reader,
                                                    const std::vector<int>& columns,
                                                    std::size_t* rows);

}  // namespace crmkpi
