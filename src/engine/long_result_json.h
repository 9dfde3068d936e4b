// Internal: the JSON form of the long result (docs/scale.md, "The long result") read into the
// records the long-result reader checks — each row object's members as text with their
// locations, as a CSV row's fields would be. A small JSON parser of its own (RFC 8259; the
// project has no JSON reader): objects, arrays, strings with every escape, numbers kept as
// their text, true/false/null.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"

namespace crmkpi::engine_detail {

struct LongField {
  std::optional<std::string> text;  // nullopt: null (or, in CSV, an empty number field)
  SourceLoc loc;
  bool is_number = false;  // a JSON number (or any CSV field)
};

struct LongRecord {
  std::map<std::string, LongField, std::less<>> fields;
  SourceLoc loc;  // the record's start
};

struct LongDocument {
  std::optional<std::string> as_of;
  SourceLoc as_of_loc;
  std::vector<std::string> key_columns;  // JSON "key_columns", CSV: the header's key columns
  std::vector<LongRecord> records;
};

// Parses |text| (named |file| in errors) as {"as_of": …, "key_columns": […], "rows": [{…}]}.
// A row member's value is a string, a number (its text), null or, for "excluded", an object
// of reason → count (turned into the CSV form "reason=count;…"). Other members of the document
// (schema_version, crmkpi_version) are skipped. Error(kInput) at the line and column of
// malformed JSON or of a value of the wrong kind.
LongDocument ParseLongJson(std::string_view text, const std::string& file);

}  // namespace crmkpi::engine_detail
