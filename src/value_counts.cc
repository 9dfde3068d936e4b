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

std::vector<std::pair<std::int64_t, std::uint64_t>> ValueCounts::Sorted() const {
  std::vector<std::pair<std::int64_t, std::uint64_t>> out;
  out.reserve(distinct_);
  for (const Slot& s : slots_) {
    if (s.count != 0) out.emplace_back(s.value, s.count);
  }
  std::sort(out.begin(), out.end());
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
