#include "cmd_check.h"


#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/exit_code.h"
#include "crmkpi/base/text.h"
#include "crmkpi/engine/date_orders.h"
#include "crmkpi/engine/long_result_reader.h"
#include "crmkpi/evaluate/definition_run.h"
#include "crmkpi/quality/check_counts.h"
#include "crmkpi/quality/quality_run.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/progress.h"
#include "crmkpi/write/check_writer.h"
#include "crmkpi/write/output_file.h"
#include "excel_options.h"
#include "input_options.h"
#include "kpi_run.h"
#include "source_flags.h"

namespace crmkpi {
namespace {

struct CheckArgs {
  std::vector<std::string> files;
  KpiRunArgs kpi;  // -c, --source
  InputOptions input;
  // Checks by flags.
  std::vector<std::string> require, unique, valid, max_age;
  std::string min_rows, expect_columns, extra_columns;
  bool allow_empty = false;
  std::string normalize, near;
  std::string max_missing, warn_missing, max_duplicates, warn_duplicates, max_invalid,
      warn_invalid, max_stale, warn_stale;
  std::vector<std::string> missing_tokens;
  std::vector<std::string> won, lost, stages;
  std::string date_format, tz, as_of;
  std::size_t samples = 20;
  std::string invalid_out;
  bool fail_on_warn = false;
  std::string format = "table";
  std::string output;
  bool quiet = false;
  ParallelOptions parallel;
  std::string for_source;         // --for: the source the source flags apply to (with -c)
  const CLI::App* cmd = nullptr;  // which flags were given
  // Flags that only make sense without -c (with -c the INI says these things).
  std::vector<CLI::Option*> flag_mode_only;

  std::string FlagModeOnlyGiven() const {
    for (const CLI::Option* o : flag_mode_only) {
      if (o->count() > 0) return o->get_name();
    }
    return {};
  }

  bool HasCheckFlags() const {
    return !require.empty() || !unique.empty() || !valid.empty() || !max_age.empty() ||
           !min_rows.empty() || !expect_columns.empty();
  }
};

std::optional<Limit> FlagLimit(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::optional<Limit> l = ParseLimit(text);
  if (!l) {
    throw Error::Usage(fmt::format("{}: expected a row count (10) or a percent (5%), got '{}'",
                                   flag, text));
  }
  return l;
}

// "COL=VALUE" → {COL, VALUE}.
std::pair<std::string, std::string> SplitAssignment(const std::string& flag,
                                                    const std::string& text,
                                                    const char* example) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || TrimSpace(std::string_view(text).substr(0, eq)).empty() ||
      TrimSpace(std::string_view(text).substr(eq + 1)).empty()) {
    throw Error::Usage(fmt::format("{} expects COLUMN=VALUE (e.g. {}), got '{}'", flag, example,
                                   text));
  }
  return {std::string(TrimSpace(std::string_view(text).substr(0, eq))),
          std::string(TrimSpace(std::string_view(text).substr(eq + 1)))};
}

std::string JoinColumns(const std::vector<std::string>& columns, const char* sep) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : sep) + c;
  return out;
}

bool RequiresEveryColumn(const std::string& spec) { return TrimSpace(spec) == "*"; }

// The header of the file, for `--require '*'`: read before the pass (standard input and pipes
// are recorded and read again by it, as for `report FILE`).
std::vector<std::string> ReadHeaderOf(const CheckArgs& a) {
  const std::string& file = a.files.at(0);
  RecordInput(file);
  CsvOptions csv = a.input.Csv();
  csv.warn_duplicate_headers = false;  // the pass that reads the file warns
  std::vector<std::string> header;
  {
    CsvReader reader(OpenInput(file, a.input.GetEncoding()), csv);
    header = reader.ReadHeader();
  }
  RewindInput(file);
  return header;
}

// The checks the flags describe, on source |source|. |header|: the file's, when a --require
// is '*' (one completeness check per column).
std::vector<CheckDef> ChecksFromFlags(const CheckArgs& a, const std::string& source,
                                      const std::vector<std::string>& header) {
  std::vector<CheckDef> out;
  auto add = [&](CheckType type, std::vector<std::string> columns, const char* sep) {
    CheckDef c;
    c.type = type;
    c.source = source;
    c.columns = std::move(columns);
    c.name = c.columns.empty()
                 ? std::string(CheckTypeName(type))
                 : fmt::format("{}:{}", CheckTypeName(type), JoinColumns(c.columns, sep));
    out.push_back(std::move(c));
    return &out.back();
  };
  // The whole file first: is it there at all, and shaped as expected?
  if (!a.min_rows.empty()) {
    std::optional<Limit> min = ParseLimit(a.min_rows);
    if (!min || min->percent) {
      throw Error::Usage(
          fmt::format("--min-rows: expected a number of rows (1000), got '{}'", a.min_rows));
    }
    add(CheckType::kRowCount, {}, "")->fail = std::move(min);
  }
  if (!a.expect_columns.empty()) {
    std::vector<std::string> cols = SplitList(a.expect_columns, ',');
    if (cols.empty()) throw Error::Usage("--expect-columns: no column given");
    CheckDef* c = add(CheckType::kSchema, std::move(cols), ",");
    if (a.extra_columns == "allow" || a.extra_columns.empty()) {
      c->extra = ExtraColumns::kAllow;
    } else if (a.extra_columns == "warn") {
      c->extra = ExtraColumns::kWarn;
    } else if (a.extra_columns == "fail") {
      c->extra = ExtraColumns::kFail;
    } else {
      throw Error::Usage(fmt::format("--extra-columns: expected allow, warn or fail, got '{}'",
                                     a.extra_columns));
    }
  }
  for (const std::string& spec : a.require) {
    if (RequiresEveryColumn(spec)) {  // one check per column, so each has its own result
      for (const std::string& name : header) {
        CheckDef* c = add(CheckType::kCompleteness, {name}, ",");
        c->fail = FlagLimit("--max-missing", a.max_missing);
        c->warn = FlagLimit("--warn-missing", a.warn_missing);
      }
      continue;
    }
    std::vector<std::string> cols = SplitList(spec, ',');
    if (cols.empty()) throw Error::Usage("--require: no column given");
    if (std::find(cols.begin(), cols.end(), "*") != cols.end()) {
      throw Error::Usage(fmt::format(
          "--require {}: '*' (every column of the header) stands alone; give --require '*' "
          "and the other columns in another --require, or name them all",
          spec));
    }
    CheckDef* c = add(CheckType::kCompleteness, std::move(cols), ",");
    c->fail = FlagLimit("--max-missing", a.max_missing);
    c->warn = FlagLimit("--warn-missing", a.warn_missing);
  }
  for (const std::string& spec : a.unique) {
    std::vector<std::string> cols = SplitList(spec, '+');
    if (cols.empty()) throw Error::Usage("--unique: no column given");
    CheckDef* c = add(CheckType::kUniqueness, std::move(cols), "+");
    c->normalize = a.normalize;
    c->near = a.near;
    c->fail = FlagLimit("--max-duplicates", a.max_duplicates);
    c->warn = FlagLimit("--warn-duplicates", a.warn_duplicates);
  }
  for (const std::string& spec : a.valid) {
    auto [column, rule] = SplitAssignment("--valid", spec, "email=email");
    CheckDef* c = add(CheckType::kValidity, {column}, "");
    c->rule = rule;
    c->fail = FlagLimit("--max-invalid", a.max_invalid);
    c->warn = FlagLimit("--warn-invalid", a.warn_invalid);
  }
  for (const std::string& spec : a.max_age) {
    auto [column, days] = SplitAssignment("--max-age-days", spec, "updated_at=30");
    CheckDef* c = add(CheckType::kTimeliness, {column}, "");
    char* end = nullptr;
    c->max_age_days = std::strtod(days.c_str(), &end);
    if (end != days.c_str() + days.size() || !(c->max_age_days >= 0)) {
      throw Error::Usage(fmt::format("--max-age-days {}: '{}' is not a number of days >= 0",
                                     spec, days));
    }
    c->fail = FlagLimit("--max-stale", a.max_stale);
    c->warn = FlagLimit("--warn-stale", a.warn_stale);
  }
  auto needs = [](bool given, bool has_checks, const char* flag, const char* check) {
    if (given && !has_checks) {
      throw Error::Usage(fmt::format("{} applies to {} checks; no {} given", flag, check, check));
    }
  };
  needs(!a.normalize.empty(), !a.unique.empty(), "--normalize", "--unique");
  needs(!a.extra_columns.empty(), !a.expect_columns.empty(), "--extra-columns",
        "--expect-columns");
  needs(!a.near.empty(), !a.unique.empty(), "--near", "--unique");
  needs(!a.max_missing.empty() || !a.warn_missing.empty(), !a.require.empty(),
        "--max-missing/--warn-missing", "--require");
  needs(!a.max_duplicates.empty() || !a.warn_duplicates.empty(), !a.unique.empty(),
        "--max-duplicates/--warn-duplicates", "--unique");
  needs(!a.max_invalid.empty() || !a.warn_invalid.empty(), !a.valid.empty(),
        "--max-invalid/--warn-invalid", "--valid");
  needs(!a.max_stale.empty() || !a.warn_stale.empty(), !a.max_age.empty(),
        "--max-stale/--warn-stale", "--max-age-days");
  return out;
}

// --invalid-out: the file is created at the first bytes written (the header, once the definition
// is checked and reading starts) and committed after the run; an error removes it.
class QuarantineFile : public RecordSink {
 public:
  explicit QuarantineFile(std::string path) : path_(std::move(path)) {}
  void Write(std::string_view bytes) override { Open().Write(bytes); }
  void Commit() { Open().Commit(); }

 private:
  AtomicFile& Open() {
    if (!file_) file_ = std::make_unique<AtomicFile>(path_);
    return *file_;
  }
  std::string path_;
  std::unique_ptr<AtomicFile> file_;
};

int Run(const CheckArgs& a) {
  ConfigureProgress(a.quiet);
  const CheckFormat format = ParseCheckFormat(a.format);
  CheckOptions options;
  bool latest_event = false;  // the definition says as_of = data
  options.as_of = a.as_of;
  options.samples = a.samples;
  std::unique_ptr<QuarantineFile> quarantine;
  if (!a.invalid_out.empty()) {
    quarantine = std::make_unique<QuarantineFile>(a.invalid_out);
    options.invalid_out = quarantine.get();
  }
  options.parallel = a.parallel;
  options.missing_tokens = a.missing_tokens;
  options.allow_empty = a.allow_empty;
  std::vector<SourceDef> sources;
  std::vector<CheckDef> checks;
  std::vector<MetricDef> metrics;  // with --metrics: what the long result must hold
  std::string model_tz;
  bool as_of_data = false;
  if (!a.kpi.metrics_file.empty() && a.kpi.config.empty()) {
    throw Error::Usage("--metrics FILE needs the definition its checks come from: -c kpi.ini");
  }
  if (!a.kpi.config.empty()) {
    if (a.HasCheckFlags()) {
      throw Error::Usage("define the checks in the INI ([check] sections) or by flags "
                         "(--require, --unique, --valid, --max-age-days, --min-rows, "
                         "--expect-columns), not both");
    }
    if (const std::string flag = a.FlagModeOnlyGiven(); !flag.empty()) {
      throw Error::Usage(fmt::format("{} is for checks given by flags; with -c, set it in the "
                                     "INI (docs/ini.md: [source] and [check] keys)",
                                     flag));
    }
    KpiModel model = LoadModel(a.kpi.config);
    if (model.checks.empty()) {
      throw Error::Usage(fmt::format("{} has no [check] sections (docs/ini.md)", a.kpi.config));
    }
    options.file_overrides = a.kpi.SourceOverrides();
    if (!a.files.empty()) {
      if (model.sources.size() != 1 || a.files.size() != 1) {
        throw Error::Usage("with -c, name the files of the sources with --source ID=PATH (a "
                           "FILE argument is allowed only when the definition has exactly one "
                           "source)");
      }
      options.file_overrides[model.sources[0].id] = a.files[0];
    }
    for (const auto& [id, path] : options.file_overrides) {
      if (model.FindSource(id) == nullptr) {
        throw Error::Usage(fmt::format("--source {}={}: no source '{}' in {}", id, path, id,
                                       a.kpi.config));
      }
    }
    options.default_tz = model.tz;
    if (options.as_of.empty() && !model.as_of.empty()) {
      options.as_of = model.as_of;
      options.as_of_source = "definition";
    }
    latest_event = model.as_of_data;
    as_of_data = model.as_of_data;
    metrics = model.metrics;
    model_tz = model.tz;
    if (!a.kpi.metrics_file.empty()) {
      // The counts were computed where the data is: nothing here reads a source.
      if (!a.files.empty() || !a.kpi.SourceOverrides().empty() || !a.invalid_out.empty()) {
        throw Error::Usage("--metrics FILE reads no source: a FILE, --source and --invalid-out "
                           "cannot be combined with it");
      }
      RefuseSourceFlagsWithMetrics(*a.cmd, {"--encoding", "--delimiter", "--map", "--won", "--lost",
                                            "--stages", "--tz", "--date-format", "--for",
                                            "--missing-tokens"});
    }
    SourceFlagValues v;
    v.encoding = &a.input.encoding;
    v.delimiter = &a.input.delimiter;
    v.maps = &a.input.maps;
    v.won = &a.won;
    v.lost = &a.lost;
    v.stages = &a.stages;
    v.tz = &a.tz;
    v.date_format = &a.date_format;
    ApplySourceFlags(*a.cmd, SourceFlagsOf(v), a.for_source, a.kpi.config, &model.sources);
    sources = model.sources;
    checks = model.checks;
  } else {
    if (a.files.size() != 1) {
      throw Error::Usage("check needs one FILE (or -c kpi.ini); run 'crmkpi check --help'");
    }
    RefuseForWithoutConfig(a.for_source);
    RefuseSourcesWithoutConfig(a.kpi);
    if (!a.HasCheckFlags()) {
      throw Error::Usage("no checks: give --require, --unique, --valid, --max-age-days, "
                         "--min-rows or --expect-columns (or -c kpi.ini with [check] sections)");
    }
    SourceDef s;
    s.id = a.files[0] == "-" ? "stdin" : a.files[0];
    s.file = a.files[0];
    s.encoding = a.input.encoding;
    s.delimiter = a.input.delimiter;
    s.mappings = a.input.Mappings();
    s.date_format = a.date_format;
    s.tz = a.tz;
    s.stages.won = a.won;
    s.stages.lost = a.lost;
    s.stages.order = a.stages;
    sources.push_back(s);
    options.default_tz = a.tz;  // --as-of is read in the file's zone, as with -c
    const bool every = std::any_of(a.require.begin(), a.require.end(), RequiresEveryColumn);
    checks = ChecksFromFlags(a, s.id, every ? ReadHeaderOf(a) : std::vector<std::string>{});
  }
  std::vector<DataWarning> warnings;
  CheckRun run;
  if (!a.kpi.metrics_file.empty()) {
    const LongResult result = ReadLongResult(a.kpi.metrics_file, metrics, model_tz);
    run = ChecksFromLongResult(sources, checks, result, a.kpi.metrics_file, options,
                               as_of_data ? "data" : "clock");
    for (const CheckDef& c : checks) {
      if (!a.quiet && c.type == CheckType::kUniqueness && !TrimSpace(c.near).empty()) {
        std::fprintf(stderr,
                     "crmkpi: note: check '%s': near-duplicate candidates need the rows: not "
                     "listed from --metrics (run crmkpi check on an export for them)\n",
                     c.name.c_str());
      }
    }
  } else {
    // The order of numeric dates (date_order auto, no --date-format): from each file's first
    // rows, told on stderr before the checks' own warnings.
    const std::vector<DataWarning> date_orders =
        DecideDateOrders(&sources, CheckDateColumns(checks), options.file_overrides);
    if (!a.quiet) PrintDiagnostics(date_orders, {});
    if (latest_event && options.as_of.empty()) {
      // as_of = data: timeliness counts ages from the latest event in the checked sources, as
      // report -c does, so that --as-of with the printed value reproduces the run.
      options.as_of =
          ChecksAsOfFromData(sources, checks, options.file_overrides, options.default_tz, {});
      if (!options.as_of.empty()) options.as_of_source = "data";
    }
    run = RunChecks(sources, checks, options, &warnings);
  }
  if (quarantine) quarantine->Commit();
  if (a.fail_on_warn) {
    // Every format then agrees with the exit code: a warning is a failure (JUnit <failure>).
    for (CheckResult& r : run.checks) {
      if (r.status != CheckStatus::kWarn) continue;
      r.status = CheckStatus::kFail;
      r.breached += " (--fail-on-warn)";
      r.failed_on_warn = true;
    }
  }
  const int code = CheckExitCode(run, a.fail_on_warn);
  WriteOutput(a.output, WriteChecks(run, format, code));
  if (!a.quiet) PrintDiagnostics(warnings, {});
  if (!a.quiet && !a.output.empty() && a.output != "-") {
    // The report went to a file: a CI log still says how the run went and where to look.
    std::size_t failed = 0, warned = 0, passed = 0, errors = 0;
    for (const CheckResult& r : run.checks) {
      failed += r.status == CheckStatus::kFail;
      warned += r.status == CheckStatus::kWarn;
      passed += r.status == CheckStatus::kPass;
      errors += r.status == CheckStatus::kError;
    }
    std::string line = fmt::format("crmkpi: check: {} failed, {} warned, {} passed", failed,
                                   warned, passed);
    if (errors != 0) line += fmt::format(", {} could not run", errors);
    std::fprintf(stderr, "%s (report written to %s)\n", line.c_str(),
                 a.output.c_str());
  }
  // A check that could not run is an error whatever the format: say so where a CI log shows it.
  for (const CheckResult& r : run.checks) {
    if (r.status != CheckStatus::kError) continue;
    std::fprintf(stderr, "crmkpi: %s: error: check '%s' could not run: %s\n",
                 r.def.loc.line > 0 ? r.def.loc.ToString().c_str() : r.def.source.c_str(),
                 r.def.name.c_str(), r.error.c_str());
  }
  return code;
}

}  // namespace

void SetUpCheckCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app->add_subcommand(
      "check", "Data-quality gates for CI: completeness, uniqueness (after normalising), "
               "validity and timeliness, with fail/warn thresholds; exit 1 when a check fails "
               "(docs/quality.md)");
  cmd->add_option("files", args->files,
                  "The CSV file to check; - reads standard input. With -c: the file of the "
                  "definition's only source")
      ->type_name("FILE");
  cmd->add_option("--require", args->require,
                  "Completeness: these columns must not be empty (COL[,COL...]; repeatable, "
                  "each --require is one check over its columns)")
      ->type_name("COLS");
  cmd->add_option("--unique", args->unique,
                  "Uniqueness of a key: COL or COL+COL (repeatable)")
      ->type_name("KEY");
  cmd->add_option("--normalize", args->normalize,
                  "Normalisers for --unique keys, applied in order: trim, collapse-spaces, "
                  "lower, nfkc, strip-punct, legal, email, phone, or the preset company")
      ->type_name("STEPS");
  cmd->add_option("--near", args->near,
                  "Also list near-duplicate candidates of one-column --unique keys with a "
                  "similarity >= this (0..1, e.g. 0.85); reported, never gating")
      ->type_name("SIM");
  cmd->add_option("--valid", args->valid,
                  "Validity: COL=RULE (repeatable). Rules: email, phone, date, number, integer, "
                  "in(a,b), range(lo,hi), length(min,max), regex(P), '>= 0', '>= other_col'; "
                  "append 'when CONDITION' to restrict the rows")
      ->type_name("COL=RULE");
  cmd->add_option("--max-age-days", args->max_age,
                  "Timeliness: COL=DAYS, rows older than DAYS at --as-of are stale (repeatable)")
      ->type_name("COL=DAYS");
  cmd->add_option("--min-rows", args->min_rows,
                  "Row count: fail when the file has fewer data rows than N (e.g. 1 catches an "
                  "empty export)")
      ->type_name("N");
  cmd->add_option("--expect-columns", args->expect_columns,
                  "Schema: these header columns must all be there (COL[,COL...]); missing, "
                  "extra and likely renamed columns are listed")
      ->type_name("COLS");
  cmd->add_option("--extra-columns", args->extra_columns,
                  "What --expect-columns does with columns it did not name: allow (default, "
                  "listed only), warn or fail")
      ->type_name("allow|warn|fail");
  cmd->add_flag("--allow-empty", args->allow_empty,
                "A file with no data rows passes the other checks (n/a) instead of failing "
                "them with 'no rows'");
  cmd->add_option("--max-missing", args->max_missing,
                  "Fail a --require check above this many missing cells (10) or percent (5%); "
                  "default: any")
      ->type_name("LIMIT");
  cmd->add_option("--warn-missing", args->warn_missing, "Warn above this")->type_name("LIMIT");
  cmd->add_option("--max-duplicates", args->max_duplicates,
                  "Fail a --unique check above this many duplicate rows (N - D) or percent")
      ->type_name("LIMIT");
  cmd->add_option("--warn-duplicates", args->warn_duplicates, "Warn above this")
      ->type_name("LIMIT");
  cmd->add_option("--max-invalid", args->max_invalid,
                  "Fail a --valid check above this many invalid values or percent")
      ->type_name("LIMIT");
  cmd->add_option("--warn-invalid", args->warn_invalid, "Warn above this")->type_name("LIMIT");
  cmd->add_option("--max-stale", args->max_stale,
                  "Fail a --max-age-days check above this many stale rows or percent")
      ->type_name("LIMIT");
  cmd->add_option("--warn-stale", args->warn_stale, "Warn above this")->type_name("LIMIT");
  cmd->add_option("--missing-tokens", args->missing_tokens,
                  "Values that count as missing besides empty ones, e.g. NULL,N/A,- (compared "
                  "case-insensitively after trimming)")
      ->delimiter(',')
      ->type_name("T[,T...]");
  cmd->add_option("--as-of,--now", args->as_of,
                  "The time timeliness ages count from (default: the clock, UTC; always printed)")
      ->type_name("DATE");
  cmd->add_option("--samples", args->samples,
                  "Failing rows listed per check (default 20, 0 for none)")
      ->type_name("N");
  cmd->add_option("--invalid-out", args->invalid_out,
                  "Write every failing row, header first, with its original bytes to this file "
                  "(atomically; the input is never touched)")
      ->type_name("FILE");
  cmd->add_flag("--fail-on-warn", args->fail_on_warn, "Exit 1 on warnings too");
  AddParallelOptions(cmd, &args->parallel);
  AddOutputOptions(cmd, &args->format, &args->output, &args->quiet,
                   "table (default), json, junit, csv, md or html (a dashboard)");
  AddStageOptions(cmd, &args->won, &args->lost, &args->stages);
  AddDateOptions(cmd, &args->date_format, &args->tz);
  args->input.Register(cmd);
  args->kpi.Register(cmd, false);
  cmd->add_option("--metrics", args->kpi.metrics_file,
                  "With -c: judge the checks from the counts in this long result (the CSV of "
                  "`crmkpi sql`'s script run on a warehouse; docs/scale.md) instead of reading the "
                  "sources; samples and near-duplicate candidates need the rows and are not listed")
      ->type_name("FILE");
  AddForOption(cmd, &args->for_source);
  args->cmd = cmd;
  OneValuePerFlag(cmd);
  for (const char* name : {"--normalize", "--near", "--extra-columns", "--max-missing", "--warn-missing",
                           "--max-duplicates", "--warn-duplicates", "--max-invalid",
                           "--warn-invalid", "--max-stale", "--warn-stale"}) {
    args->flag_mode_only.push_back(cmd->get_option(name));
  }
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
