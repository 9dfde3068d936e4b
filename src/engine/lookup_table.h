// A lookup read into memory before its source (lookup_table.cc): its rows by trimmed key,
// one per key (or the first/last by a date column), joined onto each source row by the loop.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/base/key_table.h"
#include "crmkpi/definition/metric_def.h"

namespace crmkpi::engine_detail {

struct LoadedLookup {
  const LookupDef* def = nullptr;
  std::string file;
  std::vector<std::string> header;
  std::vector<std::string> cells;  // rows × header.size()
  KeyTable index;  // trimmed key → id = row of cells
  int on_column = -1;  // in the source's schema
  int first = 0;       // first schema column of the lookup
};

// Reads |def|'s file at |path| (the file or its --source override) into memory; duplicate keys
// are Error(kInput) unless first/last picks one row per key.
LoadedLookup LoadLookup(const LookupDef& def, const std::string& path);

}  // namespace crmkpi::engine_detail
