// ValueCounts: a multiset of integers kept as value → count, so exact medians, percentiles and
// Kaplan–Meier curves over millions of rows need memory for the distinct values only (sales
// cycles of date-only exports take a few thousand distinct day counts), not one slot per row.
// Counts add, so chunks of the parallel pass merge exactly. Whole days are counted in a dense
// per-day array (few cache lines per group), other values in an open-addressing table.
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
    total_ += count;
    sum_ += static_cast<Int128>(value) * static_cast<Int128>(count);
    // Whole days (date-only exports: instants at midnight UTC, durations of whole days) go to a
    // dense array of per-day counts, 2 bytes a day (a few KiB per group for years of dates, so
    // the arrays of many groups stay in the cache). A day's count that would pass 65,535 goes on
    // in the table: Sorted adds the two.
    if (value % kDay == 0) {
      const std::int64_t day = value / kDay;
      if ((day - day_lo_ < static_cast<std::int64_t>(days_.size()) && day >= day_lo_) ||
          CoverDay(day)) {
        std::uint16_t& c = days_[static_cast<std::size_t>(day - day_lo_)];
        if (count <= std::uint64_t{kDayCountMax} - c) {
          c = static_cast<std::uint16_t>(c + count);
          return;
        }
      }
    }
    AddToTable(value, count);
  }

  void Merge(const ValueCounts& other) {
    for (const Slot& s : other.slots_) {
      if (s.count != 0) Add(s.value, s.count);
    }
    for (std::size_t i = 0; i < other.days_.size(); ++i) {
      if (other.days_[i] != 0) {
        Add((other.day_lo_ + static_cast<std::int64_t>(i)) * kDay, other.days_[i]);
      }
    }
  }

  std::uint64_t size() const { return total_; }  // occurrences, not distinct values
  bool empty() const { return total_ == 0; }
  std::size_t distinct() const;
  Int128 sum() const { return sum_; }

  // (value, count) in ascending value order.
  std::vector<std::pair<std::int64_t, std::uint64_t>> Sorted() const;

  // The type-7 quantile bracket of the values (not empty), equal to SelectQuantile over the
  // multiset written out as a vector.
  QuantileBracket<std::int64_t> Quantile(double p) const;

 private:
  static constexpr std::int64_t kDay = 86400;
  // Days covered densely: at most this many (about 180 years), else values go to the table.
  static constexpr std::int64_t kMaxDays = std::int64_t{1} << 16;
  static constexpr std::uint16_t kDayCountMax = 0xFFFF;

  // Extends days_ to cover |day| when the span stays within kMaxDays; false otherwise.
  bool CoverDay(std::int64_t day);
  void AddToTable(std::int64_t value, std::uint64_t count) {
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
      return;
    }
  }

  struct Slot {
    std::int64_t value = 0;
    std::uint64_t count = 0;  // 0 = empty slot
  };
  static std::size_t SlotOf(std::int64_t v) {
    std::uint64_t x = static_cast<std::uint64_t>(v);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
  }
  void Grow();

  std::vector<Slot> slots_;
  std::size_t distinct_ = 0;  // in slots_
  std::vector<std::uint16_t> days_;  // count of day_lo_ + i days (more in slots_ past 65,535)
  std::int64_t day_lo_ = 0;
  std::uint64_t total_ = 0;
  Int128 sum_ = 0;
};

}  // namespace crmkpi
