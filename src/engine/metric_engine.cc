#include "crmkpi/engine/metric_engine.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <tuple>

#include <fmt/format.h>

#include "crmkpi/base/key_table.h"
#include "crmkpi/base/quantile.h"
#include "crmkpi/base/short_key_cache.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/value_counts.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/where.h"
#include "crmkpi/engine/analysis_metrics.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/read/warning_log.h"
#include "crmkpi/values/amount.h"

namespace crmkpi {
namespace {

using hash_detail::Mix;

constexpr double kSecondsPerDay = 86400.0;
constexpr double kSecondsPerHour = 3600.0;
constexpr double kAmountScaleD = static_cast<double>(kAmountScale);

enum Exclusion : int {
  kMissingValue,
  kInvalidValue,
  kMissingFrom,
  kInvalidFrom,
  kMissingTo,
  kInvalidTo,
  kNegativeDuration,
  kPending,  // sla: not finished yet and not yet late
  kExclusionCount
};
constexpr std::array<const char*, kExclusionCount> kExclusionNames = {
    "missing_value", "invalid_value", "missing_from",      "invalid_from",
    "missing_to",    "invalid_to",    "negative_duration", "pending"};

// Keys of group tables (3+ parts) and composite distinct keys are fixed-width: 4 bytes per
// interned value id (or period id), so no two different tuples share a key.
void AppendId(std::string* key, std::uint32_t id) {
  key->append(reinterpret_cast<const char*>(&id), sizeof id);
}
constexpr std::uint32_t kNoPeriod = 0xFFFFFFFFu;  // codes of valid dates are small positives

constexpr std::uint32_t kNoRow = KeyTable::kNone;

// Two 32-bit ids packed in a 64-bit key → a 32-bit value (kNoRow when new), open addressing.
class PairMap {
 public:
  // The value slot of |key|, kNoRow for a key not seen before (the caller assigns it).
  std::uint32_t& FindOrInsert(std::uint64_t key) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = SlotOf(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.used && s.key == key) return s.value;
      if (!s.used) {
        s.used = true;
        s.key = key;
        s.value = kNoRow;
        ++size_;
        return s.value;
      }
    }
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = kNoRow;
    bool used = false;
  };
  static std::size_t SlotOf(std::uint64_t key) {
    return static_cast<std::size_t>(Mix(key, 0x9E3779B97F4A7C15ull));
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      std::size_t i = SlotOf(s.key) & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

// A set of dense ids (the interned keys a count_distinct group has seen). Small sets: open
// addressing over id + 1 (0 = empty). When the table would grow and the ids seen are dense
// enough that a bitmap over [0, max id] takes no more memory than the table, it becomes that
// bitmap: one bit test per row and no probing (a count_distinct over the whole file, where
// every interned id is in the set, is the common case).
class IdSet {
 public:
  void Insert(std::uint32_t id) {
    if (!bits_.empty()) {
      InsertBit(id);
      return;
    }
    InsertSlot(id);
  }
  std::size_t size() const { return size_; }

  // Calls f(id) for every id in the set.
  template <typename F>
  void ForEach(F&& f) const {
    for (std::uint32_t v : slots_) {
      if (v != 0) f(v - 1);
    }
    for (std::size_t w = 0; w < bits_.size(); ++w) {
      for (std::uint64_t b = bits_[w]; b != 0; b &= b - 1) {
        f(static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(b))));
      }
    }
  }

 private:
  void InsertBit(std::uint32_t id) {
    const std::size_t word = id >> 6;
    if (word >= bits_.size()) bits_.resize(std::max(word + 1, bits_.size() * 2), 0);
    const std::uint64_t bit = std::uint64_t{1} << (id & 63);
    if ((bits_[word] & bit) == 0) {
      bits_[word] |= bit;
      ++size_;
    }
  }
  [[gnu::noinline]] void InsertSlot(std::uint32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) {
      max_id_ = std::max(max_id_, id);
      // Bitmap bytes (max id / 8) against the grown table's (2 × 4 bytes per slot).
      if (size_ >= 1024 && std::size_t{max_id_} / 8 <= slots_.size() * 8) {
        ToBits();
        InsertBit(id);
        return;
      }
      Grow();
    }
    max_id_ = std::max(max_id_, id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = Slot(id) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == id + 1) return;
      if (slots_[i] == 0) {
        slots_[i] = id + 1;
        ++size_;
        return;
      }
    }
  }
  static std::size_t Slot(std::uint32_t id) {
    const std::uint64_t h = std::uint64_t{id} * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
  void Grow() {
    std::vector<std::uint32_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint32_t v : old) {
      if (v == 0) continue;
      std::size_t i = Slot(v - 1) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = v;
    }
  }
  void ToBits() {
    bits_.assign(std::size_t{max_id_} / 64 + 1, 0);
    for (std::uint32_t v : slots_) {
      if (v != 0) bits_[(v - 1) >> 6] |= std::uint64_t{1} << ((v - 1) & 63);
    }
    std::vector<std::uint32_t>().swap(slots_);
  }
  std::vector<std::uint32_t> slots_;
  std::vector<std::uint64_t> bits_;  // non-empty once the set is a bitmap
  std::uint32_t max_id_ = 0;
  std::size_t size_ = 0;
};

// A period as a number, for group keys (the label is only formatted for a new group):
// week iso_year × 100 + week, month year × 100 + month, quarter year × 10 + quarter, year.
std::int32_t PeriodCode(Period kind, std::int64_t day) {
  const date::sys_days d{date::days{day}};
  const date::year_month_day ymd{d};
  const int y = static_cast<int>(ymd.year());
  const auto m = static_cast<int>(static_cast<unsigned>(ymd.month()));
  switch (kind) {
    case Period::kWeek: {
      const int iso_weekday = static_cast<int>(date::weekday{d}.iso_encoding());
      const date::sys_days thursday = d + date::days{4 - iso_weekday};
      const date::year_month_day t{thursday};
      const date::sys_days jan1{t.year() / date::January / 1};
      return static_cast<int>(t.year()) * 100 +
             static_cast<int>((thursday - jan1).count() / 7 + 1);
    }
    case Period::kMonth:
      return y * 100 + m;
    case Period::kQuarter:
      return y * 10 + (m - 1) / 3 + 1;
    case Period::kYear:
      return y;
    case Period::kNone:
      break;
  }
  return 0;
}


CsvOptions CsvOptionsFor(const std::string& delimiter, const std::string& what,
                         const SourceLoc& loc) {
  try {
    return ParseDelimiter(delimiter);
  } catch (const Error& e) {
    throw Error(ExitCode::kUsage, fmt::format("{}: {}", what, e.message()), loc);
  }
}

// Runs |f|; an Error without a location gets |loc| and |prefix| (settings checked by the
// library's constructors, which do not know the INI).
template <typename F>
auto Located(const SourceLoc& loc, const std::string& prefix, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.loc().file.empty()) throw;
    throw Error(e.code(), prefix + e.message(), loc);
  }
}

const SourceLoc& Prefer(const SourceLoc& specific, const SourceLoc& fallback) {
  return specific.file.empty() && specific.line == 0 ? fallback : specific;
}

std::string Path(const std::map<std::string, std::string>& overrides, const std::string& id,
                 const std::string& file) {
  const auto it = overrides.find(id);
  return it == overrides.end() ? file : it->second;
}

// ---------------------------------------------------------------------------------------------
// Accumulators

// One metric in one group, split by how often it is touched. A table keeps the accumulators of
// all its metrics for a group side by side (group-major), so a row touches one contiguous run
// of HotAccs per table instead of one cache line per metric somewhere in memory.
struct HotAcc {  // every aggregated row: 32 bytes, two to a cache line
  std::uint64_t n = 0;
  std::int64_t sum = 0;  // the sum is this plus ColdAcc::sum_spill (AddToSum)
  std::int64_t min = std::numeric_limits<std::int64_t>::max();
  std::int64_t max = std::numeric_limits<std::int64_t>::min();
};
struct ColdAcc {  // exclusions, medians, count_distinct, the sum past 64 bits
  std::array<std::uint64_t, kExclusionCount> excluded{};
  Int128 sum_spill = 0;  // what HotAcc::sum handed over before it would overflow
  // median / pNN only: every aggregated value (amount units or duration seconds) as value →
  // count, so the quantiles are exact and memory grows with the distinct values, not the rows.
  ValueCounts values;
  std::unique_ptr<IdSet> distinct;  // count_distinct only: ids of the distinct keys
};

// Adds |v| to the sum of an accumulator: 64 bits on the row path, the 128-bit remainder only
// when 64 bits would overflow (amounts in 1/10,000 units pass 2^63 at 922 trillion).
inline void AddToSum(HotAcc& hot, ColdAcc& cold, std::int64_t v) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(hot.sum, v, &r)) [[unlikely]] {
    cold.sum_spill += hot.sum;
    r = v;
  }
  hot.sum = r;
}
inline Int128 SumOf(const HotAcc& hot, const ColdAcc& cold) { return cold.sum_spill + hot.sum; }

enum class ValueKind : std::uint8_t {
  kRows,      // count
  kNonEmpty,  // count of a column
  kAmount,    // ParseAmount of a column
  kDuration,  // TO - FROM in seconds
  kDistinct,  // count_distinct key
};

// A row's count_distinct key: the interned id, or why the row is left out.
struct DistinctKey {
  int exclusion = -1;  // an Exclusion, or -1
  std::uint32_t id = 0;
};

struct Attached {  // the total or one grouping of one metric
  int table = 0;
  std::size_t user = 0;  // position of the metric's accumulators in the table's group runs
  bool counter = false;  // a row count: |user| indexes the table's counts
  std::vector<std::string> names;
};

// What a row contributes, observed once per row for every metric that reads the same value under
// the same where text: `sum`, `avg`, `min`, `max`, `median` of one column and where share one
// stream and, per table, one accumulator (a HotAcc holds n, sum, min and max at once), so a row
// is observed once and each accumulator updated once however many of those metrics there are.
struct Stream {
  ValueKind kind = ValueKind::kRows;
  int column = -1;               // kNonEmpty, kAmount
  std::vector<int> key_columns;  // kDistinct: schema columns
  std::vector<int> key_slots;    // kDistinct: their Interned slots
  KeyTable composite;            // kDistinct with several columns: packed value ids → id
  int duration = -1;             // kDuration: index of the DurationSlot
  bool sla = false;              // kDuration: the value is met (1) or breached (0)
  double within_seconds = 0;     // sla: the target
  int where = -1;                // index of the shared Where, -1 = every row
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
    return kind == o.kind && column == o.column && key_columns == o.key_columns &&
           duration == o.duration && sla == o.sla && within_seconds == o.within_seconds &&
           where == o.where;
  }
};

struct MetricState {
  const MetricDef* def = nullptr;
  std::size_t result_index = 0;
  ValueKind kind = ValueKind::kRows;
  double unit_seconds = kSecondsPerDay;
  std::vector<Attached> targets;  // [0] = the total, then the groupings in output order
};

// A column whose values are interned (group and distinct keys): trimmed value → dense id, looked
// up at most once per row however many tables and metrics use the column.
struct Interned {
  int column = -1;
  KeyTable values;
  std::uint64_t generation = 0;
  std::uint32_t id = 0;  // of the current row
  // A column with many values (count_distinct over accounts, emails) is hashed when the row
  // starts and its slot and key prefetched (KeyTable::Prefetch) while the row's other work runs.
  static constexpr std::uint32_t kPrefetchFrom = 4096;  // values; smaller tables stay cached
  std::uint64_t hash_generation = 0;
  std::uint64_t hash = 0;  // of the current row's value, when hash_generation is current
  // Only count_distinct reads it: its values are looked up in batches (DistinctBatch), not
  // per row, and never prefetched per row.
  bool batched = false;
  // Values of up to 16 bytes (sources, regions) are found here first, without the table.
  std::unique_ptr<ShortKeyCache> short_keys = std::make_unique<ShortKeyCache>();
};

struct GroupTable {
  bool total = false;        // the one-group table of the totals
  std::vector<int> columns;  // schema columns
  std::vector<int> slots;    // their Interned slots
  int period = -1;           // PeriodSlot, -1 = none
  // By the number of key parts (columns + period): one → by_value[id] (kNoRow = none yet), two
  // → by_pair, more → index over the packed ids.
  std::vector<std::uint32_t> by_value;
  PairMap by_pair;
  KeyTable index;
  std::vector<std::vector<std::string>> values;
  std::size_t width = 0;  // metrics attached: accumulators per group
  std::vector<HotAcc> hot;    // group × width
  std::vector<ColdAcc> cold;  // group × width
  // Row counts (count without a column or duration) need one number, not a HotAcc and a
  // ColdAcc: they lie apart, 8 bytes each, so a row's counts of a group share a cache line.
  std::size_t count_width = 0;
  std::vector<std::uint64_t> counts;  // group × count_width
};

// The period of one (kind, date column), interned like a column value: code → dense id.
struct PeriodSlot {
  Period kind = Period::kNone;
  int column = -1;
  KeyTable codes;  // PeriodCode (or kNoPeriod) as 4 bytes → id
  // Of the current row: the local day when the date is valid, and the period's id.
  bool valid = false;
  std::int64_t day = 0;
  std::uint32_t id = 0;
  // Memo of day → id, direct-mapped by the day's low bits: a few years of dates fit, so the
  // period's calendar arithmetic and the codes lookup run once per distinct day, not per row.
  struct DayMemo {  // 8 bytes, so the memo takes 32 KiB
    std::int32_t day = INT32_MIN;  // days since 1970 as 32 bits: ±5.8 million years
    std::uint32_t id = 0;
  };
  static constexpr std::size_t kDayMemoSize = 4096;
  std::vector<DayMemo> by_day = std::vector<DayMemo>(kDayMemoSize);
  bool has_invalid_id = false;  // invalid_id: the id of kNoPeriod
  std::uint32_t invalid_id = 0;
};

struct DurationSlot {
  int from = -1, to = -1;
  std::uint64_t generation = 0;
  int exclusion = -1;
  std::int64_t seconds = 0;
  Seconds from_instant = 0;  // valid unless the exclusion is about FROM
};

// The accumulators of one table's group of the current row (width of them, one per user).
struct GroupRun {
  HotAcc* hot = nullptr;
  ColdAcc* cold = nullptr;
  std::uint64_t* counts = nullptr;
  std::uint32_t group = 0;
};

// A value read from the row once, however many streams read it under different wheres: an
// amount, whether a column is empty, a duration or an SLA outcome. It is observed only on rows
// where the where of one of its streams passes (so parse warnings count the rows they did when
// each stream observed it), and its ops then aggregate it without a branch on any where.
struct Slot {
  ValueKind kind = ValueKind::kAmount;  // kNonEmpty, kAmount or kDuration
  int column = -1;                      // kNonEmpty, kAmount
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

// b when c is 0, a when c is 1, without a branch (c varies from row to row).
inline std::int64_t Select(std::uint64_t c, std::int64_t a, std::int64_t b) {
  return b ^ ((a ^ b) & -static_cast<std::int64_t>(c));
}

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
    if (!cold.distinct) cold.distinct = std::make_unique<IdSet>();
    cold.distinct->Insert(o.id);
  }
}

// Type-7 quantile of |v|: {value, exact} where exact is set when the result is a whole number
// of units (always when it is one of the values).
std::pair<long double, std::optional<std::int64_t>> Quantile(const ValueCounts& v,
                                                              double p) {
  const QuantileBracket<std::int64_t> b = v.Quantile(p);
  if (b.frac == 0) return {static_cast<long double>(b.lower), b.lower};
  const long double x = static_cast<long double>(b.lower) +
                        static_cast<long double>(b.frac) *
                            (static_cast<long double>(b.upper) - static_cast<long double>(b.lower));
  const long double r = std::round(x);
  if (std::fabs(x - r) < 1e-6L) return {r, static_cast<std::int64_t>(r)};
  return {x, std::nullopt};
}

MetricCell Cell(const MetricState& m, const HotAcc& a, ColdAcc& cold) {
  MetricCell cell;
  cell.n = a.n;
  for (int i = 0; i < kExclusionCount; ++i) {
    if (cold.excluded[static_cast<std::size_t>(i)] > 0) {
      cell.excluded.emplace_back(kExclusionNames[static_cast<std::size_t>(i)],
                                 cold.excluded[static_cast<std::size_t>(i)]);
    }
  }
  const bool amount = m.kind == ValueKind::kAmount;
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
    case Aggregation::kCountDistinct:
      cell.value = Num::Count(cold.distinct ? cold.distinct->size() : 0);
      return cell;
    case Aggregation::kSum:
      cell.value = amount ? Num::Money(sum) : Num::Real(scaled(static_cast<long double>(sum)));
      return cell;
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
      const auto [x, exact] = Quantile(cold.values, p);
      cell.value = (amount && exact) ? Num::Money(*exact) : Num::Real(scaled(x));
      break;
    }
    default:
      break;
  }
  return cell;
}

// ---------------------------------------------------------------------------------------------
// Lookups

struct LoadedLookup {
  const LookupDef* def = nullptr;
  std::string file;
  std::vector<std::string> header;
  std::vector<std::string> cells;  // rows × header.size()
  KeyTable index;  // trimmed key → id = row of cells
  int on_column = -1;  // in the source's schema
  int first = 0;       // first schema column of the lookup
};

LoadedLookup LoadLookup(const LookupDef& def, const std::string& path) {
  LoadedLookup l;
  l.def = &def;
  const std::string what = fmt::format("lookup '{}'", def.id);
  const CsvOptions csv = CsvOptionsFor(def.delimiter, what, def.loc);
  const Encoding encoding =
      Located(def.loc, what + ": ", [&] { return ParseEncoding(def.encoding); });
  CsvReader reader(
      OpenDefinedInput(path, encoding, nullptr, path == def.file ? def.file_loc : SourceLoc{}, what),
      csv);
  l.file = reader.name();
  l.header = reader.ReadHeader();
  const int key = FindColumn(l.header, def.key);
  if (key < 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("{}: key column '{}' is not in {} (the header has {})", what,
                            def.key, reader.name(), QuoteHeaders(l.header)),
                def.loc);
  }
  // first/last = COLUMN: many rows per key, keep the earliest / latest by that date.
  const std::string& pick_name = def.first.empty() ? def.last : def.first;
  const bool pick = !pick_name.empty();
  const int pick_column = pick ? FindColumn(l.header, pick_name) : -1;
  if (pick && pick_column < 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("{}: {} column '{}' is not in {} (the header has {})", what,
                            def.first.empty() ? "last" : "first", pick_name, reader.name(),
                            QuoteHeaders(l.header)),
                def.pick_loc.line > 0 ? def.pick_loc : def.loc);
  }
  const DateParser dates;
  std::vector<Seconds> picked;  // per key: the date of the row kept
  std::vector<std::uint64_t> lines;
  CsvRow row;
  const std::size_t width = l.header.size();
  while (reader.Next(&row)) {
    if (row.fields.size() != width) {
      throw Error::Input(fmt::format("{}: record has {} field{} but the header has {}", what,
                                     row.fields.size(), row.fields.size() == 1 ? "" : "s",
                                     width),
                         reader.Locate(std::min(row.fields.size(), width)));
    }
    const std::string_view k = TrimSpace(row.fields[static_cast<std::size_t>(key)]);
    if (k.empty()) continue;  // can never match: an empty source key is missing
    Seconds t = 0;
    if (pick &&
        dates.Parse(row.fields[static_cast<std::size_t>(pick_column)], &t) != ParseStatus::kOk) {
      continue;  // a row without a valid date can be neither first nor last
    }
    bool inserted = false;
    const std::uint32_t id = l.index.FindOrInsert(k, &inserted);
    if (inserted) {
      lines.push_back(row.line);
      picked.push_back(t);
      for (std::string_view f : row.fields) l.cells.emplace_back(f);
      continue;
    }
    if (!pick) {
      throw Error::Input(
          fmt::format("{}: duplicate key '{}' in column '{}' at lines {} and {} (for an event "
                      "log, keep one row per key with first = DATE_COLUMN or last = "
                      "DATE_COLUMN)",
                      what, k, l.header[static_cast<std::size_t>(key)], lines[id], row.line),
          reader.Locate(static_cast<std::size_t>(key)));
    }
    const bool better = def.first.empty() ? t > picked[id] : t < picked[id];
    if (!better) continue;  // ties: the earlier row stays
    picked[id] = t;
    lines[id] = row.line;
    for (std::size_t j = 0; j < width; ++j) {
      l.cells[std::size_t{id} * width + j].assign(row.fields[j]);
    }
  }
  return l;
}

// ---------------------------------------------------------------------------------------------
// One source: bound once, then read once.

// The row loop's ops by what they do (SourceRun::Aggregate).
struct OpLists {
  std::vector<Op> count, tally, sum, range, present, keep;  // tally: count, unconditional
  std::vector<Op> distinct, batched;  // count_distinct: |slot| is the stream
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
};

class SourceRun {
 public:
  SourceRun(const SourceDef& def, int index, const std::string& path,
            std::vector<LoadedLookup> lookups, const std::vector<const MetricDef*>& metrics,
            const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
            std::optional<Seconds> as_of, WarningLog* warnings)
      : SourceRun(def, index, std::make_shared<std::vector<LoadedLookup>>(std::move(lookups)),
                  metrics, result_indexes, default_tz, as_of, warnings) {
    path_ = path;
    const CsvOptions csv = CsvOptionsFor(def.delimiter, what_, def.loc);
    const Encoding requested =
        Located(def.loc, what_ + ": ", [&] { return ParseEncoding(def.encoding); });
    used_ = requested;
    owned_reader_ = std::make_unique<CsvReader>(
        OpenDefinedInput(path, requested, &used_, path == def.file ? def.file_loc : SourceLoc{},
                         what_),
        csv);
    reader_ = owned_reader_.get();
    reader_->ReadHeader();
    Init();
  }

  // A run over one chunk of |whole|'s file (the parallel pass), bound like it, with its own
  // warnings (merged in file order afterwards).
  SourceRun(const SourceRun& whole, const ScanChunk& chunk, WarningLog* warnings)
      : SourceRun(whole.def_, whole.index_, whole.lookups_, whole.metric_defs_,
                  whole.result_indexes_, whole.default_tz_, whole.as_of_, warnings) {
    // The lookups are shared (read-only while rows are read); Init re-binds them to the same
    // columns, here on the calling thread before any chunk is read.
    path_ = whole.path_;
    used_ = whole.used_;
    owned_reader_ = OpenChunk(whole.path_, *whole.reader_, chunk);
    reader_ = owned_reader_.get();
    Init();
  }

  // A run over blocks of |whole|'s stream (the parallel pass over standard input or a
  // converted encoding), bound like it, with warnings of its own; each block's reader is
  // ScanStream's, set for the time the block is read.
  explicit SourceRun(const SourceRun& whole)
      : SourceRun(whole.def_, whole.index_, whole.lookups_, whole.metric_defs_,
                  whole.result_indexes_, whole.default_tz_, whole.as_of_, nullptr) {
    own_warnings_ = std::make_unique<WarningLog>();
    warnings_ = own_warnings_.get();
    path_ = whole.path_;
    used_ = whole.used_;
    reader_ = whole.reader_;  // for its header and name while binding
    Init();
    reader_ = nullptr;
  }

  // Reads the rows: a large UTF-8 file on all cores, each chunk into its own run, merged here
  // in file order (a chunk that fails makes it read serially from the start); else serially.
  void ReadAll(const ParallelOptions& parallel) {
    const std::vector<ScanChunk> chunks = PlanChunks(path_, *reader_, used_, parallel);
    if (!chunks.empty()) {
      std::vector<WarningLog> logs(chunks.size());
      std::vector<std::unique_ptr<SourceRun>> parts;
      for (std::size_t i = 0; i < chunks.size(); ++i) {
        parts.push_back(std::make_unique<SourceRun>(*this, chunks[i], &logs[i]));
      }
      const bool read = RunChunks(chunks.size(), reader_->name(), reader_->size_hint(),
                                  [&](std::size_t i, SharedProgress* progress) {
                                    parts[i]->reader_->set_shared_progress(progress);
                                    parts[i]->Read();
                                  });
      if (read) {
        for (std::size_t i = 0; i < parts.size(); ++i) {
          Merge(*parts[i]);
          warnings_->Merge(logs[i]);
          parts[i].reset();
        }
        return;
      }
    } else if (StreamInParallel(path_, *reader_, used_, parallel)) {
      // Blocks merge in order, like chunks; a failed block leaves the rest of the stream (from
      // that block) to a serial read, which reports its error as a serial pass does.
      const std::unique_ptr<CsvReader> rest = ScanStream<SourceRun>(
          *reader_, parallel, [&] { return std::make_unique<SourceRun>(*this); },
          [](SourceRun& part, CsvReader& r) {
            part.reader_ = &r;
            part.Read();
            part.reader_ = nullptr;
          },
          [&](SourceRun& part) {
            Merge(part);
            warnings_->Merge(*part.own_warnings_);
            return true;
          });
      if (rest) {
        reader_ = rest.get();
        Read();
        reader_ = owned_reader_.get();
      }
      return;
    }
    Read();
  }

 private:
  SourceRun(const SourceDef& def, int index,
            std::shared_ptr<std::vector<LoadedLookup>> lookups,
            const std::vector<const MetricDef*>& metrics,
            const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
            std::optional<Seconds> as_of, WarningLog* warnings)
      : as_of_(as_of),
        def_(def),
        index_(index),
        metric_defs_(metrics),
        result_indexes_(result_indexes),
        default_tz_(default_tz),
        what_(fmt::format("source '{}'", def.id)),
        tz_(def.tz.empty() ? default_tz : def.tz),
        rules_(Located(def.loc, what_ + ": ", [&] { return StageRules(def.stages); })),
        dates_(Located(def.loc, what_ + ": ",
                       [&] { return DateParser(def.date_format, tz_, "date_format"); })),
        lookups_(std::move(lookups)),
        warnings_(warnings) {}

  // Binds the header (read already), the lookups and every metric.
  void Init() {
    const SourceDef& def = def_;
    const std::vector<const MetricDef*>& metrics = metric_defs_;
    const std::vector<std::size_t>& result_indexes = result_indexes_;
    summary_.id = def.id;
    summary_.file = reader_->name();
    summary_.encoding = std::string(EncodingName(used_));
    const std::vector<std::string>& header = reader_->header();
    const RoleBinding roles = Located(def.loc, what_ + ": ", [&] {
      return BindRoles(header, def.mappings, reader_->name());
    });
    schema_ = RowSchema(header, roles);
    for (LoadedLookup& l : *lookups_) {
      l.on_column = schema_.Resolve(l.def->on);
      if (l.on_column < 0 || static_cast<std::size_t>(l.on_column) >= header.size()) {
        throw Error(ExitCode::kUsage,
                    fmt::format("lookup '{}': unknown column '{}' in on ({} in {}: {})",
                                l.def->id, l.def->on, what_, reader_->name(),
                                schema_.Describe()),
                    Prefer(l.def->on_loc, l.def->loc));
      }
    }
    for (LoadedLookup& l : *lookups_) l.first = schema_.AddLookup(l.def->id, l.header);
    fields_.resize(schema_.size());
    context_ = std::make_unique<RowContext>(schema_, dates_, &rules_);
    context_->set_invalid_hook([this](std::string_view kind, int column) {
      if (kind == "invalid_amount") {
        Warn("invalid_amount", column, [] { return std::string("is not an amount"); });
      } else {
        Warn("invalid_date", column,
             [this] { return InvalidDateMessage(def_.date_format, "date_format"); });
      }
    });

    if (!TrimSpace(def.filter).empty()) {
      filter_ = Where::Compile(def.filter, Prefer(def.filter_loc, def.loc), schema_, rules_, tz_,
                               "filter");
      has_filter_ = true;
    }
    tables_.emplace_back();  // the totals: tables_[0]
    tables_[0].total = true;
    for (std::size_t i = 0; i < metrics.size(); ++i) BindMetric(*metrics[i], result_indexes[i]);
    NewGroup(&tables_[0]);  // its one group, now that its width is known
    runs_.resize(tables_.size());
    Compile();
  }

  // Lays out the row loop: one pass byte per where (then one that is always 1, for streams
  // without a where), the slots the streams read, and one op per stream and table, listed by
  // what the op does. Wheres on the stage alone are decided once per distinct stage value.
  void Compile() {
    always_ = static_cast<std::uint32_t>(wheres_.size());
    pass_.assign(wheres_.size() + 1, 0);
    pass_[always_] = 1;
    ChoosePlanColumn();
    for (std::size_t k = 0; k < streams_.size(); ++k) {
      const Stream& st = streams_[k];
      const std::uint32_t where = st.where < 0 ? always_ : static_cast<std::uint32_t>(st.where);
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
      std::uint32_t slot = 0;
      if (st.kind != ValueKind::kRows) {
        auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& x) {
          return x.kind == st.kind && x.column == st.column && x.duration == st.duration &&
                 x.sla == st.sla && x.within_seconds == st.within_seconds;
        });
        if (it == slots_.end()) {
          Slot x;
          x.kind = st.kind;
          x.column = st.column;
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
      for (const Stream::Target& a : st.targets) {
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
  void ChoosePlanColumn() {
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
  StagePlan MakePlan(const std::vector<std::uint8_t>& holds, std::vector<std::uint8_t> decided,
                     const std::vector<int>& tested) {
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

  // Adds the results of |later|, the run over the next chunk. Its ids are its own: interned
  // values and composite keys are re-interned here (its key tables drained as they go), its
  // groups matched by their values, and its accumulators added (distinct ids remapped).
  void Merge(SourceRun& later) {
    std::vector<std::vector<std::uint32_t>> value_ids(interned_.size());
    for (std::size_t s = 0; s < interned_.size(); ++s) {
      std::vector<std::uint32_t>& to = value_ids[s];
      to.resize(later.interned_[s].values.size());
      later.interned_[s].values.Drain([&](std::string_view key, std::uint32_t id) {
        bool inserted = false;
        to[id] = interned_[s].values.FindOrInsert(key, &inserted);
      });
    }
    // Which ids an accumulator's distinct set holds, by (table, position): a slot's value ids or
    // a stream's composite key ids.
    std::vector<std::vector<const std::vector<std::uint32_t>*>> id_maps(tables_.size());
    for (std::size_t t = 0; t < tables_.size(); ++t) id_maps[t].resize(tables_[t].width);
    std::vector<std::vector<std::uint32_t>> composite_ids(streams_.size());
    for (std::size_t k = 0; k < streams_.size(); ++k) {
      Stream& st = streams_[k];
      if (st.kind != ValueKind::kDistinct) continue;
      const std::vector<std::uint32_t>* map = nullptr;
      if (st.key_slots.size() == 1) {
        map = &value_ids[static_cast<std::size_t>(st.key_slots[0])];
      } else {
        std::vector<std::uint32_t>& to = composite_ids[k];
        to.resize(later.streams_[k].composite.size());
        std::string packed;
        later.streams_[k].composite.Drain([&](std::string_view key, std::uint32_t id) {
          packed.clear();
          for (std::size_t i = 0; i < st.key_slots.size(); ++i) {
            std::uint32_t v = 0;
            std::memcpy(&v, key.data() + i * sizeof v, sizeof v);
            AppendId(&packed, value_ids[static_cast<std::size_t>(st.key_slots[i])][v]);
          }
          bool inserted = false;
          to[id] = st.composite.FindOrInsert(packed, &inserted);
        });
        map = &to;
      }
      for (const Stream::Target& a : st.targets) {
        id_maps[static_cast<std::size_t>(a.table)][a.user] = map;
      }
    }
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
      GroupTable& t = tables_[ti];
      GroupTable& o = later.tables_[ti];
      std::map<std::vector<std::string>, std::uint32_t> groups;
      for (std::uint32_t g = 0; g < t.values.size(); ++g) groups.emplace(t.values[g], g);
      for (std::size_t lg = 0; lg < o.values.size(); ++lg) {
        auto [it, inserted] =
            groups.emplace(o.values[lg], static_cast<std::uint32_t>(t.values.size()));
        if (inserted) {
          t.values.push_back(o.values[lg]);
          t.hot.resize(t.hot.size() + t.width);
          t.cold.resize(t.cold.size() + t.width);
          t.counts.resize(t.counts.size() + t.count_width);
        }
        for (std::size_t u = 0; u < t.count_width; ++u) {
          t.counts[std::size_t{it->second} * t.count_width + u] += o.counts[lg * t.count_width + u];
        }
        for (std::size_t u = 0; u < t.width; ++u) {
          const std::size_t i = std::size_t{it->second} * t.width + u;
          const std::size_t j = lg * t.width + u;
          MergeAcc(o.hot[j], o.cold[j], id_maps[ti][u], &t.hot[i], &t.cold[i]);
        }
      }
    }
    for (const Interned& in : interned_) {
      if (!in.batched && in.values.size() >= Interned::kPrefetchFrom) prefetching_ = true;
    }
    summary_.rows += later.summary_.rows;
    summary_.skipped_rows += later.summary_.skipped_rows;
    summary_.filtered_out += later.summary_.filtered_out;
  }

  static void MergeAcc(const HotAcc& from_hot, ColdAcc& from_cold,
                       const std::vector<std::uint32_t>* ids, HotAcc* hot, ColdAcc* cold) {
    hot->n += from_hot.n;
    AddToSum(*hot, *cold, from_hot.sum);
    cold->sum_spill += from_cold.sum_spill;
    hot->min = std::min(hot->min, from_hot.min);
    hot->max = std::max(hot->max, from_hot.max);
    for (std::size_t e = 0; e < cold->excluded.size(); ++e) {
      cold->excluded[e] += from_cold.excluded[e];
    }
    cold->values.Merge(std::move(from_cold.values));  // the chunk's run is dropped after
    if (from_cold.distinct) {
      if (!cold->distinct) cold->distinct = std::make_unique<IdSet>();
      from_cold.distinct->ForEach([&](std::uint32_t id) { cold->distinct->Insert((*ids)[id]); });
    }
  }

 public:
  void Read() {
    const std::size_t width = schema_.header_size();
    CsvRow row;
    std::string key;
    while (reader_->Next(&row)) {
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
    }
    FlushDistinct();
  }

 private:
  // Aggregates the current row (its groups in runs_): every where decided into its pass byte,
  // the slots that a passing where needs observed, then the ops, which take a where's outcome
  // as a number (0 or 1) rather than branch on it: outcomes vary from row to row, so a branch
  // per where and stream was mispredicted about half the time.
  void Aggregate() {
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

  // The value ops: n, the sum and, with kRange, the least and the greatest, each taking the
  // row's pass byte as a number; an excluded value is counted by its reason.
  template <bool kRange>
  static void AddValues(const std::vector<Op>& ops, const Slot* slots, const std::uint8_t* pass,
                        const GroupRun* runs) {
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
  void BatchDistinct(std::size_t k) {
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
  void FlushDistinct() {
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
  const StagePlan& PlanOfRow() {
    const std::uint32_t stage = plan_stage_ ? context_->Stage().id : 0;
    const std::uint32_t value = plan_slot_ >= 0 ? ValueId(plan_slot_) : 0;
    if (stage < plan_of_.size()) {
      const std::vector<std::uint32_t>& by_value = plan_of_[stage];
      if (value < by_value.size() && by_value[value] != kNoRow) return plans_[by_value[value]];
    }
    return MakeRowPlan(stage, value);
  }
  // Each where decided as far as the stage and the plan column's text decide it (they depend
  // on nothing else and have no side effects); ops under a where that fails dropped.
  [[gnu::noinline]] const StagePlan& MakeRowPlan(std::uint32_t stage, std::uint32_t value) {
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

 public:
  void Finish(std::vector<MetricResult>* results, std::vector<SourceSummary>* summaries) {
    std::vector<std::vector<std::uint32_t>> orders;
    for (const GroupTable& t : tables_) {
      std::vector<std::uint32_t> order(t.values.size());
      for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](std::uint32_t a, std::uint32_t b) { return t.values[a] < t.values[b]; });
      orders.push_back(std::move(order));
    }
    for (MetricState& m : metrics_) {
      MetricResult& r = (*results)[m.result_index];
      r.id = m.def->id;
      for (std::size_t k = 0; k < m.targets.size(); ++k) {
        const Attached& a = m.targets[k];
        GroupTable& t = tables_[static_cast<std::size_t>(a.table)];
        auto cell = [&](std::uint32_t group) {
          if (a.counter) {
            HotAcc rows;
            rows.n = t.counts[std::size_t{group} * t.count_width + a.user];
            ColdAcc none;
            return Cell(m, rows, none);
          }
          const std::size_t i = std::size_t{group} * t.width + a.user;
          return Cell(m, t.hot[i], t.cold[i]);
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
        r.groupings.push_back(std::move(g));
      }
    }
    summaries->push_back(summary_);
  }

 private:
  // Resolves |name| or throws Error(kUsage) at |loc| naming it and listing the columns.
  int Resolve(const MetricDef& m, const std::string& name, std::string_view in,
              const SourceLoc& loc) const {
    const int c = schema_.Resolve(TrimSpace(name));
    if (c < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("metric '{}': unknown column '{}' in {} ({} in {}: {})", m.id,
                              name, in, what_, reader_->name(), schema_.Describe()),
                  Prefer(loc, m.loc));
    }
    return c;
  }

  [[noreturn]] void Fail(const MetricDef& m, const SourceLoc& loc, const std::string& message) {
    throw Error(ExitCode::kUsage, fmt::format("metric '{}': {}", m.id, message),
                Prefer(loc, m.loc));
  }

  void BindMetric(const MetricDef& def, std::size_t result_index) {
    MetricState m;
    m.def = &def;
    m.result_index = result_index;
    Stream st;  // what the metric observes, before it is matched with an equal stream
    const bool has_duration = !def.duration_from.empty() || !def.duration_to.empty();
    if (has_duration && (def.duration_from.empty() || def.duration_to.empty())) {
      Fail(def, def.column_loc, "a duration needs both ends: duration = FROM..TO");
    }
    if (has_duration && !def.columns.empty()) {
      Fail(def, def.column_loc, "give either a column or a duration, not both");
    }
    switch (def.aggregation) {
      case Aggregation::kCount:
        if (def.columns.size() > 1) Fail(def, def.column_loc, "count takes at most one column");
        m.kind = has_duration ? ValueKind::kDuration
                              : (def.columns.empty() ? ValueKind::kRows : ValueKind::kNonEmpty);
        break;
      case Aggregation::kCountDistinct:
        if (has_duration || def.columns.empty()) {
          Fail(def, def.column_loc, "count_distinct needs a column (or columns joined by +)");
        }
        m.kind = ValueKind::kDistinct;
        break;
      default:
        if (!has_duration && def.columns.size() != 1) {
          Fail(def, def.column_loc,
               "this aggregation needs one numeric column or a duration = FROM..TO");
        }
        m.kind = has_duration ? ValueKind::kDuration : ValueKind::kAmount;
        break;
    }
    if (def.aggregation == Aggregation::kPercentile &&
        !(def.percentile >= 0.0 && def.percentile <= 1.0)) {
      Fail(def, def.loc, fmt::format("percentile {} is not between 0 and 1", def.percentile));
    }
    const bool keep_values =
        def.aggregation == Aggregation::kMedian || def.aggregation == Aggregation::kPercentile;
    st.kind = m.kind;
    if (m.kind == ValueKind::kNonEmpty || m.kind == ValueKind::kAmount) {
      st.column = Resolve(def, def.columns[0], "column", def.column_loc);
    }
    if (m.kind == ValueKind::kDistinct) {
      for (const std::string& c : def.columns) {
        st.key_columns.push_back(Resolve(def, c, "column", def.column_loc));
        st.key_slots.push_back(InternSlot(st.key_columns.back()));
      }
    }
    if (m.kind == ValueKind::kDuration) {
      DurationSlot d;
      d.from = Resolve(def, def.duration_from, "duration", def.column_loc);
      d.to = Resolve(def, def.duration_to, "duration", def.column_loc);
      m.unit_seconds = def.duration_unit == DurationUnit::kHours ? kSecondsPerHour
                                                                 : kSecondsPerDay;
      auto it = std::find_if(durations_.begin(), durations_.end(), [&](const DurationSlot& s) {
        return s.from == d.from && s.to == d.to;
      });
      if (it == durations_.end()) it = durations_.insert(durations_.end(), d);
      st.duration = static_cast<int>(it - durations_.begin());
      st.sla = def.aggregation == Aggregation::kSla;
      if (st.sla) st.within_seconds = def.within_seconds;
    }

    // Metrics with the same where text share one evaluation per row.
    const std::string_view where = TrimSpace(def.where);
    if (!where.empty()) {
      auto it = std::find_if(wheres_.begin(), wheres_.end(),
                             [&](const Where& w) { return TrimSpace(w.text()) == where; });
      if (it == wheres_.end()) {
        wheres_.push_back(Where::Compile(def.where, Prefer(def.where_loc, def.loc), schema_,
                                         rules_, tz_, "where"));
        it = wheres_.end() - 1;
      }
      st.where = static_cast<int>(it - wheres_.begin());
    }
    auto same = std::find_if(streams_.begin(), streams_.end(),
                             [&](const Stream& x) { return x.SameObservation(st); });
    if (same == streams_.end()) same = streams_.insert(streams_.end(), std::move(st));
    Stream& stream = *same;

    int period = -1;
    if (def.period != Period::kNone) {
      int column = -1;
      if (TrimSpace(def.period_of).empty()) {
        column = schema_.roles()[Role::kClosed];
        if (column < 0) {
          Fail(def, def.period_loc,
               fmt::format("period needs a date column: set period_of (no 'closed' role in "
                           "{}: {})",
                           reader_->name(), schema_.Describe()));
        }
      } else {
        column = Resolve(def, def.period_of, "period_of", def.period_loc);
      }
      auto it = std::find_if(periods_.begin(), periods_.end(), [&](const PeriodSlot& p) {
        return p.kind == def.period && p.column == column;
      });
      if (it == periods_.end()) {
        PeriodSlot p;
        p.kind = def.period;
        p.column = column;
        it = periods_.insert(periods_.end(), std::move(p));
      }
      period = static_cast<int>(it - periods_.begin());
    }

    auto attach = [&](std::vector<int> columns, std::vector<std::string> names, int p) {
      if (p >= 0) names.push_back("period");
      const bool total = columns.empty() && p < 0;
      auto it = std::find_if(tables_.begin(), tables_.end(), [&](const GroupTable& t) {
        return t.total == total && t.columns == columns && t.period == p;
      });
      if (it == tables_.end()) {
        GroupTable t;
        t.columns = std::move(columns);
        for (int c : t.columns) t.slots.push_back(InternSlot(c));
        t.period = p;
        it = tables_.insert(tables_.end(), std::move(t));
      }
      Attached a;
      a.table = static_cast<int>(it - tables_.begin());
      // The stream's accumulator in this table, shared with the metrics bound before.
      auto target = std::find_if(stream.targets.begin(), stream.targets.end(),
                                 [&](const Stream::Target& x) { return x.table == a.table; });
      if (target == stream.targets.end()) {
        const bool counter = stream.kind == ValueKind::kRows;
        target = stream.targets.insert(
            stream.targets.end(),
            {a.table, counter ? it->count_width++ : it->width++, false, counter, false});
      }
      target->keep_values = target->keep_values || keep_values;
      target->range = target->range || def.aggregation == Aggregation::kMin ||
                      def.aggregation == Aggregation::kMax;
      a.user = target->user;
      a.counter = target->counter;
      a.names = std::move(names);
      m.targets.push_back(std::move(a));
    };
    attach({}, {}, -1);  // the total
    if (period >= 0) attach({}, {}, period);
    for (const std::vector<std::string>& spec : def.by) {
      if (spec.empty()) Fail(def, def.by_loc, "an empty 'by' grouping");
      std::vector<int> columns;
      for (const std::string& name : spec) {
        columns.push_back(Resolve(def, name, "by", def.by_loc));
      }
      attach(std::move(columns), spec, period);
    }
    metrics_.push_back(std::move(m));
  }

  static std::uint32_t PeriodCodeId(PeriodSlot* p, std::uint32_t code) {
    bool inserted = false;
    return p->codes.FindOrInsert(
        std::string_view(reinterpret_cast<const char*>(&code), sizeof code), &inserted);
  }
  static std::uint32_t PeriodId(PeriodSlot* p) {
    PeriodSlot::DayMemo& m =
        p->by_day[static_cast<std::size_t>(p->day) & (PeriodSlot::kDayMemoSize - 1)];
    if (m.day != p->day) {
      m.day = static_cast<std::int32_t>(p->day);
      m.id = PeriodCodeId(p, static_cast<std::uint32_t>(PeriodCode(p->kind, p->day)));
    }
    return m.id;
  }
  static std::uint32_t InvalidPeriodId(PeriodSlot* p) {
    if (!p->has_invalid_id) {
      p->invalid_id = PeriodCodeId(p, kNoPeriod);
      p->has_invalid_id = true;
    }
    return p->invalid_id;
  }

  // The group of the current row in |t| (not the totals), made when new. |key| is scratch.
  std::uint32_t GroupOf(GroupTable* t, std::string* key) {
    // One part (the common case: by one column, or by period): the id indexes the groups.
    if (t->slots.size() + (t->period >= 0 ? 1 : 0) == 1) {
      const std::uint32_t v = t->period >= 0 ? periods_[static_cast<std::size_t>(t->period)].id
                                             : ValueId(t->slots[0]);
      if (v < t->by_value.size()) {
        const std::uint32_t g = t->by_value[v];
        if (g != kNoRow) return g;
      }
    }
    return GroupOfSlow(t, key);
  }
  [[gnu::noinline]] std::uint32_t GroupOfSlow(GroupTable* t, std::string* key) {
    // The key: the interned ids of the columns' values, then of the period.
    const std::size_t parts = t->slots.size() + (t->period >= 0 ? 1 : 0);
    auto part = [&](std::size_t i) {
      return i < t->slots.size() ? ValueId(t->slots[i])
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
  std::uint32_t ValueId(int slot) {
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

  int InternSlot(int column) {
    for (std::size_t i = 0; i < interned_.size(); ++i) {
      if (interned_[i].column == column) return static_cast<int>(i);
    }
    interned_.emplace_back();
    interned_.back().column = column;
    return static_cast<int>(interned_.size() - 1);
  }

  // A group seen for the first time (in the current row): its values and accumulators.
  std::uint32_t NewGroup(GroupTable* t) {
    std::vector<std::string> values;
    for (int c : t->columns) values.emplace_back(context_->Text(c));
    if (t->period >= 0) {
      const PeriodSlot& p = periods_[static_cast<std::size_t>(t->period)];
      values.push_back(p.valid ? FormatPeriod(p.kind, date::year_month_day{date::sys_days{
                                                                date::days{p.day}}})
                               : std::string());
    }
    t->values.push_back(std::move(values));
    t->hot.resize(t->hot.size() + t->width);
    t->cold.resize(t->cold.size() + t->width);
    t->counts.resize(t->counts.size() + t->count_width);
    return static_cast<std::uint32_t>(t->values.size() - 1);
  }

  // The current row's value of |s|, or why it is excluded.
  void ObserveSlot(Slot* s) {
    s->exclusion = -1;
    switch (s->kind) {
      case ValueKind::kNonEmpty:
        if (context_->Text(s->column).empty()) s->exclusion = kMissingValue;
        break;
      case ValueKind::kAmount:
        switch (context_->Amount(s->column, &s->value)) {
          case ParseStatus::kOk:
            break;
          case ParseStatus::kEmpty:
            s->exclusion = kMissingValue;
            break;
          case ParseStatus::kInvalid:
            s->exclusion = kInvalidValue;
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

  // The current row's count_distinct key of |s|: the interned ids of its columns' values.
  DistinctKey ObserveDistinct(Stream& s) {
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

  // The duration FROM..TO of the current row, decided (and warned about) once per row.
  const DurationSlot& Duration(std::size_t index) {
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
    } else if (to < from) {
      d.exclusion = kNegativeDuration;
      Warn("negative_duration", d.to, [&] {
        return fmt::format("is before '{}'; the row is left out of the durations {}..{}",
                           schema_.name(d.from), schema_.name(d.from), schema_.name(d.to));
      });
    } else {
      d.seconds = to - from;
    }
    return d;
  }

  void JoinLookup(const LoadedLookup& l) {
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
  std::size_t LocateIndex(int column) const {
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

  // |what| is only called for the first occurrence of (kind, source, column).
  template <typename What>
  void Warn(std::string_view kind, int column, What&& what) {
    warnings_->Add(kind, index_, column, [&] {
      return FieldWarning(schema_.name(column), reader_->Locate(LocateIndex(column)),
                          current_[column], what());
    });
  }

  void HandleBadWidth(const CsvRow& row) {
    std::size_t at = 0;
    const std::string message = FieldCountMessage(schema_.header(), row.fields.size(), &at);
    if (!def_.lenient) {
      throw Error::Input(
          fmt::format("{}; set lenient = true in [source {}] to skip such rows", message,
                      def_.id),
          reader_->Locate(at));
    }
    ++summary_.skipped_rows;
    warnings_->Add("skipped_row", index_, -1, [&] {
      DataWarning w;
      w.first = reader_->Locate(at);
      w.message = "record skipped (lenient): " + message;
      return w;
    });
  }

  std::optional<Seconds> as_of_;  // sla: when an unfinished row is already late
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
  RowSchema schema_;
  std::unique_ptr<RowContext> context_;
  std::vector<std::string_view> fields_;  // header fields then lookup fields (with lookups)
  const std::string_view* current_ = nullptr;
  std::uint64_t generation_ = 0;
  SourceSummary summary_;
  Where filter_;
  bool has_filter_ = false;
  std::vector<Where> wheres_;
  // The row loop's layout (Compile).
  std::vector<std::uint8_t> pass_;  // per where: 1 when it holds for the current row; then 1
  std::uint32_t always_ = 0;        // the index of the byte that is always 1
  // Plans by the row's stage value (when a where reads the stage) and the value of the plan
  // column (ChoosePlanColumn), else one plan for every row.
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
  struct DistinctBatch {
    static constexpr std::size_t kRows = 256;
    struct Entry {
      std::uint32_t stream = 0;
      std::size_t offset = 0, length = 0;  // the key, in keys
      std::size_t groups = 0;              // the row's group in each of the stream's tables
    };
    std::vector<Entry> entries;
    std::string keys;
    std::vector<std::uint32_t> groups;
    std::vector<std::uint64_t> hashes;
  };
  DistinctBatch batch_;
  std::vector<PeriodSlot> periods_;
  std::vector<DurationSlot> durations_;
  std::vector<Interned> interned_;
  std::vector<GroupTable> tables_;
  std::vector<GroupRun> runs_;  // by table: the accumulators of the current row's group
  std::vector<Stream> streams_;
  std::vector<MetricState> metrics_;
};

}  // namespace


MetricRun RunMetrics(const std::vector<SourceDef>& sources, const std::vector<LookupDef>& lookups,
                     const std::vector<MetricDef>& metrics,
                     const std::map<std::string, std::string>& file_overrides,
                     const std::string& default_tz, const std::optional<Seconds>& as_of,
                     const ParallelOptions& parallel) {
  auto source_ids = [&] {
    std::string ids;
    for (const SourceDef& s : sources) ids += (ids.empty() ? "" : ", ") + s.id;
    return ids.empty() ? std::string("none") : ids;
  };
  for (const auto& [id, path] : file_overrides) {
    const bool known =
        // [&wanted = id]: clang before 16 cannot capture a structured binding.
        std::any_of(sources.begin(), sources.end(),
                    [&wanted = id](const SourceDef& s) { return s.id == wanted; }) ||
        std::any_of(lookups.begin(), lookups.end(),
                    [&wanted = id](const LookupDef& l) { return l.id == wanted; });
    if (!known) {
      throw Error::Usage(fmt::format("--source {}={}: no source or lookup '{}' (sources: {})",
                                     id, path, id, source_ids()));
    }
  }
  std::vector<std::vector<const MetricDef*>> per_source(sources.size());
  std::vector<std::vector<std::size_t>> result_indexes(sources.size());
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const MetricDef& m = metrics[i];
    const auto it = std::find_if(sources.begin(), sources.end(),
                                 [&](const SourceDef& s) { return s.id == m.source; });
    if (it == sources.end()) {
      throw Error(ExitCode::kUsage,
                  fmt::format("metric '{}': unknown source '{}' (sources: {})", m.id, m.source,
                              source_ids()),
                  m.loc);
    }
    const auto s = static_cast<std::size_t>(it - sources.begin());
    per_source[s].push_back(&m);
    result_indexes[s].push_back(i);
  }
  for (const LookupDef& l : lookups) {
    if (std::none_of(sources.begin(), sources.end(),
                     [&](const SourceDef& s) { return s.id == l.source; })) {
      throw Error(ExitCode::kUsage,
                  fmt::format("lookup '{}': unknown source '{}' (sources: {})", l.id, l.source,
                              source_ids()),
                  l.loc);
    }
  }

  // Bind every source before reading any rows, so a configuration error is reported before a
  // long read.
  WarningLog warnings;
  std::vector<std::unique_ptr<SourceRun>> runs;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    if (per_source[s].empty()) continue;
    const SourceDef& def = sources[s];
    if (def.kind != SourceKind::kRows) continue;  // analysed below (analysis_metrics.h)
    std::vector<LoadedLookup> loaded;
    for (const LookupDef& l : lookups) {
      if (l.source == def.id) loaded.push_back(LoadLookup(l, Path(file_overrides, l.id, l.file)));
    }
    runs.push_back(std::make_unique<SourceRun>(def, static_cast<int>(s),
                                               Path(file_overrides, def.id, def.file),
                                               std::move(loaded), per_source[s],
                                               result_indexes[s], default_tz, as_of,
                                               &warnings));
  }
  MetricRun run;
  run.metrics.resize(metrics.size());
  for (auto& r : runs) {
    r->ReadAll(parallel);
    r->Finish(&run.metrics, &run.sources);
  }
  run.warnings = warnings.Take();
  std::string as_of_text;
  if (as_of) as_of_text = date::format("%Y-%m-%dT%H:%M:%SZ", date::sys_seconds{std::chrono::seconds{*as_of}});
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const SourceDef& def = sources[s];
    if (per_source[s].empty() || def.kind == SourceKind::kRows) continue;
    const SourceDef* actual = nullptr;
    if (!def.actual_source.empty()) {
      const auto it = std::find_if(sources.begin(), sources.end(), [&](const SourceDef& x) {
        return x.id == def.actual_source;
      });
      if (it != sources.end()) actual = &*it;
    }
    RunAnalysisSource(def, Path(file_overrides, def.id, def.file), actual,
                      actual ? Path(file_overrides, actual->id, actual->file) : std::string(),
                      per_source[s], result_indexes[s], default_tz, as_of, as_of_text, &run);
  }
  return run;
}

}  // namespace crmkpi
