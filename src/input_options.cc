#include "input_options.h"

#include <fmt/format.h>

#include "crmkpi/error.h"

namespace crmkpi {

void InputOptions::Register(CLI::App* app) {
  app->add_option("--delimiter,-d", delimiter,
                  "Field delimiter: ',' (default), ';', '\\t' or tab, '|', or auto (sniffed "
                  "from the header line)")
      ->type_name("C");
  app->add_option("--encoding", encoding,
                  "Input encoding: utf-8 (default), cp932 (= shift_jis, windows-31j), utf-16 "
                  "(BOM). A UTF-16 or UTF-8 BOM is always honoured.")
      ->type_name("ENC");
  app->add_option("--map", maps,
                  "ROLE=COLUMN: bind a role to a column (repeatable). Roles: " + RoleList())
      ->type_name("ROLE=COLUMN");
}

CsvOptions InputOptions::Csv() const {
  try {
    return ParseDelimiter(delimiter);
  } catch (const Error& e) {
    throw Error::Usage("--" + e.message());
  }
}

std::vector<RoleMapping> InputOptions::Mappings() const {
  std::vector<RoleMapping> out;
  for (const auto& m : maps) out.push_back(ParseRoleMapping(m));
  return out;
}

}  // namespace crmkpi
