// `crmkpi forecast`: forecast error of a forecast file against actuals — won revenue from a
// deals export (--actual DEALS.csv), or an actual column of the forecast file itself. Reads both
// files in one pass each, joins them, computes the KPIs (forecast_kpis.h) → Report. Printing is
// the writers'. docs/kpis.md, "Forecast error", is written from this comment.
//
// Forecast file. Roles (column_roles.h; detected from the header or --map ROLE=COLUMN):
//   period    required. A label (2024-03, 2024/03, 2024年3月, 2024-Q1, …; period_label.h) or a
//             date, placed in its --period (month, default, or quarter). A month label is placed
//             in its quarter for --period quarter; a quarter label under --period month is an
//             invalid row (warning period_too_coarse).
//   forecast  required. An amount (amount.h, exact). Empty = this row forecasts nothing (not 0).
//   actual    optional; used (and then required) when there is no --actual. Empty = unknown.
//   snapshot  optional: the date the forecast was made (its local calendar date in --tz).
//   category  optional: forecast category (commit, best case, …); trimmed bytes.
//   --by      each --by column (header name, else role name), resolved in both files.
// A row with an unreadable period, forecast, actual or snapshot (or an empty snapshot when the
// column exists) is left out whole: a warning (kind, count, first FILE:LINE:COL) and the
// total's KPIs count it as excluded `invalid_forecast_row`.
//
// Keys. A point is one key = (period, the --by values together, [category]). Group values are
// compared as trimmed bytes, in both files. Forecast rows with the same key (and the same
// snapshot date) are summed, counted in the rows list's `rows` column and reported as a warning
// `rows_combined` (count = rows added to an earlier one). With a snapshot column the key's
// headline forecast is that of its latest snapshot on or before the period's last day;
// snapshots after it are not evaluated (warning `late_snapshot`; a key with only those is
// excluded as `late_snapshot`).
//
// Actuals from DEALS.csv (roles stage, amount, closed required; created optional): deals whose
// stage is won (--won/--lost, stage_rules.h), bucketed by the local date of `closed` in --tz into
// --period, grouped by the --by columns: A(period, group) = Σ won amounts. A won deal without a
// valid amount or closed date is left out of the actuals (warning). as-of = --as-of, else the
// latest date of the deals file that has happened: a created date, or the closed date of a won
// or lost deal (an open deal's close date is an expected one); never the clock. A period has
// ended when its last day ≤ as-of. A(period, group) is KNOWN when the group value occurs in
// some row of the deals file (any stage) and the period has ended; with no won deal there it is
// a real 0. Otherwise it is missing: `no_actual` (group not in the deals file) or
// `period_not_ended`.
// With an actual column: a key's actual is the sum of its rows' non-empty actual cells (for
// snapshots: those of its latest snapshot that has any, whatever its date); all empty →
// `no_actual`. Periods count as ended unless --as-of is given (then as above).
//
// One side only. A forecast key whose actual is missing is "forecast only"; an actual key with
// no forecast is "actual only": with DEALS.csv, a (period, group) with at least one won deal, in
// a period that the forecast file has a forecast for, and no forecast row for that key (per
// category: each category is its own forecast); with an actual column, a key whose rows all
// have an empty forecast. Both are listed (list "unmatched": period, groups, [category], side,
// amount, reason, treatment) and excluded from every metric (`no_actual` / `no_forecast` in each
// KPI's `excluded`), or with missing_as_zero counted with 0 on the missing side. A period that
// has not ended stays excluded (`period_not_ended`) either way.
//
// KPIs (forecast_kpis.h; ids forecast_accuracy, wape, mape, smape, bias, bias_percent, mae,
// rmse, mase) for the total and these groupings, each point counted once per grouping:
//   the --by columns together [+ "category"]   (absent without --by)
//   "period" [+ "category"]
//   "category"                                 (with a category column)
//   "horizon_weeks" [+ "category"]             (with a snapshot column)
// With a category column, "category" is a key of every grouping. The total is computed when
// the file holds one category (or none); with several it is n/a MIXED_CATEGORIES (commit and
// best case are alternative forecasts of the same actual: summing them, or picking one, would
// be a guess), and the "category" grouping gives each category's totals.
//
// Horizon (snapshot column): horizon_weeks = ⌊(period last day − snapshot date) in days / 7⌋,
// ≥ 0. Per key and horizon the latest snapshot with that horizon is one point (with the key's
// actual); a key excluded from the headline is excluded in each of its horizons too.
//
// MASE: per series (the group values [+ category]), the history is the series' actuals from
// DEALS.csv for each ended period from the one holding the group's earliest date (created, or
// closed of a won or lost deal) up to the one before the series' first evaluated period (zeros
// included), in time order; the scale is mean |h_t − h_{t−1}| (m = 1). Fewer than 2 history
// points → the series' points are excluded from MASE as `no_history` (all of a scope's → n/a
// NO_HISTORY); a zero scale → `zero_scale` (n/a ZERO_DENOMINATOR). Every scope's MASE = mean
// over its points of |F − A| / scale of the point's series (for one series: MAE / scale);
// numerator Σ|F − A| / scale, denominator the points. Without DEALS.csv there is no history.
//
// Lists: "rows" (every point in the headline metrics, sorted by period, then group values, then
// category: period, groups, [category], [snapshot], forecast, actual, error = F − A,
// ape = |F − A| / |A| (empty when A = 0), rows combined) and "unmatched" (above).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/results/report.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/fiscal_calendar.h"  // Period

namespace crmkpi {

struct ForecastOptions {
  std::string forecast_file;       // "-" = stdin
  std::string actual_file;         // the deals export; empty = the forecast file's actual column
  Period period = Period::kMonth;  // any period of |calendar|
  Calendar calendar;               // the fiscal calendar of quarters, halves and years
  std::vector<std::string> by;     // the series columns, together one key
  // --exact-groups: series values as written, not after NFKC and white-space collapsing
  // (docs/kpis.md, "Group keys"; the series grouping lists the merged spellings with the rows
  // of both files).
  bool exact_groups = false;
  // --map: the forecast roles (period, forecast, actual, snapshot, category) bind in the
  // forecast file, stage, amount, closed and created in the deals file, any other role in each
  // file that has the column (a column in neither is a usage error). Without a deals file every
  // mapping binds in the forecast file.
  std::vector<RoleMapping> mappings;
  StageConfig stages;       // won / lost values of the deals file
  std::string date_format;  // empty = automatic
  // Numeric dates with the year last (without date_format): "auto" = day or month first as
  // each file's first 1,000 rows show it (bind/date_order.h; a note or warning in the report's
  // warnings), "mdy" or "dmy". |date_order_fix|: what the warning of an undecided order tells
  // the user (empty: --date-format).
  std::string date_order = "auto";
  std::string date_order_fix;
  std::string tz;           // empty = UTC
  std::string as_of;        // empty = latest date of the deals file
  bool missing_as_zero = false;
  CsvOptions csv;
  Encoding encoding = Encoding::kAuto;
  bool lenient = false;
  // The deals file is read on all cores (parallel_scan.h); the result does not depend on it.
  ParallelOptions parallel;
};

// Runs the whole pipeline. Throws Error(kUsage) for configuration problems (a missing role,
// an unknown --by column, a bad --as-of) and Error(kInput) for unreadable or malformed input.
Report RunForecastReport(const ForecastOptions& options);

}  // namespace crmkpi
