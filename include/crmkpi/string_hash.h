// Transparent hashing for maps keyed by std::string, so the hot loop can look keys up by
// string_view (a view into the read buffer) without building a std::string per row.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace crmkpi {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
  std::size_t operator()(const std::string& s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace crmkpi
