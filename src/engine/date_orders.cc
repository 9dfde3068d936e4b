#include "crmkpi/engine/date_orders.h"

#include <algorithm>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/date_order.h"
#include "crmkpi/definition/where.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/encoding.h"

namespace crmkpi {
namespace {

void Add(const std::string& source, const std::string& column, DateColumns* out) {
  std::vector<std::string>& list = (*out)[source];
  if (!column.empty() && std::find(list.begin(), list.end(), column) == list.end()) {
    list.push_back(column);
  }
}

// A validity rule that reads its column as a date: `date`, or a comparison (`>= 2024-01-01`,
// `>= other_col`).
bool DateRule(std::string_view rule) {
  const std::string_view r = TrimSpace(rule);
  const bool date = r.size() == 4 && (r[0] | 0x20) == 'd' && (r[1] | 0x20) == 'a' &&
                    (r[2] | 0x20) == 't' && (r[3] | 0x20) == 'e';
  return date || (!r.empty() && (r[0] == '<' || r[0] == '>'));
}

}  // namespace

DateColumns MetricDateColumns(const std::vector<MetricDef>& metrics) {
  DateColumns out;
  for (const MetricDef& m : metrics) {
    (void)out[m.source];  // the source is read
    Add(m.source, m.duration_from, &out);
    Add(m.source, m.duration_to, &out);
    Add(m.source, m.period_of, &out);
  }
  return out;
}

DateColumns CheckDateColumns(const std::vector<CheckDef>& checks) {
  DateColumns out;
  for (const CheckDef& c : checks) {
    (void)out[c.source];
    if (c.columns.size() != 1) continue;
    if (c.type == CheckType::kTimeliness || (c.type == CheckType::kValidity && DateRule(c.rule))) {
      Add(c.source, c.columns[0], &out);
    }
  }
  return out;
}

void AddDateColumns(const DateColumns& more, DateColumns* into) {
  for (const auto& [source, list] : more) {
    (void)(*into)[source];
    for (const std::string& c : list) Add(source, c, into);
  }
}

std::vector<DataWarning> DecideDateOrders(std::vector<SourceDef>* sources,
                                          const DateColumns& columns,
                                          const std::map<std::string, std::string>& file_overrides) {
  std::vector<DataWarning> out;
  for (SourceDef& s : *sources) {
    if (s.kind != SourceKind::kRows || s.date_order != "auto" || !s.date_format.empty()) continue;
    const auto wanted = columns.find(s.id);
    if (wanted == columns.end()) continue;
    const auto over = file_overrides.find(s.id);
    const std::string& path = over != file_overrides.end() ? over->second : s.file;
    Encoding encoding = Encoding::kAuto;
    CsvOptions csv;
    try {
      encoding = ParseEncoding(s.encoding);
      csv = ParseDelimiter(s.delimiter);
    } catch (const Error&) {
      continue;  // the pass reports the setting
    }
    const std::string fix =
        s.from_flags || s.loc.file.empty() ? DateOrderFixFlag() : DateOrderFixIni(s.id);
    const DateOrderDecision d = SampleFileDateOrder(
        path, encoding, csv,
        [&](const std::vector<std::string>& header) {
          RoleBinding roles = BindRoles(header, s.mappings, path);
          std::vector<int> cols = DateRoleColumns(roles);
          const RowSchema schema(header, std::move(roles));
          for (const std::string& name : wanted->second) {
            int c = -1;
            try {
              c = schema.Resolve(name);
            } catch (const Error&) {
              continue;  // an ambiguous name: the pass reports it
            }
            if (c >= 0 && std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
          }
          return cols;
        },
        fix);
    s.date_order = d.day_first() ? "dmy" : "mdy";
    if (!d.message.empty()) out.push_back(d.AsDataWarning());
  }
  return out;
}

}  // namespace crmkpi
