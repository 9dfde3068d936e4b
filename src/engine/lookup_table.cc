// Reading a lookup into memory: its header, its key column, and one row per key (the first or
// last by a date column when the lookup is an event log), with errors naming both lines.
#include "lookup_table.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/header_names.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/date_time.h"

#include "setting_errors.h"

namespace crmkpi::engine_detail {

LoadedLookup LoadLookup(const LookupDef& def, const std::string& path) {
  LoadedLookup l;
  l.def = &def;
  const std::string what = fmt::format("lookup '{}'", def.id);
  const CsvOptions csv = CsvOptionsFor(def.delimiter, what, def.loc);
  const Encoding encoding =
      Located(def.loc, what + ": ", [&] { return ParseEncoding(def.encoding); });
  CsvReader reader(
      OpenDefinedInput(path, encoding, nullptr, path == def.file ? def.file_loc : SourceLoc{}, what),
      csv);
  l.file = reader.name();
  l.header = reader.ReadHeader();
  const int key = FindColumn(l.header, def.key);
  if (key < 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("{}: key column '{}' is not in {} (the header has {})", what,
                            def.key, reader.name(), QuoteHeaders(l.header)),
                def.loc);
  }
  // first/last = COLUMN: many rows per key, keep the earliest / latest by that date.
  const std::string& pick_name = def.first.empty() ? def.last : def.first;
  const bool pick = !pick_name.empty();
  const int pick_column = pick ? FindColumn(l.header, pick_name) : -1;
  if (pick && pick_column < 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("{}: {} column '{}' is not in {} (the header has {})", what,
                            def.first.empty() ? "last" : "first", pick_name, reader.name(),
                            QuoteHeaders(l.header)),
                def.pick_loc.line > 0 ? def.pick_loc : def.loc);
  }
  const DateParser dates;
  std::vector<Seconds> picked;  // per key: the date of the row kept
  std::vector<std::uint64_t> lines;
  CsvRow row;
  const std::size_t width = l.header.size();
  while (reader.Next(&row)) {
    if (row.fields.size() != width) {
      throw Error::Input(fmt::format("{}: record has {} field{} but the header has {}", what,
                                     row.fields.size(), row.fields.size() == 1 ? "" : "s",
                                     width),
                         reader.Locate(std::min(row.fields.size(), width)));
    }
    const std::string_view k = TrimSpace(row.fields[static_cast<std::size_t>(key)]);
    if (k.empty()) continue;  // can never match: an empty source key is missing
    Seconds t = 0;
    if (pick &&
        dates.Parse(row.fields[static_cast<std::size_t>(pick_column)], &t) != ParseStatus::kOk) {
      continue;  // a row without a valid date can be neither first nor last
    }
    bool inserted = false;
    const std::uint32_t id = l.index.FindOrInsert(k, &inserted);
    if (inserted) {
      lines.push_back(row.line);
      picked.push_back(t);
      for (std::string_view f : row.fields) l.cells.emplace_back(f);
      continue;
    }
    if (!pick) {
      throw Error::Input(
          fmt::format("{}: duplicate key '{}' in column '{}' at lines {} and {} (for an event "
                      "log, keep one row per key with first = DATE_COLUMN or last = "
                      "DATE_COLUMN)",
                      what, k, l.header[static_cast<std::size_t>(key)], lines[id], row.line),
          reader.Locate(static_cast<std::size_t>(key)));
    }
    const bool better = def.first.empty() ? t > picked[id] : t < picked[id];
    if (!better) continue;  // ties: the earlier row stays
    picked[id] = t;
    lines[id] = row.line;
    for (std::size_t j = 0; j < width; ++j) {
      l.cells[std::size_t{id} * width + j].assign(row.fields[j]);
    }
  }
  return l;
}

}  // namespace crmkpi::engine_detail
