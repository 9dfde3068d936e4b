// The writer of `crmkpi report -c kpi.ini --checks`: the KPIs, the KPI tree (when the
// definition has one) and the check results of one run, in one document. Table and Markdown:
// the three reports one after the other, as report, tree and check print them. JSON: one
// object whose members "report", "tree" (null without a [tree]) and "checks" are the documents
// those commands write (docs/schema/report.json, tree.json, check.json), with "exit_code".
#pragma once

#include <string>

#include "crmkpi/definition/check_def.h"
#include "crmkpi/evaluate/kpi_tree.h"
#include "crmkpi/results/report.h"
#include "crmkpi/write/report_writer.h"

namespace crmkpi {

// |format|: table, json or md (Error(kUsage) for csv: three tables do not make one CSV).
// |tree| may be null. |exit_code| as for WriteChecks.
std::string WriteFullReport(const Report& kpis, const TreeResult* tree, const CheckRun& checks,
                            int exit_code, Format format);

}  // namespace crmkpi
