#include "crmkpi/analysis/deal_kpis.h"

#include <algorithm>
#include <cmath>

#include "crmkpi/base/quantile.h"
#include "crmkpi/base/survival.h"
#include "crmkpi/values/amount.h"

namespace crmkpi {
namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr long double kSecondsPerDayL = 86400.0L;
constexpr double kAmountScaleD = static_cast<double>(kAmountScale);

KpiValue Count(const char* id, std::uint64_t n) {
  KpiValue v;
  v.id = id;
  v.unit = Unit::kCount;
  v.value = Num::Count(n);
  return v;
}

void Exclude(KpiValue* v, const char* reason, std::uint64_t n) {
  if (n > 0) v->excluded.emplace_back(reason, n);
}

KpiValue AmountSum(const char* id, const AmountTotal& t) {
  KpiValue v;
  v.id = id;
  v.unit = Unit::kAmount;
  v.value = Num::Money(t.sum);
  v.n = t.with_amount;
  Exclude(&v, "missing_amount", t.missing);
  Exclude(&v, "invalid_amount", t.invalid);
  return v;
}

KpiValue Missing(const char* id, Unit unit) {
  KpiValue v;
  v.id = id;
  v.unit = unit;
  v.reason = "MISSING_COLUMN";
  return v;
}

// The all-deals sales cycle: Kaplan–Meier median, closed deals as events, open ones censored at
// as-of (reference "Sales cycle (all)").
KpiValue KmCycle(const DealStats& s, const KpiContext& ctx) {
  KpiValue v;
  v.id = "sales_cycle_days_km_median";
  v.unit = Unit::kDays;
  static const char* kReasons[6] = {"",        "missing_created", "invalid_created",
                                    "missing_closed", "invalid_closed", "negative_duration"};
  for (int r = 1; r < 6; ++r) Exclude(&v, kReasons[r], s.km_excluded[r]);
  std::vector<SurvivalObs> obs;
  obs.reserve(s.closed_durations.distinct() + s.open_created.distinct());
  for (const auto& [d, count] : s.closed_durations.Sorted()) {
    obs.push_back({static_cast<double>(d) / kSecondsPerDay, true, count});
  }
  const auto closed_end = static_cast<std::ptrdiff_t>(obs.size());
  // Open deals, latest created first: censoring times in ascending order, like the closed
  // durations, so the two runs merge in linear time (no sort in EstimateKaplanMeier).
  std::uint64_t after_as_of = 0;
  const auto open = s.open_created.Sorted();
  for (auto it = open.rbegin(); it != open.rend(); ++it) {
    const auto& [created, count] = *it;
    if (created > ctx.as_of) {
      after_as_of += count;
      continue;
    }
    obs.push_back({static_cast<double>(ctx.as_of - created) / kSecondsPerDay, false, count});
  }
  std::inplace_merge(obs.begin(), obs.begin() + closed_end, obs.end(),
                     [](const SurvivalObs& a, const SurvivalObs& b) { return a.time < b.time; });
  Exclude(&v, "created_after_as_of", after_as_of);
  SetKaplanMeierMedian(std::move(obs), &v);
  return v;
}

// Type-7 quantile of cycle lengths, in days (the median of an even count is the mean of the
// two middle values): interpolated in seconds in extended precision and rounded to a double
// once, as the metric engine does (metric_cells.cc), so a definition prints the same digits.
double CycleQuantile(const ValueCounts& cycles, double p) {
  return static_cast<double>(cycles.Interpolated(p) / kSecondsPerDayL);
}

}  // namespace

std::vector<KpiValue> ComputeDealKpis(DealStats& s, const KpiContext& ctx) {
  std::vector<KpiValue> out;
  out.push_back(Count("deals", s.deals));
  out.push_back(Count("won", s.won));
  out.push_back(Count("lost", s.lost));
  out.push_back(Count("open", s.open));

  {
    KpiValue v;
    v.id = "win_rate";
    v.unit = Unit::kRatio;
    v.numerator = Num::Count(s.won);
    v.denominator = Num::Count(s.won + s.lost);
    if (s.won + s.lost == 0) {
      v.reason = "ZERO_DENOMINATOR";
    } else {
      v.value = Num::Real(static_cast<double>(s.won) / static_cast<double>(s.won + s.lost));
    }
    out.push_back(std::move(v));
  }

  if (ctx.has_funnel) {
    KpiValue v;
    v.id = "lead_to_opportunity_rate";
    v.unit = Unit::kRatio;
    const std::uint64_t den = s.reached_yes + s.reached_no;
    v.numerator = Num::Count(s.reached_yes);
    v.denominator = Num::Count(den);
    if (den == 0) {
      v.reason = "ZERO_DENOMINATOR";
    } else {
      v.value = Num::Real(static_cast<double>(s.reached_yes) / static_cast<double>(den));
    }
    Exclude(&v, "lost_stage_unknown", s.reached_lost_unknown);
    Exclude(&v, "stage_not_in_order", s.reached_unknown_stage);
    out.push_back(std::move(v));
  }

  if (!ctx.has_amount) {
    out.push_back(Missing("revenue", Unit::kAmount));
    out.push_back(Missing("avg_deal_size", Unit::kAmount));
    out.push_back(Missing("pipeline_amount", Unit::kAmount));
  } else {
    KpiValue revenue = AmountSum("revenue", s.won_amount);
    KpiValue avg;
    avg.id = "avg_deal_size";
    avg.unit = Unit::kAmount;
    avg.numerator = revenue.value;
    avg.denominator = Num::Count(s.won_amount.with_amount);
    avg.n = s.won_amount.with_amount;
    avg.excluded = revenue.excluded;
    if (s.won_amount.with_amount == 0) {
      avg.reason = "EMPTY";  // an average over no values, as every average
    } else {
      avg.value = Num::Real(static_cast<double>(
          static_cast<long double>(s.won_amount.sum) /
          static_cast<long double>(s.won_amount.with_amount) / static_cast<long double>(kAmountScaleD)));
    }
    KpiValue pipeline = AmountSum("pipeline_amount", s.open_amount);

    out.push_back(std::move(revenue));
    out.push_back(std::move(avg));
    out.push_back(std::move(pipeline));
  }

  static const char* const ids[3] = {"sales_cycle_days_median", "sales_cycle_days_mean",
                        "sales_cycle_days_p90"};
  if (!ctx.has_dates) {
    for (const char* id : ids) out.push_back(Missing(id, Unit::kDays));
    out.push_back(Missing("sales_cycle_days_km_median", Unit::kDays));
    return out;
  }
  static const char* kReasons[6] = {"",        "missing_created", "invalid_created",
                                    "missing_closed", "invalid_closed", "negative_duration"};
  AppendDaysSummary(s.cycle_seconds, ids, &out);
  for (std::size_t k = out.size() - 3; k < out.size(); ++k) {
    for (int r = 1; r < 6; ++r) Exclude(&out[k], kReasons[r], s.cycle_excluded[r]);
  }
  out.push_back(KmCycle(s, ctx));
  return out;
}

void AppendDaysSummary(const ValueCounts& seconds, const char* const (&ids)[3],
                       std::vector<KpiValue>* out) {
  const std::uint64_t n = seconds.size();
  const Int128 total = seconds.sum();
  for (int k = 0; k < 3; ++k) {
    KpiValue v;
    v.id = ids[k];
    v.unit = Unit::kDays;
    v.n = n;
    if (k == 1) {
      v.numerator = Num::Real(static_cast<double>(static_cast<long double>(total) / kSecondsPerDayL));
      v.denominator = Num::Count(n);
    }
    if (n == 0) {
      v.reason = "EMPTY";
    } else if (k == 0) {
      v.value = Num::Real(CycleQuantile(seconds, 0.5));
    } else if (k == 1) {
      v.value = Num::Real(static_cast<double>(static_cast<long double>(total) /
                                              static_cast<long double>(n) / kSecondsPerDayL));
    } else {
      v.value = Num::Real(CycleQuantile(seconds, 0.9));
    }
    out->push_back(std::move(v));
  }
}

void SetKaplanMeierMedian(std::vector<SurvivalObs> obs, KpiValue* v) {
  const KaplanMeier km = EstimateKaplanMeier(std::move(obs));
  v->n = km.n;
  v->censored = km.censored;
  if (km.n == 0) {
    v->reason = "EMPTY";
  } else if (!km.median) {
    v->reason = "ALL_CENSORED";
  } else {
    v->value = Num::Real(*km.median);
  }
}

}  // namespace crmkpi
