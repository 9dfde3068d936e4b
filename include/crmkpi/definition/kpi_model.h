// KpiModel: a KPI definition loaded from INI (docs/ini.md) and checked — sources and lookups,
// metrics aggregated from a source in one pass, constants, KPIs (formulas over metrics,
// constants and other KPIs) and the KPI tree. Every definition keeps its INI location so that
// later errors (an unknown column, a bad filter) can point back at the text.
#pragma once

#include <map>
#include <optional>
#include <string>
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
  Direction direction = Direction::kHigher;
  Layer layer = Layer::kNone;
  std::string owner, review, last_review, definition;
  SourceLoc last_review_loc;
};

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
