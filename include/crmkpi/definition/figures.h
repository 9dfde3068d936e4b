// The figures an analysis source offers to its [metric]s (`figure = ID`): part of the INI
// language, so the definition can check them; the engine computes them (analysis_metrics.h).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/metric_def.h"

namespace crmkpi {

// The figure ids a source kind offers, for validation and messages.
const std::vector<std::string>& AnalysisFigures(SourceKind kind);
// True when |figure| needs `stage = …`.
bool FigureNeedsStage(const std::string& figure);

}  // namespace crmkpi
