// `crmkpi forecast` after reading: joining forecast entries with actuals into points, the MASE
// scales, the KPIs of the total and each grouping, and the rows and unmatched lists.
#include "crmkpi/analysis/forecast_report.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "crmkpi/analysis/forecast_kpis.h"
#include "crmkpi/values/period_label.h"
#include "forecast_report_inputs.h"

namespace crmkpi {
namespace forecast_report {
namespace {

Int128 Abs(Int128 v) { return v < 0 ? -v : v; }

std::string DayText(std::int32_t day) {
  return FormatDate(date::year_month_day{date::sys_days{date::days{day}}});
}

// One point of the join: a key's headline forecast and actual, or one horizon of it.
struct Point {
  std::int32_t period = 0;
  std::uint32_t group = 0, category = 0;
  std::int32_t snapshot = kNoSnapshot;
  std::int32_t horizon = -1;
  Int128 forecast = 0, actual = 0;
  std::uint32_t rows = 0;       // forecast rows summed into it
  bool has_forecast = true;     // false: actual only
  bool counted = true;          // in the metrics (matched, or zero-filled)
  std::optional<ForecastExclusion> why;  // set for one-side-only and excluded points
};

// What is known of a key's actual.
struct ActualSide {
  bool known = false;
  Int128 value = 0;
  ForecastExclusion why = ForecastExclusion::kNoActual;  // when !known
};

std::string_view ExclusionCode(ForecastExclusion why) {
  switch (why) {
    case ForecastExclusion::kNoActual:
      return "no_actual";
    case ForecastExclusion::kNoForecast:
      return "no_forecast";
    case ForecastExclusion::kPeriodNotEnded:
      return "period_not_ended";
    case ForecastExclusion::kLateSnapshot:
      return "late_snapshot";
  }
  return "";
}

// The join and evaluation of what ForecastInputs read: Finish gives the report.
class ForecastReportRun : public ForecastInputs {
 public:
  explicit ForecastReportRun(const ForecastOptions& options) : ForecastInputs(options) {}

  Report Finish() {
    Report report;
    report.command = "forecast";
    report.inputs = inputs_;
    if (as_of_option_) {
      as_of_ = as_of_option_;
      report.as_of_source = "option";
    } else if (deals_ && max_date_ != std::numeric_limits<Seconds>::min()) {
      as_of_ = DayNumber(dates_.LocalDate(max_date_));
      report.as_of_source = "data";
    }
    if (as_of_) report.as_of = DayText(*as_of_);

    has_category_ = froles_.has(Role::kCategory);
    has_snapshot_ = froles_.has(Role::kSnapshot);
    category_count_ = has_category_ ? categories_.names.size() : 1;

    std::vector<Point> heads, horizons;
    JoinForecastKeys(&heads, &horizons);
    if (!use_actual_column_) AddActualOnly(&heads);
    ComputeScales(heads);
    report.total.kpis = Evaluate(heads, horizons, &report.groupings);
    // Each period's first and last day, for the CSV and JSON rows (from the ordinal: a label such
    // as "2024-03-03 week" does not read back as a period).
    for (const Point& p : heads) {
      report.period_bounds.try_emplace(
          PeriodOrdinalLabel(options_.period, options_.calendar, p.period),
          FormatDate(PeriodFirstDay(options_.period, options_.calendar, p.period)),
          FormatDate(PeriodLastDay(options_.period, options_.calendar, p.period)));
    }
    std::sort(heads.begin(), heads.end(),
              [this](const Point& a, const Point& b) { return PointLess(a, b); });
    report.lists.push_back(RowsList(heads));
    report.lists.push_back(UnmatchedList(heads));
    report.warnings = warnings_.Take();
    return report;
  }

 private:
  // ---- join -----------------------------------------------------------------------------------

  std::int32_t LastDay(std::int32_t period) const {
    return DayNumber(PeriodLastDay(options_.period, options_.calendar, period));
  }

  // The period after |period|: ordinals are consecutive, but a week's is its first day.
  std::int32_t Next(std::int32_t period) const {
    const date::sys_days after{date::days{LastDay(period) + 1}};
    return PeriodOrdinal(options_.period, options_.calendar, date::year_month_day{after});
  }

  bool Ended(std::int32_t period) const {
    if (use_actual_column_ && !as_of_option_) return true;
    return as_of_ && LastDay(period) <= *as_of_;
  }

  // The actual of a key with DEALS.csv.
  ActualSide DealsActual(std::int32_t period, std::uint32_t group) const {
    ActualSide s;
    if (!Ended(period)) {
      s.why = ForecastExclusion::kPeriodNotEnded;
    } else if (!groups_.in_deals[group]) {
      s.why = ForecastExclusion::kNoActual;
    } else {
      s.known = true;
      const auto it = actuals_.find(CellKey(group, period));
      if (it != actuals_.end()) s.value = it->second.sum;
    }
    return s;
  }

  // Fills the point's actual side from |a| (with zero-filling under --missing-as-zero).
  void SetActual(const ActualSide& a, Point* p) const {
    if (a.known) {
      p->actual = a.value;
      return;
    }
    p->why = a.why;
    p->counted = a.why == ForecastExclusion::kNoActual && options_.missing_as_zero;
  }

  // One headline point per forecast key, and its horizon points.
  void JoinForecastKeys(std::vector<Point>* heads, std::vector<Point>* horizons) const {
    std::vector<std::pair<std::int32_t, const Entry*>> by_horizon;
    for (auto it = entries_.begin(); it != entries_.end();) {
      const std::int32_t period = std::get<0>(it->first);
      const std::uint32_t group = std::get<1>(it->first);
      const std::uint32_t category = std::get<2>(it->first);
      auto end = it;
      while (end != entries_.end() && std::get<0>(end->first) == period &&
             std::get<1>(end->first) == group && std::get<2>(end->first) == category) {
        ++end;
      }
      const std::int32_t last_day = LastDay(period);
      const Entry* head = nullptr;
      std::int32_t head_snapshot = kNoSnapshot;
      const Entry* with_actual = nullptr;
      bool any_forecast = false;
      by_horizon.clear();
      for (auto e = it; e != end; ++e) {  // ascending snapshot dates
        const std::int32_t snapshot = std::get<3>(e->first);
        const Entry& entry = e->second;
        if (entry.has_actual) with_actual = &entry;
        if (!entry.has_forecast) continue;
        any_forecast = true;
        if (snapshot != kNoSnapshot && snapshot > last_day) continue;
        head = &entry;
        head_snapshot = snapshot;
        if (snapshot != kNoSnapshot) {
          const std::int32_t h = (last_day - snapshot) / 7;
          if (!by_horizon.empty() && by_horizon.back().first == h) by_horizon.pop_back();
          by_horizon.emplace_back(h, &entry);
        }
      }
      it = end;

      ActualSide actual;
      if (use_actual_column_) {
        if (!Ended(period)) {
          actual.why = ForecastExclusion::kPeriodNotEnded;
        } else if (with_actual != nullptr) {
          actual.known = true;
          actual.value = with_actual->actual;
        }
      } else {
        actual = DealsActual(period, group);
      }

      Point p;
      p.period = period;
      p.group = group;
      p.category = category;
      if (!any_forecast) {  // actual cells only: actual only
        p.has_forecast = false;
        p.actual = actual.value;
        p.why = actual.known ? ForecastExclusion::kNoForecast : actual.why;
        p.counted = actual.known && options_.missing_as_zero;
        if (actual.known || actual.why == ForecastExclusion::kPeriodNotEnded) {
          heads->push_back(p);
        }
        continue;
      }
      if (head == nullptr) {
        p.why = ForecastExclusion::kLateSnapshot;
        p.counted = false;
        heads->push_back(p);
        continue;
      }
      p.forecast = head->forecast;
      p.rows = head->rows;
      p.snapshot = head_snapshot;
      SetActual(actual, &p);
      heads->push_back(p);
      for (const auto& [h, entry] : by_horizon) {
        Point q = p;
        q.horizon = h;
        q.forecast = entry->forecast;
        q.rows = entry->rows;
        horizons->push_back(q);
      }
    }
  }

  // DEALS.csv: (period, group) keys with won deals in a forecast period and no forecast.
  void AddActualOnly(std::vector<Point>* heads) const {
    std::set<std::int32_t> forecast_periods;
    for (const auto& [k, e] : entries_) forecast_periods.insert(std::get<0>(k));
    for (const auto& [cell_key, cell] : actuals_) {
      const auto group = static_cast<std::uint32_t>(cell_key >> 32);
      const auto period = static_cast<std::int32_t>(static_cast<std::uint32_t>(cell_key));
      if (cell.deals == 0 || forecast_periods.count(period) == 0) continue;
      for (std::uint32_t c = 0; c < category_count_; ++c) {
        const auto it = entries_.lower_bound(EntryKey{period, group, c, kNoSnapshot});
        if (it != entries_.end() && std::get<0>(it->first) == period &&
            std::get<1>(it->first) == group && std::get<2>(it->first) == c) {
          continue;  // forecast
        }
        Point p;
        p.period = period;
        p.group = group;
        p.category = c;
        p.has_forecast = false;
        p.actual = cell.sum;
        const bool ended = Ended(period);
        p.why = ended ? ForecastExclusion::kNoForecast : ForecastExclusion::kPeriodNotEnded;
        p.counted = ended && options_.missing_as_zero;
        heads->push_back(p);
      }
    }
  }

  // ---- MASE -----------------------------------------------------------------------------------

  using SeriesKey = std::pair<std::uint32_t, std::uint32_t>;  // group, category

  void ComputeScales(const std::vector<Point>& heads) {
    std::map<SeriesKey, std::int32_t> first;
    for (const Point& p : heads) {
      auto [it, inserted] = first.try_emplace(SeriesKey{p.group, p.category}, p.period);
      if (!inserted) it->second = std::min(it->second, p.period);
    }
    std::vector<Int128> history;
    for (const auto& [series, first_period] : first) {
      history.clear();
      const std::uint32_t g = series.first;
      if (deals_ && groups_.in_deals[g] &&
          groups_.first_date[g] != std::numeric_limits<Seconds>::max()) {
        const std::int32_t start =
            PeriodOrdinal(options_.period, options_.calendar, dates_.LocalDate(groups_.first_date[g]));
        for (std::int32_t p = start; p < first_period && Ended(p); p = Next(p)) {
          const auto it = actuals_.find(CellKey(g, p));
          history.push_back(it == actuals_.end() ? 0 : it->second.sum);
        }
      }
      scales_[series] = ComputeNaiveScale(history);
    }
  }

  // ---- evaluation -----------------------------------------------------------------------------

  static void Apply(const Point& p, const NaiveScale& scale, ForecastScope* scope) {
    if (p.counted) {
      scope->Add(p.has_forecast ? p.forecast : 0, p.actual, scale);
    } else {
      scope->Exclude(*p.why);
    }
  }

  std::vector<KpiValue> Evaluate(const std::vector<Point>& heads,
                                 const std::vector<Point>& horizons,
                                 std::vector<Grouping>* groupings) const {
    ForecastScope total;
    std::map<SeriesKey, ForecastScope> by_series;
    std::map<std::pair<std::int32_t, std::uint32_t>, ForecastScope> by_period, by_horizon;
    std::map<std::uint32_t, ForecastScope> by_category;
    for (const Point& p : heads) {
      const NaiveScale& scale = scales_.at(SeriesKey{p.group, p.category});
      Apply(p, scale, &total);
      if (!options_.by.empty()) Apply(p, scale, &by_series[SeriesKey{p.group, p.category}]);
      Apply(p, scale, &by_period[{p.period, p.category}]);
      if (has_category_) Apply(p, scale, &by_category[p.category]);
    }
    for (const Point& p : horizons) {
      Apply(p, scales_.at(SeriesKey{p.group, p.category}), &by_horizon[{p.horizon, p.category}]);
    }
    total.AddInvalidRows(invalid_rows_);

    const std::vector<std::string> cat_key =
        has_category_ ? std::vector<std::string>{"category"} : std::vector<std::string>{};
    auto with_category = [&](std::vector<std::string> values, std::uint32_t c) {
      if (has_category_) values.push_back(categories_.names[c]);
      return values;
    };
    auto sorted = [](Grouping g) {
      std::sort(g.rows.begin(), g.rows.end(),
                [](const GroupRow& a, const GroupRow& b) { return a.values < b.values; });
      return g;
    };
    if (!options_.by.empty()) {
      Grouping g;
      g.keys = options_.by;
      g.keys.insert(g.keys.end(), cat_key.begin(), cat_key.end());
      for (std::size_t i = 0; i < groups_.keys.size() && i < options_.by.size(); ++i) {
        for (GroupKeyMap::Merged& m : groups_.keys[i].MergedSpellings()) {
          g.merged.push_back({"", options_.by[i], std::move(m.key), std::move(m.spellings)});
        }
      }
      for (const auto& [k, scope] : by_series) {
        g.rows.push_back({with_category(groups_.values[k.first], k.second), scope.Kpis()});
      }
      groupings->push_back(sorted(std::move(g)));
    }
    {
      Grouping g;
      g.keys = {"period"};
      g.keys.insert(g.keys.end(), cat_key.begin(), cat_key.end());
      for (const auto& [k, scope] : by_period) {
        g.rows.push_back(
            {with_category({PeriodOrdinalLabel(options_.period, options_.calendar, k.first)}, k.second),
             scope.Kpis()});
      }
      groupings->push_back(sorted(std::move(g)));
    }
    if (has_category_) {
      Grouping g;
      g.keys = {"category"};
      for (const auto& [c, scope] : by_category) {
        g.rows.push_back({{categories_.names[c]}, scope.Kpis()});
      }
      groupings->push_back(sorted(std::move(g)));
    }
    if (has_snapshot_) {
      Grouping g;
      g.keys = {"horizon_weeks"};
      g.keys.insert(g.keys.end(), cat_key.begin(), cat_key.end());
      // By horizon, then category name (numeric order: 2 before 10).
      std::vector<std::pair<std::int32_t, std::uint32_t>> order;
      for (const auto& [k, scope] : by_horizon) order.push_back(k);
      std::sort(order.begin(), order.end(), [this](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return has_category_ && categories_.names[a.second] < categories_.names[b.second];
      });
      for (const auto& k : order) {
        g.rows.push_back(
            {with_category({std::to_string(k.first)}, k.second), by_horizon.at(k).Kpis()});
      }
      groupings->push_back(std::move(g));
    }
    if (has_category_ && category_count_ > 1) return MixedCategoryKpis();
    return total.Kpis();
  }

  // ---- lists ----------------------------------------------------------------------------------

  bool PointLess(const Point& a, const Point& b) const {
    if (a.period != b.period) return a.period < b.period;
    if (a.group != b.group) return groups_.values[a.group] < groups_.values[b.group];
    if (a.category != b.category) {
      return categories_.names[a.category] < categories_.names[b.category];
    }
    return a.snapshot < b.snapshot;
  }

  // period, the --by values, [category].
  std::vector<std::string> KeyCells(const Point& p) const {
    std::vector<std::string> cells;
    cells.push_back(PeriodOrdinalLabel(options_.period, options_.calendar, p.period));
    for (const std::string& v : groups_.values[p.group]) cells.push_back(v);
    if (has_category_) cells.push_back(categories_.names[p.category]);
    return cells;
  }

  void KeyColumns(ReportList* list) const {
    list->columns.push_back("period");
    for (const std::string& b : options_.by) list->columns.push_back(b);
    if (has_category_) list->columns.push_back("category");
    list->numeric.assign(list->columns.size(), false);
  }

  ReportList RowsList(const std::vector<Point>& heads) const {
    ReportList list;
    list.id = "rows";
    list.title = "Rows (error = F − A; APE = |F − A| / |A|, empty when A = 0)";
    KeyColumns(&list);
    if (has_snapshot_) {
      list.columns.push_back("snapshot");
      list.numeric.push_back(false);
    }
    for (const char* c : {"forecast", "actual", "error", "ape", "rows"}) {
      list.columns.push_back(c);
      list.numeric.push_back(true);
    }
    for (const Point& p : heads) {
      if (!p.counted) continue;
      std::vector<std::string> cells = KeyCells(p);
      if (has_snapshot_) {
        cells.push_back(p.snapshot == kNoSnapshot ? std::string() : DayText(p.snapshot));
      }
      const Int128 f = p.has_forecast ? p.forecast : 0;
      const Int128 e = f - p.actual;
      cells.push_back(Num::Money(f).ToString());
      cells.push_back(Num::Money(p.actual).ToString());
      cells.push_back(Num::Money(e).ToString());
      cells.push_back(p.actual == 0 ? std::string()
                                    : fmt::format("{}", static_cast<double>(Abs(e)) /
                                                            static_cast<double>(Abs(p.actual))));
      cells.push_back(std::to_string(p.rows));
      list.rows.push_back(std::move(cells));
    }
    // Money as money, APE as a percentage, rows as a count (in the table and md formats).
    for (const std::string& c : list.columns) {
      list.units.push_back(c == "ape" ? Unit::kRatio : c == "rows" ? Unit::kCount : Unit::kAmount);
    }
    return list;
  }

  ReportList UnmatchedList(const std::vector<Point>& heads) const {
    ReportList list;
    list.id = "unmatched";
    list.title = "One side only (forecast without actual, actual without forecast)";
    KeyColumns(&list);
    list.columns.insert(list.columns.end(), {"side", "amount", "reason", "treatment"});
    list.numeric.insert(list.numeric.end(), {false, true, false, false});
    for (const Point& p : heads) {
      if (!p.why || *p.why == ForecastExclusion::kLateSnapshot) continue;
      std::vector<std::string> cells = KeyCells(p);
      cells.push_back(p.has_forecast ? "forecast only" : "actual only");
      cells.push_back(Num::Money(p.has_forecast ? p.forecast : p.actual).ToString());
      cells.emplace_back(ExclusionCode(*p.why));
      cells.push_back(p.counted ? "counted as 0" : "excluded");
      list.rows.push_back(std::move(cells));
    }
    return list;
  }

  std::optional<std::int32_t> as_of_;
  bool has_category_ = false, has_snapshot_ = false;
  std::size_t category_count_ = 1;
  std::map<SeriesKey, NaiveScale> scales_;
};

}  // namespace
}  // namespace forecast_report

Report RunForecastReport(const ForecastOptions& options) {
  if (options.forecast_file.empty()) throw Error::Usage("forecast: no FORECAST.csv given");
  forecast_report::ForecastReportRun run(options);
  run.Open();
  run.ReadForecasts();
  run.ReadDeals();
  return run.Finish();
}

}  // namespace crmkpi
