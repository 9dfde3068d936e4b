// 128-bit integers (a GCC/Clang extension): exact sums of fixed-point amounts that cannot
// overflow on any export (2^127 / 10^4 units).
#pragma once

namespace crmkpi {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

}  // namespace crmkpi
