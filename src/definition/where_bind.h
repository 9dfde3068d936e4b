// What binding a where (where_bind.cc) encodes and evaluation (where.cc) reads: a stage class
// as one bit of a `stage is` condition's stage_mask.
#pragma once

#include <cstdint>

#include "crmkpi/bind/stage_rules.h"

namespace crmkpi::where_internal {

inline std::uint8_t Bit(StageClass c) {
  return static_cast<std::uint8_t>(1u << static_cast<int>(c));
}

}  // namespace crmkpi::where_internal
