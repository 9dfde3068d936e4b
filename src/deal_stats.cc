#include "crmkpi/deal_stats.h"

namespace crmkpi {

void DealStats::Add(const DealFacts& f) {
  ++deals;
  if (f.km_exclusion != CycleExclusion::kNone) {
    ++km_excluded[static_cast<int>(f.km_exclusion)];
  } else if (f.cls == StageClass::kOpen) {
    open_created.push_back(f.km_value);
  } else {
    closed_durations.push_back(f.km_value);
  }
  switch (f.reached) {
    case Reached::kYes:
      ++reached_yes;
      break;
    case Reached::kNo:
      ++reached_no;
      break;
    case Reached::kUnknownStage:
      ++reached_unknown_stage;
      break;
    case Reached::kLostUnknown:
      ++reached_lost_unknown;
      break;
  }
  switch (f.cls) {
    case StageClass::kWon:
      ++won;
      won_amount.Add(f.amount_status, f.amount);
      if (f.cycle_exclusion == CycleExclusion::kNone) {
        cycle_seconds.push_back(f.cycle_seconds);
      } else {
        ++cycle_excluded[static_cast<int>(f.cycle_exclusion)];
      }
      break;
    case StageClass::kLost:
      ++lost;
      break;
    case StageClass::kOpen:
      ++open;
      open_amount.Add(f.amount_status, f.amount);
      break;
  }
}

}  // namespace crmkpi
