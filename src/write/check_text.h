// The texts every `crmkpi check` format shares (check_writer.h): untrusted text made safe,
// counts, threshold, metric and detail texts, the status tally and the checks grouped by source.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/definition/check_def.h"

namespace crmkpi::check_writing {

// ---- untrusted text ----------------------------------------------------------------------

// |s| with every invalid UTF-8 sequence (and a cut-off one at the end) replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);

// Valid UTF-8 without control characters: C0 controls and DEL become "\t", "\n", "\r" or
// "\xNN", C1 controls "\u0080".."\u009f", the non-characters U+FFFE/U+FFFF "\ufffe"/"\uffff"
// (they are not allowed in XML). |keep_lines| keeps tab, LF and CR as they are (XML bodies).
std::string Visible(std::string_view text, bool keep_lines = false);

// ---- shared texts ------------------------------------------------------------------------

// "1,234".
std::string Count(std::uint64_t n);

// A double as JSON/CSV writes it: shortest round-trip ("5", "33.333333333333336").
std::string Shortest(double v);

// Fixed() without a negative zero: a value that rounds to zero ("-0.0" for a timestamp 2
// minutes after --as-of) prints unsigned, as 0.0.
std::string Decimal(double v, int decimals);

std::string Join(const std::vector<std::string>& items, std::string_view sep);

// "PASS", "WARN", "FAIL", "ERROR".
std::string StatusLabel(CheckStatus s);

// False for a check that could not run.
bool Ran(const CheckResult& r);

// A limit as written; rebuilt from its value when the text is missing.
std::string LimitText(const Limit& l);

// "fail > 5%, warn > 1%", "fail > 0 (default)", "warn > 1% (never fails)"; row_count:
// "fail < 1000, warn < 5000", "fail < 1 (default)"; schema: "missing fails, extra: allow".
std::string ThresholdText(const CheckDef& d);

// "2 / 6 = 33.3 %", "n/a (no rows)", "" (the check did not run); row_count "1,234 rows";
// schema "1 of 5 missing, 2 extra".
std::string MetricText(const CheckResult& r);

// Uniqueness N − D (never negative).
std::uint64_t DuplicateCount(const CheckResult& r);

// The key counts of a check, by type, in one line ("error: WHY" for a check that could not
// run; "no rows: ..." first when an empty source failed or warned it).
std::string Details(const CheckResult& r);

struct Tally {
  std::uint64_t pass = 0, warn = 0, fail = 0, error = 0;
};

Tally CountStatuses(const CheckRun& run);

// "3 checks: 1 pass, 1 warn, 1 fail, 0 error → exit 1".
std::string SummaryLine(const CheckRun& run, int exit_code);

// The checks of one source, for the formats that group by source.
struct SourceGroup {
  std::string id;
  const SourceCheckSummary* summary = nullptr;  // null: the run has no summary for it
  std::vector<const CheckResult*> checks;       // in definition order
};

// One group per entry of CheckRun::sources, in that order, then one per other source named by a
// check (check_writer.h, "Common conventions").
std::vector<SourceGroup> GroupBySource(const CheckRun& run);

// "contacts.csv: 6 rows, utf-8[, 2 structural errors]" (made visible).
std::string SourceLine(const SourceGroup& g);

}  // namespace crmkpi::check_writing
