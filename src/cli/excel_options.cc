#include "excel_options.h"

#include <memory>

#include <unistd.h>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/write/output_text.h"
#include "crmkpi/write/xlsx_writer.h"

namespace crmkpi {
namespace {

struct ExcelArgs {
  bool bom = false;
  std::string encoding = "utf-8";
};

// -f xlsx is binary: to a terminal it is refused before anything runs.
void RefuseXlsxToTerminal(const CLI::App& app, const std::string& format) {
  if (format != "xlsx") return;
  const CLI::Option* o = app.get_option_no_throw("--output");
  const std::string path = o != nullptr && o->count() > 0 ? o->as<std::string>() : "";
  if ((path.empty() || path == "-") && ::isatty(STDOUT_FILENO)) {
    throw Error::Usage(fmt::format(
        "-f xlsx writes a binary file, which a terminal cannot show: {}",
        o != nullptr ? "give -o FILE.xlsx (or redirect stdout: > FILE.xlsx)"
                     : "redirect stdout (> FILE.xlsx)"));
  }
}

void Apply(const ExcelArgs& a, std::string* format) {
  OutputText text;
  text.bom = a.bom;
  if (*format == "csv-excel") {
    *format = "csv";
    text.bom = true;
  }
  if (a.encoding == "cp932" || a.encoding == "CP932" || a.encoding == "windows-31j" ||
      a.encoding == "shift_jis" || a.encoding == "sjis") {
    text.cp932 = true;
  } else if (a.encoding != "utf-8" && a.encoding != "UTF-8" && a.encoding != "utf8") {
    throw Error::Usage(fmt::format(
        "--output-encoding: expected utf-8 or cp932, got '{}'", a.encoding));
  }
  if (text.bom && text.cp932) {
    throw Error::Usage("--bom and --output-encoding cp932 exclude each other: a byte-order mark "
                       "marks UTF-8; choose one (--bom for Excel 2016 and later)");
  }
  const bool text_format = *format == "table" || *format == "csv" || *format == "md" ||
                           *format == "markdown";
  if (!text.Plain() && !text_format) {
    throw Error::Usage(fmt::format(
        "{} applies to text output (-f table, csv, md); -f {} is {}", 
        text.bom ? "--bom" : "--output-encoding cp932", *format,
        *format == "json" ? "always UTF-8 without a byte-order mark (RFC 8259)"
        : *format == "xlsx" ? "not text: Excel reads it as it is"
                            : "UTF-8 by its own definition"));
  }
  SetOutputText(text);
}

}  // namespace

void AddExcelOptions(CLI::App* app, std::string* format) {
  auto args = std::make_shared<ExcelArgs>();
  if (CLI::Option* f = app->get_option_no_throw("--format")) {
    f->description(f->get_description() +
                   "; xlsx (Excel; -o FILE or a pipe); csv-excel (= csv --bom)");
  }
  app->add_flag("--bom", args->bom,
                "Start text output (table, csv, md) with a UTF-8 byte-order mark, so that Excel "
                "reads it as UTF-8 (-f csv-excel = -f csv --bom)");
  app->add_option("--output-encoding", args->encoding,
                  "utf-8 (default) or cp932: text output (table, csv, md) in CP932 for older "
                  "Japanese Excel; a character CP932 lacks is an error (exit 2) naming it")
      ->type_name("ENC");
  SetOutputText({});
  app->parse_complete_callback([app, args, format] {
    Apply(*args, format);
    const CLI::Option* config = app->get_option_no_throw("--config");
    if (*format == "xlsx" && config != nullptr && config->count() > 0) {
      AddXlsxRunSetting("definition", config->as<std::string>());
    }
    RefuseXlsxToTerminal(*app, *format);
  });
}

}  // namespace crmkpi
