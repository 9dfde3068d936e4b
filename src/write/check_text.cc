// The texts every `crmkpi check` format shares (check_text.h): untrusted text made safe, counts,
// threshold, metric and detail texts, the status tally and the checks grouped by source.
#include "check_text.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"
#include "text_table.h"

namespace crmkpi::check_writing {

// ---- untrusted text ----------------------------------------------------------------------

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

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
std::string Visible(std::string_view text, bool keep_lines) {
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

namespace {

// "'A', 'B'" for the details line.
std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

// The key counts of a check, by type, in one line.
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

}  // namespace

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

namespace {

// "contacts.csv", or "contacts (contacts.csv)" when the source id is not the file name.
std::string SourceName(const SourceGroup& g) {
  if (!g.summary || g.summary->file.empty() || g.summary->file == g.id) return g.id;
  return fmt::format("{} ({})", g.id, g.summary->file);
}

}  // namespace

// "contacts.csv: 6 rows, utf-8[, 2 structural errors]" (made visible).
std::string SourceLine(const SourceGroup& g) {
  if (!g.summary) return Visible(g.id);
  const SourceCheckSummary& s = *g.summary;
  std::string out =
      fmt::format("{}: {} row{}", SourceName(g), Count(s.rows), s.rows == 1 ? "" : "s");
  if (!s.encoding.empty()) out += ", " + s.encoding;
  if (s.encoding_detected && s.encoding != "utf-8") out += " (detected)";
  if (s.structural_errors != 0) {
    out += fmt::format(", {} structural error{}", Count(s.structural_errors),
                       s.structural_errors == 1 ? "" : "s");
  }
  return Visible(out);
}

}  // namespace crmkpi::check_writing
