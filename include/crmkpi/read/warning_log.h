// WarningLog: data problems a run survives (an invalid amount, an unparseable date, a skipped
// row), counted per (kind, input, column) with the first occurrence kept for the user to look
// at. Called for every bad value, so a repeat costs one map lookup on a key of a view and two
// integers: the location, sample and message are only built the first time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "crmkpi/read/data_warning.h"

namespace crmkpi {

// The first occurrence of a warning about one field: its column, where it is, its value cut to
// a sample of at most 80 bytes, and the message "'COLUMN': what".
inline DataWarning FieldWarning(const std::string& column, SourceLoc first, std::string_view value,
                                std::string_view what) {
  constexpr std::size_t kSampleBytes = 80;
  DataWarning w;
  w.column = column;
  w.first = std::move(first);
  w.sample = std::string(value.substr(0, kSampleBytes));
  w.message = "'" + column + "': " + std::string(what);
  return w;
}

class WarningLog {
 public:
  // |kind| must outlive the log (a string literal). |describe| returns the DataWarning of the
  // first occurrence (its kind and count are filled in here).
  template <typename Describe>
  void Add(std::string_view kind, int input, int column, Describe&& describe) {
    auto [it, inserted] = entries_.try_emplace(Key{kind, input, column});
    if (inserted) {
      it->second = describe();
      it->second.kind = std::string(kind);
      order_.push_back(it);
    }
    ++it->second.count;
  }

  // Adds the warnings of |later|, counted over input that follows this log's (the next chunk of
  // a parallel pass): first occurrences stay the earliest, counts add up.
  void Merge(const WarningLog& later) {
    for (auto from : later.order_) {
      auto [it, inserted] = entries_.try_emplace(from->first, from->second);
      if (inserted) {
        order_.push_back(it);
      } else {
        it->second.count += from->second.count;
      }
    }
  }

  // Adds |w|, |w.count| occurrences of (kind, input, column), as the |at|-th warning in order
  // (for a caller that learns of a warning after those that follow it): when the log has that
  // warning already, only the count is added.
  void Insert(std::size_t at, std::string_view kind, int input, int column, DataWarning w) {
    auto [it, inserted] = entries_.try_emplace(Key{kind, input, column});
    if (!inserted) {
      it->second.count += w.count;
      return;
    }
    w.kind = std::string(kind);
    it->second = std::move(w);
    order_.insert(order_.begin() + static_cast<std::ptrdiff_t>(std::min(at, order_.size())), it);
  }

  std::size_t size() const { return order_.size(); }

  // The warnings in order of first occurrence.
  std::vector<DataWarning> Take() const {
    std::vector<DataWarning> out;
    for (auto it : order_) out.push_back(it->second);
    return out;
  }

 private:
  using Key = std::tuple<std::string_view, int, int>;
  std::map<Key, DataWarning> entries_;
  std::vector<std::map<Key, DataWarning>::iterator> order_;
};

}  // namespace crmkpi
