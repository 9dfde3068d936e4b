// Internal: the pieces every HTML dashboard (-f html) is made of — the page shell (inline CSS,
// Content-Security-Policy, print layout), escaping, status marks, KPI cards and tables whose
// numbers carry machine-readable attributes. Writers only format: the numbers are the ones the
// JSON writer prints, and each shown number says where it is in that JSON (data-json, a JSON
// Pointer into the document of the same run) and what it is (data-value, the JSON's text).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/results/report.h"

namespace crmkpi::html {

// |s| safe as HTML text and as a quoted attribute value: & < > " ' escaped, invalid UTF-8 and
// control characters (except tab and line feed) as U+FFFD.
std::string Esc(std::string_view s);

// A number as the JSON writer prints it: shortest round-trip ("0.4166666666666667"), -0 as 0;
// a Num's exact decimal as its text. Empty for a non-finite double.
std::string NumText(double v);
std::string NumText(const Num& n);

// ` data-json="POINTER" data-value="NUM"` (leading space), or "" when |num| is empty.
std::string DataAttrs(std::string_view pointer, const std::string& num);

// A JSON Pointer token (RFC 6901: ~ → ~0, / → ~1).
std::string PointerToken(std::string_view s);

// The kind of a status for CSS and shape: "good", "bad", "warn", "none".
std::string_view StatusKind(std::string_view status);
// A status as text and shape, never by colour alone: ▲ on track, ▼ off track, ■ no target,
// ● PASS, ▲ WARN, ■ FAIL, ✖ ERROR.
std::string StatusMark(std::string_view status);

// A display value ("41.7 %") in a span carrying its JSON number.
std::string Number(const std::string& shown, std::string_view pointer, const std::string& num);

struct Cell {
  std::string html;   // already escaped
  bool num = false;   // right-aligned, tabular figures
  std::string attrs;  // extra attributes on the <td> (DataAttrs)
};
Cell TextCell(std::string_view text);  // escaped
Cell NumCell(const std::string& shown, std::string_view pointer, const std::string& num);

struct Table {
  std::string caption;
  std::vector<std::string> head;  // plain text
  std::vector<bool> num;          // per column: right-aligned
  std::vector<std::vector<Cell>> rows;
  std::string cls;  // extra class on <table>
  std::string Render() const;
};

// <section class="card-box" id=ID><h2>TITLE</h2>BODY</section>.
std::string Section(std::string_view id, std::string_view title, const std::string& body);

// A KPI card: label, the value big, then lines (target, achievement, change), the status mark.
struct Card {
  std::string label;
  std::string value_html;          // Number(…)
  std::vector<std::string> lines;  // already escaped HTML
  std::string status;              // "" for none
};
std::string Cards(const std::vector<Card>& cards);

// A chart and its numbers side by side (the table below it on a narrow page).
std::string ChartWithTable(const std::string& svg, const std::string& table_html);

struct PageHead {
  std::string title;     // <title> and <h1>
  std::string subtitle;  // the line under the heading (inputs, as-of)
  std::string lang = "en";
};
// The complete document: doctype, charset, CSP (default-src 'none'; style-src 'unsafe-inline';
// img-src data:), inline CSS with A4 landscape print rules and system fonts incl. Japanese.
std::string Page(const PageHead& head, const std::string& body);

// The subtitle of a Report: its inputs, rows and as-of.
std::string ReportSubtitle(const Report& report);

}  // namespace crmkpi::html
