#include "cmd_init.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/definition/deals_definition.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/write/output_file.h"
#include "input_options.h"
#include "source_flags.h"

namespace crmkpi {
namespace {

struct InitArgs {
  std::vector<std::string> files;
  std::vector<std::string> by;
  std::string period, period_of;
  std::vector<std::string> won, lost, stages;
  std::string opportunity_stage, lost_reached = "exclude";
  std::string date_format, tz, as_of;
  bool lenient = false;
  bool checks = false;
  bool force = false;
  bool quiet = false;
  std::string output;
  InputOptions input;
};

// A file as the INI names it: relative to the INI's directory when written with -o.
std::string PathFromIni(const std::string& file, const std::string& output) {
  if (file == "-" || output.empty() || output == "-") return file;
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(fs::path(output)).parent_path();
  const fs::path rel = fs::absolute(fs::path(file)).lexically_relative(dir);
  return rel.empty() ? file : rel.generic_string();
}

int Run(const InitArgs& a) {
  if (a.files.empty()) throw Error::Usage("init needs FILE...; run 'crmkpi init --help'");
  if (!a.output.empty() && a.output != "-" && !a.force && std::filesystem::exists(a.output)) {
    throw Error::Usage(fmt::format(
        "-o {}: the file exists; add --force to replace it (crmkpi init never overwrites a "
        "definition by accident)",
        a.output));
  }
  DealsDefinitionInput in;
  Encoding encoding = a.input.GetEncoding();
  auto reader = std::make_unique<CsvReader>(OpenInput(a.files[0], a.input.GetEncoding(), &encoding),
                                            a.input.Csv());
  in.header = reader->ReadHeader();
  in.roles = BindRoles(in.header, a.input.Mappings(), reader->name());
  if (!in.roles.has(Role::kStage)) {
    throw Error::Usage(fmt::format(
        "{}: no stage column found; name it with --map stage=COLUMN. The header has {}",
        reader->name(), QuoteHeaders(in.header)));
  }
  for (const auto& f : a.files) in.files.push_back(PathFromIni(f, a.output));
  in.encoding = a.input.encoding;
  in.delimiter = a.input.delimiter;
  in.date_format = a.date_format;
  in.tz = a.tz;
  in.lenient = a.lenient;
  in.stages.won = a.won;
  in.stages.lost = a.lost;
  in.stages.order = a.stages;
  in.stages.opportunity_stage = a.opportunity_stage;
  in.stages.lost_reached = ParseLostReachedFlag(a.lost_reached);
  StageRules check(in.stages);  // --opportunity-stage without --stages or not in it: an error
  in.by = ParseBy(a.by);
  for (const auto& spec : in.by) {
    for (const auto& c : spec) ResolveByColumn(in.header, in.roles, c, reader->name());
  }
  in.period = a.period;
  in.period_of = a.period_of;
  in.as_of = a.as_of;
  DealsDefinitionText text;
  text.checks = a.checks;
  const std::string ini = DealsDefinitionIni(in, text);
  // What init prints must load: a definition that does not is a bug here, not the user's.
  KpiModel::Load(IniFile::Parse(ini, a.output.empty() ? "(crmkpi init)" : a.output));
  WriteOutput(a.output, ini);
  NoteWritten(a.output, a.quiet, fmt::format("init: the definition of {}", a.files[0]));
  return 0;
}

}  // namespace

void SetUpInitCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = app->add_subcommand(
      "init", "Print the definition `crmkpi report FILE` runs (sources with their detected "
              "roles, metrics, KPIs, a starter tree) as an INI to edit and run with -c");
  cmd->add_option("files", args->files, "Deals export CSV file(s), as for report")
      ->type_name("FILE...");
  cmd->add_option("--by", args->by, "Group every metric by a column (as report --by)")
      ->type_name("COL");
  cmd->add_option("--period", args->period, "Group every metric by week, month, quarter or year")
      ->type_name("week|month|quarter|year")
      ->check(CLI::IsMember({"week", "month", "quarter", "year"}));
  cmd->add_option("--period-of", args->period_of,
                  "The date (column or role) that places a deal in a period (default closed)")
      ->type_name("COL");
  AddStageOptions(cmd, &args->won, &args->lost, &args->stages);
  cmd->add_option("--opportunity-stage", args->opportunity_stage,
                  "The stage from which a deal counts as an opportunity (needs --stages)")
      ->type_name("STAGE");
  cmd->add_option("--lost-reached", args->lost_reached,
                  "How lost deals count for lead_to_opportunity_rate: exclude, opportunity, lead")
      ->type_name("POLICY");
  AddDateOptions(cmd, &args->date_format, &args->tz);
  cmd->add_option("--as-of", args->as_of, "The date treated as now (default: data)")
      ->type_name("DATE");
  cmd->add_flag("--lenient", args->lenient, "Skip records with the wrong field count");
  cmd->add_flag("--checks", args->checks,
                "Add starter [check] sections: completeness of the roles, uniqueness of the id, "
                "timeliness of the last-modified column, a row count");
  cmd->add_option("-o,--output", args->output, "Write the definition to this file (atomically)")
      ->type_name("FILE");
  cmd->add_flag("--force", args->force, "With -o: replace an existing file");
  cmd->add_flag("--quiet,-q", args->quiet, "No summary line on stderr with -o");
  args->input.Register(cmd);
  OneValuePerFlag(cmd);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
