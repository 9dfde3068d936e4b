#include "crmkpi/engine/source_schema.h"

#include <memory>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/encoding.h"
#include "crmkpi/read/input_stream.h"
#include "setting_errors.h"

namespace crmkpi {

RowSchema ReadSourceSchema(const SourceDef& source, const std::string& path) {
  return ReadSourceSchema(source, path, nullptr);
}

RowSchema ReadSourceSchema(const SourceDef& source, const std::string& path, FileFormat* format) {
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
    Encoding used = encoding;
    CsvReader reader(OpenDefinedInput(path, encoding, &used,
                                      path == source.file ? source.file_loc : SourceLoc{}, what),
                     csv);
    header = reader.ReadHeader();
    roles = BindRoles(header, source.mappings, reader.name());
    if (format != nullptr) {
      format->delimiter = reader.delimiter();
      format->encoding = EncodingName(used);
    }
  }
  RewindInput(path);
  return RowSchema(std::move(header), roles);
}

std::vector<std::string> ReadLookupHeader(const LookupDef& lookup, FileFormat* format) {
  using engine_detail::CsvOptionsFor;
  using engine_detail::Located;
  const std::string what = "lookup '" + lookup.id + "'";
  CsvOptions csv = CsvOptionsFor(lookup.delimiter, what, lookup.loc);
  csv.warn_duplicate_headers = false;
  const Encoding encoding =
      Located(lookup.loc, what + ": ", [&] { return ParseEncoding(lookup.encoding); });
  Encoding used = encoding;
  CsvReader reader(OpenDefinedInput(lookup.file, encoding, &used, lookup.file_loc, what), csv);
  std::vector<std::string> header = reader.ReadHeader();
  if (format != nullptr) {
    format->delimiter = reader.delimiter();
    format->encoding = EncodingName(used);
  }
  return header;
}

}  // namespace crmkpi
