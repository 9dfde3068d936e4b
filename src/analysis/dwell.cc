// Dwell (dwell.h): per-deal stage observations from the visits of a StageHistory, their
// statistics per stage (and per stage × --by group), stage-to-stage conversion and the stuck
// list. One pass over the deals; the statistics are computed from the kept observations.
#include "crmkpi/analysis/dwell.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/analysis/days_summary.h"
#include "crmkpi/base/error.h"
#include "crmkpi/base/survival.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/group_keys.h"

namespace crmkpi {
namespace {

constexpr double kSecondsPerDay = 86400.0;

double Days(Seconds s) { return static_cast<double>(s) / kSecondsPerDay; }

// What one stage (or one stage × group) collected: the deal-level observations in seconds.
struct StageStats {
  std::uint64_t entered = 0;  // deals with at least one visit
  std::uint64_t visits = 0;
  std::uint64_t negative = 0;  // visits left out: negative duration
  std::vector<Seconds> exited;
  std::vector<Seconds> open;  // censored at as-of

  void Add(const StageStats& deal) {
    entered += deal.entered;
    visits += deal.visits;
    negative += deal.negative;
    exited.insert(exited.end(), deal.exited.begin(), deal.exited.end());
    open.insert(open.end(), deal.open.begin(), deal.open.end());
  }
};

// Conversion counts of one transition k → k+1.
struct ConversionCount {
  std::uint64_t reached_both = 0;  // numerator
  std::uint64_t reached_from = 0;  // denominator
};

// One deal's visits to one stage, folded into its observation.
struct DealStage {
  bool seen = false;
  std::uint64_t visits = 0;
  std::uint64_t negative = 0;
  bool measured = false;  // at least one visit kept
  bool open = false;      // the last kept visit is open
  Seconds seconds = 0;    // cumulative: Σ kept visits; latest: the last kept visit
};

// A candidate for the stuck list: an open observation.
struct OpenDeal {
  std::size_t deal = 0;
  int stage = 0;
  Seconds seconds = 0;
};

struct NegativeWarning {
  std::uint64_t count = 0;
  std::uint64_t line = 0;
  std::string deal, stage;
};

KpiValue Count(const char* id, std::uint64_t n) {
  KpiValue v;
  v.id = id;
  v.unit = Unit::kCount;
  v.value = Num::Count(n);
  return v;
}

KpiValue NotApplicable(const char* id, Unit unit, const char* reason) {
  KpiValue v;
  v.id = id;
  v.unit = unit;
  v.reason = reason;
  return v;
}

void Exclude(KpiValue* v, const char* reason, std::uint64_t n) {
  if (n > 0) v->excluded.emplace_back(reason, n);
}

// The dwell KPIs of one row of the "stage" grouping, in the order of dwell.h. |p90| receives
// the p90 of exited observations when there is one.
std::vector<KpiValue> StageKpis(StageStats& s, bool terminal, std::optional<double>* p90) {
  std::vector<KpiValue> out;
  out.push_back(Count("dwell_entered", s.entered));
  out.push_back(Count("dwell_visits", s.visits));
  out.push_back(Count("dwell_reentries", s.visits - s.entered));
  static const char* kDwellIds[6] = {"dwell_exited",    "dwell_open",     "dwell_days_median",
                                     "dwell_days_mean", "dwell_days_p90", "dwell_days_km_median"};
  if (terminal) {
    // Won and lost close a deal: nobody dwells in them.
    for (int k = 0; k < 6; ++k) {
      out.push_back(NotApplicable(kDwellIds[k], k < 2 ? Unit::kCount : Unit::kDays, "TERMINAL"));
    }
    return out;
  }
  const std::uint64_t n = s.exited.size();
  out.push_back(Count("dwell_exited", n));
  Exclude(&out.back(), "negative_dwell", s.negative);
  out.push_back(Count("dwell_open", s.open.size()));

  static const char* const kSummaryIds[3] = {kDwellIds[2], kDwellIds[3], kDwellIds[4]};
  ValueCounts exited;
  for (Seconds t : s.exited) exited.Add(t);
  AppendDaysSummary(exited, kSummaryIds, &out);
  for (std::size_t k = out.size() - 3; k < out.size(); ++k) {
    Exclude(&out[k], "negative_dwell", s.negative);
  }
  if (p90 != nullptr && out.back().value) *p90 = out.back().value->ToDouble();

  std::vector<SurvivalObs> obs;
  obs.reserve(s.exited.size() + s.open.size());
  for (Seconds t : s.exited) obs.push_back({Days(t), true});
  for (Seconds t : s.open) obs.push_back({Days(t), false});
  KpiValue v;
  v.id = kDwellIds[5];
  v.unit = Unit::kDays;
  Exclude(&v, "negative_dwell", s.negative);
  SetKaplanMeierMedian(std::move(obs), &v);
  out.push_back(std::move(v));
  return out;
}

// |entered_from|, |entered_to|: some deal entered the transition's first / second stage. When
// no deal entered one of them, the count is only back-fill (any: a deal in a later stage has
// passed it) and says nothing about the data: a --stages list naming stages the export does
// not have printed 100 % (2/2) beside "entered 0". It is n/a then. (A second stage nobody
// entered nor passed is a real 0 %.)
KpiValue ConversionKpi(const ConversionCount& c, ConversionMode mode, bool entered_from,
                       bool entered_to) {
  const bool entered = entered_from && (entered_to || c.reached_both == 0);
  KpiValue v;
  v.id = "stage_conversion";
  v.unit = Unit::kRatio;
  v.label = mode == ConversionMode::kAny ? "stage conversion (any)" : "stage conversion (strict)";
  if (!entered && c.reached_from > 0) {
    v.reason = "STAGE_NOT_ENTERED";
    return v;
  }
  v.numerator = Num::Count(c.reached_both);
  v.denominator = Num::Count(c.reached_from);
  if (c.reached_from == 0) {
    v.reason = "ZERO_DENOMINATOR";
  } else {
    v.value = Num::Real(static_cast<double>(c.reached_both) / static_cast<double>(c.reached_from));
  }
  return v;
}

// The as-of: the option, else the history's latest time, else the latest time of any visit
// (hand-built histories); nullopt when there is no time at all.
std::optional<Seconds> EffectiveAsOf(const StageHistory& history, const DwellOptions& options) {
  if (options.as_of) return options.as_of;
  if (history.latest) return history.latest;
  std::optional<Seconds> latest;
  for (const DealHistory& d : history.deals) {
    for (const StageVisit& v : d.visits) {
      const Seconds t = v.exit ? std::max(v.enter, *v.exit) : v.enter;
      if (!latest || t > *latest) latest = t;
    }
  }
  return latest;
}

// "12.5": days with one decimal, a JSON number.
std::string DaysText(double days) { return fmt::format("{:.1f}", days); }

class DwellRun {
 public:
  DwellRun(const StageHistory& history, const DwellOptions& options)
      : h_(history),
        o_(options),
        as_of_(EffectiveAsOf(history, options)),
        terminal_(history.stages.size(), false),
        stages_(history.stages.size()),
        per_deal_(history.stages.size()) {
    for (std::size_t s = 0; s < h_.stages.size() && s < h_.classes.size(); ++s) {
      terminal_[s] = h_.classes[s] != StageClass::kOpen;
    }
    const std::size_t transitions = h_.ordered > 1 ? h_.ordered - 1 : 0;
    conversion_.resize(transitions);
    ever_entered_.resize(h_.ordered, 0);
    for (std::size_t i = 0; i < h_.by_names.size(); ++i) keys_.emplace_back(o_.exact_groups);
    CheckThresholds();
  }

  Report Run() {
    for (std::size_t d = 0; d < h_.deals.size(); ++d) AddDeal(d);
    Report report;
    report.command = "dwell";
    report.inputs.push_back(h_.input);
    if (as_of_) {
      report.as_of = FormatDate(DateParser().LocalDate(*as_of_));
      report.as_of_source = o_.as_of ? "option" : "data";
    }
    std::vector<std::optional<double>> p90(stages_.size());
    report.groupings.push_back(StageGrouping(&p90));
    if (!h_.by_names.empty()) report.groupings.push_back(StageByGrouping());
    if (!conversion_.empty()) {
      report.groupings.push_back(ConversionGrouping());
      if (!h_.by_names.empty()) report.groupings.push_back(ConversionByGrouping());
    }
    ReportList stuck = StuckList(p90);
    report.total.kpis.push_back(Count("history_deals", h_.deals.size()));
    KpiValue visits = Count("history_visits", total_visits_);
    Exclude(&visits, "missing_id", h_.missing_id);
    Exclude(&visits, "missing_stage", h_.missing_stage);
    Exclude(&visits, "missing_time", h_.missing_time);
    Exclude(&visits, "invalid_time", h_.invalid_time);
    report.total.kpis.push_back(std::move(visits));
    report.total.kpis.push_back(Count("stuck_deals", stuck.rows.size()));
    report.lists.push_back(std::move(stuck));
    report.lists.push_back(SurvivalList());
    report.warnings = h_.warnings;
    WarnUnenteredStages(&report);
    if (negative_.count > 0) {
      DataWarning w;
      w.kind = "negative_dwell";
      w.count = negative_.count;
      w.first.file = h_.input.name;
      w.first.line = negative_.line;
      w.message = fmt::format(
          "stage visits with a negative duration (entered after as-of, or exited before they "
          "were entered) are left out of the dwell figures (first: deal {} in stage {})",
          negative_.deal, negative_.stage);
      report.warnings.push_back(std::move(w));
    }
    return report;
  }

 private:
  // Normalises the per-stage thresholds (idempotent) and checks them.
  void CheckThresholds() {
    for (const auto& [stage, days] : o_.stuck_after) {
      stuck_after_[StageRules::Normalize(stage)] = days;
    }
    auto check = [](double days, const std::string& what) {
      if (!std::isfinite(days) || days < 0) {
        throw Error::Usage(
            fmt::format("--stuck-after{}: expected a number of days >= 0, got {}", what, days));
      }
    };
    if (o_.stuck_after_days) check(*o_.stuck_after_days, "");
    for (const auto& [stage, days] : stuck_after_) {
      check(days, " " + stage);
      const bool found = std::any_of(
          h_.stages.begin(), h_.stages.end(),
          [&key = stage](const std::string& name) {  // clang < 16 cannot capture a binding
            return StageRules::Normalize(name) == key;
          });
      if (!found) {
        std::string known;
        for (const std::string& name : h_.stages) known += (known.empty() ? "" : ", ") + name;
        throw Error::Usage(fmt::format("--stuck-after: no stage '{}' in the history (stages: {})",
                                       stage, known.empty() ? "none" : known));
      }
    }
  }

  void AddDeal(std::size_t index) {
    const DealHistory& deal = h_.deals[index];
    const std::size_t stage_count = h_.stages.size();
    std::vector<int> touched;
    std::vector<bool> entered(stage_count, false);
    for (const StageVisit& v : deal.visits) {
      if (v.stage < 0 || static_cast<std::size_t>(v.stage) >= stage_count) continue;
      DealStage& a = per_deal_[static_cast<std::size_t>(v.stage)];
      if (!a.seen) {
        a = DealStage{};
        a.seen = true;
        touched.push_back(v.stage);
      }
      entered[static_cast<std::size_t>(v.stage)] = true;
      ++a.visits;
      ++total_visits_;
      if (terminal_[static_cast<std::size_t>(v.stage)]) continue;
      // Left at an unknown time (wide layout: the stage the deal is in now has no entry date):
      // entered, but neither exited nor open.
      if (v.exit_unknown) continue;
      // An open visit runs to as-of; as_of_ exists whenever there is a visit.
      const Seconds end = v.exit ? *v.exit : as_of_.value_or(v.enter);
      if (end < v.enter) {
        ++a.negative;
        if (negative_.count++ == 0) {
          negative_.line = v.line;
          negative_.deal = deal.id;
          negative_.stage = h_.stages[static_cast<std::size_t>(v.stage)];
        }
        continue;
      }
      a.seconds = o_.mode == DwellMode::kCumulative ? a.seconds + (end - v.enter) : end - v.enter;
      a.measured = true;
      a.open = !v.exit;
    }

    std::vector<std::string> group;
    if (!h_.by_names.empty()) {  // group keys: each distinct raw value normalised once
      group.resize(h_.by_names.size());
      for (std::size_t i = 0; i < group.size(); ++i) {
        group[i] = keys_[i].Key(i < deal.by.size() ? std::string_view(deal.by[i]) : "");
      }
    }
    for (int s : touched) {
      DealStage& a = per_deal_[static_cast<std::size_t>(s)];
      StageStats one;
      one.entered = 1;
      one.visits = a.visits;
      one.negative = a.negative;
      if (a.measured) {
        (a.open ? one.open : one.exited).push_back(a.seconds);
        if (a.open) open_deals_.push_back({index, s, a.seconds});
      }
      stages_[static_cast<std::size_t>(s)].Add(one);
      if (!h_.by_names.empty()) stages_by_[{s, group}].Add(one);
      a.seen = false;
    }
    AddConversion(deal, entered, group);
  }

  void AddConversion(const DealHistory& deal, std::vector<bool> entered,
                     const std::vector<std::string>& group) {
    if (conversion_.empty()) return;
    const std::size_t ordered = h_.ordered;
    // The stage a deal is in now has been entered, dated or not (Maven's Prospecting).
    if (deal.current >= 0 && static_cast<std::size_t>(deal.current) < entered.size()) {
      entered[static_cast<std::size_t>(deal.current)] = true;
    }
    for (std::size_t k = 0; k < ordered; ++k) ever_entered_[k] += entered[k];
    std::vector<bool> reached(ordered, false);
    // Back-fill (any): the current stage's position in the order, unless the deal is lost.
    std::size_t current = 0;
    bool backfill = false;
    if (o_.conversion == ConversionMode::kAny && deal.current >= 0 &&
        static_cast<std::size_t>(deal.current) < ordered) {
      current = static_cast<std::size_t>(deal.current);
      backfill = current < h_.classes.size() ? h_.classes[current] != StageClass::kLost : true;
    }
    bool all_before = true;
    for (std::size_t k = 0; k < ordered; ++k) {
      if (o_.conversion == ConversionMode::kStrict) {
        all_before = all_before && entered[k];
        reached[k] = all_before;
      } else {
        reached[k] = entered[k] || (backfill && k < current);
      }
    }
    for (std::size_t k = 0; k + 1 < ordered; ++k) {
      if (!reached[k]) continue;
      ConversionCount one;
      one.reached_from = 1;
      one.reached_both = reached[k + 1] ? 1 : 0;
      Add(&conversion_[k], one);
      if (!h_.by_names.empty()) Add(&conversion_by_[{static_cast<int>(k), group}], one);
    }
  }

  static void Add(ConversionCount* to, const ConversionCount& one) {
    to->reached_both += one.reached_both;
    to->reached_from += one.reached_from;
  }

  bool Terminal(int stage) const { return terminal_[static_cast<std::size_t>(stage)]; }

  bool Entered(std::size_t k) const { return ever_entered_[k] > 0; }

  // The warning for stages of --stages that no deal entered, naming the data's other stages.
  void WarnUnenteredStages(Report* report) const {
    std::string missing, others;
    for (std::size_t k = 0; k < ever_entered_.size(); ++k) {
      if (ever_entered_[k] == 0) missing += (missing.empty() ? "'" : ", '") + h_.stages[k] + "'";
    }
    if (missing.empty() || conversion_.empty() || h_.deals.empty()) return;
    for (std::size_t s = h_.ordered; s < h_.stages.size(); ++s) {
      others += (others.empty() ? "" : ", ") + h_.stages[s];
    }
    DataWarning w;
    w.kind = "stage_not_entered";
    w.count = 0;
    w.first.file = h_.input.name;
    w.message = fmt::format(
        "no deal entered {} of --stages, so a conversion from or to {} is n/a{}", missing,
        missing.find(',') == std::string::npos ? "it" : "them",
        others.empty() ? std::string()
                       : fmt::format(" (stages in the data but not in --stages: {})", others));
    report->warnings.push_back(std::move(w));
  }

  std::string TransitionName(std::size_t k) const {
    return h_.stages[k] + " \u2192 " + h_.stages[k + 1];
  }

  Grouping StageGrouping(std::vector<std::optional<double>>* p90) {
    Grouping g;
    g.keys = {"stage"};
    for (std::size_t s = 0; s < stages_.size(); ++s) {
      GroupRow row;
      row.values = {h_.stages[s]};
      row.kpis = StageKpis(stages_[s], terminal_[s], &(*p90)[s]);
      g.rows.push_back(std::move(row));
    }
    return g;
  }

  std::vector<std::string> ByKeys(const char* first) const {
    std::vector<std::string> keys = {first};
    keys.insert(keys.end(), h_.by_names.begin(), h_.by_names.end());
    return keys;
  }

  Grouping StageByGrouping() {
    Grouping g;
    g.keys = ByKeys("stage");
    g.merged = Merged();
    for (auto& [key, stats] : stages_by_) {
      GroupRow row;
      row.values = {h_.stages[static_cast<std::size_t>(key.first)]};
      row.values.insert(row.values.end(), key.second.begin(), key.second.end());
      row.kpis = StageKpis(stats, Terminal(key.first), nullptr);
      g.rows.push_back(std::move(row));
    }
    return g;
  }

  Grouping ConversionGrouping() const {
    Grouping g;
    g.keys = {"stage"};
    for (std::size_t k = 0; k < conversion_.size(); ++k) {
      GroupRow row;
      row.values = {TransitionName(k)};
      row.kpis.push_back(ConversionKpi(conversion_[k], o_.conversion, Entered(k), Entered(k + 1)));
      g.rows.push_back(std::move(row));
    }
    return g;
  }

  // The raw --by spellings merged under each group value, with their deals.
  std::vector<MergedSpelling> Merged() const {
    std::vector<MergedSpelling> out;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      for (GroupKeyMap::Merged& m : keys_[i].MergedSpellings()) {
        out.push_back({"", h_.by_names[i], std::move(m.key), std::move(m.spellings), "deal"});
      }
    }
    return out;
  }

  Grouping ConversionByGrouping() const {
    Grouping g;
    g.keys = ByKeys("stage");
    g.merged = Merged();
    for (const auto& [key, count] : conversion_by_) {
      GroupRow row;
      row.values = {TransitionName(static_cast<std::size_t>(key.first))};
      row.values.insert(row.values.end(), key.second.begin(), key.second.end());
      row.kpis.push_back(
          ConversionKpi(count, o_.conversion, Entered(static_cast<std::size_t>(key.first)),
                        Entered(static_cast<std::size_t>(key.first) + 1)));
      g.rows.push_back(std::move(row));
    }
    return g;
  }

  // The Kaplan–Meier curve of each stage a deal dwells in: S(t) at each day a visit ended (open
  // visits censored at the as-of), from which dwell_days_km_median is read; -f html draws it.
  ReportList SurvivalList() const {
    ReportList list;
    list.id = "survival";
    list.title = "Kaplan–Meier: share of visits still in the stage after N days (open ones censored)";
    list.columns = {"stage", "days", "survival"};
    list.numeric = {false, true, true};
    list.in_text = false;  // the KM median is in the table; the curve is drawn by -f html
    for (std::size_t s = 0; s < stages_.size(); ++s) {
      if (terminal_[s]) continue;
      std::vector<SurvivalObs> obs;
      for (Seconds t : stages_[s].exited) obs.push_back({Days(t), true});
      for (Seconds t : stages_[s].open) obs.push_back({Days(t), false});
      for (const auto& [t, surv] : EstimateKaplanMeier(std::move(obs)).steps) {
        // Six decimals: a product of ratios shows as 0.4, not 0.39999999999999997.
        list.rows.push_back({h_.stages[s], fmt::format("{}", t),
                             fmt::format("{}", std::round(surv * 1e6) / 1e6)});
      }
    }
    return list;
  }

  ReportList StuckList(const std::vector<std::optional<double>>& p90) {
    ReportList list;
    list.id = "stuck";
    list.title = "Stuck deals (open longer than the threshold)";
    list.columns = {"id", "owner", "stage", "days", "amount", "threshold_days", "threshold_source"};
    list.numeric = {false, false, false, true, true, true, false};
    list.units = {Unit::kNumber, Unit::kNumber, Unit::kNumber, Unit::kDays,
                  Unit::kAmount, Unit::kDays, Unit::kNumber};
    // Per stage: the threshold and where it came from.
    std::vector<std::optional<double>> threshold(stages_.size());
    std::vector<bool> explicit_threshold(stages_.size(), false);
    for (std::size_t s = 0; s < stages_.size(); ++s) {
      const auto it = stuck_after_.find(StageRules::Normalize(h_.stages[s]));
      if (it != stuck_after_.end()) {
        threshold[s] = it->second;
        explicit_threshold[s] = true;
      } else if (o_.stuck_after_days) {
        threshold[s] = *o_.stuck_after_days;
        explicit_threshold[s] = true;
      } else {
        threshold[s] = p90[s];
      }
    }
    std::vector<OpenDeal> stuck;
    for (const OpenDeal& d : open_deals_) {
      const auto s = static_cast<std::size_t>(d.stage);
      if (threshold[s] && Days(d.seconds) > *threshold[s]) stuck.push_back(d);
    }
    std::sort(stuck.begin(), stuck.end(), [&](const OpenDeal& a, const OpenDeal& b) {
      if (a.seconds != b.seconds) return a.seconds > b.seconds;
      return h_.deals[a.deal].id < h_.deals[b.deal].id;
    });
    for (const OpenDeal& d : stuck) {
      const DealHistory& deal = h_.deals[d.deal];
      const auto s = static_cast<std::size_t>(d.stage);
      list.rows.push_back(
          {deal.id, deal.owner, h_.stages[s], DaysText(Days(d.seconds)),
           deal.amount ? Num::Money(*deal.amount).ToString() : "",
           explicit_threshold[s] ? fmt::format("{}", *threshold[s]) : DaysText(*threshold[s]),
           explicit_threshold[s] ? "--stuck-after" : "p90 of exited"});
    }
    return list;
  }

  const StageHistory& h_;
  const DwellOptions& o_;
  std::vector<GroupKeyMap> keys_;  // per --by column
  std::optional<Seconds> as_of_;
  std::map<std::string, double> stuck_after_;  // normal form of the stage → days
  std::vector<bool> terminal_;
  std::vector<StageStats> stages_;
  std::map<std::pair<int, std::vector<std::string>>, StageStats> stages_by_;
  std::vector<ConversionCount> conversion_;  // transition k → k+1
  std::vector<std::uint64_t> ever_entered_;   // per ordered stage: deals that entered it
  std::map<std::pair<int, std::vector<std::string>>, ConversionCount> conversion_by_;
  std::vector<DealStage> per_deal_;  // scratch, per stage, for the deal being added
  std::vector<OpenDeal> open_deals_;
  std::uint64_t total_visits_ = 0;
  NegativeWarning negative_;
};

}  // namespace

Report ComputeDwell(const StageHistory& history, const DwellOptions& options) {
  return DwellRun(history, options).Run();
}

}  // namespace crmkpi
