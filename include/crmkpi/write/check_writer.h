// Writers for `crmkpi check`: a CheckRun (check_def.h) as a terminal table, JSON, JUnit XML, CSV
// or Markdown. Writers only format; they compute nothing (the only derived values are the
// uniqueness duplicate_count N − D and distinctness D / N, and the status counts). The writers
// add no clock, host name or duration of their own: the same CheckRun gives the same bytes.
//
// Common conventions
//   * Checks keep their definition order. The human formats (table, md) and JUnit group them by
//     source: one group per entry of CheckRun::sources, in that order, holding the checks whose
//     CheckDef::source equals the source's id (or its file name); a check whose source has no
//     summary gets a group of its own after them.
//   * Threshold text: "fail > LIMIT" with the limit as written ("5%", "10"), or
//     "fail > 0 (default)" when the check has no fail limit (it fails on any violation), then
//     ", warn > LIMIT" when there is a warn limit.
//   * Metric text: "VIOLATIONS / DENOMINATOR = P %" (P with one decimal, counts with thousands
//     separators), or "n/a (no rows)" when the denominator is 0; empty for a check that could
//     not run.
//   * Untrusted text (sample values, column names, file names) is made safe for each format:
//     invalid UTF-8 becomes U+FFFD everywhere; in table, md and JUnit, control characters are
//     shown escaped ("\t", "\n", "\r", "\x01", C1 controls as "\u009b") so a value cannot break
//     a line, move the terminal cursor or make the XML ill-formed.
//
// table — for a terminal; columns aligned by display width (CJK counts 2).
//   Per source group: a header line "FILE: R rows, ENCODING" (", S structural errors" when
//   S > 0; "ID (FILE): ..." when the source id differs from the file name; just "ID" for a
//   source without a summary), then a table with one row per check, columns:
//   status (PASS/WARN/FAIL/ERROR) | check (name) | type | columns (", "-joined) |
//   violations (metric text) | threshold | details. Details, by type:
//     completeness  "missing COL n, COL n; complete records C of R[; S structural errors]"
//     uniqueness    "N n, D d, duplicates N−D, groups g, rows in groups r, missing keys m,
//                    normalize CHAIN|none"
//     validity      "rule RULE, invalid i, N n, missing m, not applicable a[, when EXPR]"
//     timeliness    "max age X d, stale s, invalid i, missing m, newest TS|none,
//                    freshness F d|n/a, as of TS" (never "-0.0": a rounded zero is unsigned)
//     row_count     "rows R" ("no rows: ..." when R = 0); violations "R rows"; threshold
//                   "fail < MIN[, warn < MIN]"
//     schema        "missing 'A'; renamed? 'B' → 'B2'; extra 'C'; extra = POLICY"; violations
//                   "M of E missing, X extra"; threshold "missing fails, extra: POLICY"
//     a row-counting check that failed or warned on R = 0 starts with "no rows: ..."
//     (a check that could not run: "error: WHY")
//   Then, for each failing or warning check with samples: a blank line, "STATUS NAME: samples"
//   and a table indented by two spaces with the columns line, row, column, value, normalized
//   (only when some sample has one), rule. For each uniqueness check with near-duplicate
//   candidates: "NAME: near-duplicate candidates (candidates, not counted)" and an indented
//   table similarity (2 decimals), value, line, value, line, shared token (original values).
//   Last: "N invalid rows written" when N > 0, and the summary line
//   "K checks: p pass, w warn, f fail, e error → exit X".
//
// json — one object, keys in this order (docs/cli.md is the contract):
//   schema_version (1), command ("check"), status (from |exit_code|: 0 → "warn" if any check
//   warned else "pass"; 1 → "fail" (also when only warnings failed the run, --fail-on-warn);
//   anything else → "error"), exit_code, as_of, as_of_source
//   (strings, null when empty), summary {checks, pass, warn, fail, error},
//   invalid_rows_written, sources [{id, file, rows, structural_errors, encoding}], checks [{
//     id (the check type: "completeness", "uniqueness", "validity", "timeliness"), name,
//     source, columns [..], status, error (string; null unless status is "error"),
//     metric ("missing_percent", ...), value (percent 0..100 as a shortest round-trip number;
//     null when the denominator is 0 or the check could not run), numerator, denominator
//     (integers; null when the check could not run), thresholds {fail, warn: each
//     {limit (as written), unit ("percent" | "count"), value (number)} or null; a null fail
//     means "fail on any violation"}, breached (string or null),
//     counts (null when the check could not run; else by type:
//       completeness {rows, missing_by_column {COLUMN: n, ...}, complete_records,
//                     structural_errors}
//       uniqueness   {rows, n, distinct, duplicate_count, duplicate_groups,
//                     rows_in_duplicate_groups, missing_key, normalize (string or null),
//                     distinctness (D / N, null when N = 0), near_threshold (string or null)}
//       validity     {rows, rule, when (string or null), n, invalid_count, missing,
//                     not_applicable}
//       timeliness   {rows, max_age_days, n, stale_count, invalid_timestamps, missing,
//                     newest (null when none), freshness_days (null when none), as_of}),
//     samples [{line, row, column, value, normalized (null when empty), rule}],
//     near_duplicates [{a, b, original_a, original_b, line_a, line_b, similarity,
//                       shared_token}] (uniqueness checks only)
//   }]. Counts are integers; percents, similarity, distinctness and days are shortest
//   round-trip numbers (20.0 prints as 20). Strings are UTF-8 (invalid bytes → U+FFFD) with
//   RFC 8259 escapes; sample values are otherwise exact. One line per source and per check.
//
// junit — JUnit XML as GitLab, Jenkins and Azure DevOps read it (tests/data/junit.xsd):
//   <?xml version="1.0" encoding="UTF-8"?>
//   <testsuites name="crmkpi check" tests=K failures=F errors=E skipped="0" time="0">, one
//   <testsuite name=SOURCE tests failures errors skipped="0" time="0"> per source group that has
//   checks, with <properties> file, rows, structural_errors, encoding (when the source has a
//   summary) and as_of (when the suite has a timeliness check); one
//   <testcase classname="crmkpi.check.SOURCE" name="NAME (COLUMNS)" time="0"> per check ('.' in
//   SOURCE becomes '_' in classname, so Jenkins does not split a file name into package and
//   class). The text of a testcase is
//     STATUS TYPE METRIC: METRIC TEXT (THRESHOLD)
//     DETAILS (as in `table`)
//     samples:
//       line L (row R) COLUMN = "VALUE" → "NORMALIZED": RULE      (→ part for uniqueness)
//     near-duplicate candidates (candidates, not counted):
//       "A" (line L) ~ "B" (line L): similarity 0.83, shared token "T"
//   (the last two blocks only when there are any). A failing check puts it in
//   <failure message="METRIC: METRIC TEXT (THRESHOLD)" type=TYPE>; passing and warning checks
//   are passing testcases with it in <system-out> (warnings are not failures); a warning also
//   has <properties> status=warn and <system-err>WARN: LIMIT — METRIC TEXT</system-err>; a
//   warning failed by --fail-on-warn (CheckResult::failed_on_warn) has the properties status=warn
//   and failed_by=--fail-on-warn and a failure message starting "warning failed by
//   --fail-on-warn: "; a check that could not run holds <error message=WHY type=TYPE>ERROR
//   TYPE: WHY</error>. Suite and class names use the source id's base name (after the last
//   '/'), so a file typed ./a.csv or /abs/a.csv gives the same names; the file property keeps
//   the path. Text and
//   attributes escape & < > " ' (and CR, in attributes also tab and LF, as character
//   references). No timestamps, host names or durations other than time="0".
//
// csv — RFC 4180, one row per check, header
//   source,name,id,columns,status,metric,value,numerator,denominator,fail,warn,error
//   columns ","-joined (so quoted when there are several); value the percent at full precision
//   (empty when undefined); numerator, denominator empty for a check that could not run;
//   fail, warn the limits as written, empty when absent (no fail limit = fail on any
//   violation); error the reason a check could not run.
//
// md — Markdown (GitHub/GitLab flavoured) for merge-request comments: "# crmkpi check", the
//   summary line in bold, the sources as a list, a table source | check | type | columns |
//   status | violations | threshold | details (texts as in `table`), then "## Samples" with a
//   "### STATUS NAME (SOURCE)" heading and a bullet per sample for each failing or warning
//   check with samples: "- line L (row R), `COLUMN`: `VALUE` → `NORMALIZED` — RULE" (code
//   spans; "(empty)" for an empty value), and "### NAME: near-duplicate candidates (candidates,
//   not counted)" with "- `A` (line L) ~ `B` (line L): similarity 0.83, shared token `T`".
//   Untrusted text outside code spans has \ ` * _ < [ ] backslash-escaped and | escaped in
//   the table, so a CSV value cannot inject markup or HTML.
#pragma once

#include <string>
#include <string_view>

#include "crmkpi/definition/check_def.h"

namespace crmkpi {

enum class CheckFormat { kTable, kJson, kJunit, kCsv, kMarkdown, kHtml, kXlsx };

// "table", "json", "junit", "csv", "md" (also "markdown"), "html" (html_check.h). Throws Error::Usage otherwise.
CheckFormat ParseCheckFormat(std::string_view name);

// |exit_code| is what the command will return (0 pass, 1 a check failed, 3 a check could not
// run; the caller decides); the JSON status and the table's summary line show it.
std::string WriteChecks(const CheckRun& run, CheckFormat format, int exit_code);

}  // namespace crmkpi
