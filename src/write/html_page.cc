#include "html_page.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>

#include "crmkpi/base/text.h"

namespace crmkpi::html {
namespace {

// The length of the valid UTF-8 sequence at |s[i]|, 0 when it is not one.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  if (cp >= 0x80 && cp <= 0x9F) return 0;  // C1 controls
  return len;
}

constexpr std::string_view kCss = R"CSS(
:root{--good:#1a7f37;--bad:#c62828;--warn:#b26a00;--none:#6b7280;--ink:#1f2328;--muted:#57606a;
--line:#d0d7de;--bg:#f6f8fa;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;padding:16px 24px;color:var(--ink);background:#fff;font:14px/1.45 system-ui,
-apple-system,"Segoe UI","Hiragino Sans","Hiragino Kaku Gothic ProN","Yu Gothic","YuGothic",
"Meiryo","Noto Sans CJK JP","Noto Sans JP",sans-serif}
h1{font-size:20px;margin:0 0 2px}h2{font-size:16px;margin:0 0 8px}
h3{font-size:14px;margin:8px 0 4px}
.sub{color:var(--muted);margin:0 0 12px}
section.box{border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:0 0 14px;
background:#fff;break-inside:avoid;page-break-inside:avoid}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{flex:0 0 224px;border:1px solid var(--line);border-left:6px solid var(--none);
border-radius:6px;padding:8px 10px;background:var(--bg);break-inside:avoid;page-break-inside:avoid}
.card.good{border-left-color:var(--good)}.card.bad{border-left-color:var(--bad)}
.card.warn{border-left-color:var(--warn)}
.card .lbl{font-size:12px;color:var(--muted);overflow-wrap:anywhere}
.card .val{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.card .ln{font-size:12px;font-variant-numeric:tabular-nums}
.st{font-weight:600;white-space:nowrap}.st.good{color:var(--good)}.st.bad{color:var(--bad)}
.st.warn{color:var(--warn)}.st.none{color:var(--none)}
table{border-collapse:collapse;font-size:12.5px;margin:4px 0 8px}
caption{text-align:left;font-weight:600;padding:2px 0}
th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td:first-child{min-width:6em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pair{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.pair>.chart{flex:0 1 auto;max-width:100%}.pair>.tbl{flex:1 1 320px;overflow-x:auto}
svg{max-width:100%;height:auto;font-family:inherit}
svg text{font-size:11px;fill:var(--ink)}svg .ax{stroke:#8c959f;stroke-width:1}
svg .grid{stroke:#eaeef2;stroke-width:1}
svg .tgt{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:6 4;fill:none}
svg .bar{fill:var(--accent)}svg .bar2{fill:#9ab8da}
svg .good{fill:var(--good)}svg .bad{fill:var(--bad)}
svg .warn{fill:var(--warn)}svg .none{fill:var(--none)}
svg .ln0{stroke:var(--accent);stroke-width:2;fill:none}
svg .ln1{stroke:#e36209;stroke-width:2;fill:none}
svg .ln2{stroke:#6f42c1;stroke-width:2;fill:none}svg .ln3{stroke:#1a7f37;stroke-width:2;fill:none}
svg .dot0{fill:var(--accent)}svg .dot1{fill:#e36209}svg .dot2{fill:#6f42c1}svg .dot3{fill:#1a7f37}
svg .node{stroke:#57606a;stroke-width:1}svg .node.good{fill:#dafbe1}svg .node.bad{fill:#ffebe9}
svg .node.none{fill:#eaeef2}svg .node.warn{fill:#fff8c5}svg .edge{stroke:#8c959f;fill:none}
svg .pay{stroke:var(--good);stroke-width:1.5;stroke-dasharray:3 3}
.note{color:var(--muted);font-size:12px}
ul.plain{margin:4px 0;padding-left:18px}
@page{size:A4 landscape;margin:10mm}
@media print{body{padding:0;font-size:11px;-webkit-print-color-adjust:exact;
print-color-adjust:exact}section.box{border-color:#999}
.card{break-inside:avoid}table,svg,figure{break-inside:avoid;page-break-inside:avoid}
tr{break-inside:avoid}}
)CSS";

}  // namespace

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t len = Utf8Length(s, i);
    if (len == 0 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string NumText(double v) {
  if (!std::isfinite(v)) return {};
  if (v == 0) return "0";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string NumText(const Num& n) { return n.fixed ? n.ToString() : NumText(n.real); }

std::string PointerToken(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string DataAttrs(std::string_view pointer, const std::string& num) {
  if (num.empty()) return {};
  return fmt::format(" data-json=\"{}\" data-value=\"{}\"", Esc(pointer), Esc(num));
}

std::string_view StatusKind(std::string_view status) {
  if (status == "on track" || status == "PASS" || status == "pass" || status == "on pace") {
    return "good";
  }
  if (status == "off track" || status == "FAIL" || status == "fail" || status == "ERROR" ||
      status == "error" || status == "behind pace") {
    return "bad";
  }
  if (status == "WARN" || status == "warn") return "warn";
  return "none";
}

std::string StatusMark(std::string_view status) {
  if (status.empty()) return {};
  std::string_view shape = "■";
  if (status == "on track" || status == "on pace") shape = "▲";
  if (status == "off track" || status == "behind pace") shape = "▼";
  if (status == "PASS" || status == "pass") shape = "●";
  if (status == "WARN" || status == "warn") shape = "▲";
  if (status == "FAIL" || status == "fail") shape = "■";
  if (status == "ERROR" || status == "error") shape = "✖";
  if (status == "no target" || status == "n/a") shape = "○";
  return fmt::format("<span class=\"st {}\">{} {}</span>", StatusKind(status), shape, Esc(status));
}

std::string Number(const std::string& shown, std::string_view pointer, const std::string& num) {
  return fmt::format("<span{}>{}</span>", DataAttrs(pointer, num), Esc(shown));
}

Cell TextCell(std::string_view text) { return Cell{Esc(text), false, {}}; }

Cell NumCell(const std::string& shown, std::string_view pointer, const std::string& num) {
  return Cell{Esc(shown), true, DataAttrs(pointer, num)};
}

std::string Table::Render() const {
  std::string out = "<table";
  if (!cls.empty()) out += " class=\"" + Esc(cls) + "\"";
  out += ">";
  if (!caption.empty()) out += "<caption>" + Esc(caption) + "</caption>";
  out += "<thead><tr>";
  for (std::size_t c = 0; c < head.size(); ++c) {
    const bool n = c < num.size() && num[c];
    out += fmt::format("<th{} scope=\"col\">{}</th>", n ? " class=\"n\"" : "", Esc(head[c]));
  }
  out += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const Cell& cell : row) {
      out += fmt::format("<td{}{}>{}</td>", cell.num ? " class=\"n\"" : "", cell.attrs, cell.html);
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  return out;
}

std::string Section(std::string_view id, std::string_view title, const std::string& body) {
  return fmt::format("<section class=\"box\" id=\"{}\"><h2>{}</h2>\n{}</section>\n", Esc(id),
                     Esc(title), body);
}

std::string Cards(const std::vector<Card>& cards) {
  std::string out = "<div class=\"cards\">";
  for (const Card& c : cards) {
    out += fmt::format(
        "<div class=\"card {}\"><div class=\"lbl\">{}</div><div class=\"val\">{}"
        "</div>",
        StatusKind(c.status), Esc(c.label), c.value_html);
    for (const std::string& line : c.lines) out += "<div class=\"ln\">" + line + "</div>";
    if (!c.status.empty()) out += "<div class=\"ln\">" + StatusMark(c.status) + "</div>";
    out += "</div>\n";
  }
  return out + "</div>\n";
}

std::string ChartWithTable(const std::string& svg, const std::string& table_html) {
  return "<div class=\"pair\"><figure class=\"chart\" style=\"margin:0\">" + svg +
         "</figure><div class=\"tbl\">" + table_html + "</div></div>\n";
}

std::string Page(const PageHead& head, const std::string& body) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"" + Esc(head.lang) + "\">\n<head>\n";
  out += "<meta charset=\"utf-8\">\n";
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"crmkpi\">\n";
  out += "<title>" + Esc(head.title) + "</title>\n<style>" + std::string(kCss) +
         "</style>\n</head>\n<body>\n";
  out += "<header><h1>" + Esc(head.title) + "</h1>";
  if (!head.subtitle.empty()) out += "<p class=\"sub\">" + Esc(head.subtitle) + "</p>";
  out += "</header>\n<main>\n" + body + "</main>\n</body>\n</html>\n";
  return out;
}

std::string ReportSubtitle(const Report& report) {
  std::string inputs;
  std::uint64_t rows = 0;
  for (const InputSummary& in : report.inputs) {
    inputs += (inputs.empty() ? "" : ", ") + in.name;
    if (!in.encoding.empty() && in.encoding != "utf-8") inputs += " (" + in.encoding + ")";
    rows += in.rows;
  }
  std::string out = inputs.empty()
                        ? std::string()
                        : inputs + " · " + GroupThousands(std::to_string(rows)) + " rows";
  if (!report.as_of.empty()) out += (out.empty() ? "" : " · ") + ("as of " + report.as_of);
  return out;
}

}  // namespace crmkpi::html
