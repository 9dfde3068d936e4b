// ValueCounts: a multiset of integers kept as value → count, so exact medians, percentiles and
// Kaplan–Meier curves over millions of rows need memory for the distinct values only (sales
// cycles of date-only exports take a few thousand distinct day counts), not one slot per row.
// Counts add, so chunks of the parallel pass merge exactly. Whole days are counted in a dense
// per-day array (few cache lines per group); other values go to the end of a buffer, which is
// sorted and folded into a sorted run of (value, count) once it is as long as the run (at least
// kMinBuffer values): an Add writes one word at the end of an array instead of probing a hash
// table that, with a million distinct amounts, missed the cache on nearly every value; the fold
// costs O(1) per value amortised, and Sorted, Merge and Quantile read the run in order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "crmkpi/base/int128.h"
#include "crmkpi/base/quantile.h"

namespace crmkpi {

class ValueCounts {
 public:
  // Adds |count| occurrences of |value|.
  void Add(std::int64_t value, std::uint64_t count = 1) {
    if (count == 0) return;
    total_ += count;
    sum_ += static_cast<Int128>(value) * static_cast<Int128>(count);
    Place(value, count);
  }

  void Merge(const ValueCounts& other) {
    total_ += other.total_;
    sum_ += other.sum_;
    if (!other.run_.empty() || !other.buffer_.empty() || !other.counted_.empty()) {
      Fold();
      MergeInto(&run_, other.SortedRun());
    }
    MergeDays(other);
  }
  // The same, taking |other|'s run rather than a copy of it (the parallel pass merging a
  // chunk's counts, dropped afterwards; the first chunk's run is moved, not merged). |other| is
  // left empty.
  void Merge(ValueCounts&& other) {
    other.Fold();
    total_ += other.total_;
    sum_ += other.sum_;
    if (!other.run_.empty()) {
      Fold();
      if (run_.empty()) {
        run_.swap(other.run_);
      } else {
        MergeInto(&run_, other.run_);
      }
    }
    MergeDays(other);
    other = ValueCounts();
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
  // That quantile as a number (not empty): interpolated in extended precision; a result within
  // 1e-6 of a whole unit is that unit (the interpolation's rounding noise), and then *whole
  // (when given) is set to it. Callers scale it and round to a double once.
  long double Interpolated(double p, std::optional<std::int64_t>* whole = nullptr) const;

 private:
  static constexpr std::int64_t kDay = 86400;
  // Days covered densely: at most this many (about 180 years), else values go to the run.
  static constexpr std::int64_t kMaxDays = std::int64_t{1} << 16;
  static constexpr std::uint16_t kDayCountMax = 0xFFFF;

  // Extends days_ to cover |day| when the span stays within kMaxDays; false otherwise.
  bool CoverDay(std::int64_t day);
  static constexpr std::size_t kMinBuffer = 4096;
  using Run = std::vector<std::pair<std::int64_t, std::uint64_t>>;

  // Add without the total and the sum.
  void Place(std::int64_t value, std::uint64_t count) {
    // Whole days (date-only exports: instants at midnight UTC, durations of whole days) go to a
    // dense array of per-day counts, 2 bytes a day (a few KiB per group for years of dates, so
    // the arrays of many groups stay in the cache). A day's count that would pass 65,535 goes on
    // in the run: Sorted adds the two.
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
    if (count == 1) {
      buffer_.push_back(value);
      if (buffer_.size() >= std::max(kMinBuffer, run_.size())) Fold();
    } else {
      counted_.emplace_back(value, count);
      if (counted_.size() >= std::max(kMinBuffer, run_.size())) Fold();
    }
  }
  void MergeDays(const ValueCounts& other) {
    for (std::size_t i = 0; i < other.days_.size(); ++i) {
      if (other.days_[i] != 0) {
        Place((other.day_lo_ + static_cast<std::int64_t>(i)) * kDay, other.days_[i]);
      }
    }
  }
  // Sorts the buffer and the counted adds and merges them into the run.
  void Fold();
  // The run with the buffer and the counted adds merged in, leaving this unchanged.
  Run SortedRun() const;
  // |add| merged into |into| (each sorted, distinct values), equal values' counts added.
  static void MergeInto(Run* into, const Run& add);
  // *out = |values| sorted (in place) and run-length encoded, merged with |counted| (sorted and
  // combined in place).
  static void Encode(std::vector<std::int64_t>* values, Run* counted, Run* out);

  Run run_;                             // sorted, distinct values
  std::vector<std::int64_t> buffer_;    // values added once each since the last Fold
  Run counted_;                         // adds of a count > 1 since the last Fold
  std::vector<std::uint16_t> days_;  // count of day_lo_ + i days (more in the run past 65,535)
  std::int64_t day_lo_ = 0;
  std::uint64_t total_ = 0;
  Int128 sum_ = 0;
};

}  // namespace crmkpi
