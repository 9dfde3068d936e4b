// The row loop of a source's pass: per row the lookups joined, the filter, the row's group in
// every table (interned values, periods), its plan's wheres into pass bytes, the slots observed
// and the ops applied. What runs per row is defined here, inline, so it inlines into Read.
#include "source_rows.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/warning_log.h"

#include "source_run.h"

namespace crmkpi::engine_detail {

namespace {

// Adds a count_distinct observation to the stream's accumulators in the current row's groups.
void AccumulateDistinct(const Stream& s, const GroupRun* runs, const DistinctKey& o) {
  for (const Stream::Target& a : s.targets) {
    const GroupRun& run = runs[a.table];
    HotAcc& hot = run.hot[a.user];
    ColdAcc& cold = run.cold[a.user];
    if (o.exclusion >= 0) {
      ++cold.excluded[static_cast<std::size_t>(o.exclusion)];
      continue;
    }
    ++hot.n;
    if (s.counted) {
      if (!cold.counts) cold.counts = std::make_unique<IdCounts>();
      cold.counts->Add(o.id);
      continue;
    }
    if (!cold.distinct) cold.distinct = std::make_unique<IdSet>();
    cold.distinct->Insert(o.id);
  }
}

}  // namespace

void SourceRun::Read() {
  const std::size_t width = schema_.header_size();
  CsvRow row;
  std::string key;
  while (reader_->Next(&row)) {
    if (tap_ != nullptr) tap_->Row(*reader_, row);
    if (row.fields.size() != width) {
      HandleBadWidth(row);
      continue;
    }
    ++summary_.rows;
    const std::string_view* fields = row.fields.data();
    if (!lookups_->empty()) {
      std::copy(row.fields.begin(), row.fields.end(), fields_.begin());
      for (const LoadedLookup& l : *lookups_) JoinLookup(l);
      fields = fields_.data();
    }
    current_ = fields;
    context_->SetRow(fields);
    ++generation_;
    if (has_filter_ && !filter_.Matches(*context_)) {
      ++summary_.filtered_out;
      continue;
    }
    if (track_dates_) [[unlikely]] TrackLatestEvent();
    if (prefetching_) {
      for (Interned& in : interned_) {
        if (!in.batched && in.values.size() >= Interned::kPrefetchFrom) {
          in.hash = HashBytes(context_->Text(in.column));
          in.hash_generation = generation_;
          in.values.Prefetch(in.hash);
        }
      }
    }
    for (PeriodSlot& p : periods_) {
      p.valid = context_->Day(p.column, &p.day) == ParseStatus::kOk;
      p.id = p.valid ? PeriodId(&p) : InvalidPeriodId(&p);
    }
    GroupTable* const tables = tables_.data();
    const std::size_t table_count = tables_.size();
    for (std::size_t ti = 0; ti < table_count; ++ti) {
      GroupTable& t = tables[ti];
      const std::uint32_t group = t.total ? 0 : GroupOf(&t, &key);  // the totals: one group
      const std::size_t first = std::size_t{group} * t.width;
      runs_[ti] = {t.hot.data() + first, t.cold.data() + first,
                   t.counts.data() + std::size_t{group} * t.count_width, group};
    }
    if (prefetching_) {
      for (const Interned& in : interned_) {
        if (in.hash_generation == generation_) in.values.PrefetchEntry(in.hash);
      }
    }
    Aggregate();
    if (stage_ops_) AggregateStages();
  }
  FlushDistinct();
}

// Aggregates the current row (its groups in runs_): every where decided into its pass byte,
// the slots that a passing where needs observed, then the ops, which take a where's outcome
// as a number (0 or 1) rather than branch on it: outcomes vary from row to row, so a branch
// per where and stream was mispredicted about half the time.
inline void SourceRun::Aggregate() {
  const StagePlan& plan = use_plans_ ? PlanOfRow() : all_;
  std::uint8_t* const pass_bytes = pass_.data();
  Where* const wheres = wheres_.data();
  RowContext& row = *context_;
  for (const StagePlan::Empty& t : plan.empty_tests) {
    pass_bytes[t.where] = row.Text(t.column).empty() != t.negated;
  }
  auto test_ranges = [&](const std::vector<StagePlan::Range>& tests, auto parse) {
    for (const StagePlan::Range& t : tests) {
      std::int64_t x = 0;
      const ParseStatus status = parse(t.test.column, &x);
      pass_bytes[t.where] = Where::TestRange(t.test, status, x);
    }
  };
  test_ranges(plan.amount_tests, [&](int c, std::int64_t* x) { return row.Amount(c, x); });
  test_ranges(plan.day_tests, [&](int c, std::int64_t* x) { return row.Day(c, x); });
  test_ranges(plan.instant_tests, [&](int c, Seconds* x) { return row.Instant(c, x); });
  for (const int w : plan.other_wheres) pass_bytes[w] = wheres[w].Matches(row);
  const std::uint8_t* pass = pass_bytes;
  const std::uint32_t* need_wheres = plan.need_wheres.data();
  for (const SlotNeed& n : plan.slots) {
    std::uint8_t need = n.always ? 1 : 0;
    for (std::uint32_t i = n.first; i < n.last; ++i) need |= pass[need_wheres[i]];
    if (need != 0) ObserveSlot(&slots_[n.slot]);
  }
  const OpLists& ops = plan.ops;
  const Slot* const slots = slots_.data();
  const GroupRun* runs = runs_.data();
  for (const Op& op : ops.count) runs[op.table].counts[op.user] += pass[op.where];
  for (const Op& op : ops.tally) ++runs[op.table].counts[op.user];
  AddValues<false>(ops.sum, slots, pass, runs);  // sum, avg, median, pNN, sla: n and the sum
  AddValues<true>(ops.range, slots, pass, runs);  // min or max too: the least and the greatest
  for (const Op& op : ops.present) {  // count of a column: rows where it is not empty
    const Slot& s = slots[op.slot];
    const std::uint64_t m = pass[op.where];
    const std::uint64_t ok = m & s.valid;
    runs[op.table].hot[op.user].n += ok;
    if (m > ok) ++runs[op.table].cold[op.user].excluded[static_cast<std::size_t>(s.exclusion)];
  }
  for (const Op& op : ops.keep) {  // medians and pNN: every value
    const Slot& s = slots[op.slot];
    if ((pass[op.where] & s.valid) != 0) runs[op.table].cold[op.user].values.Add(s.value);
  }
  for (const Op& op : ops.distinct) {  // |slot| is the stream
    if (pass[op.where] != 0) {
      Stream& st = streams_[op.slot];
      AccumulateDistinct(st, runs, ObserveDistinct(st));
    }
  }
  for (const Op& op : ops.batched) {
    if (pass[op.where] != 0) BatchDistinct(op.slot);
  }
}

// The ops of km_median and reached on the current row, after Aggregate (which decided the pass
// bytes), out of line and only for sources with such metrics: called from Aggregate, it kept
// registers live through Aggregate's loops and cost every other metric's rows about 16
// instructions (cachegrind).
void SourceRun::AggregateStages() {
  const StagePlan& plan = use_plans_ ? PlanOfRow() : all_;
  if (!plan.stage_ops) return;
  const OpLists& ops = plan.ops;
  const std::uint8_t* const pass = pass_.data();
  const GroupRun* const runs = runs_.data();
  RowContext& row = *context_;
  for (const KmOp& op : ops.km) {  // km_median: an event's duration or a censored FROM
    if (pass[op.where] != 0) AddKm(op, runs[op.table].cold[op.user]);
  }
  for (const Op& op : ops.reached) {  // reached: yes (sum += 1), no, or excluded
    if (pass[op.where] == 0) continue;
    const Stream& st = streams_[op.slot];
    const StageInfo& info = row.Stage();
    int reached = -1;  // 1 yes, 0 no, -1 excluded (|exclusion|)
    int exclusion = kStageNotInOrder;
    switch (info.cls) {
      case StageClass::kWon:
        reached = 1;  // a won row went through every stage before winning
        break;
      case StageClass::kLost:
        if (st.lost_reached == LostReached::kExclude) {
          exclusion = kLostStageUnknown;
        } else {
          reached = st.lost_reached == LostReached::kOpportunity ? 1 : 0;
        }
        break;
      case StageClass::kOpen:
        if (info.order >= 0) reached = info.order >= st.reach ? 1 : 0;
        break;
    }
    if (reached < 0) {
      ++runs[op.table].cold[op.user].excluded[static_cast<std::size_t>(exclusion)];
      if (exclusion == kStageNotInOrder && row.stage_column() >= 0) {
        Warn("stage_not_in_order", row.stage_column(), [] {
          return std::string("is not in the stage order (--stages, or the source's stages); "
                             "open deals in it are left out of the reached rates such as "
                             "lead→opportunity (add the stage to the order)");
        });
      }
    } else {
      HotAcc& hot = runs[op.table].hot[op.user];
      ++hot.n;
      hot.sum += reached;
    }
  }
}

// A km_median row: censored (its condition holds) with a valid FROM, kept as that instant
// until as-of is applied at the end; else an event with its duration, excluded as durations
// are. A censored row's TO is not read.
inline void SourceRun::AddKm(const KmOp& op, ColdAcc& cold) {
  if (pass_[op.censor] != 0) {
    Seconds from = 0;
    const ParseStatus fs = context_->Instant(durations_[op.duration].from, &from);
    if (fs == ParseStatus::kOk) {
      if (!cold.censored_from) cold.censored_from = std::make_unique<ValueCounts>();
      cold.censored_from->Add(from);
    } else {
      ++cold.excluded[fs == ParseStatus::kEmpty ? kMissingFrom : kInvalidFrom];
    }
    return;
  }
  const DurationSlot& d = Duration(op.duration);
  if (d.exclusion >= 0) {
    ++cold.excluded[static_cast<std::size_t>(d.exclusion)];
  } else {
    cold.values.Add(d.seconds);
  }
}

// The value ops: n, the sum and, with kRange, the least and the greatest, each taking the
// row's pass byte as a number; an excluded value is counted by its reason.
template <bool kRange>
inline void SourceRun::AddValues(const std::vector<Op>& ops, const Slot* slots,
                                 const std::uint8_t* pass, const GroupRun* runs) {
  for (const Op& op : ops) {
    const Slot& s = slots[op.slot];
    const std::uint64_t m = pass[op.where];
    const std::uint64_t ok = m & s.valid;
    HotAcc& hot = runs[op.table].hot[op.user];
    hot.n += ok;
    AddToSum(hot, runs[op.table].cold[op.user], s.value & -static_cast<std::int64_t>(ok));
    if constexpr (kRange) {
      const std::int64_t min = hot.min, max = hot.max;
      hot.min = std::min(min, Select(ok, s.value, min));
      hot.max = std::max(max, Select(ok, s.value, max));
    }
    if (m > ok) ++runs[op.table].cold[op.user].excluded[static_cast<std::size_t>(s.exclusion)];
  }
}

// A count_distinct of one column that no grouping reads: the row's key is copied into the
// batch and its rows counted now; the lookups of a full batch (FlushDistinct) then overlap
// their cache misses, which for a column of many values (accounts, emails) cost more than the
// rest of the row's work when taken one row at a time.
inline void SourceRun::BatchDistinct(std::size_t k) {
  const Stream& st = streams_[k];
  const std::string_view text = context_->Text(st.key_columns[0]);
  if (text.empty()) {
    for (const Stream::Target& a : st.targets) {
      ++runs_[a.table].cold[a.user].excluded[kMissingValue];
    }
    return;
  }
  DistinctBatch& b = batch_;
  b.entries.push_back({static_cast<std::uint32_t>(k), b.keys.size(), text.size(),
                       b.groups.size()});
  b.keys.append(text);
  for (const Stream::Target& a : st.targets) {
    ++runs_[a.table].hot[a.user].n;
    b.groups.push_back(runs_[a.table].group);
  }
  if (b.entries.size() >= DistinctBatch::kRows) FlushDistinct();
}

// Looks up the batch's keys in three passes, so that the cache misses of many keys overlap:
// hash every key and prefetch its slot; once those have come, prefetch the entry each slot
// refers to; then look every key up.
inline void SourceRun::FlushDistinct() {
  DistinctBatch& b = batch_;
  const std::size_t n = b.entries.size();
  auto key_of = [&](const DistinctBatch::Entry& e) {
    return std::string_view(b.keys.data() + e.offset, e.length);
  };
  auto table_of = [&](const DistinctBatch::Entry& e) -> KeyTable& {
    const Stream& st = streams_[e.stream];
    return interned_[static_cast<std::size_t>(st.key_slots[0])].values;
  };
  b.hashes.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    b.hashes[i] = HashBytes(key_of(b.entries[i]));
    table_of(b.entries[i]).Prefetch(b.hashes[i]);
  }
  for (std::size_t i = 0; i < n; ++i) table_of(b.entries[i]).PrefetchEntry(b.hashes[i]);
  for (std::size_t j = 0; j < n; ++j) {
    const DistinctBatch::Entry& e = b.entries[j];
    bool inserted = false;
    const std::uint32_t id = table_of(e).FindOrInsert(key_of(e), b.hashes[j], &inserted);
    const Stream& st = streams_[e.stream];
    for (std::size_t t = 0; t < st.targets.size(); ++t) {
      const Stream::Target& a = st.targets[t];
      GroupTable& table = tables_[static_cast<std::size_t>(a.table)];
      ColdAcc& cold = table.cold[std::size_t{b.groups[e.groups + t]} * table.width + a.user];
      if (st.counted) {
        if (!cold.counts) cold.counts = std::make_unique<IdCounts>();
        cold.counts->Add(id);
        continue;
      }
      if (!cold.distinct) cold.distinct = std::make_unique<IdSet>();
      cold.distinct->Insert(id);
    }
  }
  b.entries.clear();
  b.keys.clear();
  b.groups.clear();
}

// The plan of the current row's stage value and plan column value, made on the first row
// with them.
inline const StagePlan& SourceRun::PlanOfRow() {
  const std::uint32_t stage = plan_stage_ ? context_->Stage().id : 0;
  const std::uint32_t value = plan_slot_ >= 0 ? ValueId(plan_slot_) : 0;
  if (stage < plan_of_.size()) {
    const std::vector<std::uint32_t>& by_value = plan_of_[stage];
    if (value < by_value.size() && by_value[value] != kNoRow) return plans_[by_value[value]];
  }
  return MakeRowPlan(stage, value);
}

inline std::uint32_t SourceRun::PeriodCodeId(PeriodSlot* p, std::uint32_t code) {
  bool inserted = false;
  return p->codes.FindOrInsert(
      std::string_view(reinterpret_cast<const char*>(&code), sizeof code), &inserted);
}

inline std::uint32_t SourceRun::PeriodId(PeriodSlot* p) {
  PeriodSlot::DayMemo& m =
      p->by_day[static_cast<std::size_t>(p->day) & (PeriodSlot::kDayMemoSize - 1)];
  if (m.day != p->day) {
    m.day = static_cast<std::int32_t>(p->day);
    m.id = PeriodCodeId(p, static_cast<std::uint32_t>(PeriodCodeOf(p->kind, def_.calendar, p->day)));
  }
  return m.id;
}

inline std::uint32_t SourceRun::InvalidPeriodId(PeriodSlot* p) {
  if (!p->has_invalid_id) {
    p->invalid_id = PeriodCodeId(p, kNoPeriod);
    p->has_invalid_id = true;
  }
  return p->invalid_id;
}

// The group of the current row in |t| (not the totals), made when new. |key| is scratch.
inline std::uint32_t SourceRun::GroupOf(GroupTable* t, std::string* key) {
  // One part (the common case: by one column, or by period): the id indexes the groups.
  if (t->slots.size() + (t->period >= 0 ? 1 : 0) == 1) {
    const std::uint32_t v = t->period >= 0 ? periods_[static_cast<std::size_t>(t->period)].id
                                           : GroupValueId(t->slots[0]);
    if (v < t->by_value.size()) {
      const std::uint32_t g = t->by_value[v];
      if (g != kNoRow) return g;
    }
  }
  return GroupOfSlow(t, key);
}

std::uint32_t SourceRun::GroupOfSlow(GroupTable* t, std::string* key) {
  // The key: the interned ids of the columns' values, then of the period.
  const std::size_t parts = t->slots.size() + (t->period >= 0 ? 1 : 0);
  auto part = [&](std::size_t i) {
    return i < t->slots.size() ? GroupValueId(t->slots[i])
                               : periods_[static_cast<std::size_t>(t->period)].id;
  };
  if (parts == 1) {  // direct: id → group
    const std::uint32_t v = part(0);
    if (v >= t->by_value.size()) t->by_value.resize(std::size_t{v} + 1, kNoRow);
    if (t->by_value[v] == kNoRow) t->by_value[v] = NewGroup(t);
    return t->by_value[v];
  }
  if (parts == 2) {  // two ids in one integer
    std::uint32_t& g = t->by_pair.FindOrInsert((std::uint64_t{part(0)} << 32) | part(1));
    if (g == kNoRow) g = NewGroup(t);
    return g;
  }
  key->clear();
  for (std::size_t i = 0; i < parts; ++i) AppendId(key, part(i));
  bool inserted = false;
  const std::uint32_t g = t->index.FindOrInsert(*key, &inserted);
  if (inserted) NewGroup(t);
  return g;
}

// The interned id of a column's value in the current row.
inline std::uint32_t SourceRun::ValueId(int slot) {
  Interned& in = interned_[static_cast<std::size_t>(slot)];
  if (in.generation != generation_) {
    in.generation = generation_;
    const std::string_view text = context_->Text(in.column);
    ShortKeyCache::Words words;
    const bool short_key = ShortKeyCache::WordsOf(text, &words);
    if (short_key && in.short_keys->Find(words, &in.id)) return in.id;
    bool inserted = false;
    in.id = in.values.FindOrInsert(
        text, in.hash_generation == generation_ ? in.hash : HashBytes(text), &inserted);
    if (short_key) in.short_keys->Put(words, in.id);
    if (inserted && in.values.size() == Interned::kPrefetchFrom && !in.batched) {
      prefetching_ = true;  // from the next row on
    }
  }
  return in.id;
}

// The id of a column's value in the current row as a group key: its canonical id when the
// column's group keys are normalised (CanonicalKeys), else its interned id.
inline std::uint32_t SourceRun::GroupValueId(int slot) {
  const std::uint32_t raw = ValueId(slot);
  Interned& in = interned_[static_cast<std::size_t>(slot)];
  CanonicalKeys* c = in.canonical.get();
  if (c == nullptr) return raw;
  if (c->generation != generation_) {
    c->generation = generation_;
    if (raw >= c->of.size() || c->of[raw] == KeyTable::kNone) c->Map(raw, context_->Text(in.column));
    ++c->rows[raw];
    c->id = c->of[raw];
  }
  return c->id;
}

// A group seen for the first time (in the current row): its values and accumulators.
std::uint32_t SourceRun::NewGroup(GroupTable* t) {
  std::vector<std::string> values;
  for (std::size_t i = 0; i < t->columns.size(); ++i) {
    const Interned& in = interned_[static_cast<std::size_t>(t->slots[i])];
    if (in.canonical) {
      values.push_back(in.canonical->texts[in.canonical->id]);  // GroupOf has set it
    } else {
      values.emplace_back(context_->Text(t->columns[i]));
    }
  }
  if (t->period >= 0) {
    const PeriodSlot& p = periods_[static_cast<std::size_t>(t->period)];
    std::string label;
    if (p.valid) {
      // The label, and the period's first and last day for the report (once per group).
      const std::int64_t code = PeriodCodeOf(p.kind, def_.calendar, p.day);
      label = PeriodLabelOf(p.kind, def_.calendar, code);
      period_bounds_.try_emplace(label, PeriodFirstDayOf(p.kind, def_.calendar, code),
                                 PeriodLastDayOf(p.kind, def_.calendar, code));
    }
    values.push_back(std::move(label));
  }
  t->values.push_back(std::move(values));
  t->hot.resize(t->hot.size() + t->width);
  t->cold.resize(t->cold.size() + t->width);
  t->counts.resize(t->counts.size() + t->count_width);
  return static_cast<std::uint32_t>(t->values.size() - 1);
}

// The current row's value of |s|, or why it is excluded.
inline void SourceRun::ObserveSlot(Slot* s) {
  s->exclusion = -1;
  switch (s->kind) {
    case ValueKind::kNonEmpty:
      if (context_->Text(s->column).empty()) s->exclusion = kMissingValue;
      break;
    case ValueKind::kAmount:
      switch (context_->Amount(s->column, &s->value)) {
        case ParseStatus::kOk:
          if (s->fx) ConvertCurrency(s);
          break;
        case ParseStatus::kEmpty:
          s->exclusion = kMissingValue;
          break;
        case ParseStatus::kInvalid:
          s->exclusion = kInvalidValue;
          break;
      }
      break;
    case ValueKind::kExpr:
      switch (exprs_[static_cast<std::size_t>(s->expr)].Eval(*context_, &s->value)) {
        case ValueExpr::Status::kOk:
          if (s->fx) ConvertCurrency(s);
          break;
        case ValueExpr::Status::kMissing:
          s->exclusion = kMissingValue;
          break;
        case ValueExpr::Status::kInvalid:
          s->exclusion = kInvalidValue;
          break;
        case ValueExpr::Status::kDivisionByZero:
          s->exclusion = kDivisionByZero;
          break;
      }
      break;
    case ValueKind::kDuration: {
      const DurationSlot& d = Duration(static_cast<std::size_t>(s->duration));
      s->exclusion = d.exclusion;
      s->value = d.seconds;
      if (s->sla) {
        // value 1 = met, 0 = breached; an unfinished row is late once as-of is past the target.
        if (d.exclusion == kMissingTo) {
          s->exclusion = kPending;
          if (as_of_ && static_cast<double>(*as_of_ - d.from_instant) > s->within_seconds) {
            s->exclusion = -1;
            s->value = 0;
          }
        } else if (d.exclusion < 0) {
          s->value = static_cast<double>(d.seconds) <= s->within_seconds ? 1 : 0;
        }
      }
      break;
    }
    default:
      break;
  }
  s->valid = s->exclusion < 0 ? 1 : 0;
}

namespace {
// |s|'s amount × |rate|, rounded to the amount scale; past ±9.2e18 units/10,000 it is invalid.
void ApplyRate(Slot* s, double rate) {
  const long double converted = static_cast<long double>(s->value) * rate;
  if (!(std::fabs(converted) < 9.2e18L)) {
    s->exclusion = kInvalidValue;
    return;
  }
  s->value = static_cast<std::int64_t>(std::llround(converted));
}
}  // namespace

// A money amount in the row's currency, into the [fx] base currency: amount × rate, rounded
// to the amount scale (1/10,000); excluded when the currency is empty or has no rate.
void SourceRun::ConvertCurrency(Slot* s) {
  if (currency_column_ < 0) {
    // No currency column: the amount's own mark says its currency; a plain number is taken
    // as it is (in the base currency), as the warning at the end says.
    const std::string_view text = context_->Text(s->column);
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!text.empty() && digit(text.front()) && digit(text.back())) return;  // "1,500"
    const std::string_view code = AmountCurrencyMark(text);
    const std::uint8_t bit = RowContext::MarkBit(code);
    if (bit == 0) return;
    const double rate = mark_rates_[static_cast<std::size_t>(__builtin_ctz(bit))];
    if (rate < 0) {
      s->exclusion = kUnknownCurrency;
      Warn("unknown_currency", s->column, [&] {
        const std::string rates = def_.fx.Describe();
        return fmt::format("is in {} (its mark), which has no exchange rate ({} gives {}): such "
                           "amounts are left out of money metrics; add {}=RATE",
                           code, def_.fx.origin, rates.empty() ? def_.fx.base + " only" : rates,
                           code);
      });
      return;
    }
    ApplyRate(s, rate);
    return;
  }
  const std::uint32_t id = ValueId(currency_slot_);
  if (id >= rate_of_id_.size()) rate_of_id_.resize(std::size_t{id} + 1, 0.0);
  double& rate = rate_of_id_[id];
  if (rate == 0.0) {
    const std::string_view code = TrimSpace(context_->Text(currency_column_));
    rate = code.empty() ? -1.0 : def_.fx.RateOf(code).value_or(-2.0);
  }
  if (rate < 0) {
    s->exclusion = rate == -1.0 ? kMissingCurrency : kUnknownCurrency;
    if (rate == -1.0) {
      Warn("missing_currency", currency_column_, [] {
        return std::string("is empty: the amount's currency is unknown, so it is left out of "
                           "money metrics");
      });
    } else {
      Warn("unknown_currency", currency_column_, [this] {
        const std::string rates = def_.fx.Describe();
        return fmt::format("has no exchange rate ({} gives {}): amounts in it are left out of "
                           "money metrics; add {}=RATE",
                           def_.fx.origin, rates.empty() ? def_.fx.base + " only" : rates,
                           CurrencyCode(context_->Text(currency_column_)));
      });
    }
    return;
  }
  ApplyRate(s, rate);
}

// The current row's count_distinct key of |s|: the interned ids of its columns' values.
inline DistinctKey SourceRun::ObserveDistinct(Stream& s) {
  DistinctKey o;
  // Interned ids, so the composite key is fixed-width: ("a,b","c") ≠ ("a","b,c").
  for (int c : s.key_columns) {
    if (context_->Text(c).empty()) o.exclusion = kMissingValue;
  }
  if (o.exclusion >= 0) return o;
  if (s.key_slots.size() == 1) {
    o.id = ValueId(s.key_slots[0]);
  } else {
    s.key.clear();
    for (int slot : s.key_slots) AppendId(&s.key, ValueId(slot));
    bool inserted = false;
    o.id = s.composite.FindOrInsert(s.key, &inserted);
  }
  return o;
}

// as_of = data: the latest event of the row (source_run.h, event_columns_).
void SourceRun::TrackLatestEvent() {
  auto consider = [&](int c) {
    Seconds t = 0;
    if (context_->Instant(c, &t) == ParseStatus::kOk && (!latest_date_ || t > *latest_date_)) {
      latest_date_ = t;
    }
  };
  for (int c : event_columns_) consider(c);
  if (closed_column_ >= 0 &&
      (!closed_needs_stage_ || context_->Stage().cls != StageClass::kOpen)) {
    consider(closed_column_);
  }
}

// The duration FROM..TO of the current row, decided (and warned about) once per row.
inline const DurationSlot& SourceRun::Duration(std::size_t index) {
  DurationSlot& d = durations_[index];
  if (d.generation == generation_) return d;
  d.generation = generation_;
  d.exclusion = -1;
  d.seconds = 0;
  Seconds from = 0, to = 0;
  const ParseStatus fs = context_->Instant(d.from, &from);
  const ParseStatus ts = context_->Instant(d.to, &to);
  d.from_instant = from;
  if (fs == ParseStatus::kEmpty) {
    d.exclusion = kMissingFrom;
  } else if (fs == ParseStatus::kInvalid) {
    d.exclusion = kInvalidFrom;
  } else if (ts == ParseStatus::kEmpty) {
    d.exclusion = kMissingTo;
  } else if (ts == ParseStatus::kInvalid) {
    d.exclusion = kInvalidTo;
  } else if (HasTime(context_->Raw(d.from)) != HasTime(context_->Raw(d.to))) [[unlikely]] {
    // A date-only value beside a date-time one (Salesforce: CloseDate a date, CreatedDate a
    // date-time): whole calendar days in the data's time zone, so a deal won the day it was
    // created takes 0 days, not a negative time (docs/kpis.md, "Durations").
    std::int64_t from_day = 0, to_day = 0;
    context_->Day(d.from, &from_day);
    context_->Day(d.to, &to_day);
    if (to_day < from_day) {
      NegativeDuration(d);
    } else {
      d.seconds = (to_day - from_day) * 86400;
    }
  } else if (to < from) {
    NegativeDuration(d);
  } else {
    d.seconds = to - from;
  }
  return d;
}

void SourceRun::NegativeDuration(DurationSlot& d) {
  d.exclusion = kNegativeDuration;
  Warn("negative_duration", d.to, [&] {
    return fmt::format("is before '{}'; the row is left out of the durations {}..{}",
                       schema_.name(d.from), schema_.name(d.from), schema_.name(d.to));
  });
}

inline void SourceRun::JoinLookup(const LoadedLookup& l) {
  const std::size_t width = l.header.size();
  const auto first = static_cast<std::size_t>(l.first);
  const std::string_view k = TrimSpace(fields_[static_cast<std::size_t>(l.on_column)]);
  const std::uint32_t id = k.empty() ? kNoRow : l.index.Find(k);
  if (id == kNoRow) {
    for (std::size_t j = 0; j < width; ++j) fields_[first + j] = std::string_view();
    if (!k.empty()) {
      current_ = fields_.data();
      // Counted per lookup (keyed by its first column): two lookups joined on one column
      // were counted together under the first one's name.
      warnings_->Add("lookup_miss", index_, l.first, [&] {
        return FieldWarning(
            schema_.name(l.on_column), reader_->Locate(static_cast<std::size_t>(l.on_column)),
            current_[l.on_column],
            fmt::format("value not found in lookup '{}' (column '{}' of {}); its columns are "
                        "empty for such rows",
                        l.def->id, l.header.empty() ? "" : l.def->key, l.file));
      });
    }
    return;
  }
  const std::string* row = l.cells.data() + static_cast<std::size_t>(id) * width;
  for (std::size_t j = 0; j < width; ++j) fields_[first + j] = row[j];
}

// The CSV field a column's message points at: itself, or the key column of its lookup.
std::size_t SourceRun::LocateIndex(int column) const {
  if (static_cast<std::size_t>(column) < schema_.header_size()) {
    return static_cast<std::size_t>(column);
  }
  for (const LoadedLookup& l : *lookups_) {
    if (column >= l.first && column < l.first + static_cast<int>(l.header.size())) {
      return static_cast<std::size_t>(l.on_column);
    }
  }
  return 0;
}

inline void SourceRun::HandleBadWidth(const CsvRow& row) {
  std::size_t at = 0;
  const std::string message = FieldCountMessage(schema_.header(), row.fields.size(), &at);
  if (!def_.lenient) {
    const std::string hint =
        def_.from_flags ? "use --lenient to skip such rows"
                        : fmt::format("set lenient = true in [source {}] to skip such rows", def_.id);
    throw Error::Input(fmt::format("{}; {}", message, hint), reader_->Locate(at));
  }
  ++summary_.skipped_rows;
  warnings_->Add("skipped_row", index_, -1, [&] {
    DataWarning w;
    w.first = reader_->Locate(at);
    w.message = std::string(def_.from_flags ? "record skipped (--lenient): "
                                            : "record skipped (lenient): ") +
                message;
    return w;
  });
}

}  // namespace crmkpi::engine_detail
