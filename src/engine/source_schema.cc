#include "crmkpi/engine/source_schema.h"

#include <memory>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/encoding.h"
#include "crmkpi/read/input_stream.h"
#include "setting_errors.h"

namespace crmkpi {

RowSchema ReadSourceSchema(const SourceDef& source, const std::string& path) {
  using engine_detail::CsvOptionsFor;
  using engine_detail::Located;
  const std::string what = "source '" + source.id + "'";
  CsvOptions csv = CsvOptionsFor(source.delimiter, what, source.loc);
  csv.warn_duplicate_headers = false;  // the pass that reads the file warns
  const Encoding encoding =
      Located(source.loc, what + ": ", [&] { return ParseEncoding(source.encoding); });
  std::vector<std::string> header;
  RoleBinding roles;
  RecordInput(path);  // standard input or a pipe: read again by the pass
  {
    CsvReader reader(OpenDefinedInput(path, encoding, nullptr,
                                      path == source.file ? source.file_loc : SourceLoc{}, what),
                     csv);
    header = reader.ReadHeader();
    roles = BindRoles(header, source.mappings, reader.name());
  }
  RewindInput(path);
  return RowSchema(std::move(header), roles);
}

}  // namespace crmkpi
