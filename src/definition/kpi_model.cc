#include "crmkpi/definition/kpi_model.h"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/definition/figures.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {
namespace {

[[noreturn]] void Fail(const SourceLoc& loc, const std::string& message) {
  throw Error(ExitCode::kUsage, message, loc);
}

std::string Suggest(std::string_view word, const std::vector<std::string>& known) {
  return DidYouMean(word, known);
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

std::string SectionName(const IniSection& s) {
  return s.id.empty() ? fmt::format("[{}]", s.type) : fmt::format("[{} {}]", s.type, s.id);
}

// Rejects keys a section does not know; |prefixes| allow families like "map.stage".
void CheckKeys(const IniSection& s, const std::vector<std::string>& keys,
               const std::vector<std::string>& prefixes = {}) {
  for (const IniEntry& e : s.entries) {
    if (std::find(keys.begin(), keys.end(), e.key) != keys.end()) continue;
    bool prefixed = false;
    for (const auto& p : prefixes) prefixed = prefixed || e.key.rfind(p, 0) == 0;
    if (prefixed) continue;
    std::string list;
    for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
    for (const auto& p : prefixes) list += ", " + p + "ROLE";
    Fail(e.key_loc, fmt::format("unknown key '{}' in {}{}; keys: {}", e.key, SectionName(s),
                                Suggest(e.key, keys), list));
  }
}

void RequireId(const IniSection& s) {
  if (s.id.empty()) {
    Fail(s.loc, fmt::format("[{}] needs a name: [{} NAME]", s.type, s.type));
  }
}

const IniEntry& Require(const IniSection& s, std::string_view key) {
  const IniEntry* e = s.Find(key);
  if (e == nullptr || e->value.empty()) {
    Fail(s.loc, fmt::format("{} needs '{} = …'", SectionName(s), key));
  }
  return *e;
}

std::string Get(const IniSection& s, std::string_view key, std::string fallback = {}) {
  const IniEntry* e = s.Find(key);
  return e == nullptr ? fallback : e->value;
}

SourceLoc LocOf(const IniSection& s, std::string_view key) {
  const IniEntry* e = s.Find(key);
  return e == nullptr ? s.loc : e->value_loc;
}

// "35%", "0.35", "1,200,000", "¥1,200,000" → double.
double ParseNumber(const IniEntry& e) {
  std::string_view v = TrimSpace(e.value);
  double divisor = 1;  // 35% → 35 / 100, the double nearest 0.35 (35 × 0.01 is not)
  if (!v.empty() && v.back() == '%') {
    v.remove_suffix(1);
    divisor = 100;
  }
  std::int64_t units = 0;
  if (ParseAmount(v, &units) != ParseStatus::kOk) {
    Fail(e.value_loc, fmt::format("{}: expected a number (e.g. 1200000, 1,200,000 or 35%), got '{}'",
                                  e.key, e.value));
  }
  return static_cast<double>(units) / static_cast<double>(kAmountScale) / divisor;
}

// "48h", "2d", "90m", "1.5d", "30s" → seconds; nullopt otherwise.
std::optional<double> ParseDurationText(std::string_view text) {
  std::string_view t = TrimSpace(text);
  if (t.size() < 2) return std::nullopt;
  const char unit = t.back();
  const double scale = unit == 'd' ? 86400.0 : unit == 'h' ? 3600.0 : unit == 'm' ? 60.0
                       : unit == 's' ? 1.0 : 0.0;
  if (scale == 0.0) return std::nullopt;
  t = TrimSpace(t.substr(0, t.size() - 1));
  if (t.empty()) return std::nullopt;
  for (char c : t) {
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v * scale;
}

bool ParseBool(const IniEntry& e) {
  if (e.value == "true" || e.value == "yes" || e.value == "1") return true;
  if (e.value == "false" || e.value == "no" || e.value == "0") return false;
  Fail(e.value_loc, fmt::format("{}: expected true or false, got '{}'", e.key, e.value));
}

std::string ResolvePath(const IniFile& ini, const std::string& path) {
  if (path.empty() || path[0] == '/' || path == "-") return path;
  return ini.dir() + path;
}

// "owner, source+product" → {{owner}, {source, product}}
std::vector<std::vector<std::string>> ParseGroupings(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  for (const auto& spec : SplitList(text, ',')) out.push_back(SplitList(spec, '+'));
  return out;
}

UnitSpec ParseUnit(const IniEntry& e) {
  UnitSpec u;
  const std::string v = std::string(TrimSpace(e.value));
  static const std::vector<std::string> kNames = {"count", "ratio", "percent", "number",
                                                  "currency", "days", "hours"};
  if (v.rfind("currency:", 0) == 0 && v.size() > 9) {
    u.name = "currency";
    u.currency = v.substr(9);
    return u;
  }
  if (v.size() == 3 && std::all_of(v.begin(), v.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    u.name = "currency";  // JPY, USD, EUR…
    u.currency = v;
    return u;
  }
  if (std::find(kNames.begin(), kNames.end(), v) == kNames.end()) {
    Fail(e.value_loc, fmt::format("unit: expected count, ratio, percent, number, currency, "
                                  "currency:CODE (or a code such as JPY), days or hours; got '{}'{}",
                                  v, Suggest(v, kNames)));
  }
  u.name = v == "percent" ? "ratio" : v;
  return u;
}

Period ParsePeriod(const IniEntry& e) {
  if (e.value == "week") return Period::kWeek;
  if (e.value == "month") return Period::kMonth;
  if (e.value == "quarter") return Period::kQuarter;
  if (e.value == "year") return Period::kYear;
  Fail(e.value_loc, fmt::format("period: expected week, month, quarter or year, got '{}'", e.value));
}

void ParseAggregation(const IniEntry& e, MetricDef* m) {
  const std::string& v = e.value;
  static const std::vector<std::pair<std::string, Aggregation>> kTypes = {
      {"count", Aggregation::kCount}, {"count_distinct", Aggregation::kCountDistinct},
      {"sum", Aggregation::kSum},     {"avg", Aggregation::kAvg},
      {"mean", Aggregation::kAvg},    {"min", Aggregation::kMin},
      {"max", Aggregation::kMax},     {"median", Aggregation::kMedian},
      {"sla", Aggregation::kSla}};
  for (const auto& [name, agg] : kTypes) {
    if (v == name) {
      m->aggregation = agg;
      if (agg == Aggregation::kMedian) m->percentile = 0.5;
      return;
    }
  }
  if (v.size() >= 2 && v.size() <= 3 && v[0] == 'p' &&
      std::all_of(v.begin() + 1, v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const int p = std::stoi(v.substr(1));
    if (p >= 1 && p <= 99) {
      m->aggregation = Aggregation::kPercentile;
      m->percentile = p / 100.0;
      return;
    }
  }
  for (SourceKind kind : {SourceKind::kStageHistory, SourceKind::kForecast}) {
    const auto& figures = AnalysisFigures(kind);
    if (std::find(figures.begin(), figures.end(), v) != figures.end()) {
      m->aggregation = Aggregation::kFigure;
      m->figure = v;
      return;
    }
  }
  std::vector<std::string> names;
  for (const auto& t : kTypes) names.push_back(t.first);
  for (SourceKind kind : {SourceKind::kStageHistory, SourceKind::kForecast}) {
    for (const auto& f : AnalysisFigures(kind)) names.push_back(f);
  }
  Fail(e.value_loc, fmt::format("type: expected count, count_distinct, sum, avg, min, max, median, "
                                "pNN (p90), sla, or a figure of a stage_history or forecast "
                                "source (dwell_days_km_median, stage_conversion, wape, …), got "
                                "'{}'{}",
                                v, Suggest(v, names)));
}

SourceDef LoadSource(const IniFile& ini, const IniSection& s) {
  RequireId(s);
  CheckKeys(s,
            {"file", "encoding", "delimiter", "date_format", "tz", "won", "lost", "stages",
             "opportunity_stage", "lost_reached", "filter", "lenient", "missing_tokens", "kind",
             "mode", "conversion", "actual", "period", "series"},
            {"map.", "entered."});
  SourceDef d;
  d.id = s.id;
  d.loc = s.loc;
  const IniEntry& file = Require(s, "file");
  d.file = ResolvePath(ini, file.value);
  d.file_loc = file.value_loc;
  d.encoding = Get(s, "encoding", "utf-8");
  try {
    ParseEncoding(d.encoding);
  } catch (const Error& e) {
    Fail(LocOf(s, "encoding"), e.message());
  }
  d.delimiter = Get(s, "delimiter", ",");
  d.date_format = Get(s, "date_format");
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
  d.actual_source = Get(s, "actual");
  d.forecast_period = Get(s, "period", "month");
  if (d.forecast_period != "month" && d.forecast_period != "quarter") {
    Fail(LocOf(s, "period"), "period: expected month or quarter");
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
  d.encoding = Get(s, "encoding", "utf-8");
  d.delimiter = Get(s, "delimiter", ",");
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
  CheckKeys(s, {"source", "type", "column", "duration", "duration_unit", "within", "stage",
                "where", "by", "period", "period_of", "label", "unit", "definition"});
  MetricDef m;
  m.id = s.id;
  m.loc = s.loc;
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
  const bool has_value = !m.columns.empty() || !m.duration_from.empty();
  if (!m.columns.empty() && !m.duration_from.empty()) {
    Fail(s.loc, fmt::format("{}: give 'column' or 'duration', not both", SectionName(s)));
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
    default:
      if (!has_value) {
        Fail(s.loc, fmt::format("{}: this type needs 'column = …' or 'duration = FROM..TO'",
                                SectionName(s)));
      }
      if (m.columns.size() > 1) Fail(m.column_loc, "only count_distinct takes several columns (a+b)");
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
  m.where = Get(s, "where");
  m.where_loc = LocOf(s, "where");
  if (const IniEntry* e = s.Find("by")) {
    m.by = ParseGroupings(e->value);
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

Formula ParseFormulaAt(const IniEntry& e) {
  try {
    return Formula::Parse(e.value);
  } catch (const FormulaError& fe) {
    SourceLoc loc = e.value_loc;
    loc.column += static_cast<std::uint64_t>(fe.column()) - 1;
    Fail(loc, fmt::format("{}: {}", e.key, fe.message()));
  }
}

KpiDef LoadKpi(const IniSection& s) {
  RequireId(s);
  CheckKeys(s, {"formula", "label", "unit", "target", "direction", "layer", "owner", "review",
                "last_review", "definition"});
  KpiDef k;
  k.id = s.id;
  k.loc = s.loc;
  const IniEntry& f = Require(s, "formula");
  k.formula = ParseFormulaAt(f);
  k.formula_loc = f.value_loc;
  k.label = Get(s, "label");
  if (const IniEntry* e = s.Find("unit")) k.unit = ParseUnit(*e);
  if (const IniEntry* e = s.Find("target")) k.target = ParseNumber(*e);
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
  if (const IniEntry* e = s.Find("review")) {
    static const std::vector<std::string> kFrequencies = {
        "daily", "weekly", "biweekly", "monthly", "quarterly", "yearly",
        "毎日",  "毎週",   "隔週",     "毎月",    "四半期",    "毎年"};
    if (std::find(kFrequencies.begin(), kFrequencies.end(), e->value) == kFrequencies.end()) {
      Fail(e->value_loc, fmt::format("review: expected daily, weekly, biweekly, monthly, "
                                     "quarterly or yearly, got '{}'{}",
                                     e->value, Suggest(e->value, kFrequencies)));
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
  k.definition = Get(s, "definition");
  return k;
}

}  // namespace

const SourceDef* KpiModel::FindSource(std::string_view id) const {
  for (const auto& s : sources) {
    if (s.id == id) return &s;
  }
  return nullptr;
}
const MetricDef* KpiModel::FindMetric(std::string_view id) const {
  for (const auto& m : metrics) {
    if (m.id == id) return &m;
  }
  return nullptr;
}
const ConstantDef* KpiModel::FindConstant(std::string_view id) const {
  for (const auto& c : constants) {
    if (c.id == id) return &c;
  }
  return nullptr;
}
const KpiDef* KpiModel::FindKpi(std::string_view id) const {
  for (const auto& k : kpis) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

KpiModel KpiModel::Load(const IniFile& ini) {
  KpiModel model;
  model.name = ini.name();
  std::map<std::string, SourceLoc> ids;         // metrics, constants, KPIs share one namespace
  std::map<std::string, SourceLoc> source_ids;  // sources and lookups share another
  std::map<std::string, SourceLoc> check_ids;   // checks: a third
  auto claim = [](std::map<std::string, SourceLoc>* space, const IniSection& s) {
    auto [it, inserted] = space->emplace(s.id, s.loc);
    if (!inserted) {
      Fail(s.loc, fmt::format("duplicate name '{}' ({} is already defined at line {})", s.id,
                              SectionName(s), it->second.line));
    }
  };
  bool seen_tree = false, seen_global = false;
  bool allow_empty = false;                  // [crmkpi] allow_empty: the checks' default
  std::vector<std::size_t> defaulted_empty;  // checks without their own allow_empty
  std::vector<const IniSection*> kpi_sections;
  const IniSection* tree_section = nullptr;
  for (const IniSection& s : ini.sections()) {
    if (s.type == "crmkpi") {
      if (seen_global) Fail(s.loc, "[crmkpi] appears twice");
      seen_global = true;
      CheckKeys(s, {"as_of", "tz", "allow_empty"});
      if (const IniEntry* e = s.Find("allow_empty")) {
        if (e->value != "true" && e->value != "false") {
          Fail(e->value_loc,
               fmt::format("allow_empty: expected true or false, got '{}'", e->value));
        }
        allow_empty = e->value == "true";
      }
      model.as_of = Get(s, "as_of");
      model.tz = Get(s, "tz");
      if (!model.as_of.empty()) {
        Seconds t = 0;
        if (DateParser().Parse(model.as_of, &t) != ParseStatus::kOk) {
          Fail(LocOf(s, "as_of"), "as_of: expected a date (YYYY-MM-DD)");
        }
      }
      if (!model.tz.empty()) {
        try {
          DateParser check({}, model.tz);
        } catch (const Error& e) {
          Fail(LocOf(s, "tz"), e.message());
        }
      }
    } else if (s.type == "source") {
      claim(&source_ids, s);
      model.sources.push_back(LoadSource(ini, s));
    } else if (s.type == "lookup") {
      claim(&source_ids, s);
      model.lookups.push_back(LoadLookup(ini, s));
    } else if (s.type == "metric") {
      claim(&ids, s);
      model.metrics.push_back(LoadMetric(s));
    } else if (s.type == "check") {
      claim(&check_ids, s);
      model.checks.push_back(LoadCheck(s));
      if (s.Find("allow_empty") == nullptr) defaulted_empty.push_back(model.checks.size() - 1);
    } else if (s.type == "constant") {
      claim(&ids, s);
      model.constants.push_back(LoadConstant(s));
    } else if (s.type == "kpi") {
      claim(&ids, s);
      kpi_sections.push_back(&s);
    } else if (s.type == "lint") {
      static const std::vector<std::string> kRules = {
          "too_many_kgis",  "kpi_count",      "missing_definition", "missing_owner",
          "missing_review", "missing_target", "layer_mix",          "stale_review"};
      CheckKeys(s, kRules);
      for (const IniEntry& e : s.entries) {
        if (e.value == "error") {
          model.lint[e.key] = LintSeverity::kError;
        } else if (e.value == "warning") {
          model.lint[e.key] = LintSeverity::kWarning;
        } else if (e.value == "off") {
          model.lint[e.key] = LintSeverity::kOff;
        } else {
          Fail(e.value_loc, fmt::format("{}: expected error, warning or off", e.key));
        }
      }
    } else if (s.type == "tree") {
      if (seen_tree) Fail(s.loc, "[tree] appears twice");
      seen_tree = true;
      tree_section = &s;
    } else {
      static const std::vector<std::string> kTypes = {
          "crmkpi", "source", "lookup", "metric", "constant", "kpi", "tree", "lint", "check"};
      Fail(s.loc, fmt::format("unknown section [{}]{}; sections: crmkpi, source, lookup, metric, "
                              "constant, kpi, tree, lint, check",
                              s.type, Suggest(s.type, kTypes)));
    }
  }

  for (std::size_t i : defaulted_empty) model.checks[i].allow_empty = allow_empty;
  // References between definitions.
  for (const CheckDef& c : model.checks) {
    if (model.FindSource(c.source) == nullptr) {
      std::vector<std::string> names;
      for (const auto& src : model.sources) names.push_back(src.id);
      Fail(c.loc, fmt::format("[check {}]: unknown source '{}'{}", c.name, c.source,
                              Suggest(c.source, names)));
    }
  }
  for (const MetricDef& m : model.metrics) {
    if (model.FindSource(m.source) == nullptr) {
      std::vector<std::string> names;
      for (const auto& s : model.sources) names.push_back(s.id);
      Fail(m.loc, fmt::format("[metric {}]: unknown source '{}'{}", m.id, m.source,
                              Suggest(m.source, names)));
    }
  }
  for (const LookupDef& l : model.lookups) {
    if (model.FindSource(l.source) == nullptr) {
      Fail(l.loc, fmt::format("[lookup {}]: unknown source '{}'", l.id, l.source));
    }
    if (model.FindSource(l.source)->kind != SourceKind::kRows) {
      Fail(l.loc, fmt::format("[lookup {}]: lookups join onto row sources, not onto the "
                              "analysis source '{}'",
                              l.id, l.source));
    }
  }
  for (const SourceDef& src : model.sources) {
    if (src.kind != SourceKind::kForecast || src.actual_source.empty()) continue;
    const SourceDef* a = model.FindSource(src.actual_source);
    if (a == nullptr || a->kind != SourceKind::kRows) {
      Fail(src.loc, fmt::format("[source {}]: actual = '{}' must name a row source (the deals "
                                "export)",
                                src.id, src.actual_source));
    }
  }
  for (const MetricDef& m : model.metrics) {
    const SourceDef& src = *model.FindSource(m.source);
    const bool analysis = src.kind != SourceKind::kRows;
    if (analysis && m.aggregation != Aggregation::kFigure) {
      std::string list;
      for (const auto& f : AnalysisFigures(src.kind)) list += (list.empty() ? "" : ", ") + f;
      Fail(m.loc, fmt::format("[metric {}]: source '{}' is a {} source; its metrics are figures: {}",
                              m.id, src.id,
                              src.kind == SourceKind::kStageHistory ? "stage_history" : "forecast",
                              list));
    }
    if (!analysis && m.aggregation == Aggregation::kFigure) {
      Fail(m.loc, fmt::format("[metric {}]: type {} is a figure of a stage_history or forecast "
                              "source; '{}' is a row source (set kind = … on it)",
                              m.id, m.figure, src.id));
    }
    if (!analysis) {
      if (!m.stage.empty()) Fail(m.stage_loc, "stage is for figures of a stage_history source");
      continue;
    }
    const auto& figures = AnalysisFigures(src.kind);
    if (std::find(figures.begin(), figures.end(), m.figure) == figures.end()) {
      Fail(m.loc, fmt::format("[metric {}]: {} is not a figure of a {} source", m.id, m.figure,
                              src.kind == SourceKind::kStageHistory ? "stage_history"
                                                                    : "forecast"));
    }
    if (FigureNeedsStage(m.figure) && m.stage.empty()) {
      Fail(m.loc, fmt::format("[metric {}]: {} needs 'stage = …'", m.id, m.figure));
    }
    if (!FigureNeedsStage(m.figure) && !m.stage.empty()) {
      Fail(m.stage_loc, fmt::format("{} is a total; it takes no stage", m.figure));
    }
    if (!m.where.empty() || !m.by.empty() || m.period != Period::kNone) {
      Fail(m.loc, fmt::format("[metric {}]: where, by and period do not apply to figures of an "
                              "analysis source",
                              m.id));
    }
  }
  std::vector<std::string> known;
  for (const auto& [id, loc] : ids) known.push_back(id);
  std::vector<KpiDef> loaded;
  for (const IniSection* s : kpi_sections) loaded.push_back(LoadKpi(*s));
  for (const KpiDef& k : loaded) {
    for (const std::string& v : k.formula.variables()) {
      if (ids.count(v) == 0) {
        SourceLoc loc = k.formula_loc;
        loc.column += static_cast<std::uint64_t>(k.formula.VariableColumn(v)) - 1;
        Fail(loc, fmt::format("unknown metric, constant or KPI '{}' in the formula of [kpi {}]{}",
                              v, k.id, Suggest(v, known)));
      }
    }
  }

  // Order KPIs so that each comes after the KPIs it uses; a cycle is an error naming it.
  std::map<std::string, const KpiDef*> by_id;
  for (const KpiDef& k : loaded) by_id[k.id] = &k;
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::function<void(const KpiDef&)> visit = [&](const KpiDef& k) {
    state[k.id] = 1;
    stack.push_back(k.id);
    for (const std::string& v : k.formula.variables()) {
      auto it = by_id.find(v);
      if (it == by_id.end()) continue;
      if (state[v] == 1) {
        std::string cycle;
        const auto from = std::find(stack.begin(), stack.end(), v);
        for (auto i = from; i != stack.end(); ++i) cycle += *i + " → ";
        cycle += v;
        Fail(by_id[v]->formula_loc, fmt::format("formula cycle: {}", cycle));
      }
      if (state[v] == 0) visit(*it->second);
    }
    stack.pop_back();
    state[k.id] = 2;
    model.kpis.push_back(k);
  };
  for (const KpiDef& k : loaded) {
    if (state[k.id] == 0) visit(k);
  }

  if (tree_section != nullptr) {
    const IniSection& s = *tree_section;
    for (const IniEntry& e : s.entries) {
      if (e.key == "kgi") {
        model.tree.kgis = SplitList(e.value);
        model.tree.kgi_loc = e.value_loc;
        for (const auto& id : model.tree.kgis) {
          if (ids.count(id) == 0) {
            Fail(e.value_loc, fmt::format("kgi: unknown KPI '{}'{}", id, Suggest(id, known)));
          }
        }
        continue;
      }
      if (ids.count(e.key) == 0) {
        Fail(e.key_loc, fmt::format("[tree]: unknown KPI, metric or constant '{}'{}", e.key,
                                    Suggest(e.key, known)));
      }
      TreeNodeDef node;
      node.id = e.key;
      node.loc = e.key_loc;
      const bool is_list = e.value.find_first_of("+-*/()^") == std::string::npos;
      if (is_list) {
        node.children = SplitList(e.value);
      } else {
        node.identity = ParseFormulaAt(e);
        node.children = node.identity->variables();
      }
      for (const auto& c : node.children) {
        if (ids.count(c) == 0) {
          Fail(e.value_loc, fmt::format("[tree] {}: unknown child '{}'{}", e.key, c,
                                        Suggest(c, known)));
        }
      }
      if (is_list) {
        // A list only names the children; the split then uses the node's own formula, so the
        // children must be exactly that formula's variables.
        const KpiDef* own = nullptr;
        for (const KpiDef& k : model.kpis) {
          if (k.id == e.key) own = &k;
        }
        std::vector<std::string> want = own ? own->formula.variables() : std::vector<std::string>{};
        std::vector<std::string> got = node.children;
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        if (own == nullptr || want != got) {
          std::string vars;
          for (const auto& v : want) vars += (vars.empty() ? "" : ", ") + v;
          // An identity built from the children as written: one child alone would repeat the
          // failing line ("e.g. revenue = win_rate"), so it gets a placeholder partner.
          const std::string identity = node.children.size() >= 2
                                           ? Join(node.children, " * ")
                                           : node.children.front() + " * OTHER_KPI";
          Fail(e.value_loc,
               own == nullptr
                   ? fmt::format("[tree] {}: a list of children needs '{}' to be a KPI whose "
                                 "formula uses them; write an identity that computes it from "
                                 "its children instead, e.g. {} = {}",
                                 e.key, e.key, e.key, identity)
                   : fmt::format("[tree] {}: the children ({}) are not the variables of its "
                                 "formula ({}); list those ({} = {}), or write an identity that "
                                 "computes {} from its children, e.g. {} = {}",
                                 e.key, Join(node.children, ", "), vars, e.key, vars, e.key,
                                 e.key, identity));
        }
      }
      model.tree.nodes[node.id] = std::move(node);
    }
    if (model.tree.kgis.empty()) Fail(s.loc, "[tree] needs 'kgi = ID[, ID…]' (the root KPIs)");
    // The tree must not loop back on itself.
    std::set<std::string> path;
    std::function<void(const std::string&)> walk = [&](const std::string& id) {
      if (path.count(id) != 0) {
        Fail(model.tree.nodes[id].loc, fmt::format("[tree]: '{}' is its own descendant", id));
      }
      auto it = model.tree.nodes.find(id);
      if (it == model.tree.nodes.end()) return;
      path.insert(id);
      for (const auto& c : it->second.children) walk(c);
      path.erase(id);
    };
    for (const auto& k : model.tree.kgis) walk(k);
  }
  return model;
}

}  // namespace crmkpi
