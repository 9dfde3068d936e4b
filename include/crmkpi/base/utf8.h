// UTF-8 helpers: streaming validation (for the reader) and terminal display width (for tables
// with Japanese labels and names).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crmkpi {

// Validates UTF-8 in [data, data + n) (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
// Returns the offset of the first byte of the first invalid sequence, or n when everything is
// valid. A sequence cut off by the end of the range is not invalid: it is left for the next call,
// and *incomplete_tail receives its length (0..3), so a streaming caller re-validates those
// bytes together with the next chunk. Pure ASCII runs are checked a word at a time.
// Appends the UTF-8 encoding of the code point |cp| (utf8proc_encode_char).
void AppendUtf8(char32_t cp, std::string* out);

std::size_t FindInvalidUtf8(const char* data, std::size_t n, std::size_t* incomplete_tail);

// Number of terminal columns |s| occupies (utf8proc's Unicode tables): East Asian Wide and
// Fullwidth characters (CJK, kana, Hangul, full-width forms, emoji) count 2, combining marks and
// zero-width characters 0, East Asian Ambiguous ones (─ │ ○ ①) 2 when
// Terminal().ambiguous_wide else 1, everything else 1. ANSI escape sequences (colour) count 0;
// invalid bytes count 1 each.
std::size_t DisplayWidth(std::string_view s);

}  // namespace crmkpi
