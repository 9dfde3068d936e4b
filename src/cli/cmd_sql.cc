#include "cmd_sql.h"

#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/sql/sql_script.h"
#include "crmkpi/write/output_file.h"
#include "input_options.h"
#include "kpi_run.h"
#include "long_result_groupings.h"

namespace crmkpi {
namespace {

struct SqlArgs {
  KpiRunArgs kpi;
  std::string dialect;
  std::vector<std::string> tables;  // ID=NAME
  std::string output;
  LongResultGroupings groupings;
};

int Run(const SqlArgs& a) {
  const std::optional<SqlDialect> dialect = ParseSqlDialect(a.dialect);
  if (!dialect) {
    throw Error::Usage(fmt::format("--dialect {}: expected one of {}", a.dialect, SqlDialectNames()));
  }
  KpiModel model = LoadModel(a.kpi.config);
  if (a.kpi.exact_groups) model.SetExactGroups(true);
  Calendar cal = model.calendar;
  a.kpi.calendar.ApplyTo(&cal);
  model.SetCalendar(cal);
  const std::map<std::string, std::string> overrides = a.kpi.SourceOverrides();
  for (const auto& [id, path] : overrides) {
    for (SourceDef& s : model.sources) {
      if (s.id != id) continue;
      s.file = path;
      s.more_files.clear();
      s.file_loc = {};
    }
  }
  a.groupings.Apply(a.kpi.config, overrides, &model);
  SqlOptions options;
  options.dialect = *dialect;
  options.as_of = a.kpi.as_of;
  options.version = CRMKPI_VERSION;
  for (const std::string& t : a.tables) {
    const std::size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == t.size()) {
      throw Error::Usage(fmt::format("--table {}: expected ID=SCHEMA.TABLE (a [source] or [lookup] "
                                     "id and the table holding it)",
                                     t));
    }
    options.tables[t.substr(0, eq)] = t.substr(eq + 1);
  }
  WriteOutput(a.output, CompileSql(model, options));
  NoteWritten(a.output, a.kpi.quiet, fmt::format("sql: {} script written", dialect ? SqlDialectName(*dialect) : ""));
  return 0;
}

}  // namespace

void SetUpSqlCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* cmd = app->add_subcommand(
      "sql",
      "A definition's metrics and checks as one SQL script for a warehouse (duckdb, postgres, "
      "spark, trino, bigquery, snowflake) whose result is the long result of crmkpi metrics: run "
      "it there, save the result as CSV, then report/tree/check -c … --metrics FILE "
      "(docs/scale.md)");
  args->kpi.Register(cmd, true);
  cmd->add_option("--dialect,-d", args->dialect, "The SQL dialect: " + SqlDialectNames())
      ->type_name("DIALECT")
      ->required();
  cmd->add_option("--table", args->tables,
                  "The table holding a [source] or [lookup] (repeatable); default: the id as "
                  "the table's name, in DuckDB the source's CSV file itself")
      ->type_name("ID=SCHEMA.TABLE");
  cmd->add_option("-o,--output", args->output, "Write to this file (atomically)")->type_name("FILE");
  cmd->add_option("--as-of", args->kpi.as_of,
                  "The date treated as now (sla lateness); default: the definition's as_of")
      ->type_name("DATE");
  cmd->add_flag("--quiet,-q", args->kpi.quiet, "No notes on stderr");
  args->groupings.Register(cmd);
  AddExactGroupsOption(cmd, &args->kpi.exact_groups);
  args->kpi.calendar.Register(cmd);
  OneValuePerFlag(cmd);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
