// The plan builder of a source's pass: lays out the row loop (pass bytes, slots, one op per
// stream and table), chooses the plan column, and turns the Where::Decide outcomes of each
// (stage, plan-column value) pair into a plan shared by the pairs that decide every where alike.
#include "row_plan.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "source_run.h"

namespace crmkpi::engine_detail {

// Lays out the row loop: one pass byte per where (then one that is always 1, for streams
// without a where), the slots the streams read, and one op per stream and table, listed by
// what the op does. Wheres on the stage alone are decided once per distinct stage value.
void SourceRun::Compile() {
  always_ = static_cast<std::uint32_t>(wheres_.size());
  never_ = always_ + 1;
  pass_.assign(wheres_.size() + 2, 0);
  pass_[always_] = 1;
  ChoosePlanColumn();
  derived_totals_.clear();
  for (std::size_t k = 0; k < streams_.size(); ++k) {
    const Stream& st = streams_[k];
    const std::uint32_t where = st.where < 0 ? always_ : static_cast<std::uint32_t>(st.where);
    // A value stream reported in the total and in a grouping: its total is made from the
    // grouping's accumulators at the end (DeriveTotals), not added to on every row. Row counts
    // are one add either way; count_distinct totals are unions, kept per row.
    std::vector<Stream::Target> targets = st.targets;
    if (st.kind != ValueKind::kRows && st.kind != ValueKind::kDistinct) {
      const auto total = std::find_if(targets.begin(), targets.end(), [&](const Stream::Target& a) {
        return tables_[static_cast<std::size_t>(a.table)].total;
      });
      // The grouping must keep all the total needs: extremes for min/max, every value for
      // median/pNN.
      const auto grouped = std::find_if(targets.begin(), targets.end(), [&](const Stream::Target& a) {
        return !tables_[static_cast<std::size_t>(a.table)].total && total != targets.end() &&
               (a.range || !total->range) && (a.keep_values || !total->keep_values);
      });
      if (total != targets.end() && grouped != targets.end()) {
        derived_totals_.push_back({total->user, grouped->table, grouped->user});
        targets.erase(total);
      }
    }
    if (st.kind == ValueKind::kDistinct) {
      const bool grouped = st.key_slots.size() == 1 &&
                           std::any_of(tables_.begin(), tables_.end(), [&](const GroupTable& t) {
                             return std::find(t.slots.begin(), t.slots.end(),
                                              st.key_slots[0]) != t.slots.end();
                           });
      const bool batched = st.key_slots.size() == 1 && !grouped;
      if (batched) interned_[static_cast<std::size_t>(st.key_slots[0])].batched = true;
      (batched ? streams_ops_.batched : streams_ops_.distinct)
          .push_back({where, static_cast<std::uint32_t>(k), 0, 0});
      continue;
    }
    if (st.kind == ValueKind::kKm) {  // reads its duration itself, per row and op
      for (const Stream::Target& a : targets) {
        streams_ops_.km.push_back({where, static_cast<std::uint32_t>(st.censor),
                                   static_cast<std::uint32_t>(st.duration),
                                   static_cast<std::uint32_t>(a.table),
                                   static_cast<std::uint32_t>(a.user)});
      }
      continue;
    }
    if (st.kind == ValueKind::kReached) {  // reads the row's stage class
      for (const Stream::Target& a : targets) {
        streams_ops_.reached.push_back({where, static_cast<std::uint32_t>(k),
                                        static_cast<std::uint32_t>(a.table),
                                        static_cast<std::uint32_t>(a.user)});
      }
      continue;
    }
    std::uint32_t slot = 0;
    if (st.kind != ValueKind::kRows) {
      auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& x) {
        return x.kind == st.kind && x.column == st.column && x.expr == st.expr && x.fx == st.fx &&
               x.duration == st.duration &&
               x.sla == st.sla && x.within_seconds == st.within_seconds;
      });
      if (it == slots_.end()) {
        Slot x;
        x.kind = st.kind;
        x.column = st.column;
        x.expr = st.expr;
        x.fx = st.fx;
        x.duration = st.duration;
        x.sla = st.sla;
        x.within_seconds = st.within_seconds;
        it = slots_.insert(slots_.end(), std::move(x));
      }
      if (std::find(it->wheres.begin(), it->wheres.end(), where) == it->wheres.end()) {
        it->wheres.push_back(where);
      }
      slot = static_cast<std::uint32_t>(it - slots_.begin());
    }
    for (const Stream::Target& a : targets) {
      const Op op{where, slot, static_cast<std::uint32_t>(a.table),
                  static_cast<std::uint32_t>(a.user)};
      switch (st.kind) {
        case ValueKind::kRows:
          streams_ops_.count.push_back(op);
          break;
        case ValueKind::kNonEmpty:
          streams_ops_.present.push_back(op);
          break;
        default:
          (a.range ? streams_ops_.range : streams_ops_.sum).push_back(op);
          if (a.keep_values) streams_ops_.keep.push_back(op);
          break;
      }
    }
  }
  stage_ops_ = !streams_ops_.km.empty() || !streams_ops_.reached.empty();
  if (!use_plans_) {
    std::vector<int> tested;
    for (std::size_t w = 0; w < wheres_.size(); ++w) tested.push_back(static_cast<int>(w));
    all_ = MakePlan(std::vector<std::uint8_t>(pass_.size(), 1),
                    std::vector<std::uint8_t>(pass_.size(), 0), tested);
  }
}

// Rows get plans by their stage value and the value of one grouped column (the plan column)
// when some where reads the stage or tests that column's text: such wheres are then decided
// once per plan. The plan column is the grouped column the most wheres test as text; it is
// interned for its grouping anyway, so its value id costs the row nothing more.
void SourceRun::ChoosePlanColumn() {
  std::size_t best = 0;
  for (std::size_t i = 0; i < interned_.size(); ++i) {
    const int slot = static_cast<int>(i);
    const bool grouped = std::any_of(tables_.begin(), tables_.end(), [&](const GroupTable& t) {
      return std::find(t.slots.begin(), t.slots.end(), slot) != t.slots.end();
    });
    if (!grouped) continue;
    const int column = interned_[i].column;
    const std::size_t n = static_cast<std::size_t>(
        std::count_if(wheres_.begin(), wheres_.end(),
                      [&](const Where& w) { return w.TestsText(column); }));
    if (n > best) {
      best = n;
      plan_slot_ = slot;
      plan_column_ = column;
    }
  }
  plan_stage_ = std::any_of(wheres_.begin(), wheres_.end(),
                            [](const Where& w) { return w.uses_stage(); });
  use_plans_ = plan_stage_ || plan_slot_ >= 0;
}

// The plan of rows for which |holds| is 0 at every where decided to fail for them, |decided|
// 1 at every where decided to hold, and |tested| lists the others: ops under a failing where
// are dropped, ops under a holding one become unconditional (the always byte), and the slots
// list only the wheres left to test on the row.
StagePlan SourceRun::MakePlan(const std::vector<std::uint8_t>& holds,
                              std::vector<std::uint8_t> decided, const std::vector<int>& tested) {
  decided[always_] = 1;  // decided: 1 when known to hold for these rows
  StagePlan plan;
  for (const int w : tested) {
    Where& where = wheres_[static_cast<std::size_t>(w)];
    Where::RangeOf of = Where::RangeOf::kAmount;
    StagePlan::Range range;
    StagePlan::Empty empty;
    range.where = empty.where = static_cast<std::uint32_t>(w);
    if (where.AsRangeTest(&of, &range.test)) {
      (of == Where::RangeOf::kAmount ? plan.amount_tests
       : of == Where::RangeOf::kDay  ? plan.day_tests
                                     : plan.instant_tests)
          .push_back(range);
    } else if (where.AsEmptyTest(&empty.column, &empty.negated)) {
      plan.empty_tests.push_back(empty);
    } else {
      plan.other_wheres.push_back(w);
    }
  }
  auto place = [&](const std::vector<Op>& from, std::vector<Op>* to) {
    for (const Op& op : from) {
      if (holds[op.where] == 0) continue;
      Op o = op;
      if (decided[op.where] != 0) o.where = always_;
      to->push_back(o);
    }
  };
  place(streams_ops_.count, &plan.ops.count);
  // Row counts under a where that holds for every row of the plan: a plain increment.
  const auto always = std::stable_partition(plan.ops.count.begin(), plan.ops.count.end(),
                                            [&](const Op& op) { return op.where != always_; });
  plan.ops.tally.assign(always, plan.ops.count.end());
  plan.ops.count.erase(always, plan.ops.count.end());
  place(streams_ops_.sum, &plan.ops.sum);
  place(streams_ops_.range, &plan.ops.range);
  place(streams_ops_.present, &plan.ops.present);
  place(streams_ops_.keep, &plan.ops.keep);
  place(streams_ops_.distinct, &plan.ops.distinct);
  place(streams_ops_.batched, &plan.ops.batched);
  place(streams_ops_.reached, &plan.ops.reached);
  // km_median: its censored condition, when decided for these rows, becomes the always or the
  // never byte.
  for (const KmOp& op : streams_ops_.km) {
    if (holds[op.where] == 0) continue;
    KmOp o = op;
    if (decided[op.where] != 0) o.where = always_;
    if (holds[op.censor] == 0) {
      o.censor = never_;
    } else if (decided[op.censor] != 0) {
      o.censor = always_;
    }
    plan.ops.km.push_back(o);
  }
  plan.stage_ops = !plan.ops.km.empty() || !plan.ops.reached.empty();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    SlotNeed need{static_cast<std::uint32_t>(i), false,
                  static_cast<std::uint32_t>(plan.need_wheres.size()), 0};
    bool any = false;
    for (const std::uint32_t w : slots_[i].wheres) {
      if (holds[w] == 0) continue;
      any = true;
      if (decided[w] != 0) need.always = true;
      plan.need_wheres.push_back(w);
    }
    if (need.always) plan.need_wheres.resize(need.first);  // nothing to test
    need.last = static_cast<std::uint32_t>(plan.need_wheres.size());
    if (any) plan.slots.push_back(need);
  }
  return plan;
}

// Each where decided as far as the stage and the plan column's text decide it (they depend
// on nothing else and have no side effects); ops under a where that fails dropped.
const StagePlan& SourceRun::MakeRowPlan(std::uint32_t stage, std::uint32_t value) {
  std::vector<std::uint8_t> holds(pass_.size(), 1);    // 0 = fails for these rows
  std::vector<std::uint8_t> decided(pass_.size(), 0);  // 1 = holds for them all
  std::vector<int> tested;
  for (std::size_t w = 0; w < wheres_.size(); ++w) {
    switch (wheres_[w].Decide(*context_, plan_column_)) {
      case Where::Outcome::kFalse:
        holds[w] = 0;
        break;
      case Where::Outcome::kTrue:
        decided[w] = 1;
        break;
      case Where::Outcome::kUnknown:
        tested.push_back(static_cast<int>(w));
        break;
    }
  }
  if (stage >= plan_of_.size()) plan_of_.resize(std::size_t{stage} + 1);
  std::vector<std::uint32_t>& by_value = plan_of_[stage];
  if (value >= by_value.size()) by_value.resize(std::size_t{value} + 1, kNoRow);
  // Row classes that decide every where alike share one plan (its ops stay in the cache).
  std::string signature(holds.begin(), holds.end());
  signature.append(decided.begin(), decided.end());
  auto [it, added] =
      plan_by_signature_.emplace(std::move(signature), static_cast<std::uint32_t>(plans_.size()));
  if (added) plans_.push_back(MakePlan(holds, std::move(decided), tested));
  by_value[value] = it->second;
  return plans_[it->second];
}

}  // namespace crmkpi::engine_detail
