// Output options for Excel users, on every command that writes tables (docs/cli.md, "Excel"):
// -f csv-excel, --bom and --output-encoding. Not in AddOutputOptions because tree, lint and
// columns register their own --format.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace crmkpi {

// Adds --bom and --output-encoding utf-8|cp932, and -f csv-excel (= -f csv --bom) to the
// command's --format (|format|, which must be added before). After parsing, |format| holds
// "csv" for csv-excel, a combination that makes no sense (--bom or cp932 with json, xlsx,
// junit; --bom with cp932) is Error(kUsage), and the run's OutputText (output_text.h) is set.
void AddExcelOptions(CLI::App* app, std::string* format);

}  // namespace crmkpi
