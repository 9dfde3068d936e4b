// A Workbook (sheet.h) as an .xlsx file's bytes, through libxlsxwriter: one worksheet per
// Sheet with a frozen header row, an autofilter over the table, column widths from the display
// width of the cells (East Asian wide = 2), numbers as numeric cells with their format, text
// cells neutralised against formula injection (NeutraliseFormula), and a "Settings" sheet.
#pragma once

#include <string>

#include "crmkpi/write/sheet.h"

namespace crmkpi {

// The command line of the run, for the Settings sheet (set once by the CLI).
void SetXlsxCommandLine(std::string command_line);
// A setting of the run the result structs do not hold (the definition file), for the Settings
// sheet after the command line and the version.
void AddXlsxRunSetting(std::string name, std::string value);

// The file's bytes (written to a temporary file by libxlsxwriter, read back and removed).
// Throws Error(kInput) when the temporary file cannot be written, Error(kUsage) for a sheet
// over Excel's 1,048,576 rows; a text over Excel's 32,767 characters is cut, ending "…".
std::string WriteXlsx(const Workbook& book);

}  // namespace crmkpi
