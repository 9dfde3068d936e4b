// The failure signs of a run (evaluate/failure_signs.h) as report, tree and the full report
// print them: a section after the tables (text, Markdown) and a JSON array "signs".
#pragma once

#include <string>

#include "crmkpi/results/report.h"
#include "crmkpi/write/json_writer.h"

namespace crmkpi {

// Empty when there are none.
std::string SignsSection(const Report& report, bool markdown);
// "signs": [{"kind", "kpis", "periods", "message", "remedy"}], also when empty.
void WriteJsonSigns(const Report& report, JsonWriter* w);

}  // namespace crmkpi
