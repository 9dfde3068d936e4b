// Dwell: how long deals stay in each stage, stage-to-stage conversion and the stuck list, from a
// StageHistory (stage_history.h). The figures of `crmkpi dwell` (docs/kpis.md, "Stage dwell").
//
// Per deal and stage, one observation:
//   cumulative (default)  the sum of the deal's visits to the stage (HubSpot's convention);
//   latest                its last visit only.
// The observation is *exited* when the deal is no longer in the stage, *open* when it is (its
// current visit runs to as-of: censored). Terminal stages (won, lost) have no dwell.
// Per stage: deals entered, visits, re-entries (visits − deals entered), exited n, the median,
// mean and p90 (type 7) of exited observations in days, still open n, and the Kaplan–Meier
// median (survival.h) with open observations censored at as-of — open deals are never dropped or
// counted as finished. A visit whose as-of duration is negative (as-of before its entry) is left
// out and warned about.
//
// Conversion k → k+1 over the --stages order = deals that reached both / deals that reached k.
//   (the stage a deal is in now counts as entered, even without a date: Maven's Prospecting)
//   any (default)  reached k = entered k at any time, or the deal's current stage comes later in
//                  the order (back-fill; never for a lost deal — even with lost in the order —
//                  so lost deals count only the stages they entered);
//   strict         reached k = entered every stage 0..k.
// The mode is part of the KPI's label.
//
// Stuck list: open deals whose current observation exceeds the stage's threshold —
// --stuck-after DAYS, or STAGE=DAYS per stage, else the stage's p90 of exited observations (no
// exited observation: no threshold, nobody listed) — with id, owner, stage, days, amount, sorted
// by days (longest first), then id.
//
// Details (decided here; docs/kpis.md follows):
// - Durations in days = seconds / 86400. As-of = DwellOptions::as_of, else history.latest, else
//   the latest visit time (hand-built histories). As-of only closes open visits; exited visits
//   are taken as recorded even when they end after it. A visit with a negative duration (an
//   open one entered after as-of, or exit < enter) is left out; the deal's observation is made
//   of its other visits (the last kept one decides exited/open). Left-out visits are counted in
//   `excluded` as negative_dwell on dwell_exited and dwell_days_*, and one DataWarning
//   "negative_dwell" names the first.
// - Units: dwell_entered/visits/reentries/exited/open are counts; dwell_days_* are days with
//   n = exited observations (median, mean with numerator Σdays / denominator n, p90); the KM
//   median has n = exited + open and censored = open. n/a reasons: EMPTY (n = 0), ALL_CENSORED
//   (KM never reaches 0.5), TERMINAL (won/lost stages: every KPI from dwell_exited on is n/a, so
//   all rows have the same columns). Entered and visit counts are the data as read, including
//   left-out visits and terminal stages.
// - Groupings, in this order: "stage" (one row per stage of history.stages: the order, then
//   unknown stages; ordered stages nobody entered included); with --by, {"stage", by...} (rows
//   per stage, then by values, only where someone entered); "stage" of transitions "a → b"
//   (U+2192) between consecutive ordered stages — terminal stages in the order take part
//   (reaching won counts) — with stage_conversion (ratio, label "stage conversion (any)" /
//   "(strict)", ZERO_DENOMINATOR when nobody reached a); with --by, {"stage", by...} of
//   transitions (only where someone reached a). No transition grouping with fewer than two
//   ordered stages.
// - Totals: history_deals, history_visits (excluded: the reader's missing_id, missing_stage,
//   missing_time, invalid_time rows), stuck_deals.
// - Stuck: strictly longer than the threshold; a per-stage threshold wins over DAYS. Columns
//   id, owner, stage, days (1 decimal), amount (exact, empty = null), threshold_days,
//   threshold_source ("--stuck-after" or "p90 of exited").
// - Report::as_of is the as-of date in UTC; a caller with a --tz rewrites it in that zone.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "crmkpi/analysis/stage_history.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

enum class DwellMode { kCumulative, kLatest };
enum class ConversionMode { kAny, kStrict };

struct DwellOptions {
  DwellMode mode = DwellMode::kCumulative;
  ConversionMode conversion = ConversionMode::kAny;
  std::optional<Seconds> as_of;  // default: the history's latest time
  std::optional<double> stuck_after_days;       // every stage
  std::map<std::string, double> stuck_after;    // per stage (StageRules::Normalize of the name)
  // --exact-groups: --by values as written, not after NFKC and white-space collapsing
  // (docs/kpis.md, "Group keys"; the grouping's merged spellings count deals).
  bool exact_groups = false;
};

// The report: command "dwell"; total KPIs (history_deals, history_visits, stuck_deals); a
// grouping "stage" (plus the --by columns of the history) with dwell_entered, dwell_visits,
// dwell_reentries, dwell_exited, dwell_open, dwell_days_median, dwell_days_mean,
// dwell_days_p90, dwell_days_km_median; a grouping "stage" of transitions ("a → b") with
// stage_conversion; the list "stuck"; the history's warnings. Throws Error(kUsage) for a
// --stuck-after stage that is not in the history.
Report ComputeDwell(const StageHistory& history, const DwellOptions& options);

}  // namespace crmkpi
