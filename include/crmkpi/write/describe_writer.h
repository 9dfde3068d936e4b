// Writers of the KPI 定義書 (`crmkpi describe`): a block per KPI at the terminal, a Markdown
// document for a wiki (summary table with links, then a section per KPI), CSV (one row per KPI)
// and JSON (docs/schema/describe.json). |ja|: Japanese headings and values (指標, 定義, 計算式, …;
// 先行/中間/遅行, 毎月, 高いほど良い) in table, Markdown and CSV; JSON keys and values are the
// same in both languages.
#pragma once

#include <string>

#include "crmkpi/evaluate/kpi_describe.h"
#include "crmkpi/write/report_writer.h"

namespace crmkpi {

std::string WriteDescribe(const KpiSheet& sheet, Format format, bool ja);

}  // namespace crmkpi
