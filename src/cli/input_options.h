// Options every command that reads CSV shares: delimiter, encoding, column mapping.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

struct InputOptions {
  std::string delimiter = "auto";
  std::string encoding = "auto";
  std::vector<std::string> maps;

  void Register(CLI::App* app);
  CsvOptions Csv() const;  // throws Error(kUsage) for a bad --delimiter
  Encoding GetEncoding() const { return ParseEncoding(encoding); }
  std::vector<RoleMapping> Mappings() const;
};

// --won, --lost (and with |stages| non-null --stages): stage values, comma-separated.
void AddStageOptions(CLI::App* app, std::vector<std::string>* won, std::vector<std::string>* lost,
                     std::vector<std::string>* stages);
// --date-format and --tz.
void AddDateOptions(CLI::App* app, std::string* date_format, std::string* tz);
// --format/-f (|formats| is the help text, e.g. "table (default), csv, json or md"), -o/--output
// and --quiet/-q.
void AddOutputOptions(CLI::App* app, std::string* format, std::string* output, bool* quiet,
                      const char* formats);
// --threads N (default: one per core) and, hidden, --min-chunk-bytes (tests split small files
// with it).
void AddParallelOptions(CLI::App* app, ParallelOptions* parallel);
// --by specs ("owner", "owner+source") as column lists; Error(kUsage) for an empty one.
std::vector<std::vector<std::string>> ParseBy(const std::vector<std::string>& specs);
// --period: week, month, quarter or year; Error(kUsage) naming them otherwise.
Period ParsePeriodFlag(const std::string& text);
// Every named option takes one value per occurrence, so a FILE may follow a repeatable flag
// (`--by owner deals.csv`). Call after all options are added.
void OneValuePerFlag(CLI::App* app);

}  // namespace crmkpi
