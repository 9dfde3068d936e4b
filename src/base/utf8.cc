#include "crmkpi/base/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

#include <utf8proc.h>

#include "crmkpi/base/ambiguous_width.h"
#include "crmkpi/base/terminal.h"

namespace crmkpi {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Checks the sequence starting with lead byte |p[0]| (>= 0x80) against RFC 3629 table 3.
// Returns its length, 0 if invalid, or -1 if |avail| ends it early while everything present is
// still a valid prefix.
int CheckSequence(const unsigned char* p, std::size_t avail) {
  const unsigned char c = p[0];
  int len;
  // The second byte has a lead-specific range: that is where overlongs (E0, F0), surrogates (ED)
  // and code points above U+10FFFF (F4) are excluded.
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c < 0xC2) {
    return 0;  // stray continuation byte, or C0/C1 (always overlong)
  } else if (c < 0xE0) {
    len = 2;
  } else if (c < 0xF0) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c < 0xF5) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (int k = 1; k < len; ++k) {
    if (static_cast<std::size_t>(k) >= avail) return -1;
    const unsigned char b = p[k];
    if (b < lo || b > hi) return 0;
    lo = 0x80;
    hi = 0xBF;
  }
  return len;
}

// Columns of one code point as a terminal shows it (utf8proc's Unicode tables): 2 for East Asian
// Wide and Fullwidth and for emoji presentation, 0 for combining and zero-width characters, 2
// for East Asian Ambiguous ones (─ │ ○ ①) when the terminal counts them wide.
std::size_t CodePointWidth(char32_t cp) {
  const auto c = static_cast<utf8proc_int32_t>(cp);
  if (Terminal().ambiguous_wide && IsAmbiguousWidth(cp)) return 2;
  const int w = utf8proc_charwidth(c);
  // utf8proc says 0 for what does not print (controls, unassigned); a terminal still draws a box.
  if (w == 0 && utf8proc_category(c) == UTF8PROC_CATEGORY_CN) return 1;
  return static_cast<std::size_t>(w);
}

}  // namespace

std::size_t FindInvalidUtf8(const char* data, std::size_t n, std::size_t* incomplete_tail) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  *incomplete_tail = 0;
  std::size_t i = 0;
  while (i < n) {
    // CSV exports are mostly ASCII: skip 8 bytes per step while no high bit is set.
    while (n - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p + i, sizeof word);
      if (word & kHighBits) break;
      i += 8;
    }
    // Then byte by byte up to and across the next non-ASCII sequence.
    while (i < n && p[i] < 0x80) ++i;
    if (i == n) break;
    const int len = CheckSequence(p + i, n - i);
    if (len == 0) return i;
    if (len < 0) {
      *incomplete_tail = n - i;
      return n;
    }
    i += static_cast<std::size_t>(len);
  }
  return n;
}

std::size_t DisplayWidth(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c == 0x1B && i + 1 < n && p[i + 1] == '[') {
      // An ANSI escape (colour) takes no column: ESC [ parameters final-byte.
      i += 2;
      while (i < n && (p[i] < 0x40 || p[i] > 0x7E)) ++i;
      ++i;
      continue;
    }
    if (c < 0x80) {
      ++width;
      ++i;
      continue;
    }
    const int len = CheckSequence(p + i, n - i);
    if (len <= 0) {
      ++width;  // an invalid or truncated byte shows as one replacement character
      ++i;
      continue;
    }
    char32_t cp = c & (0x7F >> len);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
    width += CodePointWidth(cp);
    i += static_cast<std::size_t>(len);
  }
  return width;
}

void AppendUtf8(char32_t cp, std::string* out) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

}  // namespace crmkpi
