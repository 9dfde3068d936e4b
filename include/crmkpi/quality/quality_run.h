// The data-quality engine of `crmkpi check`: reads each source that has checks exactly once and
// evaluates every check of that source on every row (docs/quality.md has the definitions).
//
// Per row: the source filter (rows failing it are not part of R); a row shorter than the header
// is a structural error whose absent fields are missing, a longer one a structural error whose
// extra fields are ignored. Then each check:
//   completeness  each required column: missing (empty after trimming ASCII whitespace and
//                 U+3000, or equal to a missing token, ASCII-case-insensitively) → counted for
//                 the column; a row with every required field is a complete record.
//                 violations = missing cells, denominator = R × columns.
//   uniqueness    each key part is normalised (normalize.h); a row with a part missing before
//                 or empty after normalising is excluded (missing_key). The key is the single
//                 normalised part, or for several parts the parts each prefixed by its byte
//                 length, so ("a,b","c") ≠ ("a","b,c"). Keys are stored exactly (key_table.h).
//                 violations = N − D (the rows a keep-first dedup removes), denominator = N.
//   validity      the rule (validity_rule.h) on the column: valid / invalid / missing / not
//                 applicable. violations = invalid, denominator = N = valid + invalid.
//   timeliness    the column parsed with the source's DateParser: empty → missing, unparseable
//                 → invalid_timestamps; otherwise age = (as_of − t) / 86,400 s, stale when
//                 age > max_age_days. violations = stale, denominator = rows with a parseable
//                 timestamp; freshness = as_of − newest.
//   row_count     nothing per row: R against its minimums (fail when R < fail, default 1).
//   schema        nothing per row: the header against the expected names when the source is
//                 opened — missing, extra and likely renamed columns (quality.md, Schema).
// A row-counting check (not row_count, not schema) on R = 0 fails with "no rows" (warns when it
// has only a warn limit) unless allow_empty (CheckDef or CheckOptions).
// Memory grows with the distinct keys of uniqueness checks only (key bytes + about 50 bytes per
// key), never with rows.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/definition/check_def.h"
#include "crmkpi/definition/metric_def.h"
#include "crmkpi/engine/row_tap.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

// Where the rows that fail a check go (`check --invalid-out`): the raw header once, then each
// failing record's bytes, each followed by "\n". The command owns the file (it opens, commits or
// removes it), so the pass itself writes no files.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void Write(std::string_view bytes) = 0;
};

struct CheckOptions {
  std::map<std::string, std::string> file_overrides;  // source id → path ("-" = stdin)
  std::string default_tz;   // zone of sources without their own tz; empty = UTC
  std::string as_of;        // timeliness "now": a date or date-time; empty = the clock (UTC)
  std::string as_of_source;  // how as_of was given, for reports: "--as-of" (default), "definition"
  std::size_t samples = 20;  // per check
  RecordSink* invalid_out = nullptr;  // the quarantine: failing rows; nullptr = none
  std::vector<std::string> missing_tokens;  // for every source, besides its own
  bool allow_empty = false;  // every check as if allow_empty (--allow-empty)
  // Large UTF-8 sources are read on all cores, with results identical to the serial pass;
  // not with invalid_out or near-duplicate candidates (both need the rows in file order).
  ParallelOptions parallel;
};

// Runs |checks| over |sources| (each check names its source by id). Configuration errors (an
// unknown source, a bad rule, normaliser or threshold) throw Error(kUsage) before any row is
// read; unreadable or malformed input throws Error(kInput). A check whose column is not in the
// file does not throw: its result has status kError and says why. Thresholds are applied
// (status pass / warn / fail). Data warnings (structural errors) go to *warnings.
CheckRun RunChecks(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
                   const CheckOptions& options, std::vector<DataWarning>* warnings);

// The checks of a definition read along with its metrics, one read per source (`crmkpi report
// -c kpi.ini --checks`). Built and bound as RunChecks does (the same errors, before any row
// is read; a source on standard input or a pipe is recorded while its header is read, so the
// metric engine reads it again). Taps() gives the metric engine one RowTap per source with
// checks (RunMetrics' |taps|); Finish reads the sources the engine did not read (no metrics
// on them) with the checks' own pass and returns what RunChecks would. No quarantine
// (options.invalid_out must be null). One exception to one read: when the engine read a source
// in chunks and a uniqueness check's duplicates all span chunks, its samples cannot be the
// serial pass's, and that source is read once more for its checks.
class CheckPass {
 public:
  CheckPass(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
            const CheckOptions& options);
  ~CheckPass();
  CheckPass(const CheckPass&) = delete;
  CheckPass& operator=(const CheckPass&) = delete;

  std::map<std::string, RowTap*> Taps();
  CheckRun Finish(std::vector<DataWarning>* warnings);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// check's exit code for |run| (docs/cli.md, frozen): 3 when a check could not run (its column
// is not in the file), 1 when one failed (or warned, with |fail_on_warn|), else 0.
int CheckExitCode(const CheckRun& run, bool fail_on_warn);

// The status of a finished result from its violations, percent and limits: fail when the fail
// limit is exceeded (no limit at all: any violation; only a warn limit: never), else warn when
// the warn limit is exceeded, else pass. A row-counting check with R = 0 fails ("no rows"; warns
// with only a warn limit) unless def.allow_empty. row_count: fail when R < fail (no limit at
// all: R < 1), warn when R < warn. schema: fail on a missing column, extra columns as def.extra
// says. Sets r->status and r->breached. Results already kError are left alone.
void Judge(CheckResult* r);

}  // namespace crmkpi
