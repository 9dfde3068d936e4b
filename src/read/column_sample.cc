#include "crmkpi/read/column_sample.h"

#include "crmkpi/base/error.h"

namespace crmkpi {

std::vector<std::vector<std::string>> SampleColumns(CsvReader* reader,
                                                    const std::vector<int>& columns,
                                                    std::size_t* rows) {
  std::vector<std::vector<std::string>> values(columns.size());
  *rows = 0;
  if (columns.empty()) return values;
  try {
    CsvRow row;
    while (*rows < kSampleRows && reader->Next(&row)) {
      ++*rows;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        const auto c = static_cast<std::size_t>(columns[i]);
        values[i].emplace_back(c < row.fields.size() ? row.fields[c] : std::string_view());
      }
    }
  } catch (const Error&) {
    // A malformed record among the first rows: the pass reports it where it is.
  }
  return values;
}

}  // namespace crmkpi
