// The built-in deals report as a definition: from an export's header (its detected or mapped
// roles) and the flags of `crmkpi report`, the INI text that `crmkpi init` prints and
// `crmkpi report FILE` runs — one engine for both (docs/ini.md, "The built-in report").
#pragma once

#include <string>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/values/fiscal_calendar.h"
#include "crmkpi/values/fx_rates.h"

namespace crmkpi {

struct DealsDefinitionInput {
  std::vector<std::string> files;   // the export(s), as they are to be written in `file =`
  std::vector<std::string> header;  // the first file's header
  RoleBinding roles;                // bound on that header (detected or --map)
  std::string encoding;             // empty = utf-8
  std::string delimiter;            // empty = ','
  std::string date_format, tz;      // empty = automatic / UTC
  std::string date_order = "mdy";   // dmy: decided from the dates' values (DecideDateOrder)
  std::string decimal = "point";    // comma: decided from the amounts' values (DecimalCommaOf)
  bool lenient = false;
  StageConfig stages;               // --won, --lost, --stages, --opportunity-stage, --lost-reached
  std::vector<std::vector<std::string>> by;  // --by specs (each one or more columns)
  std::string period;                         // "", week, month, quarter, year
  std::string period_of;                      // a role or column; empty = closed
  std::string as_of;                          // empty = the data's latest date
  bool exact_groups = false;                  // --exact-groups: [crmkpi] exact_groups = true
  FxRates fx;                                 // --fx: an [fx] section
  Calendar calendar;                          // --fiscal-year-start, …: [crmkpi] keys
  // Roles bound from the data rather than the header (a stage column chosen by its values):
  // given to the run as --map would be.
  std::vector<RoleMapping> data_mappings;
  std::vector<std::string> warnings;  // "FILE: warning: ..." lines about that choice
};

struct DealsDefinitionText {
  bool comments = true;  // explanatory comments (crmkpi init); off for the run itself
  bool tree = true;      // a starter [tree] and targets to fill in
  bool checks = false;   // starter [check] sections (crmkpi init --checks)
};

// The INI text. KPIs, in report order: deals, won, lost, open, win_rate,
// lead_to_opportunity_rate (with stages and an opportunity stage), revenue, avg_deal_size,
// pipeline_amount (with an amount column), sales_cycle_days_median/_mean/_p90/_km_median (with
// created and closed dates). Each KPI is one metric or a ratio of metrics (docs/kpis.md).
std::string DealsDefinitionIni(const DealsDefinitionInput& in, const DealsDefinitionText& text);

}  // namespace crmkpi
