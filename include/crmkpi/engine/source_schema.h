// The header of a row source bound to its roles, as the metric engine binds it, read before the
// pass: what a source offers (a default view's owner column, its closed or created date)
// without reading its rows. Standard input and pipes are recorded and read again by the pass.
#pragma once

#include <string>

#include "crmkpi/definition/metric_def.h"
#include "crmkpi/definition/where.h"

namespace crmkpi {

// The header of |path| (the source's first `file =`, or its --source replacement) with the
// source's roles bound (`map.ROLE`, then detection), without lookup columns. Errors as the
// pass would report them: a file that cannot be opened (at its `file =` line), a bad
// delimiter or encoding.
RowSchema ReadSourceSchema(const SourceDef& source, const std::string& path);

// What the first lines of a source's or lookup's file say besides the header: the delimiter
// read and the encoding (as EncodingName: "utf-8", "cp932", "utf-16le", …), for `crmkpi sql`,
// whose DuckDB script reads the CSV itself.
struct FileFormat {
  char delimiter = ',';
  std::string encoding;
  bool bom = false;
};
RowSchema ReadSourceSchema(const SourceDef& source, const std::string& path, FileFormat* format);
// The header of a lookup's file (errors at its `file =` line, as the pass reports them).
std::vector<std::string> ReadLookupHeader(const LookupDef& lookup, FileFormat* format);

}  // namespace crmkpi
