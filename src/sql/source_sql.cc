// A source's rows as layered CTEs (source_sql.h): the value parsers of values/ and bind/ —
// TrimSpace, ParseAmount, the automatic DateParser's year-first forms, StageRules, the group
// key's NFKC and white-space collapsing, the fiscal calendar's periods — written as SQL
// expressions that give the same result on the same text.
#include "source_sql.h"

#include "date_format_sql.h"
#include "period_sql.h"
#include "where_sql.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/engine/source_schema.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi::sql_detail {

namespace {

// ParseAmount's grammar on text whose full-width forms are mapped to ASCII (kAmountFrom →
// kAmountTo): accounting parentheses, at most one sign and one currency mark, digits grouped
// by three, a decimal point.
constexpr std::string_view kAmountFrom = "０１２３４５６７８９，．＋－−（）＄\u3000";
constexpr std::string_view kAmountTo = "0123456789,.+--()$ ";
#define CRMKPI_CUR "(\\$|¥|￥|€|£|円|JPY|USD|EUR|GBP)"
#define CRMKPI_NUM "([0-9]{1,3}(,[0-9]{3})+|[0-9]*)(\\.[0-9]*)?"
#define CRMKPI_SP "[ \\t]*"
constexpr std::string_view kAmountPattern =
    "^([+-]?" CRMKPI_NUM "(" CRMKPI_SP CRMKPI_CUR ")?|[+-]" CRMKPI_CUR CRMKPI_SP CRMKPI_NUM
    "|" CRMKPI_CUR CRMKPI_SP "[+-]?" CRMKPI_NUM "|\\(" CRMKPI_SP "(" CRMKPI_NUM "(" CRMKPI_SP
    CRMKPI_CUR ")?|" CRMKPI_CUR CRMKPI_SP CRMKPI_NUM ")" CRMKPI_SP "\\))$";

// The automatic DateParser's year-first forms: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日,
// with an optional time and, after it, Z or an offset.
// Single-digit months, days and hours only in the slash and kanji forms (年月 are read as '/');
// YYYY-MM-DD and YYYY.MM.DD take two digits each.
#define CRMKPI_OFFSET "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
constexpr std::string_view kDatePattern =
    "^([0-9]{4}(-[0-9]{2}-[0-9]{2}|[.][0-9]{2}[.][0-9]{2})([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
    CRMKPI_OFFSET ")?|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
    CRMKPI_OFFSET ")?)$";
// YYYYMMDD, and Excel's serial day numbers (five digits; a fraction is the time of day).
constexpr std::string_view kCompactPattern = "^[0-9]{8}$";
constexpr std::string_view kExcelPattern = "^[0-9]{5}([.][0-9]+)?$";

constexpr std::string_view kAliasPrefix = "crmkpi_x";

// The year-last numeric forms: M/D/YYYY and M-D-YYYY (month first unless the source's dates
// are day first), D.M.YYYY (always day first), two-digit years (69–99 → 19xx), a time after.
constexpr std::string_view kYearLastPattern =
    "^[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{2}|[0-9]{4})([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
    "( ?[AaPp][Mm])?)?$";

std::string Int(std::int64_t v) { return std::to_string(v); }

}  // namespace

SourceSql::SourceSql(const Sql& sql, const KpiModel& model, const SourceDef& def,
                     const std::map<std::string, std::string>& tables, const std::string& chain)
    : sql_(sql), model_(model), def_(def), tables_(tables) {
  FileFormat format;
  schema_ = ReadSourceSchema(def, def.file, &format);
  delimiter_ = format.delimiter;
  encoding_ = format.encoding;
  for (const LookupDef& l : model.lookups) {
    if (l.source != def.id) continue;
    FileFormat lf;
    lookup_headers_.push_back(ReadLookupHeader(l, &lf));
    lookup_delimiters_.push_back(lf.delimiter);
    lookup_encodings_.push_back(lf.encoding);
    lookups_.push_back(&l);
  }
  for (std::size_t i = 0; i < lookups_.size(); ++i) {
    const int on = schema_.Resolve(lookups_[i]->on);
    if (on < 0 || static_cast<std::size_t>(on) >= schema_.header_size()) {
      throw Error(ExitCode::kUsage,
                  fmt::format("lookup '{}': unknown column '{}' in on ({})", lookups_[i]->id,
                              lookups_[i]->on, schema_.Describe()),
                  lookups_[i]->on_loc.line > 0 ? lookups_[i]->on_loc : lookups_[i]->loc);
    }
  }
  for (std::size_t i = 0; i < lookups_.size(); ++i) {
    lookup_first_.push_back(schema_.AddLookup(lookups_[i]->id, lookup_headers_[i]));
  }
  try {
    zone_ = std::make_unique<ZoneSql>(def.tz.empty() ? model.tz : def.tz);
  } catch (const Error& e) {
    throw Error(ExitCode::kUsage, fmt::format("source '{}': {}", def.id, e.message()), def.loc);
  }
  prefix_ = chain + std::to_string(std::hash<std::string>{}(def.id) % 100000) + "_";
  // Readable and unique: the source's id when it is a plain word.
  const bool plain = !def.id.empty() && std::all_of(def.id.begin(), def.id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (plain) prefix_ = chain + "_" + def.id + "_";
  if (!def.filter.empty() && !TrimSpace(def.filter).empty()) {
    filter_ = Where(def.filter, def.filter_loc, "filter");
  }
}

std::string SourceSql::What() const { return fmt::format("source '{}'", def_.id); }

int SourceSql::Resolve(const std::string& name) const {
  return schema_.Resolve(TrimSpace(name));
}

// The expression's layer is one above the highest layer of the aliases it reads (0 when it
// reads only the table's and the lookups' columns), so that every CTE reads the one before.
std::string SourceSql::Add(int, const std::string& key, const std::string& expr) {
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  int layer = 0;
  for (std::size_t at = expr.find(kAliasPrefix); at != std::string::npos;
       at = expr.find(kAliasPrefix, at + 1)) {
    std::size_t end = at + kAliasPrefix.size();
    while (end < expr.size() && expr[end] >= '0' && expr[end] <= '9') ++end;
    auto l = layer_of_.find(expr.substr(at, end - at));
    if (l != layer_of_.end()) layer = std::max(layer, l->second + 1);
  }
  const std::string alias = fmt::format("{}{}", kAliasPrefix, next_++);
  if (layers_.size() <= static_cast<std::size_t>(layer)) layers_.resize(static_cast<std::size_t>(layer) + 1);
  layers_[static_cast<std::size_t>(layer)].exprs.emplace_back(alias, expr);
  layer_of_.emplace(alias, layer);
  by_key_.emplace(key, alias);
  return alias;
}

std::string SourceSql::Text(int c) {
  std::string raw;
  if (static_cast<std::size_t>(c) < schema_.header_size()) {
    raw = "b." + sql_.Id(schema_.header()[static_cast<std::size_t>(c)]);
  } else {
    std::size_t i = lookups_.size();
    while (i > 0 && lookup_first_[i - 1] > c) --i;
    --i;
    const int at = c - lookup_first_[i];
    raw = fmt::format("l{}.{}", i, sql_.Id(lookup_headers_[i][static_cast<std::size_t>(at)]));
  }
  const std::string trimmed = sql_.ReplaceAll(sql_.ToText(raw), fmt::format("^{0}+|{0}+$", kTrimClass), "");
  return Add(0, "t" + Int(c), fmt::format("NULLIF({}, '')", trimmed));
}

std::string SourceSql::AmountText(const std::string& t, const std::string& key) {
  if (def_.decimal != "comma") return t;
  // ParseAmountDecimalComma: a space (or U+00A0, U+202F) between two digits goes — four times
  // over, as a match takes the digit after it and "1 2 3 4" needs each pair — then '.' and ','
  // trade places for ParseAmount's grammar.
  std::string x = t;
  for (int pass = 0; pass < 4; ++pass) x = sql_.ReplaceGroups(x, "([0-9])[ \u00a0\u202f]([0-9])", {1, 2});
  return Add(0, key, sql_.Translate(x, ".,", ",."));
}

ParsedAmount SourceSql::Amount(int c) {
  const std::string key = "a" + Int(c);
  const std::string t = AmountText(Text(c), key + "c");
  auto found = by_key_.find(key + "v");
  if (found != by_key_.end()) {
    return {found->second, by_key_[key + "s"], by_key_[key + "m"]};
  }
  const std::string u = Add(1, key + "u", sql_.Translate(t, kAmountFrom, kAmountTo));
  const std::string digits = Add(1, key + "d", sql_.ReplaceAll(u, "[^0-9.]", ""));
  const std::string frac = Add(1, key + "f", fmt::format("COALESCE(NULLIF({}, ''), '')",
                                                        sql_.Extract(digits, "\\.([0-9]*)$")));
  // More than 15 integer digits is beyond the engine's fixed point (±922337203685477): invalid,
  // and not cast (a DECIMAL(38,4) would overflow).
  const std::string ok = Add(1, key + "ok",
                             fmt::format("{} AND {} AND {} <= 15", sql_.Matches(u, kAmountPattern),
                                         sql_.Matches(u, ".*[0-9].*"),
                                         sql_.Length(sql_.ReplaceAll(digits, "[.].*$", ""))));
  const std::string neg = Add(1, key + "n", fmt::format("({0} LIKE '%-%' OR {0} LIKE '(%')", u));
  // Four decimals kept; the fifth rounds half to even, a later non-zero digit breaks the tie.
  const std::string kept = fmt::format(
      "CASE WHEN {0}({1}) > 4 THEN substr({2}, 1, {0}({2}) - {0}({1}) + 4) ELSE {2} END",
      "length", frac, digits);
  const std::string up = fmt::format(
      "(substr({0}, 5, 1) > '5' OR (substr({0}, 5, 1) = '5' AND ({1} OR substr({0}, 4, 1) IN "
      "('1', '3', '5', '7', '9'))))",
      frac, sql_.Matches(fmt::format("substr({}, 6)", frac), ".*[1-9].*"));
  const std::string dec = sql_.DecimalType();
  const std::string magnitude = Add(
      1, key + "g",
      fmt::format("CASE WHEN {0} THEN {1} + CASE WHEN {2} THEN {3} ELSE {4} END END", ok,
                  sql_.Cast(fmt::format("CASE WHEN {} IN ('', '.') THEN '0' ELSE {} END", digits,
                                        kept),
                            dec),
                  up, sql_.Cast("'0.0001'", dec), sql_.Cast("'0'", dec)));
  const std::string valid =
      fmt::format("({} IS NOT NULL AND {} <= {})", magnitude, magnitude,
                  sql_.Cast("'922337203685477.5807'", dec));
  ParsedAmount a;
  a.value = Add(2, key + "v", fmt::format("CASE WHEN {0} THEN CASE WHEN {1} THEN -{2} ELSE {2} END END",
                                          valid, neg, magnitude));
  a.status = Add(2, key + "s", fmt::format("CASE WHEN {} IS NULL THEN 1 WHEN {} THEN 0 ELSE 2 END", t, valid));
  a.mark = Add(2, key + "m",
               fmt::format("CASE WHEN NOT {1} THEN NULL WHEN {0} LIKE '%¥%' OR {0} LIKE '%￥%' OR {0} "
                           "LIKE '%円%' OR {0} LIKE '%JPY%' THEN 'JPY' WHEN {0} LIKE '%$%' OR {0} "
                           "LIKE '%USD%' THEN 'USD' WHEN {0} LIKE '%€%' OR {0} LIKE '%EUR%' THEN "
                           "'EUR' WHEN {0} LIKE '%£%' OR {0} LIKE '%GBP%' THEN 'GBP' ELSE '' END",
                           u, valid));
  return a;
}

std::string SourceSql::PercentOrAmount(int c, std::vector<std::string>* statuses) {
  const std::string key = "pa" + Int(c);
  const std::string t = Text(c);
  const ParsedAmount a = Amount(c);
  // "60%": the text before the sign read as an amount (ParseAmount takes no %).
  const std::string percent =
      Add(0, key + "p", fmt::format("substr({0}, {1}, 1) IN ('%', '％')", t, sql_.Length(t)));
  const std::string body = AmountText(Add(0, key + "b", fmt::format(
      "NULLIF({}, '')", sql_.ReplaceAll(sql_.ReplaceAll(t, "[%％]$", ""), fmt::format("^{0}+|{0}+$", kTrimClass), ""))),
      key + "c");
  // The body parsed as an amount: the same parser, over the body's text.
  const std::string u = Add(0, key + "u", sql_.Translate(body, kAmountFrom, kAmountTo));
  const std::string digits = Add(0, key + "d", sql_.ReplaceAll(u, "[^0-9.]", ""));
  const std::string ok = Add(0, key + "ok", fmt::format("{} AND {} AND {} <= 15", sql_.Matches(u, kAmountPattern),
                                                     sql_.Matches(u, ".*[0-9].*"),
                                                     sql_.Length(sql_.ReplaceAll(digits, "[.].*$", ""))));
  const std::string neg = fmt::format("({0} LIKE '%-%' OR {0} LIKE '(%')", u);
  const std::string pct_value = fmt::format("CASE WHEN {} THEN (CASE WHEN {} THEN -1 ELSE 1 END) * {} / 100 END", ok, neg,
                                            sql_.Cast(fmt::format("CASE WHEN {0} IN ('', '.') THEN '0' ELSE {0} END", digits),
                                                      sql_.DoubleType()));
  const std::string value = Add(0, key + "v", fmt::format("CASE WHEN {} THEN {} ELSE {} END", percent, pct_value,
                                                        sql_.Cast(a.value, sql_.DoubleType())));
  statuses->push_back(Add(0, key + "s", fmt::format("CASE WHEN {} IS NULL THEN 1 WHEN {} THEN CASE WHEN {} THEN 0 ELSE 2 END ELSE {} END",
                                                    t, percent, ok, a.status)));
  return value;
}

std::string SourceSql::DaysFromCivil(const std::string& y, const std::string& m,
                                     const std::string& d) const {
  return DaysFromCivilOf(sql_, y, m, d);
}

ParsedDate SourceSql::ParseDate(const std::string& t, const std::string& key, bool day_first_order,
                                const ZoneSql& zone, const AddFn& add) const {
  // Full-width digits and separators as ASCII; 年 and 月 as '/', 日 dropped: the kanji form is
  // read as the slash form.
  const std::string u = add(key + "u", sql_.Translate(t, "０１２３４５６７８９－／．：年月日", "0123456789-/.://"));
  auto part = [&](const char* name, std::string_view pattern) {
    return add(key + name,
               sql_.Cast(fmt::format("NULLIF({}, '')", sql_.Extract(u, pattern)), sql_.BigintType()));
  };
  const std::string year_first = add(key + "yf", sql_.Matches(u, kDatePattern));
  const std::string year_last = add(key + "yl", sql_.Matches(u, kYearLastPattern));
  const std::string compact = add(key + "c8", sql_.Matches(u, kCompactPattern));
  const std::string excel = add(key + "xl", sql_.Matches(u, kExcelPattern));
  const std::string ok = add(key + "ok", fmt::format("({} OR {} OR {})", year_first, year_last, compact));
  const std::string y1 = part("y1", "^([0-9]{4})");
  const std::string m1 = part("m1", "^[0-9]{4}[-/.]?([0-9]{1,2})");
  const std::string d1 = part("d1", "^[0-9]{4}[-/.]?[0-9]{1,2}[-/.]?([0-9]{1,2})");
  const std::string m8 = sql_.Cast(fmt::format("substr({}, 5, 2)", u), sql_.BigintType());
  const std::string d8 = sql_.Cast(fmt::format("substr({}, 7, 2)", u), sql_.BigintType());
  const std::string a2 = part("a2", "^([0-9]{1,2})[-/.]");
  const std::string b2 = part("b2", "^[0-9]{1,2}[-/.]([0-9]{1,2})[-/.]");
  const std::string y2 = part("y2", "^[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{2,4})");
  const std::string dot = add(key + "dot", sql_.Matches(u, "^[0-9]{1,2}[.].*"));
  const std::string day_first =
      day_first_order ? std::string("TRUE") : fmt::format("{}", dot);
  const std::string y = add(key + "y",
                            fmt::format("CASE WHEN {0} OR {3} THEN {1} WHEN {2} < 69 THEN 2000 + {2} WHEN {2} < 100 "
                                        "THEN 1900 + {2} ELSE {2} END",
                                        year_first, y1, y2, compact));
  const std::string m = add(key + "m", fmt::format("CASE WHEN {5} THEN {6} WHEN {0} THEN {1} WHEN {2} THEN {3} ELSE {4} END",
                                                      year_first, m1, day_first, b2, a2, compact, m8));
  const std::string d = add(key + "d", fmt::format("CASE WHEN {5} THEN {6} WHEN {0} THEN {1} WHEN {2} THEN {3} ELSE {4} END",
                                                      year_first, d1, day_first, a2, b2, compact, d8));
  const std::string hh_raw = part("hh", "^[^ T]*[ T]([0-9]{1,2}):");
  // 12 AM is 0 h, 1 PM is 13 h.
  const std::string hh = add(key + "h24", fmt::format(
      "CASE WHEN {0} LIKE '%M' OR {0} LIKE '%m' THEN CASE WHEN lower(substr({0}, {2}({0}) - 1, 2)) = 'pm' "
      "THEN CASE WHEN {1} = 12 THEN 12 ELSE {1} + 12 END WHEN {1} = 12 THEN 0 ELSE {1} END ELSE {1} END",
      u, hh_raw, "length"));
  const std::string mi = part("mi", "^[^ T]*[ T][0-9]{1,2}:([0-9]{2})");
  const std::string ss = part("ss", "^[^ T]*[ T][0-9]{1,2}:[0-9]{2}:([0-9]{2})");
  const std::string off_text =
      add(key + "o", fmt::format("NULLIF({}, '')", sql_.Extract(u, ":[0-9]{2}[.0-9]*(Z|[+-][0-9:]+)$")));
  // The offset in seconds (Z = 0), NULL for a naive value.
  const std::string oh = sql_.Cast(fmt::format("substr({}, 2, 2)", off_text), sql_.BigintType());
  const std::string om = sql_.Cast(
      fmt::format("COALESCE(NULLIF(substr(replace({}, ':', ''), 4, 2), ''), '0')", off_text),
      sql_.BigintType());
  const std::string off = add(
      key + "off",
      fmt::format("CASE WHEN {0} IS NULL THEN NULL WHEN {0} = 'Z' THEN 0 ELSE (CASE WHEN {0} "
                  "LIKE '-%' THEN -1 ELSE 1 END) * ({1} * 3600 + {2} * 60) END",
                  off_text, oh, om));
  const std::string leap =
      fmt::format("CASE WHEN ({0} AND {1} <> 0) OR {2} = 0 THEN 1 ELSE 0 END",
                  sql_.Mod(y, "4") + " = 0", sql_.Mod(y, "100"), sql_.Mod(y, "400"));
  const std::string dim = fmt::format(
      "CASE WHEN {0} = 2 THEN 28 + {1} WHEN {0} IN (4, 6, 9, 11) THEN 30 ELSE 31 END", m, leap);
  const std::string valid = add(
      key + "ok2",
      fmt::format("({0} AND {1} BETWEEN 1 AND 12 AND {2} BETWEEN 1 AND {3} AND COALESCE({4}, 0) "
                  "<= 23 AND COALESCE({5}, 0) <= 59 AND COALESCE({6}, 0) <= 59 AND "
                  "COALESCE(ABS({7}), 0) <= 64800) OR {8}",
                  ok, m, d, dim, hh, mi, ss, off, excel));
  ParsedDate out;
  // An Excel serial day: days since 1899-12-30 (day 25569 is 1970-01-01), its fraction the time
  // of day to the nearest second.
  const std::string serial = sql_.Cast(fmt::format("substr({}, 1, 5)", u), sql_.BigintType());
  const std::string naive_day = add(key + "nd", fmt::format("CASE WHEN {} THEN {} - 25569 ELSE {} END", excel,
                                                            serial, DaysFromCivil(y, m, d)));
  const std::string secs = add(key + "secs", fmt::format(
      "CASE WHEN {} THEN {} ELSE COALESCE({}, 0) * 3600 + COALESCE({}, 0) * 60 + COALESCE({}, 0) END",
      excel,
      sql_.Cast(fmt::format("ROUND({} * 86400)",
                            sql_.Cast(fmt::format("('0' || substr({}, 6))", u), sql_.DoubleType())),
                sql_.BigintType()),
      hh, mi, ss));
  if (zone.fixed()) {
    out.instant = add(key + "i",
                      fmt::format("CASE WHEN {0} THEN {1} * 86400 + {2} - COALESCE({3}, {4}) END", valid,
                                  naive_day, secs, off, Int(zone.first_offset())));
  } else {
    // A naive time is local in the zone, at the offset its rules give it then.
    const std::string local = add(key + "loc", fmt::format("({} * 86400 + {})", naive_day, secs));
    out.instant = add(key + "i", fmt::format("CASE WHEN {0} THEN CASE WHEN {1} IS NULL THEN {2} ELSE {3} - {1} END END",
                                             valid, off, zone.ToUtc(local), local));
  }
  // The local day: the written day of a naive value; of one with an offset, the day its instant
  // falls on in the source's zone (+ 719468 days = 62162035200 s keeps the division's operand positive).
  out.day = add(key + "day",
                fmt::format("CASE WHEN {0} THEN CASE WHEN {1} IS NULL THEN {2} ELSE {3} - 719468 END END",
                            valid, off, naive_day,
                            sql_.IntDiv(fmt::format("({} + {} + 62162035200)", out.instant, zone.OffsetAt(out.instant)),
                                        "86400")));
  out.has_time = add(key + "h", fmt::format("CASE WHEN {} LIKE '%:%' OR ({} AND {} LIKE '%.%') THEN 1 ELSE 0 END",
                                              t, excel, u));
  out.status = add(key + "s", fmt::format("CASE WHEN {} IS NULL THEN 1 WHEN {} THEN 0 ELSE 2 END", t, valid));
  return out;
}

ParsedDate SourceSql::Date(int c) {
  const std::string key = "d" + Int(c);
  if (auto it = by_key_.find(key + "day"); it != by_key_.end()) {
    return {it->second, by_key_[key + "i"], by_key_[key + "h"],
            by_key_[key + "s"]};
  }
  const std::string t = Text(c);
  const AddFn add = [&](const std::string& k, const std::string& e) { return Add(0, k, e); };
  if (!def_.date_format.empty()) {
    // An explicit format, read as DateFormat reads it (date_format_sql.h); no automatic forms.
    ParsedDate out;
    try {
      out = FormattedDateSql(sql_, DateFormat::Compile(def_.date_format, "date_format"), t, key, *zone_, add,
                             [&](const std::string& y, const std::string& m, const std::string& d) {
                               return DaysFromCivil(y, m, d);
                             });
    } catch (const Error& e) {
      throw Error(ExitCode::kUsage,
                  fmt::format("{} cannot be compiled for {}: {}", What(), sql_.name(), e.message()), def_.loc);
    }
    by_key_[key + "day"] = out.day;  // the others are found under the names |add| gave them
    return out;
  }
  const ParsedDate out = ParseDate(t, key, def_.date_order == "dmy", *zone_, add);
  by_key_[key + "day"] = out.day;  // found by the lookup above
  // English month names and Japanese eras (15 Apr 2025, 令和7年4月1日, R7.4.1), which crmkpi reads
  // and the script does not: a value the script finds invalid that has one stops the result (an
  // @error row) rather than counting as invalid where crmkpi counts a date.
  const std::string named = Add(
      4, key + "named",
      fmt::format("CASE WHEN {} = 2 AND ({} OR {}) THEN 1 ELSE 0 END", out.status,
                  sql_.Matches(sql_.AsciiLower(t), "^(.*[^a-z])?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec).*$"),
                  sql_.Matches(t, "^([RHSTMrhstm] ?[0-9].*|.*(令和|平成|昭和|大正|明治).*)$")));
  AddGuard(fmt::format(
      "SELECT {} AS crmkpi_message FROM {} WHERE {} = 1 LIMIT 1",
      sql_.Concat({sql_.Str(fmt::format("{}: column '{}' holds a date written with an English month name or "
                                        "a Japanese era ('",
                                        What(), schema_.name(c))),
                   t,
                   sql_.Str("'), which the SQL does not read as crmkpi does: load the dates into the "
                            "warehouse as DATE or ISO text (2025-04-15)")}),
      Rows(), named));
  return out;
}

std::string SourceSql::StageClass() {
  const int stage = schema_.roles()[Role::kStage];
  if (auto it = by_key_.find("stage"); it != by_key_.end()) return it->second;
  std::string word = "'open'";
  if (stage >= 0) {
    const std::string norm = StageNorm();
    auto list = [&](const std::vector<std::string>& words) {
      std::string out;
      for (const std::string& w : words) out += (out.empty() ? "" : ", ") + sql_.Str(StageRules::Normalize(w));
      return out;
    };
    const auto& won = def_.stages.won.empty() ? DefaultWonWords() : def_.stages.won;
    const auto& lost = def_.stages.lost.empty() ? DefaultLostWords() : def_.stages.lost;
    word = fmt::format("CASE WHEN {0} IN ({1}) THEN 'won' WHEN {0} IN ({2}) THEN 'lost' ELSE 'open' END",
                       norm, list(won), list(lost));
  }
  auto flag = [&](Role role) -> std::string {
    const int c = schema_.roles()[role];
    if (c < 0) return "NULL";
    const std::string t = sql_.AsciiLower(Text(c));
    return fmt::format("CASE WHEN {0} IN ('true', '1', 'yes', 'y', 'はい') THEN 1 WHEN {0} IN "
                       "('false', '0', 'no', 'n', 'いいえ') THEN 0 END",
                       t);
  };
  const std::string is_won = flag(Role::kIsWon), is_closed = flag(Role::kIsClosed);
  std::string cls = word;
  if (is_won != "NULL" || is_closed != "NULL") {
    cls = fmt::format(
        "CASE WHEN {0} = 1 THEN 'won' WHEN {1} = 1 THEN 'lost' WHEN {1} = 0 THEN 'open' WHEN {0} "
        "= 0 AND {2} = 'won' THEN 'open' ELSE {2} END",
        is_won, is_closed, "(" + word + ")");
  }
  return Add(2, "stage", cls);
}

std::string SourceSql::StageNorm() {
  const int stage = schema_.roles()[Role::kStage];
  const std::string t = Text(stage);
  // WithoutQualifier: a trailing qualifier in brackets (ASCII or full width) goes.
  const std::string trim = fmt::format("^{0}+|{0}+$", kTrimClass);
  const std::string bare = fmt::format(
      "CASE WHEN {1} THEN {2} WHEN {3} THEN {4} ELSE {0} END", t,
      sql_.Matches(t, "^.+\\([^(]*\\)$"),
      sql_.ReplaceAll(sql_.ReplaceAll(t, "\\([^(]*\\)$", ""), trim, ""),
      sql_.Matches(t, "^.+（[^（]*）$"),
      sql_.ReplaceAll(sql_.ReplaceAll(t, "（[^（]*）$", ""), trim, ""));
  return Add(1, "stage_norm", sql_.AsciiLower(sql_.ReplaceAll(bare, "[ _\\t-]|\u3000", "")));
}

std::string SourceSql::StageOrder() {
  if (auto it = by_key_.find("stage_order"); it != by_key_.end()) return it->second;
  const std::string norm = StageNorm();
  std::string expr = "CASE";
  for (std::size_t i = 0; i < def_.stages.order.size(); ++i) {
    expr += fmt::format(" WHEN {} = {} THEN {}", norm, sql_.Str(StageRules::Normalize(def_.stages.order[i])), i);
  }
  expr += " END";
  if (def_.stages.order.empty()) expr = "NULL";
  return Add(2, "stage_order", expr);
}

std::string SourceSql::GroupKey(int c) {
  const std::string t = Text(c);
  if (def_.exact_groups) return Add(2, "g" + Int(c), fmt::format("COALESCE({}, '')", t));
  const std::string nfkc = sql_.Nfkc(t);
  if (nfkc.empty()) {
    throw Error(ExitCode::kUsage,
                fmt::format("{0} cannot be compiled for {1}: group keys are compared after NFKC "
                            "(docs/kpis.md, \"Group keys\"), which {1} has no function for: set "
                            "exact_groups = true in [crmkpi] (or --exact-groups) after "
                            "normalising the column '{2}' in the warehouse, or use another "
                            "dialect",
                            What(), sql_.name(), schema_.name(c)),
                def_.loc);
  }
  const std::string collapsed = sql_.ReplaceAll(nfkc, std::string(kSpaceClass) + "+", " ");
  return Add(2, "g" + Int(c), fmt::format("COALESCE({}, '')", sql_.ReplaceAll(collapsed, "^ | $", "")));
}

std::string SourceSql::Where(const std::string& text, const SourceLoc& loc, const std::string& what) {
  const WhereExpr expr = WhereExpr::Parse(text, loc);
  if (expr.empty()) return "TRUE";
  const std::string cond = WhereSql(*this, expr, what);
  return Add(3, "w:" + what + ":" + std::string(TrimSpace(text)), cond);
}

std::string SourceSql::Metric(const std::string& expr) { return Add(4, "m:" + expr, expr); }

std::string SourceSql::Base(const std::string& id, const std::string& file,
                            const std::vector<std::string>& more, const std::string& encoding,
                            char delimiter, const SourceLoc& loc) const {
  if (auto it = tables_.find(id); it != tables_.end()) return sql_.TableName(it->second);
  if (sql_.dialect() != SqlDialect::kDuckDb) return sql_.Id(id);
  std::string enc;
  if (encoding == "utf-8" || encoding == "utf-8-sig" || encoding == "ascii") {
    enc = "utf-8";
  } else if (encoding.rfind("utf-16", 0) == 0) {
    enc = "utf-16";
  } else if (encoding == "latin-1" || encoding == "iso-8859-1") {
    enc = "latin-1";
  } else {
    throw Error(ExitCode::kUsage,
                fmt::format("'{}' ({}) cannot be compiled for duckdb: DuckDB's read_csv reads "
                            "UTF-8, UTF-16 and Latin-1, not {}: convert the file (iconv -f {} -t UTF-8) or load it into a table "
                            "and give --table {}=SCHEMA.TABLE",
                            id, file, encoding, encoding == "cp932" ? "CP932" : encoding, id),
                loc);
  }
  auto absolute = [](const std::string& f) { return std::filesystem::absolute(f).lexically_normal().string(); };
  std::string files = sql_.Str(absolute(file));
  if (!more.empty()) {
    files = "[" + files;
    for (const std::string& f : more) files += ", " + sql_.Str(absolute(f));
    files += "]";
  }
  // Several files: matched by header name, as crmkpi binds each file's header on its own.
  return fmt::format("read_csv({}, header = true, all_varchar = true, delim = {}, quote = '\"', "
                     "escape = '\"', encoding = {}{})",
                     files, sql_.Str(std::string(1, delimiter)), sql_.Str(enc),
                     more.empty() ? "" : ", union_by_name = true");
}

std::string SourceSql::From() const {
  guards_ = row_guards_;
  if (def_.lenient && sql_.dialect() == SqlDialect::kDuckDb && tables_.count(def_.id) == 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("{} cannot be compiled for duckdb: lenient = true skips malformed "
                            "rows, which DuckDB's read_csv does not do alike: load the file into a table and give --table "
                            "{}=SCHEMA.TABLE, or remove lenient",
                            What(), def_.id),
                def_.loc);
  }
  std::string from = Base(def_.id, def_.file, def_.more_files, encoding_, delimiter_, def_.file_loc) + " b";
  const std::string trim = fmt::format("^{0}+|{0}+$", kTrimClass);
  auto trimmed = [&](const std::string& x) {
    return fmt::format("NULLIF({}, '')", sql_.ReplaceAll(sql_.ToText(x), trim, ""));
  };
  for (std::size_t i = 0; i < lookups_.size(); ++i) {
    const LookupDef& l = *lookups_[i];
    const std::string base = Base(l.id, l.file, {}, lookup_encodings_[i], lookup_delimiters_[i], l.file_loc);
    const auto& header = lookup_headers_[i];
    auto find = [&](const std::string& name) -> std::string {
      const int c = FindColumn(header, name);
      if (c < 0) {
        throw Error(ExitCode::kUsage,
                    fmt::format("lookup '{}': column '{}' is not in {} (the header has {})", l.id,
                                name, l.file, QuoteHeaders(header)),
                    l.loc);
      }
      return "lk." + sql_.Id(header[static_cast<std::size_t>(c)]);
    };
    const std::string key = trimmed(find(l.key));
    const std::string& pick_name = l.first.empty() ? l.last : l.first;
    // Rows in file order, for ties: DuckDB keeps a CSV's order, PostgreSQL a COPY's (ctid).
    std::string row_order;
    std::string inner = base + " lk";
    if (sql_.dialect() == SqlDialect::kDuckDb) {
      inner = fmt::format("(SELECT *, ROW_NUMBER() OVER () AS crmkpi_row FROM {}) lk", base);
      row_order = ", crmkpi_row";
    } else if (sql_.dialect() == SqlDialect::kPostgres) {
      row_order = ", crmkpi_row";
    }
    std::string columns;
    for (const std::string& h : header) columns += "lk." + sql_.Id(h) + ", ";
    // The key (and the pick's instant, the row's order) computed first, so that the window
    // partitions and orders by columns.
    std::string keyed = columns + key + " AS crmkpi_key";
    if (sql_.dialect() == SqlDialect::kDuckDb) keyed += ", lk.crmkpi_row";
    if (sql_.dialect() == SqlDialect::kPostgres) keyed += ", lk.ctid AS crmkpi_row";
    std::string joined;
    if (!pick_name.empty()) {
      // The lookup's dates are read in UTC, as the engine reads them (LoadLookup).
      const std::string t = trimmed(find(pick_name));
      const ParsedDate parsed = ParseDate(
          t, "", false, ZoneSql(""), [](const std::string&, const std::string& e) { return "(" + e + ")"; });
      keyed += ", " + parsed.instant + " AS crmkpi_t";
      const std::string ranked = fmt::format(
          "SELECT *, {} AS crmkpi_pick FROM (SELECT {} FROM {}) k WHERE crmkpi_key IS NOT NULL AND "
          "crmkpi_t IS NOT NULL",
          sql_.RowNumber("crmkpi_key", std::string("crmkpi_t") + (l.first.empty() ? " DESC" : " ASC") + row_order),
          keyed, inner);
      joined = fmt::format("(SELECT * FROM ({}) z WHERE crmkpi_pick = 1)", ranked);
    } else {
      joined = fmt::format("(SELECT * FROM (SELECT {} FROM {}) k WHERE crmkpi_key IS NOT NULL)", keyed, inner);
      // Keys must be unique (the engine stops at a duplicate): a duplicate becomes an @error row
      // of the result, which --metrics reports.
      guards_.push_back(fmt::format(
          "SELECT {} AS crmkpi_message FROM (SELECT crmkpi_key FROM (SELECT {} AS crmkpi_key FROM {} lk) k WHERE "
          "crmkpi_key IS NOT NULL GROUP BY crmkpi_key HAVING COUNT(*) > 1) d",
          sql_.Concat({sql_.Str(fmt::format("lookup '{}': duplicate key '", l.id)), "crmkpi_key",
                       sql_.Str(fmt::format("' in column '{}' of {} (for an event log, keep one row "
                                            "per key with first = DATE_COLUMN or last = DATE_COLUMN)",
                                            l.key, l.file))}),
          key, base));
    }
    const int on = schema_.Resolve(l.on);
    from += fmt::format(" LEFT JOIN {} l{} ON l{}.crmkpi_key = {}", joined, i, i,
                        trimmed("b." + sql_.Id(schema_.header()[static_cast<std::size_t>(on)])));
  }
  if (join_as_of_) from += " CROSS JOIN crmkpi_data_as_of";
  return from;
}

SourceSql::GroupingAggs& SourceSql::GroupingOf(const std::vector<std::string>& keys) {
  for (GroupingAggs& g : groupings_) {
    if (g.keys == keys) return g;
  }
  GroupingAggs g;
  g.keys = keys;
  g.name = fmt::format("{}g{}", prefix_, groupings_.size());
  groupings_.push_back(std::move(g));
  return groupings_.back();
}

std::string SourceSql::Grouping(const std::vector<std::string>& keys) { return GroupingOf(keys).name; }

std::string SourceSql::Key(const std::vector<std::string>& keys, std::size_t i) {
  return fmt::format("{}.crmkpi_k{}", GroupingOf(keys).name, i);
}

std::string SourceSql::Aggregate(const std::vector<std::string>& keys, const std::string& x) {
  GroupingAggs& g = GroupingOf(keys);
  auto it = g.agg_of.find(x);
  if (it == g.agg_of.end()) {
    const std::string alias = fmt::format("crmkpi_a{}", g.aggs.size());
    g.aggs.emplace_back(alias, x);
    it = g.agg_of.emplace(x, alias).first;
  }
  return g.name + "." + it->second;
}

std::string SourceSql::Window(const std::vector<std::string>& keys, const std::string& x) {
  GroupingAggs& g = GroupingOf(keys);
  auto it = g.window_of.find(x);
  if (it == g.window_of.end()) {
    const std::string alias = fmt::format("crmkpi_w{}", g.windows.size());
    g.windows.emplace_back(alias, x);
    it = g.window_of.emplace(x, alias).first;
  }
  return it->second;
}

std::string SourceSql::Overall(const std::string& x) {
  for (const auto& [alias, expr] : overall_) {
    if (expr == x) return "crmkpi_all." + alias;
  }
  overall_.emplace_back(fmt::format("crmkpi_o{}", overall_.size()), x);
  return "crmkpi_all." + overall_.back().first;
}

std::string SourceSql::Ctes() const {
  std::string out;
  std::string previous;
  for (std::size_t i = 0; i < layers_.size() || i == 0; ++i) {
    std::string select;
    if (i < layers_.size()) {
      for (const auto& [alias, expr] : layers_[i].exprs) {
        select += fmt::format(",\n    {} AS {}", expr, alias);
      }
    }
    const std::string name = fmt::format("{}{}", prefix_, i);
    if (i == 0) {
      out += fmt::format("{} {} (\n  SELECT 1 AS crmkpi_one{}{}\n  FROM {}\n)", name, sql_.CteAs(),
                         join_as_of_ ? ", crmkpi_as_of, crmkpi_check_as_of" : "", select, From());
    } else {
      out += fmt::format(",\n{} {} (\n  SELECT *{}\n  FROM {}\n)", name, sql_.CteAs(), select, previous);
    }
    previous = name;
  }
  out += fmt::format(",\n{} AS (\n  SELECT * FROM {}{}\n)", Rows(), previous,
                     filter_.empty() ? "" : "\n  WHERE " + filter_);
  // The one-row values over all rows, then each grouping's aggregates in one scan.
  const std::string overall = prefix_ + "all";
  if (!overall_.empty()) {
    std::string select;
    for (const auto& [alias, expr] : overall_) select += fmt::format("{}{} AS {}", select.empty() ? "" : ", ", expr, alias);
    out += fmt::format(",\n{} AS (\n  SELECT {}\n  FROM {}\n)", overall, select, Rows());
  }
  for (const GroupingAggs& g : groupings_) {
    std::string from = Rows();
    if (!g.windows.empty()) {
      std::string windows;
      for (const auto& [alias, expr] : g.windows) windows += fmt::format(", {} AS {}", expr, alias);
      from = fmt::format("(SELECT *{} FROM {}) r", windows, Rows());
    }
    if (!overall_.empty()) from += fmt::format(" CROSS JOIN {} crmkpi_all", overall);
    std::string select, by;
    for (std::size_t i = 0; i < g.keys.size(); ++i) {
      select += fmt::format("{}{} AS crmkpi_k{}", select.empty() ? "" : ",\n    ", g.keys[i], i);
      by += (by.empty() ? "" : ", ") + g.keys[i];
    }
    for (const auto& [alias, expr] : g.aggs) {
      select += fmt::format("{}{} AS {}", select.empty() ? "" : ",\n    ", expr, alias);
    }
    out += fmt::format(",\n{} AS (\n  SELECT\n    {}\n  FROM {}{}\n)", g.name, select, from,
                       by.empty() ? "" : "\n  GROUP BY " + by);
  }
  for (const std::string& c : ctes_) out += ",\n" + c;
  return out;
}

}  // namespace crmkpi::sql_detail
