#include "crmkpi/base/key_table.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "crmkpi/base/large_alloc.h"

namespace crmkpi {
namespace {

std::string KeyNumber(int i) { return "key-" + std::to_string(i) + std::string(i % 37, 'x'); }

// The ids every key must have, checked against a std::map as the oracle.
void ExpectIds(const KeyTable& t, const std::map<std::string, std::uint32_t>& oracle) {
  REQUIRE(t.size() == oracle.size());
  for (const auto& [key, id] : oracle) REQUIRE(t.Find(key) == id);
}

TEST_CASE("KeyTable gives dense ids in insertion order and finds every key") {
  KeyTable t;
  std::map<std::string, std::uint32_t> oracle;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 20000; ++i) {
      bool inserted = false;
      const std::uint32_t id = t.FindOrInsert(KeyNumber(i), &inserted);
      REQUIRE(inserted == (round == 0));
      if (round == 0) {
        REQUIRE(id == static_cast<std::uint32_t>(i));
        oracle[KeyNumber(i)] = id;
      } else {
        REQUIRE(id == oracle[KeyNumber(i)]);
      }
    }
  }
  ExpectIds(t, oracle);
  CHECK(t.Find("key-20000") == KeyTable::kNone);
  CHECK(t.Find("") == KeyTable::kNone);
  bool inserted = false;
  CHECK(t.FindOrInsert("", &inserted) == 20000);  // the empty key is a key
  CHECK(inserted);
}

TEST_CASE("KeyTable lookups with a caller's hash agree with plain ones") {
  // The uniqueness check hashes a key once to pick its partition, then passes the hash on.
  KeyTable t;
  bool inserted = false;
  for (int i = 0; i < 5000; ++i) {
    const std::string k = KeyNumber(i);
    const std::uint32_t id = i % 2 == 0 ? t.FindOrInsert(k, HashBytes(k), &inserted)
                                        : t.FindOrInsert(k, &inserted);
    REQUIRE(inserted);
    REQUIRE(id == static_cast<std::uint32_t>(i));
  }
  for (int i = 0; i < 5000; ++i) {
    const std::string k = KeyNumber(i);
    REQUIRE(t.FindOrInsert(k, HashBytes(k), &inserted) == static_cast<std::uint32_t>(i));
    REQUIRE(!inserted);
    REQUIRE(t.Find(k) == static_cast<std::uint32_t>(i));
  }
}

TEST_CASE("KeyTable keeps a key larger than a block whole") {
  KeyTable t;
  bool inserted = false;
  const std::string big(9u << 20, 'b');  // 9 MiB: more than an 8 MiB block
  CHECK(t.FindOrInsert("a", &inserted) == 0);
  CHECK(t.FindOrInsert(big, &inserted) == 1);
  CHECK(t.FindOrInsert("c", &inserted) == 2);
  CHECK(t.Find(big) == 1);
  CHECK(t.Find(std::string(9u << 20, 'c')) == KeyTable::kNone);
  std::vector<std::size_t> sizes;
  t.Drain([&](std::string_view key, std::uint32_t) { sizes.push_back(key.size()); });
  CHECK(sizes == std::vector<std::size_t>{1, 9u << 20, 1});
}

TEST_CASE("KeyTable Reserve and ReleaseIndex keep the ids, and Drain empties the table") {
  KeyTable t;
  std::map<std::string, std::uint32_t> oracle;
  bool inserted = false;
  for (int i = 0; i < 5000; ++i) oracle[KeyNumber(i)] = t.FindOrInsert(KeyNumber(i), &inserted);
  const std::size_t before = t.bytes();
  t.Reserve(100000);  // one rehash to room for 100,000 keys
  CHECK(t.bytes() > before);
  ExpectIds(t, oracle);
  for (int i = 5000; i < 100000; ++i) {
    oracle[KeyNumber(i)] = t.FindOrInsert(KeyNumber(i), &inserted);
  }
  ExpectIds(t, oracle);

  t.ReleaseIndex();  // the keys stay; the index is rebuilt by Reserve
  CHECK(t.size() == 100000);
  t.Reserve(t.size());
  ExpectIds(t, oracle);

  t.ReleaseIndex();  // or drained without it, in id order
  std::uint32_t next = 0;
  std::size_t keys = 0;
  t.Drain([&](std::string_view key, std::uint32_t id) {
    REQUIRE(id == next++);
    REQUIRE(oracle.at(std::string(key)) == id);
    ++keys;
  });
  CHECK(keys == 100000);
  CHECK(t.size() == 0);
  CHECK(t.bytes() == 0);
  CHECK(t.FindOrInsert("again", &inserted) == 0);  // usable after a drain
}

TEST_CASE("LargeAllocator serves small blocks and maps large ones") {
  using Words = std::vector<std::uint64_t, LargeAllocator<std::uint64_t>>;
  Words small(10, 7);  // 80 bytes: operator new
  Words large((kMapThreshold / sizeof(std::uint64_t)) + 1);  // mapped: zero-filled
  CHECK(small[9] == 7);
  CHECK(large.front() == 0);
  CHECK(large.back() == 0);
  large.back() = 42;
  large.resize(large.size() * 3);  // moved to a new mapping, the old one unmapped
  CHECK(large[kMapThreshold / sizeof(std::uint64_t)] == 42);
  CHECK(large.back() == 0);
  LargeDelete<std::uint64_t> del{kMapThreshold};
  del(LargeAllocator<std::uint64_t>().allocate(kMapThreshold));
}

}  // namespace
}  // namespace crmkpi
