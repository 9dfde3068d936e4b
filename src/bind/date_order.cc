#include "crmkpi/bind/date_order.h"

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/read/column_sample.h"
#include "crmkpi/read/input_stream.h"

namespace crmkpi {

std::string DateOrderFixFlag() {
  return "name the order with --date-format '%d/%m/%Y' (day first) or '%m/%d/%Y' (month first)";
}

std::string DateOrderFixIni(std::string_view source_id) {
  return fmt::format(
      "name the order with date_order = dmy (day first) or mdy (month first) in [source {}] "
      "(or --date-format)",
      source_id);
}

std::string DateOrderDecision::Line() const {
  if (message.empty()) return {};
  return fmt::format("{}: {}: {}", file, warning ? "warning" : "note", message);
}

DataWarning DateOrderDecision::AsDataWarning() const {
  DataWarning w;
  w.kind = warning ? "date_order" : "day_first";
  w.count = 1;
  w.first = SourceLoc{file};
  w.message = message;
  return w;
}

std::vector<int> DateRoleColumns(const RoleBinding& roles) {
  std::vector<int> columns;
  for (Role r : {Role::kCreated, Role::kClosed, Role::kChanged, Role::kModified}) {
    if (roles.has(r)) columns.push_back(roles[r]);
  }
  return columns;
}

DateOrderDecision DecideDateOrderOf(const std::vector<std::vector<std::string>>& dates,
                                    std::size_t rows, const std::string& file,
                                    std::string_view fix) {
  std::vector<std::string> values;
  for (const auto& column : dates) values.insert(values.end(), column.begin(), column.end());
  const DateOrderEvidence ev = DecideDateOrder(values);
  DateOrderDecision d;
  d.order = ev.order;
  d.file = file;
  switch (ev.order) {
    case DateOrder::kDmy:
      d.message = fmt::format(
          "dates are read day first (D/M/Y): '{}' has no month {} ({} such value{} in the first "
          "{} rows)",
          ev.dmy_example, ev.dmy_example.substr(0, ev.dmy_example.find_first_of("/-")), ev.dmy,
          ev.dmy == 1 ? "" : "s", rows);
      break;
    case DateOrder::kConflict:
      d.warning = true;
      d.message = fmt::format(
          "dates are written in both orders: '{}' is day first, '{}' month first; read month "
          "first (US); {}",
          ev.dmy_example, ev.mdy_example, fix);
      break;
    case DateOrder::kAmbiguous:
      d.warning = true;
      d.message = fmt::format(
          "dates such as '{}' could be month or day first ({} dates in the first {} rows, none "
          "with a part above 12): read month first (US, M/D/Y); if they are day first, {}",
          ev.ambiguous_example, ev.ambiguous, rows, fix);
      break;
    case DateOrder::kMdy:
    case DateOrder::kNone:
      break;
  }
  return d;
}

DateOrderDecision SampleDateOrder(CsvReader* reader, const std::vector<int>& columns,
                                  std::string_view fix) {
  std::size_t rows = 0;
  const std::vector<std::vector<std::string>> values = SampleColumns(reader, columns, &rows);
  return DecideDateOrderOf(values, rows, reader->name(), fix);
}

DateOrderDecision SampleDateOrderAndReopen(const std::string& path, Encoding encoding,
                                           const CsvOptions& csv, const std::vector<int>& columns,
                                           std::string_view fix,
                                           std::unique_ptr<CsvReader>* reader, Encoding* used) {
  DateOrderDecision d = SampleDateOrder(reader->get(), columns, fix);
  RewindInput(path);
  CsvOptions again = csv;
  again.warn_duplicate_headers = false;  // the first reader warned
  reader->reset();
  *reader = std::make_unique<CsvReader>(OpenInput(path, encoding, used), again);
  (*reader)->ReadHeader();
  return d;
}

DateOrderDecision SampleFileDateOrder(
    const std::string& path, Encoding encoding, const CsvOptions& csv,
    const std::function<std::vector<int>(const std::vector<std::string>& header)>& columns,
    std::string_view fix) {
  DateOrderDecision d;
  RecordInput(path);  // standard input or a pipe: read again by the pass
  try {
    CsvOptions sample = csv;
    sample.warn_duplicate_headers = false;  // the pass that reads the file warns
    CsvReader reader(OpenInput(path, encoding), sample);
    const std::vector<std::string> header = reader.ReadHeader();
    d = SampleDateOrder(&reader, columns(header), fix);
  } catch (const Error&) {
    d = {};  // the pass reports it
  }
  RewindInput(path);
  return d;
}

}  // namespace crmkpi
