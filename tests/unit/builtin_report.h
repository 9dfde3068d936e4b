// The built-in report of a file as `crmkpi report FILE` runs it (RunBuiltInReport), with the
// header read and the roles bound as the command does, for tests that drive it directly.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/evaluate/definition_run.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi::testing {

struct BuiltInOptions {
  std::vector<std::string> files;
  std::vector<std::vector<std::string>> by;
  Period period = Period::kNone;
  StageConfig stages;
  std::vector<RoleMapping> mappings;
  Encoding encoding = Encoding::kUtf8;
  bool lenient = false;
  ParallelOptions parallel;
};

inline Report BuiltInReport(const BuiltInOptions& o) {
  DealsDefinitionInput in;
  {
    CsvReader reader(OpenInput(o.files.at(0), o.encoding), CsvOptions{});
    in.header = reader.ReadHeader();
  }
  in.roles = BindRoles(in.header, o.mappings, o.files.at(0));
  in.files = o.files;
  in.encoding = o.encoding == Encoding::kCp932 ? "cp932" : "";
  in.lenient = o.lenient;
  in.stages = o.stages;
  in.by = o.by;
  switch (o.period) {
    case Period::kNone: break;
    case Period::kWeek: in.period = "week"; break;
    case Period::kMonth: in.period = "month"; break;
    case Period::kQuarter: in.period = "quarter"; break;
    case Period::kHalf: in.period = "half"; break;
    case Period::kYear: in.period = "year"; break;
  }
  return RunBuiltInReport(in, o.mappings, o.parallel);
}

}  // namespace crmkpi::testing
