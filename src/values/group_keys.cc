#include "crmkpi/values/group_keys.h"

#include <algorithm>
#include <map>

namespace crmkpi {

void GroupKeyMap::Merge(const GroupKeyMap& other) {
  for (const auto& [raw, e] : other.map_) {
    auto [it, inserted] = map_.try_emplace(raw, Entry{e.key, 0});
    it->second.count += e.count;
  }
}

std::vector<GroupKeyMap::Merged> GroupKeyMap::MergedSpellings() const {
  std::map<std::string, std::vector<std::pair<std::string, std::uint64_t>>> by_key;
  for (const auto& [raw, e] : map_) {
    if (e.count > 0) by_key[e.key].emplace_back(raw, e.count);
  }
  std::vector<Merged> out;
  for (auto& [key, list] : by_key) {
    if (list.size() == 1 && list[0].first == key) continue;
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    out.push_back({key, std::move(list)});
  }
  return out;
}

}  // namespace crmkpi
