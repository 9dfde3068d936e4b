#include "deals_flags.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_column.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/fx_rates.h"
#include "source_flags.h"

namespace crmkpi {
namespace {

// A file as the INI names it: relative to the INI's directory when written with -o.
std::string PathFromIni(const std::string& file, const std::string& output) {
  if (file == "-" || output.empty() || output == "-") return file;
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(fs::path(output)).parent_path();
  const fs::path rel = fs::absolute(fs::path(file)).lexically_relative(dir);
  return rel.empty() ? file : rel.generic_string();
}

constexpr std::size_t kSampleRows = 1000;

// The values of |columns| in the first kSampleRows records of |reader| (past its header);
// *rows = how many were read. A malformed record ends the sample (the pass reports it).
std::vector<std::vector<std::string>> SampleColumns(CsvReader* reader,
                                                    const std::vector<int>& columns,
                                                    std::size_t* rows) {
  std::vector<std::vector<std::string>> values(columns.size());
  *rows = 0;
  if (columns.empty()) return values;
  try {
    CsvRow row;
    while (*rows < kSampleRows && reader->Next(&row)) {
      ++*rows;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        const auto c = static_cast<std::size_t>(columns[i]);
        values[i].emplace_back(c < row.fields.size() ? row.fields[c] : std::string_view());
      }
    }
  } catch (const Error&) {
    // A malformed record among the first rows: the pass reports it where it is.
  }
  return values;
}

// What the first rows' values say (stage column, order of numeric dates), into |in|.
void DecideFromData(const DealsFlags& f, CsvReader* reader, DealsDefinitionInput* in) {
  const std::vector<int> stage_columns = StageCandidates(in->header, in->roles);
  std::vector<int> columns = stage_columns;
  for (Role r : {Role::kCreated, Role::kClosed, Role::kChanged, Role::kModified}) {
    if (in->roles.has(r)) columns.push_back(in->roles[r]);
  }
  const std::size_t date_end = columns.size();
  if (in->roles.has(Role::kAmount)) columns.push_back(in->roles[Role::kAmount]);
  const std::size_t amount_end = columns.size();
  std::size_t rows = 0;
  std::vector<std::vector<std::string>> values = SampleColumns(reader, columns, &rows);

  StageConfig config;
  config.won = f.won;
  config.lost = f.lost;
  StageRules rules(config);
  const std::vector<std::vector<std::string>> stage_values(
      values.begin(), values.begin() + static_cast<std::ptrdiff_t>(stage_columns.size()));
  const StageColumnChoice choice =
      ChooseStageColumn(in->header, in->roles, stage_columns, stage_values, rows, rules);
  if (choice.changed) {
    in->roles.column[static_cast<int>(Role::kStage)] = choice.column;
    in->roles.source[static_cast<int>(Role::kStage)] = BindingSource::kDetected;
    in->data_mappings.push_back(
        {Role::kStage, in->header[static_cast<std::size_t>(choice.column)]});
  }
  // With IsWon/IsClosed the flags decide, whatever the stage words: no warning about them.
  const bool flags = in->roles.has(Role::kIsWon) || in->roles.has(Role::kIsClosed);
  if (!choice.warning.empty() && (choice.changed || !flags)) {
    in->warnings.push_back(fmt::format("{}: warning: {}", reader->name(), choice.warning));
  }

  if (date_end < amount_end) {
    std::string example;
    if (DecimalCommaOf(values[date_end], &example)) {
      in->decimal = "comma";
      in->warnings.push_back(fmt::format(
          "{}: note: amounts are read with a decimal comma ('{}'; 1.234,50 = 1234.5)",
          reader->name(), example));
    }
  }

  if (!f.date_format.empty()) return;  // the user's format decides
  std::vector<std::string> dates;
  for (std::size_t i = stage_columns.size(); i < date_end; ++i) {
    dates.insert(dates.end(), values[i].begin(), values[i].end());
  }
  const DateOrderEvidence ev = DecideDateOrder(dates);
  const std::string fix = "name the order with --date-format '%d/%m/%Y' (day first) or "
                          "'%m/%d/%Y' (month first)";
  switch (ev.order) {
    case DateOrder::kDmy:
      in->date_order = "dmy";
      in->warnings.push_back(fmt::format(
          "{}: note: dates are read day first (D/M/Y): '{}' has no month {} ({} such value{} "
          "in the first {} rows)",
          reader->name(), ev.dmy_example, ev.dmy_example.substr(0, ev.dmy_example.find_first_of("/-")),
          ev.dmy, ev.dmy == 1 ? "" : "s", rows));
      break;
    case DateOrder::kConflict:
      in->warnings.push_back(fmt::format(
          "{}: warning: dates are written in both orders: '{}' is day first, '{}' month first; "
          "read month first (US); {}",
          reader->name(), ev.dmy_example, ev.mdy_example, fix));
      break;
    case DateOrder::kAmbiguous:
      in->warnings.push_back(fmt::format(
          "{}: warning: dates such as '{}' could be month or day first ({} dates in the first {} "
          "rows, none with a part above 12): read month first (US, M/D/Y); if they are day "
          "first, {}",
          reader->name(), ev.ambiguous_example, ev.ambiguous, rows, fix));
      break;
    case DateOrder::kMdy:
    case DateOrder::kNone:
      break;
  }
}

}  // namespace

StageColumnChoice SampleStageColumn(CsvReader* reader, const std::vector<std::string>& header,
                                    const RoleBinding& roles,
                                    const std::vector<std::string>& won,
                                    const std::vector<std::string>& lost) {
  const std::vector<int> candidates = StageCandidates(header, roles);
  if (candidates.empty()) return {};
  std::size_t rows = 0;
  const std::vector<std::vector<std::string>> values = SampleColumns(reader, candidates, &rows);
  StageConfig config;
  config.won = won;
  config.lost = lost;
  StageRules rules(config);
  return ChooseStageColumn(header, roles, candidates, values, rows, rules);
}

DealsDefinitionInput ReadDealsDefinitionInput(const DealsFlags& f, const std::string& ini_output) {
  DealsDefinitionInput in;
  const std::string& first = f.files.at(0);
  RecordInput(first);  // standard input or a pipe: read again by the pass
  {
    CsvOptions csv = f.input.Csv();
    csv.warn_duplicate_headers = false;  // the pass that reads the file warns
    auto reader = std::make_unique<CsvReader>(OpenInput(first, f.input.GetEncoding()), csv);
    in.header = reader->ReadHeader();
    try {
      in.roles = BindRoles(in.header, f.input.Mappings(), reader->name());
      DecideFromData(f, reader.get(), &in);
      if (!in.roles.has(Role::kStage)) {
        throw Error::Usage(fmt::format(
            "{}: no stage column found; name it with --map stage=COLUMN. The header has {}",
            reader->name(), QuoteHeaders(in.header)));
      }
      in.by = ParseBy(f.by);
      for (const auto& spec : in.by) {
        for (const auto& c : spec) ResolveByColumn(in.header, in.roles, c, reader->name());
      }
    } catch (const Error&) {
      reader->WarnDuplicateHeaders();  // the pass that would have warned does not run
      throw;
    }
  }
  RewindInput(first);
  for (const auto& file : f.files) in.files.push_back(PathFromIni(file, ini_output));
  in.encoding = f.input.encoding;
  in.delimiter = f.input.delimiter;
  in.date_format = f.date_format;
  in.tz = f.tz;
  in.lenient = f.lenient;
  in.stages.won = f.won;
  in.stages.lost = f.lost;
  in.stages.order = f.stages;
  in.stages.opportunity_stage = f.opportunity_stage;
  in.stages.lost_reached = ParseLostReachedFlag(f.lost_reached);
  StageRules check(in.stages);  // --opportunity-stage without --stages or not in it: an error
  DateParser dates(f.date_format, f.tz, "--date-format");  // a bad --date-format or --tz
  if (!f.as_of.empty()) {
    Seconds t = 0;
    if (DateParser({}, f.tz).Parse(f.as_of, &t) != ParseStatus::kOk) {
      throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", f.as_of));
    }
  }
  in.period = f.period;
  in.period_of = f.period_of;
  in.as_of = f.as_of;
  in.exact_groups = f.exact_groups;
  if (!f.fx.empty()) in.fx = ParseFxFlag(f.fx);
  f.calendar.ApplyTo(&in.calendar);
  return in;
}

}  // namespace crmkpi
