// Report: what a run computed, independent of how it is printed. Every KPI value carries the
// population it was computed on (numerator, denominator or n, rows excluded by reason), so each
// figure can be recomputed by hand (docs/kpis.md). The vocabulary between the evaluation stages
// (analysis, evaluate) and the writers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crmkpi/read/data_warning.h"
#include "crmkpi/values/fiscal_calendar.h"
#include "crmkpi/values/num.h"

namespace crmkpi {

enum class Unit { kCount, kRatio, kAmount, kDays, kHours, kNumber };
std::string_view UnitName(Unit unit);

struct KpiValue {
  std::string id;
  Unit unit = Unit::kCount;
  std::optional<Num> value;        // nullopt = n/a, see reason
  std::optional<Num> numerator;    // ratios and averages
  std::optional<Num> denominator;
  std::optional<std::uint64_t> n;  // population of medians and percentiles
  std::optional<std::uint64_t> censored;  // Kaplan–Meier: of n, still open at as-of
  std::string reason;              // code when value is n/a: ZERO_DENOMINATOR, EMPTY, ...
  std::vector<std::pair<std::string, std::uint64_t>> excluded;  // reason -> rows
  // KPIs defined in an INI file (kpi_model.h) also carry:
  std::string label;
  // Unit currency code, e.g. JPY: the data's (the [fx] base, or the one currency of the
  // amounts behind the value), else the definition's `unit = currency:JPY`.
  std::string currency;
  std::vector<std::string> currencies;  // n/a MIXED_CURRENCIES: the currencies mixed
  std::optional<double> target;
  std::optional<double> achievement;
  std::string status;             // "on track", "off track", "no target", "n/a"
  // --compare (period_compare.h): the same KPI and group in the reference period.
  struct Comparison {
    std::string period;             // the reference period's label; empty when unknown
    std::optional<Num> value;       // nullopt: n/a, see reason
    std::string reason;             // NO_ROWS (no rows of the group then), NO_PERIOD, or its own
    std::optional<double> change;   // value − reference
    std::optional<double> percent;  // change / |reference| (n/a when the reference is 0)
    std::optional<double> points;   // ratios: the change in percentage points
  };
  std::optional<Comparison> compared;
  // A targets table (targets_join.h): where the target came from, the gap, and at the as-of
  // the pace of a period's row.
  std::string target_source;       // "targets.csv:4" (a table's row); empty: the definition's
  std::optional<double> gap;       // value − target (for a lower-is-better KPI, > 0 is bad)
  struct Pace {
    double elapsed = 0;                         // 経過率: share of the period's days by the as-of
    std::optional<double> landing;              // straight-line estimate at the period's end
    std::optional<double> landing_achievement;  // the landing against the target
    std::string status;  // "on pace", "behind pace", "not started", "ended"; "" not additive
  };
  std::optional<Pace> pace;
};

struct GroupRow {
  std::vector<std::string> values;  // one per key of the grouping
  std::vector<KpiValue> kpis;
};

// Raw spellings of a column's values that became one group key (docs/kpis.md, "Group keys"):
// compared after NFKC and white-space collapsing, printed as the normalised |value|. Listed
// when more than one spelling was seen, or one that differs from |value|.
struct MergedSpelling {
  std::string source;  // the source whose rows were counted (empty once sources are combined)
  std::string key;     // the grouping key: the column name as given to --by / by
  std::string value;   // the printed group value
  std::vector<std::pair<std::string, std::uint64_t>> spellings;  // raw spelling → rows; most first
  std::string unit = "row";  // what is counted: "row" (report), "deal" (dwell: deals grouped)
};

struct Grouping {
  std::vector<std::string> keys;  // column names as given to --by, plus "period"
  std::vector<GroupRow> rows;     // sorted by values
  std::vector<MergedSpelling> merged;  // by key, then value
};

struct InputSummary {
  std::string name;
  std::uint64_t rows = 0;          // data records read
  std::uint64_t skipped_rows = 0;  // malformed records skipped under --lenient
  std::string encoding;             // EncodingName of what was decoded
  bool encoding_detected = false;   // chosen by --encoding auto
  char delimiter = ',';
};

// A list a command prints besides its KPIs (dwell's stuck deals, forecast's rows): column names
// and formatted cells. Numeric columns hold JSON-ready numbers ("12.5") or "" for none (null).
struct ReportList {
  std::string id;     // JSON key under "lists": "stuck", "rows"
  std::string title;  // heading in the table and Markdown formats
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // per column
  // Per column, how the table and md formats show a numeric cell (money without decimals,
  // ratios as %, days with one decimal); missing: by its value (whole numbers grouped, others
  // with up to 2 decimals, 4 below 1). JSON and CSV keep the cells as they are.
  std::vector<Unit> units;
  std::vector<std::vector<std::string>> rows;
  bool in_text = true;  // false: JSON and HTML only (dwell's curve points), not table or md
};

// Exchange rates the run converted money with (docs/kpis.md, "Currencies").
struct FxNote {
  std::string base;
  std::vector<std::pair<std::string, double>> rates;  // code → units of base per unit
  std::string origin;                                 // "--fx" or "[fx]"
};

// --trend N: the last N periods as one series per KPI, with its target line.
struct Trend {
  std::vector<std::string> periods;  // labels, oldest first
  struct Series {
    std::string id, label;
    Unit unit = Unit::kCount;
    std::string currency;
    std::optional<double> target;
    std::vector<std::optional<Num>> values;  // one per period; nullopt = n/a or no row
  };
  std::vector<Series> series;
};

// --view NAME (report -c): the audience view a report shows (definition/view_def.h).
struct ReportView {
  std::string name, audience;
  bool built_in = false;          // one of the default views
  std::vector<std::string> kpis;  // the KPIs it shows
  std::vector<std::string> notes;  // what of the view could not apply, and why
};

// A failure sign across periods (docs/kpis.md, "Failure signs"): a pattern the usual CRM review
// reads as a problem of the KPI design or the process, with its usual remedy.
struct FailureSign {
  std::string kind;  // input_up_results_flat, forecast_error_not_improving, handoff_unmeasured
  std::vector<std::string> kpis;     // the KPIs it is about
  std::vector<std::string> periods;  // the periods it was read over, oldest first
  std::string message;
  std::string remedy;
};

struct Report {
  std::string command = "report";  // the heading: "crmkpi report", "crmkpi dwell", ...
  std::optional<FxNote> fx;        // money converted into fx->base
  std::string compare;             // --compare: "previous" or "year-ago"; empty: none
  std::optional<Trend> trend;      // --trend N
  std::string targets;             // the targets table joined (its file); empty: none
  std::optional<ReportView> view;  // --view NAME
  // Each period label of the groupings → its first and last day (YYYY-MM-DD): CSV and JSON
  // rows carry them (period_start, period_end).
  std::map<std::string, std::pair<std::string, std::string>> period_bounds;
  Calendar calendar;  // the fiscal calendar the periods were counted in
  std::vector<InputSummary> inputs;
  std::string as_of;         // YYYY-MM-DD, empty when the data has no dates
  std::string as_of_source;  // "option" or "data"
  GroupRow total;
  std::vector<Grouping> groupings;
  std::vector<ReportList> lists;  // table, md, json (CSV has KPIs only)
  std::vector<DataWarning> warnings;
  std::vector<FailureSign> signs;  // report -c and tree -c (failure_signs.h)
};

}  // namespace crmkpi
