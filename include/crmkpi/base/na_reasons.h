// Reason codes of n/a results shared by formulas (formula.h) and the ROI figures (roi.h).
#pragma once

namespace crmkpi {

// Reason codes of n/a results that the formula itself produces (a variable's n/a keeps its own):
//   ZERO_DENOMINATOR  x / 0, 0 ^ -1
//   DOMAIN            sqrt(-1), ln(0), (-8) ^ 0.5, round(x, 1.5)
//   OVERFLOW          a result beyond ±1.8e308 (1e308 * 10, exp(1000))
//   EMPTY_FORMULA     a default-constructed Formula
inline constexpr char kReasonZeroDenominator[] = "ZERO_DENOMINATOR";
inline constexpr char kReasonDomain[] = "DOMAIN";
inline constexpr char kReasonOverflow[] = "OVERFLOW";
inline constexpr char kReasonEmptyFormula[] = "EMPTY_FORMULA";

}  // namespace crmkpi
