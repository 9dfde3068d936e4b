// A targets table (docs/ini.md, "[targets]"; docs/kpis.md, "Targets per group and period"): the
// 予実 sheet a sales team keeps — one target per KPI, group and period, as CSV:
//
//   kpi,担当者,period,target
//   won_deals,佐藤,2025-04,3
//   revenue,,FY2025 Q1,30000000
//
// The KPI column (kpi, 指標, …) names a KPI by id or label; the target column (target, 目標, …)
// holds a number as a [kpi] target does (35%, 1,200,000); the period column (period, 期間, 月,
// …) is optional. Every other column is a group column: its name is a `by` column of the
// definition, and a cell left empty means the row is not by that column (one table holds a
// team's targets and each owner's). Read with the CSV reader: any encoding, delimiter sniffed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "crmkpi/base/error.h"

namespace crmkpi {

struct TargetRow {
  std::string kpi;  // the KPI's id (a label in the file is resolved to its id)
  std::vector<std::pair<std::string, std::string>> groups;  // column (header name) → value
  std::string period;  // as written; empty: the row has no period
  double target = 0;
  SourceLoc loc;         // the KPI cell
  SourceLoc period_loc;  // the period cell
};

struct TargetsDef {
  std::string file;  // empty: no targets table
  SourceLoc file_loc;  // the `file =` value of [targets]; empty for --targets
  std::string origin;  // "[targets]" or "--targets"
  std::string encoding = "auto";
  std::string delimiter = "auto";
  // The columns, when their names are not recognised (kpi_column = 指標名, …).
  std::string kpi_column, period_column, target_column;
  SourceLoc kpi_column_loc, period_column_loc, target_column_loc;
  std::vector<TargetRow> rows;  // filled by ReadTargets
  bool read = false;            // set by ReadTargets

  bool empty() const { return file.empty(); }
};

// A KPI a targets table may name: its id and its label.
struct TargetKpiName {
  std::string id, label;
};

// Reads def->file into def->rows. Error(kUsage) at the cell: a KPI that is neither an id nor a
// label of |kpis| (with the closest), a target that is not a number, a header without a KPI or
// a target column; Error(kInput) for a file that cannot be read or is not CSV.
void ReadTargets(TargetsDef* def, const std::vector<TargetKpiName>& kpis);

}  // namespace crmkpi
