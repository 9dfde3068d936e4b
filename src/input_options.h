// Options every command that reads CSV shares: delimiter, encoding, column mapping.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crmkpi/column_roles.h"
#include "crmkpi/csv_reader.h"
#include "crmkpi/input_stream.h"

namespace crmkpi {

struct InputOptions {
  std::string delimiter = ",";
  std::string encoding = "utf-8";
  std::vector<std::string> maps;

  void Register(CLI::App* app);
  CsvOptions Csv() const;  // throws Error(kUsage) for a bad --delimiter
  Encoding GetEncoding() const { return ParseEncoding(encoding); }
  std::vector<RoleMapping> Mappings() const;
};

}  // namespace crmkpi
