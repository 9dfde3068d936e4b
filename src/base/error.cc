#include "crmkpi/base/error.h"

#include <cstdio>

#include <fmt/format.h>

namespace crmkpi {

namespace {
bool quiet_warnings = false;
}  // namespace

std::string EscapeControls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7F) {
      out.push_back(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return out;
}

void PrintWarning(const SourceLoc& loc, std::string_view message) {
  if (quiet_warnings) return;
  const std::string where = loc.ToString();
  const std::string line = fmt::format("crmkpi: {}{}warning: {}\n", where,
                                       where.empty() ? "" : ": ", EscapeControls(message));
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void PrintNote(const SourceLoc& loc, std::string_view message) {
  if (quiet_warnings) return;
  const std::string where = loc.ToString();
  const std::string line = fmt::format("crmkpi: {}{}note: {}\n", where, where.empty() ? "" : ": ",
                                       EscapeControls(message));
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void SetWarningsQuiet(bool quiet) { quiet_warnings = quiet; }

std::string SourceLoc::ToString() const {
  const std::string name = EscapeControls(file);
  if (line == 0) return name;
  if (column == 0) return fmt::format("{}:{}", name, line);
  return fmt::format("{}:{}:{}", name, line, column);
}

Error::Error(ExitCode code, std::string message, SourceLoc loc)
    : std::runtime_error(message),
      code_(code),
      message_(EscapeControls(message)),
      loc_(std::move(loc)) {
  static_cast<std::runtime_error&>(*this) = std::runtime_error(Formatted());
}

std::string Error::Formatted() const {
  std::string where = loc_.ToString();
  if (where.empty()) return message_;
  return where + ": " + message_;
}

}  // namespace crmkpi
