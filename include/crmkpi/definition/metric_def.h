// The data side of a KPI definition: sources (CSV exports), lookups joined onto them, and the
// metrics aggregated from a source in one pass. Loaded from INI by KpiModel (kpi_model.h); each
// definition keeps its INI location so that later errors can point back at the text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/values/date_time.h"  // Period
#include "crmkpi/values/fiscal_calendar.h"
#include "crmkpi/values/fx_rates.h"

namespace crmkpi {

// What a source is read as: rows aggregated by [metric]s in one pass (the default), or a whole
// file analysed first — a stage history (`crmkpi dwell`) or a forecast file (`crmkpi forecast`)
// — whose figures [metric]s then pick (analysis_metrics.h).
enum class SourceKind { kRows, kStageHistory, kForecast };

struct SourceDef {
  std::string id;
  SourceLoc loc;
  SourceKind kind = SourceKind::kRows;
  std::string file;  // resolved: relative paths are relative to the INI file's directory
  SourceLoc file_loc;
  // More `file =` lines (row sources): exports with the same header, read after |file| as one
  // source. `--source ID=PATH` replaces them all.
  std::vector<std::string> more_files;
  std::vector<SourceLoc> more_file_locs;
  std::string encoding = "auto";
  std::string delimiter = "auto";
  std::string date_format;  // empty = automatic
  // Numeric dates with the year last (automatic path): dmy = day first (15/04/2024), mdy =
  // month first (4/15/2024), auto = decided from the first rows' values (bind/date_order.h;
  // engine/date_orders.h resolves it to mdy or dmy before a pass).
  std::string date_order = "auto";
  std::string decimal = "point";   // comma: amounts are written 1.234,50
  std::string tz;           // empty = the [crmkpi] tz, else UTC
  std::vector<RoleMapping> mappings;
  StageConfig stages;
  std::string filter;  // where-expression applied to every metric of the source
  SourceLoc filter_loc;
  bool lenient = false;
  // Group values compared as written ([crmkpi] exact_groups = true, --exact-groups) instead of
  // after NFKC and white-space collapsing (docs/kpis.md, "Group keys").
  bool exact_groups = false;
  // Exchange rates ([fx], --fx): money metrics convert each amount by its row's currency
  // (the currency role) into fx.base. Empty: amounts are given per currency, never added
  // across currencies (docs/kpis.md, "Currencies").
  FxRates fx;
  // The fiscal calendar periods are counted in ([crmkpi] fiscal_year_start, …; copied from the
  // model, KpiModel::SetCalendar).
  Calendar calendar;
  // Built from the flags of `crmkpi report FILE` (the built-in definition, not a file a user
  // wrote): messages name the flags (--date-format, --lenient) instead of INI keys.
  bool from_flags = false;
  // `crmkpi check`: values that count as missing besides empty ones (e.g. NULL, N/A, -),
  // compared after trimming, ASCII-case-insensitively.
  std::vector<std::string> missing_tokens;
  // kind = stage_history: wide-layout entry columns (entered.STAGE = COLUMN), mode, conversion.
  std::vector<std::pair<std::string, std::string>> entered;
  std::string dwell_mode = "cumulative";  // or latest
  std::string conversion = "any";         // or strict
  // kind = forecast: the [source] of the deals export its actuals come from (empty: the file's
  // own actual column), and the period (month or quarter).
  std::string actual_source;
  std::string forecast_period = "month";
  std::vector<std::string> forecast_series;  // series columns (as `forecast --by`)
};

// A small table joined by key onto every row of a source: its columns are usable in that
// source's metrics as LOOKUP.COLUMN.
struct LookupDef {
  std::string id;
  SourceLoc loc;
  std::string file;
  SourceLoc file_loc;
  std::string encoding = "auto";
  std::string delimiter = "auto";
  std::string key;     // column of the lookup file
  std::string source;  // the source it joins onto
  std::string on;      // column (or role) of that source holding the key
  SourceLoc on_loc;
  // An event log as a lookup (many rows per key): keep, per key, the row with the earliest
  // (`first = COLUMN`) or latest (`last = COLUMN`) date in COLUMN — e.g. each lead's first sales
  // touch from an activity export. Empty: keys must be unique.
  std::string first, last;
  SourceLoc pick_loc;
};

enum class Aggregation {
  kCount, kCountDistinct, kSum, kAvg, kMin, kMax, kMedian, kPercentile,
  kSla,  // compliance of a duration with a target: met / (met + breached), pending excluded
  kFigure,  // a figure of an analysis source (stage history, forecast): MetricDef::figure
  // Kaplan–Meier median of a duration: rows where MetricDef::censored holds are still running
  // (censored at as-of − FROM), the others events at TO − FROM (sales_cycle_days_km_median).
  kKmMedian,
  // Share of rows that reached MetricDef::stage (default: the source's opportunity_stage) in
  // the source's stage order: yes / (yes + no) (lead_to_opportunity_rate).
  kReached,
};
enum class DurationUnit { kDays, kHours };

// Whether |a| aggregates a number per row (sum, avg, min, max, median, pNN): the aggregations
// `value =` serves, and those money is by default.
inline bool AggregatesNumbers(Aggregation a) {
  return a == Aggregation::kSum || a == Aggregation::kAvg || a == Aggregation::kMin ||
         a == Aggregation::kMax || a == Aggregation::kMedian || a == Aggregation::kPercentile;
}

// `having = count >= 2` of a count_distinct: count only the keys with that many rows (リピート
// 率's customers with two orders or more). The count is of the key's rows that pass the
// metric's where, in the group.
struct HavingDef {
  enum class Op : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
  Op op = Op::kGe;
  std::uint64_t count = 0;
  bool Holds(std::uint64_t n) const {
    switch (op) {
      case Op::kEq:
        return n == count;
      case Op::kNe:
        return n != count;
      case Op::kLt:
        return n < count;
      case Op::kLe:
        return n <= count;
      case Op::kGt:
        return n > count;
      case Op::kGe:
        return n >= count;
    }
    return false;
  }
};


struct MetricDef {
  std::string id;
  SourceLoc loc;
  std::string source;
  Aggregation aggregation = Aggregation::kCount;
  double percentile = 0.5;           // kPercentile: 0..1 (p90 → 0.9)
  std::vector<std::string> columns;  // the value column; count_distinct: key columns (a+b)
  SourceLoc column_loc;
  std::string duration_from, duration_to;  // "duration = created..closed" instead of a column
  // "value = amount * probability / 100" instead of a column: arithmetic over the row's columns
  // (definition/value_expr.h), for sum, avg, min, max, median and pNN.
  std::string value;
  SourceLoc value_loc;
  DurationUnit duration_unit = DurationUnit::kDays;
  std::optional<HavingDef> having;  // kCountDistinct: keys counted only with so many rows
  SourceLoc having_loc;
  std::string where;  // filter expression (where.h), empty = every row
  SourceLoc where_loc;
  std::vector<std::vector<std::string>> by;  // groupings, like --by: each one or more columns
  // `by = users.role as role`: the name each column of |by| is reported under — the key of
  // its grouping — so that metrics of two sources (logins joined to users by a lookup, users
  // by role) meet in one grouping. Empty, or "" for a column: its name as written. Whoever
  // replaces |by| (--by) clears it.
  std::vector<std::vector<std::string>> by_as;
  SourceLoc by_loc;
  // The key names of grouping |i| (without "period"): the columns' `as` names or the columns.
  std::vector<std::string> ByNames(std::size_t i) const {
    std::vector<std::string> names = by[i];
    if (i < by_as.size()) {
      for (std::size_t j = 0; j < names.size() && j < by_as[i].size(); ++j) {
        if (!by_as[i][j].empty()) names[j] = by_as[i][j];
      }
    }
    return names;
  }
  std::string figure;  // kFigure: the KPI id of the analysis (dwell_days_km_median, wape, ...)
  std::string stage;   // kFigure on a stage history: the stage (stage_conversion: from it);
                       // kReached: the stage to reach (empty: the source's opportunity_stage)
  SourceLoc stage_loc;
  std::string censored;  // kKmMedian: where-condition of the rows still running (censored)
  SourceLoc censored_loc;
  double within_seconds = 0;  // kSla: the target duration (`within = 48h`, `2d`)
  SourceLoc within_loc;
  Period period = Period::kNone;
  std::string period_of;  // date column or role
  SourceLoc period_loc;
  std::string label, unit, definition;
  // `optional = true`: when the value column or a duration end is not in the file, the metric
  // is n/a (MISSING_COLUMN) in every group instead of a configuration error — e.g. revenue of
  // an export without an amount column.
  bool optional = false;
  // `money = true|false`: whether the value is money in the row's currency (the source's
  // currency role), converted with [fx] or split per currency. Unset: true for sum, avg, min,
  // max, median and pNN of the amount role's column.
  std::optional<bool> money;
};

}  // namespace crmkpi
