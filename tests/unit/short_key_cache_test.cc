// ShortKeyCache (short_key_cache.h): a key's words identify it exactly, and the cache returns
// the id put for a key and for no other.
#include "crmkpi/base/short_key_cache.h"

#include <map>
#include <random>
#include <string>
#include <tuple>

#include <catch2/catch.hpp>

using namespace crmkpi;

namespace {
std::tuple<std::uint64_t, std::uint64_t, std::uint32_t> Tuple(const ShortKeyCache::Words& w) {
  return {w.a, w.b, w.n};
}
}  // namespace

TEST_CASE("ShortKeyCache: words identify keys of up to 16 bytes exactly", "[short_keys]") {
  // Every key over a small alphabet up to 4 bytes, and random ones up to 16 (the overlapping
  // loads of 4..7 and 8..16 bytes, the three bytes of 1..3): no two share their words.
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::uint32_t>, std::string> seen;
  auto add = [&](const std::string& key) {
    ShortKeyCache::Words w;
    REQUIRE(ShortKeyCache::WordsOf(key, &w));
    auto [it, inserted] = seen.emplace(Tuple(w), key);
    INFO("'" << key << "' and '" << it->second << "'");
    CHECK((inserted || it->second == key));
  };
  const std::string alphabet = {'a', 'b', '\0', '\xFF'};
  std::vector<std::string> keys = {""};
  for (std::size_t n = 1; n <= 4; ++n) {
    std::vector<std::string> longer;
    for (const std::string& k : keys) {
      if (k.size() != n - 1) continue;
      for (const char c : alphabet) longer.push_back(k + c);
    }
    keys.insert(keys.end(), longer.begin(), longer.end());
  }
  for (const std::string& k : keys) add(k);
  std::mt19937 rng(5);
  for (int i = 0; i < 50000; ++i) {
    std::string k(1 + rng() % 16, 'a');
    for (char& c : k) c = alphabet[rng() % alphabet.size()];
    add(k);
  }
  ShortKeyCache::Words w;
  CHECK_FALSE(ShortKeyCache::WordsOf(std::string(17, 'a'), &w));
}

TEST_CASE("ShortKeyCache: a hit is the id put for that very key", "[short_keys]") {
  ShortKeyCache cache;
  std::map<std::string, std::uint32_t> put;
  std::mt19937 rng(9);
  for (int i = 0; i < 20000; ++i) {
    std::string k(rng() % 17, 'x');
    for (char& c : k) c = static_cast<char>('a' + rng() % 3);
    ShortKeyCache::Words w;
    REQUIRE(ShortKeyCache::WordsOf(k, &w));
    std::uint32_t id = 0;
    if (cache.Find(w, &id)) {
      REQUIRE(put.count(k) == 1);
      CHECK(id == put[k]);
    }
    const std::uint32_t fresh = static_cast<std::uint32_t>(i);
    cache.Put(w, fresh);  // replaces whatever shared the slot
    put[k] = fresh;
    REQUIRE(cache.Find(w, &id));
    CHECK(id == fresh);
  }
}
