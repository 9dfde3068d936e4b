// The script (sql_script.h): a heading that says what it is, DuckDB's NFKC macro when a group
// key needs it, the sources' CTEs, and the metrics' SELECTs joined by UNION ALL.
#include "crmkpi/sql/sql_script.h"

#include <memory>
#include <optional>

#include <fmt/format.h>
#include <utf8proc.h>

#include "crmkpi/engine/long_result_reader.h"
#include "crmkpi/values/date_time.h"

#include "metric_sql.h"
#include "source_sql.h"

namespace crmkpi {

namespace {

using sql_detail::LongColumns;
using sql_detail::SourceSql;

// DuckDB has NFC but no NFKC: NFKC(s) = NFC(the compatibility decomposition of each character),
// so the macro maps every character whose NFKD differs from it (utf8proc's tables, the engine's)
// and lets nfc_normalize compose. ASCII text (as many bytes as characters) is its own NFKC.
std::string DuckDbNfkcMacro(const Sql& sql) {
  std::string map;
  for (utf8proc_int32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const utf8proc_property_t* p = utf8proc_get_property(cp);
    if (p->category == UTF8PROC_CATEGORY_CN) continue;
    utf8proc_uint8_t in[4];
    const utf8proc_ssize_t len = utf8proc_encode_char(cp, in);
    // Only compatibility decompositions: nfc_normalize does the canonical ones itself.
    auto mapped = [&](int options) {
      utf8proc_uint8_t* out = nullptr;
      const utf8proc_ssize_t n = utf8proc_map(in, len, &out, static_cast<utf8proc_option_t>(options));
      std::string text = n >= 0 && out != nullptr
                             ? std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n))
                             : std::string();
      std::free(out);
      return text;
    };
    const std::string nfkd = mapped(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STABLE);
    const std::string nfd = mapped(UTF8PROC_DECOMPOSE | UTF8PROC_STABLE);
    if (!nfkd.empty() && nfkd != nfd) {
      const std::string from(reinterpret_cast<char*>(in), static_cast<std::size_t>(len));
      map += (map.empty() ? "" : ", ") + sql.Str(from) + ": " + sql.Str(nfkd);
    }
  }
  return fmt::format(
      "-- NFKC, which DuckDB lacks: each character's compatibility decomposition (utf8proc), then NFC.\n"
      "CREATE OR REPLACE TEMP MACRO crmkpi_nfkc(s) AS CASE WHEN strlen(s) = length(s) THEN s ELSE "
      "nfc_normalize(list_aggregate(list_transform(string_split(s, ''), c -> COALESCE(MAP {{{}}}[c], "
      "c)), 'string_agg', '')) END;\n",
      map);
}

}  // namespace

std::string CompileSql(const KpiModel& model, const SqlOptions& options) {
  const Sql sql(options.dialect);
  for (const auto& [id, table] : options.tables) {
    const bool known = model.FindSource(id) != nullptr ||
                       std::any_of(model.lookups.begin(), model.lookups.end(),
                                   [&](const LookupDef& l) { return l.id == id; });
    if (!known) {
      throw Error::Usage(fmt::format("--table {}={}: '{}' is not a [source] or [lookup] of {}", id,
                                     table, id, model.name));
    }
  }
  if (model.as_of_data) {
    throw Error(ExitCode::kUsage,
                "as_of = data (the latest event of the sources) is not compiled to SQL yet: give "
                "crmkpi sql --as-of DATE, and the reading command the same --as-of");
  }
  std::optional<Seconds> as_of;
  const std::string as_of_text = options.as_of.empty() ? model.as_of : options.as_of;
  if (!as_of_text.empty()) {
    Seconds t = 0;
    if (DateParser({}, model.tz).Parse(as_of_text, &t) != ParseStatus::kOk) {
      throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", as_of_text));
    }
    as_of = t;
  }
  LongColumns columns;
  columns.keys = LongResultKeyColumns(model.metrics);
  columns.all = {"metric", "group_by"};
  for (const std::string& k : columns.keys) columns.all.push_back(LongResultKeyColumn(k));
  for (const char* c : {"period_start", "period_end", "value", "numerator", "denominator", "n",
                        "censored", "reason", "currency", "excluded"}) {
    columns.all.emplace_back(c);
  }
  std::vector<std::unique_ptr<SourceSql>> sources;
  std::vector<std::string> selects;
  for (const SourceDef& def : model.sources) {
    std::vector<const MetricDef*> metrics;
    for (const MetricDef& m : model.metrics) {
      if (m.source == def.id) metrics.push_back(&m);
    }
    if (metrics.empty()) continue;
    if (def.kind != SourceKind::kRows) {
      throw Error(ExitCode::kUsage,
                  fmt::format("metric '{}': the figures of {} source '{}' are computed by "
                              "crmkpi's analysis, not compiled to SQL: run crmkpi on that export",
                              metrics[0]->id,
                              def.kind == SourceKind::kForecast ? "forecast" : "stage-history",
                              def.id),
                  metrics[0]->loc);
    }
    sources.push_back(std::make_unique<SourceSql>(sql, model, def, options.tables));
    for (const MetricDef* m : metrics) {
      for (std::string& s : sql_detail::MetricSelects(*sources.back(), *m, columns, as_of)) {
        selects.push_back(std::move(s));
      }
    }
  }
  std::string out = fmt::format(
      "-- crmkpi sql {} for {}: the long result of {} (docs/scale.md), one row per metric x\n"
      "-- grouping x group. Write the result as CSV and give it to crmkpi report|tree -c {} "
      "--metrics FILE.\n",
      options.version, sql.name(), model.name, model.name);
  if (as_of_text.empty()) {
    out += "-- No as-of: give the reading command the same --as-of as this script, if any.\n";
  } else {
    out += fmt::format("-- Computed at the as-of {}: give the reading command --as-of {}.\n",
                       as_of_text, as_of_text);
  }
  if (selects.empty()) {
    throw Error::Usage(fmt::format("{} has no [metric] to compile", model.name));
  }
  std::string ctes;
  for (const auto& s : sources) ctes += (ctes.empty() ? "" : ",\n") + s->Ctes();
  if (sql.dialect() == SqlDialect::kDuckDb && ctes.find("crmkpi_nfkc(") != std::string::npos) {
    out += DuckDbNfkcMacro(sql);
  }
  out += "WITH\n" + ctes + "\nSELECT * FROM (\n";
  for (std::size_t i = 0; i < selects.size(); ++i) {
    out += (i == 0 ? "" : "\nUNION ALL\n") + selects[i];
  }
  out += "\n) crmkpi_long_result;\n";
  return out;
}

}  // namespace crmkpi
