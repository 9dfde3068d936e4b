// Encoding: which character encoding an input is decoded from, as the user named it or as it
// was detected (`--encoding auto`, the default). Everything after read/ sees UTF-8 only.
//
// Detection (DetectEncoding), for an input without a byte-order mark:
//   1. a NUL byte after (before) every ASCII character: UTF-16LE (BE) without a BOM;
//   2. every sampled byte valid UTF-8 (plain ASCII included), or more valid multi-byte UTF-8
//      sequences than invalid bytes (a UTF-8 file with a stray line from elsewhere, whose bad
//      bytes are then an error at their place): UTF-8;
//   3. else libuchardet (Debian's universal charset detector, Mozilla's algorithm) over the
//      sample, its answer mapped onto the encodings CRM exports are written in — CP932 (for
//      Shift_JIS: Japanese Excel and Salesforce write Windows-31J), EUC-JP, Windows-1252 (for
//      ISO-8859-1/15: Excel and Data Loader on a Western Windows) — and kept only when the
//      whole sample decodes in it;
//   4. else the candidate among CP932 and EUC-JP that decodes the sample and gives the most
//      Japanese characters, else Windows-1252 (ISO-8859-1 when the sample holds a byte that
//      Windows-1252 leaves undefined).
// A guess is never silent: the name is printed in the report's header line and JSON, and a
// byte invalid in the chosen encoding anywhere later is an error at its line and column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

class Encoding {
 public:
  static const Encoding kAuto;   // detect (the default)
  static const Encoding kUtf8;
  static const Encoding kCp932;  // Windows-31J / Shift_JIS as Japanese Excel and Salesforce write
  static const Encoding kUtf16;  // UTF-16: the BOM decides, little-endian without one

  Encoding() : Encoding(Kind::kUtf8, {}) {}

  // An encoding iconv knows by |iconv_name| (not checked here; ParseEncoding checks).
  static Encoding Iconv(std::string iconv_name) { return {Kind::kIconv, std::move(iconv_name)}; }

  bool is_auto() const { return kind_ == Kind::kAuto; }
  bool is_utf8() const { return kind_ == Kind::kUtf8; }
  bool is_utf16() const { return kind_ == Kind::kUtf16; }
  // The name iconv converts from ("CP932", "WINDOWS-1252"); empty for UTF-8, auto and UTF-16
  // (which picks its byte order from the BOM).
  const std::string& iconv_name() const { return iconv_; }

  // Whether this encoding was chosen by detection rather than named by the user.
  bool detected() const { return detected_; }
  Encoding Detected() const {
    Encoding e = *this;
    e.detected_ = true;
    return e;
  }

  // Same encoding, however it was chosen.
  bool operator==(const Encoding& o) const { return kind_ == o.kind_ && iconv_ == o.iconv_; }

 private:
  enum class Kind { kAuto, kUtf8, kUtf16, kIconv };
  Encoding(Kind kind, std::string iconv) : kind_(kind), iconv_(std::move(iconv)) {}

  Kind kind_;
  std::string iconv_;
  bool detected_ = false;
};

inline const Encoding Encoding::kAuto{Encoding::Kind::kAuto, {}};
inline const Encoding Encoding::kUtf8{Encoding::Kind::kUtf8, {}};
inline const Encoding Encoding::kCp932{Encoding::Kind::kIconv, "CP932"};
inline const Encoding Encoding::kUtf16{Encoding::Kind::kUtf16, {}};

// "auto"; "utf-8"/"utf8"; "cp932"/"shift_jis"/"sjis"/"windows-31j"/"ms932"; "utf-16"/"utf16";
// else any name iconv knows ("windows-1252", "latin1", "euc-jp", "utf-16le", …; `iconv -l`),
// case-insensitive. Throws Error(kUsage) for a name iconv does not know.
Encoding ParseEncoding(std::string_view name);

// The name printed in reports: "utf-8", "cp932", "utf-16", "windows-1252", "euc-jp", "auto";
// another iconv name in lower case.
std::string EncodingName(const Encoding& encoding);

// As EncodingName, with ", detected" in parentheses when detection chose it: "cp932
// (detected)". What the header line of a report shows.
std::string EncodingLabel(const Encoding& encoding);

// The encoding of an input whose first bytes are |samples|[0] and whose further samples (whole
// lines cut from further into a regular file) follow, by the rule at the top. Returns a
// detected() encoding; never kAuto.
Encoding DetectEncoding(const std::vector<std::string_view>& samples);

// UTF-16 without a byte-order mark, seen in an input's first 512 bytes: ASCII text has a NUL
// after (little-endian) or before (big-endian) every character.
enum class Utf16Order { kNone, kLittle, kBig };
Utf16Order Utf16WithoutBom(std::string_view head);

// For an invalid-UTF-8 message: the legacy encoding that |bytes| (the text around the invalid
// byte) look like (steps 3 and 4 above), e.g. "windows-1252"; empty when none fits.
std::string GuessLegacyEncoding(std::string_view bytes);

}  // namespace crmkpi
