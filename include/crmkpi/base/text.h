// Small text helpers shared by the parsers and the writers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

// Trims ASCII whitespace and U+3000 (ideographic space) from both ends: the loops of
// TrimSpace, for a value whose first or last byte may start or end a space.
[[gnu::noinline]] inline std::string_view TrimSpaceEnds(std::string_view s) {
  auto ascii_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  auto ideographic_space = [](const char* p) {  // U+3000 = E3 80 80
    return p[0] == '\xE3' && p[1] == '\x80' && p[2] == '\x80';
  };
  for (;;) {
    if (!s.empty() && ascii_space(s.front())) {
      s.remove_prefix(1);
    } else if (s.size() >= 3 && ideographic_space(s.data())) {
      s.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && ascii_space(s.back())) {
      s.remove_suffix(1);
    } else if (s.size() >= 3 && ideographic_space(s.data() + s.size() - 3)) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// Trims ASCII whitespace and U+3000 (ideographic space) from both ends. Inline: the value
// parsers call it for every field they read, and most fields have neither, which two byte tests
// tell (an ASCII space is at most ' '; U+3000 is E3 80 80).
[[gnu::always_inline]] inline std::string_view TrimSpace(std::string_view s) {
  if (s.empty()) return s;
  const auto first = static_cast<unsigned char>(s.front());
  const auto last = static_cast<unsigned char>(s.back());
  if (first > ' ' && first != 0xE3 && last > ' ' && last != 0x80) return s;
  return TrimSpaceEnds(s);
}

// Levenshtein distance over bytes, for "did you mean" hints.
std::size_t EditDistance(std::string_view a, std::string_view b);

// " (did you mean 'X'?)" for the |known| word closest to |word| when it is close enough (at most
// max(2, |word| / 3) edits), else "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& known);

// Splits "a,b,c" on commas, trimming each item; empty items are dropped.
std::vector<std::string> SplitList(std::string_view s, char sep = ',');

// "1234567" -> "1,234,567"; |digits| is an optional sign followed by decimal digits and an
// optional fraction, which is kept as is.
std::string GroupThousands(std::string_view digits);

// |s| with a leading apostrophe when it starts with =, +, -, @, tab or CR, so that a spreadsheet
// shows it as text instead of running it as a formula (OWASP CSV injection); else |s| as is.
// For text cells only: numbers are written as numbers (a -5 stays -5).
std::string NeutraliseFormula(std::string_view s);

// A text CSV field: neutralised (NeutraliseFormula), then quoted (RFC 4180) only when it holds
// the delimiter, a quote, CR or LF, or leading/trailing spaces. Numbers are written without it.
std::string CsvField(std::string_view text);

// Pads |s| with spaces to |width| terminal columns (DisplayWidth), left or right aligned.
std::string PadRight(std::string_view s, std::size_t width);
std::string PadLeft(std::string_view s, std::size_t width);

}  // namespace crmkpi
