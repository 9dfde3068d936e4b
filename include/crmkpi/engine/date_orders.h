// `date_order = auto` of a definition's row sources, resolved before any pass: each source's
// (first) file is sampled — the date roles' columns (created, closed, changed, modified) and the
// columns its metrics or checks read as dates — and its date_order becomes dmy or mdy
// (bind/date_order.h). Every pass that reads the source then reads its dates alike: the metric
// engine, a check run fed by it (report --checks), the sla pre-pass.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crmkpi/definition/check_def.h"
#include "crmkpi/definition/metric_def.h"
#include "crmkpi/read/data_warning.h"

namespace crmkpi {

// Source id → the columns (header names or roles) read as dates besides the date roles.
using DateColumns = std::map<std::string, std::vector<std::string>>;

// The sources of |metrics| with their duration ends and period_of columns.
DateColumns MetricDateColumns(const std::vector<MetricDef>& metrics);
// The sources of |checks| with their timeliness columns and the columns of date validity
// rules (`date`, comparisons).
DateColumns CheckDateColumns(const std::vector<CheckDef>& checks);
// |into| with |more| added.
void AddDateColumns(const DateColumns& more, DateColumns* into);

// Resolves date_order = auto (without date_format) of every row source in |columns|, its file
// being |file_overrides|' path for it or its first `file =`. Sources not in |columns| (no
// metric or check reads them) stay auto, read month first. Returns the notes (day first) and
// warnings (both orders, or ambiguous: they name date_order, or --date-format for a source made
// from flags) as data warnings, in the order of the sources. Standard input and pipes are
// recorded while sampled and read again from the start by the pass (read/input_stream.h).
std::vector<DataWarning> DecideDateOrders(std::vector<SourceDef>* sources,
                                          const DateColumns& columns,
                                          const std::map<std::string, std::string>& file_overrides);

}  // namespace crmkpi
