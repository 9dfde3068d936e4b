// Where a command's output goes: stdout, or a file written to a temporary name beside it and
// renamed into place, so a reader never sees half a report and a failed run leaves the old file.
#pragma once

#include <string>
#include <string_view>

namespace crmkpi {

// Writes |data| to |path| ("" or "-" = stdout). Throws Error(kInput) naming the path when the
// file cannot be written. Returns false when stdout is a closed pipe (`| head`), which is not
// an error.
bool WriteOutput(const std::string& path, std::string_view data);

}  // namespace crmkpi
