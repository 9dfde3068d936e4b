#include "crmkpi/write/check_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"
#include "crmkpi/write/json_writer.h"
#include "text_table.h"

namespace crmkpi {
namespace {

// ---- untrusted text ----------------------------------------------------------------------

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// |s| with every invalid UTF-8 sequence (and a cut-off one at the end) replaced by U+FFFD.
std::string ValidUtf8(std::string_view s) {
  std::size_t tail = 0;
  std::size_t bad = FindInvalidUtf8(s.data(), s.size(), &tail);
  if (bad == s.size() && tail == 0) return std::string(s);
  std::string out;
  for (;;) {
    if (bad == s.size()) {
      out.append(s.substr(0, s.size() - tail));
      if (tail != 0) out += kReplacement;
      return out;
    }
    out.append(s.substr(0, bad));
    out += kReplacement;
    s.remove_prefix(bad + 1);
    bad = FindInvalidUtf8(s.data(), s.size(), &tail);
  }
}

// Valid UTF-8 without control characters: C0 controls and DEL become "\t", "\n", "\r" or
// "\xNN", C1 controls "\u0080".."\u009f", the non-characters U+FFFE/U+FFFF "\ufffe"/"\uffff"
// (they are not allowed in XML). |keep_lines| keeps tab, LF and CR as they are (XML bodies).
std::string Visible(std::string_view text, bool keep_lines = false) {
  const std::string s = ValidUtf8(text);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      const bool line = c == '\t' || c == '\n' || c == '\r';
      out += keep_lines && line ? std::string(1, s[i]) : EscapeControls(std::string_view(&s[i], 1));
    } else if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      // s is valid UTF-8, so a C2 lead byte has its continuation byte (0x80..0xBF) after it.
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(s[i + 1])));
      ++i;
    } else if (c == 0xEF && s[i + 1] == '\xBF' && (s[i + 2] == '\xBE' || s[i + 2] == '\xBF')) {
      out += s[i + 2] == '\xBE' ? "\\ufffe" : "\\uffff";
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// ---- shared texts ------------------------------------------------------------------------

std::string Count(std::uint64_t n) { return GroupThousands(std::to_string(n)); }

// A double as JSON/CSV writes it: shortest round-trip ("5", "33.333333333333336").
std::string Shortest(double v) {
  if (v == 0) v = 0;  // no "-0"
  return fmt::format("{}", v);
}

// Fixed() without a negative zero: a value that rounds to zero ("-0.0" for a timestamp 2
// minutes after --as-of) prints unsigned, as 0.0.
std::string Decimal(double v, int decimals) {
  std::string s = Fixed(v, decimals);
  if (!s.empty() && s[0] == '-' && s.find_first_not_of("0.,", 1) == std::string::npos) {
    s.erase(0, 1);
  }
  return s;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string StatusLabel(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "PASS";
    case CheckStatus::kWarn:
      return "WARN";
    case CheckStatus::kFail:
      return "FAIL";
    case CheckStatus::kError:
      return "ERROR";
  }
  return "?";
}

bool Ran(const CheckResult& r) { return r.status != CheckStatus::kError; }

// A limit as written; rebuilt from its value when the text is missing.
std::string LimitText(const Limit& l) {
  if (!l.text.empty()) return l.text;
  return l.percent ? Shortest(l.value) + "%" : Shortest(l.value);
}

// "fail > 5%, warn > 1%", "fail > 0 (default)", "warn > 1% (never fails)"; row_count:
// "fail < 1000, warn < 5000", "fail < 1 (default)"; schema: "missing fails, extra: allow".
std::string ThresholdText(const CheckDef& d) {
  if (d.type == CheckType::kRowCount) {
    if (!d.fail && d.warn) return "warn < " + LimitText(*d.warn) + " (never fails)";
    std::string out = d.fail ? "fail < " + LimitText(*d.fail) : "fail < 1 (default)";
    if (d.warn) out += ", warn < " + LimitText(*d.warn);
    return out;
  }
  if (d.type == CheckType::kSchema) {
    return std::string("missing fails, extra: ") + ExtraColumnsName(d.extra);
  }
  if (!d.fail && d.warn) return "warn > " + LimitText(*d.warn) + " (never fails)";
  std::string out = d.fail ? "fail > " + LimitText(*d.fail) : "fail > 0 (default)";
  if (d.warn) out += ", warn > " + LimitText(*d.warn);
  return out;
}

// "2 / 6 = 33.3 %", "n/a (no rows)", "" (the check did not run); row_count "1,234 rows";
// schema "1 of 5 missing, 2 extra".
std::string MetricText(const CheckResult& r) {
  if (!Ran(r)) return "";
  if (r.def.type == CheckType::kRowCount) {
    return fmt::format("{} row{}", Count(r.rows), r.rows == 1 ? "" : "s");
  }
  if (r.def.type == CheckType::kSchema) {
    return fmt::format("{} of {} missing, {} extra", r.missing_columns.size(), r.denominator,
                       r.extra_columns.size());
  }
  if (!r.percent) return "n/a (no rows)";
  return fmt::format("{} / {} = {} %", Count(r.violations), Count(r.denominator),
                     Decimal(*r.percent, 1));
}

// Uniqueness N − D (never negative).
std::uint64_t DuplicateCount(const CheckResult& r) {
  return r.denominator >= r.distinct ? r.denominator - r.distinct : 0;
}

// "'A', 'B'" for the details line.
std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

// The key counts of a check, by type, in one line.
std::string TypeDetails(const CheckResult& r);
std::string Details(const CheckResult& r) {
  if (!Ran(r)) return "error: " + r.error;
  // An empty source failed (or warned) the check: say so first.
  if (CountsRows(r.def.type) && r.rows == 0 &&
      (r.status == CheckStatus::kFail || r.status == CheckStatus::kWarn)) {
    return "no rows: the source has no data rows (--allow-empty or allow_empty = true accepts "
           "that); " +
           TypeDetails(r);
  }
  return TypeDetails(r);
}

std::string TypeDetails(const CheckResult& r) {
  switch (r.def.type) {
    case CheckType::kCompleteness: {
      std::string out;
      for (const auto& [column, n] : r.missing_by_column) {
        out += (out.empty() ? "missing " : ", ") + column + " " + Count(n);
      }
      if (!out.empty()) out += "; ";
      out += fmt::format("complete records {} of {}", Count(r.complete_records), Count(r.rows));
      if (r.structural_errors != 0) {
        out += fmt::format("; {} structural error{}", Count(r.structural_errors),
                           r.structural_errors == 1 ? "" : "s");
      }
      return out;
    }
    case CheckType::kUniqueness:
      return fmt::format(
          "N {}, D {}, duplicates {}, groups {}, rows in groups {}, missing keys {}, "
          "normalize {}",
          Count(r.denominator), Count(r.distinct), Count(DuplicateCount(r)),
          Count(r.duplicate_groups), Count(r.rows_in_duplicate_groups), Count(r.missing_key),
          r.def.normalize.empty() ? "none" : r.def.normalize);
    case CheckType::kValidity: {
      std::string out = fmt::format("rule {}, invalid {}, N {}, missing {}, not applicable {}",
                                    r.def.rule, Count(r.violations), Count(r.denominator),
                                    Count(r.missing), Count(r.not_applicable));
      if (!r.def.when.empty()) out += ", when " + r.def.when;
      return out;
    }
    case CheckType::kTimeliness:
      return fmt::format(
          "max age {} d, stale {}, invalid {}, missing {}, newest {}, freshness {}, as of {}",
          Shortest(r.def.max_age_days), Count(r.violations), Count(r.invalid_timestamps),
          Count(r.missing), r.newest.empty() ? "none" : r.newest,
          r.freshness_days ? Decimal(*r.freshness_days, 1) + " d" : "n/a", r.as_of);
    case CheckType::kRowCount:
      if (r.rows == 0) return "no rows: the source has no data rows";
      return fmt::format("rows {}", Count(r.rows));
    case CheckType::kSchema: {
      std::vector<std::string> parts;
      std::vector<std::string> plain;  // missing and not renamed
      for (const std::string& m : r.missing_columns) {
        if (std::none_of(r.renamed.begin(), r.renamed.end(),
                         [&](const auto& p) { return p.first == m; })) {
          plain.push_back(m);
        }
      }
      if (!plain.empty()) parts.push_back("missing " + QuotedList(plain));
      for (const auto& [from, to] : r.renamed) {
        parts.push_back(fmt::format("renamed? '{}' → '{}'", from, to));
      }
      if (!r.extra_columns.empty()) parts.push_back("extra " + QuotedList(r.extra_columns));
      if (parts.empty()) parts.push_back(fmt::format("all {} expected columns present",
                                                     r.denominator));
      parts.push_back(std::string("extra = ") + ExtraColumnsName(r.def.extra));
      return Join(parts, "; ");
    }
  }
  return "";
}

// 'line 3 (row 2) email = "Foo" → "foo": duplicate of line 2' (made visible).
std::string SampleLine(const CheckSample& s) {
  if (s.row == 0) return Visible(fmt::format("line {} (header) {}: {}", s.line, s.column, s.rule));
  std::string out = fmt::format("line {} (row {}) {} = \"{}\"", s.line, s.row, s.column, s.value);
  if (!s.normalized.empty()) out += fmt::format(" → \"{}\"", s.normalized);
  if (!s.rule.empty()) out += ": " + s.rule;
  return Visible(out);
}

// '"ABC株式会社" (line 3) ~ "株式会社ABC" (line 9): similarity 0.92, shared token "abc"'.
std::string NearLine(const NearPair& p) {
  std::string out = fmt::format("\"{}\" (line {}) ~ \"{}\" (line {}): similarity {}", p.original_a,
                                p.line_a, p.original_b, p.line_b, Decimal(p.similarity, 2));
  if (!p.shared_token.empty()) out += fmt::format(", shared token \"{}\"", p.shared_token);
  return Visible(out);
}

struct Tally {
  std::uint64_t pass = 0, warn = 0, fail = 0, error = 0;
};

Tally CountStatuses(const CheckRun& run) {
  Tally t;
  for (const CheckResult& r : run.checks) {
    switch (r.status) {
      case CheckStatus::kPass:
        ++t.pass;
        break;
      case CheckStatus::kWarn:
        ++t.warn;
        break;
      case CheckStatus::kFail:
        ++t.fail;
        break;
      case CheckStatus::kError:
        ++t.error;
        break;
    }
  }
  return t;
}

// "3 checks: 1 pass, 1 warn, 1 fail, 0 error → exit 1".
std::string SummaryLine(const CheckRun& run, int exit_code) {
  const Tally t = CountStatuses(run);
  return fmt::format("{} check{}: {} pass, {} warn, {} fail, {} error → exit {}", run.checks.size(),
                     run.checks.size() == 1 ? "" : "s", t.pass, t.warn, t.fail, t.error, exit_code);
}

// The checks of one source, for the formats that group by source.
struct SourceGroup {
  std::string id;
  const SourceCheckSummary* summary = nullptr;  // null: the run has no summary for it
  std::vector<const CheckResult*> checks;       // in definition order
};

std::vector<SourceGroup> GroupBySource(const CheckRun& run) {
  std::vector<SourceGroup> groups;
  for (const SourceCheckSummary& s : run.sources) groups.push_back({s.id, &s, {}});
  const std::size_t known = groups.size();
  for (const CheckResult& r : run.checks) {
    SourceGroup* target = nullptr;
    for (std::size_t i = 0; i < known && !target; ++i) {
      if (groups[i].id == r.def.source) target = &groups[i];
    }
    for (std::size_t i = 0; i < known && !target; ++i) {
      if (groups[i].summary->file == r.def.source) target = &groups[i];
    }
    for (std::size_t i = known; i < groups.size() && !target; ++i) {
      if (groups[i].id == r.def.source) target = &groups[i];
    }
    if (!target) {
      groups.push_back({r.def.source, nullptr, {}});
      target = &groups.back();
    }
    target->checks.push_back(&r);
  }
  return groups;
}

// "contacts.csv", or "contacts (contacts.csv)" when the source id is not the file name.
std::string SourceName(const SourceGroup& g) {
  if (!g.summary || g.summary->file.empty() || g.summary->file == g.id) return g.id;
  return fmt::format("{} ({})", g.id, g.summary->file);
}

// "contacts.csv: 6 rows, utf-8[, 2 structural errors]" (made visible).
std::string SourceLine(const SourceGroup& g) {
  if (!g.summary) return Visible(g.id);
  const SourceCheckSummary& s = *g.summary;
  std::string out =
      fmt::format("{}: {} row{}", SourceName(g), Count(s.rows), s.rows == 1 ? "" : "s");
  if (!s.encoding.empty()) out += ", " + s.encoding;
  if (s.structural_errors != 0) {
    out += fmt::format(", {} structural error{}", Count(s.structural_errors),
                       s.structural_errors == 1 ? "" : "s");
  }
  return Visible(out);
}

// ---- table -------------------------------------------------------------------------------

void AddRow(Table& t, std::vector<std::string> cells) {
  for (auto& c : cells) c = Visible(c);
  t.rows.push_back(std::move(cells));
}

std::string Indent(const std::string& text, std::string_view prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size() - 1;
    out += prefix;
    out.append(text, start, end - start + 1);
    start = end + 1;
  }
  return out;
}

bool ShowsSamples(const CheckResult& r) {
  return (r.status == CheckStatus::kFail || r.status == CheckStatus::kWarn) && !r.samples.empty();
}

std::string SampleTable(const CheckResult& r) {
  bool normalized = false;
  for (const CheckSample& s : r.samples) normalized = normalized || !s.normalized.empty();
  Table t;
  t.head = {"line", "row", "column", "value"};
  t.right = {true, true, false, false};
  if (normalized) {
    t.head.push_back("normalized");
    t.right.push_back(false);
  }
  t.head.push_back("rule");
  t.right.push_back(false);
  for (const CheckSample& s : r.samples) {
    std::vector<std::string> cells = {std::to_string(s.line), std::to_string(s.row), s.column,
                                      s.value};
    if (normalized) cells.push_back(s.normalized);
    cells.push_back(s.rule);
    AddRow(t, std::move(cells));
  }
  return t.Render(false);
}

std::string NearTable(const CheckResult& r) {
  Table t;
  t.head = {"similarity", "value", "line", "value", "line", "shared token"};
  t.right = {true, false, true, false, true, false};
  for (const NearPair& p : r.near) {
    AddRow(t, {Decimal(p.similarity, 2), p.original_a, std::to_string(p.line_a), p.original_b,
               std::to_string(p.line_b), p.shared_token});
  }
  return t.Render(false);
}

std::string WriteTable(const CheckRun& run, int exit_code) {
  std::string out;
  for (const SourceGroup& g : GroupBySource(run)) {
    if (!out.empty()) out += "\n";
    out += SourceLine(g) + "\n";
    if (g.checks.empty()) continue;
    Table t;
    t.head = {"status", "check", "type", "columns", "violations", "threshold", "details"};
    t.right = {false, false, false, false, false, false, false};
    for (const CheckResult* r : g.checks) {
      AddRow(t, {StatusLabel(r->status), r->def.name, CheckTypeName(r->def.type),
                 Join(r->def.columns, ", "), MetricText(*r), ThresholdText(r->def), Details(*r)});
    }
    out += t.Render(false);
    for (const CheckResult* r : g.checks) {
      if (ShowsSamples(*r)) {
        out += fmt::format("\n{} {}: samples\n", StatusLabel(r->status), Visible(r->def.name));
        out += Indent(SampleTable(*r), "  ");
      }
      if (!r->near.empty()) {
        out += fmt::format("\n{}: near-duplicate candidates (candidates, not counted; {} of {})\n",
                           Visible(r->def.name), r->near.size(), r->near_total);
        out += Indent(NearTable(*r), "  ");
      }
    }
  }
  if (!out.empty()) out += "\n";
  if (run.invalid_rows_written != 0) {
    out += fmt::format("{} invalid row{} written\n", Count(run.invalid_rows_written),
                       run.invalid_rows_written == 1 ? "" : "s");
  }
  return out + SummaryLine(run, exit_code) + "\n";
}

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
    w.Key("encoding").String(s.encoding).EndObject();
  }
  w.EndArray().Newline().Key("checks").BeginArray();
  for (const CheckResult& r : run.checks) JsonCheck(r, &w.Newline());
  w.EndArray().EndObject().Newline();
  return w.Take();
}

// ---- junit -------------------------------------------------------------------------------

// XML character data / attribute value: visible (so only characters XML 1.0 allows), with
// & < > " ' escaped, and CR (and in attributes tab and LF) as character references so a
// parser's end-of-line and attribute normalisation keep them.
std::string Xml(std::string_view text, bool attribute) {
  const std::string s = Visible(text, /*keep_lines=*/true);
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}
std::string XmlAttr(std::string_view s) { return Xml(s, true); }
std::string XmlText(std::string_view s) { return Xml(s, false); }

// A source's name in JUnit suite and class names: the INI source id, or for a file named on the
// command line its base name, so "./a.csv", "a.csv" and "/abs/a.csv" give the same names (CI
// servers track a test's history by them). The path as given is the suite's "file" property.
std::string StableName(const std::string& id) {
  const std::size_t slash = id.find_last_of('/');
  if (slash == std::string::npos || slash + 1 == id.size()) return id;
  return id.substr(slash + 1);
}

// <properties> of a testcase that warned (or failed only because of --fail-on-warn).
std::string StatusProperties(const char* status, bool fail_on_warn) {
  std::string out = "      <properties>\n";
  out += fmt::format("        <property name=\"status\" value=\"{}\"/>\n", status);
  if (fail_on_warn) {
    out += "        <property name=\"failed_by\" value=\"--fail-on-warn\"/>\n";
  }
  return out + "      </properties>\n";
}

// The text of a testcase: status line, details, samples, near-duplicate candidates.
std::string CaseBody(const CheckResult& r) {
  if (!Ran(r)) return fmt::format("ERROR {}: {}\n", CheckTypeName(r.def.type), r.error);
  std::string out =
      fmt::format("{} {} {}: {} ({})\n", StatusLabel(r.status), CheckTypeName(r.def.type), r.metric,
                  MetricText(r), ThresholdText(r.def));
  out += Visible(Details(r)) + "\n";
  if (!r.samples.empty()) {
    out += "samples:\n";
    for (const CheckSample& s : r.samples) out += "  " + SampleLine(s) + "\n";
  }
  if (!r.near.empty()) {
    out += "near-duplicate candidates (candidates, not counted):\n";
    for (const NearPair& p : r.near) out += "  " + NearLine(p) + "\n";
  }
  return out;
}

std::string WriteJunit(const CheckRun& run) {
  const Tally t = CountStatuses(run);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"crmkpi check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "skipped=\"0\" time=\"0\">\n",
      run.checks.size(), t.fail, t.error);
  for (const SourceGroup& g : GroupBySource(run)) {
    if (g.checks.empty()) continue;
    std::uint64_t failures = 0, errors = 0;
    for (const CheckResult* r : g.checks) {
      failures += r->status == CheckStatus::kFail;
      errors += r->status == CheckStatus::kError;
    }
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" "
        "time=\"0\">\n",
        XmlAttr(StableName(g.id)), g.checks.size(), failures, errors);
    std::vector<std::pair<std::string, std::string>> props;
    if (g.summary) {
      props = {{"file", g.summary->file},
               {"rows", std::to_string(g.summary->rows)},
               {"structural_errors", std::to_string(g.summary->structural_errors)},
               {"encoding", g.summary->encoding}};
    }
    // The as-of matters only to timeliness checks (and comes from the clock without --as-of).
    bool timeliness = false;
    for (const CheckResult* r : g.checks) timeliness |= r->def.type == CheckType::kTimeliness;
    if (timeliness && !run.as_of.empty()) props.push_back({"as_of", run.as_of});
    if (!props.empty()) {
      out += "    <properties>\n";
      for (const auto& [name, value] : props) {
        out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, XmlAttr(value));
      }
      out += "    </properties>\n";
    }
    // Jenkins splits a classname at its last '.' into package and class: keep the file
    // name's dots out of it ("contacts.csv" → "crmkpi.check.contacts_csv").
    std::string source = StableName(g.id);
    std::replace(source.begin(), source.end(), '.', '_');
    const std::string classname = "crmkpi.check." + source;
    for (const CheckResult* r : g.checks) {
      std::string name = r->def.name;
      if (!r->def.columns.empty()) name += " (" + Join(r->def.columns, ", ") + ")";
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n",
                         XmlAttr(classname), XmlAttr(name));
      switch (r->status) {
        case CheckStatus::kFail:
          if (r->failed_on_warn) out += StatusProperties("warn", true);
          out += fmt::format(
              "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
              XmlAttr(fmt::format("{}{}: {} ({})",
                                  r->failed_on_warn ? "warning failed by --fail-on-warn: " : "",
                                  r->metric, MetricText(*r), ThresholdText(r->def))),
              CheckTypeName(r->def.type), XmlText(CaseBody(*r)));
          break;
        case CheckStatus::kError:
          out += fmt::format("      <error message=\"{}\" type=\"{}\">{}</error>\n",
                             XmlAttr(r->error), CheckTypeName(r->def.type), XmlText(CaseBody(*r)));
          break;
        case CheckStatus::kPass:
          out += fmt::format("      <system-out>{}</system-out>\n", XmlText(CaseBody(*r)));
          break;
        case CheckStatus::kWarn:
          // A passing testcase (a warning does not fail the job), marked as a warning where CI
          // servers show it: a status property and a "WARN: ..." line in <system-err>.
          out += StatusProperties("warn", false);
          out += fmt::format("      <system-out>{}</system-out>\n", XmlText(CaseBody(*r)));
          out += fmt::format(
              "      <system-err>{}</system-err>\n",
              XmlText(fmt::format("WARN: {} — {}\n",
                                  r->breached.rfind("warn: ", 0) == 0 ? r->breached.substr(6)
                                                                      : r->breached,
                                  MetricText(*r))));
          break;
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
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

// ---- markdown ----------------------------------------------------------------------------

// Untrusted text in Markdown prose or a table cell: visible, with the characters that start
// inline markup (emphasis, code, links, HTML tags) backslash-escaped. Table escapes '|'
// itself; '>' only quotes at the start of a line, which no cell or list item has.
std::string MdText(std::string_view text) {
  const std::string s = Visible(text);
  std::string out;
  for (const char c : s) {
    if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '<' || c == '[' || c == ']') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

// A code span holding |text| literally: fenced with one more backtick than the longest run
// inside, padded when the text starts or ends with a backtick; "(empty)" for "".
std::string MdCode(std::string_view text) {
  const std::string s = Visible(text);
  if (s.empty()) return "(empty)";
  std::size_t longest = 0, run = 0;
  for (const char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = s.front() == '`' || s.back() == '`';
  return fence + (pad ? " " : "") + s + (pad ? " " : "") + fence;
}

std::string WriteMarkdown(const CheckRun& run, int exit_code) {
  std::string out = "# crmkpi check\n\n**" + SummaryLine(run, exit_code) + "**\n\n";
  const std::vector<SourceGroup> groups = GroupBySource(run);
  for (const SourceGroup& g : groups) out += "- " + MdText(SourceLine(g)) + "\n";
  if (!groups.empty()) out += "\n";
  if (run.invalid_rows_written != 0) {
    out += fmt::format("{} invalid row{} written.\n\n", Count(run.invalid_rows_written),
                       run.invalid_rows_written == 1 ? "" : "s");
  }
  Table t;
  t.head = {"source", "check", "type", "columns", "status", "violations", "threshold", "details"};
  t.right = {false, false, false, false, false, false, false, false};
  for (const SourceGroup& g : groups) {
    for (const CheckResult* r : g.checks) {
      t.rows.push_back({MdText(r->def.source), MdText(r->def.name), CheckTypeName(r->def.type),
                        MdText(Join(r->def.columns, ", ")), StatusLabel(r->status), MetricText(*r),
                        MdText(ThresholdText(r->def)), MdText(Details(*r))});
    }
  }
  if (!t.rows.empty()) out += t.Render(true);

  std::string samples;
  for (const SourceGroup& g : groups) {
    for (const CheckResult* r : g.checks) {
      if (ShowsSamples(*r)) {
        samples += fmt::format("\n### {} {} ({})\n\n", StatusLabel(r->status), MdText(r->def.name),
                               MdText(r->def.source));
        for (const CheckSample& s : r->samples) {
          if (s.row == 0) {  // a schema check's header column
            samples += fmt::format("- line {} (header), {} — {}\n", s.line, MdCode(s.column),
                                   MdText(s.rule));
            continue;
          }
          samples += fmt::format("- line {} (row {}), {}: {}", s.line, s.row, MdCode(s.column),
                                 MdCode(s.value));
          if (!s.normalized.empty()) samples += " → " + MdCode(s.normalized);
          if (!s.rule.empty()) samples += " — " + MdText(s.rule);
          samples += "\n";
        }
      }
      if (!r->near.empty()) {
        samples += fmt::format("\n### {}: near-duplicate candidates (candidates, not counted)\n\n",
                               MdText(r->def.name));
        for (const NearPair& p : r->near) {
          samples +=
              fmt::format("- {} (line {}) ~ {} (line {}): similarity {}", MdCode(p.original_a),
                          p.line_a, MdCode(p.original_b), p.line_b, Decimal(p.similarity, 2));
          if (!p.shared_token.empty()) samples += ", shared token " + MdCode(p.shared_token);
          samples += "\n";
        }
      }
    }
  }
  if (!samples.empty()) out += "\n## Samples\n" + samples;
  return out;
}

}  // namespace

CheckFormat ParseCheckFormat(std::string_view name) {
  if (name == "table") return CheckFormat::kTable;
  if (name == "json") return CheckFormat::kJson;
  if (name == "junit") return CheckFormat::kJunit;
  if (name == "csv") return CheckFormat::kCsv;
  if (name == "md" || name == "markdown") return CheckFormat::kMarkdown;
  throw Error::Usage(
      fmt::format("--format: unknown format '{}' (table, json, junit, csv, md)", name));
}

std::string WriteChecks(const CheckRun& run, CheckFormat format, int exit_code) {
  switch (format) {
    case CheckFormat::kTable:
      return WriteTable(run, exit_code);
    case CheckFormat::kJson:
      return WriteJson(run, exit_code);
    case CheckFormat::kJunit:
      return WriteJunit(run);
    case CheckFormat::kCsv:
      return WriteCsv(run);
    case CheckFormat::kMarkdown:
      return WriteMarkdown(run, exit_code);
  }
  return {};
}

}  // namespace crmkpi
