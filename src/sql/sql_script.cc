// The script (sql_script.h): a heading that says what it is, DuckDB's NFKC macro when a group
// key needs it, the sources' CTEs, and the metrics' SELECTs joined by UNION ALL.
#include "crmkpi/sql/sql_script.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <utf8proc.h>

#include "crmkpi/engine/date_orders.h"
#include "crmkpi/engine/long_result_reader.h"
#include "crmkpi/values/date_time.h"

#include "check_sql.h"
#include "forecast_sql.h"
#include "history_sql.h"
#include "metric_sql.h"
#include "period_sql.h"
#include "source_sql.h"
#include "zone_sql.h"

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

// How an analysis reads a source (a stage history, a forecast file and its actual source): as
// `crmkpi dwell` and `crmkpi forecast` read their files, not as the row engine does: every row
// (no filter), amounts with a decimal point, group keys normalised, and the analysed source's
// date format, date order setting and zone (a forecast's for its actual source too).
SourceDef AnalysisReadDef(const SourceDef& def, const SourceDef& analysed) {
  SourceDef d = def;
  d.kind = SourceKind::kRows;
  d.filter.clear();
  d.decimal = "point";
  d.exact_groups = false;
  d.missing_tokens.clear();
  d.date_format = analysed.date_format;
  d.date_order = analysed.date_order;
  d.tz = analysed.tz;
  return d;
}

// 2026-11-01T09:00:00Z
std::string IsoUtcText(Seconds t) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", date::sys_seconds{std::chrono::seconds{t}});
}

}  // namespace

std::string CompileSql(const KpiModel& model, const SqlOptions& options) {
  const Sql sql(options.dialect);
  for (const auto& entry : options.tables) {
    const std::string& id = entry.first;
    const std::string& table = entry.second;
    const bool known = model.FindSource(id) != nullptr ||
                       std::any_of(model.lookups.begin(), model.lookups.end(),
                                   [&](const LookupDef& l) { return l.id == id; });
    if (!known) {
      throw Error::Usage(fmt::format("--table {}={}: '{}' is not a [source] or [lookup] of {}", id,
                                     table, id, model.name));
    }
  }
  std::string as_of;  // SQL: the instant sla lateness is counted at
  const std::string as_of_text = options.as_of.empty() ? model.as_of : options.as_of;
  if (!as_of_text.empty()) {
    Seconds t = 0;
    if (DateParser({}, model.tz).Parse(as_of_text, &t) != ParseStatus::kOk) {
      throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", as_of_text));
    }
    as_of = std::to_string(t);
  }
  // The data's as-of (as_of = data, or an sla metric without an as-of): the latest event of
  // the sources, found by a chain of its own over each (RunDefinition's first pass).
  const bool needs_as_of = std::any_of(model.metrics.begin(), model.metrics.end(), [](const MetricDef& m) {
    return m.aggregation == Aggregation::kSla || m.aggregation == Aggregation::kKmMedian;
  });
  const bool from_data = options.as_of.empty() && (model.as_of_data || (model.as_of.empty() && needs_as_of));
  const std::string literal_as_of = as_of;  // the given as-of's seconds, or empty
  if (from_data) as_of = "crmkpi_as_of";  // a column: each source's rows join it on
  LongColumns columns;
  columns.keys = LongResultKeyColumns(model.metrics);
  columns.all = {"metric", "group_by"};
  for (const std::string& k : columns.keys) columns.all.push_back(LongResultKeyColumn(k));
  for (const char* c : {"period_start", "period_end", "value", "numerator", "denominator", "n",
                        "censored", "reason", "currency", "excluded"}) {
    columns.all.emplace_back(c);
  }
  // date_order = auto: decided from the sources' files, as the engine decides it before a pass.
  KpiModel decided = model;
  DateColumns date_columns = MetricDateColumns(model.metrics);
  AddDateColumns(CheckDateColumns(model.checks), &date_columns);
  DecideDateOrders(&decided.sources, date_columns, {});
  // The checks' timeliness as-of, as `crmkpi check -c` takes it: the script's as-of, else with
  // as_of = data the latest event in the checked sources (not the metrics': a column of its
  // own), else the clock now.
  const bool timeliness = std::any_of(model.checks.begin(), model.checks.end(), [](const CheckDef& c) {
    return c.type == CheckType::kTimeliness;
  });
  const Seconds now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  sql_detail::CheckAsOf check_as_of;
  if (!literal_as_of.empty()) {
    check_as_of.seconds = literal_as_of;
    check_as_of.iso = IsoUtcText(std::stoll(literal_as_of));
  } else if (from_data && model.as_of_data) {
    // No event in the checked sources: the clock, as crmkpi check takes it then.
    check_as_of.seconds = fmt::format("COALESCE(crmkpi_check_as_of, {})", now);
  } else {
    check_as_of.seconds = std::to_string(now);
    check_as_of.iso = IsoUtcText(now);
  }
  std::deque<SourceDef> read_defs;  // sources read otherwise than the row engine reads them
  std::vector<std::string> analysis_ctes;  // the analyses' steps after their sources' rows
  std::vector<std::unique_ptr<SourceSql>> sources;
  std::vector<std::pair<bool, bool>> reads;  // per source: has metrics, has checks
  std::vector<std::string> selects;
  for (const SourceDef& def : decided.sources) {
    std::vector<const MetricDef*> metrics;
    for (const MetricDef& m : model.metrics) {
      if (m.source == def.id) metrics.push_back(&m);
    }
    std::vector<const CheckDef*> checks;
    for (const CheckDef& c : model.checks) {
      if (c.source == def.id) checks.push_back(&c);
    }
    if (metrics.empty() && checks.empty()) continue;
    const SourceDef* row_def = &def;  // how the row path reads it
    if (def.kind != SourceKind::kRows && !metrics.empty()) {
      // Read as `crmkpi dwell` or `crmkpi forecast` reads its files: the analysed source (and a
      // forecast's actual source), each a chain of its own (the actual source's metrics, if any,
      // read it as a row source).
      const bool forecast = def.kind == SourceKind::kForecast;
      const SourceDef* actual =
          forecast && !def.actual_source.empty() ? decided.FindSource(def.actual_source) : nullptr;
      std::vector<SourceDef> defs = {AnalysisReadDef(def, def)};
      DateColumns dates = {{def.id, {}}};
      if (forecast) dates[def.id] = {"period", "snapshot"};
      if (actual != nullptr) {
        defs.push_back(AnalysisReadDef(*actual, def));
        dates[actual->id] = {};
      }
      DecideDateOrders(&defs, dates, {});
      for (SourceDef& d : defs) read_defs.push_back(std::move(d));
      auto read = std::make_unique<SourceSql>(sql, decided, read_defs[read_defs.size() - defs.size()],
                                              options.tables, forecast ? "fc" : "sh");
      std::unique_ptr<SourceSql> deals;
      if (actual != nullptr) {
        deals = std::make_unique<SourceSql>(sql, decided, read_defs.back(), options.tables, "fa");
      }
      std::vector<std::string> analysed =
          forecast ? sql_detail::ForecastSelects(*read, deals.get(), metrics, columns, as_of_text, model.tz,
                                                 &analysis_ctes)
                   : sql_detail::HistorySelects(*read, metrics, columns, as_of_text, model.tz, &analysis_ctes);
      for (std::string& s : analysed) selects.push_back(std::move(s));
      sources.push_back(std::move(read));
      reads.emplace_back(false, false);
      if (deals) {
        sources.push_back(std::move(deals));
        reads.emplace_back(false, false);
      }
      metrics.clear();
    }
    if (def.kind != SourceKind::kRows) {
      if (checks.empty()) continue;
      // Its checks read the file as rows, as crmkpi check reads it.
      std::vector<SourceDef> as_rows = {def};
      as_rows[0].kind = SourceKind::kRows;
      DecideDateOrders(&as_rows, CheckDateColumns(model.checks), {});
      read_defs.push_back(std::move(as_rows[0]));
      row_def = &read_defs.back();
    }
    sources.push_back(std::make_unique<SourceSql>(sql, decided, *row_def, options.tables));
    reads.emplace_back(!metrics.empty(), !checks.empty());
    if (from_data) sources.back()->JoinDataAsOf();
    for (const MetricDef* m : metrics) {
      for (std::string& s : sql_detail::MetricSelects(*sources.back(), *m, columns, as_of)) {
        selects.push_back(std::move(s));
      }
    }
    for (const CheckDef* c : checks) {
      for (std::string& s : sql_detail::CheckSelects(*sources.back(), *c, columns, check_as_of)) {
        selects.push_back(std::move(s));
      }
    }
  }
  std::string as_of_ctes, as_of_row;
  if (from_data) {
    std::vector<std::string> latest, checked_latest;  // of the metrics' sources, the checks'
    std::vector<std::unique_ptr<SourceSql>> chains;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const auto& source = sources[i];
      if (!reads[i].first && !reads[i].second) continue;  // an analysis' own reading
      auto chain = std::make_unique<SourceSql>(sql, decided, source->def(), options.tables, "asof");
      bool any = false;
      // Every created, stage-change and last-modified time, and the close time of a closed
      // deal only (an open deal's close date is an expectation, not an event).
      for (const char* role : {"created", "changed", "modified", "closed"}) {
        int c = -1;
        try {
          c = chain->Resolve(role);
        } catch (const Error&) {
          c = -1;  // an ambiguous name: no event from it
        }
        if (c < 0) continue;
        std::string instant = chain->Date(c).instant;
        if (std::string(role) == "closed" && chain->schema().roles().has(Role::kStage)) {
          instant = fmt::format("CASE WHEN {} <> 'open' THEN {} END", chain->StageClass(), instant);
        }
        const std::string max = fmt::format("SELECT MAX({}) AS t FROM {}", chain->Metric(instant), chain->Rows());
        if (reads[i].first) latest.push_back(max);
        if (reads[i].second) checked_latest.push_back(max);
        any = true;
      }
      if (any) as_of_ctes += chain->Ctes() + ",\n";
      chains.push_back(std::move(chain));
    }
    auto union_of = [&](const std::vector<std::string>& maxes) {
      std::string all;
      for (const std::string& l : maxes) all += (all.empty() ? "" : " UNION ALL ") + l;
      return all.empty() ? fmt::format("SELECT {} AS t", sql.Cast("NULL", sql.BigintType())) : all;
    };
    as_of_ctes += fmt::format(
        "crmkpi_data_as_of AS (\n  SELECT a.t AS crmkpi_as_of, c.t AS crmkpi_check_as_of\n  FROM (SELECT MAX(t) "
        "AS t FROM ({}) e) a CROSS JOIN (SELECT MAX(t) AS t FROM ({}) e) c\n)",
        union_of(latest), union_of(checked_latest));
    // The @as_of row: the instant in full in the definition's zone (FormatInstant's form).
    const sql_detail::ZoneSql zone_sql(model.tz);
    const std::string offset = zone_sql.OffsetAt("crmkpi_as_of");  // seconds east of UTC
    const std::string local = fmt::format("(crmkpi_as_of + {})", offset);
    const std::string day = sql.IntDiv(local, "86400");
    const std::string secs = fmt::format("({} - {} * 86400)", local, day);
    std::string zone;  // Z, or ±HH:MM
    if (zone_sql.fixed()) {
      const std::int64_t o = zone_sql.first_offset();
      zone = sql.Str(o == 0 ? std::string("Z")
                            : fmt::format("{}{:02}:{:02}", o < 0 ? '-' : '+', std::abs(o) / 3600, std::abs(o) % 3600 / 60));
    } else {
      const std::string a = fmt::format("ABS({})", offset);
      zone = fmt::format("CASE WHEN {0} = 0 THEN 'Z' ELSE {1} END", offset,
                         sql.Concat({fmt::format("CASE WHEN {} < 0 THEN '-' ELSE '+' END", offset),
                                     sql.ZeroPad(sql.IntDiv(a, "3600"), 2), "':'",
                                     sql.ZeroPad(sql.IntDiv(sql.Mod(a, "3600"), "60"), 2)}));
    }
    std::vector<std::string> values = {"'@as_of'", "''"};
    for (std::size_t i = 2; i < columns.all.size(); ++i) values.push_back(sql.Cast("NULL", sql.TextType()));
    const std::size_t value_at = static_cast<std::size_t>(
        std::find(columns.all.begin(), columns.all.end(), "value") - columns.all.begin());
    values[value_at] = sql.Concat(
        {sql_detail::DayTextOf(sql, day), "'T'", sql.ZeroPad(sql.IntDiv(secs, "3600"), 2), "':'",
         sql.ZeroPad(sql.IntDiv(sql.Mod(secs, "3600"), "60"), 2), "':'", sql.ZeroPad(sql.Mod(secs, "60"), 2),
         zone});
    as_of_row = sql_detail::LongRow(sql, columns, values) + "\n  FROM crmkpi_data_as_of WHERE crmkpi_as_of IS NOT NULL";
  }
  std::string out = fmt::format(
      "-- crmkpi sql {} for {}: the long result of {} (docs/scale.md), one row per metric x\n"
      "-- grouping x group and per check count. Write the result as CSV and give it to crmkpi\n"
      "-- report|tree|check -c {} --metrics FILE.\n",
      options.version, sql.name(), model.name, model.name);
  if (from_data) {
    out += "-- The as-of is the data's latest event: the @as_of row carries it to the reading command.\n";
  } else if (as_of_text.empty() && timeliness) {
    out += fmt::format("-- No as-of: the timeliness checks count ages from the clock when this script was "
                       "compiled, {} (pass --as-of to choose).\n",
                       check_as_of.iso);
  } else if (as_of_text.empty()) {
    out += "-- No as-of: give the reading command the same --as-of as this script, if any.\n";
  } else {
    out += fmt::format("-- Computed at the as-of {}: give the reading command --as-of {}.\n",
                       as_of_text, as_of_text);
  }
  if (selects.empty()) {
    throw Error::Usage(fmt::format("{} has no [metric] or [check] to compile", model.name));
  }
  std::string ctes = as_of_ctes;
  for (const auto& s : sources) {
    ctes += (ctes.empty() ? "" : ",\n") + s->Ctes();
    for (const std::string& guard : s->guards()) {
      std::vector<std::string> values = {"'@error'", "''"};
      for (std::size_t i = 2; i < columns.all.size(); ++i) values.push_back(sql.Cast("NULL", sql.TextType()));
      const auto value_at = std::find(columns.all.begin(), columns.all.end(), "value") - columns.all.begin();
      values[static_cast<std::size_t>(value_at)] = "crmkpi_message";
      selects.push_back(sql_detail::LongRow(sql, columns, values) + "\n  FROM (" + guard + ") e");
    }
  }
  for (const std::string& c : analysis_ctes) ctes += ",\n" + c;
  if (sql.dialect() == SqlDialect::kDuckDb && ctes.find("crmkpi_nfkc(") != std::string::npos) {
    out += DuckDbNfkcMacro(sql);
  }
  out += "WITH\n" + ctes + "\nSELECT * FROM (\n";
  if (!as_of_row.empty()) selects.insert(selects.begin(), as_of_row);
  for (std::size_t i = 0; i < selects.size(); ++i) {
    out += (i == 0 ? "" : "\nUNION ALL\n") + selects[i];
  }
  out += "\n) crmkpi_long_result;\n";
  return out;
}

}  // namespace crmkpi
