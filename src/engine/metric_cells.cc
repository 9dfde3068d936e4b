// Finishing a source's pass: each accumulator as a MetricCell (count, sum, avg, min/max,
// median/pNN of type 7, sla ratio, exclusions), the groups of each table sorted by values.
#include "metric_cells.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/survival.h"
#include "crmkpi/values/amount.h"

#include "source_run.h"

namespace crmkpi::engine_detail {

namespace {

constexpr double kAmountScaleD = static_cast<double>(kAmountScale);

// The Kaplan–Meier median of a km_median accumulator, as dwell (analysis/days_summary.cc): the events'
// durations ascending merged with the censoring times (as-of − FROM) ascending, events first
// at equal times (EstimateKaplanMeier); a censored row whose FROM is after as-of is counted in
// *after_as_of instead.
void KmMedian(const MetricState& m, const ColdAcc& cold, Seconds as_of, MetricCell* cell,
              std::uint64_t* after_as_of) {
  std::vector<SurvivalObs> obs;
  obs.reserve(cold.values.distinct() + (cold.censored_from ? cold.censored_from->distinct() : 0));
  for (const auto& [d, count] : cold.values.Sorted()) {
    obs.push_back({static_cast<double>(d) / m.unit_seconds, true, count});
  }
  const auto events_end = static_cast<std::ptrdiff_t>(obs.size());
  if (cold.censored_from) {
    // Latest FROM first: censoring times ascending, so the two runs merge in linear time.
    const auto open = cold.censored_from->Sorted();
    for (auto it = open.rbegin(); it != open.rend(); ++it) {
      const auto& [from, count] = *it;
      if (from > as_of) {
        *after_as_of += count;
        continue;
      }
      obs.push_back({static_cast<double>(as_of - from) / m.unit_seconds, false, count});
    }
  }
  std::inplace_merge(obs.begin(), obs.begin() + events_end, obs.end(),
                     [](const SurvivalObs& a, const SurvivalObs& b) { return a.time < b.time; });
  const KaplanMeier km = EstimateKaplanMeier(std::move(obs));
  cell->n = km.n;
  cell->censored = km.censored;
  if (km.n == 0) {
    cell->reason = "EMPTY";
  } else if (!km.median) {
    cell->reason = "ALL_CENSORED";
  } else {
    cell->value = Num::Real(*km.median);
  }
}

}  // namespace

MetricCell Cell(const MetricState& m, const HotAcc& a, ColdAcc& cold,
                const std::optional<Seconds>& as_of) {
  MetricCell cell;
  if (m.missing) {
    cell.reason = "MISSING_COLUMN";
    return cell;
  }
  cell.n = a.n;
  std::array<std::uint64_t, kExclusionCount> excluded = cold.excluded;
  if (m.def->aggregation == Aggregation::kKmMedian) {
    const bool none = cold.values.distinct() == 0 &&
                      (!cold.censored_from || cold.censored_from->distinct() == 0);
    if (as_of) {
      KmMedian(m, cold, *as_of, &cell, &excluded[kFromAfterAsOf]);
    } else if (none) {
      cell.n = 0;  // nothing to measure, whatever the as-of
      cell.censored = 0;
      cell.reason = "EMPTY";
    } else {
      cell.reason = "NO_AS_OF";  // the censoring times are unknown
    }
  }
  for (int i = 0; i < kExclusionCount; ++i) {
    if (excluded[static_cast<std::size_t>(i)] > 0) {
      cell.excluded.emplace_back(ExclusionName(m, i), excluded[static_cast<std::size_t>(i)]);
    }
  }
  if (m.def->aggregation == Aggregation::kKmMedian) return cell;
  const bool amount = m.kind == ValueKind::kAmount || m.kind == ValueKind::kExpr;
  auto scaled = [&](long double x) {  // a value in units or seconds as printed
    return amount ? static_cast<double>(x / kAmountScaleD)
                  : static_cast<double>(x / static_cast<long double>(m.unit_seconds));
  };
  auto exact_or_real = [&](std::int64_t x) {
    return amount ? Num::Money(x) : Num::Real(scaled(static_cast<long double>(x)));
  };
  const Int128 sum = SumOf(a, cold);
  switch (m.def->aggregation) {
    case Aggregation::kCount:
      cell.value = Num::Count(a.n);
      return cell;
    case Aggregation::kSla:
      cell.numerator = Num::Count(static_cast<std::uint64_t>(sum));
      cell.denominator = Num::Count(a.n);
      if (a.n == 0) {
        cell.reason = "EMPTY";
      } else {
        cell.value = Num::Real(static_cast<double>(sum) / static_cast<double>(a.n));
      }
      return cell;
    case Aggregation::kCountDistinct: {
      if (!cold.counts) {
        cell.value = Num::Count(cold.distinct ? cold.distinct->size() : 0);
        return cell;
      }
      // `having`: the keys whose rows satisfy it; without, every key.
      std::uint64_t keys = 0;
      if (!m.def->having) {
        keys = cold.counts->size();
      } else {
        cold.counts->ForEach([&](std::uint32_t, std::uint32_t n) { keys += m.def->having->Holds(n); });
      }
      cell.value = Num::Count(keys);
      return cell;
    }
    case Aggregation::kReached: {  // lead_to_opportunity_rate (docs/kpis.md)
      const auto yes = static_cast<std::uint64_t>(sum);
      cell.numerator = Num::Count(yes);
      cell.denominator = Num::Count(a.n);
      if (a.n == 0) {
        cell.reason = "ZERO_DENOMINATOR";
      } else {
        cell.value = Num::Real(static_cast<double>(yes) / static_cast<double>(a.n));
      }
      return cell;
    }
    case Aggregation::kSum:
      cell.value = amount ? Num::Money(sum) : Num::Real(scaled(static_cast<long double>(sum)));
      return cell;
    case Aggregation::kAvg:
      // An average carries its population: the sum over n (docs/kpis.md R3).
      cell.numerator =
          amount ? Num::Money(sum) : Num::Real(scaled(static_cast<long double>(sum)));
      cell.denominator = Num::Count(a.n);
      break;
    default:
      break;
  }
  if (a.n == 0) {
    cell.reason = "EMPTY";
    return cell;
  }
  switch (m.def->aggregation) {
    case Aggregation::kAvg:
      cell.value = Num::Real(
          scaled(static_cast<long double>(sum) / static_cast<long double>(a.n)));
      break;
    case Aggregation::kMin:
      cell.value = exact_or_real(a.min);
      break;
    case Aggregation::kMax:
      cell.value = exact_or_real(a.max);
      break;
    case Aggregation::kMedian:
    case Aggregation::kPercentile: {
      const double p = m.def->aggregation == Aggregation::kMedian ? 0.5 : m.def->percentile;
      std::optional<std::int64_t> exact;  // a whole number of units: exact for amounts
      const long double x = cold.values.Interpolated(p, &exact);
      cell.value = (amount && exact) ? Num::Money(*exact) : Num::Real(scaled(x));
      break;
    }
    default:
      break;
  }
  return cell;
}

void SourceRun::DeriveTotals() {
  GroupTable& totals = tables_[0];
  for (const DerivedTotal& d : derived_totals_) {
    const GroupTable& t = tables_[static_cast<std::size_t>(d.table)];
    HotAcc& hot = totals.hot[d.total_user];
    ColdAcc& cold = totals.cold[d.total_user];
    for (std::size_t g = 0; g < t.values.size(); ++g) {
      const std::size_t i = g * t.width + d.user;
      // MergeAcc consumes what it merges; the group keeps its own for its cell, so it gets a
      // copy (never a count_distinct: those totals are not derived).
      const ColdAcc& from = t.cold[i];
      ColdAcc copy;
      copy.excluded = from.excluded;
      copy.sum_spill = from.sum_spill;
      copy.values = from.values;
      if (from.censored_from) copy.censored_from = std::make_unique<ValueCounts>(*from.censored_from);
      MergeAcc(t.hot[i], copy, nullptr, &hot, &cold);
    }
  }
}

std::map<std::vector<std::string>, std::vector<std::string>> SourceRun::CurrenciesOf(
    const Attached& split) const {
  std::map<std::vector<std::string>, std::vector<std::string>> out;
  const GroupTable& t = tables_[static_cast<std::size_t>(split.table)];
  const std::size_t at = t.columns.size() - 1;  // the currency: the last column
  for (std::size_t g = 0; g < t.values.size(); ++g) {
    if (t.hot[g * t.width + split.user].n == 0) continue;  // no amount in this currency
    std::vector<std::string> key = t.values[g];
    std::string code = std::move(key[at]);
    key.erase(key.begin() + static_cast<std::ptrdiff_t>(at));
    out[std::move(key)].push_back(std::move(code));
  }
  for (auto& [key, codes] : out) std::sort(codes.begin(), codes.end());
  return out;
}

namespace {
// |s| as one shell word: quoted when it holds a space or a shell character.
std::string ShellWord(const std::string& s) {
  if (s.find_first_of(" \t'\"$`\\;&|<>()*?[]#~!") == std::string::npos) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

std::vector<std::string> SourceRun::MarkedCurrencies(const MetricState& m) const {
  std::vector<std::string> codes;
  if (m.value_column < 0) return codes;
  const std::uint8_t bits = context_->amount_marks(m.value_column);
  for (std::size_t i = 0; i < std::size(RowContext::kMarkCodes); ++i) {
    if ((bits >> i) & 1u) codes.emplace_back(RowContext::kMarkCodes[i]);
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

bool SourceRun::SplitCurrencies() {
  bool any_money = false;
  for (const MetricState& m : metrics_) any_money = any_money || m.money;
  if (!any_money) return false;
  const std::string map_hint =
      def_.from_flags ? "--map currency=COLUMN"
                      : fmt::format("map.currency = COLUMN in [source {}]", def_.id);
  if (!def_.fx.empty() && currency_column_ < 0) {
    warnings_->Add("fx_by_mark", index_, -1, [&] {
      DataWarning w;
      w.first.file = summary_.file;
      w.message = fmt::format(
          "{} has no currency column: amounts with a currency mark ($ ¥ € £ 円, USD, JPY, EUR, "
          "GBP) are converted by it ({}), plain numbers are taken as {}; name a currency column "
          "with {}",
          summary_.file, def_.fx.origin, def_.fx.base, map_hint);
      return w;
    });
    return false;
  }
  if (currency_column_ < 0) {
    std::vector<int> warned;  // one warning per amount column, whatever reads it
    for (const MetricState& m : metrics_) {
      const std::vector<std::string> codes = m.money ? MarkedCurrencies(m) : std::vector<std::string>{};
      if (codes.size() < 2 ||
          std::find(warned.begin(), warned.end(), m.value_column) != warned.end()) {
        continue;
      }
      warned.push_back(m.value_column);
      warnings_->Add("mixed_currencies", index_, m.value_column, [&] {
        DataWarning w;
        w.first.file = summary_.file;
        w.column = schema_.name(m.value_column);
        std::string list, example;
        for (const std::string& c : codes) {
          list += (list.empty() ? "" : ", ") + c;
          example += fmt::format("{}{}={}", example.empty() ? "" : ",", c,
                                 example.empty() ? "1" : "RATE");
        }
        w.message = fmt::format(
            "the amounts in '{}' carry marks of {} currencies ({}) and there is no currency "
            "column: money metrics over them are n/a, never added; give exchange rates to "
            "convert each amount by its mark ({}), or name a currency column with {}",
            w.column, codes.size(), list,
            def_.from_flags ? "--fx " + example : "[fx] or --fx " + example, map_hint);
        return w;
      });
    }
    return false;
  }
  if (!split_currency_) return false;
  std::vector<std::string> all;
  for (const MetricState& m : metrics_) {
    if (!m.money || m.splits.empty()) continue;
    for (const auto& [key, codes] : CurrenciesOf(m.splits[0])) {
      for (const std::string& c : codes) {
        if (std::find(all.begin(), all.end(), c) == all.end()) all.push_back(c);
      }
    }
  }
  if (all.size() < 2) return false;
  std::sort(all.begin(), all.end());
  warnings_->Add("mixed_currencies", index_, currency_column_, [&] {
    DataWarning w;
    w.first.file = summary_.file;
    w.column = schema_.name(currency_column_);
    std::string list, example;
    for (const std::string& c : all) {
      list += (list.empty() ? "" : ", ") + (c.empty() ? std::string("(empty)") : c);
      if (!c.empty()) example += fmt::format("{}{}={}", example.empty() ? "" : ",", c,
                                             example.empty() ? "1" : "RATE");
    }
    w.message = fmt::format(
        "amounts are in {} currencies ({}, column '{}'): money metrics are not added across "
        "currencies — n/a in the total and in groups that mix them, and given per currency "
        "(by {}); to convert them into one, give exchange rates: {}",
        all.size(), list, w.column, w.column,
        def_.from_flags ? fmt::format("--fx {}", ShellWord(example))
                        : fmt::format("an [fx] section or --fx {}", ShellWord(example)));
    return w;
  });
  return true;
}

void SourceRun::Finish(std::vector<MetricResult>* results, std::vector<SourceSummary>* summaries,
                       std::map<std::string, std::pair<std::string, std::string>>* period_bounds) {
  for (const auto& [label, days] : period_bounds_) {
    period_bounds->try_emplace(label, DayText(days.first), DayText(days.second));
  }
  DeriveTotals();
  std::vector<std::vector<std::uint32_t>> orders;
  for (const GroupTable& t : tables_) {
    std::vector<std::uint32_t> order(t.values.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return t.values[a] < t.values[b]; });
    orders.push_back(std::move(order));
  }
  // Per interned column with normalised group keys: its canonical values of more than one raw
  // spelling (or one that differs), with the rows of each (metric_engine.h, CanonicalKeys).
  std::map<int, std::vector<MergedSpelling>> merges;
  auto merges_of = [&](int slot) -> const std::vector<MergedSpelling>& {
    auto [it, inserted] = merges.try_emplace(slot);
    if (!inserted) return it->second;
    const Interned& in = interned_[static_cast<std::size_t>(slot)];
    const CanonicalKeys* c = in.canonical.get();
    if (c == nullptr) return it->second;
    std::vector<std::vector<std::pair<std::string, std::uint64_t>>> by(c->texts.size());
    in.values.ForEach([&](std::string_view raw, std::uint32_t id) {
      if (id >= c->of.size() || c->of[id] == KeyTable::kNone || c->rows[id] == 0) return;
      by[c->of[id]].emplace_back(std::string(raw), c->rows[id]);
    });
    for (std::size_t cid = 0; cid < by.size(); ++cid) {
      auto& list = by[cid];
      if (list.empty() || (list.size() == 1 && list[0].first == c->texts[cid])) continue;
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      });
      it->second.push_back({def_.id, {}, c->texts[cid], std::move(list)});
    }
    std::sort(it->second.begin(), it->second.end(),
              [](const MergedSpelling& a, const MergedSpelling& b) { return a.value < b.value; });
    return it->second;
  };
  const bool mixed = SplitCurrencies();
  for (MetricState& m : metrics_) {
    MetricResult& r = (*results)[m.result_index];
    r.id = m.def->id;
    // Money: the currency of each cell, or n/a when its amounts mix currencies.
    std::vector<std::map<std::vector<std::string>, std::vector<std::string>>> currencies;
    for (std::size_t k = 0; k < m.splits.size(); ++k) {
      currencies.push_back(CurrenciesOf(m.splits[k]));
    }
    // Without a currency column: the marks of the metric's amounts ($, ¥, €, £) say it.
    const std::vector<std::string> marked =
        m.money && currency_column_ < 0 ? MarkedCurrencies(m) : std::vector<std::string>{};
    auto label = [&](std::size_t k, const std::vector<std::string>& values, MetricCell* c) {
      if (!m.money) return;
      if (!def_.fx.empty()) {
        c->currency = def_.fx.base;
        return;
      }
      if (marked.size() == 1) {
        c->currency = marked.front();
        return;
      }
      if (marked.size() > 1) {
        c->value.reset();
        c->numerator.reset();
        c->denominator.reset();
        c->reason = "MIXED_CURRENCIES";
        c->currencies = marked;
        return;
      }
      if (k >= currencies.size()) return;
      auto it = currencies[k].find(values);
      if (it == currencies[k].end() || it->second.empty()) return;
      if (it->second.size() == 1) {
        c->currency = it->second.front();
        return;
      }
      c->value.reset();
      c->numerator.reset();
      c->denominator.reset();
      c->reason = "MIXED_CURRENCIES";
      c->currencies = it->second;
    };
    auto cell_of = [&](const Attached& a, std::uint32_t group) {
      GroupTable& t = tables_[static_cast<std::size_t>(a.table)];
      if (a.counter) {
        HotAcc rows;
        rows.n = t.counts[std::size_t{group} * t.count_width + a.user];
        ColdAcc none;
        return Cell(m, rows, none, as_of_);
      }
      const std::size_t i = std::size_t{group} * t.width + a.user;
      return Cell(m, t.hot[i], t.cold[i], as_of_);
    };
    for (std::size_t k = 0; k < m.targets.size(); ++k) {
      const Attached& a = m.targets[k];
      GroupTable& t = tables_[static_cast<std::size_t>(a.table)];
      auto cell = [&](std::uint32_t group) {
        MetricCell c = cell_of(a, group);
        label(k, t.values[group], &c);
        return c;
      };
      if (k == 0) {
        r.total = cell(0);
        continue;
      }
      MetricGrouping g;
      g.keys = a.names;
      for (std::uint32_t i : orders[static_cast<std::size_t>(a.table)]) {
        g.rows.emplace_back(t.values[i], cell(i));
      }
      for (std::size_t i = 0; i < t.slots.size(); ++i) {
        for (const MergedSpelling& ms : merges_of(t.slots[i])) {
          g.merged.push_back(ms);
          g.merged.back().key = a.names[i];
        }
      }
      r.groupings.push_back(std::move(g));
    }
    // Amounts in several currencies: every metric of the source per currency too, unless a
    // `by` already groups by it.
    if (mixed && m.by_currency &&
        std::none_of(m.targets.begin() + 1, m.targets.end(),
                     [&](const Attached& a) { return a.table == m.by_currency->table; })) {
      const Attached& a = *m.by_currency;
      const GroupTable& t = tables_[static_cast<std::size_t>(a.table)];
      MetricGrouping g;
      g.keys = a.names;
      for (std::uint32_t i : orders[static_cast<std::size_t>(a.table)]) {
        MetricCell c = cell_of(a, i);
        if (m.money && c.n > 0) c.currency = t.values[i][0];
        g.rows.emplace_back(t.values[i], std::move(c));
      }
      for (const MergedSpelling& ms : merges_of(t.slots[0])) {
        g.merged.push_back(ms);
        g.merged.back().key = a.names[0];
      }
      r.groupings.push_back(std::move(g));
    }
  }
  summaries->push_back(summary_);
  for (const SourceSummary& s : file_summaries_) summaries->push_back(s);
}

}  // namespace crmkpi::engine_detail
