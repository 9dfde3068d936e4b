// `crmkpi metrics -c kpi.ini`: the long result (docs/scale.md, "The long result") — every
// metric of the definition per grouping and group, computed by crmkpi's own pass: what a
// warehouse's SQL must return for `report/tree --metrics FILE`.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpMetricsCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
