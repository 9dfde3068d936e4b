// Num: a number as printed — exact fixed-point (counts and money, in 1/10,000 units) or a double
// (ratios, days).
#pragma once

#include <cstdint>
#include <string>

#include "crmkpi/base/int128.h"

namespace crmkpi {

struct Num {
  bool fixed = false;
  Int128 units = 0;  // value × 10,000 when fixed
  double real = 0;

  static Num Count(std::uint64_t n);
  static Num Money(Int128 units);
  static Num Real(double v);
  double ToDouble() const;
  // Shortest exact text: "1234", "1234.5", "0.5614035087719298".
  std::string ToString() const;
};

}  // namespace crmkpi
