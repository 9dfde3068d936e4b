#include "crmkpi/results/report.h"

namespace crmkpi {

std::string_view UnitName(Unit unit) {
  switch (unit) {
    case Unit::kCount:
      return "count";
    case Unit::kRatio:
      return "ratio";
    case Unit::kAmount:
      return "amount";
    case Unit::kDays:
      return "days";
    case Unit::kHours:
      return "hours";
    case Unit::kNumber:
      return "number";
  }
  return "";
}

}  // namespace crmkpi
