// Errors about a source's or lookup's settings at their INI location: the delimiter, and the
// settings the library's constructors check without knowing the INI (Located).
#pragma once

#include <string>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/read/csv_reader.h"

namespace crmkpi::engine_detail {

inline CsvOptions CsvOptionsFor(const std::string& delimiter, const std::string& what,
                                const SourceLoc& loc) {
  try {
    return ParseDelimiter(delimiter);
  } catch (const Error& e) {
    throw Error(ExitCode::kUsage, fmt::format("{}: {}", what, e.message()), loc);
  }
}

// Runs |f|; an Error without a location gets |loc| and |prefix| (settings checked by the
// library's constructors, which do not know the INI).
template <typename F>
auto Located(const SourceLoc& loc, const std::string& prefix, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.loc().file.empty()) throw;
    throw Error(e.code(), prefix + e.message(), loc);
  }
}

inline const SourceLoc& Prefer(const SourceLoc& specific, const SourceLoc& fallback) {
  return specific.file.empty() && specific.line == 0 ? fallback : specific;
}

}  // namespace crmkpi::engine_detail
