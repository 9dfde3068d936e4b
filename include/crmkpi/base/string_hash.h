// Hashing and comparing the short byte strings the hot loop looks up (group values, distinct
// keys, stage names): fields are string_views into the read buffer, so lookups never build a
// std::string per row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace crmkpi {

namespace hash_detail {
__extension__ typedef unsigned __int128 U128;
inline std::uint64_t Mix(std::uint64_t a, std::uint64_t b) {
  const U128 r = static_cast<U128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
inline std::uint64_t Load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t Load4(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
// The words of a key of at most 16 bytes, which with its length determine it: overlapping
// loads for 4..16 bytes, the first, middle and last byte below 4, zeros for none. HashBytes
// mixes them; ShortKeyCache keeps them as the key itself.
inline void ShortWords(const char* p, std::size_t n, std::uint64_t* a, std::uint64_t* b) {
  if (n >= 8) {
    *a = Load8(p);
    *b = Load8(p + n - 8);
  } else if (n >= 4) {
    *a = Load4(p);
    *b = Load4(p + n - 4);
  } else if (n > 0) {
    *a = (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) |
         (std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
         std::uint64_t{static_cast<unsigned char>(p[n - 1])};
    *b = 0;
  } else {
    *a = *b = 0;
  }
}
}  // namespace hash_detail

// A fast non-cryptographic hash of short keys (wyhash-style: one 64×64→128 multiply per 16
// bytes), inlined into the hot loop; std::hash's out-of-line Murmur was a tenth of a 30-metric
// run. Keys are not adversarial (tables are per run, sized by the data), so this is only about
// spreading; equality is always verified on the bytes.
inline std::uint64_t HashBytes(std::string_view s) {
  using namespace hash_detail;
  constexpr std::uint64_t k0 = 0xA0761D6478BD642Full, k1 = 0xE7037ED1A0B428DBull,
                          k2 = 0x8EBC6AF09C88C6E3ull;
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t a = 0, b = 0, seed = k0 ^ n;
  if (n <= 16) {
    ShortWords(p, n, &a, &b);
  } else {
    const char* end = p + n;
    while (n > 16) {
      seed = Mix(Load8(p) ^ k1, Load8(p + 8) ^ seed);
      p += 16;
      n -= 16;
    }
    a = Load8(end - 16);
    b = Load8(end - 8);
  }
  return Mix(k1 ^ s.size(), Mix(a ^ k1, b ^ seed) ^ k2);
}

// Equality of short keys without a call to memcmp (keys up to 32 bytes: a few loads).
inline bool SameBytes(std::string_view x, std::string_view y) {
  using namespace hash_detail;
  const std::size_t n = x.size();
  if (n != y.size()) return false;
  const char* a = x.data();
  const char* b = y.data();
  if (n >= 8) {
    if (n <= 16) return Load8(a) == Load8(b) && Load8(a + n - 8) == Load8(b + n - 8);
    if (n <= 32) {
      return Load8(a) == Load8(b) && Load8(a + 8) == Load8(b + 8) &&
             Load8(a + n - 16) == Load8(b + n - 16) && Load8(a + n - 8) == Load8(b + n - 8);
    }
    return std::memcmp(a, b, n) == 0;
  }
  if (n >= 4) return Load4(a) == Load4(b) && Load4(a + n - 4) == Load4(b + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Transparent hashing for maps keyed by std::string, looked up by string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(HashBytes(s));
  }
  std::size_t operator()(const std::string& s) const noexcept {
    return static_cast<std::size_t>(HashBytes(s));
  }
};

}  // namespace crmkpi
