#include "crmkpi/read/header_names.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi {

std::string NormalizeHeader(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    const char c = header[i];
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t') {
      continue;
    }
    if (header.compare(i, 3, "\xE3\x80\x80") == 0) {  // U+3000 ideographic space
      i += 2;
      continue;
    }
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

namespace {

[[noreturn]] void ThrowAmbiguous(const std::vector<std::string>& header, std::string_view name,
                                 std::size_t first, std::size_t again) {
  throw Error::Usage(fmt::format(
      "column name '{}' is ambiguous: the header has '{}' (field {}) and '{}' (field {}); "
      "rename one of the columns in the file",
      name, header[first], first + 1, header[again], again + 1));
}

}  // namespace

int FindExactColumn(const std::vector<std::string>& header, std::string_view name) {
  int found = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] != name) continue;
    if (found >= 0) ThrowAmbiguous(header, name, static_cast<std::size_t>(found), i);
    found = static_cast<int>(i);
  }
  return found;
}

int FindColumn(const std::vector<std::string>& header, std::string_view name) {
  const int exact = FindExactColumn(header, name);
  if (exact >= 0) return exact;
  const std::string want = NormalizeHeader(name);
  int found = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (NormalizeHeader(header[i]) != want) continue;
    if (found >= 0) ThrowAmbiguous(header, name, static_cast<std::size_t>(found), i);
    found = static_cast<int>(i);
  }
  return found;
}

std::vector<HeaderDuplicate> FindDuplicateHeaders(const std::vector<std::string>& header) {
  std::vector<HeaderDuplicate> out;
  std::unordered_map<std::string, std::size_t> seen;  // normal form -> first field
  for (std::size_t i = 0; i < header.size(); ++i) {
    // An empty name (",," in the header) is no name to refer to; normal forms that drop
    // everything ("__") likewise.
    std::string key = NormalizeHeader(header[i]);
    if (key.empty()) continue;
    const auto [it, inserted] = seen.emplace(std::move(key), i);
    if (!inserted) out.push_back({it->second, i});
  }
  return out;
}

std::string QuoteHeaders(const std::vector<std::string>& header) {
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i) out += ", ";
    out += "'" + header[i] + "'";
  }
  if (header.size() == 1) {
    // One field holding another delimiter: the file was split on the wrong one.
    const std::string& h = header[0];
    const char* delimiter = h.find(';') != std::string::npos    ? "';'"
                            : h.find('\t') != std::string::npos ? "tab"
                            : h.find('|') != std::string::npos  ? "'|'"
                                                                : nullptr;
    if (delimiter != nullptr) {
      out += fmt::format(
          " (one column: is the file {}-separated? read it with --delimiter {} or --delimiter "
          "auto)",
          delimiter, delimiter);
    }
  }
  return out;
}

}  // namespace crmkpi
