#include "crmkpi/base/survival.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace crmkpi {

KaplanMeier EstimateKaplanMeier(std::vector<SurvivalObs> obs) {
  KaplanMeier km;
  const auto valid_end = std::stable_partition(obs.begin(), obs.end(), [](const SurvivalObs& o) {
    return std::isfinite(o.time) && o.time >= 0;
  });
  for (auto it = valid_end; it != obs.end(); ++it) km.invalid += it->weight;
  obs.erase(valid_end, obs.end());
  for (SurvivalObs& o : obs) o.time += 0.0;  // −0 → +0
  // Callers often pass sorted runs merged already (value counts come out in value order): then
  // checking is all the sorting needed.
  const auto by_time = [](const SurvivalObs& a, const SurvivalObs& b) { return a.time < b.time; };
  if (!std::is_sorted(obs.begin(), obs.end(), by_time)) std::sort(obs.begin(), obs.end(), by_time);

  for (const SurvivalObs& o : obs) km.n += o.weight;
  std::uint64_t at_risk = km.n;
  double s = 1;
  for (std::size_t i = 0; i < obs.size();) {
    const double t = obs[i].time;
    std::uint64_t d = 0, c = 0;
    for (; i < obs.size() && obs[i].time == t; ++i) (obs[i].event ? d : c) += obs[i].weight;
    // Ties: the whole group at t is in the risk set r = at_risk for the events at t, and the
    // censorings at t leave only afterwards (events before censorings at the same time).
    if (d > 0) {
      // Multiply before dividing: S × (r − d) is exact while S has few significant bits, so a
      // step usually costs one rounding. S can still be off the exact fraction by a few ulps,
      // hence kSurvivalTolerance in Quantile.
      s = s * static_cast<double>(at_risk - d) / static_cast<double>(at_risk);
      km.steps.emplace_back(t, s);
    }
    km.events += d;
    km.censored += c;
    at_risk -= d + c;
  }
  km.max_followup = obs.empty() ? 0.0 : obs.back().time;
  km.median = km.Quantile(0.5);
  return km;
}

double KaplanMeier::SurvivalAt(double t) const {
  if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  // The last step with time <= t (right-continuous).
  const auto it = std::upper_bound(
      steps.begin(), steps.end(), t,
      [](double x, const std::pair<double, double>& step) { return x < step.first; });
  return it == steps.begin() ? 1.0 : std::prev(it)->second;
}

std::optional<double> KaplanMeier::Quantile(double p) const {
  if (!(p > 0 && p <= 1)) return std::nullopt;
  const double level = 1 - p;
  for (const auto& [t, s] : steps) {
    if (s <= level + kSurvivalTolerance) return t;
  }
  return std::nullopt;
}

double KaplanMeier::RestrictedMean(double horizon) const {
  if (std::isnan(horizon)) return horizon;
  if (horizon <= 0) return 0;
  double area = 0, prev_t = 0, prev_s = 1;
  for (const auto& [t, s] : steps) {
    if (t >= horizon) break;
    area += (t - prev_t) * prev_s;
    prev_t = t;
    prev_s = s;
  }
  if (prev_s > 0) area += (horizon - prev_t) * prev_s;  // skipping avoids ∞ × 0 when S hit 0
  return area;
}

}  // namespace crmkpi
