// The deals report pipeline: read each CSV → bind columns to roles → accumulate DealStats for
// the total and every group in one pass → compute the KPIs → Report. Printing is the writers'.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/results/report.h"
#include "crmkpi/values/date_time.h"  // Period

namespace crmkpi {

enum class PeriodOf { kClosed, kCreated };

struct ReportOptions {
  std::vector<std::string> files;            // "-" = stdin
  std::vector<std::vector<std::string>> by;  // each --by: one or more columns ("owner+source")
  Period period = Period::kNone;
  PeriodOf period_of = PeriodOf::kClosed;
  std::vector<RoleMapping> mappings;
  StageConfig stages;
  std::string date_format;  // empty = automatic
  std::string tz;           // empty = UTC
  std::string as_of;        // empty = latest date in the data
  CsvOptions csv;
  Encoding encoding = Encoding::kUtf8;
  bool lenient = false;
  ParallelOptions parallel;  // large UTF-8 files are read on all cores (see parallel_scan.h)
};

// Runs the whole pipeline. Throws Error(kUsage) for configuration problems (unknown --by
// column, no stage column) and Error(kInput) for unreadable or malformed input.
Report RunDealReport(const ReportOptions& options);

}  // namespace crmkpi
