// The KPI model's loaders, one per INI section kind: [crmkpi], [source], [lookup], [metric],
// [check], [constant], [kpi] and [lint]. Each checks its own section's keys and values.
#include "kpi_model_sections.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/definition/value_expr.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/fiscal_calendar.h"
#include "kpi_model_values.h"

namespace crmkpi::kpi_load {

namespace {

// The value of |key|: |fallback| when absent, else |fallback| or |other| (an error naming
// |expected| otherwise, at the value).
std::string GetOneOf(const IniSection& s, const char* key, const char* fallback,
                     const char* other, const char* expected) {
  std::string value = Get(s, key, fallback);
  if (value != fallback && value != other) {
    Fail(LocOf(s, key), fmt::format("{}: expected {}, got '{}'", key, expected, value));
  }
  return value;
}

}  // namespace

bool LoadSettings(const IniSection& s, KpiModel* model) {
  CheckKeys(s, {"as_of", "tz", "allow_empty", "exact_groups", "fiscal_year_start",
                "fiscal_year_name", "week_start", "lang"});
  if (const IniEntry* e = s.Find("fiscal_year_start")) {
    try {
      model->calendar.fiscal_year_start = ParseFiscalYearStart(e->value);
    } catch (const Error& err) {
      Fail(e->value_loc, "fiscal_year_start: " + err.message());
    }
  }
  model->calendar.name_by_end =
      GetOneOf(s, "fiscal_year_name", "start", "end",
               "start (2025年度 = 2025-04 … 2026-03) or end (FY2026 = 2025-10 … 2026-09)") ==
      "end";
  model->calendar.week_starts_sunday =
      GetOneOf(s, "week_start", "monday", "sunday", "monday (ISO weeks) or sunday") == "sunday";
  model->calendar.ja = GetOneOf(s, "lang", "en", "ja", "en or ja (period labels)") == "ja";
  bool allow_empty = false;
  if (const IniEntry* e = s.Find("allow_empty")) {
    if (e->value != "true" && e->value != "false") {
      Fail(e->value_loc,
           fmt::format("allow_empty: expected true or false, got '{}'", e->value));
    }
    allow_empty = e->value == "true";
  }
  if (const IniEntry* e = s.Find("exact_groups")) {
    if (e->value != "true" && e->value != "false") {
      Fail(e->value_loc,
           fmt::format("exact_groups: expected true or false, got '{}' (true compares group "
                       "values as written, without NFKC and white-space collapsing)",
                       e->value));
    }
    model->exact_groups = e->value == "true";
  }
  model->as_of = Get(s, "as_of");
  model->tz = Get(s, "tz");
  if (model->as_of == "data") {
    model->as_of.clear();
    model->as_of_data = true;
  }
  if (!model->as_of.empty()) {
    Seconds t = 0;
    if (DateParser().Parse(model->as_of, &t) != ParseStatus::kOk) {
      Fail(LocOf(s, "as_of"), "as_of: expected a date (YYYY-MM-DD) or data");
    }
  }
  if (!model->tz.empty()) {
    try {
      DateParser check({}, model->tz);
    } catch (const Error& e) {
      Fail(LocOf(s, "tz"), e.message());
    }
  }
  return allow_empty;
}

SourceDef LoadSource(const IniFile& ini, const IniSection& s) {
  RequireId(s);
  CheckKeys(s,
            {"file", "encoding", "delimiter", "date_format", "date_order", "decimal", "tz", "won", "lost", "stages",
             "opportunity_stage", "lost_reached", "filter", "lenient", "missing_tokens", "kind",
             "mode", "conversion", "actual", "period", "series"},
            {"map.", "entered."});
  SourceDef d;
  d.id = s.id;
  d.loc = s.loc;
  const IniEntry& file = Require(s, "file");
  d.file = ResolvePath(ini, file.value);
  d.file_loc = file.value_loc;
  d.encoding = Get(s, "encoding", "auto");
  try {
    ParseEncoding(d.encoding);
  } catch (const Error& e) {
    Fail(LocOf(s, "encoding"), e.message());
  }
  d.delimiter = Get(s, "delimiter", "auto");
  d.date_format = Get(s, "date_format");
  d.date_order = Get(s, "date_order", "auto");
  if (d.date_order != "auto" && d.date_order != "mdy" && d.date_order != "dmy") {
    Fail(LocOf(s, "date_order"),
         fmt::format("date_order: expected auto (decided from the first 1,000 rows, the "
                     "default), mdy (4/15/2024) or dmy (15/04/2024), got '{}'",
                     d.date_order));
  }
  d.decimal = GetOneOf(s, "decimal", "point", "comma",
                       "point (1,234.50, the default) or comma (1.234,50)");
  d.tz = Get(s, "tz");
  for (const IniEntry& e : s.entries) {
    if (e.key.rfind("map.", 0) != 0) continue;
    const auto role = ParseRole(e.key.substr(4));
    if (!role) {
      Fail(e.key_loc, fmt::format("unknown role '{}' in {} (roles: {})", e.key.substr(4),
                                  e.key, RoleList()));
    }
    d.mappings.push_back({*role, e.value});
  }
  d.stages.won = SplitList(Get(s, "won"));
  d.stages.lost = SplitList(Get(s, "lost"));
  d.stages.order = SplitList(Get(s, "stages"));
  d.stages.opportunity_stage = Get(s, "opportunity_stage");
  if (const IniEntry* e = s.Find("lost_reached")) {
    if (e->value == "exclude") {
      d.stages.lost_reached = LostReached::kExclude;
    } else if (e->value == "opportunity") {
      d.stages.lost_reached = LostReached::kOpportunity;
    } else if (e->value == "lead") {
      d.stages.lost_reached = LostReached::kLead;
    } else {
      Fail(e->value_loc, "lost_reached: expected exclude, opportunity or lead");
    }
  }
  try {
    StageRules check(d.stages);
  } catch (const Error& e) {
    Fail(LocOf(s, d.stages.opportunity_stage.empty() ? "stages" : "opportunity_stage"),
         e.message());
  }
  d.filter = Get(s, "filter");
  d.filter_loc = LocOf(s, "filter");
  if (const IniEntry* e = s.Find("lenient")) d.lenient = ParseBool(*e);
  d.missing_tokens = SplitList(Get(s, "missing_tokens"));
  // Analysis sources (analysis_metrics.h).
  if (const IniEntry* e = s.Find("kind")) {
    if (e->value == "rows") {
      d.kind = SourceKind::kRows;
    } else if (e->value == "stage_history") {
      d.kind = SourceKind::kStageHistory;
    } else if (e->value == "forecast") {
      d.kind = SourceKind::kForecast;
    } else {
      Fail(e->value_loc, fmt::format("kind: expected rows, stage_history or forecast, got '{}'{}",
                                     e->value,
                                     Suggest(e->value, {"rows", "stage_history", "forecast"})));
    }
  }
  auto only_for = [&](const char* key, SourceKind kind, const char* what) {
    if (const IniEntry* e = s.Find(key); e != nullptr && d.kind != kind) {
      Fail(e->key_loc, fmt::format("{} is for kind = {} sources", key, what));
    }
  };
  only_for("mode", SourceKind::kStageHistory, "stage_history");
  only_for("conversion", SourceKind::kStageHistory, "stage_history");
  only_for("actual", SourceKind::kForecast, "forecast");
  only_for("period", SourceKind::kForecast, "forecast");
  only_for("series", SourceKind::kForecast, "forecast");
  d.forecast_series = SplitList(Get(s, "series"));
  for (const IniEntry& e : s.entries) {
    if (e.key.rfind("entered.", 0) != 0) continue;
    if (d.kind != SourceKind::kStageHistory) {
      Fail(e.key_loc, "entered.STAGE is for kind = stage_history sources");
    }
    d.entered.emplace_back(e.key.substr(8), e.value);
  }
  d.dwell_mode = Get(s, "mode", "cumulative");
  if (d.dwell_mode != "cumulative" && d.dwell_mode != "latest") {
    Fail(LocOf(s, "mode"), "mode: expected cumulative or latest");
  }
  d.conversion = Get(s, "conversion", "any");
  if (d.conversion != "any" && d.conversion != "strict") {
    Fail(LocOf(s, "conversion"), "conversion: expected any or strict");
  }
  // More `file =` lines: more exports of the same layout, read as one source (report FILE...).
  bool first_file = true;
  for (const IniEntry& e : s.entries) {
    if (e.key != "file") continue;
    if (first_file) {
      first_file = false;
      continue;
    }
    if (d.kind != SourceKind::kRows) {
      Fail(e.key_loc, "several files are for row sources (kind = rows)");
    }
    d.more_files.push_back(ResolvePath(ini, e.value));
    d.more_file_locs.push_back(e.value_loc);
  }
  d.actual_source = Get(s, "actual");
  d.forecast_period = Get(s, "period", "month");
  if (ParsePeriodName(d.forecast_period) == Period::kNone) {
    Fail(LocOf(s, "period"), "period: expected week, month, quarter, half or year");
  }
  return d;
}

LookupDef LoadLookup(const IniFile& ini, const IniSection& s) {
  RequireId(s);
  CheckKeys(s, {"file", "key", "source", "on", "encoding", "delimiter", "first", "last"});
  LookupDef d;
  d.id = s.id;
  d.loc = s.loc;
  d.file = ResolvePath(ini, Require(s, "file").value);
  d.file_loc = Require(s, "file").value_loc;
  d.key = Require(s, "key").value;
  d.source = Require(s, "source").value;
  d.on = Require(s, "on").value;
  d.on_loc = LocOf(s, "on");
  d.encoding = Get(s, "encoding", "auto");
  d.delimiter = Get(s, "delimiter", "auto");
  d.first = Get(s, "first");
  d.last = Get(s, "last");
  if (!d.first.empty() && !d.last.empty()) {
    Fail(LocOf(s, "last"), "give first or last, not both");
  }
  d.pick_loc = LocOf(s, d.first.empty() ? "last" : "first");
  return d;
}

MetricDef LoadMetric(const IniSection& s) {
  RequireId(s);
  CheckKeys(s, {"source", "type", "column", "value", "having", "duration", "duration_unit", "within", "stage",
                "censored", "where", "by", "period", "period_of", "label", "unit", "definition",
                "optional", "money"});
  MetricDef m;
  m.id = s.id;
  m.loc = s.loc;
  if (const IniEntry* e = s.Find("optional")) m.optional = ParseBool(*e);
  if (const IniEntry* e = s.Find("money")) m.money = ParseBool(*e);
  m.source = Require(s, "source").value;
  if (const IniEntry* e = s.Find("type")) ParseAggregation(*e, &m);
  if (const IniEntry* e = s.Find("column")) {
    m.columns = SplitList(e->value, '+');
    m.column_loc = e->value_loc;
  }
  if (const IniEntry* e = s.Find("duration")) {
    const auto dots = e->value.find("..");
    if (dots == std::string::npos) {
      Fail(e->value_loc, "duration: expected FROM..TO, two date columns or roles (created..closed)");
    }
    m.duration_from = std::string(TrimSpace(std::string_view(e->value).substr(0, dots)));
    m.duration_to = std::string(TrimSpace(std::string_view(e->value).substr(dots + 2)));
    if (m.duration_from.empty() || m.duration_to.empty()) {
      Fail(e->value_loc, "duration: expected FROM..TO, two date columns or roles (created..closed)");
    }
    m.column_loc = e->value_loc;
  }
  if (const IniEntry* e = s.Find("duration_unit")) {
    if (e->value == "days") {
      m.duration_unit = DurationUnit::kDays;
    } else if (e->value == "hours") {
      m.duration_unit = DurationUnit::kHours;
    } else {
      Fail(e->value_loc, "duration_unit: expected days or hours");
    }
  }
  if (const IniEntry* e = s.Find("value")) {
    if (TrimSpace(e->value).empty()) {
      Fail(e->value_loc, "value: expected an expression over columns (amount * probability / 100)");
    }
    ValueExpr::Parse(e->value, e->value_loc);  // the syntax, at its column
    m.value = e->value;
    m.value_loc = e->value_loc;
  }
  const bool has_value = !m.columns.empty() || !m.duration_from.empty() || !m.value.empty();
  if (!m.columns.empty() && !m.duration_from.empty()) {
    Fail(s.loc, fmt::format("{}: give 'column' or 'duration', not both", SectionName(s)));
  }
  if (!m.value.empty()) {
    if (!m.columns.empty() || !m.duration_from.empty()) {
      Fail(m.value_loc, fmt::format("{}: give 'value' or '{}', not both (value = is the "
                                    "arithmetic of several columns, column = one)",
                                    SectionName(s), m.columns.empty() ? "duration" : "column"));
    }
    if (!AggregatesNumbers(m.aggregation)) {
      Fail(m.value_loc, fmt::format("{}: value = … is for type = sum, avg, min, max, median "
                                    "and pNN (a number per row to aggregate)",
                                    SectionName(s)));
    }
  }
  switch (m.aggregation) {
    case Aggregation::kCount:
      // Without a column: rows. With one: rows where it is not empty (the others are counted
      // as missing_value); with a duration: rows where both dates are valid.
      if (m.columns.size() > 1) Fail(m.column_loc, "only count_distinct takes several columns (a+b)");
      break;
    case Aggregation::kCountDistinct:
      if (m.columns.empty()) Fail(s.loc, fmt::format("{}: count_distinct needs 'column = …'", SectionName(s)));
      break;
    case Aggregation::kFigure:
      if (has_value) Fail(s.loc, fmt::format("{}: a figure takes no column or duration",
                                            SectionName(s)));
      break;
    case Aggregation::kReached:
      // The row's stage decides it: no value column.
      if (has_value) Fail(s.loc, fmt::format("{}: type = reached takes no column or duration",
                                            SectionName(s)));
      break;
    case Aggregation::kKmMedian:
      if (m.duration_from.empty()) {
        Fail(s.loc, fmt::format("{}: type = km_median needs 'duration = FROM..TO'",
                                SectionName(s)));
      }
      if (s.Find("censored") == nullptr) {
        Fail(s.loc, fmt::format("{}: type = km_median needs 'censored = CONDITION' (the rows "
                                "still running, e.g. stage is open)",
                                SectionName(s)));
      }
      break;
    default:
      if (!has_value) {
        Fail(s.loc, fmt::format("{}: this type needs 'column = …', 'value = …' or 'duration = "
                                "FROM..TO'",
                                SectionName(s)));
      }
      if (m.columns.size() > 1) Fail(m.column_loc, "only count_distinct takes several columns (a+b)");
  }
  if (const IniEntry* e = s.Find("having")) {
    if (m.aggregation != Aggregation::kCountDistinct) {
      Fail(e->key_loc, "having is for type = count_distinct (count the keys with so many rows: "
                       "having = count >= 2)");
    }
    m.having = ParseHaving(*e);
    m.having_loc = e->value_loc;
  }
  if (const IniEntry* e = s.Find("within")) {
    if (m.aggregation != Aggregation::kSla) Fail(e->key_loc, "within is for type = sla");
    const std::optional<double> secs = ParseDurationText(e->value);
    if (!secs) {
      Fail(e->value_loc, fmt::format("within: expected a duration such as 48h, 2d, 90m or 1.5d, "
                                     "got '{}'",
                                     e->value));
    }
    m.within_seconds = *secs;
    m.within_loc = e->value_loc;
  }
  if (m.aggregation == Aggregation::kSla) {
    if (m.duration_from.empty()) {
      Fail(s.loc, fmt::format("{}: type = sla needs 'duration = FROM..TO'", SectionName(s)));
    }
    if (s.Find("within") == nullptr) {
      Fail(s.loc, fmt::format("{}: type = sla needs 'within = …' (e.g. 48h, 2d)", SectionName(s)));
    }
  }
  if (const IniEntry* e = s.Find("censored")) {
    if (m.aggregation != Aggregation::kKmMedian) Fail(e->key_loc, "censored is for type = km_median");
    if (TrimSpace(e->value).empty()) Fail(e->value_loc, "censored: expected a condition (e.g. stage is open)");
    m.censored = e->value;
    m.censored_loc = e->value_loc;
  }
  m.where = Get(s, "where");
  m.where_loc = LocOf(s, "where");
  if (const IniEntry* e = s.Find("by")) {
    m.by = ParseGroupings(e->raw.empty() ? e->value : e->raw, e->value_loc, &m.by_as);
    m.by_loc = e->value_loc;
  }
  if (const IniEntry* e = s.Find("period")) {
    m.period = ParsePeriod(*e);
    m.period_loc = e->value_loc;
    m.period_of = Get(s, "period_of");
    if (m.period_of.empty()) {
      Fail(e->value_loc, "period needs 'period_of = DATE_COLUMN' (a date column or role, e.g. closed)");
    }
  } else if (s.Find("period_of") != nullptr) {
    Fail(LocOf(s, "period_of"), "period_of without 'period = week|month|quarter|year'");
  }
  m.stage = Get(s, "stage");
  m.stage_loc = LocOf(s, "stage");
  m.label = Get(s, "label");
  m.unit = Get(s, "unit");
  m.definition = Get(s, "definition");
  return m;
}

// [check NAME]: a data-quality check of `crmkpi check` (check_def.h, docs/quality.md).
CheckDef LoadCheck(const IniSection& s) {
  RequireId(s);
  CheckDef c;
  c.name = s.id;
  c.loc = s.loc;
  const IniEntry& type = Require(s, "type");
  static const std::vector<std::string> kTypes = {"completeness", "uniqueness", "validity",
                                                  "timeliness",   "row_count",  "schema"};
  std::vector<std::string> keys = {"type", "source", "columns", "column", "fail", "warn",
                                   "allow_empty", "description"};
  if (type.value == "row_count") {
    c.type = CheckType::kRowCount;
    keys = {"type", "source", "min", "warn", "description"};
  } else if (type.value == "schema") {
    c.type = CheckType::kSchema;
    keys = {"type", "source", "columns", "column", "extra", "description"};
  } else if (type.value == "completeness") {
    c.type = CheckType::kCompleteness;
  } else if (type.value == "uniqueness") {
    c.type = CheckType::kUniqueness;
    keys.insert(keys.end(), {"normalize", "near"});
  } else if (type.value == "validity") {
    c.type = CheckType::kValidity;
    keys.insert(keys.end(), {"rule", "when"});
  } else if (type.value == "timeliness") {
    c.type = CheckType::kTimeliness;
    keys.push_back("max_age_days");
  } else {
    Fail(type.value_loc, fmt::format("type: expected completeness, uniqueness, validity, "
                                     "timeliness, row_count or schema, got '{}'{}",
                                     type.value, Suggest(type.value, kTypes)));
  }
  CheckKeys(s, keys);
  c.source = Require(s, "source").value;
  if (c.type == CheckType::kRowCount) {
    // min (the fail limit) and warn are numbers of rows the source must reach.
    for (const char* key : {"min", "warn"}) {
      const IniEntry* e = s.Find(key);
      if (e == nullptr) continue;
      std::optional<Limit> limit = ParseLimit(e->value);
      if (!limit || limit->percent) {
        Fail(e->value_loc, fmt::format("{}: expected a number of rows (1000), got '{}'", key,
                                       e->value));
      }
      (std::string_view(key) == "min" ? c.fail : c.warn) = std::move(limit);
    }
    c.description = Get(s, "description");
    return c;
  }
  if (const IniEntry* e = s.Find("allow_empty")) {
    if (e->value != "true" && e->value != "false") {
      Fail(e->value_loc, fmt::format("allow_empty: expected true or false, got '{}'", e->value));
    }
    c.allow_empty = e->value == "true";
  }
  if (const IniEntry* e = s.Find("extra")) {
    if (e->value == "allow") {
      c.extra = ExtraColumns::kAllow;
    } else if (e->value == "warn") {
      c.extra = ExtraColumns::kWarn;
    } else if (e->value == "fail") {
      c.extra = ExtraColumns::kFail;
    } else {
      Fail(e->value_loc, fmt::format("extra: expected allow, warn or fail, got '{}'", e->value));
    }
  }
  const IniEntry* cols = s.Find("columns");
  if (cols == nullptr) cols = s.Find("column");
  if (cols == nullptr || TrimSpace(cols->value).empty()) {
    Fail(s.loc, fmt::format("{} needs 'columns = …'", SectionName(s)));
  }
  if (s.Find("columns") != nullptr && s.Find("column") != nullptr) {
    Fail(LocOf(s, "column"), "give 'columns' or 'column', not both");
  }
  // A uniqueness key's parts are joined by + (company+zip); commas are accepted too. A schema's
  // expected names are split at commas only.
  for (std::string& part : SplitList(cols->value, ',')) {
    if (c.type == CheckType::kSchema) {
      c.columns.push_back(std::move(part));
      continue;
    }
    for (std::string& p : SplitList(part, '+')) c.columns.push_back(std::move(p));
  }
  if (c.type == CheckType::kCompleteness || c.type == CheckType::kUniqueness ||
      c.type == CheckType::kSchema) {
    // ok: one or more
  } else if (c.columns.size() != 1) {
    Fail(cols->value_loc, fmt::format("{}: a {} check takes one column", cols->key, type.value));
  }
  for (const char* key : {"fail", "warn"}) {
    if (const IniEntry* e = s.Find(key)) {
      std::optional<Limit> limit = ParseLimit(e->value);
      if (!limit) {
        Fail(e->value_loc, fmt::format("{}: expected a row count (10) or a percent (5%), got '{}'",
                                       key, e->value));
      }
      (std::string_view(key) == "fail" ? c.fail : c.warn) = std::move(limit);
    }
  }
  c.normalize = Get(s, "normalize");
  c.near = Get(s, "near");
  if (c.type == CheckType::kValidity) {
    c.rule = Require(s, "rule").value;
    c.rule_loc = LocOf(s, "rule");
  }
  c.description = Get(s, "description");
  c.when = Get(s, "when");
  if (c.type == CheckType::kTimeliness) {
    const IniEntry& e = Require(s, "max_age_days");
    const std::optional<double> v = ParseDays(e.value);
    if (!v) Fail(e.value_loc, fmt::format("max_age_days: expected a number of days >= 0 (30, "
                                          "1.5), got '{}'", e.value));
    c.max_age_days = *v;
  }
  return c;
}

ConstantDef LoadConstant(const IniSection& s) {
  RequireId(s);
  CheckKeys(s, {"value", "label", "unit", "definition"});
  ConstantDef c;
  c.id = s.id;
  c.loc = s.loc;
  c.value = ParseNumber(Require(s, "value"));
  c.label = Get(s, "label");
  c.unit = Get(s, "unit");
  c.definition = Get(s, "definition");
  return c;
}

namespace {

struct ReviewFrequency {
  const char* name;
  int days;
};
// The `review` values and the days between two reviews (docs/ini.md, docs/kpis.md "Lint").
constexpr ReviewFrequency kReviewFrequencies[] = {
    {"daily", 1},     {"weekly", 7},   {"biweekly", 14}, {"monthly", 31}, {"quarterly", 92},
    {"yearly", 366},  {"毎日", 1},     {"日次", 1},      {"毎週", 7},     {"週次", 7},
    {"隔週", 14},     {"毎月", 31},    {"月次", 31},     {"四半期", 92},  {"毎年", 366},
    {"年次", 366}};

// A strict YYYY-MM-DD that is a day of the calendar.
bool IsIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return ParseDayText(text).has_value();
}

}  // namespace

KpiDef LoadKpi(const IniSection& s) {
  RequireId(s);
  CheckKeys(s, {"formula", "label", "unit", "target", "direction", "layer", "owner",
                "data_owner", "collection", "review", "last_review", "deadline", "definition"});
  KpiDef k;
  k.id = s.id;
  k.loc = s.loc;
  const IniEntry& f = Require(s, "formula");
  k.formula = ParseFormulaAt(f);
  k.formula_loc = f.value_loc;
  k.label = Get(s, "label");
  if (const IniEntry* e = s.Find("unit")) k.unit = ParseUnit(*e);
  if (const IniEntry* e = s.Find("target")) {
    k.target = ParseNumber(*e);
    k.target_loc = e->value_loc;
  }
  if (const IniEntry* e = s.Find("direction")) {
    if (e->value == "higher") {
      k.direction = Direction::kHigher;
    } else if (e->value == "lower") {
      k.direction = Direction::kLower;
    } else {
      Fail(e->value_loc, "direction: expected higher or lower (which is better)");
    }
  }
  if (const IniEntry* e = s.Find("layer")) {
    const std::string& v = e->value;
    if (v == "leading" || v == "先行" || v == "行動") {
      k.layer = Layer::kLeading;
    } else if (v == "process" || v == "中間") {
      k.layer = Layer::kProcess;
    } else if (v == "lagging" || v == "遅行" || v == "成果") {
      k.layer = Layer::kLagging;
    } else {
      Fail(e->value_loc, "layer: expected leading (先行), process (中間) or lagging (遅行)");
    }
  }
  k.owner = Get(s, "owner");
  k.data_owner = Get(s, "data_owner");
  k.collection = Get(s, "collection");
  if (const IniEntry* e = s.Find("review")) {
    if (!ReviewIntervalDays(e->value)) {
      Fail(e->value_loc, fmt::format("review: expected daily, weekly, biweekly, monthly, "
                                     "quarterly or yearly (毎日, 毎週, 隔週, 毎月, 四半期, 毎年; "
                                     "日次, 週次, 月次, 年次), got '{}'{}",
                                     e->value, Suggest(e->value, ReviewFrequencies())));
    }
    k.review = e->value;
  }
  if (const IniEntry* e = s.Find("last_review")) {
    Seconds t = 0;
    if (DateParser().Parse(e->value, &t) != ParseStatus::kOk) {
      Fail(e->value_loc, fmt::format("last_review: expected a date (YYYY-MM-DD), got '{}'", e->value));
    }
    k.last_review = e->value;
    k.last_review_loc = e->value_loc;
  }
  if (const IniEntry* e = s.Find("deadline")) {
    if (!IsIsoDate(e->value)) {
      Fail(e->value_loc,
           fmt::format("deadline: expected the date the target is due, YYYY-MM-DD (deadline = "
                       "2026-03-31), got '{}'",
                       e->value));
    }
    k.deadline = e->value;
    k.deadline_loc = e->value_loc;
  }
  k.definition = Get(s, "definition");
  return k;
}

void LoadLint(const IniSection& s, KpiModel* model) {
  static const std::vector<std::string> kKeys = {
      "too_many_kgis",      "kpi_count",       "missing_definition",      "missing_owner",
      "missing_review",     "missing_target",  "layer_mix",               "stale_review",
      "target_without_deadline", "deadline_passed", "target_unattainable",
      "handoff_unmeasured", "input_up_results_flat", "forecast_error_not_improving",
      "attainable_factor",  "attainable_period"};
  CheckKeys(s, kKeys);
  for (const IniEntry& e : s.entries) {
    if (e.key == "attainable_factor") {
      const double factor = ParseNumber(e);
      if (!(factor > 1)) {
        Fail(e.value_loc, fmt::format("attainable_factor: expected a number above 1 (2: a "
                                      "target may be up to twice the best period), got '{}'",
                                      e.value));
      }
      model->attainable_factor = factor;
      model->attainable_factor_loc = e.value_loc;
    } else if (e.key == "attainable_period") {
      model->attainable_period = ParsePeriod(e);
    } else if (e.value == "error") {
      model->lint[e.key] = LintSeverity::kError;
    } else if (e.value == "warning") {
      model->lint[e.key] = LintSeverity::kWarning;
    } else if (e.value == "off") {
      model->lint[e.key] = LintSeverity::kOff;
    } else {
      Fail(e.value_loc, fmt::format("{}: expected error, warning or off", e.key));
    }
  }
}

TargetsDef LoadTargets(const IniFile& ini, const IniSection& s) {
  if (!s.id.empty()) Fail(s.loc, "[targets] takes no name: one targets table per definition");
  CheckKeys(s, {"file", "encoding", "delimiter", "kpi_column", "period_column", "target_column"});
  TargetsDef d;
  d.origin = "[targets]";
  const IniEntry& file = Require(s, "file");
  d.file = ResolvePath(ini, file.value);
  d.file_loc = file.value_loc;
  d.encoding = Get(s, "encoding", "auto");
  d.delimiter = Get(s, "delimiter", "auto");
  d.kpi_column = Get(s, "kpi_column");
  d.kpi_column_loc = LocOf(s, "kpi_column");
  d.period_column = Get(s, "period_column");
  d.period_column_loc = LocOf(s, "period_column");
  d.target_column = Get(s, "target_column");
  d.target_column_loc = LocOf(s, "target_column");
  return d;
}

FxRates LoadFx(const IniSection& s) {
  FxRates fx;
  fx.origin = "[fx]";
  for (const IniEntry& e : s.entries) {
    if (e.key == "base") {
      fx.base = CurrencyCode(e.value);
      if (fx.base.empty()) Fail(e.value_loc, "base: expected a currency code (base = JPY)");
      continue;
    }
    if (e.key == "rates") {  // CODE=RATE, ...: also codes that are no INI key ("US Dollar")
      try {
        AddFxList(e.value, &fx);
      } catch (const Error& err) {
        Fail(e.value_loc, err.message());
      }
      continue;
    }
    double rate = 0;
    if (!ParseFxRate(e.value, &rate)) {
      Fail(e.value_loc, fmt::format("{}: expected a positive number, the units of the base "
                                    "currency one {} is worth (USD = 150 with base JPY)",
                                    e.key, e.key));
    }
    if (fx.RateOf(e.key)) Fail(e.key_loc, fmt::format("{} is given twice", CurrencyCode(e.key)));
    fx.Set(e.key, rate);
  }
  if (fx.rates.empty()) {
    Fail(s.loc, "[fx] has no rates; write CODE = RATE lines (JPY = 1, USD = 150) or "
                "rates = JPY=1, USD=150");
  }
  try {
    fx.DecideBase();
  } catch (const Error& e) {
    Fail(s.loc, e.message());
  }
  return fx;
}

}  // namespace crmkpi::kpi_load

namespace crmkpi {

std::optional<int> ReviewIntervalDays(std::string_view review) {
  for (const auto& f : kpi_load::kReviewFrequencies) {
    if (review == f.name) return f.days;
  }
  return std::nullopt;
}

const std::vector<std::string>& ReviewFrequencies() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : kpi_load::kReviewFrequencies) out.emplace_back(f.name);
    return out;
  }();
  return names;
}

}  // namespace crmkpi
