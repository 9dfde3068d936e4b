#include "cmd_describe.h"


#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/exit_code.h"
#include "crmkpi/evaluate/kpi_describe.h"
#include "crmkpi/write/describe_writer.h"
#include "crmkpi/write/output_file.h"
#include "excel_options.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct DescribeArgs {
  std::string config;
  std::string format = "table";
  std::string output;
  std::string lang;  // --lang en|ja; default the definition's [crmkpi] lang
  bool quiet = false;
};

int Run(const DescribeArgs& a) {
  const Format format = ParseFormat(a.format);
  if (format == Format::kHtml) {
    throw Error::Usage("--format html: describe has no dashboard (table, csv, json, md)");
  }
  const KpiModel model = LoadModel(a.config);
  Calendar cal = model.calendar;
  CalendarFlags flags;
  flags.lang = a.lang;
  flags.ApplyTo(&cal);
  const KpiSheet sheet = DescribeKpis(model);
  if (sheet.kpis.empty()) {
    throw Error::Usage(fmt::format("{}: no [kpi] sections to describe; a KPI is a [kpi ID] section with a formula (docs/ini.md)",
                                   a.config));
  }
  WriteOutput(a.output, WriteDescribe(sheet, format, cal.ja));
  NoteWritten(a.output, a.quiet,
              fmt::format("describe: {} KPI{}", sheet.kpis.size(),
                          sheet.kpis.size() == 1 ? "" : "s"));
  return ToInt(ExitCode::kOk);
}

}  // namespace

void SetUpDescribeCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<DescribeArgs>();
  CLI::App* cmd = app->add_subcommand(
      "describe", "The KPI 定義書 of a definition: each KPI's definition, formula in words, "
                  "unit, layer, owners, collection, source columns, review, target and "
                  "deadline (reads no data)");
  cmd->add_option("-c,--config", args->config, "KPI definition (INI, docs/ini.md)")
      ->required()
      ->type_name("FILE");
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), md, csv or json");
  cmd->add_option("--lang", args->lang,
                  "Headings and values in en or ja (指標, 定義, 計算式, …); default the "
                  "definition's [crmkpi] lang")
      ->type_name("en|ja");
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
