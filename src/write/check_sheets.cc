// The sheets of `crmkpi check -f xlsx`: Checks (one row per check, as the CSV), Sources,
// Samples and Near duplicates.
#include "crmkpi/write/check_sheets.h"

#include <fmt/format.h>

#include "check_text.h"

namespace crmkpi {
namespace {

using check_writing::LimitText;
using check_writing::Ran;
using check_writing::ValidUtf8;

std::string Columns(const std::vector<std::string>& cols) {
  std::string out;
  for (const std::string& c : cols) out += (out.empty() ? "" : ", ") + c;
  return out;
}

Cell Count(std::uint64_t n) { return Cell::Number(static_cast<double>(n), CellKind::kCount); }

}  // namespace

void AddCheckSheets(const CheckRun& run, int exit_code, Workbook* book) {
  Sheet checks;
  checks.name = "Checks";
  checks.columns = {"source", "name", "type",  "columns", "status", "metric", "value",
                    "violations", "denominator", "fail", "warn", "error"};
  for (const CheckResult& r : run.checks) {
    const bool ran = Ran(r);
    checks.rows.push_back({
        Cell::Text(ValidUtf8(r.def.source)),
        Cell::Text(ValidUtf8(r.def.name)),
        Cell::Text(CheckTypeName(r.def.type)),
        Cell::Text(ValidUtf8(Columns(r.def.columns))),
        Cell::Text(CheckStatusName(r.status)),
        Cell::Text(r.metric),
        // The percent as a ratio, shown 0.0 %.
        ran && r.percent ? Cell::Number(*r.percent / 100.0, CellKind::kRatio) : Cell::Empty(),
        ran ? Count(r.violations) : Cell::Empty(),
        ran ? Count(r.denominator) : Cell::Empty(),
        Cell::Text(r.def.fail ? LimitText(*r.def.fail) : ""),
        Cell::Text(r.def.warn ? LimitText(*r.def.warn) : ""),
        Cell::Text(ran ? "" : ValidUtf8(r.error)),
    });
  }
  book->sheets.push_back(std::move(checks));

  Sheet sources;
  sources.name = "Sources";
  sources.columns = {"id", "file", "rows", "structural_errors", "encoding"};
  for (const SourceCheckSummary& s : run.sources) {
    sources.rows.push_back({Cell::Text(ValidUtf8(s.id)), Cell::Text(ValidUtf8(s.file)),
                            Count(s.rows), Count(s.structural_errors),
                            Cell::Text(s.encoding + (s.encoding_detected ? " (detected)" : ""))});
  }
  book->sheets.push_back(std::move(sources));

  Sheet samples;
  samples.name = "Samples";
  samples.columns = {"check", "line", "row", "column", "value", "normalized", "rule"};
  Sheet near;
  near.name = "Near duplicates";
  near.columns = {"check", "similarity", "a", "line a", "b", "line b", "shared token"};
  for (const CheckResult& r : run.checks) {
    for (const CheckSample& s : r.samples) {
      samples.rows.push_back({Cell::Text(ValidUtf8(r.def.name)), Count(s.line), Count(s.row),
                              Cell::Text(ValidUtf8(s.column)), Cell::Text(ValidUtf8(s.value)),
                              Cell::Text(ValidUtf8(s.normalized)), Cell::Text(ValidUtf8(s.rule))});
    }
    for (const NearPair& p : r.near) {
      near.rows.push_back({Cell::Text(ValidUtf8(r.def.name)),
                           Cell::Number(p.similarity, CellKind::kNumber),
                           Cell::Text(ValidUtf8(p.original_a)), Count(p.line_a),
                           Cell::Text(ValidUtf8(p.original_b)), Count(p.line_b),
                           Cell::Text(ValidUtf8(p.shared_token))});
    }
  }
  if (!samples.rows.empty()) book->sheets.push_back(std::move(samples));
  if (!near.rows.empty()) book->sheets.push_back(std::move(near));

  book->settings.emplace_back("as of", run.as_of.empty() ? "none" : run.as_of + " (" +
                                                                         run.as_of_source + ")");
  book->settings.emplace_back("exit code", std::to_string(exit_code));
  book->settings.emplace_back("invalid rows written", std::to_string(run.invalid_rows_written));
}

Workbook CheckWorkbook(const CheckRun& run, int exit_code) {
  Workbook book;
  AddCheckSheets(run, exit_code, &book);
  return book;
}

}  // namespace crmkpi
