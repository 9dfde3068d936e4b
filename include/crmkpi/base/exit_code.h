// Process exit codes. Frozen: documented in docs/cli.md; never renumber.
#pragma once

namespace crmkpi {

enum class ExitCode : int {
  kOk = 0,           // success; warnings allowed
  kCheckFailed = 1,  // a data check breached its fail threshold
  kUsage = 2,        // usage or configuration error (bad flags, unknown column, bad INI)
  kInput = 3,        // input unreadable or malformed (I/O, encoding, CSV structure)
};

inline int ToInt(ExitCode code) { return static_cast<int>(code); }

}  // namespace crmkpi
