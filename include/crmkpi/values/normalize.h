// Key normalisers (名寄せ): a chain of small steps applied to a value before uniqueness keys are
// compared, so that "株式会社ＡＢＣ" and "ABC株式会社" count as the same company. A chain is written
// as comma-separated step names, e.g. `normalize = nfkc,lower,legal,trim` or the preset
// `company`, and applied left to right. Every step is idempotent and none throws. A value that
// is not valid UTF-8 (the CSV reader rejects such input, so this is for robustness) is left
// unchanged by the Unicode steps (lower, nfkc, strip-punct) and legal; the byte-wise steps
// (trim, collapse-spaces, email's trim, phone) work on it as on any other bytes.
//
// "Whitespace" below means ASCII space, \t, \n, \v, \f, \r and the Unicode space separators
// (category Zs): U+00A0 NO-BREAK SPACE, U+1680, U+2000..U+200A, U+202F, U+205F and U+3000
// IDEOGRAPHIC SPACE (全角スペース).
//
// trim             Removes leading and trailing whitespace.
// collapse-spaces  Replaces every run of whitespace inside the value by one ASCII space (does not
//                  trim: " a  b " → " a b ").
// lower            Unicode case folding (full folding, utf8proc UTF8PROC_CASEFOLD): "ÉCOLE" →
//                  "école", "Straße" → "strasse". Full-width letters fold to full-width
//                  ("ＡＢＣ" → "ａｂｃ"); use nfkc first to get ASCII.
// nfkc             Unicode NFKC: full-width ASCII to ASCII ("ＡＢＣ０１２" → "ABC012"), U+3000 to a
//                  space, "㈱" and "（株）" → "(株)", half-width katakana to full-width
//                  ("ｶﾌﾞ" → "カブ"), composed accents.
// strip-punct      Removes every code point of Unicode category P* (punctuation): ASCII
//                  ! " # % & ' ( ) * , - . / : ; ? @ [ \ ] _ { }, and e.g. ・ 「 」 、 。 （ ） －.
//                  Symbols (S*: $ + < = > ^ ` | ~ ￥ ©) and spaces stay; so does ー (a letter).
// legal            Removes company legal forms (see below). A value that contains no legal form is
//                  returned unchanged; a value that is nothing but legal forms and separators
//                  (e.g. "株式会社" alone) is also returned unchanged rather than emptied.
// email            trim, then lower. Nothing provider-specific: no removal of dots or "+tag"
//                  in Gmail addresses (the two spellings may or may not be one mailbox).
// phone            Digits only (ASCII or full-width ０-９; result in ASCII). When the trimmed
//                  value starts with "+" or "＋" and its first two digits are 81 (Japan), the
//                  country code becomes the trunk prefix 0 without doubling an existing one:
//                  "+81 3-1234-5678" and "+81 (0)3 1234 5678" → "0312345678". Other country codes
//                  are kept as digits: "+1 (415) 555-0100" → "14155550100". A value without
//                  digits becomes "" (which the uniqueness check treats as missing).
// company          Preset: nfkc,lower,legal,strip-punct,collapse-spaces,trim.
//
// legal, in detail. The value is split into tokens at separators (whitespace, "," "，" "、").
//   Japanese forms are removed wherever they occur inside a token, in ASCII or full-width
//   parentheses (mixed too): 株式会社 有限会社 合同会社 合資会社 合名会社 一般社団法人
//   一般財団法人 公益社団法人 公益財団法人 社団法人 財団法人 医療法人社団 医療法人財団 医療法人
//   社会福祉法人 特定非営利活動法人; in parentheses (株) (有) (同) (資) (名) (社) (財) (医) (一社)
//   (一財) (公社) (公財); the enclosed forms ㈱ ㈲ ㈾ ㈴ ㈳ ㈶.
//   Middle dots (・ ･ ·) left at either end of such a token are removed with them.
//   Latin forms are removed only as whole tokens, compared case-insensitively, with full-width
//   letters read as ASCII and dots ignored (so "Inc", "inc." and "ＩＮＣ．" match, and "L.L.C."
//   is LLC): Inc Incorporated Corp Corporation Co Ltd Limited LLC LLP PLC GmbH AG SA BV NV Pty
//   Pte SRL SpA Oy AB KK (also K.K.), and "Co.Ltd" written as one token. "Co., Ltd." is two
//   tokens, both removed. "Company" is NOT a form (it is part of many real names), nor is
//   anything that is only part of a longer word ("Incline", "Cobalt", "Agate" stay).
//   A removed token takes the separator before it with it ("Acme, Inc. Japan" → "Acme Japan");
//   finally separators and middle dots left at either end of the value are removed:
//   "Acme, Inc." → "Acme", "ACME Co., Ltd." → "ACME", "ＡＢＣ　株式会社" → "ＡＢＣ",
//   "(株)ABC" → "ABC", "Acme Holdings GmbH" → "Acme Holdings".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

enum class NormalizeStep : std::uint8_t {
  kTrim,
  kCollapseSpaces,
  kLower,
  kNfkc,
  kStripPunct,
  kLegal,
  kEmail,
  kPhone
};

// The step's name in a chain ("collapse-spaces").
const char* NormalizeStepName(NormalizeStep step);

// Removes leading and trailing whitespace (the set above: ASCII and every Unicode Zs). The
// `trim` step, and what `crmkpi check` trims before deciding that a field is missing.
std::string_view TrimWhitespace(std::string_view s);

class Normalizer {
 public:
  Normalizer() = default;  // identity (no steps)

  // Comma-separated step names (spaces around names allowed, case-insensitive), presets
  // expanded in place. Empty text = identity. An unknown name throws Error::Usage naming it,
  // the valid names and, when one is close, a did-you-mean suggestion.
  static Normalizer Parse(std::string_view chain);

  // Applies the steps in order. The result views an internal buffer (or |in| itself) and is
  // valid until the next call on this object. Allocates only while its buffers grow to the
  // largest value seen; never throws on any bytes.
  std::string_view Apply(std::string_view in);

  const std::vector<NormalizeStep>& steps() const { return steps_; }
  // Canonical chain, presets expanded: "trim,lower"; "" for the identity.
  std::string Describe() const;
  bool empty() const { return steps_.empty(); }

 private:
  // One step from |in| into |out| (cleared first); returns the result, which is |out| or a
  // part of |in|.
  std::string_view ApplyStep(NormalizeStep step, std::string_view in, std::string& out);
  // Appends valid UTF-8 |in| run through utf8proc (decompose with |options|, then re-encode)
  // to |out|.
  void MapUnicode(std::string_view in, std::string& out, int options);
  void RemoveLegalForms(std::string_view in, std::string& out);

  std::vector<NormalizeStep> steps_;
  std::string buffers_[2];             // steps alternate between these
  std::string token_;                  // legal: one token after removing Japanese forms
  std::vector<std::int32_t> code_points_;  // utf8proc work area
};

}  // namespace crmkpi
