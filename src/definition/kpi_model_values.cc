// The INI access and value parsers the KPI model's section loaders share: failing at a location,
// required and optional keys, unknown-key checks, numbers, durations, units, periods, types.
#include "kpi_model_values.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/definition/figures.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi::kpi_load {

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
               const std::vector<std::string>& prefixes) {
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

std::string Get(const IniSection& s, std::string_view key, std::string fallback) {
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
std::optional<double> ParseDurationText(std::string_view text) { return ParseDurationSeconds(text); }

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
std::vector<std::vector<std::string>> ParseGroupings(std::string_view text, const SourceLoc& loc,
                                                     std::vector<std::vector<std::string>>* as) {
  auto at = [&](std::size_t i) {  // the location of text[i]: columns count characters
    SourceLoc l = loc;
    for (std::size_t k = 0; k < i && k < text.size(); ++k) {
      if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) ++l.column;
    }
    return l;
  };
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  // "as" (any case) between spaces, or before a quote, at |k|: an alias follows.
  auto as_at = [&](std::size_t k) {
    return k + 2 <= text.size() && (text[k] == 'a' || text[k] == 'A') &&
           (text[k + 1] == 's' || text[k + 1] == 'S') &&
           (k + 2 == text.size() || space(text[k + 2]) || text[k + 2] == '"' ||
            text[k + 2] == '`');
  };
  std::vector<std::vector<std::string>> out, aliases;
  std::vector<std::string> spec, spec_as;
  std::size_t i = 0;
  // The alias after `as` at |i| (bare up to ',' or '+', or quoted), |i| moved past it.
  auto alias = [&]() {
    const std::size_t as_start = i;
    i += 2;
    while (i < text.size() && space(text[i])) ++i;
    std::string a;
    if (i < text.size() && (text[i] == '"' || text[i] == '`')) {
      const std::size_t close = text.find(text[i], i + 1);
      if (close == std::string_view::npos) {
        Fail(at(i), "by: this quote opens a name after 'as' that is never closed");
      }
      a = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
      while (i < text.size() && space(text[i])) ++i;
      if (i < text.size() && text[i] != ',' && text[i] != '+') {
        Fail(at(i), fmt::format("by: expected ',' or '+' after the name after 'as', got '{}'",
                                text[i]));
      }
    } else {
      const std::size_t end = std::min(text.find_first_of(",+", i), text.size());
      a = std::string(TrimSpace(text.substr(i, end - i)));
      i = end;
    }
    if (TrimSpace(a).empty()) {
      Fail(at(as_start), "by: expected the name a grouping is reported under after 'as' "
                         "(by = users.role as role)");
    }
    return a;
  };
  while (true) {
    while (i < text.size() && space(text[i])) ++i;
    std::string name, name_as;
    bool quoted = false;
    if (i < text.size() && (text[i] == '"' || text[i] == '`')) {
      const char q = text[i];
      const std::size_t close = text.find(q, i + 1);
      if (close == std::string_view::npos) {
        Fail(at(i), fmt::format("by: this {} opens a column name that is never closed; close it "
                                "(by = owner, {}Lead Source{})",
                                q == '"' ? "quote" : "backtick", q, q));
      }
      name = std::string(text.substr(i + 1, close - i - 1));
      quoted = true;
      i = close + 1;
      while (i < text.size() && space(text[i])) ++i;
      if (as_at(i)) name_as = alias();
      if (i < text.size() && text[i] != ',' && text[i] != '+') {
        // The hint quotes the name up to the next separator ("Lead" Source → "Lead Source").
        const std::string_view rest = text.substr(close + 1, text.find_first_of(",+", i) - close - 1);
        std::string whole = name;
        whole += rest.substr(0, rest.find_last_not_of(" \t") + 1);
        Fail(at(i), fmt::format("by: expected ',' or '+' after the quoted name {}{}{}, got '{}'; "
                                "quote the whole name (by = {}{}{})",
                                q, name, q, text[i], q, whole, q));
      }
    } else {
      // A bare name runs to ',' or '+'; " as NAME" at its end names it (a column whose name
      // holds " as " is quoted: by = "Sold as gift").
      const std::size_t end = std::min(text.find_first_of(",+", i), text.size());
      std::size_t as_pos = std::string_view::npos;
      for (std::size_t k = i + 1; k + 2 <= end; ++k) {
        if (space(text[k - 1]) && as_at(k) && (k + 2 == end || space(text[k + 2]) ||
                                               text[k + 2] == '"' || text[k + 2] == '`')) {
          as_pos = k;
          break;
        }
      }
      if (as_pos != std::string_view::npos) {
        name = std::string(TrimSpace(text.substr(i, as_pos - i)));
        i = as_pos;
        name_as = alias();
      } else {
        name = std::string(TrimSpace(text.substr(i, end - i)));
        i = end;
      }
    }
    if (quoted && name.empty()) Fail(at(i), "by: an empty quoted column name");
    if (!name.empty()) {
      spec.push_back(std::move(name));
      spec_as.push_back(std::move(name_as));
    }
    if (i >= text.size() || text[i] == ',') {
      if (!spec.empty()) {
        out.push_back(std::move(spec));
        aliases.push_back(std::move(spec_as));
      }
      spec.clear();
      spec_as.clear();
    }
    if (i >= text.size()) break;
    ++i;  // past ',' or '+'
  }
  if (as != nullptr) *as = std::move(aliases);
  return out;
}

HavingDef ParseHaving(const IniEntry& e) {
  const std::string_view text = TrimSpace(e.value);
  auto fail = [&](std::size_t at, const std::string& what) {
    SourceLoc loc = e.value_loc;
    // Columns count characters (the text is ASCII up to any problem worth pointing at).
    const std::size_t lead = static_cast<std::size_t>(std::string_view(e.value).find_first_not_of(" \t"));
    if (loc.column > 0) loc.column += (lead == std::string_view::npos ? 0 : lead) + at;
    Fail(loc, fmt::format("having: {}; write having = count >= 2 (= != < <= > >= and a whole "
                          "number of rows)",
                          what));
  };
  std::size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  std::size_t word = 0;
  while (word < text.size() && std::isalpha(static_cast<unsigned char>(text[word]))) ++word;
  std::string keyword(text.substr(0, word));
  std::transform(keyword.begin(), keyword.end(), keyword.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  if (keyword != "count") {
    fail(0, fmt::format("expected 'count' (the key's rows), got '{}'",
                        word == 0 ? std::string(text.substr(0, 1)) : std::string(text.substr(0, word))));
  }
  i = word;
  skip();
  HavingDef h;
  const std::size_t op_at = i;
  auto next_is = [&](std::string_view op) { return text.substr(i, op.size()) == op; };
  if (next_is(">=")) {
    h.op = HavingDef::Op::kGe;
    i += 2;
  } else if (next_is("<=")) {
    h.op = HavingDef::Op::kLe;
    i += 2;
  } else if (next_is("!=")) {
    h.op = HavingDef::Op::kNe;
    i += 2;
  } else if (next_is("==")) {
    h.op = HavingDef::Op::kEq;
    i += 2;
  } else if (next_is(">")) {
    h.op = HavingDef::Op::kGt;
    i += 1;
  } else if (next_is("<")) {
    h.op = HavingDef::Op::kLt;
    i += 1;
  } else if (next_is("=")) {
    h.op = HavingDef::Op::kEq;
    i += 1;
  } else {
    fail(op_at, i < text.size() ? fmt::format("expected an operator after 'count', got '{}'", text.substr(i, 1))
                                : std::string("expected an operator after 'count'"));
  }
  skip();
  const std::size_t number_at = i;
  std::uint64_t n = 0;
  std::size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (n > 1'000'000'000'000ull) fail(number_at, "the number of rows is too large");
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0 || i != text.size()) {
    fail(number_at, fmt::format("expected a whole number of rows, got '{}'", text.substr(number_at)));
  }
  h.count = n;
  return h;
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
  if (const Period p = ParsePeriodName(e.value); p != Period::kNone) return p;
  Fail(e.value_loc,
       fmt::format("period: expected week, month, quarter, half or year, got '{}'", e.value));
}

void ParseAggregation(const IniEntry& e, MetricDef* m) {
  const std::string& v = e.value;
  static const std::vector<std::pair<std::string, Aggregation>> kTypes = {
      {"count", Aggregation::kCount}, {"count_distinct", Aggregation::kCountDistinct},
      {"sum", Aggregation::kSum},     {"avg", Aggregation::kAvg},
      {"mean", Aggregation::kAvg},    {"min", Aggregation::kMin},
      {"max", Aggregation::kMax},     {"median", Aggregation::kMedian},
      {"sla", Aggregation::kSla},     {"km_median", Aggregation::kKmMedian},
      {"reached", Aggregation::kReached}};
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
                                "pNN (p90), sla, km_median, reached, or a figure of a stage_history or forecast "
                                "source (dwell_days_km_median, stage_conversion, wape, …), got "
                                "'{}'{}",
                                v, Suggest(v, names)));
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

}  // namespace crmkpi::kpi_load
