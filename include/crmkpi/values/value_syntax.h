// Syntax validators for the validity check (`crmkpi check`, rules "email" and "phone"): does a
// value look like an e-mail address / a phone number? Practical rules for CRM data, not full
// RFC grammars; what they accept is exactly what is written here. Both functions trim the
// value first (ASCII whitespace and U+3000, like every value parser: TrimSpace in text.h),
// allocate nothing and accept any bytes (invalid UTF-8 is simply invalid).
#pragma once

#include <string_view>

namespace crmkpi {

// E-mail: LOCAL@DOMAIN with exactly one '@' (ASCII; a full-width ＠ is invalid).
//  LOCAL  1–64 bytes. ASCII atext (RFC 5322 dot-atom): letters, digits and
//         ! # $ % & ' * + / = ? ^ _ ` { | } ~ -, and dots, but not as the first or last
//         character and never two in a row. Non-ASCII characters (RFC 6531) are allowed when
//         they are letters, marks or digits (Unicode L*, M*, N*), so "山田@example.jp" is valid;
//         except the half-width and full-width forms block U+FF00–U+FFEF (ａ, ０, ．, ｶ …),
//         which in practice are IME typing mistakes, not real addresses.
//  DOMAIN 1–253 bytes of at least two labels separated by single dots (no leading, trailing or
//         double dot). A label is 1–63 bytes of letters, digits and hyphens, not starting or
//         ending with a hyphen; non-ASCII letters, marks and digits are allowed (IDN U-labels,
//         same U+FF00–U+FFEF exclusion). The last label (TLD) has at least two letters, so it is
//         never all digits ("a@b.c" and "a@1.23" are invalid; "a@b.xn--p1ai" is fine).
//  Not accepted: quoted local parts ("john doe"@x.com), comments, IP-literal domains
//  (a@[192.0.2.1]), spaces anywhere inside.
bool IsEmail(std::string_view value);

// Phone: after one optional leading '+' (or '＋'), only digits and separators. Digits are ASCII
// or full-width (０-９); there must be 7 to 15 of them (15 = the E.164 maximum). Separators,
// ignored: space, tab, U+00A0, U+3000, - . ( ) / and their look-alikes ‐ ‑ ‒ – — ― − － ー ｰ ．
// （ ） ／ ﹣. Anything else makes the value invalid: letters ("tel", "N/A"), an extension
// ("03-1234-5678 ext. 12", "x12", "内線"), '#', '*', ',', a '+' that is not the first character.
bool IsPhone(std::string_view value);

}  // namespace crmkpi
