// Exact type-7 quantiles (linear interpolation between closest ranks, as numpy's default and
// Excel's PERCENTILE.INC) by selection rather than sorting: O(n) per quantile instead of
// O(n log n), which matters when a median is kept over millions of values.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace crmkpi {

// The two order statistics a type-7 quantile interpolates between, and the fraction:
// value = lower + frac × (upper − lower), with h = p (n − 1), lower = x⌊h⌋, upper = x⌊h⌋+1.
template <typename T>
struct QuantileBracket {
  T lower{};
  T upper{};
  double frac = 0;
};

// Reorders |v| (which must not be empty). Equal to sorting and indexing.
template <typename T>
QuantileBracket<T> SelectQuantile(std::vector<T>& v, double p) {
  const double h = static_cast<double>(v.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  QuantileBracket<T> b{v[lo], v[lo], h - static_cast<double>(lo)};
  if (lo + 1 < v.size() && b.frac > 0) {
    // After nth_element everything past lo is >= v[lo]: the next order statistic is its minimum.
    b.upper = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  } else {
    b.frac = 0;
  }
  return b;
}

}  // namespace crmkpi
