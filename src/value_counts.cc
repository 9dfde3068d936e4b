#include "crmkpi/value_counts.h"

#include <algorithm>
#include <cmath>

namespace crmkpi {

void ValueCounts::Grow() {
  std::vector<Slot> old(std::max<std::size_t>(16, slots_.size() * 2));
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.count == 0) continue;
    std::size_t i = SlotOf(s.value) & mask;
    while (slots_[i].count != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

bool ValueCounts::CoverDay(std::int64_t day) {
  if (days_.empty()) {
    day_lo_ = day - 64;
    days_.assign(256, 0);
    return true;
  }
  const std::int64_t hi = day_lo_ + static_cast<std::int64_t>(days_.size());
  const std::int64_t lo = std::min(day_lo_, day);
  const std::int64_t span = std::max(hi, day + 1) - lo;
  if (span > kMaxDays) return false;
  // Grow by at least half again on the side that needs it, so a run of new days costs few copies.
  const std::int64_t slack = static_cast<std::int64_t>(days_.size()) / 2;
  const std::int64_t new_lo = day < day_lo_ ? std::max(hi - kMaxDays, std::min(lo, day_lo_ - slack)) : day_lo_;
  const std::int64_t new_hi = day >= hi ? std::min(new_lo + kMaxDays, std::max(day + 1, hi + slack)) : hi;
  std::vector<std::uint16_t> grown(static_cast<std::size_t>(new_hi - new_lo), 0);
  std::copy(days_.begin(), days_.end(), grown.begin() + (day_lo_ - new_lo));
  days_.swap(grown);
  day_lo_ = new_lo;
  return true;
}

std::size_t ValueCounts::distinct() const {
  return Sorted().size();
}

std::vector<std::pair<std::int64_t, std::uint64_t>> ValueCounts::Sorted() const {
  std::vector<std::pair<std::int64_t, std::uint64_t>> out;
  out.reserve(distinct_);
  for (const Slot& s : slots_) {
    if (s.count != 0) out.emplace_back(s.value, s.count);
  }
  for (std::size_t i = 0; i < days_.size(); ++i) {
    if (days_[i] != 0) out.emplace_back((day_lo_ + static_cast<std::int64_t>(i)) * kDay, days_[i]);
  }
  std::sort(out.begin(), out.end());
  // A whole day may be in both (counted in the table before the dense span reached it).
  std::size_t n = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (n > 0 && out[n - 1].first == out[i].first) {
      out[n - 1].second += out[i].second;
    } else {
      out[n++] = out[i];
    }
  }
  out.resize(n);
  return out;
}

QuantileBracket<std::int64_t> ValueCounts::Quantile(double p) const {
  const std::vector<std::pair<std::int64_t, std::uint64_t>> sorted = Sorted();
  const double h = static_cast<double>(total_ - 1) * p;
  const auto lo = static_cast<std::uint64_t>(std::floor(h));
  QuantileBracket<std::int64_t> b;
  b.frac = h - static_cast<double>(lo);
  // The order statistics lo and lo + 1 (0-based) of the written-out multiset.
  std::uint64_t before = 0;  // occurrences of smaller values
  std::size_t i = 0;
  while (before + sorted[i].second <= lo) before += sorted[i++].second;
  b.lower = b.upper = sorted[i].first;
  if (lo + 1 < total_ && b.frac > 0) {
    if (lo + 1 >= before + sorted[i].second) b.upper = sorted[i + 1].first;
  } else {
    b.frac = 0;
  }
  return b;
}

}  // namespace crmkpi
