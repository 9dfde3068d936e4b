// The INI access and value parsers the KPI model's section loaders share (kpi_model.h): each
// failure is an Error(kUsage) at the INI location of the offending section, key or value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/formula.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/definition/metric_def.h"

namespace crmkpi::kpi_load {

[[noreturn]] void Fail(const SourceLoc& loc, const std::string& message);
std::string Suggest(std::string_view word, const std::vector<std::string>& known);
std::string Join(const std::vector<std::string>& v, std::string_view sep);
std::string SectionName(const IniSection& s);  // "[type]" or "[type id]"

// Rejects keys a section does not know; |prefixes| allow families like "map.stage".
void CheckKeys(const IniSection& s, const std::vector<std::string>& keys,
               const std::vector<std::string>& prefixes = {});
void RequireId(const IniSection& s);
const IniEntry& Require(const IniSection& s, std::string_view key);  // present and not empty
std::string Get(const IniSection& s, std::string_view key, std::string fallback = {});
SourceLoc LocOf(const IniSection& s, std::string_view key);  // the value's, else the section's

// "35%", "0.35", "1,200,000", "¥1,200,000" → double.
double ParseNumber(const IniEntry& e);
// "48h", "2d", "90m", "1.5d", "30s" → seconds; nullopt otherwise.
std::optional<double> ParseDurationText(std::string_view text);
bool ParseBool(const IniEntry& e);
std::string ResolvePath(const IniFile& ini, const std::string& path);  // against the INI's folder
// "owner, source+product" → {{owner}, {source, product}}
// `by`: groupings separated by ',', the columns of one grouping by '+' (`owner, owner+source`).
// A name may be quoted in "…" or `…`, as in where (`by = owner, "Lead Source"`; needed for a
// name holding ',' or '+'). Errors at |loc| (the value's start) plus the column of the problem.
// `users.role as role` reports a column under another name (the grouping's key), so that
// metrics of two sources meet in one grouping; |as| (if given) gets the names, "" for none.
std::vector<std::vector<std::string>> ParseGroupings(
    std::string_view text, const SourceLoc& loc,
    std::vector<std::vector<std::string>>* as = nullptr);
// `having`: "count >= 2" (= == != < <= > >=, a whole number) → the condition on a key's rows.
HavingDef ParseHaving(const IniEntry& e);
UnitSpec ParseUnit(const IniEntry& e);
Period ParsePeriod(const IniEntry& e);
void ParseAggregation(const IniEntry& e, MetricDef* m);  // type = …
Formula ParseFormulaAt(const IniEntry& e);  // a formula error points into the value

}  // namespace crmkpi::kpi_load
