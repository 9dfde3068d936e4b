#include "deals_flags.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/date_order.h"
#include "crmkpi/bind/stage_column.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/column_sample.h"
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

// What the first rows' values say (stage column, order of numeric dates), into |in|.
void DecideFromData(const DealsFlags& f, CsvReader* reader, DealsDefinitionInput* in) {
  const std::vector<int> stage_columns = StageCandidates(in->header, in->roles);
  std::vector<int> columns = stage_columns;
  const std::vector<int> date_columns = DateRoleColumns(in->roles);
  columns.insert(columns.end(), date_columns.begin(), date_columns.end());
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
  const std::vector<std::vector<std::string>> dates(
      values.begin() + static_cast<std::ptrdiff_t>(stage_columns.size()),
      values.begin() + static_cast<std::ptrdiff_t>(date_end));
  const DateOrderDecision order =
      DecideDateOrderOf(dates, rows, reader->name(), DateOrderFixFlag());
  if (order.day_first()) in->date_order = "dmy";
  if (!order.message.empty()) in->warnings.push_back(order.Line());
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
