#include "crmkpi/definition/targets_table.h"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/encoding.h"
#include "crmkpi/read/header_names.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/normalize.h"

namespace crmkpi {
namespace {

// The header names a column is recognised by (compared in NormalizeHeader form).
const std::vector<std::string> kKpiNames = {"kpi", "kpi_id", "kpi id", "指標", "指標ID", "指標名",
                                            "KPI名"};
const std::vector<std::string> kTargetNames = {"target", "target_value", "目標", "目標値"};
const std::vector<std::string> kPeriodNames = {"period", "期間", "対象期間", "年月", "月",
                                               "month"};

// The column named |given| (a [targets] key), else the first of |names| in the header; -1 when
// none. |what| names the role in messages.
int ColumnOf(const std::vector<std::string>& header, const std::string& given,
             const SourceLoc& given_loc, const std::vector<std::string>& names,
             const std::string& file, std::string_view key) {
  if (!given.empty()) {
    const int at = FindColumn(header, given);
    if (at < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("{} = {}: no such column in {} (the header has {})", key, given,
                              file, QuoteHeaders(header)),
                  given_loc);
    }
    return at;
  }
  for (const std::string& n : names) {
    const int at = FindColumn(header, n);
    if (at >= 0) return at;
  }
  return -1;
}

double ParseTarget(std::string_view text, const SourceLoc& loc, const std::string& header) {
  std::string_view v = TrimSpace(text);
  double divisor = 1;  // 35% → 35 / 100, as a [kpi] target
  if (!v.empty() && v.back() == '%') {
    v.remove_suffix(1);
    divisor = 100;
  }
  std::int64_t units = 0;
  if (v.empty() || ParseAmount(v, &units) != ParseStatus::kOk) {
    throw Error(ExitCode::kUsage,
                fmt::format("{} '{}' is not a number (write 1200000, 1,200,000 or 35%)", header,
                            text),
                loc);
  }
  return static_cast<double>(units) / static_cast<double>(kAmountScale) / divisor;
}

}  // namespace

void ReadTargets(TargetsDef* def, const std::vector<TargetKpiName>& kpis) {
  const std::string what = "targets table";
  CsvOptions csv;
  Encoding encoding;
  try {
    csv = ParseDelimiter(def->delimiter);
    encoding = ParseEncoding(def->encoding);
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: {}", def->origin, e.message()), def->file_loc);
  }
  CsvReader reader(OpenDefinedInput(def->file, encoding, nullptr, def->file_loc, what), csv);
  const std::vector<std::string> header = reader.ReadHeader();
  const std::string& file = reader.name();
  const int kpi = ColumnOf(header, def->kpi_column, def->kpi_column_loc, kKpiNames, file,
                           "kpi_column");
  const int target = ColumnOf(header, def->target_column, def->target_column_loc, kTargetNames,
                              file, "target_column");
  const int period = ColumnOf(header, def->period_column, def->period_column_loc, kPeriodNames,
                              file, "period_column");
  if (kpi < 0 || target < 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("{}: the header has no {} column (it has {}); name it kpi (or 指標) "
                            "and target (or 目標), or say which with kpi_column = / "
                            "target_column = in [targets]",
                            what, kpi < 0 ? "KPI" : "target", QuoteHeaders(header)),
                {file, 1, 1});
  }
  std::map<std::string, std::string, std::less<>> by_name;  // id and NFKC label → id
  std::vector<std::string> known;
  Normalizer nfkc = Normalizer::Parse("nfkc,collapse-spaces,trim");
  for (const TargetKpiName& k : kpis) {
    by_name.emplace(k.id, k.id);
    known.push_back(k.id);
    if (!k.label.empty()) {
      by_name.emplace(std::string(nfkc.Apply(k.label)), k.id);
      known.push_back(k.label);
    }
  }
  def->rows.clear();
  CsvRow row;
  while (reader.Next(&row)) {
    if (row.fields.size() != header.size()) {
      std::size_t at = 0;
      const std::string message = FieldCountMessage(header, row.fields.size(), &at);
      throw Error(ExitCode::kInput, message, reader.Locate(at));
    }
    const auto k = static_cast<std::size_t>(kpi);
    const std::string_view name = TrimSpace(row.fields[k]);
    const std::string_view text = TrimSpace(row.fields[static_cast<std::size_t>(target)]);
    bool blank = name.empty() && text.empty();
    for (const std::string_view f : row.fields) blank = blank && TrimSpace(f).empty();
    if (blank) continue;  // a spreadsheet's empty row
    TargetRow t;
    t.loc = reader.Locate(k);
    auto it = by_name.find(name);
    if (it == by_name.end()) it = by_name.find(nfkc.Apply(name));
    if (it == by_name.end()) {
      throw Error(ExitCode::kUsage,
                  fmt::format("{} '{}' is not a KPI of the definition (neither an id nor a "
                              "label){}",
                              header[k], name, DidYouMean(name, known)),
                  t.loc);
    }
    t.kpi = it->second;
    if (text.empty()) continue;  // no target for this KPI and group: a sheet's open cell
    t.target = ParseTarget(text, reader.Locate(static_cast<std::size_t>(target)),
                           header[static_cast<std::size_t>(target)]);
    if (period >= 0) {
      t.period = std::string(TrimSpace(row.fields[static_cast<std::size_t>(period)]));
      t.period_loc = reader.Locate(static_cast<std::size_t>(period));
    }
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (static_cast<int>(i) == kpi || static_cast<int>(i) == target ||
          static_cast<int>(i) == period) {
        continue;
      }
      const std::string_view value = TrimSpace(row.fields[i]);
      if (!value.empty()) t.groups.emplace_back(header[i], std::string(value));
    }
    def->rows.push_back(std::move(t));
  }
  def->read = true;
}

}  // namespace crmkpi
