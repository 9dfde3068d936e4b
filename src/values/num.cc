#include "crmkpi/values/num.h"

#include <fmt/format.h>

#include "crmkpi/values/amount.h"

namespace crmkpi {

Num Num::Count(std::uint64_t n) {
  Num v;
  v.fixed = true;
  v.units = static_cast<Int128>(n) * kAmountScale;
  return v;
}

Num Num::Money(Int128 units) {
  Num v;
  v.fixed = true;
  v.units = units;
  return v;
}

Num Num::Real(double x) {
  Num v;
  v.real = x;
  return v;
}

double Num::ToDouble() const {
  return fixed ? static_cast<double>(units) / static_cast<double>(kAmountScale) : real;
}

std::string Num::ToString() const {
  if (!fixed) return fmt::format("{}", real);
  const bool negative = units < 0;
  UInt128 mag = negative ? static_cast<UInt128>(-units)
                                   : static_cast<UInt128>(units);
  const auto scale = static_cast<UInt128>(kAmountScale);
  UInt128 whole = mag / scale;
  auto frac = static_cast<unsigned>(mag % scale);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole != 0);
  std::string out = negative ? "-" + digits : digits;
  if (frac != 0) {
    std::string f = fmt::format("{:04d}", frac);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

}  // namespace crmkpi
