// Numbers as people read them (text_table.h): thousands separators and never a negative zero.
#include "write/text_table.h"

#include <catch2/catch.hpp>

using namespace crmkpi;

TEST_CASE("Fixed: thousands, rounding, and no '-0.0'", "[text_table]") {
  CHECK(Fixed(1234567.891, 2) == "1,234,567.89");
  CHECK(Fixed(-1234.5, 1) == "-1,234.5");
  CHECK(Fixed(0.0, 1) == "0.0");
  CHECK(Fixed(-0.0, 1) == "0.0");
  // A small negative value that rounds to zero was printed "-0.0" (timeliness, tree gaps).
  CHECK(Fixed(-0.04, 1) == "0.0");
  CHECK(Fixed(-0.004, 2) == "0.00");
  CHECK(Fixed(-0.4, 0) == "0");
  CHECK(Fixed(-0.06, 1) == "-0.1");
  CHECK(Fixed(-1e-12, 2) == "0.00");
}
