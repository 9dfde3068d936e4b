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
#include "crmkpi/values/date_time.h"
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

void ChooseStageFromData(const DealsFlags& f, CsvReader* reader, DealsDefinitionInput* in) {
  const StageColumnChoice choice = SampleStageColumn(reader, in->header, in->roles, f.won, f.lost);
  if (choice.changed) {
    in->roles.column[static_cast<int>(Role::kStage)] = choice.column;
    in->roles.source[static_cast<int>(Role::kStage)] = BindingSource::kDetected;
    in->data_mappings.push_back(
        {Role::kStage, in->header[static_cast<std::size_t>(choice.column)]});
  }
  if (!choice.warning.empty()) {
    in->warnings.push_back(fmt::format("{}: warning: {}", reader->name(), choice.warning));
  }
}

}  // namespace

StageColumnChoice SampleStageColumn(CsvReader* reader, const std::vector<std::string>& header,
                                    const RoleBinding& roles,
                                    const std::vector<std::string>& won,
                                    const std::vector<std::string>& lost) {
  constexpr std::size_t kStageSampleRows = 1000;
  const std::vector<int> candidates = StageCandidates(header, roles);
  if (candidates.empty()) return {};
  std::vector<std::vector<std::string>> values(candidates.size());
  std::size_t rows = 0;
  try {
    CsvRow row;
    while (rows < kStageSampleRows && reader->Next(&row)) {
      ++rows;
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto c = static_cast<std::size_t>(candidates[i]);
        values[i].emplace_back(c < row.fields.size() ? row.fields[c] : std::string_view());
      }
    }
  } catch (const Error&) {
    // A malformed record among the first rows: the pass reports it where it is.
  }
  StageConfig config;
  config.won = won;
  config.lost = lost;
  StageRules rules(config);
  return ChooseStageColumn(header, roles, candidates, values, rows, rules);
}

namespace {

}  // namespace

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
      ChooseStageFromData(f, reader.get(), &in);
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
  return in;
}

}  // namespace crmkpi
