#include "cmd_forecast.h"


#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "crmkpi/analysis/forecast_report.h"
#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/report_writer.h"
#include "excel_options.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct ForecastArgs {
  std::string file;
  std::string actual;
  std::string period = "month";
  CalendarFlags calendar;  // --fiscal-year-start, --fiscal-year-name, --week-start, --lang
  std::vector<std::string> by;
  std::string as_of;
  bool missing_as_zero = false;
  bool exact_groups = false;  // --exact-groups
  std::vector<std::string> won, lost;
  std::string tz, date_format;
  std::string format = "table";
  std::string output;
  bool lenient = false;
  bool quiet = false;
  InputOptions input;
  ParallelOptions parallel;
};

// --map values, where one value may hold several mappings: "period=Monat,forecast=Prognose".
// A comma splits only where a role name and '=' follow it, so a column name with a comma in
// it ("Amount, JPY") still maps as one.
std::vector<RoleMapping> Mappings(const std::vector<std::string>& maps) {
  std::vector<RoleMapping> out;
  for (const std::string& value : maps) {
    std::string_view rest = value;
    std::size_t start = 0;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] != ',') continue;
      const std::string_view next = rest.substr(i + 1);
      const std::size_t eq = next.find('=');
      if (eq == std::string_view::npos || !ParseRole(TrimSpace(next.substr(0, eq)))) continue;
      out.push_back(ParseRoleMapping(TrimSpace(rest.substr(start, i - start))));
      start = i + 1;
    }
    out.push_back(ParseRoleMapping(TrimSpace(rest.substr(start))));
  }
  return out;
}

int Run(const ForecastArgs& a) {
  ConfigureProgress(a.quiet);
  ForecastOptions o;
  o.forecast_file = a.file;
  o.actual_file = a.actual;
  o.period = ParsePeriodFlag(a.period);
  a.calendar.ApplyTo(&o.calendar);
  for (const auto& spec : a.by) {
    const std::vector<std::string> cols = SplitList(spec, '+');
    if (cols.empty()) throw Error::Usage("--by: empty column name");
    o.by.insert(o.by.end(), cols.begin(), cols.end());
  }
  o.as_of = a.as_of;
  o.missing_as_zero = a.missing_as_zero;
  o.exact_groups = a.exact_groups;
  o.stages.won = a.won;
  o.stages.lost = a.lost;
  o.tz = a.tz;
  o.date_format = a.date_format;
  o.mappings = Mappings(a.input.maps);
  o.csv = a.input.Csv();
  o.encoding = a.input.GetEncoding();
  o.lenient = a.lenient;
  o.parallel = a.parallel;
  const Format format = ParseFormat(a.format);

  const Report report = RunForecastReport(o);
  WriteOutput(a.output, WriteReport(report, format));
  if (!a.quiet) PrintDiagnostics(report.warnings, {});
  NoteWritten(a.output, a.quiet, fmt::format("forecast: {} measures", report.total.kpis.size()));
  return 0;
}

}  // namespace

void SetUpForecastCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<ForecastArgs>();
  CLI::App* cmd = app->add_subcommand(
      "forecast", "Forecast error: forecast vs actual per period, --by group and horizon "
                  "(accuracy, WAPE, MAPE, sMAPE, bias, MAE, RMSE, MASE)");
  cmd->add_option("file", args->file,
                  "Forecast CSV: period, forecast amount, optional actual, snapshot date, "
                  "category and --by columns; - reads standard input")
      ->required()
      ->type_name("FORECAST.csv");
  cmd->add_option("--actual", args->actual,
                  "Deals export whose won deals are the actuals (by close date); without it "
                  "the forecast file's actual column is used")
      ->type_name("DEALS.csv");
  args->calendar.Register(cmd);
  cmd->add_option("--period", args->period,
                  "Period of the forecasts: week, month (default), quarter, half or year (of the "
                  "fiscal year: --fiscal-year-start)")
      ->type_name("month|quarter");
  cmd->add_option("--by", args->by,
                  "Series column, in both files (header name or role; repeatable, or a+b: the "
                  "columns together form the series key)")
      ->type_name("COL");
  AddExactGroupsOption(cmd, &args->exact_groups);
  cmd->add_option("--as-of", args->as_of,
                  "Periods ending after this date have no actual yet (default: the latest "
                  "date in the deals file)")
      ->type_name("DATE");
  cmd->add_flag("--missing-as-zero", args->missing_as_zero,
                "Count a forecast without actual, or an actual without forecast, with 0 on the "
                "missing side instead of excluding it");
  AddStageOptions(cmd, &args->won, &args->lost, nullptr);
  AddDateOptions(cmd, &args->date_format, &args->tz);
  cmd->add_flag("--lenient", args->lenient,
                "Skip records whose field count differs from the header (counted and "
                "reported) instead of failing");
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), csv, json, md or html (a dashboard)");
  args->input.Register(cmd);
  AddParallelOptions(cmd, &args->parallel);
  OneValuePerFlag(cmd);
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
