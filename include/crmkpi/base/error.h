// Error: the one exception type that stops a run. It carries the exit code it maps to and,
// where known, the input location, so main() prints `crmkpi: FILE:LINE:COL: message`.
// Data problems that a run survives (a bad date, a short row under --lenient) are not errors:
// they are counted and reported (see deal_accumulator.h).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "crmkpi/base/exit_code.h"

namespace crmkpi {

// A place in an input: 1-based line and column (0 = unknown).
struct SourceLoc {
  std::string file;
  std::uint64_t line = 0;
  std::uint64_t column = 0;

  // "file:line:col", "file:line" or "file", whichever parts are known.
  std::string ToString() const;
};

// |text| with control characters (C0, including NUL, tab and newline, and DEL) written as
// escapes: \t, \n, \r, else \xHH. Messages quote data (a header, a value) and are printed as
// one line by printf-style code, which a raw NUL would cut and a raw CR or escape sequence
// would garble. Other bytes, including UTF-8 and invalid UTF-8, are kept.
std::string EscapeControls(std::string_view text);

// Prints `crmkpi: LOC: warning: MESSAGE` on stderr (control characters escaped), unless
// warnings are quiet. For warnings about an input's layout found while reading it (a duplicate
// header name); data warnings about values are collected in reports instead.
void PrintWarning(const SourceLoc& loc, std::string_view message);
// Prints `crmkpi: LOC: note: MESSAGE` likewise (quiet with warnings): what the reader did with
// an input that the user may not expect (a report footer left out).
void PrintNote(const SourceLoc& loc, std::string_view message);
// -q/--quiet (AddOutputOptions) sets this for the run.
void SetWarningsQuiet(bool quiet);

// The message is stored and printed with its control characters escaped (EscapeControls).
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message, SourceLoc loc = {});

  ExitCode code() const { return code_; }
  const SourceLoc& loc() const { return loc_; }
  const std::string& message() const { return message_; }

  // "FILE:LINE:COL: message" (location parts omitted when unknown).
  std::string Formatted() const;

  static Error Usage(std::string message) { return Error(ExitCode::kUsage, std::move(message)); }
  static Error Input(std::string message, SourceLoc loc = {}) {
    return Error(ExitCode::kInput, std::move(message), std::move(loc));
  }

 private:
  ExitCode code_;
  std::string message_;
  SourceLoc loc_;
};

}  // namespace crmkpi
