// KeyTable: byte strings → dense ids (0, 1, 2, … in insertion order), exact. Used wherever the
// hot loop groups or deduplicates by a field's bytes: group values and count_distinct keys in
// the metric engine, normalised keys of uniqueness checks.
//
// Open addressing with linear probing over 8-byte (hash tag, id) slots, at most half full; the
// keys themselves live back to back in one arena, so a match is always verified on the bytes
// (no unverified hashes). Lookups by string_view allocate nothing; inserts allocate only when
// the slot array, the arena or the offsets double. Memory per distinct key: 16–32 bytes of
// slots, 8 bytes of offset, and the key bytes (up to twice, while the arena doubles).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/error.h"
#include "crmkpi/string_hash.h"

namespace crmkpi {

class KeyTable {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  // The id of |key|; a new key gets id size() and *inserted = true.
  std::uint32_t FindOrInsert(std::string_view key, bool* inserted) {
    if ((std::size_t{ids_} + 1) * 2 > slots_.size()) Grow();
    const std::uint64_t h = HashBytes(key);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id_plus_1 == 0) {
        slot.tag = tag;
        slot.id_plus_1 = ++ids_;
        arena_.append(key);
        offsets_.push_back(arena_.size());
        *inserted = true;
        return ids_ - 1;
      }
      if (slot.tag == tag && SameBytes(Key(slot.id_plus_1 - 1), key)) {
        *inserted = false;
        return slot.id_plus_1 - 1;
      }
    }
  }
  // The id of |key|, or kNone.
  std::uint32_t Find(std::string_view key) const {
    if (slots_.empty()) return kNone;
    const std::uint64_t h = HashBytes(key);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.id_plus_1 == 0) return kNone;
      if (slot.tag == tag && SameBytes(Key(slot.id_plus_1 - 1), key)) return slot.id_plus_1 - 1;
    }
  }
  std::uint32_t size() const { return ids_; }
  std::string_view Key(std::uint32_t id) const {
    const std::size_t begin = id == 0 ? 0 : offsets_[id - 1];
    return std::string_view(arena_).substr(begin, offsets_[id] - begin);
  }
  // Bytes held (slots, offsets, arena capacity), for memory reports.
  std::size_t bytes() const {
    return slots_.capacity() * sizeof(Slot) + offsets_.capacity() * sizeof(std::size_t) +
           arena_.capacity();
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;        // high half of the key's hash
    std::uint32_t id_plus_1 = 0;  // 0 = empty
  };
  [[gnu::noinline]] void Grow() {
    if (ids_ >= kNone / 2) {
      throw Error::Input("more than 2,147,483,647 distinct keys in one table");
    }
    slots_.assign(slots_.empty() ? 16 : slots_.size() * 2, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (std::uint32_t id = 0; id < ids_; ++id) {
      const std::uint64_t h = HashBytes(Key(id));
      std::size_t i = static_cast<std::size_t>(h) & mask;
      while (slots_[i].id_plus_1 != 0) i = (i + 1) & mask;
      slots_[i] = {static_cast<std::uint32_t>(h >> 32), id + 1};
    }
  }

  std::vector<Slot> slots_;
  std::uint32_t ids_ = 0;
  std::string arena_;
  std::vector<std::size_t> offsets_;  // end of key id in arena_
};

}  // namespace crmkpi
