// `crmkpi check` output (check_writer.h): the format by name, and the formats for people, the
// terminal table and Markdown; json and csv are check_json_csv.cc, junit check_junit.cc.
#include "crmkpi/write/check_sheets.h"
#include "crmkpi/write/xlsx_writer.h"
#include "crmkpi/write/check_writer.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/terminal.h"
#include "check_json_csv.h"
#include "check_junit.h"
#include "check_text.h"
#include "html_check.h"
#include "text_table.h"

namespace crmkpi {

using namespace check_writing;

namespace {

// ---- table -------------------------------------------------------------------------------

void AddRow(Table& t, std::vector<std::string> cells) {
  for (auto& c : cells) c = Visible(c);
  t.rows.push_back(std::move(cells));
}

std::string Indent(const std::string& text, std::string_view prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size() - 1;
    out += prefix;
    out.append(text, start, end - start + 1);
    start = end + 1;
  }
  return out;
}

bool ShowsSamples(const CheckResult& r) {
  return (r.status == CheckStatus::kFail || r.status == CheckStatus::kWarn) && !r.samples.empty();
}

std::string SampleTable(const CheckResult& r) {
  bool normalized = false;
  for (const CheckSample& s : r.samples) normalized = normalized || !s.normalized.empty();
  Table t;
  t.head = {"line", "row", "column", "value"};
  t.right = {true, true, false, false};
  if (normalized) {
    t.head.push_back("normalized");
    t.right.push_back(false);
  }
  t.head.push_back("rule");
  t.right.push_back(false);
  for (const CheckSample& s : r.samples) {
    std::vector<std::string> cells = {std::to_string(s.line), std::to_string(s.row), s.column,
                                      s.value};
    if (normalized) cells.push_back(s.normalized);
    cells.push_back(s.rule);
    AddRow(t, std::move(cells));
  }
  return t.Render(false);
}

std::string NearTable(const CheckResult& r) {
  Table t;
  t.head = {"similarity", "value", "line", "value", "line", "shared token"};
  t.right = {true, false, true, false, true, false};
  for (const NearPair& p : r.near) {
    AddRow(t, {Decimal(p.similarity, 2), p.original_a, std::to_string(p.line_a), p.original_b,
               std::to_string(p.line_b), p.shared_token});
  }
  return t.Render(false);
}

std::string WriteTable(const CheckRun& run, int exit_code) {
  std::string out;
  for (const SourceGroup& g : GroupBySource(run)) {
    if (!out.empty()) out += "\n";
    out += SourceLine(g) + "\n";
    if (g.checks.empty()) continue;
    Table t;
    t.head = {"status", "check", "type", "columns", "violations", "threshold", "details"};
    t.right = {false, false, false, false, false, false, false};
    for (const CheckResult* r : g.checks) {
      AddRow(t, {StatusLabel(r->status), r->def.name, CheckTypeName(r->def.type),
                 Join(r->def.columns, ", "), MetricText(*r), ThresholdText(r->def), Details(*r)});
    }
    out += t.Render(false);
    for (const CheckResult* r : g.checks) {
      if (ShowsSamples(*r)) {
        out += fmt::format("\n{} {}: samples\n", PaintStatus(StatusLabel(r->status)),
                           Visible(r->def.name));
        out += Indent(SampleTable(*r), "  ");
      }
      if (!r->near.empty()) {
        out += fmt::format("\n{}: near-duplicate candidates (candidates, not counted; {} of {})\n",
                           Visible(r->def.name), r->near.size(), r->near_total);
        out += Indent(NearTable(*r), "  ");
      }
    }
  }
  if (!out.empty()) out += "\n";
  if (run.invalid_rows_written != 0) {
    out += fmt::format("{} invalid row{} written\n", Count(run.invalid_rows_written),
                       run.invalid_rows_written == 1 ? "" : "s");
  }
  return out + SummaryLine(run, exit_code) + "\n";
}

// ---- markdown ----------------------------------------------------------------------------

// Untrusted text in Markdown prose or a table cell: visible, with the characters that start
// inline markup (emphasis, code, links, HTML tags) backslash-escaped. Table escapes '|'
// itself; '>' only quotes at the start of a line, which no cell or list item has.
std::string MdText(std::string_view text) {
  const std::string s = Visible(text);
  std::string out;
  for (const char c : s) {
    if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '<' || c == '[' || c == ']') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

// A code span holding |text| literally: fenced with one more backtick than the longest run
// inside, padded when the text starts or ends with a backtick; "(empty)" for "".
std::string MdCode(std::string_view text) {
  const std::string s = Visible(text);
  if (s.empty()) return "(empty)";
  std::size_t longest = 0, run = 0;
  for (const char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = s.front() == '`' || s.back() == '`';
  return fence + (pad ? " " : "") + s + (pad ? " " : "") + fence;
}

std::string WriteMarkdown(const CheckRun& run, int exit_code) {
  std::string out = "# crmkpi check\n\n**" + SummaryLine(run, exit_code) + "**\n\n";
  const std::vector<SourceGroup> groups = GroupBySource(run);
  for (const SourceGroup& g : groups) out += "- " + MdText(SourceLine(g)) + "\n";
  if (!groups.empty()) out += "\n";
  if (run.invalid_rows_written != 0) {
    out += fmt::format("{} invalid row{} written.\n\n", Count(run.invalid_rows_written),
                       run.invalid_rows_written == 1 ? "" : "s");
  }
  Table t;
  t.head = {"source", "check", "type", "columns", "status", "violations", "threshold", "details"};
  t.right = {false, false, false, false, false, false, false, false};
  for (const SourceGroup& g : groups) {
    for (const CheckResult* r : g.checks) {
      t.rows.push_back({MdText(r->def.source), MdText(r->def.name), CheckTypeName(r->def.type),
                        MdText(Join(r->def.columns, ", ")), StatusLabel(r->status), MetricText(*r),
                        MdText(ThresholdText(r->def)), MdText(Details(*r))});
    }
  }
  if (!t.rows.empty()) out += t.Render(true);

  std::string samples;
  for (const SourceGroup& g : groups) {
    for (const CheckResult* r : g.checks) {
      if (ShowsSamples(*r)) {
        samples += fmt::format("\n### {} {} ({})\n\n", StatusLabel(r->status), MdText(r->def.name),
                               MdText(r->def.source));
        for (const CheckSample& s : r->samples) {
          if (s.row == 0) {  // a schema check's header column
            samples += fmt::format("- line {} (header), {} — {}\n", s.line, MdCode(s.column),
                                   MdText(s.rule));
            continue;
          }
          samples += fmt::format("- line {} (row {}), {}: {}", s.line, s.row, MdCode(s.column),
                                 MdCode(s.value));
          if (!s.normalized.empty()) samples += " → " + MdCode(s.normalized);
          if (!s.rule.empty()) samples += " — " + MdText(s.rule);
          samples += "\n";
        }
      }
      if (!r->near.empty()) {
        samples += fmt::format("\n### {}: near-duplicate candidates (candidates, not counted)\n\n",
                               MdText(r->def.name));
        for (const NearPair& p : r->near) {
          samples +=
              fmt::format("- {} (line {}) ~ {} (line {}): similarity {}", MdCode(p.original_a),
                          p.line_a, MdCode(p.original_b), p.line_b, Decimal(p.similarity, 2));
          if (!p.shared_token.empty()) samples += ", shared token " + MdCode(p.shared_token);
          samples += "\n";
        }
      }
    }
  }
  if (!samples.empty()) out += "\n## Samples\n" + samples;
  return out;
}

}  // namespace

CheckFormat ParseCheckFormat(std::string_view name) {
  if (name == "table") return CheckFormat::kTable;
  if (name == "json") return CheckFormat::kJson;
  if (name == "junit") return CheckFormat::kJunit;
  if (name == "csv") return CheckFormat::kCsv;
  if (name == "md" || name == "markdown") return CheckFormat::kMarkdown;
  if (name == "html") return CheckFormat::kHtml;
  if (name == "xlsx") return CheckFormat::kXlsx;
  throw Error::Usage(fmt::format(
      "--format: unknown format '{}' (table, json, junit, csv, md, html, xlsx)", name));
}

std::string WriteChecks(const CheckRun& run, CheckFormat format, int exit_code) {
  // --kpis: only these checks in the table and Markdown (the other formats keep every check).
  if (!Terminal().kpis.empty() &&
      (format == CheckFormat::kTable || format == CheckFormat::kMarkdown)) {
    CheckRun shown = run;
    std::erase_if(shown.checks, [](const CheckResult& r) { return !Shown(r.def.name); });
    return format == CheckFormat::kTable ? WriteTable(shown, exit_code)
                                         : WriteMarkdown(shown, exit_code);
  }
  switch (format) {
    case CheckFormat::kTable:
      return WriteTable(run, exit_code);
    case CheckFormat::kJson:
      return WriteJson(run, exit_code);
    case CheckFormat::kJunit:
      return WriteJunit(run);
    case CheckFormat::kCsv:
      return WriteCsv(run);
    case CheckFormat::kMarkdown:
      return WriteMarkdown(run, exit_code);
    case CheckFormat::kHtml:
      return html::ChecksPage(run, exit_code);
    case CheckFormat::kXlsx:
      return WriteXlsx(CheckWorkbook(run, exit_code));
  }
  return {};
}

}  // namespace crmkpi
