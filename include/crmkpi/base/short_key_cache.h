// ShortKeyCache: a small direct-mapped cache of key → id for keys of at most 16 bytes (lead
// sources, stages, regions, currencies), in front of a KeyTable. A key's bytes are its own tag,
// held in two words, so a hit costs two word loads, a multiply and three compares, and never
// follows the KeyTable's reference to its arena; a miss (or a longer key) takes the table and
// fills the entry. Ids are the table's, which never change once given, so an entry stays right.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crmkpi/base/string_hash.h"

namespace crmkpi {

class ShortKeyCache {
 public:
  static constexpr std::size_t kMaxBytes = 16;

  // A key's words (hash_detail::ShortWords): |key| is determined by them and its length. False
  // for a key longer than kMaxBytes.
  struct Words {
    std::uint64_t a = 0, b = 0;
    std::uint32_t n = 0;
  };
  static bool WordsOf(std::string_view key, Words* w) {
    if (key.size() > kMaxBytes) return false;
    hash_detail::ShortWords(key.data(), key.size(), &w->a, &w->b);
    w->n = static_cast<std::uint32_t>(key.size());
    return true;
  }

  // The id cached for |w|, or false.
  bool Find(const Words& w, std::uint32_t* id) const {
    const Entry& e = entries_[SlotOf(w)];
    if (e.a != w.a || e.b != w.b || e.n != w.n) return false;
    *id = e.id;
    return true;
  }
  void Put(const Words& w, std::uint32_t id) { entries_[SlotOf(w)] = {w.a, w.b, w.n, id}; }

 private:
  static constexpr unsigned kBits = 8;
  struct Entry {
    std::uint64_t a = 0, b = 0;
    std::uint32_t n = 0xFFFFFFFFu;  // no key has this length: empty
    std::uint32_t id = 0;
  };
  static std::size_t SlotOf(const Words& w) {
    const std::uint64_t h = (w.a ^ (w.b * 0x9E3779B97F4A7C15ull) ^ w.n) * 0xD6E8FEB86659FD93ull;
    return static_cast<std::size_t>(h >> (64 - kBits));
  }
  std::array<Entry, std::size_t{1} << kBits> entries_{};
};

}  // namespace crmkpi
