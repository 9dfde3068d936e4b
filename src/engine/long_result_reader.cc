#include "crmkpi/engine/long_result_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/date_time.h"
#include "long_result_json.h"

namespace crmkpi {
namespace {

using engine_detail::LongDocument;
using engine_detail::LongField;
using engine_detail::LongRecord;

constexpr std::string_view kHint = "docs/scale.md, \"The long result\"";
constexpr std::string_view kCheckPrefix = "@check:";
const std::vector<std::string>& kFixedColumns = LongResultFixedColumns();

bool IsFixedColumn(std::string_view c) {
  return std::find(kFixedColumns.begin(), kFixedColumns.end(), c) != kFixedColumns.end();
}

LongDocument FromCsv(std::string text, const std::string& file) {
  CsvReader reader(MemoryInput(std::move(text), SIZE_MAX, file));
  const std::vector<std::string> header = reader.ReadHeader();
  LongDocument doc;
  for (const std::string& want : kFixedColumns) {
    if (std::find(header.begin(), header.end(), want) == header.end()) {
      throw Error(ExitCode::kInput,
                  fmt::format("the long result's header has no '{}' column; it needs metric, "
                              "group_by, the group key columns, period_start, period_end, value, "
                              "numerator, denominator, n, censored, reason, currency, excluded "
                              "({})",
                              want, kHint),
                  {file, 1, 1});
    }
  }
  for (const std::string& h : header) {
    if (!IsFixedColumn(h)) doc.key_columns.push_back(h);
  }
  CsvRow row;
  while (reader.Next(&row)) {
    if (row.fields.size() != header.size()) {
      throw Error(ExitCode::kInput,
                  fmt::format("a row of {} fields; the header has {}", row.fields.size(),
                              header.size()),
                  reader.Locate(std::min(row.fields.size(), header.size())));
    }
    LongRecord r;
    r.loc = reader.Locate(0);
    for (std::size_t i = 0; i < header.size(); ++i) {
      LongField f;
      f.text = std::string(row.fields[i]);
      f.loc = reader.Locate(i);
      f.is_number = true;
      r.fields.emplace(header[i], std::move(f));
    }
    if (r.fields["metric"].text == std::optional<std::string>("@error")) {
      // The warehouse's SQL found what crmkpi's pass stops at (crmkpi sql: a duplicate key of a
      // unique lookup): the result is not a long result of the data.
      throw Error::Input(fmt::format("the result reports an error of the data: {}",
                                     r.fields["value"].text.value_or("")),
                         r.fields["value"].loc);
    }
    if (r.fields["metric"].text == "@as_of") {
      doc.as_of = r.fields["value"].text;
      doc.as_of_loc = r.fields["value"].loc;
      if (doc.as_of->empty()) doc.as_of.reset();
      continue;
    }
    doc.records.push_back(std::move(r));
  }
  return doc;
}

[[noreturn]] void Fail(ExitCode code, const SourceLoc& at, const std::string& message) {
  throw Error(code, message, at);
}

// The field |name| of |r|: its text ("" for null or an absent member).
std::string Text(const LongRecord& r, std::string_view name) {
  const auto it = r.fields.find(name);
  return it == r.fields.end() || !it->second.text ? std::string() : *it->second.text;
}

SourceLoc Loc(const LongRecord& r, std::string_view name) {
  const auto it = r.fields.find(name);
  return it == r.fields.end() ? r.loc : it->second.loc;
}

// A number column of a JSON row holds a number or null, not a string ("12").
void RequireNumber(const LongRecord& r, std::string_view name) {
  const auto it = r.fields.find(name);
  if (it != r.fields.end() && it->second.text && !it->second.is_number) {
    Fail(ExitCode::kInput, it->second.loc,
         fmt::format("{}: \"{}\" is a string; write the number without quotes (null for n/a)",
                     name, *it->second.text));
  }
}

std::optional<std::uint64_t> Count(const LongRecord& r, std::string_view name, bool required) {
  RequireNumber(r, name);
  const std::string t = Text(r, name);
  if (t.empty()) {
    if (!required) return std::nullopt;
    Fail(ExitCode::kInput, Loc(r, name),
         fmt::format("{}: empty; every row needs its count of values aggregated (0 for none)",
                     name));
  }
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size()) {
    Fail(ExitCode::kInput, Loc(r, name),
         fmt::format("{}: '{}' is not a whole number ≥ 0 (a count; {})", name, t, kHint));
  }
  return v;
}

// "1234", "-0.5", "12.3456" → exact units of 1/10,000; nullopt for other text.
std::optional<Int128> FixedUnits(std::string_view t) {
  bool negative = false;
  if (!t.empty() && t.front() == '-') {
    negative = true;
    t.remove_prefix(1);
  }
  const std::size_t dot = t.find('.');
  const std::string_view whole = t.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : t.substr(dot + 1);
  if (whole.empty() || whole.size() > 28 || frac.size() > 4 ||
      (dot != std::string_view::npos && frac.empty())) {
    return std::nullopt;
  }
  Int128 units = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    units = units * 10 + (c - '0');
  }
  for (std::size_t i = 0; i < 4; ++i) {
    const char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    units = units * 10 + (c - '0');
  }
  return negative ? -units : units;
}

// A value, numerator or denominator: a double for |real| kinds (ratios, averages,
// durations), else exact when the text is (counts, money).
std::optional<Num> Number(const LongRecord& r, std::string_view name, bool real) {
  RequireNumber(r, name);
  const std::string t = Text(r, name);
  if (t.empty()) return std::nullopt;
  double d = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(d)) {
    Fail(ExitCode::kInput, Loc(r, name),
         fmt::format("{}: '{}' is not a number (write n/a as an empty field, or null in JSON, "
                     "with its reason; {})",
                     name, t, kHint));
  }
  if (!real) {
    if (const auto units = FixedUnits(t)) return Num::Money(*units);
  }
  return Num::Real(d);
}

std::vector<std::pair<std::string, std::uint64_t>> Excluded(const LongRecord& r) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  const std::string t = Text(r, "excluded");
  if (t.empty()) return out;
  for (const std::string& part : SplitList(t, ';')) {
    const auto eq = part.find('=');
    std::uint64_t v = 0;
    const char* b = part.data() + (eq == std::string::npos ? 0 : eq + 1);
    const auto [end, ec] = std::from_chars(b, part.data() + part.size(), v);
    if (eq == std::string::npos || eq == 0 || ec != std::errc() ||
        end != part.data() + part.size()) {
      Fail(ExitCode::kInput, Loc(r, "excluded"),
           fmt::format("excluded: '{}' is not reason=count (as missing_value=3;invalid_value=1)",
                       part));
    }
    out.emplace_back(part.substr(0, eq), v);
  }
  return out;
}

bool RealValue(const MetricDef& m) {
  return m.aggregation == Aggregation::kAvg || m.aggregation == Aggregation::kSla ||
         m.aggregation == Aggregation::kKmMedian || m.aggregation == Aggregation::kReached ||
         !m.duration_from.empty();
}

MetricCell Cell(const LongRecord& r, const MetricDef& m) {
  MetricCell c;
  c.value = Number(r, "value", RealValue(m));
  c.numerator = Number(r, "numerator", !m.duration_from.empty() && m.aggregation != Aggregation::kSla);
  c.denominator = Number(r, "denominator", false);
  c.n = *Count(r, "n", true);
  c.censored = Count(r, "censored", false);
  c.reason = Text(r, "reason");
  if (c.value && !c.reason.empty()) {
    Fail(ExitCode::kInput, Loc(r, "reason"),
         fmt::format("reason: '{}' beside a value; a reason says why the value is n/a (leave "
                     "value empty)",
                     c.reason));
  }
  const std::string currency = Text(r, "currency");
  if (c.reason == "MIXED_CURRENCIES") {
    // Every code, the empty one (amounts without a currency) too: "+EUR+USD".
    for (std::size_t at = 0;;) {
      const std::size_t plus = currency.find('+', at);
      c.currencies.push_back(currency.substr(at, plus - at));
      if (plus == std::string::npos) break;
      at = plus + 1;
    }
  } else {
    c.currency = currency;
  }
  c.excluded = Excluded(r);
  return c;
}

std::string Joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : "+") + k;
  return out;
}

// The groupings the engine makes of |m|: the period's, then each `by` (with the period).
std::vector<std::vector<std::string>> DefinedGroupings(const MetricDef& m) {
  std::vector<std::vector<std::string>> out;
  const bool period = m.period != Period::kNone;
  if (period) out.push_back({"period"});
  for (std::size_t i = 0; i < m.by.size(); ++i) {
    std::vector<std::string> keys = m.ByNames(i);
    if (period) keys.push_back("period");
    out.push_back(std::move(keys));
  }
  return out;
}

struct Building {
  const MetricDef* def = nullptr;
  bool has_total = false;
  std::vector<MetricGrouping> groupings;  // the defined ones first, then the others as met
};

}  // namespace

std::string LongResultKeyColumn(const std::string& key) {
  return IsFixedColumn(key) ? "group." + key : key;
}

LongResult ParseLongResult(std::string_view text, const std::string& file,
                           const std::vector<MetricDef>& metrics, const std::string& tz) {
  std::size_t first = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (first < text.size() && (text[first] == ' ' || text[first] == '\n' ||
                                 text[first] == '\r' || text[first] == '\t')) {
    ++first;
  }
  const bool json = first < text.size() && text[first] == '{';
  const LongDocument doc =
      json ? engine_detail::ParseLongJson(text, file) : FromCsv(std::string(text), file);

  // Key columns the definition's groupings name, and those of groupings it does not spell.
  LongResult out;
  out.rows = doc.records.size() + (doc.as_of ? 1 : 0);
  std::vector<Building> built(metrics.size());
  std::map<std::string, std::size_t, std::less<>> index;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    built[i].def = &metrics[i];
    for (const auto& keys : DefinedGroupings(metrics[i])) {
      MetricGrouping g;
      g.keys = keys;
      built[i].groupings.push_back(std::move(g));
    }
    index.emplace(metrics[i].id, i);
    ids.push_back(metrics[i].id);
  }
  std::map<std::vector<std::string>, SourceLoc> seen;  // metric, group_by, values → first row
  struct Extra {
    std::size_t metric;
    std::string key;
    SourceLoc loc;
    std::string message;
  };
  std::vector<Extra> extras;  // groupings the definition does not spell, as first met

  for (const LongRecord& r : doc.records) {
    const std::string id = Text(r, "metric");
    if (id.rfind(kCheckPrefix, 0) == 0) {
      // A check's count (crmkpi sql): `check --metrics` judges the check from them.
      const std::string check = id.substr(kCheckPrefix.size());
      const std::string count = Text(r, "reason");
      if (count.empty()) {
        Fail(ExitCode::kInput, Loc(r, "reason"),
             fmt::format("reason: empty; a row of check '{}' names its count in reason ({})", check, kHint));
      }
      auto& counts = out.checks[check];
      const auto [at, inserted] = counts.emplace(count, LongCheckCount{Text(r, "value"), Loc(r, "value")});
      if (!inserted) {
        Fail(ExitCode::kInput, Loc(r, "reason"),
             fmt::format("count '{}' of check '{}' is in the result twice (first at {})", count, check,
                         at->second.loc.ToString()));
      }
      continue;
    }
    const auto it = index.find(id);
    if (it == index.end()) {
      Fail(ExitCode::kUsage, Loc(r, "metric"),
           fmt::format("metric: '{}' is not a metric of the definition{}; a long result must "
                       "come from the same definition ({})",
                       id, DidYouMean(id, ids), kHint));
    }
    Building& b = built[it->second];
    const std::string group_by = Text(r, "group_by");
    std::vector<std::string> key = {id, group_by};
    MetricGrouping* target = nullptr;
    std::vector<std::string> values;
    if (!group_by.empty()) {
      for (MetricGrouping& g : b.groupings) {
        if (Joined(g.keys) == group_by) target = &g;
      }
      std::string known;
      for (const MetricGrouping& g : b.groupings) {
        known += (known.empty() ? "'" : ", '") + Joined(g.keys) + "'";
      }
      const std::string not_ours = fmt::format(
          "group_by: '{}' is not a grouping of metric '{}' (it has {}); group_by joins the keys "
          "of one `by` of the metric with '+', then period",
          group_by, id, known.empty() ? "only its total, group_by empty" : known);
      // Groupings the definition does not spell: the per-currency one of a source whose
      // amounts are in several currencies (one key, which every metric of the source has:
      // checked below), an analysis source's periods.
      const bool figure_periods =
          b.def->aggregation == Aggregation::kFigure && group_by == "period";
      if (target == nullptr && (figure_periods || group_by.find('+') == std::string::npos)) {
        MetricGrouping g;
        g.keys = {group_by};
        b.groupings.push_back(std::move(g));
        target = &b.groupings.back();
        if (!figure_periods) extras.push_back({it->second, group_by, Loc(r, "group_by"), not_ours});
      }
      if (target == nullptr) Fail(ExitCode::kUsage, Loc(r, "group_by"), not_ours);
      for (const std::string& k : target->keys) {
        const auto f = r.fields.find(LongResultKeyColumn(k));
        if (f == r.fields.end() || !f->second.text) {
          Fail(json ? ExitCode::kInput : ExitCode::kUsage, f == r.fields.end() ? r.loc : f->second.loc,
               fmt::format("group_by '{}' needs the key column '{}', which the {} has not "
                           "(the empty group is \"\", not null)",
                           group_by, LongResultKeyColumn(k), json ? "row" : "header"));
        }
        values.push_back(*f->second.text);
      }
    }
    key.insert(key.end(), values.begin(), values.end());
    if (const auto [at, fresh] = seen.emplace(key, r.loc); !fresh) {
      Fail(ExitCode::kInput, r.loc,
           fmt::format("metric '{}', group_by '{}'{}: a second row for the same group (the "
                       "first is at line {}); each metric × grouping × group is one row",
                       id, group_by, values.empty() ? "" : ", group '" + Joined(values) + "'",
                       at->second.line));
    }
    MetricCell cell = Cell(r, *b.def);
    if (target == nullptr) {
      b.has_total = true;
      out.run.metrics.resize(metrics.size());
      out.run.metrics[it->second].total = std::move(cell);
      continue;
    }
    const auto p = std::find(target->keys.begin(), target->keys.end(), "period");
    if (p != target->keys.end()) {
      const std::string& label = values[static_cast<std::size_t>(p - target->keys.begin())];
      const std::string start = Text(r, "period_start"), end = Text(r, "period_end");
      if (!label.empty() && !start.empty() && !end.empty()) {
        out.run.period_bounds.try_emplace(label, start, end);
      }
    }
    target->rows.emplace_back(std::move(values), std::move(cell));
  }

  // A per-currency grouping is made for every metric of its source (where no `by` already
  // groups by the column): one that only some have is a grouping of another definition.
  for (const Extra& e : extras) {
    for (const Building& other : built) {
      if (other.def->source != metrics[e.metric].source ||
          other.def->aggregation == Aggregation::kFigure) {
        continue;
      }
      const bool has = std::any_of(other.groupings.begin(), other.groupings.end(),
                                   [&](const MetricGrouping& g) {
                                     return g.keys == std::vector<std::string>{e.key};
                                   });
      if (!has) {
        Fail(ExitCode::kUsage, e.loc,
             fmt::format("{} (a grouping the definition does not spell is only the one per "
                         "currency, which every metric of the source has; metric '{}' has not)",
                         e.message, other.def->id));
      }
    }
  }
  out.run.metrics.resize(metrics.size());
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (!built[i].has_total) {
      Fail(ExitCode::kUsage, {file, 1, 1},
           fmt::format("metric '{}' of the definition has no row in the long result (its total "
                       "is the row with group_by empty); was the result computed from another "
                       "version of the definition? ({})",
                       metrics[i].id, kHint));
    }
    MetricResult& r = out.run.metrics[i];
    r.id = metrics[i].id;
    r.groupings = std::move(built[i].groupings);
    // A value aggregated in the total is in some group of every grouping: a grouping without
    // rows is one the result left out (computed for another `by`, or by a query that forgot it).
    for (const MetricGrouping& g : r.groupings) {
      if (g.rows.empty() && r.total.n > 0) {
        Fail(ExitCode::kUsage, {file, 1, 1},
             fmt::format("metric '{}' has no rows for its grouping '{}' (group_by '{}'), though "
                         "its total has n = {}; the long result must hold every grouping of the "
                         "definition (for tree --by or --period: crmkpi metrics with the same "
                         "flag)",
                         r.id, Joined(g.keys), Joined(g.keys), r.total.n));
      }
    }
    for (MetricGrouping& g : r.groupings) {
      std::sort(g.rows.begin(), g.rows.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
  }
  SourceSummary summary;  // what was read: the long result itself
  summary.id = "metrics";
  summary.file = file;
  summary.rows = out.rows;
  summary.encoding = "utf-8";
  out.run.sources.push_back(summary);
  if (doc.as_of) {
    Seconds t = 0;
    if (DateParser({}, tz).Parse(*doc.as_of, &t) != ParseStatus::kOk) {
      Fail(ExitCode::kInput, doc.as_of_loc,
           fmt::format("as_of: cannot read '{}' as a date or date-time", *doc.as_of));
    }
    out.run.data_as_of = t;
    out.data_as_of = *doc.as_of;
  }
  return out;
}

LongResult ReadLongResult(const std::string& path, const std::vector<MetricDef>& metrics,
                          const std::string& tz) {
  const std::unique_ptr<InputStream> in = OpenInput(path, Encoding::kUtf8);
  std::string text;
  char buf[1 << 16];
  while (const std::size_t n = in->Read(buf, sizeof buf)) text.append(buf, n);
  return ParseLongResult(text, path == "-" ? in->name() : path, metrics, tz);
}

std::vector<std::string> LongResultKeyColumns(const std::vector<MetricDef>& metrics) {
  std::vector<std::string> out;
  for (const MetricDef& m : metrics) {
    for (std::size_t i = 0; i < m.by.size(); ++i) {
      for (const std::string& name : m.ByNames(i)) {
        if (name != "period" && std::find(out.begin(), out.end(), name) == out.end()) {
          out.push_back(name);
        }
      }
    }
  }
  out.push_back("period");
  return out;
}

}  // namespace crmkpi
