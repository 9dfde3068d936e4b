// A source's pass (metric_engine.h): bound once to the source's header, lookups and metrics,
// then read once, whole or in parallel parts merged in file order; its members are defined by
// concept in source_run.cc, metric_binding.cc, row_plan.cc, source_rows.cc and metric_cells.cc.
#pragma once

#include <cstddef>
#include <cstring>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/metric_def.h"
#include "crmkpi/engine/row_tap.h"
#include "crmkpi/definition/value_expr.h"
#include "crmkpi/definition/where.h"
#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/read/warning_log.h"
#include "crmkpi/values/date_time.h"

#include "accumulators.h"
#include "lookup_table.h"
#include "metric_binding.h"
#include "row_plan.h"
#include "source_rows.h"

namespace crmkpi::engine_detail {

class SourceRun {
 public:
  // Opens |path|, reads its header and binds |lookups| and |metrics| (result_indexes: their
  // positions in MetricRun::metrics).
  SourceRun(const SourceDef& def, int index, const std::string& path,
            std::vector<LoadedLookup> lookups, const std::vector<const MetricDef*>& metrics,
            const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
            std::optional<Seconds> as_of, bool track_dates, WarningLog* warnings,
            const SourceLoc& file_loc = {}, const SourceRun* first = nullptr);
  // Adds |other|'s rows (another file of the source, read): its accumulators, its latest date
  // and its summary, listed after this file's.
  void MergeFile(SourceRun& other);
  // A run over one chunk of |whole|'s file (the parallel pass).
  SourceRun(const SourceRun& whole, const ScanChunk& chunk, WarningLog* warnings);
  // A run over blocks of |whole|'s stream (the parallel pass over a stream).
  explicit SourceRun(const SourceRun& whole);

  // Feeds every record read to |tap| too (row_tap.h); before ReadAll.
  void set_tap(RowTap* tap) { tap_ = tap; }
  // Reads the rows: whole, or in parts merged in file order (source_run.cc).
  void ReadAll(const ParallelOptions& parallel);
  // Reads the rows of the current reader (source_rows.cc).
  void Read();
  // The as-of that finishing uses when none was given (as_of = data): km_median's censoring.
  void FinishAt(Seconds as_of) {
    if (!as_of_) as_of_ = as_of;
  }
  // The latest valid created or closed date of the rows read (with track_dates), if any.
  std::optional<Seconds> latest_date() const { return latest_date_; }
  // Appends the metrics' results, the source's summary and its periods' first and last days
  // (metric_cells.cc).
  void Finish(std::vector<MetricResult>* results, std::vector<SourceSummary>* summaries,
              std::map<std::string, std::pair<std::string, std::string>>* period_bounds);

 private:
  SourceRun(const SourceDef& def, int index,
            std::shared_ptr<std::vector<LoadedLookup>> lookups,
            const std::vector<const MetricDef*>& metrics,
            const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
            std::optional<Seconds> as_of, bool track_dates, WarningLog* warnings);

  // source_run.cc: binding the source, merging a part. Another file of a source may have
  // another header if every metric binds in it as in the first file (Error(kInput) otherwise),
  // checked after it is bound.
  void CheckSameLayout(const SourceRun& first) const;
  void Init();
  void Merge(SourceRun& later);
  static void MergeAcc(const HotAcc& from_hot, ColdAcc& from_cold,
                       const std::vector<std::uint32_t>* ids, HotAcc* hot, ColdAcc* cold);

  // metric_binding.cc: binding one metric.
  int Resolve(const MetricDef& m, const std::string& name, std::string_view in,
              const SourceLoc& loc) const;
  [[noreturn]] void Fail(const MetricDef& m, const SourceLoc& loc, const std::string& message);
  void BindMetric(const MetricDef& def, std::size_t result_index);
  int InternSlot(int column);
  std::string RoleOf(int column) const;  // the role |column| is bound to, or ""
  // Whether |def| is money in the row's currency (MetricDef::money; by default sum, avg, min,
  // max, median and pNN of the amount role's column).
  bool IsMoney(const MetricDef& def) const;

  // row_plan.cc: the plan builder.
  void Compile();
  void DeriveTotals();  // metric_cells.cc, before the cells are made
  // metric_cells.cc: the currencies of a money metric's groups without rates. CurrenciesOf:
  // the currencies of a split table's groups with amounts, by their values without the
  // currency. SplitCurrencies: whether the source's money is in several currencies (warned).
  std::map<std::vector<std::string>, std::vector<std::string>> CurrenciesOf(
      const Attached& split) const;
  bool SplitCurrencies();
  // Without a currency column: the currencies the marks of |m|'s amounts name, sorted.
  std::vector<std::string> MarkedCurrencies(const MetricState& m) const;
  void ChoosePlanColumn();
  StagePlan MakePlan(const std::vector<std::uint8_t>& holds, std::vector<std::uint8_t> decided,
                     const std::vector<int>& tested);
  [[gnu::noinline]] const StagePlan& MakeRowPlan(std::uint32_t stage, std::uint32_t value);

  // source_rows.cc: the row loop. The inline ones are called per row, from that file only, so
  // they inline into Read (defined there; another file calling one fails to build). The
  // always_inline ones have one caller each and were inlined when the engine was one file.
  inline void Aggregate();
  template <bool kRange>
  static inline void AddValues(const std::vector<Op>& ops, const Slot* slots,
                               const std::uint8_t* pass, const GroupRun* runs);
  [[gnu::always_inline]] inline void BatchDistinct(std::size_t k);
  [[gnu::noinline]] void AggregateStages();
  inline void AddKm(const KmOp& op, ColdAcc& cold);
  inline void FlushDistinct();
  inline const StagePlan& PlanOfRow();
  static inline std::uint32_t PeriodCodeId(PeriodSlot* p, std::uint32_t code);
  inline std::uint32_t PeriodId(PeriodSlot* p);
  static inline std::uint32_t InvalidPeriodId(PeriodSlot* p);
  inline std::uint32_t GroupOf(GroupTable* t, std::string* key);
  [[gnu::noinline]] std::uint32_t GroupOfSlow(GroupTable* t, std::string* key);
  inline std::uint32_t ValueId(int slot);
  inline std::uint32_t GroupValueId(int slot);  // canonical when normalised, else ValueId
  std::uint32_t NewGroup(GroupTable* t);  // also for the totals' one group (Init)
  inline void ObserveSlot(Slot* s);
  inline DistinctKey ObserveDistinct(Stream& s);
  [[gnu::always_inline]] inline const DurationSlot& Duration(std::size_t index);
  [[gnu::noinline]] void NegativeDuration(DurationSlot& d);  // excluded, warned once
  [[gnu::noinline]] void TrackLatestEvent();
  // Whether a date value holds a time of day (every time format has a ':'; an Excel serial
  // day number a fraction, 45397.5): a duration between a date-only and a date-time value is
  // counted in calendar days.
  static bool HasTime(std::string_view text) { return DateHasTime(text); }
  inline void JoinLookup(const LoadedLookup& l);
  std::size_t LocateIndex(int column) const;
  [[gnu::always_inline]] inline void HandleBadWidth(const CsvRow& row);

  // |what| is only called for the first occurrence of (kind, source, column).
  template <typename What>
  void Warn(std::string_view kind, int column, What&& what) {
    warnings_->Add(kind, index_, column, [&] {
      return FieldWarning(schema_.name(column), reader_->Locate(LocateIndex(column)),
                          current_[column], what());
    });
  }

  // Currencies (docs/kpis.md, "Currencies"): the currency role's column (-1: none). With
  // rates (def_.fx), money amounts are converted per row by it (ConvertCurrency); without,
  // and with a money metric, money is split by it (split_currency_, metric_cells.cc).
  int currency_column_ = -1;
  int currency_slot_ = -1;  // its Interned slot, for the rate of each value id
  bool split_currency_ = false;
  std::vector<double> rate_of_id_;  // by interned id: 0 = not looked up, <0 = none (-1 empty)
  // [fx] without a currency column: the rate of each RowContext::kMarkCodes (-2: none).
  std::vector<double> mark_rates_;
  [[gnu::noinline]] void ConvertCurrency(Slot* s);
  // Each period label made (NewGroup) → its first and last day (fiscal_calendar.h).
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> period_bounds_;
  std::optional<Seconds> as_of_;  // sla: when an unfinished row is already late
  // [crmkpi] as_of = data: every row's created and closed dates are read for the latest one.
  bool track_dates_ = false;
  // The latest event in the data (as_of = data): every row's created, changed and modified
  // times (event_columns_), and the closed time of a closed row only (closed_column_; every
  // row's when there is no stage column): an open deal's close date is an expectation.
  std::vector<int> event_columns_;
  int closed_column_ = -1;
  bool closed_needs_stage_ = false;
  std::optional<Seconds> latest_date_;
  const SourceDef& def_;
  int index_;
  std::vector<const MetricDef*> metric_defs_;
  std::vector<std::size_t> result_indexes_;
  std::string default_tz_;
  std::string path_;
  Encoding used_ = Encoding::kUtf8;
  std::string what_;
  std::string tz_;
  StageRules rules_;
  DateParser dates_;
  std::shared_ptr<std::vector<LoadedLookup>> lookups_;  // shared by the chunks' runs
  WarningLog* warnings_;
  std::unique_ptr<WarningLog> own_warnings_;  // a stream block's run: merged in order
  std::unique_ptr<CsvReader> owned_reader_;  // the whole input's, or a file chunk's
  CsvReader* reader_ = nullptr;  // the one being read: owned_reader_, or a stream block's
  RowTap* tap_ = nullptr;            // another consumer of the records, if any
  std::unique_ptr<RowTap> own_tap_;  // a chunk's part of the whole run's tap
  RowSchema schema_;
  std::unique_ptr<RowContext> context_;
  std::vector<std::string_view> fields_;  // header fields then lookup fields (with lookups)
  const std::string_view* current_ = nullptr;
  std::uint64_t generation_ = 0;
  SourceSummary summary_;
  std::vector<SourceSummary> file_summaries_;  // the source's further files (MergeFile)
  Where filter_;
  bool has_filter_ = false;
  std::vector<Where> wheres_;
  // The row loop's layout (Compile).
  std::vector<std::uint8_t> pass_;  // per where: 1 when it holds for the current row; then 1
  std::uint32_t always_ = 0;        // the index of the byte that is always 1
  std::uint32_t never_ = 0;         // the index of the byte that is always 0 (after always_)
  // Plans by the row's stage value (when a where reads the stage) and the value of the plan
  // column (ChoosePlanColumn), else one plan for every row.
  bool stage_ops_ = false;  // some stream is a km_median or reached (AggregateStages)
  bool use_plans_ = false;
  bool plan_stage_ = false;
  int plan_slot_ = -1;    // its Interned slot
  int plan_column_ = -1;  // its schema column
  // Some column looked up per row has Interned::kPrefetchFrom values (or more): its rows' keys
  // are hashed and prefetched as the row starts.
  bool prefetching_ = false;
  std::vector<Slot> slots_;
  OpLists streams_ops_;  // every stream's ops, under their own wheres
  StagePlan all_;  // the plan of every row when there are no plans
  std::vector<StagePlan> plans_;
  std::vector<std::vector<std::uint32_t>> plan_of_;  // [stage id][value id] → plans_ index
  std::map<std::string, std::uint32_t> plan_by_signature_;  // holds and decided bytes → plan
  DistinctBatch batch_;
  std::vector<PeriodSlot> periods_;
  std::vector<DurationSlot> durations_;
  std::vector<ValueExpr> exprs_;  // the metrics' `value =` expressions, bound (equal texts once)
  std::vector<Interned> interned_;
  std::vector<GroupTable> tables_;
  std::vector<GroupRun> runs_;  // by table: the accumulators of the current row's group
  std::vector<Stream> streams_;
  std::vector<MetricState> metrics_;
  // Totals made at the end from a grouping (row_plan.cc Compile): every row is in exactly one
  // group of any grouped table, so a stream's total accumulator is the merge of that table's
  // group accumulators, and the row loop updates one table fewer.
  struct DerivedTotal {
    std::size_t total_user = 0;  // in tables_[0]
    int table = 0;               // the grouped table it is made from
    std::size_t user = 0;
  };
  std::vector<DerivedTotal> derived_totals_;
};

}  // namespace crmkpi::engine_detail
