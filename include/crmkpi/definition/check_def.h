// Data-quality checks (`crmkpi check`): what is checked (CheckDef, from the INI's [check]
// sections or from the command-line shorthand) and what came out (CheckResult). Definitions of
// every count are in docs/quality.md; the engine is quality_run.h, the writers check_writer.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkpi/base/error.h"

namespace crmkpi {

enum class CheckType { kCompleteness, kUniqueness, kValidity, kTimeliness, kRowCount, kSchema };

// "completeness", "uniqueness", "validity", "timeliness", "row_count", "schema" (the JSON ids).
const char* CheckTypeName(CheckType t);

// A limit on a check's violations: the check breaches it when violations > limit, counted as
// rows (or cells) or as a percent of the check's denominator. "5%" → percent 5; "10" → count 10.
struct Limit {
  bool percent = false;
  double value = 0;  // a count (whole number) or a percent 0..100
  std::string text;  // as written, for reports: "5%", "10"
};
// Parses "5%", "0.5 %", "10"; nullopt for anything else (negative, > 100 %, fractional count).
std::optional<Limit> ParseLimit(std::string_view text);
// A number of days for max_age_days: plain decimal >= 0 ("30", "1.5"); nullopt otherwise.
std::optional<double> ParseDays(std::string_view text);

// What a schema check does with header columns it was not told to expect.
enum class ExtraColumns { kAllow, kWarn, kFail };
const char* ExtraColumnsName(ExtraColumns e);  // "allow", "warn", "fail"

// Checks that count rows (every type but schema, whose header alone decides it, and row_count,
// whose limits are minimums): on a source with no data rows they fail ("no rows") unless
// allow_empty.
bool CountsRows(CheckType t);

struct CheckDef {
  std::string name;  // INI section id, or "TYPE:COLUMNS" for flag checks
  CheckType type = CheckType::kCompleteness;
  SourceLoc loc;
  std::string source;                // source id (INI) or the file's display name (flags)
  std::vector<std::string> columns;  // completeness: required columns; uniqueness: key parts;
                                     // validity, timeliness: one column; schema: the
                                     // expected header names; row_count: none
  std::string normalize;  // uniqueness: normaliser chain ("trim,lower"), empty = none
  std::string rule;       // validity: rule text (validity_rule.h), e.g. "email", "in(a,b)"
  SourceLoc rule_loc;     // where the rule text starts (INI), for error messages
  std::string when;       // validity: where-expression; rows not matching are not evaluated
  double max_age_days = 0;  // timeliness
  std::optional<Limit> fail, warn;  // no limit at all = fail on any violation; only warn = never
                                    // fails. row_count: fail and warn are
                                    // minimums (row counts): R < fail fails, R < warn warns
  ExtraColumns extra = ExtraColumns::kAllow;  // schema: unexpected header columns
  bool allow_empty = false;  // a row-counting check on no rows passes (n/a) instead of failing
  std::string description;  // INI description, shown in JSON
  std::string near;  // uniqueness only: "" or a similarity threshold for near-duplicate
                     // candidates (0..1), reported, never gating
};

enum class CheckStatus { kPass, kWarn, kFail, kError };
const char* CheckStatusName(CheckStatus s);  // "pass", "warn", "fail", "error"

// A row that violated a check, for --samples.
struct CheckSample {
  std::uint64_t line = 0;      // 1-based physical line where the record starts
  std::uint64_t row = 0;       // 1-based data row (the header is row 0)
  std::string column;          // header name(s) of the offending field(s), "+"-joined for keys
  std::string value;           // original value (trimmed to 200 bytes)
  std::string normalized;      // uniqueness: the normalised key; else empty
  std::string rule;            // "missing", "duplicate of line 12", "email", "age 45.2 days > 30"
};

// Near-duplicate candidates: two distinct normalised names that look alike.
struct NearPair {
  std::string a, b;          // normalised keys
  std::string original_a, original_b;  // first original value seen for each
  std::uint64_t line_a = 0, line_b = 0;  // first line of each
  double similarity = 0;     // 0..1
  std::string shared_token;  // the distinctive token they share
};

struct CheckResult {
  CheckDef def;
  CheckStatus status = CheckStatus::kPass;
  std::string error;  // kError: why the check could not run (e.g. missing column)

  // The gated metric: violations / denominator. metric names: missing_percent,
  // duplicate_percent, invalid_percent, stale_percent, missing_columns_percent (schema);
  // row_count: violations = percent = R, denominator 0.
  std::string metric;
  std::uint64_t violations = 0;   // numerator
  std::uint64_t denominator = 0;  // R × columns, N, N, rows with a parseable timestamp,
                                  // expected columns
  std::optional<double> percent;  // 100·violations/denominator; nullopt when denominator = 0
  std::string breached;           // "fail" / "warn": which limit, with the compared quantity

  std::uint64_t rows = 0;  // R: data rows of the source
  // Completeness: per required column missing counts, and rows with every required field.
  std::vector<std::pair<std::string, std::uint64_t>> missing_by_column;
  std::uint64_t complete_records = 0;
  std::uint64_t structural_errors = 0;  // rows shorter than the header (their absent fields
                                        // are missing)
  // Uniqueness (N = denominator).
  std::uint64_t missing_key = 0;  // rows excluded because a key part is missing
  std::uint64_t distinct = 0;     // D
  std::uint64_t duplicate_groups = 0;
  std::uint64_t rows_in_duplicate_groups = 0;
  std::vector<NearPair> near;      // the best pairs, at most 50
  std::uint64_t near_total = 0;    // pairs found before that limit
  // Validity (N = denominator = non-missing values evaluated).
  std::uint64_t missing = 0;          // missing values (not evaluated)
  std::uint64_t not_applicable = 0;   // rows where `when` did not hold
  // Timeliness (denominator = rows with a parseable timestamp).
  std::uint64_t invalid_timestamps = 0;  // and `missing` for empty ones
  std::string as_of;                     // ISO 8601 UTC
  std::string newest;                    // newest timestamp, ISO 8601 UTC; empty when none
  std::optional<double> freshness_days;  // as_of − newest

  // Schema (denominator = expected columns, violations = the missing ones, renamed included).
  std::vector<std::string> missing_columns;  // expected, not in the header (in expected order)
  std::vector<std::string> extra_columns;    // in the header, not expected, not a rename target
  std::vector<std::pair<std::string, std::string>> renamed;  // likely renames: expected → header

  bool failed_on_warn = false;  // a warning that --fail-on-warn made a failure
  std::vector<CheckSample> samples;  // up to --samples, in file order
};

struct SourceCheckSummary {
  std::string id;       // source id
  std::string file;     // display name
  std::uint64_t rows = 0;
  std::uint64_t structural_errors = 0;
  std::string encoding;
  bool encoding_detected = false;  // chosen by --encoding auto
};

struct CheckRun {
  std::vector<SourceCheckSummary> sources;
  std::vector<CheckResult> checks;  // in definition order
  std::string as_of;                // the as-of used by timeliness checks (ISO 8601 UTC)
  std::string as_of_source;         // "--as-of" or "clock"
  std::uint64_t invalid_rows_written = 0;  // --invalid-out
};

}  // namespace crmkpi
