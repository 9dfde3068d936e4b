// The flags of `crmkpi report FILE` and `crmkpi init FILE` that describe a deals export (roles,
// stages, dates, groupings) and how they become the built-in definition: the header is read
// first (standard input too: it is replayed for the pass), the roles bound, the flags checked
// against it, and definition/deals_definition writes the INI that init prints and report runs.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crmkpi/bind/stage_column.h"
#include "crmkpi/definition/deals_definition.h"
#include "crmkpi/read/csv_reader.h"
#include "input_options.h"
#include "kpi_run.h"

namespace crmkpi {

struct DealsFlags {
  std::vector<std::string> files;
  std::vector<std::string> by;
  std::string period, period_of;
  std::vector<std::string> won, lost, stages;
  std::string opportunity_stage, lost_reached = "exclude";
  std::string date_format, tz, as_of;
  bool lenient = false;
  bool exact_groups = false;  // --exact-groups
  std::string fx;             // --fx CODE=RATE,...
  CalendarFlags calendar;     // --fiscal-year-start, --fiscal-year-name, --week-start, --lang
  InputOptions input;
};

// The stage column as the first rows' values show it (bind/stage_column.h): reads up to 1,000
// records from |reader| (past its header; standard input must be recorded to be read again).
// |won| and |lost|: --won and --lost (empty: the default stage words). A malformed record ends
// the sample (the pass reports it).
StageColumnChoice SampleStageColumn(CsvReader* reader, const std::vector<std::string>& header,
                                    const RoleBinding& roles,
                                    const std::vector<std::string>& won,
                                    const std::vector<std::string>& lost);

// The definition's input: reads the first file's header (Error(kInput) when it cannot be read),
// binds the roles (Error(kUsage) without a stage column, for a --by column the header lacks, a
// bad --lost-reached or --opportunity-stage). Files are written as given, or relative to the
// directory of |ini_output| when the INI is written to a file (init -o).
DealsDefinitionInput ReadDealsDefinitionInput(const DealsFlags& flags,
                                              const std::string& ini_output = "");

}  // namespace crmkpi
