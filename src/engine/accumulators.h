// The accumulators of the metric engine (metric_engine.h): what a stream observes (ValueKind),
// why a row is left out (Exclusion), one metric's n, sum, extremes, values and distinct ids in
// one group (HotAcc, ColdAcc, IdSet), and the branch-free helpers the row loop's ops use.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "crmkpi/base/int128.h"
#include "crmkpi/base/value_counts.h"

namespace crmkpi::engine_detail {

enum Exclusion : int {
  kMissingValue,
  kInvalidValue,
  kMissingFrom,
  kInvalidFrom,
  kMissingTo,
  kInvalidTo,
  kNegativeDuration,
  kPending,  // sla: not finished yet and not yet late
  kFromAfterAsOf,  // km_median: a censored row whose FROM is after as-of (counted at the end)
  kLostStageUnknown,  // reached: a lost row under lost_reached = exclude
  kStageNotInOrder,   // reached: an open row whose stage is not in the source's stages
  kMissingCurrency,   // money with [fx]: the row's currency cell is empty
  kUnknownCurrency,   // money with [fx]: no rate for the row's currency
  kDivisionByZero,    // value = …: the row's arithmetic divides by zero
  kExclusionCount
};
inline constexpr std::array<const char*, kExclusionCount> kExclusionNames = {
    "missing_value",      "invalid_value",     "missing_from",      "invalid_from",
    "missing_to",         "invalid_to",        "negative_duration", "pending",
    "from_after_as_of",   "lost_stage_unknown", "stage_not_in_order", "missing_currency",
    "unknown_currency",   "division_by_zero"};

enum class ValueKind : std::uint8_t {
  kRows,      // count
  kNonEmpty,  // count of a column
  kAmount,    // ParseAmount of a column
  kExpr,      // value = …: arithmetic of the row's columns, in amount units (ValueExpr)
  kDuration,  // TO - FROM in seconds
  kDistinct,  // count_distinct key
  kKm,        // km_median: an event's TO − FROM, or a censored row's FROM
  kReached,   // reached: whether the row's stage reached the metric's stage
};

// A row's count_distinct key: the interned id, or why the row is left out.
struct DistinctKey {
  int exclusion = -1;  // an Exclusion, or -1
  std::uint32_t id = 0;
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

// The rows of each distinct key a count_distinct group has seen (ids as in IdSet), for
// `having = count >= 2`: 8 bytes per key in a small open-addressing table (id + 1, count), or,
// once the ids are dense enough that it takes no more memory, 4 bytes per id in a direct
// array. Counts saturate at 2^32 − 1.
class IdCounts {
 public:
  void Add(std::uint32_t id, std::uint32_t n = 1) {
    std::uint32_t& c = !direct_.empty() ? DirectSlot(id) : Slot(id);
    c = n > UINT32_MAX - c ? UINT32_MAX : c + n;
  }
  std::size_t size() const { return size_; }
  // Calls f(id, count) for every key seen.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Entry& e : slots_) {
      if (e.id != 0) f(e.id - 1, e.count);
    }
    for (std::size_t i = 0; i < direct_.size(); ++i) {
      if (direct_[i] != 0) f(static_cast<std::uint32_t>(i), direct_[i]);
    }
  }

 private:
  struct Entry {
    std::uint32_t id = 0;  // id + 1; 0 = empty
    std::uint32_t count = 0;
  };
  std::uint32_t& DirectSlot(std::uint32_t id) {
    if (id >= direct_.size()) direct_.resize(std::max<std::size_t>(std::size_t{id} + 1, direct_.size() * 2), 0);
    if (direct_[id] == 0) ++size_;
    return direct_[id];
  }
  [[gnu::noinline]] std::uint32_t& Slot(std::uint32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) {
      max_id_ = std::max(max_id_, id);
      // The array's bytes (4 per id up to the greatest) against the grown table's (16 per key).
      if (size_ >= 1024 && std::size_t{max_id_} * 4 <= slots_.size() * 16) {
        ToDirect();
        return DirectSlot(id);
      }
      Grow();
    }
    max_id_ = std::max(max_id_, id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = Hash(id) & mask;; i = (i + 1) & mask) {
      if (slots_[i].id == id + 1) return slots_[i].count;
      if (slots_[i].id == 0) {
        slots_[i].id = id + 1;
        ++size_;
        return slots_[i].count;
      }
    }
  }
  static std::size_t Hash(std::uint32_t id) {
    const std::uint64_t h = std::uint64_t{id} * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
  void Grow() {
    std::vector<Entry> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
    const std::size_t mask = slots_.size() - 1;
    for (const Entry& e : old) {
      if (e.id == 0) continue;
      std::size_t i = Hash(e.id - 1) & mask;
      while (slots_[i].id != 0) i = (i + 1) & mask;
      slots_[i] = e;
    }
  }
  void ToDirect() {
    direct_.assign(std::size_t{max_id_} + 1, 0);
    for (const Entry& e : slots_) {
      if (e.id != 0) direct_[e.id - 1] = e.count;
    }
    std::vector<Entry>().swap(slots_);
  }
  std::vector<Entry> slots_;
  std::vector<std::uint32_t> direct_;  // non-empty once direct
  std::uint32_t max_id_ = 0;
  std::size_t size_ = 0;
};

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
  std::unique_ptr<IdCounts> counts;  // count_distinct with having: each key's rows instead
  // km_median only: the FROM instants of the censored rows (their censoring times need as-of,
  // applied when the cell is finished); |values| holds the events' durations.
  std::unique_ptr<ValueCounts> censored_from;
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

// b when c is 0, a when c is 1, without a branch (c varies from row to row).
inline std::int64_t Select(std::uint64_t c, std::int64_t a, std::int64_t b) {
  return b ^ ((a ^ b) & -static_cast<std::int64_t>(c));
}

}  // namespace crmkpi::engine_detail
