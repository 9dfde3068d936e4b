// KeyTable: byte strings → dense ids (0, 1, 2, … in insertion order), exact. Used wherever the
// hot loop groups or deduplicates by a field's bytes: group values and count_distinct keys in
// the metric engine, normalised keys of uniqueness checks.
//
// Layout, for few cache misses per lookup: open addressing with linear probing over 8-byte
// slots (32-bit hash tag, 32-bit reference), at most half full; a reference points at the key's
// entry in an arena of 8 MiB blocks, where a 64-bit header (length, id) is followed by the key
// bytes, padded to 8 (blocks grow from 4 KiB). A lookup reads one slot and, on a tag match, one entry — whose header and
// first bytes share a cache line — and always verifies the bytes (no unverified hashes). Blocks
// are never moved or copied, so the arena grows without the doubling copy of one big buffer.
// Memory per distinct key: 16–32 bytes of slots + 8 bytes of header + the key bytes rounded up
// to 8 (+ at most one partly used block). Lookups allocate nothing; inserts allocate only when
// the slots double or a block fills.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/base/large_alloc.h"
#include "crmkpi/base/string_hash.h"

namespace crmkpi {

class KeyTable {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  // The id of |key|; a new key gets id size() and *inserted = true.
  std::uint32_t FindOrInsert(std::string_view key, bool* inserted) {
    return FindOrInsert(key, HashBytes(key), inserted);
  }
  // The same, with |h| = HashBytes(key) already computed by the caller (who may have used it to
  // pick one of several tables).
  std::uint32_t FindOrInsert(std::string_view key, std::uint64_t h, bool* inserted) {
    if ((std::size_t{ids_} + 1) * 2 > slots_.size()) Grow();
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.ref == 0) {
        slot.tag = tag;
        slot.ref = Append(key, ids_);
        *inserted = true;
        return ids_++;
      }
      if (slot.tag == tag) {
        const std::uint64_t* e = Entry(slot.ref);
        if (SameBytes(KeyOf(e), key)) {
          *inserted = false;
          return IdOf(e);
        }
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
      if (slot.ref == 0) return kNone;
      if (slot.tag == tag) {
        const std::uint64_t* e = Entry(slot.ref);
        if (SameBytes(KeyOf(e), key)) return IdOf(e);
      }
    }
  }
  std::uint32_t size() const { return ids_; }

  // Hints for a caller that knows a key's hash well before it looks the key up (a row's field,
  // hashed when the row starts, looked up after the row's other work): Prefetch asks for the
  // slot's cache line, PrefetchEntry — later, once that line has come — for the line of the key
  // the slot refers to, so the lookup's two dependent cache misses overlap other work. A large
  // table meets them on most lookups: the input streaming through the cache evicts it between
  // two rows with the same key.
  void Prefetch(std::uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)]);
  }
  void PrefetchEntry(std::uint64_t h) const {
    if (slots_.empty()) return;
    const Slot& slot = slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)];
    if (slot.ref != 0 && slot.tag == static_cast<std::uint32_t>(h >> 32)) {
      __builtin_prefetch(Entry(slot.ref));
    }
  }

  // Sizes the slots for |keys| keys at once (one rehash instead of several doublings), e.g.
  // before another table is drained into this one.
  void Reserve(std::size_t keys) {
    std::size_t count = slots_.empty() ? 16 : slots_.size();
    while ((keys + 1) * 2 > count) count *= 2;
    if (count != slots_.size()) Rehash(count);
  }
  // Frees the slots (the lookup index) but keeps the keys: afterwards only size, bytes and
  // Drain may be called — or Reserve, which rebuilds the index. Used to release a table's
  // index before the table it will be drained into grows.
  void ReleaseIndex() { SlotVector().swap(slots_); }

  // Calls f(key, id) for every key in id order, releasing the table's memory as it goes (the
  // slots first, then each arena block once visited), so that moving one table's keys into
  // another (merging the chunks of the parallel pass) does not hold both in full. The table is
  // empty afterwards.
  template <typename F>
  void Drain(F&& f) {
    SlotVector().swap(slots_);
    for (Block& b : blocks_) {
      for (std::size_t w = 0; w < b.used;) {
        const std::uint64_t* e = b.words.get() + w;
        f(KeyOf(e), IdOf(e));
        w += EntryWords(KeyOf(e).size());
      }
      b.words.reset();
    }
    blocks_.clear();
    ids_ = 0;
  }
  // Bytes held (slots and arena blocks), for memory reports.
  // Calls f(key, id) for every key, in insertion order; the table is unchanged.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Block& b : blocks_) {
      for (std::size_t w = 0; w < b.used;) {
        const std::uint64_t* e = b.words.get() + w;
        f(KeyOf(e), IdOf(e));
        w += EntryWords(KeyOf(e).size());
      }
    }
  }

  std::size_t bytes() const {
    std::size_t n = slots_.capacity() * sizeof(Slot);
    for (const Block& b : blocks_) n += b.capacity * sizeof(std::uint64_t);
    return n;
  }

 private:
  static constexpr unsigned kBlockShift = 20;  // 2^20 words = 8 MiB per block
  static constexpr std::size_t kBlockWords = std::size_t{1} << kBlockShift;
  static constexpr std::size_t kMaxBlocks = std::size_t{1} << (32 - kBlockShift);
  static constexpr std::size_t kFirstBlockWords = 512;  // 4 KiB

  struct Slot {
    std::uint32_t tag = 0;  // high half of the key's hash
    std::uint32_t ref = 0;  // (block << kBlockShift | word) + 1; 0 = empty
  };
  // Blocks and slots come from LargeAllocator: mapped on their own from 1 MiB, so a drained
  // table's memory returns to the system whichever thread built it.
  struct Block {
    LargeArray<std::uint64_t> words;
    std::size_t capacity = 0, used = 0;  // in words
  };

  static std::string_view KeyOf(const std::uint64_t* e) {
    return std::string_view(reinterpret_cast<const char*>(e + 1),
                            static_cast<std::size_t>(*e & 0xFFFFFFFFu));
  }
  static std::uint32_t IdOf(const std::uint64_t* e) { return static_cast<std::uint32_t>(*e >> 32); }
  static std::size_t EntryWords(std::size_t key_bytes) { return 1 + (key_bytes + 7) / 8; }

  const std::uint64_t* Entry(std::uint32_t ref) const {
    const std::uint32_t r = ref - 1;
    return blocks_[r >> kBlockShift].words.get() + (r & (kBlockWords - 1));
  }

  // Stores |key| with |id| in the arena; returns its reference.
  std::uint32_t Append(std::string_view key, std::uint32_t id) {
    if (key.size() > 0xFFFFFFFFu) throw Error::Input("a key longer than 4 GiB");
    const std::size_t words = EntryWords(key.size());
    if (blocks_.empty() || blocks_.back().used + words > blocks_.back().capacity ||
        blocks_.back().used >= kBlockWords) {
      // A new block, twice the last (4 KiB up to 8 MiB: small tables stay small); a key larger
      // than that gets a block of its own size (the reference space still counts it as one
      // block: its entry starts at word 0).
      if (blocks_.size() >= kMaxBlocks) {
        throw Error::Input("more than 32 GiB of distinct key bytes in one table");
      }
      Block b;
      const std::size_t next =
          blocks_.empty() ? kFirstBlockWords
                          : std::min(kBlockWords, blocks_.back().capacity * 2);
      b.capacity = std::max(words, next);
      b.words = MakeLargeArray<std::uint64_t>(b.capacity);
      blocks_.push_back(std::move(b));
    }
    Block& b = blocks_.back();
    std::uint64_t* e = b.words.get() + b.used;
    e[words - 1] = 0;  // the padding after the key bytes
    e[0] = static_cast<std::uint64_t>(key.size()) | (static_cast<std::uint64_t>(id) << 32);
    if (!key.empty()) std::memcpy(e + 1, key.data(), key.size());
    const std::size_t ref = ((blocks_.size() - 1) << kBlockShift) + b.used + 1;
    b.used += words;
    return static_cast<std::uint32_t>(ref);
  }

  [[gnu::noinline]] void Grow() {
    if (ids_ >= kNone / 2) {
      throw Error::Input("more than 2,147,483,647 distinct keys in one table");
    }
    Rehash(slots_.empty() ? 16 : slots_.size() * 2);
  }
  // New slots, |count| of them, filled from the arena. The old slots are freed first (the
  // entries are rehashed from their bytes, not from the old slots), so growing never holds
  // two slot arrays at once.
  void Rehash(std::size_t count) {
    SlotVector().swap(slots_);
    slots_.assign(count, Slot{});
    const std::size_t mask = slots_.size() - 1;
    // Every entry, in arena order: rehash its bytes into the new slots.
    for (std::size_t bi = 0; bi < blocks_.size(); ++bi) {
      const Block& b = blocks_[bi];
      for (std::size_t w = 0; w < b.used;) {
        const std::uint64_t* e = b.words.get() + w;
        const std::uint64_t h = HashBytes(KeyOf(e));
        std::size_t i = static_cast<std::size_t>(h) & mask;
        while (slots_[i].ref != 0) i = (i + 1) & mask;
        slots_[i] = {static_cast<std::uint32_t>(h >> 32),
                     static_cast<std::uint32_t>((bi << kBlockShift) + w + 1)};
        w += EntryWords(KeyOf(e).size());
      }
    }
  }

  using SlotVector = std::vector<Slot, LargeAllocator<Slot>>;
  SlotVector slots_;
  std::uint32_t ids_ = 0;
  std::vector<Block> blocks_;
};

}  // namespace crmkpi
