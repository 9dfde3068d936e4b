// `crmkpi roi` (docs/cli.md "crmkpi roi"): flags and -c roi.ini → settings (roi_settings.h) →
// the definition run before and after, the figures (roi_run.h) → the report (roi_report.h).
#include "cmd_roi.h"


#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "crmkpi/definition/roi_settings.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/report_writer.h"
#include "excel_options.h"
#include "input_options.h"
#include "kpi_run.h"
#include "roi_report.h"
#include "roi_run.h"

namespace crmkpi {
namespace {

struct RoiArgs {
  RoiFlags flags;
  std::string format = "table";
  std::string output;
  bool quiet = false;
};

int Run(const RoiArgs& a) {
  ConfigureProgress(a.quiet);
  const Format format = ParseFormat(a.format);
  const RoiSettings settings = LoadRoiSettings(a.flags);
  const RoiEvaluation evaluation = EvaluateRoi(settings);
  const Report report = BuildRoiReport(settings, evaluation);
  WriteOutput(a.output, WriteRoiReport(report, settings, format));
  if (!a.quiet) PrintDiagnostics(report.warnings, {});
  NoteWritten(a.output, a.quiet, fmt::format("roi: {} measures", report.total.kpis.size()));
  return 0;
}

struct FlagHelp {
  const char* key;
  const char* type;
  const char* help;
};

constexpr FlagHelp kFlags[] = {
    {"cost", "AMOUNT", "Simple mode: the cost (X in ROI % = (Y − X) / X × 100)"},
    {"gain", "AMOUNT", "Simple mode: the gain, e.g. the added gross margin (Y)"},
    {"initial_cost", "AMOUNT", "Cash flow: the initial cost, at period 0, not discounted"},
    {"cost_per_month", "AMOUNT",
     "Cash flow: recurring cost per month (repeat, or A;B;…, for one value per month)"},
    {"cost_per_year", "AMOUNT",
     "Cash flow: recurring cost per year (repeat, or A;B;…, for one value per year)"},
    {"gain_per_month", "AMOUNT", "Cash flow: gain per month (one value, or one per month)"},
    {"gain_per_year", "AMOUNT", "Cash flow: gain per year (one value, or one per year)"},
    {"months", "N", "Cash flow: horizon in months"},
    {"years", "N", "Cash flow: horizon in years (default 3)"},
    {"ramp_periods", "N",
     "Cash flow: gains ramp up linearly over N periods (period k ≤ N gets k/N of the gain)"},
    {"discount_rate", "RATE", "Cash flow: discount rate per year, 10% (default) or 0.1"},
    {"benefit_risk", "RATE", "Risk adjustment: gains × (1 − RATE), e.g. 10% (default 0)"},
    {"cost_risk", "RATE", "Risk adjustment: costs × (1 + RATE), e.g. 5% (default 0)"},
    {"attribution_share", "RATE",
     "The share of the gain the CRM caused (default 100%); printed with the result"},
    {"margin_rate", "RATE",
     "Break-even volume: margin rate (平均利益率); gives the revenue needed = cost / margin"},
    {"deal_size", "AMOUNT",
     "Break-even volume: average deal size; gives the won deals needed (needs --margin-rate)"},
};

}  // namespace

void SetUpRoiCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<RoiArgs>();
  CLI::App* cmd = app->add_subcommand(
      "roi",
      "ROI, gain/cost, NPV and payback (Forrester TEI conventions) from a cost and a "
      "gain, or a cash flow; gains may be KPI changes between two exports (-c roi.ini)");
  cmd->add_option("-c,--config", args->flags.config,
                  "ROI settings: an INI file with an [roi] section (docs/ini.md); flags replace "
                  "its keys")
      ->type_name("FILE");
  for (const FlagHelp& f : kFlags) {
    std::string name = "--" + std::string(f.key);
    for (char& c : name) c = c == '_' ? '-' : c;
    CLI::Option* o = cmd->add_option(name, args->flags.values[f.key], f.help)->type_name(f.type);
    // One value (given twice, LoadRoiSettings says so), except the per-period flows.
    if (std::string_view(f.key).find("_per_") == std::string_view::npos) o->expected(1);
  }
  cmd->add_option("--before-source", args->flags.before_sources,
                  "The definition's source read for the \"before\" run: ID=PATH (repeatable)")
      ->type_name("ID=PATH");
  cmd->add_option("--after-source", args->flags.after_sources,
                  "The definition's source read for the \"after\" run: ID=PATH (repeatable)")
      ->type_name("ID=PATH");
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), csv, json, md or html (a dashboard)");
  OneValuePerFlag(cmd);
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
