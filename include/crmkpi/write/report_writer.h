// Writers: a Report as an aligned terminal table, Markdown, CSV (one row per KPI × group) or
// JSON (the stable machine contract, docs/cli.md). Writers only format; they compute nothing.
#pragma once

#include <string>
#include <string_view>

#include "crmkpi/results/report.h"

namespace crmkpi {

enum class Format { kTable, kCsv, kJson, kMarkdown, kHtml, kXlsx };

// "table", "csv", "json", "md" (also "markdown"), "html". Throws Error(kUsage) otherwise.
Format ParseFormat(std::string_view name);

std::string WriteReport(const Report& report, Format format);

class JsonWriter;
// The "kpis" array of the JSON report (total first, then each grouping's rows), one KPI per
// line; `tree` writes it beside the tree.
void WriteJsonKpis(const Report& report, JsonWriter* w);
// `,"merged_spellings":[…]` (on a new line) when a grouping merged spellings of its values
// (docs/kpis.md, "Group keys"): each column's once, whichever groupings use it; else nothing.
void WriteJsonMergedSpellings(const Report& report, JsonWriter* w);

// Human text of a reason code ("ZERO_DENOMINATOR" -> "no population (denominator 0)").
std::string_view ReasonText(std::string_view code);

}  // namespace crmkpi
