#include "crmkpi/error.h"

#include <fmt/format.h>

namespace crmkpi {

std::string SourceLoc::ToString() const {
  if (line == 0) return file;
  if (column == 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

Error::Error(ExitCode code, std::string message, SourceLoc loc)
    : std::runtime_error(message), code_(code), message_(std::move(message)), loc_(std::move(loc)) {
  static_cast<std::runtime_error&>(*this) = std::runtime_error(Formatted());
}

std::string Error::Formatted() const {
  std::string where = loc_.ToString();
  if (where.empty()) return message_;
  return where + ": " + message_;
}

}  // namespace crmkpi
