#include "crmkpi/analysis/deal_stats.h"

namespace crmkpi {

void DealStats::Add(const DealFacts& f) {
  ++deals;
  if (f.km_exclusion != CycleExclusion::kNone) {
    ++km_excluded[static_cast<int>(f.km_exclusion)];
  } else if (f.cls == StageClass::kOpen) {
    open_created.Add(f.km_value);
  } else {
    closed_durations.Add(f.km_value);
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
        cycle_seconds.Add(f.cycle_seconds);
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

void DealStats::Merge(const DealStats& o) {
  deals += o.deals;
  won += o.won;
  lost += o.lost;
  open += o.open;
  reached_yes += o.reached_yes;
  reached_no += o.reached_no;
  reached_unknown_stage += o.reached_unknown_stage;
  reached_lost_unknown += o.reached_lost_unknown;
  won_amount.Merge(o.won_amount);
  open_amount.Merge(o.open_amount);
  cycle_seconds.Merge(o.cycle_seconds);
  closed_durations.Merge(o.closed_durations);
  open_created.Merge(o.open_created);
  for (int i = 0; i < 6; ++i) {
    cycle_excluded[i] += o.cycle_excluded[i];
    km_excluded[i] += o.km_excluded[i];
  }
}

}  // namespace crmkpi
