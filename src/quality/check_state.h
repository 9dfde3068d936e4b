// The state of one check while a source is read (quality_run.cc's pass), shared with the
// binding of checks to a header (check_bind.h) and the finishing of their results
// (check_results.h): uniqueness key partitions, and the row-path helpers they share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmkpi/base/key_table.h"
#include "crmkpi/quality/near_duplicates.h"
#include "crmkpi/quality/quality_run.h"
#include "crmkpi/quality/validity_rule.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/normalize.h"

namespace crmkpi::quality {

constexpr std::size_t kSampleBytes = 200;
constexpr double kSecondsPerDay = 86400.0;
constexpr std::size_t kNearLimit = 50;  // candidate pairs listed per check

// A sample value cut to kSampleBytes, at a character boundary.
inline std::string Clip(std::string_view s) {
  if (s.size() <= kSampleBytes) return std::string(s);
  std::size_t n = kSampleBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // whole characters
  return std::string(s.substr(0, n)) + "…";
}

// The distinct keys of a uniqueness check whose hashes fall in one range: its own table, and per
// key id (ids are per partition) the row count and first line. The keys are split by hash into
// one partition per thread so that the parallel pass merges two chunks' keys on all threads,
// partition i of the later chunk into partition i of the earlier (no key is in two
// partitions), instead of draining one whole table into the other on one thread.
struct KeyPartition {
  KeyTable keys;
  // Mapped on their own when large, like the key table (large_alloc.h).
  std::vector<std::uint32_t, LargeAllocator<std::uint32_t>> counts;
  std::vector<std::uint64_t, LargeAllocator<std::uint64_t>> first_line;

  // Adds |later|'s keys (a later chunk's partition of the same hash range), draining it.
  void Merge(KeyPartition& later) {
    // Memory: |later|'s index goes first, then this table's slots and per-key vectors grow
    // once to the size of both (not by doublings that would hold old and new).
    const std::size_t n = std::size_t{keys.size()} + later.keys.size();
    later.keys.ReleaseIndex();
    keys.Reserve(n);
    counts.reserve(n);
    first_line.reserve(n);
    later.keys.Drain([&](std::string_view key, std::uint32_t id) {
      bool inserted = false;
      const std::uint32_t to = keys.FindOrInsert(key, &inserted);
      if (inserted) {
        counts.push_back(later.counts[id]);
        first_line.push_back(later.first_line[id]);
      } else {
        counts[to] += later.counts[id];
      }
    });
    decltype(counts)().swap(later.counts);
    decltype(first_line)().swap(later.first_line);
  }
};

// The partition of a key hashing to |h| among |n|: by the hash's top bits (the key table picks
// slots by its low bits).
inline std::size_t PartitionOf(std::uint64_t h, std::size_t n) {
  return static_cast<std::size_t>(((h >> 32) * n) >> 32);
}

// One check while the source is read.
struct CheckState {
  std::size_t index = 0;  // in the run's checks (definition order)
  CheckResult result;
  std::vector<int> columns;  // schema columns (completeness, uniqueness parts, validity,
                             // timeliness: one)
  // Uniqueness.
  std::vector<Normalizer> normalizers;  // one per key part (each keeps its own buffer)
  std::vector<KeyPartition> partitions;  // one per thread of the run
  std::string key;                        // scratch: the composite key
  std::unique_ptr<NearDuplicates> near;
  double near_threshold = 0;
  // Validity.
  std::optional<ValidityRule> rule;
  // Timeliness.
  Seconds newest = 0;
  bool has_newest = false;
};

// The distinct keys of a uniqueness check, over its partitions.
inline std::uint64_t DistinctKeys(const CheckState& c) {
  std::uint64_t n = 0;
  for (const KeyPartition& p : c.partitions) n += p.keys.size();
  return n;
}

}  // namespace crmkpi::quality
