// The metric engine: evaluates the [metric] definitions of a KPI model (metric_def.h) over their
// sources in one pass per source, with the groupings of `crmkpi report`.
//
// Per source: the lookups joined onto it are read into memory first; then the source's CSV is
// read exactly once, and for every row: the source filter (rows failing it are counted in
// filtered_out and touch nothing else), each distinct grouping (same resolved by-columns and
// period) one lookup, then the row's plan (below). Shared work per row: fields stay
// string_views into the reader's buffer; parses of a column (amount, date, local day) are
// memoised (RowContext, which also remembers each distinct plain date), so 30 metrics over one
// amount column parse it once; a column used by groupings or count_distinct is interned (value
// bytes → dense id) once, and group keys are tuples of those ids; the accumulators of all metrics of a group lie
// side by side (32-byte HotAccs, 8-byte row counts). Nothing is allocated per row: memory grows
// with groups and distinct values, not rows (medians and pNN keep value → count, ValueCounts).
//
// The row's plan. Metrics that read the same value under the same `where` text are one stream
// with one accumulator per table; a stream adds to each of its tables through an op. Rows get a
// plan by their stage value and by the value of one grouped column that where texts test as
// text (the plan column, e.g. `source` for `source in (web, referral)`): each where is decided
// for the pair as far as the stage and that text decide it (Where::Decide, a three-valued walk
// that never skips a test which counts invalid values), and pairs that decide every where alike
// share one plan. A plan drops the ops of streams that cannot match its rows, makes the ops whose
// where holds unconditional, and tests the remaining wheres once per row into a pass byte each
// (single range and emptiness conditions from flat per-kind lists, without the condition
// switch); ops take that byte as a number (n += ok, sum += value & -ok, min/max by select):
// outcomes vary from row to row, so a branch per where and stream was mispredicted about half
// the time. A value (amount, duration, SLA outcome) is observed only when one of its streams'
// wheres holds, so parse warnings count the same rows as when each metric observed its own.
// Values of up to 16 bytes are interned through a small cache keyed by their bytes
// (ShortKeyCache) before the key table. count_distinct of a column no grouping reads looks its
// keys up in batches of 256 rows: all slots prefetched, then all entries, then the lookups.
//
// Cost (bench/metric_scaling, deals_1g.csv, two cores): one metric (count where won, by owner)
// 0.51–0.65 s; 30 metrics of one shape 0.9–1.1×; 30 mixed metrics (counts, sums, avg/min/max,
// median/p90 of amounts and durations, count_distinct of 20,000 accounts, 10 where texts, 4
// groupings) 1.7–2.1×, median of interleaved pairs 1.8×. Counted with cachegrind on 100 MB, one
// thread: 1,330 and 2,293 instructions per row (docs/performance.md).
//
// Values (docs/kpis.md R2, R5):
//   count           rows passing the filters; with a column: rows where it is not empty
//                   (others excluded as missing_value); with a duration: rows with a valid one
//   count_distinct  distinct non-empty trimmed values of the column(s), exact; a composite key
//                   is the tuple of its parts (not their joined text), so ("a,b","c") !=
//                   ("a","b,c"); a row with any key part empty is excluded as missing_value
//   sum             exact (Num::Money) for amounts (ParseAmount); Num::Real for durations.
//                   Over no values: 0 (a real zero)
//   avg             Num::Real; n = 0 → n/a EMPTY
//   min, max        Num::Money for amounts, Num::Real for durations; n = 0 → n/a EMPTY
//   median, pNN     type 7 (h = p(n−1), linear between closest ranks; even-n median = mean of
//                   the two middles). For amounts Num::Money when the result is a whole number
//                   of 1/10,000 units (always for odd-n medians), else Num::Real; durations
//                   Num::Real. n = 0 → n/a EMPTY
//   sla             type = sla, duration = FROM..TO, within = 48h: met (duration <= within) /
//                   (met + breached), a ratio with numerator and denominator. A row whose TO is
//                   empty is *pending* (excluded and counted) — unless as-of is known and
//                   as-of − FROM already exceeds `within`: then it is breached (late, still
//                   open). Other exclusions as for durations. n = met + breached.
//   km_median       duration = FROM..TO, censored = CONDITION (a where, decided per row or plan):
//                   rows where it fails are events at TO − FROM (duration exclusions); rows
//                   where it holds keep their FROM instant (missing_from / invalid_from
//                   otherwise; TO not read) and are censored at as-of − FROM when finished
//                   (FROM after as-of: from_after_as_of). The Kaplan–Meier median (survival.h)
//                   as dwell (analysis/days_summary.cc), Num::Real; n = events + censored, censored set;
//                   n/a EMPTY (n = 0), ALL_CENSORED, NO_AS_OF (as_of nullopt).
//   reached         per row, by its StageInfo: won → yes; lost → lost_reached (exclude:
//                   lost_stage_unknown; opportunity: yes; lead: no); open → stage_not_in_order
//                   when not in the source's stages, else yes when at or after the metric's
//                   stage (default: opportunity_stage). yes / (yes + no), numerator yes,
//                   denominator and n yes + no; n/a ZERO_DENOMINATOR when 0.
//   durations       duration = FROM..TO: (TO − FROM) seconds / 86,400 (days) or / 3,600
//                   (hours), both parsed with the source's DateParser. Exclusions, first that
//                   applies: missing_from, invalid_from, missing_to, invalid_to,
//                   negative_duration (also warned about, once per row).
//   amounts         empty → missing_value; unparseable → invalid_value (and warned about).
//
// Groupings per metric, as `crmkpi report`: the total always; with `period` a grouping with key
// "period"; each `by` spec (its names as written, plus "period" when the metric has a period).
// A grouping lists every group value seen in rows that pass the source filter: a metric's where
// decides what is aggregated, not which groups exist, so a group with no matching rows shows
// count 0 / sum 0 / n/a EMPTY. Group values are trimmed, then (unless the source's exact_groups)
// compared after NFKC and white-space collapsing and printed in that form, each distinct raw
// value normalised once (CanonicalKeys); MetricGrouping::merged lists the raw spellings of each
// printed value with their rows. The empty value is its own group; rows are sorted by values
// (byte-wise). Period labels are those of the local date (source tz) of the
// metric's period_of column (default: the closed role): week "2024-W09" (ISO 8601: 2024-12-30
// is in 2025-W01), month "2024-03", quarter "2024-Q1", year "2024"; no valid date → "".
//
// Column names (value columns, duration ends, by, period_of, where operands, lookup `on`) are
// resolved with RowSchema::Resolve: exact header, LOOKUP.COLUMN, case/space-insensitive header,
// role name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crmkpi/definition/metric_def.h"
#include "crmkpi/engine/row_tap.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/results/report.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

struct MetricCell {  // one metric, one group
  std::optional<Num> value;  // nullopt = n/a, see reason
  std::uint64_t n = 0;       // values aggregated
  std::string reason;        // "EMPTY" when n == 0 for avg/min/max/median/pNN/sla (count, sum: 0)
  std::optional<Num> numerator, denominator;  // sla: met, met + breached; reached: yes, yes + no
  std::optional<std::uint64_t> censored;      // km_median: rows censored at as-of (in n)
  // Money metrics (docs/kpis.md, "Currencies"): the currency of the value — the [fx] base, or
  // the one currency of the group's amounts; empty when the source has no currency column.
  // Amounts in several currencies and no rates: value n/a, reason MIXED_CURRENCIES, and
  // |currencies| lists them.
  std::string currency;
  std::vector<std::string> currencies;
  // Rows left out, by reason, in this order and only when non-zero: missing_value,
  // invalid_value, missing_from, invalid_from, missing_to, invalid_to, negative_duration,
  // pending, from_after_as_of, lost_stage_unknown, stage_not_in_order, missing_currency,
  // unknown_currency.
  std::vector<std::pair<std::string, std::uint64_t>> excluded;
};

struct MetricGrouping {
  std::vector<std::string> keys;  // by names as written, then "period"
  std::vector<std::pair<std::vector<std::string>, MetricCell>> rows;  // sorted by values
  std::vector<MergedSpelling> merged;  // normalised group keys with their raw spellings
};

struct MetricResult {
  std::string id;
  MetricCell total;
  std::vector<MetricGrouping> groupings;  // the period grouping first, then each `by`
};

struct SourceSummary {
  std::string id, file;
  std::uint64_t rows = 0;          // data records read (skipped ones excluded)
  std::uint64_t skipped_rows = 0;  // malformed records skipped (lenient sources)
  std::uint64_t filtered_out = 0;  // rows failing the source filter
  std::string encoding;
  bool encoding_detected = false;  // chosen by --encoding auto
  char delimiter = ',';  // as read: the source's, or the one `delimiter = auto` found
};

struct MetricRun {
  std::vector<MetricResult> metrics;    // in the order of |metrics|
  std::vector<SourceSummary> sources;   // sources that have metrics, in definition order
  std::vector<DataWarning> warnings;    // invalid_amount, invalid_date, negative_duration,
                                        // lookup_miss, skipped_row
  // With as_of_from_data and no |as_of|: the latest valid date in the created and closed columns
  // of the row sources' rows (those passing each source's filter); none when there is none.
  std::optional<Seconds> data_as_of;
  // Every period label of the groupings → its first and last day (YYYY-MM-DD).
  std::map<std::string, std::pair<std::string, std::string>> period_bounds;
};

// Reads each source that has metrics exactly once (its lookups first, into memory) and
// evaluates every metric of that source on every row.
//
// |file_overrides|: source (or lookup) id → path, from `--source id=path` ("-" = stdin); an id
//   that is neither is Error(kUsage).
// |default_tz|: the zone for sources without their own `tz` (the [crmkpi] tz); empty = UTC.
// |as_of_from_data| ([crmkpi] as_of = data), when |as_of| is not given: every row's created and
//   closed dates are read (and warned about when invalid) and the latest becomes data_as_of.
// Each source's `stages` (StageConfig: won/lost values, order, lost_reached) gives meaning to
// `stage is ...` and `stage reached ...` in its filter and metrics' where.
//
// Errors: Error(kUsage) at the INI location for unknown sources, columns, roles, bad
// aggregation settings, bad where/filter text, bad encoding/delimiter/tz/stages settings;
// Error(kInput) for unreadable or malformed files, a record whose field count differs from the
// header in a source that is not lenient, and duplicate keys in a lookup (naming both lines).
// |taps|: source id → another consumer of that source's records (row_tap.h), fed by its pass.
// A source row whose lookup key is not in the lookup gets empty lookup values and is counted as
// a lookup_miss warning (an empty key is missing, not a miss: empty values, no warning).
MetricRun RunMetrics(const std::vector<SourceDef>& sources, const std::vector<LookupDef>& lookups,
                     const std::vector<MetricDef>& metrics,
                     const std::map<std::string, std::string>& file_overrides,
                     const std::string& default_tz,
                     const std::optional<Seconds>& as_of = std::nullopt,
                     const ParallelOptions& parallel = {}, bool as_of_from_data = false,
                     const std::map<std::string, RowTap*>& taps = {});


}  // namespace crmkpi
