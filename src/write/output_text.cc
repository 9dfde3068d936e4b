#include "crmkpi/write/output_text.h"

#include <cerrno>

#include <fmt/format.h>
#include <iconv.h>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

OutputText g_text;

// Characters CP932 lacks whose look-alike it has: the usual Unicode ↔ Windows-31J pairs, and
// those crmkpi's own texts print (the heading's middle dot, sMAPE's "0–200 %", "≤", roi's
// "⌈cost / …⌉").
constexpr std::pair<std::string_view, std::string_view> kLookAlikes[] = {
    {"\u301C", "\uFF5E"}, {"\u2212", "\uFF0D"}, {"\u00B7", "\u30FB"}, {"\u2014", "\u2015"},
    {"\u2016", "\u2225"}, {"\u00A2", "\uFFE0"}, {"\u00A3", "\uFFE1"}, {"\u00AC", "\uFFE2"},
    {"\u2013", "-"},       {"\u2264", "\u2266"}, {"\u2265", "\u2267"}, {"\u2308", "ceil("},
    {"\u2309", ")"},
};

std::string MapLookAlikes(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    bool mapped = false;
    for (const auto& [from, to] : kLookAlikes) {
      if (in.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        mapped = true;
        break;
      }
    }
    if (!mapped) out.push_back(in[i++]);
  }
  return out;
}

std::size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

[[noreturn]] void Unconvertible(std::string_view text, std::size_t at) {
  const std::size_t len = std::min(Utf8Length(static_cast<unsigned char>(text[at])),
                                   text.size() - at);
  const std::string_view ch = text.substr(at, len);
  char32_t cp = len == 1 ? static_cast<unsigned char>(ch[0])
                         : static_cast<unsigned char>(ch[0]) & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(ch[k]) & 0x3F);
  const std::size_t line_start = text.rfind('\n', at) == std::string_view::npos
                                     ? 0
                                     : text.rfind('\n', at) + 1;
  std::size_t line_end = text.find('\n', at);
  if (line_end == std::string_view::npos) line_end = text.size();
  std::size_t line_no = 1;
  for (std::size_t k = 0; k < line_start; ++k) line_no += text[k] == '\n';
  std::string_view line = text.substr(line_start, line_end - line_start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  throw Error::Usage(fmt::format(
      "--output-encoding cp932: '{}' (U+{:04X}) on line {} of the output (\"{}\") has no CP932 "
      "code; write UTF-8 with a byte-order mark instead (--bom, or -f csv-excel), which "
      "Excel 2016 and later read",
      ch, static_cast<std::uint32_t>(cp), line_no, line));
}

std::string ToCp932(std::string_view utf8) {
  const std::string text = MapLookAlikes(utf8);
  iconv_t cd = iconv_open("CP932", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    throw Error::Usage("--output-encoding cp932: this system's iconv has no CP932");
  }
  std::string out(text.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(text.data());
  std::size_t in_left = text.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &dst, &out_left) != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {  // cannot happen (CP932 is never longer than UTF-8), but be safe
      const std::size_t used = static_cast<std::size_t>(dst - out.data());
      out.resize(out.size() * 2);
      dst = out.data() + used;
      out_left = out.size() - used;
      continue;
    }
    iconv_close(cd);
    Unconvertible(text, static_cast<std::size_t>(in - text.data()));
  }
  iconv_close(cd);
  out.resize(static_cast<std::size_t>(dst - out.data()));
  return out;
}

}  // namespace

void SetOutputText(const OutputText& text) { g_text = text; }
const OutputText& GetOutputText() { return g_text; }

std::string EncodeOutput(std::string_view utf8, const OutputText& text) {
  if (text.cp932) return ToCp932(utf8);
  std::string out = text.bom ? "\xEF\xBB\xBF" : "";
  out += utf8;
  return out;
}

}  // namespace crmkpi
