// Report footers: CsvReader's look ahead after a blank line (FooterFollows, RefillAhead) and
// ChunkAfterBlank are defined in csv_footer.cc, next to the note the reader prints; the rule
// is at the top of crmkpi/read/csv_reader.h.
#pragma once

#include <string>

#include "crmkpi/read/csv_reader.h"

namespace crmkpi {

// Prints, once per input and footer line, that the report footer |footer| of the input |name|
// was left out (PrintNote: quiet under -q).
void NoteFooter(const std::string& name, const CsvFooter& footer);

}  // namespace crmkpi
