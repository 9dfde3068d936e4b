#include "cmd_init.h"

#include <filesystem>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/deals_definition.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/write/output_file.h"
#include "deals_flags.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct InitArgs {
  DealsFlags deals;
  bool checks = false;
  bool force = false;
  bool quiet = false;
  std::string output;
};

int Run(const InitArgs& a) {
  if (a.deals.files.empty()) throw Error::Usage("init needs FILE...; run 'crmkpi init --help'");
  if (!a.output.empty() && a.output != "-" && !a.force && std::filesystem::exists(a.output)) {
    throw Error::Usage(fmt::format(
        "-o {}: the file exists; add --force to replace it (crmkpi init never overwrites a "
        "definition by accident)",
        a.output));
  }
  const DealsDefinitionInput in = ReadDealsDefinitionInput(a.deals, a.output);
  for (const std::string& w : in.warnings) fmt::print(stderr, "crmkpi: {}\n", w);
  DealsDefinitionText text;
  text.checks = a.checks;
  const std::string ini = DealsDefinitionIni(in, text);
  // What init prints must load: a definition that does not is a bug here, not the user's.
  KpiModel::Load(IniFile::Parse(ini, a.output.empty() ? "(crmkpi init)" : a.output));
  WriteOutput(a.output, ini);
  NoteWritten(a.output, a.quiet, fmt::format("init: the definition of {}", a.deals.files[0]));
  return 0;
}

}  // namespace

void SetUpInitCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = app->add_subcommand(
      "init", "Print the definition `crmkpi report FILE` runs (sources with their detected "
              "roles, metrics, KPIs, a starter tree) as an INI to edit and run with -c");
  cmd->add_option("files", args->deals.files, "Deals export CSV file(s), as for report")
      ->type_name("FILE...");
  cmd->add_option("--by", args->deals.by, "Group every metric by a column (as report --by)")
      ->type_name("COL");
  cmd->add_option("--period", args->deals.period, "Group every metric by week, month, quarter or year")
      ->type_name("week|month|quarter|half|year")
      ->check(CLI::IsMember({"week", "month", "quarter", "half", "year"}));
  cmd->add_option("--period-of", args->deals.period_of,
                  "The date (column or role) that places a deal in a period (default closed)")
      ->type_name("COL");
  AddStageOptions(cmd, &args->deals.won, &args->deals.lost, &args->deals.stages);
  cmd->add_option("--opportunity-stage", args->deals.opportunity_stage,
                  "The stage from which a deal counts as an opportunity (needs --stages)")
      ->type_name("STAGE");
  cmd->add_option("--lost-reached", args->deals.lost_reached,
                  "How lost deals count for lead_to_opportunity_rate: exclude, opportunity, lead")
      ->type_name("POLICY");
  AddDateOptions(cmd, &args->deals.date_format, &args->deals.tz);
  cmd->add_option("--as-of", args->deals.as_of, "The date treated as now (default: data)")
      ->type_name("DATE");
  cmd->add_flag("--lenient", args->deals.lenient, "Skip records with the wrong field count");
  AddExactGroupsOption(cmd, &args->deals.exact_groups);
  AddFxOption(cmd, &args->deals.fx);
  args->deals.calendar.Register(cmd);
  cmd->add_flag("--checks", args->checks,
                "Add starter [check] sections: completeness of the roles, uniqueness of the id, "
                "timeliness of the last-modified column, a row count");
  cmd->add_option("-o,--output", args->output, "Write the definition to this file (atomically)")
      ->type_name("FILE");
  cmd->add_flag("--force", args->force, "With -o: replace an existing file");
  cmd->add_flag("--quiet,-q", args->quiet, "No summary line on stderr with -o");
  args->deals.input.Register(cmd);
  OneValuePerFlag(cmd);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
