// Key normalisers: see normalize.h for what each step does. Implementation notes:
// - Steps ping-pong between two member strings; trim only narrows the view. Buffers are
//   cleared, never shrunk, so nothing is allocated once they have grown to the largest value.
// - The Unicode steps (lower, nfkc) call utf8proc_decompose into a reusable code-point buffer
//   and re-encode in place (utf8proc_reencode), never utf8proc_map, which mallocs. Values that
//   are pure ASCII take a byte-wise fast path.
// - A value that is not valid UTF-8 passes the Unicode steps and legal unchanged: mapping only
//   the valid parts could join stray bytes into new characters and break idempotence.
#include "crmkpi/values/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"

namespace crmkpi {
namespace {

// ------------------------------------------------------------------------------------------
// Character classes on UTF-8 bytes.

bool IsAsciiSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Byte length of the whitespace character at the start of |s| (see normalize.h), or 0.
std::size_t SpaceAt(std::string_view s) {
  if (s.empty()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  if (IsAsciiSpace(p[0])) return 1;
  if (s.size() >= 2 && p[0] == 0xC2 && p[1] == 0xA0) return 2;  // U+00A0
  if (s.size() < 3) return 0;
  if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) return 3;  // U+3000
  if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) return 3;  // U+1680
  if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xAF)) {
    return 3;  // U+2000..U+200A, U+202F
  }
  if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) return 3;  // U+205F
  return 0;
}

// Byte length of the whitespace character that ends |s|, or 0. Every whitespace character is
// 1, 2 or 3 bytes long, so trying those suffixes is exact.
std::size_t SpaceBefore(std::string_view s) {
  if (s.empty()) return 0;
  if (IsAsciiSpace(static_cast<unsigned char>(s.back()))) return 1;
  for (std::size_t len = 2; len <= 3 && len <= s.size(); ++len) {
    if (SpaceAt(s.substr(s.size() - len)) == len) return len;
  }
  return 0;
}


bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool IsValidUtf8(std::string_view s) {
  std::size_t incomplete_tail;
  return FindInvalidUtf8(s.data(), s.size(), &incomplete_tail) == s.size() && incomplete_tail == 0;
}

// Decodes the code point at the start of |s| (non-empty). Returns its byte length, or 0 (and
// *cp = -1) for a byte that does not start a valid UTF-8 sequence.
std::size_t DecodeAt(std::string_view s, std::int32_t* cp) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  if (p[0] < 0x80) {
    *cp = p[0];
    return 1;
  }
  const utf8proc_ssize_t n =
      utf8proc_iterate(p, static_cast<utf8proc_ssize_t>(std::min<std::size_t>(s.size(), 4)), cp);
  if (n <= 0) {
    *cp = -1;
    return 0;
  }
  return static_cast<std::size_t>(n);
}

bool IsPunctuation(std::int32_t cp) {
  const utf8proc_category_t c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

// ------------------------------------------------------------------------------------------
// Legal forms.

// Token separators: whitespace, ASCII and full-width commas, the ideographic comma.
std::size_t SeparatorAt(std::string_view s) {
  if (const std::size_t n = SpaceAt(s)) return n;
  if (!s.empty() && s[0] == ',') return 1;
  for (const std::string_view comma : {std::string_view("，"), std::string_view("、")}) {
    if (s.substr(0, comma.size()) == comma) return comma.size();
  }
  return 0;
}

constexpr std::string_view kMiddleDots[] = {"・", "･", "·"};

// Separators and middle dots, which are stripped from the ends of a value after a removal.
std::size_t LeftoverAt(std::string_view s) {
  if (const std::size_t n = SeparatorAt(s)) return n;
  for (const std::string_view dot : kMiddleDots) {
    if (s.substr(0, dot.size()) == dot) return dot.size();
  }
  return 0;
}

std::size_t LeftoverBefore(std::string_view s) {
  for (std::size_t len = 1; len <= 3 && len <= s.size(); ++len) {
    if (LeftoverAt(s.substr(s.size() - len)) == len) return len;
  }
  return 0;
}

std::string_view TrimLeftovers(std::string_view s) {
  while (const std::size_t n = LeftoverAt(s)) s.remove_prefix(n);
  while (const std::size_t n = LeftoverBefore(s)) s.remove_suffix(n);
  return s;
}

std::size_t MiddleDotAt(std::string_view s) {
  for (const std::string_view dot : kMiddleDots) {
    if (s.substr(0, dot.size()) == dot) return dot.size();
  }
  return 0;
}

std::string_view TrimMiddleDots(std::string_view s) {
  for (;;) {
    if (const std::size_t n = MiddleDotAt(s)) {
      s.remove_prefix(n);
      continue;
    }
    bool trimmed = false;
    for (const std::string_view dot : kMiddleDots) {
      if (s.size() >= dot.size() && s.substr(s.size() - dot.size()) == dot) {
        s.remove_suffix(dot.size());
        trimmed = true;
        break;
      }
    }
    if (!trimmed) return s;
  }
}

// Longer forms first where one starts another (医療法人社団 before 医療法人); a form that ends
// another (社団法人 in 一般社団法人) is never reached first, since matching goes left to right.
constexpr std::string_view kJapaneseWords[] = {
    "株式会社",     "有限会社",     "合同会社",     "合資会社",     "合名会社",
    "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "社団法人",
    "財団法人",     "医療法人社団", "医療法人財団", "医療法人",     "社会福祉法人",
    "特定非営利活動法人",
    "㈱", "㈲", "㈾", "㈴", "㈳", "㈶",
};
// Written in parentheses: (株), （株）, and mixed.
constexpr std::string_view kJapaneseAbbreviations[] = {"株", "有", "同", "資", "名", "社",
                                                       "財", "医", "一社", "一財", "公社", "公財"};

std::size_t OpenParenAt(std::string_view s) {
  if (!s.empty() && s[0] == '(') return 1;
  return s.substr(0, 3) == "（" ? 3 : 0;
}
std::size_t CloseParenAt(std::string_view s) {
  if (!s.empty() && s[0] == ')') return 1;
  return s.substr(0, 3) == "）" ? 3 : 0;
}

// Byte length of the Japanese legal form starting |s|, or 0.
std::size_t JapaneseFormAt(std::string_view s) {
  const auto lead = static_cast<unsigned char>(s[0]);
  if (lead != '(' && (lead < 0xE0 || lead > 0xEF)) return 0;  // every form starts so
  for (const std::string_view word : kJapaneseWords) {
    if (s.substr(0, word.size()) == word) return word.size();
  }
  if (const std::size_t open = OpenParenAt(s)) {
    const std::string_view rest = s.substr(open);
    for (const std::string_view abbr : kJapaneseAbbreviations) {
      if (rest.substr(0, abbr.size()) != abbr) continue;
      if (const std::size_t close = CloseParenAt(rest.substr(abbr.size()))) {
        return open + abbr.size() + close;
      }
    }
  }
  return 0;
}

// Removes Japanese legal forms from |token| in place, again until none is left (removing one
// can join the halves of another); returns whether anything was removed.
bool RemoveJapaneseForms(std::string& token) {
  bool any = false;
  for (;;) {
    bool removed = false;
    std::size_t w = 0;
    for (std::size_t r = 0; r < token.size();) {
      if (const std::size_t n = JapaneseFormAt(std::string_view(token).substr(r))) {
        r += n;
        removed = true;
      } else {
        token[w++] = token[r++];
      }
    }
    token.resize(w);  // shrinking: never allocates
    if (!removed) return any;
    any = true;
  }
}

// Latin forms, upper case, dots removed.
constexpr std::string_view kLatinForms[] = {
    "INC", "INCORPORATED", "CORP", "CORPORATION", "CO",  "LTD", "LIMITED", "LLC",
    "LLP", "PLC",          "GMBH", "AG",          "SA",  "BV",  "NV",      "PTY",
    "PTE", "SRL",          "SPA",  "OY",          "AB",  "KK",  "COLTD",
};
constexpr std::size_t kLatinKeyMax = 12;  // "INCORPORATED"

// Whether |token| is a Latin legal form: letters (ASCII or full-width) and dots only, which
// upper-cased and without the dots is in kLatinForms.
bool IsLatinForm(std::string_view token) {
  std::array<char, kLatinKeyMax> key{};
  std::size_t len = 0;
  for (std::size_t i = 0; i < token.size();) {
    std::int32_t cp;
    const std::size_t n = DecodeAt(token.substr(i), &cp);
    if (n == 0) return false;
    i += n;
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFF01 - 0x21;  // full-width ASCII
    if (cp == '.') continue;
    if (cp >= 'a' && cp <= 'z') cp -= 'a' - 'A';
    if (cp < 'A' || cp > 'Z' || len == kLatinKeyMax) return false;
    key[len++] = static_cast<char>(cp);
  }
  const std::string_view k(key.data(), len);
  return std::find(std::begin(kLatinForms), std::end(kLatinForms), k) != std::end(kLatinForms);
}

// ------------------------------------------------------------------------------------------
// Step names.

struct StepName {
  std::string_view name;
  NormalizeStep step;
};
constexpr StepName kStepNames[] = {
    {"trim", NormalizeStep::kTrim},
    {"collapse-spaces", NormalizeStep::kCollapseSpaces},
    {"lower", NormalizeStep::kLower},
    {"nfkc", NormalizeStep::kNfkc},
    {"strip-punct", NormalizeStep::kStripPunct},
    {"legal", NormalizeStep::kLegal},
    {"email", NormalizeStep::kEmail},
    {"phone", NormalizeStep::kPhone},
};
constexpr std::string_view kCompanyPreset = "company";
constexpr NormalizeStep kCompanySteps[] = {
    NormalizeStep::kNfkc,       NormalizeStep::kLower,          NormalizeStep::kLegal,
    NormalizeStep::kStripPunct, NormalizeStep::kCollapseSpaces, NormalizeStep::kTrim,
};

[[noreturn]] void UnknownStep(std::string_view name) {
  std::vector<std::string> known;
  for (const StepName& s : kStepNames) known.emplace_back(s.name);
  known.emplace_back(kCompanyPreset);
  const std::string hint = DidYouMean(name, known);
  throw Error::Usage(fmt::format("unknown normaliser '{}'{}; expected a comma-separated list of {}",
                                 name, hint, fmt::join(known, ", ")));
}

}  // namespace

const char* NormalizeStepName(NormalizeStep step) {
  for (const StepName& s : kStepNames) {
    if (s.step == step) return s.name.data();  // the literals are NUL-terminated
  }
  return "?";
}

Normalizer Normalizer::Parse(std::string_view chain) {
  Normalizer n;
  for (std::string name : SplitList(chain)) {
    std::transform(name.begin(), name.end(), name.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    if (name == kCompanyPreset) {
      n.steps_.insert(n.steps_.end(), std::begin(kCompanySteps), std::end(kCompanySteps));
      continue;
    }
    const auto* it = std::find_if(std::begin(kStepNames), std::end(kStepNames),
                                  [&](const StepName& s) { return s.name == name; });
    if (it == std::end(kStepNames)) UnknownStep(name);
    n.steps_.push_back(it->step);
  }
  return n;
}

std::string Normalizer::Describe() const {
  std::string out;
  for (const NormalizeStep step : steps_) {
    if (!out.empty()) out += ',';
    out += NormalizeStepName(step);
  }
  return out;
}

std::string_view Normalizer::Apply(std::string_view in) {
  // If |in| is a previous result, write the first step into the other buffer.
  const auto inside = [&](const std::string& b) {
    return !in.empty() && in.data() >= b.data() && in.data() < b.data() + b.size();
  };
  int next = inside(buffers_[0]) ? 1 : 0;
  std::string_view cur = in;
  for (const NormalizeStep step : steps_) {
    std::string& out = buffers_[next];
    cur = ApplyStep(step, cur, out);
    if (cur.data() == out.data()) next = 1 - next;
  }
  return cur;
}

std::string_view Normalizer::ApplyStep(NormalizeStep step, std::string_view in, std::string& out) {
  out.clear();
  switch (step) {
    case NormalizeStep::kTrim:
      return TrimWhitespace(in);

    case NormalizeStep::kCollapseSpaces:
      for (std::size_t i = 0; i < in.size();) {
        if (SpaceAt(in.substr(i)) == 0) {
          out.push_back(in[i++]);
          continue;
        }
        out.push_back(' ');
        while (const std::size_t n = SpaceAt(in.substr(i))) i += n;
      }
      break;

    case NormalizeStep::kEmail:
      in = TrimWhitespace(in);
      [[fallthrough]];
    case NormalizeStep::kLower: {
      // ASCII (most keys): one pass to see whether anything changes, a copy only when it does.
      bool ascii = true, upper = false;
      for (const char c : in) {
        const auto u = static_cast<unsigned char>(c);
        ascii &= u < 0x80;
        upper |= static_cast<unsigned char>(u - 'A') < 26;
      }
      if (ascii) {
        if (!upper) return in;
        out.resize(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
          const char c = in[i];
          out[i] = static_cast<unsigned char>(c - 'A') < 26 ? static_cast<char>(c - 'A' + 'a') : c;
        }
      } else if (IsValidUtf8(in)) {
        MapUnicode(in, out, UTF8PROC_CASEFOLD);
      } else {
        return in;
      }
      break;
    }

    case NormalizeStep::kNfkc:
      if (IsAscii(in) || !IsValidUtf8(in)) return in;  // ASCII is already NFKC
      MapUnicode(in, out, UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
      break;

    case NormalizeStep::kStripPunct:
      for (std::size_t i = 0; i < in.size();) {
        std::int32_t cp;
        const std::size_t n = DecodeAt(in.substr(i), &cp);
        if (n == 0) return in;  // not UTF-8: unchanged
        if (!IsPunctuation(cp)) out.append(in.data() + i, n);
        i += n;
      }
      break;

    case NormalizeStep::kLegal:
      if (!IsValidUtf8(in)) return in;
      RemoveLegalForms(in, out);
      break;

    case NormalizeStep::kPhone: {
      in = TrimWhitespace(in);
      const bool plus = !in.empty() && (in[0] == '+' || in.substr(0, 3) == "＋");
      for (std::size_t i = 0; i < in.size();) {
        std::int32_t cp;
        const std::size_t n = DecodeAt(in.substr(i), &cp);
        i += n == 0 ? 1 : n;
        if (cp >= 0xFF10 && cp <= 0xFF19) cp -= 0xFF10 - '0';  // full-width digit
        if (cp >= '0' && cp <= '9') out.push_back(static_cast<char>(cp));
      }
      // +81: the country code becomes the trunk prefix 0, which "+81 (0)3…" already has.
      if (plus && out.size() > 2 && out[0] == '8' && out[1] == '1') {
        if (out[2] == '0') {
          out.erase(0, 2);
        } else {
          out.erase(0, 1);
          out[0] = '0';
        }
      }
      break;
    }
  }
  return out;
}

void Normalizer::MapUnicode(std::string_view run, std::string& out, int options) {
  const auto opts = static_cast<utf8proc_option_t>(options);
  const auto* src = reinterpret_cast<const utf8proc_uint8_t*>(run.data());
  const auto len = static_cast<utf8proc_ssize_t>(run.size());
  // Decomposition can lengthen the text; reencode needs one spare slot for its NUL.
  if (code_points_.size() < run.size() + 1) code_points_.resize(run.size() + 1);
  auto cap = static_cast<utf8proc_ssize_t>(code_points_.size());
  utf8proc_ssize_t n = utf8proc_decompose(src, len, code_points_.data(), cap, opts);
  if (n >= cap) {
    code_points_.resize(static_cast<std::size_t>(n) + 1);
    cap = static_cast<utf8proc_ssize_t>(code_points_.size());
    n = utf8proc_decompose(src, len, code_points_.data(), cap, opts);
  }
  if (n < 0 || n >= cap) {  // cannot happen for valid UTF-8; keep the text if it does
    out.append(run);
    return;
  }
  const utf8proc_ssize_t bytes = utf8proc_reencode(code_points_.data(), n, opts);
  if (bytes < 0) {
    out.append(run);
    return;
  }
  out.append(reinterpret_cast<const char*>(code_points_.data()), static_cast<std::size_t>(bytes));
}

void Normalizer::RemoveLegalForms(std::string_view in, std::string& out) {
  bool removed = false;
  bool kept = false;
  std::string_view pending_separator;  // the run before the next token
  std::size_t i = 0;
  while (i < in.size()) {
    const std::size_t sep_start = i;
    while (const std::size_t n = SeparatorAt(in.substr(i))) i += n;
    if (i > sep_start) {
      pending_separator = in.substr(sep_start, i - sep_start);
      continue;
    }
    const std::size_t token_start = i;
    while (i < in.size() && SeparatorAt(in.substr(i)) == 0) ++i;
    std::string_view token = in.substr(token_start, i - token_start);

    token_.assign(token);
    if (RemoveJapaneseForms(token_)) {
      token = TrimMiddleDots(token_);
      removed = true;
    }
    if (token.empty() || IsLatinForm(TrimMiddleDots(token))) {  // "Inc・" too
      removed = true;
      pending_separator = {};  // goes with the removed token
      continue;
    }
    out.append(pending_separator);
    out.append(token);
    pending_separator = {};
    kept = true;
  }
  out.append(pending_separator);
  if (!removed || !kept) {  // no form, or nothing but forms: unchanged
    out.assign(in);
    return;
  }
  const std::string_view trimmed = TrimLeftovers(out);
  if (trimmed.size() != out.size()) {
    const std::size_t start = static_cast<std::size_t>(trimmed.data() - out.data());
    const std::size_t size = trimmed.size();
    out.erase(0, start);
    out.resize(size);
  }
}

std::string_view TrimWhitespace(std::string_view s) {
  while (const std::size_t n = SpaceAt(s)) s.remove_prefix(n);
  while (const std::size_t n = SpaceBefore(s)) s.remove_suffix(n);
  return s;
}

}  // namespace crmkpi
