// `crmkpi check` as sheets (-f xlsx; sheet.h): the checks, the sources, the samples.
#pragma once

#include "crmkpi/definition/check_def.h"
#include "crmkpi/write/sheet.h"

namespace crmkpi {

void AddCheckSheets(const CheckRun& run, int exit_code, Workbook* book);
Workbook CheckWorkbook(const CheckRun& run, int exit_code);

}  // namespace crmkpi
