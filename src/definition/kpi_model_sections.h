// The KPI model's loaders, one per INI section kind (kpi_model.h, docs/ini.md). Each checks its
// own section and throws Error(kUsage) at the offending location; references between sections
// are checked afterwards (kpi_model_references.h).
#pragma once

#include <map>
#include <string>

#include "crmkpi/definition/check_def.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/definition/metric_def.h"

namespace crmkpi::kpi_load {

// [crmkpi]: sets the model's as_of and tz; returns allow_empty, the checks' default.
bool LoadSettings(const IniSection& s, KpiModel* model);
SourceDef LoadSource(const IniFile& ini, const IniSection& s);
LookupDef LoadLookup(const IniFile& ini, const IniSection& s);
MetricDef LoadMetric(const IniSection& s);
// [check NAME]: a data-quality check of `crmkpi check` (check_def.h, docs/quality.md).
CheckDef LoadCheck(const IniSection& s);
ConstantDef LoadConstant(const IniSection& s);
KpiDef LoadKpi(const IniSection& s);
// [fx]: CODE = RATE (units of the base currency per unit), optional base = CODE.
FxRates LoadFx(const IniSection& s);
// [targets]: the targets table's file and columns (targets_table.h); not read yet.
TargetsDef LoadTargets(const IniFile& ini, const IniSection& s);
// [lint]: rule = error|warning|off; attainable_factor and attainable_period.
void LoadLint(const IniSection& s, KpiModel* model);

}  // namespace crmkpi::kpi_load
