#include "input_options.h"

#include "crmkpi/values/fiscal_calendar.h"

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"

namespace crmkpi {

void InputOptions::Register(CLI::App* app) {
  app->add_option("--delimiter,-d", delimiter,
                  "Field delimiter: auto (default: the one of ',', ';', tab and '|' that "
                  "splits the header line into the most fields, ',' on a tie), or one "
                  "character: ',', ';', '\\t' or tab, '|'")
      ->type_name("C");
  app->add_option("--encoding", encoding,
                  "Input encoding: auto (default: a BOM, else UTF-8, else detected among "
                  "cp932, euc-jp, windows-1252 and BOM-less utf-16), or any name iconv knows "
                  "(utf-8, cp932, windows-1252, latin1, euc-jp, utf-16le, ...). A BOM is always "
                  "honoured.")
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

void AddStageOptions(CLI::App* app, std::vector<std::string>* won, std::vector<std::string>* lost,
                     std::vector<std::string>* stages) {
  app->add_option("--won", *won, "Stage values meaning won (default: won, closed won, 受注)")
      ->delimiter(',')
      ->type_name("V[,V...]");
  app->add_option("--lost", *lost, "Stage values meaning lost (default: lost, closed lost, 失注)")
      ->delimiter(',')
      ->type_name("V[,V...]");
  if (stages != nullptr) {
    app->add_option("--stages", *stages, "Pipeline order of the stage values")
        ->delimiter(',')
        ->type_name("S1,S2,...");
  }
}

void AddDateOptions(CLI::App* app, std::string* date_format, std::string* tz) {
  app->add_option("--date-format", *date_format,
                  "strftime-style format of the date columns, e.g. %d.%m.%Y (default: "
                  "automatic)")
      ->type_name("FMT");
  app->add_option("--tz", *tz,
                  "Time zone of timestamps without an offset, e.g. Asia/Tokyo (default UTC)")
      ->type_name("ZONE");
}

void AddParallelOptions(CLI::App* app, ParallelOptions* parallel) {
  app->add_option("--threads,-j", parallel->threads,
                  "Threads for large files (default: one per core; 1 = serial). Results are "
                  "identical whatever the number")
      ->type_name("N")
      ->check(CLI::Range(0u, 1024u));
  app->add_option("--min-chunk-bytes", parallel->min_chunk_bytes,
                  "Smallest chunk a file is split into for the parallel pass")
      ->type_name("BYTES")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->group("");  // hidden: for tests
}

void AddOutputOptions(CLI::App* app, std::string* format, std::string* output, bool* quiet,
                      const char* formats) {
  app->add_option("--format,-f", *format, formats)->type_name("FORMAT");
  app->add_option("-o,--output", *output, "Write the report to this file (atomically)")
      ->type_name("FILE");
  // Also quiets the warnings the reader prints about an input's layout (PrintWarning).
  SetWarningsQuiet(false);
  app->add_flag_function(
         "--quiet,-q",
         [quiet](std::int64_t count) {
           *quiet = count > 0;
           SetWarningsQuiet(*quiet);
         },
         "Do not print data warnings on stderr");
}

std::vector<std::vector<std::string>> ParseBy(const std::vector<std::string>& specs) {
  std::vector<std::vector<std::string>> out;
  for (const auto& spec : specs) {
    std::vector<std::string> cols = SplitList(spec, '+');
    if (cols.empty()) throw Error::Usage("--by: empty column name");
    out.push_back(std::move(cols));
  }
  return out;
}

void OneValuePerFlag(CLI::App* app) {
  for (CLI::Option* o : app->get_options()) {
    if (!o->get_positional()) o->allow_extra_args(false);
  }
}

Period ParsePeriodFlag(const std::string& text) {
  if (const Period p = ParsePeriodName(text); p != Period::kNone) return p;
  throw Error::Usage(
      fmt::format("--period: expected week, month, quarter, half or year, got '{}'", text));
}

}  // namespace crmkpi
