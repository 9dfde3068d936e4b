// The row plans of a source's pass (metric_engine.h, "The row's plan"): the streams metrics
// share, the values (Slot) they read, the ops that add them to a table, and the plans that
// list per (stage, plan-column value) the wheres to test and the ops to apply (row_plan.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crmkpi/base/key_table.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/where.h"

#include "accumulators.h"

namespace crmkpi::engine_detail {

// What a row contributes, observed once per row for every metric that reads the same value under
// the same where text: `sum`, `avg`, `min`, `max`, `median` of one column and where share one
// stream and, per table, one accumulator (a HotAcc holds n, sum, min and max at once), so a row
// is observed once and each accumulator updated once however many of those metrics there are.
struct Stream {
  ValueKind kind = ValueKind::kRows;
  int column = -1;               // kNonEmpty, kAmount; kExpr: the column whose marks are its
                                 // currency's (the amount role's, else its first)
  int expr = -1;                 // kExpr: index of the bound ValueExpr
  bool fx = false;               // kAmount of a money metric under [fx]: converted per row
  std::vector<int> key_columns;  // kDistinct: schema columns
  std::vector<int> key_slots;    // kDistinct: their Interned slots
  KeyTable composite;            // kDistinct with several columns: packed value ids → id
  // kDistinct: a metric reading it has `having`, so each key's rows are counted (IdCounts)
  // rather than only its presence (IdSet); the metrics without `having` count its keys.
  bool counted = false;
  int duration = -1;             // kDuration: index of the DurationSlot
  bool sla = false;              // kDuration: the value is met (1) or breached (0)
  double within_seconds = 0;     // sla: the target
  int where = -1;                // index of the shared Where, -1 = every row
  int censor = -1;               // kKm: index of the Where of the censored rows
  int reach = -1;                // kReached: index of the stage to reach in the stage order
  LostReached lost_reached = LostReached::kExclude;  // kReached: the source's policy
  struct Target {
    int table = 0;
    std::size_t user = 0;      // the accumulator's position in the table's group runs
    bool keep_values = false;  // a median or pNN reads it: keep every value
    bool counter = false;      // a row count: |user| indexes the table's counts
    bool range = false;        // a min or max reads it: keep the least and the greatest
  };
  std::vector<Target> targets;  // one per table
  std::string key;  // scratch: packed ids of a composite count_distinct key

  bool SameObservation(const Stream& o) const {
    return kind == o.kind && column == o.column && expr == o.expr && fx == o.fx &&
           key_columns == o.key_columns &&
           duration == o.duration && sla == o.sla && within_seconds == o.within_seconds &&
           where == o.where && censor == o.censor && reach == o.reach;
  }
};

// A value read from the row once, however many streams read it under different wheres: an
// amount, whether a column is empty, a duration or an SLA outcome. It is observed only on rows
// where the where of one of its streams passes (so parse warnings count the rows they did when
// each stream observed it), and its ops then aggregate it without a branch on any where.
struct Slot {
  ValueKind kind = ValueKind::kAmount;  // kNonEmpty, kAmount, kExpr or kDuration
  int column = -1;                      // kNonEmpty, kAmount (kExpr: as Stream::column)
  int expr = -1;                        // kExpr: index of the bound ValueExpr
  bool fx = false;                      // kAmount: converted into the [fx] base currency
  int duration = -1;                    // kDuration: index of the DurationSlot
  bool sla = false;                     // kDuration: the value is met (1) or breached (0)
  double within_seconds = 0;            // sla: the target
  std::vector<std::uint32_t> wheres;    // the pass bytes of the streams reading it
  // Of the current row; stale when none of |wheres| passed (every op of the slot then has a
  // pass byte of 0, which masks it).
  std::int64_t value = 0;
  std::uint64_t valid = 0;  // 1: aggregated; 0: excluded for |exclusion|
  int exclusion = 0;
};

// One stream's accumulator in one table, as the row loop applies it: |where| is the index of
// the stream's pass byte (1 when its where holds for the row), |slot| the value it reads (none
// for row counts), |user| the accumulator's position in the table's run. (One op per stream
// with a loop over its tables measured 8 % slower: the short loops' exits mispredict.)
struct Op {
  std::uint32_t where = 0, slot = 0, table = 0, user = 0;
};

// A km_median stream's accumulator in one table: |censor| is the pass byte of its censored
// condition (the always or never byte when the plan decides it), |duration| its DurationSlot.
struct KmOp {
  std::uint32_t where = 0, censor = 0, duration = 0, table = 0, user = 0;
};

// The row loop's ops by what they do (SourceRun::Aggregate).
struct OpLists {
  std::vector<Op> count, tally, sum, range, present, keep;  // tally: count, unconditional
  std::vector<Op> distinct, batched;  // count_distinct: |slot| is the stream
  std::vector<KmOp> km;
  std::vector<Op> reached;  // |slot| is the stream
};
// A slot's observation on a row: when one of need_wheres[first, last) holds, or always.
struct SlotNeed {
  std::uint32_t slot = 0;
  bool always = false;
  std::uint32_t first = 0, last = 0;
};
// What a row does: the wheres it tests, the slots it observes and the ops it applies; per
// stage value and plan column value when some where reads them (SourceRun::PlanOfRow), else
// one for all rows.
struct StagePlan {
  OpLists ops;
  // The wheres tested on the row: by kind (one range or emptiness test each, run without the
  // condition switch), then the others.
  struct Range {
    Where::RangeTest test;
    std::uint32_t where = 0;
  };
  std::vector<Range> amount_tests, day_tests, instant_tests;
  struct Empty {
    int column = -1;
    bool negated = false;
    std::uint32_t where = 0;
  };
  std::vector<Empty> empty_tests;
  std::vector<int> other_wheres;
  std::vector<SlotNeed> slots;
  std::vector<std::uint32_t> need_wheres;
  bool stage_ops = false;  // ops.km or ops.reached is not empty
};

}  // namespace crmkpi::engine_detail
