// ValueCounts: a multiset of integers kept as value → count, so exact medians, percentiles and
// Kaplan–Meier curves over millions of rows need memory for the distinct values only (sales
// cycles of date-only exports take a few thousand distinct day counts), not one slot per row.
// Counts add, so chunks of the parallel pass merge exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "crmkpi/quantile.h"
#include "crmkpi/report.h"  // Int128

namespace crmkpi {

class ValueCounts {
 public:
  // Adds |count| occurrences of |value|.
  void Add(std::int64_t value, std::uint64_t count = 1) {
    if (count == 0) return;
    if ((distinct_ + 1) * 2 > slots_.size()) Grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = SlotOf(value) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.count == 0) {
        s.value = value;
        ++distinct_;
      } else if (s.value != value) {
        continue;
      }
      s.count += count;
      break;
    }
    total_ += count;
    sum_ += static_cast<Int128>(value) * static_cast<Int128>(count);
  }

  void Merge(const ValueCounts& other) {
    for (const Slot& s : other.slots_) {
      if (s.count != 0) Add(s.value, s.count);
    }
  }

  std::uint64_t size() const { return total_; }  // occurrences, not distinct values
  bool empty() const { return total_ == 0; }
  std::size_t distinct() const { return distinct_; }
  Int128 sum() const { return sum_; }

  // (value, count) in ascending value order.
  std::vector<std::pair<std::int64_t, std::uint64_t>> Sorted() const;

  // The type-7 quantile bracket of the values (not empty), equal to SelectQuantile over the
  // multiset written out as a vector.
  QuantileBracket<std::int64_t> Quantile(double p) const;

 private:
  struct Slot {
    std::int64_t value = 0;
    std::uint64_t count = 0;  // 0 = empty slot
  };
  static std::size_t SlotOf(std::int64_t v) {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(v) * 0x9E3779B97F4A7C15ull) >> 32);
  }
  void Grow();

  std::vector<Slot> slots_;
  std::size_t distinct_ = 0;
  std::uint64_t total_ = 0;
  Int128 sum_ = 0;
};

}  // namespace crmkpi
