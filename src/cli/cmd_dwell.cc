// `crmkpi dwell HISTORY.csv`: reads the stage history (ReadStageHistory), computes the dwell
// report (ComputeDwell) and writes it; data warnings go to stderr after the report.
#include "cmd_dwell.h"


#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/analysis/dwell.h"
#include "crmkpi/analysis/stage_history.h"
#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/report_writer.h"
#include "excel_options.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {
namespace {

struct DwellArgs {
  std::string file;
  std::vector<std::string> stages, won, lost, by, entered, stuck_after;
  std::string as_of, mode = "cumulative", conversion = "any", layout = "auto";
  std::string out_of_order = "sort";
  std::string date_format, tz;
  std::string format = "table";
  std::string output;
  bool quiet = false;
  bool exact_groups = false;  // --exact-groups
  InputOptions input;
  ParallelOptions parallel;
};

// A number of days >= 0 ("14", "7.5").
double ParseDays(std::string_view text, std::string_view what) {
  const std::string_view t = TrimSpace(text);
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v) || v < 0) {
    throw Error::Usage(
        fmt::format("{}: expected a number of days >= 0, got '{}'", what, std::string(text)));
  }
  return v;
}

// --stuck-after DAYS or --stuck-after STAGE=DAYS[,STAGE=DAYS...] (repeatable).
void ParseStuckAfter(const std::vector<std::string>& specs, DwellOptions* o) {
  for (const std::string& spec : specs) {
    if (spec.find('=') == std::string::npos) {
      if (o->stuck_after_days) throw Error::Usage("--stuck-after DAYS given twice");
      o->stuck_after_days = ParseDays(spec, "--stuck-after");
      continue;
    }
    for (const std::string& item : SplitList(spec, ',')) {
      const std::size_t eq = item.find('=');
      const std::string stage(TrimSpace(std::string_view(item).substr(0, eq)));
      if (eq == std::string::npos || stage.empty()) {
        throw Error::Usage(fmt::format(
            "--stuck-after: expected DAYS or STAGE=DAYS[,STAGE=DAYS...], got '{}'", item));
      }
      o->stuck_after[StageRules::Normalize(stage)] =
          ParseDays(std::string_view(item).substr(eq + 1), "--stuck-after " + stage);
    }
  }
}

// --entered STAGE=COLUMN (wide layout).
std::pair<std::string, std::string> ParseEntered(const std::string& spec) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    throw Error::Usage(fmt::format("--entered: expected STAGE=COLUMN, got '{}'", spec));
  }
  return {std::string(TrimSpace(std::string_view(spec).substr(0, eq))),
          std::string(TrimSpace(std::string_view(spec).substr(eq + 1)))};
}

// --as-of: any automatic date form, or the --date-format one; dates are midnight in --tz.
Seconds ParseAsOf(const std::string& text, const std::string& date_format, const std::string& tz) {
  Seconds t = 0;
  if (DateParser({}, tz).Parse(text, &t) == ParseStatus::kOk) return t;
  if (!date_format.empty() && DateParser(date_format, tz).Parse(text, &t) == ParseStatus::kOk) {
    return t;
  }
  throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", text));
}

template <typename T>
T Choose(const std::string& option, const std::string& value,
         std::initializer_list<std::pair<const char*, T>> choices) {
  std::string names;
  for (const auto& [name, v] : choices) {
    if (value == name) return v;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  throw Error::Usage(fmt::format("{}: expected {}, got '{}'", option, names, value));
}

int Run(const DwellArgs& a) {
  ConfigureProgress(a.quiet);
  StageHistoryOptions h;
  h.file = a.file;
  h.encoding = a.input.GetEncoding();
  h.csv = a.input.Csv();
  h.mappings = a.input.Mappings();
  h.stages.order = a.stages;
  h.stages.won = a.won;
  h.stages.lost = a.lost;
  h.layout = Choose<HistoryLayout>("--layout", a.layout,
                                   {{"auto", HistoryLayout::kAuto},
                                    {"long", HistoryLayout::kLong},
                                    {"wide", HistoryLayout::kWide}});
  for (const std::string& spec : a.entered) h.entered.push_back(ParseEntered(spec));
  h.out_of_order =
      Choose<OutOfOrder>("--out-of-order", a.out_of_order,
                         {{"sort", OutOfOrder::kSort}, {"ignore", OutOfOrder::kIgnore}});
  h.by = a.by;
  h.date_format = a.date_format;
  h.tz = a.tz;
  h.parallel = a.parallel;

  DwellOptions o;
  o.mode = Choose<DwellMode>(
      "--mode", a.mode, {{"cumulative", DwellMode::kCumulative}, {"latest", DwellMode::kLatest}});
  o.conversion =
      Choose<ConversionMode>("--conversion", a.conversion,
                             {{"any", ConversionMode::kAny}, {"strict", ConversionMode::kStrict}});
  if (!a.as_of.empty()) o.as_of = ParseAsOf(a.as_of, a.date_format, a.tz);
  ParseStuckAfter(a.stuck_after, &o);
  o.exact_groups = a.exact_groups;
  const Format format = ParseFormat(a.format);

  const StageHistory history = ReadStageHistory(h);
  Report report = ComputeDwell(history, o);
  // ComputeDwell names the as-of date in UTC; the user's calendar is --tz.
  const std::optional<Seconds> as_of = o.as_of ? o.as_of : history.latest;
  // The data's as-of in full (--as-of with it reproduces the run); an option as given.
  if (as_of) {
    const DateParser zone({}, a.tz);
    report.as_of = o.as_of && a.as_of.find(':') == std::string::npos
                       ? FormatDate(zone.LocalDate(*as_of))
                       : zone.FormatInstant(*as_of);
  }
  WriteOutput(a.output, WriteReport(report, format));
  // After the report, where a terminal user sees them.
  if (!a.quiet) PrintDiagnostics(report.warnings, {});
  NoteWritten(a.output, a.quiet,
              fmt::format("dwell: {} deals, {} stuck", history.deals.size(),
                          report.lists.empty() ? 0 : report.lists.front().rows.size()));
  return 0;
}

}  // namespace

void SetUpDwellCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<DwellArgs>();
  CLI::App* cmd = app->add_subcommand(
      "dwell",
      "Stage dwell days (open deals censored at as-of), stage-to-stage conversion and "
      "the stuck list, from a stage-history export (long or wide)");
  cmd->add_option("history", args->file,
                  "Stage-history CSV: one row per stage change (long) or one row per deal with a "
                  "date-entered column per stage (wide); - reads standard input")
      ->required()
      ->type_name("HISTORY.csv");
  AddStageOptions(cmd, &args->won, &args->lost, &args->stages);
  cmd->add_option("--as-of", args->as_of,
                  "The date open visits run to (default: the latest time in the data)")
      ->type_name("DATE");
  cmd->add_option("--by", args->by,
                  "Also group by a per-deal column (header name or role; repeatable: the "
                  "columns are combined)")
      ->type_name("COL");
  AddExactGroupsOption(cmd, &args->exact_groups);
  cmd->add_option("--stuck-after", args->stuck_after,
                  "Stuck threshold in days, for every stage (DAYS) or per stage "
                  "(STAGE=DAYS,...); default: the stage's p90 of exited visits")
      ->type_name("DAYS|STAGE=DAYS,...");
  cmd->add_option("--mode", args->mode,
                  "A deal's dwell in a stage: cumulative (default, all visits summed) or latest "
                  "(its last visit)")
      ->type_name("cumulative|latest");
  cmd->add_option("--conversion", args->conversion,
                  "Stage conversion: any (default; a later current stage back-fills) or strict "
                  "(every earlier stage entered)")
      ->type_name("any|strict");
  cmd->add_option("--layout", args->layout,
                  "History layout: auto (default), long (one row per change) or wide (one row per "
                  "deal)")
      ->type_name("auto|long|wide");
  cmd->add_option("--entered", args->entered,
                  "Wide layout: the column holding the time a stage was entered (repeatable)")
      ->type_name("STAGE=COLUMN");
  cmd->add_option("--out-of-order", args->out_of_order,
                  "Rows earlier than an earlier row of the same deal: sort (default, sorted into "
                  "place) or ignore (left out); counted either way")
      ->type_name("sort|ignore");
  AddDateOptions(cmd, &args->date_format, &args->tz);
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), csv, json, md or html (a dashboard)");
  args->input.Register(cmd);
  AddParallelOptions(cmd, &args->parallel);
  OneValuePerFlag(cmd);
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
