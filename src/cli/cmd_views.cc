#include "cmd_views.h"


#include <memory>

#include <fmt/format.h>

#include "crmkpi/definition/view_def.h"
#include "crmkpi/values/fiscal_calendar.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/view_list_writer.h"
#include "excel_options.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct ViewsArgs {
  std::string config;
  std::string format = "table";
  std::string output;
  bool quiet = false;
};

int Run(const ViewsArgs& a) {
  const Format format = ParseFormat(a.format);
  const KpiModel model = LoadModel(a.config);
  std::vector<ViewListRow> rows;
  for (const ViewDef& v : ViewsOf(model)) {
    ViewListRow r;
    r.name = v.id;
    r.audience = v.audience;
    r.built_in = v.built_in;
    r.selects = SelectionText(v);
    r.kpis = ViewKpis(model, v);
    if (v.period) r.period = std::string(PeriodName(*v.period));
    if (v.by) r.by = GroupingText(*v.by);
    r.compare = v.compare;
    r.trend = v.trend;
    rows.push_back(std::move(r));
  }
  WriteOutput(a.output, WriteViewList(model.name, model.views.empty(), rows, format));
  NoteWritten(a.output, a.quiet, fmt::format("views: {} view{}", rows.size(),
                                             rows.size() == 1 ? "" : "s"));
  return 0;
}

}  // namespace

void SetUpViewsCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<ViewsArgs>();
  CLI::App* cmd = app->add_subcommand(
      "views", "List a definition's audience views ([view] sections, or the default executive, "
               "manager and field views) and the KPIs each shows");
  cmd->add_option("-c,--config", args->config, "KPI definition (INI)")
      ->required()
      ->type_name("FILE");
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), csv, json, md or html (a dashboard)");
  OneValuePerFlag(cmd);
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
