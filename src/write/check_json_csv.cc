// `crmkpi check` as data: the json and csv formats of check_writer.h (numbers shortest
// round-trip, strings valid UTF-8).
#include "check_json_csv.h"

#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/write/json_writer.h"
#include "check_text.h"

namespace crmkpi::check_writing {
namespace {

// ---- json --------------------------------------------------------------------------------

// "null" or the shortest round-trip number (the CSV writer's numbers too).
std::string NumOrNull(std::optional<double> v) {
  return v && std::isfinite(*v) ? Shortest(*v) : "null";
}

void JsonLimit(const std::optional<Limit>& l, JsonWriter* w) {
  if (!l) {
    w->Null();
    return;
  }
  w->BeginObject().Key("limit").String(LimitText(*l));
  w->Key("unit").String(l->percent ? "percent" : "count").Key("value").Double(l->value);
  w->EndObject();
}

void JsonCounts(const CheckResult& r, JsonWriter* w) {
  if (!Ran(r)) {
    w->Null();
    return;
  }
  w->BeginObject().Key("rows").Int(r.rows);
  switch (r.def.type) {
    case CheckType::kCompleteness:
      w->Key("missing_by_column").BeginObject();
      for (const auto& [column, n] : r.missing_by_column) w->Key(column).Int(n);
      w->EndObject().Key("complete_records").Int(r.complete_records);
      w->Key("structural_errors").Int(r.structural_errors);
      break;
    case CheckType::kUniqueness:
      w->Key("n").Int(r.denominator).Key("distinct").Int(r.distinct);
      w->Key("duplicate_count").Int(DuplicateCount(r));
      w->Key("duplicate_groups").Int(r.duplicate_groups);
      w->Key("rows_in_duplicate_groups").Int(r.rows_in_duplicate_groups);
      w->Key("missing_key").Int(r.missing_key).Key("normalize").StringOrNull(r.def.normalize);
      w->Key("distinctness");  // D / N
      if (r.denominator == 0) {
        w->Null();
      } else {
        w->Double(static_cast<double>(r.distinct) / static_cast<double>(r.denominator));
      }
      w->Key("near_threshold").StringOrNull(r.def.near).Key("near_total").Int(r.near_total);
      break;
    case CheckType::kValidity:
      w->Key("rule").String(r.def.rule).Key("when").StringOrNull(r.def.when);
      w->Key("n").Int(r.denominator).Key("invalid_count").Int(r.violations);
      w->Key("missing").Int(r.missing).Key("not_applicable").Int(r.not_applicable);
      break;
    case CheckType::kTimeliness:
      w->Key("max_age_days").Double(r.def.max_age_days).Key("n").Int(r.denominator);
      w->Key("stale_count").Int(r.violations);
      w->Key("invalid_timestamps").Int(r.invalid_timestamps).Key("missing").Int(r.missing);
      w->Key("newest").StringOrNull(r.newest).Key("freshness_days").Double(r.freshness_days);
      w->Key("as_of").StringOrNull(r.as_of);
      break;
    case CheckType::kRowCount:
      break;
    case CheckType::kSchema:
      w->Key("missing_columns").BeginArray();
      for (const std::string& c : r.missing_columns) w->String(c);
      w->EndArray().Key("extra_columns").BeginArray();
      for (const std::string& c : r.extra_columns) w->String(c);
      w->EndArray().Key("renamed").BeginArray();
      for (const auto& [from, to] : r.renamed) {
        w->BeginObject().Key("expected").String(from).Key("found").String(to).EndObject();
      }
      w->EndArray().Key("extra").String(ExtraColumnsName(r.def.extra));
      break;
  }
  w->EndObject();
}

void JsonCheck(const CheckResult& r, JsonWriter* w) {
  w->BeginObject().Key("id").String(CheckTypeName(r.def.type)).Key("name").String(r.def.name);
  w->Key("description").StringOrNull(r.def.description).Key("source").String(r.def.source);
  w->Key("columns").BeginArray();
  for (const auto& c : r.def.columns) w->String(c);
  w->EndArray().Key("status").String(CheckStatusName(r.status)).Key("error");
  if (Ran(r)) {
    w->Null();
  } else {
    w->String(r.error);
  }
  w->Key("metric").String(r.metric).Key("value");
  if (Ran(r)) {
    w->Double(r.percent).Key("numerator").Int(r.violations).Key("denominator").Int(r.denominator);
  } else {
    w->Null().Key("numerator").Null().Key("denominator").Null();
  }
  w->Key("thresholds").BeginObject();
  JsonLimit(r.def.fail, &w->Key("fail"));
  JsonLimit(r.def.warn, &w->Key("warn"));
  w->EndObject().Key("breached").StringOrNull(r.breached);
  JsonCounts(r, &w->Key("counts"));
  w->Key("samples").BeginArray();
  for (const CheckSample& s : r.samples) {
    w->BeginObject().Key("line").Int(s.line).Key("row").Int(s.row).Key("column").String(s.column);
    w->Key("value").String(s.value).Key("normalized").StringOrNull(s.normalized);
    w->Key("rule").String(s.rule).EndObject();
  }
  w->EndArray();
  if (r.def.type == CheckType::kUniqueness) {
    w->Key("near_duplicates").BeginArray();
    for (const NearPair& p : r.near) {
      w->BeginObject().Key("a").String(p.a).Key("b").String(p.b);
      w->Key("original_a").String(p.original_a).Key("original_b").String(p.original_b);
      w->Key("line_a").Int(p.line_a).Key("line_b").Int(p.line_b);
      w->Key("similarity").Double(p.similarity).Key("shared_token").String(p.shared_token);
      w->EndObject();
    }
    w->EndArray();
  }
  w->EndObject();
}

// The overall status the exit code stands for.
std::string_view OverallStatus(const CheckRun& run, int exit_code) {
  if (exit_code == 0) return CountStatuses(run).warn != 0 ? "warn" : "pass";
  if (exit_code == ToInt(ExitCode::kCheckFailed)) return "fail";
  return "error";
}

}  // namespace

std::string WriteJson(const CheckRun& run, int exit_code) {
  const Tally t = CountStatuses(run);
  JsonWriter w;
  w.BeginObject().VersionKeys().Key("command").String("check");
  w.Key("status").String(OverallStatus(run, exit_code)).Key("exit_code").Int(exit_code);
  w.Newline().Key("as_of").StringOrNull(run.as_of);
  w.Key("as_of_source").StringOrNull(run.as_of_source);
  w.Newline().Key("summary").BeginObject().Key("checks").Int(run.checks.size());
  w.Key("pass").Int(t.pass).Key("warn").Int(t.warn).Key("fail").Int(t.fail);
  w.Key("error").Int(t.error).EndObject();
  w.Newline().Key("invalid_rows_written").Int(run.invalid_rows_written);
  w.Newline().Key("sources").BeginArray();
  for (const SourceCheckSummary& s : run.sources) {
    w.Newline().BeginObject().Key("id").String(s.id).Key("file").String(s.file);
    w.Key("rows").Int(s.rows).Key("structural_errors").Int(s.structural_errors);
    w.Key("encoding").String(s.encoding).Key("encoding_detected").Bool(s.encoding_detected);
    w.EndObject();
  }
  w.EndArray().Newline().Key("checks").BeginArray();
  for (const CheckResult& r : run.checks) JsonCheck(r, &w.Newline());
  w.EndArray().EndObject().Newline();
  return w.Take();
}

// ---- csv ---------------------------------------------------------------------------------

std::string WriteCsv(const CheckRun& run) {
  std::string out =
      "source,name,id,columns,status,metric,value,numerator,denominator,fail,warn,error\n";
  for (const CheckResult& r : run.checks) {
    const bool ran = Ran(r);
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", CsvField(ValidUtf8(r.def.source)),
                       CsvField(ValidUtf8(r.def.name)), CheckTypeName(r.def.type),
                       CsvField(ValidUtf8(Join(r.def.columns, ","))), CheckStatusName(r.status),
                       CsvField(r.metric), ran && r.percent ? NumOrNull(r.percent) : "",
                       ran ? std::to_string(r.violations) : "",
                       ran ? std::to_string(r.denominator) : "",
                       r.def.fail ? CsvField(LimitText(*r.def.fail)) : "",
                       r.def.warn ? CsvField(LimitText(*r.def.warn)) : "",
                       ran ? "" : CsvField(ValidUtf8(r.error)));
  }
  return out;
}

}  // namespace crmkpi::check_writing
