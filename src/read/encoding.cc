#include "crmkpi/read/encoding.h"

#include <iconv.h>
#include <uchardet.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), AsciiLower);
  return out;
}
std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), AsciiUpper);
  return out;
}

// The names printed for iconv names that have several spellings.
struct Alias {
  std::string_view iconv, shown;
};
constexpr Alias kShown[] = {
    {"CP932", "cp932"},
    {"WINDOWS-1252", "windows-1252"},
    {"CP1252", "windows-1252"},
    {"ISO-8859-1", "iso-8859-1"},
    {"LATIN1", "iso-8859-1"},
    {"ISO8859-1", "iso-8859-1"},
    {"EUC-JP", "euc-jp"},
    {"EUCJP", "euc-jp"},
    {"UTF-16LE", "utf-16le"},
    {"UTF-16BE", "utf-16be"},
};

// Counts in [p, p + n) the valid UTF-8 sequences of two bytes or more and the invalid bytes
// (each invalid byte once; a sequence cut by the end of the bytes counts as neither).
void CountUtf8(const unsigned char* p, std::size_t n, std::size_t* multibyte,
               std::size_t* invalid) {
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len != 0;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if (i + k >= n) return;  // cut by the end of the sample
      const unsigned char b = p[i + k];
      ok = b >= (k == 1 ? lo : 0x80) && b <= (k == 1 ? hi : 0xBF);
    }
    if (ok) {
      ++*multibyte;
      i += len;
    } else {
      ++*invalid;
      ++i;
    }
  }
}

// |bytes| decoded from |from| into UTF-8 (*out), skipping each byte that is invalid there;
// returns how many were, or -1 when iconv does not know |from|. A sequence cut by the end of
// the bytes (as a sample cut from a file may be) is no error.
long Decode(std::string_view bytes, const char* from, std::string* out) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return -1;
  out->assign(bytes.size() * 3 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* o = out->data();
  std::size_t out_left = out->size();
  long invalid = 0;
  while (in_left > 0) {
    const std::size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
    if (rc != static_cast<std::size_t>(-1) || errno != EILSEQ) break;
    ++invalid;
    ++in;
    --in_left;
  }
  iconv_close(cd);
  out->resize(out->size() - out_left);
  return invalid;
}

// Whether |invalid| bytes are few enough among |bytes| for an encoding to be the file's: a
// file of that encoding with a damaged byte or two is still read in it (and the damaged bytes
// are then an error at their place), rather than guessed as another encoding that mangles
// every character.
bool FewInvalid(long invalid, std::string_view bytes) {
  const auto non_ascii = std::count_if(bytes.begin(), bytes.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x80;
  });
  return invalid >= 0 && invalid * 50 <= non_ascii;
}

// How Japanese UTF-8 |text| looks: *good = Japanese characters (hiragana, katakana, CJK
// ideographs, full-width forms) next to another one; *bad = Japanese characters standing alone
// between other letters, private-use characters and half-width katakana. Western text read as
// CP932 pairs each accented letter with the letter after it into one kanji ("Pérez" → "P" +
// a kanji + "ez") or a private-use character ("ñ" + "o"), alone each time; EUC-JP read as
// CP932 turns into half-width katakana. Japanese words are runs of two characters or more.
void JapaneseRuns(std::string_view text, long* good, long* bad) {
  *good = *bad = 0;
  long run = 0;  // Japanese characters in the current run
  auto end_run = [&] {
    if (run >= 2) *good += run;
    if (run == 1) ++*bad;
    run = 0;
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    std::uint32_t cp = c;
    if (len == 3 && i + 2 < text.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
    }
    const bool japanese = (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
                          (cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0x3005 || cp == 0x30FC;
    if (japanese) {
      ++run;
    } else {
      end_run();
      if ((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xFF61 && cp <= 0xFF9F)) ++*bad;
    }
    i += len;
  }
  end_run();
}

// Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined (iconv refuses them).
bool HasCp1252Holes(std::string_view bytes) {
  return bytes.find_first_of(std::string_view("\x81\x8D\x8F\x90\x9D", 5)) !=
         std::string_view::npos;
}

Encoding Western(std::string_view bytes) {
  return Encoding::Iconv(HasCp1252Holes(bytes) ? "ISO-8859-1" : "WINDOWS-1252");
}

// What libuchardet says of |bytes|, mapped onto the candidates; empty when it says something
// else (a Chinese or Korean encoding, or nothing).
std::string Uchardet(std::string_view bytes) {
  std::unique_ptr<std::remove_pointer_t<uchardet_t>, void (*)(uchardet_t)> u(uchardet_new(),
                                                                             uchardet_delete);
  if (!u || uchardet_handle_data(u.get(), bytes.data(), bytes.size()) != 0) return {};
  uchardet_data_end(u.get());
  const std::string name = Upper(uchardet_get_charset(u.get()));
  if (name == "SHIFT_JIS" || name == "CP932" || name == "WINDOWS-31J") return "CP932";
  if (name == "EUC-JP") return "EUC-JP";
  // Any single-byte Western guess: Excel and Data Loader on a Western Windows write 1252.
  if (name.starts_with("ISO-8859") || name.starts_with("WINDOWS-125") ||
      name.starts_with("MAC-") || name.starts_with("IBM")) {
    return "WESTERN";
  }
  return {};
}

// How well |bytes| read as Japanese in |name| (JapaneseRuns): the Japanese characters in runs
// when the bytes decode (FewInvalid) and the bad signs are at most a fifth of them, else 0.
long JapaneseFit(std::string_view bytes, const char* name) {
  std::string decoded;
  if (!FewInvalid(Decode(bytes, name, &decoded), bytes)) return 0;
  long good = 0, bad = 0;
  JapaneseRuns(decoded, &good, &bad);
  return good > 0 && bad * 5 <= good ? good : 0;
}

// Steps 3 and 4 of the rule (encoding.h) for |bytes| that are not UTF-8.
Encoding Legacy(std::string_view bytes) {
  std::string decoded;
  const std::string guess = Uchardet(bytes);
  if (guess == "CP932" || guess == "EUC-JP") {
    if (FewInvalid(Decode(bytes, guess.c_str(), &decoded), bytes)) return Encoding::Iconv(guess);
  }
  // A short sample gives libuchardet little to go on (one 株 reads as Latin-1 to it): a
  // Japanese encoding that fits the bytes well wins over its Western guess.
  long best = 0;
  std::string best_name;
  for (const char* name : {"CP932", "EUC-JP"}) {
    const long fit = JapaneseFit(bytes, name);
    if (fit > best) {
      best = fit;
      best_name = name;
    }
  }
  if (!best_name.empty()) return Encoding::Iconv(best_name);
  return Western(bytes);
}

}  // namespace

Encoding ParseEncoding(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "auto") return Encoding::kAuto;
  if (lower == "utf-8" || lower == "utf8") return Encoding::kUtf8;
  if (lower == "utf-16" || lower == "utf16") return Encoding::kUtf16;
  if (lower == "cp932" || lower == "shift_jis" || lower == "sjis" || lower == "windows-31j" ||
      lower == "ms932" || lower == "shift-jis") {
    return Encoding::kCp932;
  }
  std::string upper = Upper(name);
  if (upper == "LATIN1" || upper == "LATIN-1") upper = "ISO-8859-1";
  if (upper == "CP1252") upper = "WINDOWS-1252";
  if (upper == "EUCJP") upper = "EUC-JP";
  const iconv_t cd = upper.empty() || upper.find('/') != std::string::npos
                         ? reinterpret_cast<iconv_t>(-1)
                         : iconv_open("UTF-8", upper.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    throw Error::Usage(fmt::format(
        "unknown encoding '{}': expected auto (the default), utf-8, cp932 (shift_jis), utf-16, "
        "windows-1252, iso-8859-1 (latin1), euc-jp or another name that `iconv -l` lists",
        name));
  }
  iconv_close(cd);
  return Encoding::Iconv(std::move(upper));
}

std::string EncodingName(const Encoding& encoding) {
  if (encoding.is_auto()) return "auto";
  if (encoding.is_utf8()) return "utf-8";
  if (encoding.is_utf16()) return "utf-16";
  for (const Alias& a : kShown) {
    if (a.iconv == encoding.iconv_name()) return std::string(a.shown);
  }
  return Lower(encoding.iconv_name());
}

std::string EncodingLabel(const Encoding& encoding) {
  return encoding.detected() ? EncodingName(encoding) + " (detected)" : EncodingName(encoding);
}

Encoding DetectEncoding(const std::vector<std::string_view>& samples) {
  if (samples.empty() || samples[0].empty()) return Encoding::kUtf8.Detected();
  // 1. UTF-16 without a BOM: ASCII text has a NUL in every other byte.
  switch (Utf16WithoutBom(samples[0])) {
    case Utf16Order::kLittle:
      return Encoding::Iconv("UTF-16LE").Detected();
    case Utf16Order::kBig:
      return Encoding::Iconv("UTF-16BE").Detected();
    case Utf16Order::kNone:
      break;
  }
  // Control bytes other than tab and line breaks are no text in any of the candidates: a
  // binary file (an image, a workbook, a compressed export). Read as UTF-8, the CSV reader
  // names what it looks like.
  {
    const std::string_view head = samples[0].substr(0, 4096);
    const auto controls = std::count_if(head.begin(), head.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u < 0x20 && u != '\t' && u != '\n' && u != '\r';
    });
    if (controls > 0) return Encoding::kUtf8.Detected();
  }
  // 2. UTF-8. A UTF-8 file with a few stray bytes (a line pasted from a Latin-1 file) is read
  // as UTF-8, so that the stray bytes are an error at their place: the valid multi-byte
  // sequences outnumber the invalid bytes. In text of a legacy encoding, valid UTF-8 sequences
  // come by chance and are far fewer than the invalid bytes.
  std::size_t multibyte = 0, invalid = 0;
  std::string legacy;  // the samples, one after the other, for steps 3 and 4
  for (const std::string_view bytes : samples) {
    CountUtf8(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), &multibyte,
              &invalid);
    legacy.append(bytes);
    legacy.push_back('\n');
  }
  const bool utf8 = invalid == 0 || multibyte >= invalid;
  if (utf8) return Encoding::kUtf8.Detected();
  return Legacy(legacy).Detected();
}

Utf16Order Utf16WithoutBom(std::string_view head) {
  const std::size_t n = std::min<std::size_t>(head.size(), 512) & ~std::size_t{1};
  std::size_t nul_even = 0, nul_odd = 0;
  for (std::size_t i = 0; i < n; i += 2) {
    nul_even += head[i] == '\0' ? 1 : 0;
    nul_odd += head[i + 1] == '\0' ? 1 : 0;
  }
  const std::size_t pairs = n / 2;
  if (pairs >= 2 && nul_odd * 4 >= pairs && nul_even * 10 <= nul_odd) return Utf16Order::kLittle;
  if (pairs >= 2 && nul_even * 4 >= pairs && nul_odd * 10 <= nul_even) return Utf16Order::kBig;
  return Utf16Order::kNone;
}

std::string GuessLegacyEncoding(std::string_view bytes) {
  if (bytes.empty()) return {};
  return EncodingName(Legacy(bytes));
}

}  // namespace crmkpi
