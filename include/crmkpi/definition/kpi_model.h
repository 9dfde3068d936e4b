// KpiModel: a KPI definition loaded from INI (docs/ini.md) and checked — sources and lookups,
// metrics aggregated from a source in one pass, constants, KPIs (formulas over metrics,
// constants and other KPIs) and the KPI tree. Every definition keeps its INI location so that
// later errors (an unknown column, a bad filter) can point back at the text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/check_def.h"
#include "crmkpi/definition/formula.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_layer.h"
#include "crmkpi/definition/metric_def.h"
#include "crmkpi/definition/targets_table.h"
#include "crmkpi/definition/view_def.h"

namespace crmkpi {

struct ConstantDef {
  std::string id;
  SourceLoc loc;
  double value = 0;
  std::string label, unit, definition;
};

enum class Direction { kHigher, kLower };

// How a KPI value is shown: count, ratio (a fraction shown as %), percent (alias of ratio),
// number, currency (with an optional code, "currency:JPY"), days, hours.
struct UnitSpec {
  std::string name = "number";
  std::string currency;
};

struct KpiDef {
  std::string id;
  SourceLoc loc;
  std::string label;
  Formula formula;
  SourceLoc formula_loc;
  UnitSpec unit;
  std::optional<double> target;
  SourceLoc target_loc;
  Direction direction = Direction::kHigher;
  Layer layer = Layer::kNone;
  // owner: who answers for the KPI (責任者); data_owner: who answers for the data behind it
  // (データ責任者); collection: how that data is collected (収集方法), free text.
  std::string owner, data_owner, collection, review, last_review, definition;
  SourceLoc last_review_loc;
  std::string deadline;  // YYYY-MM-DD: the date the target is for (SMART's T); empty: none
  SourceLoc deadline_loc;
};

// The days between two reviews of a KPI whose `review` is |review|: daily 1, weekly 7,
// biweekly 14, monthly 31, quarterly 92, yearly 366, also in Japanese (毎日/日次, 毎週/週次,
// 隔週, 毎月/月次, 四半期, 毎年/年次); nullopt for an empty or unknown value.
std::optional<int> ReviewIntervalDays(std::string_view review);
// The accepted `review` values, English first: for messages.
const std::vector<std::string>& ReviewFrequencies();

enum class LintSeverity { kOff, kWarning, kError };

struct TreeNodeDef {
  std::string id;                     // a KPI, metric or constant id
  std::vector<std::string> children;  // empty for a leaf
  std::optional<Formula> identity;    // "revenue = won_deals * avg_deal_size"
  SourceLoc loc;
};

struct TreeDef {
  std::vector<std::string> kgis;
  SourceLoc kgi_loc;
  std::map<std::string, TreeNodeDef> nodes;  // nodes with children
};

class KpiModel {
 public:
  // Builds and checks the model. Throws Error(kUsage) at the offending INI location for unknown
  // sections or keys, bad values, duplicate or unknown ids, and formula cycles.
  static KpiModel Load(const IniFile& ini);

  std::string name;  // the INI file
  std::string as_of;         // a date; empty when not given or `data`
  bool as_of_data = false;   // as_of = data: the latest created/closed date of the sources
  std::string tz;
  // [crmkpi] exact_groups = true (or --exact-groups): group values compared as written, not
  // after NFKC and white-space collapsing (docs/kpis.md, "Group keys"). Copied to every source.
  bool exact_groups = false;
  // [fx]: exchange rates into one currency (fx_rates.h), copied to every source (SetFx).
  FxRates fx;
  std::vector<SourceDef> sources;
  std::vector<LookupDef> lookups;
  std::vector<MetricDef> metrics;
  std::vector<ConstantDef> constants;
  std::vector<KpiDef> kpis;  // in dependency order: a KPI comes after every KPI it uses
  TreeDef tree;
  std::map<std::string, LintSeverity> lint;  // [lint] rule = error|warning|off
  // [lint] attainable_factor, attainable_period: target_unattainable (lint --data) warns when a
  // target is more than this many times the best period's value (direction lower: less than
  // best ÷ factor), the period being the metrics' own, else this one.
  double attainable_factor = 2;
  SourceLoc attainable_factor_loc;
  Period attainable_period = Period::kMonth;
  std::vector<CheckDef> checks;               // [check NAME], for `crmkpi check`
  // [targets] or --targets: targets per KPI, group and period (targets_table.h). Load keeps
  // the section's file unread (--targets may replace it); SetTargets reads a table.
  TargetsDef targets;
  // [view NAME]: audience views, in file order (view_def.h); empty: the default views apply.
  std::vector<ViewDef> views;

  // Sets exact_groups here and on every source.
  void SetExactGroups(bool exact);
  // Sets the rates here and on every source.
  void SetFx(const FxRates& rates);
  // [crmkpi] fiscal_year_start, fiscal_year_name, week_start, lang: the calendar of every
  // period (fiscal_calendar.h). Sets it here and on every source.
  Calendar calendar;
  void SetCalendar(const Calendar& cal);

  // Reads |def|'s table (ReadTargets, against this model's KPIs) and keeps it as the targets;
  // SetTargets(targets) reads the [targets] section's. Error(kUsage) as ReadTargets.
  void SetTargets(TargetsDef def);

  const SourceDef* FindSource(std::string_view id) const;
  const MetricDef* FindMetric(std::string_view id) const;
  const ConstantDef* FindConstant(std::string_view id) const;
  const KpiDef* FindKpi(std::string_view id) const;
};

}  // namespace crmkpi
