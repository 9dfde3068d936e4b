#include "crmkpi/base/value_counts.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace crmkpi {

namespace {

// Sorts |v| ascending: least-significant-digit radix sort on 11-bit digits of the values' offsets
// from the least, with as many passes as the range needs (three for amounts up to 10^9 with
// four decimals), so a fold costs a few sequential sweeps rather than n log n comparisons whose
// outcomes are random.
void SortValues(std::vector<std::int64_t>* v) {
  const std::size_t n = v->size();
  if (n < 512) {
    std::sort(v->begin(), v->end());
    return;
  }
  const auto [lo_it, hi_it] = std::minmax_element(v->begin(), v->end());
  const auto lo = static_cast<std::uint64_t>(*lo_it);
  const std::uint64_t range = static_cast<std::uint64_t>(*hi_it) - lo;
  if (range == 0) return;
  constexpr unsigned kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  thread_local std::vector<std::uint64_t> a, b;  // scratch, kept: folds allocate nothing
  a.resize(n);
  b.resize(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<std::uint64_t>((*v)[i]) - lo;
  for (unsigned shift = 0; shift < 64 && (range >> shift) != 0; shift += kBits) {
    std::array<std::size_t, kBuckets> at{};
    for (const std::uint64_t x : a) ++at[(x >> shift) & (kBuckets - 1)];
    std::size_t sum = 0;
    for (std::size_t& c : at) {
      const std::size_t count = c;
      c = sum;
      sum += count;
    }
    for (const std::uint64_t x : a) b[at[(x >> shift) & (kBuckets - 1)]++] = x;
    a.swap(b);
  }
  for (std::size_t i = 0; i < n; ++i) (*v)[i] = static_cast<std::int64_t>(a[i] + lo);
}

}  // namespace

void ValueCounts::MergeInto(Run* into, const Run& add) {
  // Backwards, so the merge needs no second array: |into| grows by |add| and the larger of the
  // two last pairs goes to the end. Equal values leave one slot free each at the front of the
  // merged part, closed up at the end.
  const std::size_t n = into->size();
  into->resize(n + add.size());
  Run& r = *into;
  std::size_t i = n, j = add.size(), k = n + add.size();
  while (j > 0) {
    if (i > 0 && r[i - 1].first > add[j - 1].first) {
      r[--k] = r[--i];
    } else if (i > 0 && r[i - 1].first == add[j - 1].first) {
      r[--k] = {add[j - 1].first, r[i - 1].second + add[j - 1].second};
      --i;
      --j;
    } else {
      r[--k] = add[--j];
    }
  }
  if (k > i) {
    std::move(r.begin() + static_cast<std::ptrdiff_t>(k), r.end(),
              r.begin() + static_cast<std::ptrdiff_t>(i));
    r.resize(r.size() - (k - i));
  }
}

void ValueCounts::Encode(std::vector<std::int64_t>* values, Run* counted, Run* out) {
  SortValues(values);
  out->clear();
  for (const std::int64_t x : *values) {
    if (!out->empty() && out->back().first == x) {
      ++out->back().second;
    } else {
      out->emplace_back(x, 1);
    }
  }
  if (counted->empty()) return;
  std::sort(counted->begin(), counted->end());
  std::size_t n = 0;
  for (std::size_t i = 0; i < counted->size(); ++i) {
    if (n > 0 && (*counted)[n - 1].first == (*counted)[i].first) {
      (*counted)[n - 1].second += (*counted)[i].second;
    } else {
      (*counted)[n++] = (*counted)[i];
    }
  }
  counted->resize(n);
  MergeInto(out, *counted);
}

void ValueCounts::Fold() {
  if (buffer_.empty() && counted_.empty()) return;
  thread_local Run fresh;  // scratch, kept: folds allocate nothing once it has grown
  Encode(&buffer_, &counted_, &fresh);
  MergeInto(&run_, fresh);
  buffer_.clear();
  counted_.clear();
}

ValueCounts::Run ValueCounts::SortedRun() const {
  if (buffer_.empty() && counted_.empty()) return run_;
  std::vector<std::int64_t> values = buffer_;
  Run counted = counted_, fresh, out = run_;
  Encode(&values, &counted, &fresh);
  MergeInto(&out, fresh);
  return out;
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
  Run days;
  for (std::size_t i = 0; i < days_.size(); ++i) {
    if (days_[i] != 0) days.emplace_back((day_lo_ + static_cast<std::int64_t>(i)) * kDay, days_[i]);
  }
  // A whole day may be in both (counted in the run before the dense span reached it, or past
  // 65,535 in one day): MergeInto adds the two.
  Run out = SortedRun();
  MergeInto(&out, days);
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

long double ValueCounts::Interpolated(double p, std::optional<std::int64_t>* whole) const {
  const QuantileBracket<std::int64_t> b = Quantile(p);
  if (b.frac == 0) {
    if (whole != nullptr) *whole = b.lower;
    return static_cast<long double>(b.lower);
  }
  const long double x = static_cast<long double>(b.lower) +
                        static_cast<long double>(b.frac) *
                            (static_cast<long double>(b.upper) - static_cast<long double>(b.lower));
  const long double r = std::round(x);
  if (std::fabs(x - r) < 1e-6L) {
    if (whole != nullptr) *whole = static_cast<std::int64_t>(r);
    return r;
  }
  return x;
}

}  // namespace crmkpi
