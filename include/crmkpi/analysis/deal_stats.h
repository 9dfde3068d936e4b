// DealStats: the sufficient statistics of the deal KPIs for one group, filled in one pass.
// Counts and fixed-point sums only (exact, order-independent), plus the cycle lengths as value
// counts for exact medians, percentiles and Kaplan–Meier curves (memory per distinct length).
#pragma once

#include <cstdint>
#include <vector>

#include "crmkpi/base/value_counts.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/results/report.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

// Why a won deal's cycle length is not counted.
enum class CycleExclusion : std::uint8_t {
  kNone,
  kMissingCreated,
  kInvalidCreated,
  kMissingClosed,
  kInvalidClosed,
  kNegative,
};

// What one row says, decided once per row and then added to every group the row belongs to.
struct DealFacts {
  StageClass cls = StageClass::kOpen;
  Reached reached = Reached::kUnknownStage;
  ParseStatus amount_status = ParseStatus::kEmpty;
  std::int64_t amount = 0;  // 1/kAmountScale units
  CycleExclusion cycle_exclusion = CycleExclusion::kNone;
  Seconds cycle_seconds = 0;  // closed − created, for won deals
  // The all-deals (Kaplan–Meier) cycle: closed deals (won or lost) are events at closed −
  // created; open deals are censored at as-of − created, known only at the end, so their created
  // instant is kept. Exclusions as for the won cycle (closed dates only matter for closed deals).
  CycleExclusion km_exclusion = CycleExclusion::kNone;
  Seconds km_value = 0;  // closed: the duration; open: the created instant
};

// Σ amount over some deals, with how many had an amount and why the others did not.
struct AmountTotal {
  Int128 sum = 0;  // 1/kAmountScale units
  std::uint64_t with_amount = 0, missing = 0, invalid = 0;

  void Merge(const AmountTotal& o) {
    sum += o.sum;
    with_amount += o.with_amount;
    missing += o.missing;
    invalid += o.invalid;
  }

  void Add(ParseStatus status, std::int64_t amount) {
    if (status == ParseStatus::kOk) {
      sum += amount;
      ++with_amount;
    } else {
      ++(status == ParseStatus::kEmpty ? missing : invalid);
    }
  }
};

struct DealStats {
  std::uint64_t deals = 0, won = 0, lost = 0, open = 0;
  // lead_to_opportunity_rate
  std::uint64_t reached_yes = 0, reached_no = 0, reached_unknown_stage = 0,
                reached_lost_unknown = 0;
  AmountTotal won_amount;   // revenue, avg_deal_size
  AmountTotal open_amount;  // pipeline_amount
  // sales cycle of won deals
  ValueCounts cycle_seconds;
  std::uint64_t cycle_excluded[6] = {0, 0, 0, 0, 0, 0};  // by CycleExclusion
  // the all-deals cycle (Kaplan–Meier): durations of closed deals, created instants of open ones
  ValueCounts closed_durations, open_created;
  std::uint64_t km_excluded[6] = {0, 0, 0, 0, 0, 0};  // by CycleExclusion

  void Add(const DealFacts& f);
  // Adds |o|'s deals (another chunk's): every KPI is order-independent, so the merged stats give
  // the same KPIs as one pass over both.
  void Merge(const DealStats& o);
};

}  // namespace crmkpi
