// `crmkpi views -c kpi.ini`: lists the audience views of a definition (its [view] sections, or
// the three default ones) with the KPIs each shows; `report -c kpi.ini --view NAME` prints one.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkpi {

void SetUpViewsCommand(CLI::App* app, int* exit_code);

}  // namespace crmkpi
