// The where language's shared spelling rule: keywords, stage words and role names are
// ASCII-case-insensitive. Used by the parser (where_parser.cc) and by RowSchema's role names
// (where_bind.cc); WhereExpr::Parse itself is declared in crmkpi/definition/where.h.
#pragma once

#include <string>
#include <string_view>

namespace crmkpi::where_internal {

// |s| with the ASCII letters A-Z lowered (other bytes kept).
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace crmkpi::where_internal
