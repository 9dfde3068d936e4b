// The state of a source's row loop (source_rows.cc): interned columns, group tables and their
// keys, the periods and durations of the current row, its groups' accumulator runs, and the
// batch of count_distinct keys looked up together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crmkpi/base/key_table.h"
#include "crmkpi/base/short_key_cache.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/normalize.h"

#include "accumulators.h"

namespace crmkpi::engine_detail {

// Keys of group tables (3+ parts) and composite distinct keys are fixed-width: 4 bytes per
// interned value id (or period id), so no two different tuples share a key.
inline void AppendId(std::string* key, std::uint32_t id) {
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
    return static_cast<std::size_t>(hash_detail::Mix(key, 0x9E3779B97F4A7C15ull));
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

// Group keys compared after NFKC and white-space collapsing (issue 20; off with exact_groups):
// each distinct raw value (an Interned id) is normalised once, when first seen in a grouping,
// and mapped to the id of its canonical text, so "佐藤 花子" and "佐藤　花子" are one group. Per
// row: one array read and one count (the rows of each raw spelling, for the merged-spellings
// note); nothing is allocated except for a new distinct raw value.
struct CanonicalKeys {
  Normalizer normalizer = Normalizer::Parse("nfkc,collapse-spaces,trim");
  KeyTable values;                  // canonical text → canonical id
  std::vector<std::string> texts;   // canonical id → text (the printed group value)
  std::vector<std::uint32_t> of;    // raw id → canonical id, KeyTable::kNone = not seen yet
  std::vector<std::uint64_t> rows;  // raw id → rows grouped under that raw spelling
  std::uint64_t generation = 0;
  std::uint32_t id = 0;  // of the current row

  // Maps raw id |raw| (text |raw_text|) to its canonical id.
  void Map(std::uint32_t raw, std::string_view raw_text) {
    const std::string_view c = normalizer.Apply(raw_text);
    bool inserted = false;
    const std::uint32_t cid = values.FindOrInsert(c, &inserted);
    if (inserted) texts.emplace_back(c);
    if (raw >= of.size()) {
      of.resize(std::size_t{raw} + 1, KeyTable::kNone);
      rows.resize(std::size_t{raw} + 1, 0);
    }
    of[raw] = cid;
  }
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
  // Set when a grouping reads the column and group keys are normalised (not exact_groups).
  std::unique_ptr<CanonicalKeys> canonical;
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

// A count_distinct of one column that no grouping reads: keys copied from up to kRows rows,
// with the row's group in each of the stream's tables, looked up together (FlushDistinct).
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

}  // namespace crmkpi::engine_detail
