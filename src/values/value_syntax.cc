// E-mail and phone syntax validators; the accepted syntax is documented in value_syntax.h.
// Both walk the value once, code point by code point, without allocating.
#include "crmkpi/values/value_syntax.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdint>

#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

// Decodes the code point at |s[i]| into *cp; returns its byte length, 0 if the bytes there are
// not valid UTF-8.
std::size_t Decode(std::string_view s, std::size_t i, std::int32_t* cp) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i);
  if (p[0] < 0x80) {
    *cp = p[0];
    return 1;
  }
  const auto avail = static_cast<utf8proc_ssize_t>(std::min<std::size_t>(s.size() - i, 4));
  const utf8proc_ssize_t n = utf8proc_iterate(p, avail, cp);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

bool IsAsciiLetter(std::int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(std::int32_t c) { return c >= '0' && c <= '9'; }

// A non-ASCII letter, mark or digit outside the half-/full-width forms block.
bool IsInternationalAlnum(std::int32_t cp) {
  if (cp >= 0xFF00 && cp <= 0xFFEF) return false;
  const utf8proc_category_t c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO;  // L*, M*, N*
}

bool IsInternationalLetter(std::int32_t cp) {
  if (cp >= 0xFF00 && cp <= 0xFFEF) return false;
  const utf8proc_category_t c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

bool IsAtextSymbol(std::int32_t c) {
  constexpr std::string_view kSymbols = "!#$%&'*+/=?^_`{|}~-";
  return c < 0x80 && kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsLocalPart(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  for (std::size_t i = 0; i < local.size();) {
    std::int32_t cp;
    const std::size_t n = Decode(local, i, &cp);
    if (n == 0) return false;
    if (cp == '.') {
      if (local[i + 1] == '.') return false;  // not last, checked above
    } else if (cp < 0x80) {
      if (!IsAsciiLetter(cp) && !IsAsciiDigit(cp) && !IsAtextSymbol(cp)) return false;
    } else if (!IsInternationalAlnum(cp)) {
      return false;
    }
    i += n;
  }
  return true;
}

// One domain label; *letters receives how many letters it has.
bool IsLabel(std::string_view label, std::size_t* letters) {
  *letters = 0;
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (std::size_t i = 0; i < label.size();) {
    std::int32_t cp;
    const std::size_t n = Decode(label, i, &cp);
    if (n == 0) return false;
    if (IsAsciiLetter(cp) || (cp >= 0x80 && IsInternationalLetter(cp))) {
      ++*letters;
    } else if (!IsAsciiDigit(cp) && cp != '-' && !(cp >= 0x80 && IsInternationalAlnum(cp))) {
      return false;
    }
    i += n;
  }
  return true;
}

bool IsDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t labels = 0;
  std::size_t letters = 0;
  for (std::size_t start = 0;;) {
    std::size_t dot = domain.find('.', start);
    const bool last = dot == std::string_view::npos;
    if (last) dot = domain.size();
    if (!IsLabel(domain.substr(start, dot - start), &letters)) return false;
    ++labels;
    if (last) break;
    start = dot + 1;
  }
  return labels >= 2 && letters >= 2;  // |letters| is the last label's
}

// Phone separators (see value_syntax.h).
bool IsPhoneSeparator(std::int32_t cp) {
  switch (cp) {
    case ' ':
    case '\t':
    case '-':
    case '.':
    case '(':
    case ')':
    case '/':
    case 0x00A0:  // no-break space
    case 0x3000:  // ideographic space
    case 0x2212:  // minus sign
    case 0x30FC:  // ー katakana prolonged sound mark, often typed for a hyphen
    case 0xFF70:  // ｰ its half-width form
    case 0xFE63:  // ﹣ small hyphen-minus
    case 0xFF0D:  // －
    case 0xFF0E:  // ．
    case 0xFF08:  // （
    case 0xFF09:  // ）
    case 0xFF0F:  // ／
      return true;
    default:
      return cp >= 0x2010 && cp <= 0x2015;  // hyphens and dashes
  }
}

}  // namespace

bool IsEmail(std::string_view value) {
  const std::string_view v = TrimSpace(value);
  const std::size_t at = v.find('@');
  if (at == std::string_view::npos || v.find('@', at + 1) != std::string_view::npos) return false;
  return IsLocalPart(v.substr(0, at)) && IsDomain(v.substr(at + 1));
}

bool IsPhone(std::string_view value) {
  const std::string_view v = TrimSpace(value);
  std::size_t i = 0;
  std::size_t digits = 0;
  for (bool first = true; i < v.size(); first = false) {
    std::int32_t cp;
    const std::size_t n = Decode(v, i, &cp);
    if (n == 0) return false;
    i += n;
    if (first && (cp == '+' || cp == 0xFF0B)) continue;  // one leading plus
    if (IsAsciiDigit(cp) || (cp >= 0xFF10 && cp <= 0xFF19)) {
      ++digits;
    } else if (!IsPhoneSeparator(cp)) {
      return false;
    }
  }
  return digits >= 7 && digits <= 15;
}

}  // namespace crmkpi
