#include "cmd_lint.h"

#include <memory>

#include <fmt/format.h>

#include "crmkpi/exit_code.h"
#include "crmkpi/kpi_lint.h"
#include "crmkpi/output_file.h"
#include "crmkpi/report_writer.h"
#include "crmkpi/text.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct LintArgs {
  std::string config;
  std::string as_of;
  std::string format = "table";
};

int Run(const LintArgs& a) {
  const Format format = ParseFormat(a.format);
  const KpiModel model = LoadModel(a.config);
  const std::string as_of = a.as_of.empty() ? model.as_of : a.as_of;
  const std::vector<LintFinding> findings = LintModel(model, as_of);
  std::size_t errors = 0;
  for (const auto& f : findings) errors += f.severity == LintSeverity::kError ? 1 : 0;
  std::string out;
  if (format == Format::kJson) {
    out = "{\"version\":1,\"findings\":[";
    for (std::size_t i = 0; i < findings.size(); ++i) {
      const LintFinding& f = findings[i];
      out += fmt::format("{}\n{{\"rule\":{},\"severity\":{},\"file\":{},\"line\":{},\"col\":{},"
                         "\"message\":{}}}",
                         i ? "," : "", JsonQuote(f.rule), JsonQuote(SeverityName(f.severity)),
                         JsonQuote(f.loc.file), f.loc.line, f.loc.column, JsonQuote(f.message));
    }
    out += fmt::format("],\n\"errors\":{},\"warnings\":{}}}\n", errors, findings.size() - errors);
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
  cmd->add_option("-c,--config", args->config, "KPI definition (INI)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--as-of", args->as_of, "The date review ages count from")->type_name("DATE");
  cmd->add_option("--format,-f", args->format, "table (default), json or csv")
      ->type_name("FORMAT");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
