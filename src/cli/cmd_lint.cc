#include "cmd_lint.h"


#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/exit_code.h"
#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/evaluate/definition_run.h"
#include "crmkpi/evaluate/failure_signs.h"
#include "crmkpi/evaluate/kpi_attainable.h"
#include "crmkpi/evaluate/kpi_lint.h"
#include "crmkpi/write/json_writer.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/report_writer.h"
#include "crmkpi/write/sheet.h"
#include "crmkpi/write/xlsx_writer.h"
#include "excel_options.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct LintArgs {
  KpiRunArgs kpi;  // -c, --source
  std::string as_of;
  std::string format = "table";
  bool data = false;  // --data: read the sources for target_unattainable
};

int Run(const LintArgs& a) {
  const Format format = ParseFormat(a.format);
  if (format == Format::kHtml) {
    throw Error::Usage("--format html: lint has no dashboard (table, csv, json, md)");
  }
  const KpiModel model = LoadModel(a.kpi.config);
  std::string as_of = a.as_of.empty() ? model.as_of : a.as_of;
  std::vector<LintFinding> attainable;
  if (a.data) {
    // The data's own as-of (as_of = data) then counts for the rules that need one, as in
    // report -c's lint line.
    AttainableLint data = LintAttainable(model, a.as_of, a.kpi.SourceOverrides(), {});
    if (!data.as_of.empty()) as_of = data.as_of;
    PrintDiagnostics(data.warnings, {});
    for (const auto& [loc, note] : data.notes) {
      std::fprintf(stderr, "crmkpi: %s: note: target_unattainable: %s\n", loc.ToString().c_str(),
                   note.c_str());
    }
    attainable = std::move(data.findings);
    // The failure signs across periods, when the metrics have periods: one more read.
    const bool periods = std::any_of(model.metrics.begin(), model.metrics.end(), [](const MetricDef& m) {
      return m.period != Period::kNone && m.aggregation != Aggregation::kFigure;
    }) || std::any_of(model.sources.begin(), model.sources.end(), [](const SourceDef& s) {
      return s.kind == SourceKind::kForecast;
    });
    if (periods) {
      const DefinitionRun run = RunDefinition(model, a.as_of, a.kpi.SourceOverrides(), {}, {});
      const std::vector<LintFinding> signs =
          SignFindings(model, FindFailureSigns(model, run.evaluation.report));
      attainable.insert(attainable.end(), signs.begin(), signs.end());
    }
  } else if (!a.kpi.sources.empty()) {
    throw Error::Usage(fmt::format("--source {} names a file for lint --data to read; without "
                                   "--data lint reads no data (add --data)",
                                   a.kpi.sources.front()));
  }
  std::vector<LintFinding> findings = LintModel(model, as_of);
  findings.insert(findings.end(), attainable.begin(), attainable.end());
  std::size_t errors = 0;
  for (const auto& f : findings) errors += f.severity == LintSeverity::kError ? 1 : 0;
  std::string out;
  if (format == Format::kJson) {
    JsonWriter w;
    w.BeginObject().VersionKeys().Key("findings").BeginArray();
    for (const LintFinding& f : findings) {
      w.Newline().BeginObject().Key("rule").String(f.rule);
      w.Key("severity").String(SeverityName(f.severity)).Key("file").String(f.loc.file);
      w.Key("line").Int(f.loc.line).Key("col").Int(f.loc.column);
      w.Key("message").String(f.message).EndObject();
    }
    w.EndArray().Newline().Key("errors").Int(errors);
    w.Key("warnings").Int(findings.size() - errors).EndObject().Newline();
    out = w.Take();
  } else if (format == Format::kXlsx) {
    Workbook book;
    Sheet s;
    s.name = "Findings";
    s.columns = {"rule", "severity", "file", "line", "col", "message"};
    for (const LintFinding& f : findings) {
      s.rows.push_back({Cell::Text(f.rule), Cell::Text(std::string(SeverityName(f.severity))),
                        Cell::Text(f.loc.file),
                        Cell::Number(static_cast<double>(f.loc.line), CellKind::kCount),
                        Cell::Number(static_cast<double>(f.loc.column), CellKind::kCount),
                        Cell::Text(f.message)});
    }
    book.sheets.push_back(std::move(s));
    book.settings.emplace_back("as of", as_of.empty() ? "none" : as_of);
    book.settings.emplace_back("errors", std::to_string(errors));
    book.settings.emplace_back("warnings", std::to_string(findings.size() - errors));
    out = WriteXlsx(book);
  } else if (format == Format::kCsv) {
    out = "rule,severity,file,line,col,message\n";
    for (const LintFinding& f : findings) {
      out += fmt::format("{},{},{},{},{},{}\n", f.rule, SeverityName(f.severity),
                         CsvField(f.loc.file), f.loc.line, f.loc.column, CsvField(f.message));
    }
  } else {
    for (const LintFinding& f : findings) {
      out += fmt::format("{}: {}: {} [{}]\n", f.loc.ToString(), SeverityName(f.severity),
                         f.message, f.rule);
    }
    out += fmt::format("{} error{}, {} warning{}\n", errors, errors == 1 ? "" : "s",
                       findings.size() - errors, findings.size() - errors == 1 ? "" : "s");
  }
  WriteOutput("", out);
  return errors > 0 ? ToInt(ExitCode::kCheckFailed) : ToInt(ExitCode::kOk);
}

}  // namespace

void SetUpLintCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* cmd = app->add_subcommand(
      "lint", "Check a KPI definition against the KPI-design checklists (exit 1 on a rule at "
              "severity error)");
  args->kpi.Register(cmd, true);
  cmd->add_option("--as-of", args->as_of,
                  "The date review ages and deadlines count from (default: the definition's "
                  "as_of)")
      ->type_name("DATE");
  cmd->add_flag("--data", args->data,
                "Also read the sources: target_unattainable compares each target with the best "
                "period in the data (without it lint reads only the INI)");
  cmd->add_option("--format,-f", args->format, "table (default), json or csv")
      ->type_name("FORMAT");
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
