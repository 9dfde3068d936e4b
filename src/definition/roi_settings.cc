// Reading, merging and checking the inputs of `crmkpi roi` (see crmkpi/roi_settings.h).
#include "crmkpi/definition/roi_settings.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/definition/formula_terms.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/values/amount.h"

namespace crmkpi {
namespace {

constexpr int kMaxMonths = 1200;  // 100 years: a table longer than that is a typo

// One key as given, before its value is interpreted.
struct Raw {
  std::string key;
  std::vector<std::string> items;  // list items (split on ';'), untrimmed
  std::vector<SourceLoc> locs;     // INI: where each item starts
  std::string from;                // "--cost" or "roi.ini:7"
  bool ini = false;
};

bool IsListKey(std::string_view key) {
  return key == "cost_per_month" || key == "cost_per_year" || key == "gain_per_month" ||
         key == "gain_per_year";
}

std::string FlagName(std::string_view key) {
  std::string flag = "--" + std::string(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// How an error names a key: "--cost" or "'cost' (roi.ini:5)".
std::string Name(const Raw& r) { return r.ini ? fmt::format("'{}' ({})", r.key, r.from) : r.from; }

// How an error that has the key's location names the key: "cost" or "--cost".
std::string Key(const Raw& r) { return r.ini ? r.key : r.from; }

[[noreturn]] void Fail(const SourceLoc& loc, const std::string& message) {
  throw Error(ExitCode::kUsage, message, loc);
}

// |loc| moved right by the characters of |text| before byte |offset| (same line).
SourceLoc Shift(SourceLoc loc, std::string_view text, std::size_t offset) {
  if (loc.line == 0) return loc;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++loc.column;
  }
  return loc;
}

// The trimmed item and the location of its first character.
std::pair<std::string, SourceLoc> Trimmed(const Raw& r, std::size_t i) {
  const std::string& item = r.items[i];
  const std::string_view t = TrimSpace(item);
  const std::size_t lead = t.empty() ? 0 : static_cast<std::size_t>(t.data() - item.data());
  return {std::string(t), r.ini ? Shift(r.locs[i], item, lead) : SourceLoc{}};
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// "1,200", "¥1,200", "35%" → a number; nullopt otherwise.
std::optional<double> ParsePlain(std::string_view text, bool allow_percent) {
  std::string_view v = TrimSpace(text);
  double divisor = 1;
  if (allow_percent && !v.empty() && v.back() == '%') {
    v = TrimSpace(v.substr(0, v.size() - 1));
    divisor = 100;
  }
  std::int64_t units = 0;
  if (ParseAmount(v, &units) != ParseStatus::kOk) return std::nullopt;
  return static_cast<double>(units) / static_cast<double>(kAmountScale) / divisor;
}

// A whole number of periods: months, years, ramp_periods.
int ParseCount(const Raw& r, int min) {
  if (r.items.size() != 1) Fail({}, fmt::format("{}: one value expected", Key(r)));
  const auto [text, loc] = Trimmed(r, 0);
  std::string_view t = text;
  const bool negative = !t.empty() && (t[0] == '-' || t.rfind("\u2212", 0) == 0);
  if (negative) {
    Fail(loc, fmt::format("{}: must not be negative, got '{}'{}", Key(r), text,
                          r.key == "ramp_periods" ? "" : " (the horizon counts forward)"));
  }
  if (t.empty() || t.size() > 6 ||
      !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    Fail(loc, fmt::format("{}: expected a whole number, got '{}'", Key(r), text));
  }
  const int n = std::stoi(std::string(t));
  if (n < min) Fail(loc, fmt::format("{}: must be at least {}, got {}", Key(r), min, n));
  return n;
}

// A rate; |max_percent| > 0 is its upper bound in per cent (risks and shares: 100).
RoiRate ParseRate(const Raw& r, int max_percent = 0) {
  if (r.items.size() != 1) Fail({}, fmt::format("{}: one value expected", Key(r)));
  const auto [text, loc] = Trimmed(r, 0);
  const std::optional<double> v = ParseRateText(text, Key(r), loc);
  if (!v) {
    Fail(loc, fmt::format("{}: expected a rate such as 10% or 0.1, got '{}'", Key(r), text));
  }
  if (max_percent > 0 && *v > max_percent / 100.0) {
    Fail(loc, fmt::format("{}: must be at most {} %, got '{}'", Key(r), max_percent, text));
  }
  return RoiRate{*v, r.from};
}

// Checks a formula's variables and records which definition ids it needs from which run.
void BindVariables(const Formula& f, const SourceLoc& loc, const std::string& what,
                   const std::set<std::string>& ids, bool have_definition, RoiSettings* s) {
  for (const std::string& var : f.variables()) {
    if (s->constants.count(var)) continue;
    bool bound = false;
    for (const char* suffix : {"_before", "_after"}) {
      const std::string_view sfx(suffix);
      if (var.size() > sfx.size() && var.compare(var.size() - sfx.size(), sfx.size(), sfx) == 0) {
        const std::string id = var.substr(0, var.size() - sfx.size());
        if (ids.count(id)) {
          (sfx == "_before" ? s->before_ids : s->after_ids).insert(id);
          bound = true;
        }
      }
    }
    if (bound) continue;
    std::vector<std::string> known;
    for (const auto& [name, value] : s->constants) known.push_back(name);
    for (const auto& id : ids) {
      known.push_back(id + "_before");
      known.push_back(id + "_after");
    }
    SourceLoc at = loc;
    if (at.line != 0) at.column += static_cast<std::uint64_t>(f.VariableColumn(var)) - 1;
    const std::string hint =
        have_definition
            ? "formulas use constants and the definition's metrics, constants and KPIs as "
              "ID_before / ID_after"
            : "without 'definition = kpi.ini' a formula can use constants only (constant.NAME)";
    Fail(at, fmt::format("{}: unknown name '{}'{}; {}", what, var, DidYouMean(var, known), hint));
  }
}

// Reads one amount item: a plain number (flags and INI), else (INI only) a formula.
RoiAmount ParseAmountItem(const Raw& r, std::size_t i, bool percent) {
  const auto [text, loc] = Trimmed(r, i);
  RoiAmount a;
  a.text = text;
  a.loc = loc;
  const std::string what =
      r.items.size() > 1 ? fmt::format("{} (value {})", Key(r), i + 1) : Key(r);
  if (text.empty()) Fail(loc, fmt::format("{}: empty value", what));
  if (percent) {
    a.number = ParseRateText(text, what, loc);
  } else {
    a.number = ParsePlain(text, false);
  }
  if (a.number) return a;
  if (!r.ini) {
    Fail(loc, fmt::format("{}: expected a number (e.g. {}), got '{}'", what,
                          percent ? "30% or 0.3" : "12000, 12,000 or ¥12,000", text));
  }
  try {
    a.formula = Formula::Parse(text);
  } catch (const FormulaError& e) {
    SourceLoc at = loc;
    at.column += static_cast<std::uint64_t>(e.column()) - 1;
    Fail(at, fmt::format("{}: {}", what, e.message()));
  }
  for (const TermText& t : SplitTerms(text)) {
    try {
      a.terms.push_back({t.sign, t.text, Formula::Parse(t.text)});
    } catch (const FormulaError&) {
      a.terms.clear();  // not a clean sum after all: show the formula as one term
      break;
    }
  }
  if (a.terms.empty()) a.terms.push_back({1, text, *a.formula});
  return a;
}

// Literal amounts are checked here; formulas when they are evaluated.
void CheckLiteral(const RoiKey& k, const Raw& r, double min, bool strict, const char* rule) {
  for (const RoiAmount& a : k.items) {
    if (!a.number) continue;
    if (*a.number < min || (strict && *a.number == min)) {
      Fail(a.loc, fmt::format("{}: {}, got '{}'", Key(r), rule, a.text));
    }
  }
}

RoiKey ParseKey(const Raw& r, bool percent = false) {
  RoiKey k;
  k.key = r.key;
  k.from = r.from;
  for (std::size_t i = 0; i < r.items.size(); ++i)
    k.items.push_back(ParseAmountItem(r, i, percent));
  return k;
}

// Splits a value on ';' into items, each with its location.
void SplitItems(const std::string& value, const SourceLoc& loc, bool list, Raw* r) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t semi = list ? value.find(';', start) : std::string::npos;
    const std::size_t end = semi == std::string::npos ? value.size() : semi;
    r->items.push_back(value.substr(start, end - start));
    r->locs.push_back(Shift(loc, value, start));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
}

std::string ResolveAgainst(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || path == "-") return path;
  return dir + path;
}

std::pair<std::string, std::string> SplitIdPath(const std::string& spec, const char* flag) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    throw Error::Usage(
        fmt::format("{} expects ID=PATH (e.g. deals=deals_2024.csv), got '{}'", flag, spec));
  }
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

}  // namespace

const std::vector<std::string>& RoiFlagKeys() {
  static const std::vector<std::string> kKeys = {"cost",          "gain",
                                                 "initial_cost",  "cost_per_month",
                                                 "cost_per_year", "gain_per_month",
                                                 "gain_per_year", "months",
                                                 "years",         "ramp_periods",
                                                 "discount_rate", "benefit_risk",
                                                 "cost_risk",     "attribution_share",
                                                 "margin_rate",   "deal_size"};
  return kKeys;
}

bool RoiKey::HasFormula() const {
  return std::any_of(items.begin(), items.end(),
                     [](const RoiAmount& a) { return a.formula.has_value(); });
}

std::optional<double> ParseRateText(std::string_view text, const std::string& what,
                                    const SourceLoc& loc) {
  std::string_view v = TrimSpace(text);
  const bool percent = !v.empty() && v.back() == '%';
  if (percent) v = TrimSpace(v.substr(0, v.size() - 1));
  if (v.empty()) return std::nullopt;
  const bool negative = v[0] == '-';
  std::string_view digits = negative || v[0] == '+' ? v.substr(1) : v;
  bool dot = false, digit = false;
  for (char c : digits) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  const double x = std::stod(std::string(digits));
  if (negative && x != 0) {
    Fail(loc, fmt::format("{}: must not be negative, got '{}'", what, std::string(text)));
  }
  if (percent) return x / 100.0;  // 35 / 100: the double nearest 0.35
  if (x > 1) {
    Fail(loc, fmt::format("{}: {} would be {} %; write {}% for {} per cent (or a fraction: "
                          "0.1 = 10 %)",
                          what, std::string(TrimSpace(text)), x * 100, std::string(digits),
                          std::string(digits)));
  }
  return x;
}

RoiSettings LoadRoiSettings(const RoiFlags& flags) {
  RoiSettings s;
  std::map<std::string, Raw> raw;  // by INI key
  std::string definition;
  std::vector<std::tuple<bool, std::string, std::string, SourceLoc>> sides;  // before?, id, path
  std::vector<std::pair<std::string, std::pair<std::string, SourceLoc>>> constants;
  std::string dir;

  if (!flags.config.empty()) {
    s.config = flags.config;
    if (!std::filesystem::exists(flags.config)) {
      throw Error(ExitCode::kUsage, "cannot open the ROI settings", {flags.config, 0, 0});
    }
    const IniFile ini = IniFile::Load(flags.config);
    dir = ini.dir();
    const IniSection* roi = nullptr;
    for (const IniSection& sec : ini.sections()) {
      if (sec.type != "roi") {
        Fail(sec.loc, fmt::format("unknown section [{}]; an ROI file has one [roi] section (the "
                                  "KPIs come from a separate definition: definition = kpi.ini)",
                                  sec.type));
      }
      if (!sec.id.empty()) Fail(sec.loc, "[roi] takes no name");
      if (roi != nullptr) Fail(sec.loc, "[roi] appears twice");
      roi = &sec;
    }
    if (roi == nullptr) Fail({flags.config, 0, 0}, "no [roi] section");
    std::vector<std::string> keys = RoiFlagKeys();
    keys.push_back("definition");
    for (const IniEntry& e : roi->entries) {
      const std::string& k = e.key;
      if (k == "definition") {
        definition = ResolveAgainst(dir, std::string(TrimSpace(e.value)));
        s.from["definition"] = fmt::format("{}:{}", ini.name(), e.key_loc.line);
        if (definition.empty()) Fail(e.value_loc, "definition: empty path");
      } else if (k.rfind("before.", 0) == 0 || k.rfind("after.", 0) == 0) {
        const bool before = k[0] == 'b';
        const std::string id = k.substr(before ? 7 : 6);
        const std::string path(TrimSpace(e.value));
        if (id.empty() || path.empty())
          Fail(e.key_loc, fmt::format("{}: expected SOURCE = path", k));
        sides.emplace_back(before, id, ResolveAgainst(dir, path), e.key_loc);
        s.from[k] = fmt::format("{}:{}", ini.name(), e.key_loc.line);
      } else if (k.rfind("constant.", 0) == 0) {
        const std::string name = k.substr(9);
        if (!IsIdentifier(name)) {
          Fail(e.key_loc, fmt::format("{}: a constant's name must be a formula name "
                                      "([A-Za-z_][A-Za-z0-9_]*)",
                                      k));
        }
        constants.push_back({name, {e.value, e.value_loc}});
        s.from[k] = fmt::format("{}:{}", ini.name(), e.key_loc.line);
      } else if (std::find(keys.begin(), keys.end(), k) != keys.end()) {
        Raw r;
        r.key = k;
        r.ini = true;
        r.from = fmt::format("{}:{}", ini.name(), e.key_loc.line);
        SplitItems(e.value, e.value_loc, IsListKey(k), &r);
        raw[k] = std::move(r);
      } else {
        std::string list;
        for (const auto& key : keys) list += (list.empty() ? "" : ", ") + key;
        Fail(e.key_loc, fmt::format("unknown key '{}' in [roi]{}; keys: {}, before.SOURCE, "
                                    "after.SOURCE, constant.NAME",
                                    k, DidYouMean(k, keys), list));
      }
    }
  }
  // Flags replace the INI key of the same name.
  for (const auto& [key, values] : flags.values) {
    if (values.empty()) continue;
    Raw r;
    r.key = key;
    r.from = FlagName(key);
    if (!IsListKey(key) && values.size() > 1) {
      throw Error::Usage(
          fmt::format("{} given {} times; it takes one value", r.from, values.size()));
    }
    for (const auto& v : values) SplitItems(v, {}, IsListKey(key), &r);
    raw[key] = std::move(r);
  }
  for (const auto& spec : flags.before_sources) {
    auto [id, path] = SplitIdPath(spec, "--before-source");
    sides.emplace_back(true, id, path, SourceLoc{});
    s.from["before." + id] = "--before-source";
  }
  for (const auto& spec : flags.after_sources) {
    auto [id, path] = SplitIdPath(spec, "--after-source");
    sides.emplace_back(false, id, path, SourceLoc{});
    s.from["after." + id] = "--after-source";
  }

  // The KPI definition: its ids, sources and constants.
  std::set<std::string> ids;
  if (!definition.empty()) {
    s.definition = definition;
    const KpiModel model = KpiModel::Load(IniFile::Load(definition));
    for (const auto& m : model.metrics) ids.insert(m.id);
    for (const auto& c : model.constants) {
      ids.insert(c.id);
      s.constants[c.id] = c.value;
      s.from["constant." + c.id] = c.loc.ToString();
    }
    for (const auto& k : model.kpis) ids.insert(k.id);
    std::vector<std::string> source_ids;
    for (const auto& src : model.sources) source_ids.push_back(src.id);
    for (const auto& l : model.lookups) source_ids.push_back(l.id);
    for (const auto& [before, id, path, loc] : sides) {
      if (std::find(source_ids.begin(), source_ids.end(), id) == source_ids.end()) {
        std::string list;
        for (const auto& x : source_ids) list += (list.empty() ? "" : ", ") + x;
        const std::string what =
            loc.line != 0 ? fmt::format("{}.{}", before ? "before" : "after", id)
                          : fmt::format("--{}-source {}={}", before ? "before" : "after", id, path);
        Fail(loc, fmt::format("{}: the definition {} has no source or lookup '{}'{}; it has: {}",
                              what, definition, id, DidYouMean(id, source_ids), list));
      }
      (before ? s.before_sources : s.after_sources)[id] = path;
    }
  } else if (!sides.empty()) {
    const auto& [before, id, path, loc] = sides.front();
    const std::string what =
        loc.line != 0 ? fmt::format("{}.{}", before ? "before" : "after", id)
                      : fmt::format("--{}-source {}={}", before ? "before" : "after", id, path);
    Fail(loc, fmt::format("{}: the exports of a before/after run need a KPI definition "
                          "('definition = kpi.ini' in the [roi] section of -c roi.ini)",
                          what));
  }
  for (const auto& [name, value] : constants) {
    if (s.constants.count(name)) {
      Fail(value.second, fmt::format("constant.{}: the definition {} already has a constant '{}'",
                                     name, definition, name));
    }
    const std::optional<double> v = ParsePlain(value.first, true);
    if (!v) {
      Fail(value.second, fmt::format("constant.{}: expected a number (e.g. 4,500 or 35%), got '{}'",
                                     name, value.first));
    }
    s.constants[name] = *v;
  }

  auto has = [&](const char* key) { return raw.count(key) != 0; };
  auto get = [&](const char* key) -> const Raw& { return raw.at(key); };
  auto both = [&](const char* a, const char* b) {
    if (has(a) && has(b)) {
      throw Error::Usage(
          fmt::format("{} and {}: give one of them, not both", Name(get(a)), Name(get(b))));
    }
  };
  both("cost_per_month", "cost_per_year");
  both("gain_per_month", "gain_per_year");
  both("months", "years");

  // Simple or cash-flow mode.
  const char* const kCashFlow[] = {"initial_cost",   "cost_per_month", "cost_per_year",
                                   "gain_per_month", "gain_per_year",  "months",
                                   "years",          "ramp_periods",   "discount_rate"};
  const char* simple_key = has("cost") ? "cost" : has("gain") ? "gain" : nullptr;
  const char* flow_key = nullptr;
  for (const char* k : kCashFlow) {
    if (flow_key == nullptr && has(k)) flow_key = k;
  }
  if (simple_key != nullptr && flow_key != nullptr) {
    throw Error::Usage(fmt::format(
        "{} (simple mode: one cost, one gain) cannot be combined with {} (cash-flow mode); "
        "in cash-flow mode use --initial-cost and --cost-per-month|--cost-per-year",
        Name(get(simple_key)), Name(get(flow_key))));
  }
  const bool any_flow = has("initial_cost") || has("cost_per_month") || has("cost_per_year") ||
                        has("gain_per_month") || has("gain_per_year");
  if (simple_key == nullptr && !any_flow) {
    throw Error::Usage(
        "nothing to compute: give --cost and --gain (simple ROI), or the cash flows "
        "(--initial-cost, --cost-per-month|--cost-per-year, --gain-per-month|--gain-per-year), "
        "or -c roi.ini; run 'crmkpi roi --help'");
  }
  s.simple = simple_key != nullptr;

  if (s.simple) {
    if (!has("cost")) {
      throw Error::Usage(fmt::format("{} needs a cost too ({})", Name(get("gain")),
                                     get("gain").ini ? "cost = …" : "--cost"));
    }
    if (!has("gain")) {
      throw Error::Usage(fmt::format("{} needs a gain too ({})", Name(get("cost")),
                                     get("cost").ini ? "gain = …" : "--gain"));
    }
    s.cost = ParseKey(get("cost"));
    CheckLiteral(*s.cost, get("cost"), 0, false, "a cost must not be negative");
    s.gain = ParseKey(get("gain"));
  } else {
    const bool month_flows = has("cost_per_month") || has("gain_per_month");
    const bool year_flows = has("cost_per_year") || has("gain_per_year");
    if (month_flows && year_flows) {
      const Raw& m = has("cost_per_month") ? get("cost_per_month") : get("gain_per_month");
      const Raw& y = has("cost_per_year") ? get("cost_per_year") : get("gain_per_year");
      throw Error::Usage(fmt::format(
          "{} and {}: give the costs and the gains for the same period (both per month or both "
          "per year)",
          Name(m), Name(y)));
    }
    s.period = month_flows                      ? RoiPeriod::kMonth
               : year_flows                     ? RoiPeriod::kYear
               : has("months") && !has("years") ? RoiPeriod::kMonth
                                                : RoiPeriod::kYear;
    const bool monthly = s.period == RoiPeriod::kMonth;
    s.horizon = monthly ? 36 : 3;
    if (has("months")) {
      const int m = ParseCount(get("months"), 1);
      if (m > kMaxMonths)
        Fail({}, fmt::format("{}: at most {} months", Name(get("months")), kMaxMonths));
      if (!monthly && m % 12 != 0) {
        throw Error::Usage(fmt::format(
            "{}: {} months is not a whole number of years, and the flows are per year (give "
            "--years, or the flows per month)",
            Name(get("months")), m));
      }
      s.horizon = monthly ? m : m / 12;
      s.horizon_from = get("months").from;
    } else if (has("years")) {
      const int y = ParseCount(get("years"), 1);
      if (y > kMaxMonths / 12)
        Fail({}, fmt::format("{}: at most {} years", Name(get("years")), kMaxMonths / 12));
      s.horizon = monthly ? y * 12 : y;
      s.horizon_from = get("years").from;
    }
    if (has("initial_cost")) {
      s.initial_cost = ParseKey(get("initial_cost"));
      CheckLiteral(*s.initial_cost, get("initial_cost"), 0, false,
                   "the initial cost must not be negative");
    }
    for (const char* k : {"cost_per_month", "cost_per_year", "gain_per_month", "gain_per_year"}) {
      if (!has(k)) continue;
      const Raw& r = get(k);
      RoiKey key = ParseKey(r);
      if (key.items.size() != 1 && key.items.size() != static_cast<std::size_t>(s.horizon)) {
        throw Error::Usage(
            fmt::format("{}: {} values; give one value for every period or one per period ({} {})",
                        Name(r), key.items.size(), s.horizon, monthly ? "months" : "years"));
      }
      if (k[0] == 'c') {
        CheckLiteral(key, r, 0, false, "a cost must not be negative");
        s.recurring_cost = std::move(key);
      } else {
        s.recurring_gain = std::move(key);
      }
    }
    if (has("ramp_periods")) {
      s.ramp_periods = ParseCount(get("ramp_periods"), 0);
      s.ramp_from = get("ramp_periods").from;
    }
    if (has("discount_rate")) s.discount_rate = ParseRate(get("discount_rate"));
  }
  if (has("benefit_risk")) s.benefit_risk = ParseRate(get("benefit_risk"), 100);
  if (has("cost_risk")) s.cost_risk = ParseRate(get("cost_risk"));
  if (has("attribution_share")) {
    s.attribution_share = ParseRate(get("attribution_share"), 100);
  }
  if (has("deal_size") && !has("margin_rate")) {
    throw Error::Usage(fmt::format(
        "{} needs the margin rate too (--margin-rate or margin_rate): the break-even volume is "
        "cost / (deal size × margin rate)",
        Name(get("deal_size"))));
  }
  if (has("margin_rate")) {
    s.margin_rate = ParseKey(get("margin_rate"), true);
    CheckLiteral(*s.margin_rate, get("margin_rate"), 0, true, "the margin rate must be above 0");
    for (const RoiAmount& a : s.margin_rate->items) {
      if (a.number && *a.number > 1) {
        Fail(a.loc, fmt::format("{}: the margin rate must be at most 100 %, got '{}'",
                                Key(get("margin_rate")), a.text));
      }
    }
  }
  if (has("deal_size")) {
    s.deal_size = ParseKey(get("deal_size"));
    CheckLiteral(*s.deal_size, get("deal_size"), 0, true, "the deal size must be above 0");
  }

  // Every formula's variables must exist.
  for (const std::optional<RoiKey>* k : {&s.cost, &s.gain, &s.initial_cost, &s.recurring_cost,
                                         &s.recurring_gain, &s.margin_rate, &s.deal_size}) {
    if (!k->has_value()) continue;
    for (const RoiAmount& a : (*k)->items) {
      if (a.formula) BindVariables(*a.formula, a.loc, (*k)->key, ids, !definition.empty(), &s);
    }
  }
  return s;
}

}  // namespace crmkpi
