// Group keys (docs/kpis.md, "Group keys"): a value becomes a group key after NFKC and white-space
// collapsing (Normalizer "nfkc,collapse-spaces,trim"), so that "佐藤 花子" and "佐藤　花子" are one
// group. GroupKeyMap normalises each distinct raw value once and counts what was keyed under each
// raw spelling, for the note that lists the spellings merged under a printed key. Used by the
// passes that group outside the metric engine (dwell --by, forecast --by); the engine has its
// own id-based form of the same mapping (engine/source_rows.h CanonicalKeys).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crmkpi/base/string_hash.h"
#include "crmkpi/values/normalize.h"

namespace crmkpi {

class GroupKeyMap {
 public:
  // |exact|: keys are the values as given (--exact-groups); nothing is normalised or listed.
  explicit GroupKeyMap(bool exact = false) : exact_(exact) {}

  // The group key of raw value |raw| (already trimmed as the caller trims values), counted once
  // under its raw spelling. The view stays valid as long as the map. Allocates only for a raw
  // value not seen before.
  std::string_view Key(std::string_view raw) {
    if (exact_) return raw;
    auto it = map_.find(raw);
    if (it == map_.end()) {
      it = map_.emplace(std::string(raw), Entry{std::string(normalizer_.Apply(raw)), 0}).first;
    }
    ++it->second.count;
    return it->second.key;
  }

  // Adds the counts of |other| (a part of the same input read in parallel, or another file).
  void Merge(const GroupKeyMap& other);

  struct Merged {
    std::string key;
    std::vector<std::pair<std::string, std::uint64_t>> spellings;  // most first, then bytes
  };
  // Every key that stands for more than one raw spelling, or for one that differs from it,
  // sorted by key.
  std::vector<Merged> MergedSpellings() const;

 private:
  struct Entry {
    std::string key;
    std::uint64_t count = 0;
  };
  bool exact_;
  Normalizer normalizer_ = Normalizer::Parse("nfkc,collapse-spaces,trim");
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> map_;
};

}  // namespace crmkpi
