#include "crmkpi/base/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

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

struct WidthRange {
  char32_t first;
  char32_t last;
  unsigned char width;
};

// Sorted, non-overlapping. Zero-width entries that sit inside a wide block (U+3099..309A, the
// kana voicing marks) split that block, so one binary search answers every code point.
constexpr WidthRange kWidthRanges[] = {
    {0x0300, 0x036F, 0},    // combining diacritical marks
    {0x1100, 0x115F, 2},    // Hangul Jamo initial consonants
    {0x1AB0, 0x1AFF, 0},    // combining diacritical marks extended
    {0x1DC0, 0x1DFF, 0},    // combining diacritical marks supplement
    {0x200B, 0x200F, 0},    // zero-width space, joiners, direction marks
    {0x20D0, 0x20FF, 0},    // combining marks for symbols
    {0x2E80, 0x303E, 2},    // CJK radicals, punctuation
    {0x3041, 0x3098, 2},    // hiragana
    {0x3099, 0x309A, 0},    // combining (semi-)voiced sound marks
    {0x309B, 0x33FF, 2},    // kana, CJK compatibility
    {0x3400, 0x4DBF, 2},    // CJK extension A
    {0x4E00, 0x9FFF, 2},    // CJK unified ideographs
    {0xA000, 0xA4CF, 2},    // Yi
    {0xAC00, 0xD7A3, 2},    // Hangul syllables
    {0xF900, 0xFAFF, 2},    // CJK compatibility ideographs
    {0xFE00, 0xFE0F, 0},    // variation selectors
    {0xFE20, 0xFE2F, 0},    // combining half marks
    {0xFE30, 0xFE4F, 2},    // CJK compatibility forms
    {0xFF00, 0xFF60, 2},    // full-width forms (U+FF61.. half-width katakana stays 1)
    {0xFFE0, 0xFFE6, 2},    // full-width signs
    {0x1F300, 0x1F64F, 2},  // pictographs, emoticons
    {0x1F900, 0x1F9FF, 2},  // supplemental symbols and pictographs
    {0x20000, 0x2FFFD, 2},  // CJK extensions B..F
    {0x30000, 0x3FFFD, 2},  // CJK extension G
    // Ideographic variation selectors: Japanese names use them (e.g. 葛󠄀) and they must not
    // widen a column.
    {0xE0100, 0xE01EF, 0},
};

std::size_t CodePointWidth(char32_t cp) {
  const auto* it = std::upper_bound(std::begin(kWidthRanges), std::end(kWidthRanges), cp,
                                    [](char32_t v, const WidthRange& r) { return v < r.first; });
  if (it == std::begin(kWidthRanges)) return 1;
  --it;
  return cp <= it->last ? it->width : 1;
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

}  // namespace crmkpi
