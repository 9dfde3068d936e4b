// Kaplan–Meier estimator for durations with right censoring (sales cycle of all opportunities,
// stage dwell with open visits). Pure math, no I/O.
//
// Definitions (docs/kpis.md is written from these):
// - Input: one observation per subject, (time, event). time is a duration in the caller's unit
//   (days, R4); event = true when the subject exited (deal closed, visit ended) at |time|;
//   event = false when it was still open at as_of and is censored at |time| = as_of − start.
// - Invalid input: an observation whose time is NaN, ±infinity or negative is skipped and counted
//   in KaplanMeier::invalid (no assert, no exception). It is in neither n, events nor censored.
//   A time of −0 is taken as 0.
// - Let t_1 < t_2 < … < t_k be the distinct times at which at least one event happened, d_j the
//   events at t_j, and r_j the risk set at t_j = the subjects whose time is >= t_j.
//   S(t) = Π_{j : t_j <= t} (r_j − d_j) / r_j, and S(t) = 1 for t < t_1.
// - Ties: events at t are counted before censorings at the same t, i.e. a subject censored at t
//   was at risk at t (the standard convention, as in R survival). Example: events
//   at 5, 5, a censoring at 5, an event at 10 → S(5) = 3/5 (not 2/4), S(10) = 3/10.
// - S is a right-continuous step function: SurvivalAt(t_j) already includes the drop at t_j.
//   Censorings change later risk sets but never S itself, so S has a step only at event times.
// - Beyond the last event S stays flat at its last value; beyond max_followup the estimator has
//   no data, and SurvivalAt / RestrictedMean extend that last value flat (as R's rmean does). A
//   caller printing a restricted mean with horizon > max_followup should say so.
// - Quantile(p) = the first event time t_j with S(t_j) <= 1 − p, for 0 < p <= 1; nullopt when S
//   never gets that low (too much censoring, or no events), or when p is outside (0, 1] or NaN.
//   The comparison allows an absolute slack of kSurvivalTolerance = 1e-9 on S (S is a product of
//   rounded ratios: with 10,000 events, an S of exactly 0.5 on paper comes out 0.5 + 3.6e-15).
// - median = Quantile(0.5) = the first t with S(t) <= 0.5. With S(t) = 0.5 exactly on a flat
//   segment, the median is the left end of that segment (the "lower" convention): 4 events at
//   1, 2, 3, 4 and no censoring → S(2) = 0.5 → median 2. This differs from the sample median
//   (2.5) and from R survival's quantile.survfit, which returns the midpoint of a flat segment at
//   exactly 0.5 (also 2.5). With an odd count and no censoring the two agree (1, 2, 3 → 2).
// - RestrictedMean(h) = ∫_0^h S(t) dt, the area under the step function up to the horizon
//   (restricted mean survival time). h <= 0 → 0; h NaN → NaN; h = +∞ → the KM mean when S
//   reaches 0, otherwise +∞. With no censoring and h >= the largest time it equals the sample mean.
// - Reason codes for the caller (report.h): n == 0 → EMPTY; n > 0 and median == nullopt →
//   ALL_CENSORED (S never reached 0.5; print max_followup alongside). With n == 0 the curve is
//   S ≡ 1 (no steps), so SurvivalAt returns 1 and RestrictedMean(h) returns h: check n first.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace crmkpi {

inline constexpr double kSurvivalTolerance = 1e-9;

struct SurvivalObs {
  double time = 0;     // duration, >= 0
  bool event = false;  // true = exited/closed at |time|; false = censored (still open at as_of)
  std::uint64_t weight = 1;  // this many subjects with the same (time, event)
};

struct KaplanMeier {
  std::uint64_t n = 0;         // valid observations = events + censored
  std::uint64_t events = 0;    // observations with event = true
  std::uint64_t censored = 0;  // observations with event = false
  std::uint64_t invalid = 0;   // skipped: time NaN, infinite or negative
  // (t_j, S(t_j)) at each distinct event time, ascending in t; S is non-increasing.
  std::vector<std::pair<double, double>> steps;
  // First t with S(t) <= 0.5; nullopt when S never reaches 0.5 (ALL_CENSORED / not reached).
  std::optional<double> median;
  double max_followup = 0;  // largest valid time (event or censored); 0 when n == 0

  // S(t): 1 before the first event, right-continuous, flat after the last event. NaN → NaN.
  double SurvivalAt(double t) const;
  // First event time t with S(t) <= 1 − p (0 < p <= 1), see the header comment.
  std::optional<double> Quantile(double p) const;
  // ∫_0^horizon S(t) dt.
  double RestrictedMean(double horizon) const;
};

// Computes the estimator; |obs| may be in any order (it is sorted here, hence by value).
KaplanMeier EstimateKaplanMeier(std::vector<SurvivalObs> obs);

}  // namespace crmkpi
