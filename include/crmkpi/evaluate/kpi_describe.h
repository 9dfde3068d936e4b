// The KPI 定義書 (`crmkpi describe -c kpi.ini`): every KPI of a definition with what a team
// writes down about it — label, definition, formula in words and in ids, unit, layer,
// direction, owner, data owner, collection method, review frequency and last review, target and
// deadline — and the source columns it reads, found by walking its formula down to the metrics
// (KPI → KPI → metric) and each metric's column, duration, where, by, period_of, its source's
// filter and the lookups those name. From the INI alone: no data is read, so a role that no
// `map.ROLE` names is listed by its role name (the header decides its column at run time).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/kpi_model.h"

namespace crmkpi {

// What a KPI reads from one source or lookup.
struct SheetSource {
  std::string id;    // the [source] or [lookup] id
  std::string kind;  // "rows", "stage_history", "forecast" (analysed as a whole) or "lookup"
  std::vector<std::string> files;  // as the definition names them (relative to the INI)
  // Header names or role names as the definition writes them, in the order the KPI's metrics
  // first read them; a role mapped by map.ROLE is given as "COLUMN (role)". Lookup columns are
  // listed under the lookup (and the joining column under the source). Empty: rows only (a
  // count without where). Analysis sources: the roles their analysis reads.
  std::vector<std::string> columns;
};

struct SheetEntry {
  KpiDef kpi;
  bool kgi = false;             // a root of the [tree]
  std::string formula;          // "win_rate = won / (won + lost)"
  std::string formula_words;    // "受注率 = 受注件数 ÷ (受注件数 + 失注件数)"
  std::vector<std::string> inputs;   // the ids its formula uses, in order
  std::vector<std::string> metrics;  // every metric it depends on, through other KPIs too
  std::vector<SheetSource> sources;  // in the order its metrics first read them
};

struct KpiSheet {
  std::string definition;  // the INI file
  std::vector<SheetEntry> kpis;  // in file order
};

// Builds the sheet. Throws Error(kUsage) at its location for a where or filter that does not
// parse (describe checks what report would).
KpiSheet DescribeKpis(const KpiModel& model);

// The label of a metric, constant or KPI id, else the id itself.
std::string LabelOf(const KpiModel& model, std::string_view id);

}  // namespace crmkpi
