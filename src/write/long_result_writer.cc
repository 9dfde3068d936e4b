#include "crmkpi/write/long_result_writer.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "crmkpi/engine/long_result_reader.h"
#include "crmkpi/write/json_writer.h"

namespace crmkpi {
namespace {

// RFC 4180 quoting, nothing else: the long result is data for programs, so a value that starts
// with '=', '+', '-' or '@' is kept as it is (CsvField would neutralise it for spreadsheets).
std::string LongField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos &&
      (s.empty() || (s.front() != ' ' && s.back() != ' '))) {
    return std::string(s);
  }
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Shortest text that reads back to the same number: exact for counts and money, shortest
// round-trip for doubles (as the JSON writer prints them); empty for none.
std::string NumText(const std::optional<Num>& n) {
  if (!n) return {};
  if (n->fixed) return n->ToString();
  if (!std::isfinite(n->real)) return {};
  if (n->real == 0) return "0";  // -0 as 0
  return fmt::format("{}", n->real);
}

std::string ExcludedText(const MetricCell& c) {
  std::string out;
  for (const auto& [reason, count] : c.excluded) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ";", reason, count);
  }
  return out;
}

// The currency column: the value's currency; amounts in several currencies (reason
// MIXED_CURRENCIES): all of them joined by '+'.
std::string CurrencyText(const MetricCell& c) {
  if (!c.currency.empty() || c.currencies.empty()) return c.currency;
  std::string out;  // the empty code (amounts without a currency) too: "+EUR+USD"
  for (std::size_t i = 0; i < c.currencies.size(); ++i) out += (i == 0 ? "" : "+") + c.currencies[i];
  return out;
}

struct LongRow {
  const std::string* metric;
  std::string group_by;
  std::vector<std::string> keys;  // one per key column (period last); "" when not grouped
  std::vector<bool> grouped;      // whether each key column is one of the grouping's keys
  std::string period_start, period_end;
  const MetricCell* cell;
};

std::vector<LongRow> Rows(const std::vector<std::string>& columns, const MetricRun& run) {
  std::vector<LongRow> out;
  for (const MetricResult& r : run.metrics) {
    out.push_back({&r.id, "", std::vector<std::string>(columns.size()),
                   std::vector<bool>(columns.size()), "", "", &r.total});
    for (const MetricGrouping& g : r.groupings) {
      std::string group_by;
      for (const std::string& k : g.keys) group_by += (group_by.empty() ? "" : "+") + k;
      for (const auto& [values, cell] : g.rows) {
        LongRow row{&r.id, group_by, std::vector<std::string>(columns.size()),
                    std::vector<bool>(columns.size()), "", "", &cell};
        for (std::size_t i = 0; i < g.keys.size() && i < values.size(); ++i) {
          const auto at = std::find(columns.begin(), columns.end(), g.keys[i]);
          if (at != columns.end()) {
            const auto c = static_cast<std::size_t>(at - columns.begin());
            row.keys[c] = values[i];
            row.grouped[c] = true;
          }
          if (g.keys[i] == "period") {
            if (const auto b = run.period_bounds.find(values[i]); b != run.period_bounds.end()) {
              row.period_start = b->second.first;
              row.period_end = b->second.second;
            }
          }
        }
        out.push_back(std::move(row));
      }
    }
  }
  return out;
}

// Key columns of groupings the definition does not name (the per-currency grouping of money
// in several currencies, an analysis source's periods) are added after the `by` names.
std::vector<std::string> Columns(const std::vector<MetricDef>& metrics, const MetricRun& run) {
  std::vector<std::string> columns = LongResultKeyColumns(metrics);
  for (const MetricResult& r : run.metrics) {
    for (const MetricGrouping& g : r.groupings) {
      for (const std::string& k : g.keys) {
        if (std::find(columns.begin(), columns.end(), k) == columns.end()) {
          columns.insert(columns.end() - 1, k);
        }
      }
    }
  }
  return columns;
}

}  // namespace

std::string WriteLongResultCsv(const std::vector<MetricDef>& metrics, const MetricRun& run,
                               const std::string& data_as_of_text) {
  const std::vector<std::string> columns = Columns(metrics, run);
  std::string out = "metric,group_by";
  for (const std::string& c : columns) out += "," + LongField(LongResultKeyColumn(c));
  out += ",period_start,period_end,value,numerator,denominator,n,censored,reason,currency,"
         "excluded\n";
  if (!data_as_of_text.empty()) {
    // metric, group_by, the key columns, period_start, period_end: empty; value: the as-of;
    // the 7 columns after it empty.
    out += "@as_of," + std::string(columns.size() + 3, ',') + LongField(data_as_of_text) +
           std::string(7, ',') + "\n";
  }
  for (const LongRow& r : Rows(columns, run)) {
    out += LongField(*r.metric) + "," + LongField(r.group_by);
    for (const std::string& k : r.keys) out += "," + LongField(k);
    const MetricCell& c = *r.cell;
    out += fmt::format(",{},{},{},{},{},{},{},{},{},{}\n", r.period_start, r.period_end,
                       NumText(c.value), NumText(c.numerator), NumText(c.denominator), c.n,
                       c.censored ? std::to_string(*c.censored) : "", LongField(c.reason),
                       LongField(CurrencyText(c)), LongField(ExcludedText(c)));
  }
  return out;
}

std::string WriteLongResultJson(const std::vector<MetricDef>& metrics, const MetricRun& run,
                                const std::string& data_as_of_text) {
  const std::vector<std::string> columns = Columns(metrics, run);
  JsonWriter w;
  w.BeginObject().VersionKeys().Key("as_of").StringOrNull(data_as_of_text);
  w.Key("key_columns").BeginArray();
  for (const std::string& c : columns) w.String(c);
  w.EndArray().Newline().Key("rows").BeginArray();
  for (const LongRow& r : Rows(columns, run)) {
    const MetricCell& c = *r.cell;
    w.Newline().BeginObject().Key("metric").String(*r.metric).Key("group_by").String(r.group_by);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      // A group's value is a string, also the empty group's ""; null: not a key of the grouping.
      if (r.grouped[i]) {
        w.Key(LongResultKeyColumn(columns[i])).String(r.keys[i]);
      } else {
        w.Key(LongResultKeyColumn(columns[i])).Null();
      }
    }
    w.Key("period_start").StringOrNull(r.period_start).Key("period_end").StringOrNull(r.period_end);
    w.Key("value").Number(NumText(c.value)).Key("numerator").Number(NumText(c.numerator));
    w.Key("denominator").Number(NumText(c.denominator)).Key("n").Int(c.n);
    w.Key("censored");
    if (c.censored) {
      w.Int(*c.censored);
    } else {
      w.Null();
    }
    w.Key("reason").StringOrNull(c.reason).Key("currency").StringOrNull(CurrencyText(c));
    w.Key("excluded").BeginObject();
    for (const auto& [reason, count] : c.excluded) w.Key(reason).Int(count);
    w.EndObject().EndObject();
  }
  w.EndArray().EndObject().Newline();
  return w.Take();
}

}  // namespace crmkpi
