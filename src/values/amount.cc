#include "crmkpi/values/amount.h"

#include <bit>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <limits>
#include <string_view>

#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

constexpr std::uint64_t kMaxMagnitude = std::numeric_limits<std::int64_t>::max();
// Largest integer part whose scaled value still fits (922,337,203,685,477). Checked digit by
// digit, so the accumulator itself can never overflow.
constexpr std::uint64_t kMaxIntegerPart = kMaxMagnitude / kAmountScale;
// The fast path takes at most this many integer digits: 10^14 * 10^4 fits in int64 with room to
// spare, so it needs no overflow checks at all.
constexpr std::ptrdiff_t kFastMaxIntegerDigits = 14;
constexpr std::ptrdiff_t kScaleDigits = 4;  // log10(kAmountScale)
static_assert(kAmountScale == 10000, "kScaleDigits and kPow10 assume four decimals");
constexpr std::uint64_t kPow10[kScaleDigits + 1] = {1, 10, 100, 1000, 10000};

inline bool Is3(const char* p, unsigned char a, unsigned char b, unsigned char c) {
  return static_cast<unsigned char>(p[0]) == a && static_cast<unsigned char>(p[1]) == b &&
         static_cast<unsigned char>(p[2]) == c;
}


enum class Kind { kEnd, kDigit, kGroup, kPoint, kPlus, kMinus, kOpen, kClose, kCurrency, kSpace,
                  kOther };

// One character (or currency code) of an amount, with ASCII and full-width forms unified.
struct Unit {
  Kind kind;
  int len;        // bytes
  int digit = 0;  // for kDigit
};

inline bool IsCurrencyCode(const char* p) {
  const std::string_view code(p, 3);
  return code == "JPY" || code == "USD" || code == "EUR" || code == "GBP";
}

Unit Classify(const char* p, const char* e) {
  if (p == e) return {Kind::kEnd, 0};
  const auto c = static_cast<unsigned char>(*p);
  const std::ptrdiff_t n = e - p;
  if (c < 0x80) {
    if (static_cast<unsigned>(c - '0') < 10) return {Kind::kDigit, 1, c - '0'};
    switch (c) {
      case ',': return {Kind::kGroup, 1};
      case '.': return {Kind::kPoint, 1};
      case '+': return {Kind::kPlus, 1};
      case '-': return {Kind::kMinus, 1};
      case '(': return {Kind::kOpen, 1};
      case ')': return {Kind::kClose, 1};
      case '$': return {Kind::kCurrency, 1};
      case ' ':
      case '\t': return {Kind::kSpace, 1};
      case 'J':
      case 'U':
      case 'E':
      case 'G':
        if (n >= 3 && IsCurrencyCode(p)) return {Kind::kCurrency, 3};
        return {Kind::kOther, 1};
      default: return {Kind::kOther, 1};
    }
  }
  if (n >= 2 && c == 0xC2) {
    const auto b = static_cast<unsigned char>(p[1]);
    if (b == 0xA5 || b == 0xA3) return {Kind::kCurrency, 2};  // ¥ £
    return {Kind::kOther, 1};
  }
  if (n < 3) return {Kind::kOther, 1};
  if (c == 0xEF && static_cast<unsigned char>(p[1]) == 0xBC) {  // full-width ASCII forms
    const auto b = static_cast<unsigned char>(p[2]);
    if (b >= 0x90 && b <= 0x99) return {Kind::kDigit, 3, b - 0x90};  // ０-９
    switch (b) {
      case 0x8C: return {Kind::kGroup, 3};     // ，
      case 0x8E: return {Kind::kPoint, 3};     // ．
      case 0x8B: return {Kind::kPlus, 3};      // ＋
      case 0x8D: return {Kind::kMinus, 3};     // －
      case 0x88: return {Kind::kOpen, 3};      // （
      case 0x89: return {Kind::kClose, 3};     // ）
      case 0x84: return {Kind::kCurrency, 3};  // ＄
      default: return {Kind::kOther, 1};
    }
  }
  if (Is3(p, 0xEF, 0xBF, 0xA5)) return {Kind::kCurrency, 3};  // ￥
  if (Is3(p, 0xE2, 0x82, 0xAC)) return {Kind::kCurrency, 3};  // €
  if (Is3(p, 0xE5, 0x86, 0x86)) return {Kind::kCurrency, 3};  // 円
  if (Is3(p, 0xE2, 0x88, 0x92)) return {Kind::kMinus, 3};     // − U+2212
  if (Is3(p, 0xE3, 0x80, 0x80)) return {Kind::kSpace, 3};     // U+3000
  return {Kind::kOther, 1};
}

inline const char* SkipSpaces(const char* p, const char* e) {
  for (;;) {
    const Unit u = Classify(p, e);
    if (u.kind != Kind::kSpace) return p;
    p += u.len;
  }
}

// Plain ASCII "12345", "-12", "12345.67" (at most 14 integer digits and 4 decimals) — what almost
// every CRM export writes. Returns false to hand anything else to the general parser.
inline bool ParseFast(std::string_view s, std::int64_t* out) {
  // At most 20 bytes ("-" + 14 + "." + 4): the digit loops then need no count checks, and the
  // value (below 10^19) cannot overflow before the digit counts are checked after them.
  if (s.size() > 1 + kFastMaxIntegerDigits + 1 + kScaleDigits) return false;
  const char* p = s.data();
  const char* e = p + s.size();
  const bool neg = *p == '-';
  p += neg;
  std::uint64_t v = 0;
  const char* int_begin = p;
  for (; p != e; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - unsigned{'0'};
    if (d >= 10) break;
    v = v * 10 + d;
  }
  const std::ptrdiff_t int_digits = p - int_begin;
  std::ptrdiff_t frac_digits = 0;
  if (p != e && *p == '.') {
    ++p;
    const char* frac_begin = p;
    for (; p != e; ++p) {
      const unsigned d = static_cast<unsigned char>(*p) - unsigned{'0'};
      if (d >= 10) break;
      v = v * 10 + d;
    }
    frac_digits = p - frac_begin;
  }
  if (p != e || int_digits > kFastMaxIntegerDigits || frac_digits > kScaleDigits ||
      int_digits + frac_digits == 0) {
    return false;
  }
  v *= kPow10[kScaleDigits - frac_digits];
  const auto value = static_cast<std::int64_t>(v);
  *out = neg ? -value : value;
  return true;
}

}  // namespace

ParseStatus ParseAmountDecimalComma(std::string_view text, std::int64_t* out) {
  text = TrimSpace(text);
  if (text.empty()) return ParseStatus::kEmpty;
  if (ParsePlainDigits(text, out)) return ParseStatus::kOk;
  char buf[96];
  std::size_t n = 0;
  auto digit_at = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (n + 1 >= sizeof buf) return ParseStatus::kInvalid;
    const char c = text[i];
    const bool between = n > 0 && buf[n - 1] >= '0' && buf[n - 1] <= '9';
    if (c == ' ' && between && digit_at(i + 1)) continue;
    if (between && text.compare(i, 2, "\xC2\xA0") == 0 && digit_at(i + 2)) {  // U+00A0
      ++i;
      continue;
    }
    if (between && text.compare(i, 3, "\xE2\x80\xAF") == 0 && digit_at(i + 3)) {  // U+202F
      i += 2;
      continue;
    }
    buf[n++] = c == '.' ? ',' : c == ',' ? '.' : c;
  }
  return ParseAmount(std::string_view(buf, n), out);
}

bool DecimalCommaOf(const std::vector<std::string>& values, std::string* example) {
  bool comma = false, point = false;
  std::string comma_example, point_example;
  for (const std::string& raw : values) {
    const std::string_view v = TrimSpace(raw);
    const std::size_t last = v.find_last_of(".,");
    if (last == std::string_view::npos) continue;
    std::size_t after = 0;
    while (last + 1 + after < v.size() && v[last + 1 + after] >= '0' && v[last + 1 + after] <= '9') {
      ++after;
    }
    if (after == 0 || after > 2 || last + 1 + after != v.size()) continue;  // 1,234 or 1.234
    if (v[last] == ',') {
      if (!comma) comma_example = raw;
      comma = true;
    } else {
      if (!point) point_example = raw;
      point = true;
    }
  }
  if (comma == point) return false;
  *example = comma ? comma_example : point_example;
  return comma;
}

std::string_view AmountCurrencyMark(std::string_view text) {
  static const std::pair<std::string_view, std::string_view> kMarks[] = {
      {"\xC2\xA5", "JPY"},     {"\xEF\xBF\xA5", "JPY"}, {"\xE5\x86\x86", "JPY"}, {"JPY", "JPY"},
      {"$", "USD"},            {"\xEF\xBC\x84", "USD"}, {"USD", "USD"},
      {"\xE2\x82\xAC", "EUR"}, {"EUR", "EUR"},
      {"\xC2\xA3", "GBP"},     {"GBP", "GBP"}};
  for (const auto& [mark, code] : kMarks) {
    if (text.find(mark) != std::string_view::npos) return code;
  }
  return {};
}

ParseStatus ParseAmount(std::string_view text, std::int64_t* out) {
  text = TrimSpace(text);
  if (text.empty()) return ParseStatus::kEmpty;
  if (ParsePlainDigits(text, out) || ParseFast(text, out)) return ParseStatus::kOk;

  const char* p = text.data();
  const char* e = p + text.size();

  // Accounting negatives: "(1,234)", "(¥1,234)"; the parentheses replace a sign.
  bool paren = false;
  if (const Unit open = Classify(p, e); open.kind == Kind::kOpen) {
    std::ptrdiff_t close_len = 0;
    if (e[-1] == ')') {
      close_len = 1;
    } else if (e - p >= 3 && Is3(e - 3, 0xEF, 0xBC, 0x89)) {  // ）
      close_len = 3;
    }
    if (close_len == 0 || e - p < open.len + close_len) return ParseStatus::kInvalid;
    const char* inner_begin = p + open.len;
    const std::string_view inner =
        TrimSpace(std::string_view(inner_begin, static_cast<std::size_t>(e - close_len - inner_begin)));
    if (inner.empty()) return ParseStatus::kInvalid;
    p = inner.data();
    e = p + inner.size();
    paren = true;
  }

  // Prefix: at most one sign and one currency mark, in either order ("-$5", "$-5", "USD 100").
  bool neg = paren;
  bool have_sign = paren;
  bool have_currency = false;
  for (;;) {
    const Unit u = Classify(p, e);
    if ((u.kind == Kind::kPlus || u.kind == Kind::kMinus) && !have_sign) {
      have_sign = true;
      neg = u.kind == Kind::kMinus;
      p += u.len;
    } else if (u.kind == Kind::kCurrency && !have_currency) {
      have_currency = true;
      p = SkipSpaces(p + u.len, e);
    } else {
      break;
    }
  }

  // Integer part with optional thousands separators: a first group of 1-3 digits, then groups of
  // exactly three. Anything else ("12,34", "1,2,3") is more likely a decimal comma or a list than
  // a number, and misreading money is worse than rejecting it.
  std::uint64_t int_part = 0;
  int digits = 0;
  int group_len = 0;
  bool grouped = false;
  for (;;) {
    const Unit u = Classify(p, e);
    if (u.kind == Kind::kDigit) {
      int_part = int_part * 10 + static_cast<std::uint64_t>(u.digit);
      if (int_part > kMaxIntegerPart) return ParseStatus::kInvalid;
      ++group_len;
      ++digits;
    } else if (u.kind == Kind::kGroup) {
      if (grouped ? group_len != 3 : (group_len < 1 || group_len > 3)) return ParseStatus::kInvalid;
      grouped = true;
      group_len = 0;
    } else {
      break;
    }
    p += u.len;
  }
  if (grouped && group_len != 3) return ParseStatus::kInvalid;

  // Fraction: the first four digits are kept, the fifth decides rounding, and any later non-zero
  // digit breaks a tie (round half to even, so sums of rounded values carry no upward bias).
  std::uint64_t frac = 0;
  int frac_digits = 0;
  int round_digit = 0;
  bool sticky = false;
  if (const Unit u = Classify(p, e); u.kind == Kind::kPoint) {
    p += u.len;
    for (;;) {
      const Unit d = Classify(p, e);
      if (d.kind != Kind::kDigit) break;
      if (frac_digits < kScaleDigits) {
        frac = frac * 10 + static_cast<std::uint64_t>(d.digit);
        ++frac_digits;
      } else if (frac_digits == kScaleDigits) {
        round_digit = d.digit;
        ++frac_digits;
      } else {
        sticky |= d.digit != 0;
      }
      ++digits;
      p += d.len;
    }
  }
  if (digits == 0) return ParseStatus::kInvalid;  // "$", "-", "."

  // Suffix: an optional currency mark, possibly after spaces ("100 JPY", "1,200,000円").
  {
    const char* q = SkipSpaces(p, e);
    const Unit u = Classify(q, e);
    if (u.kind == Kind::kCurrency) {
      if (have_currency) return ParseStatus::kInvalid;
      p = q + u.len;
    }
  }
  if (p != e) return ParseStatus::kInvalid;

  const int kept = frac_digits < kScaleDigits ? frac_digits : static_cast<int>(kScaleDigits);
  // At most 922337203685477 * 10^4 + 9999 + 1, below 2^64: no unsigned wrap.
  std::uint64_t magnitude = int_part * kAmountScale + frac * kPow10[kScaleDigits - kept];
  if (round_digit > 5 || (round_digit == 5 && (sticky || (magnitude & 1) != 0))) ++magnitude;
  if (magnitude > kMaxMagnitude) return ParseStatus::kInvalid;
  const auto value = static_cast<std::int64_t>(magnitude);
  *out = neg ? -value : value;
  return ParseStatus::kOk;
}

}  // namespace crmkpi
