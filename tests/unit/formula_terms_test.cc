// SplitTerms (crmkpi/formula_terms.h): the top-level terms of a gain formula, which `crmkpi roi`
// prints one by one.
#include "crmkpi/definition/formula_terms.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

std::vector<std::string> Terms(std::string_view formula) {
  std::vector<std::string> out;
  for (const TermText& t : SplitTerms(formula)) out.push_back((t.sign < 0 ? "-" : "+") + t.text);
  return out;
}

TEST_CASE("ROI gain formulas split into their top-level terms", "[roi][formula]") {
  CHECK(Terms("(revenue_after - revenue_before) * margin + hours * cost") ==
        std::vector<std::string>{"+(revenue_after - revenue_before) * margin", "+hours * cost"});
  CHECK(Terms("a - b + c") == std::vector<std::string>{"+a", "-b", "+c"});
  CHECK(Terms("-a + b") == std::vector<std::string>{"-a", "+b"});
  CHECK(Terms("-a") == std::vector<std::string>{"-a"});
  CHECK(Terms("a * -b") == std::vector<std::string>{"+a * -b"});
  CHECK(Terms("1e-3 * x + 2E+2") == std::vector<std::string>{"+1e-3 * x", "+2E+2"});
  CHECK(Terms("rate - 1") == std::vector<std::string>{"+rate", "-1"});
  CHECK(Terms("max(a - b, 0) + 10% * c") == std::vector<std::string>{"+max(a - b, 0)", "+10% * c"});
  CHECK(Terms("2 ^ -1 - x") == std::vector<std::string>{"+2 ^ -1", "-x"});
  // A comparison is not a sum: one term.
  CHECK(Terms("a + b > c") == std::vector<std::string>{"+a + b > c"});
  CHECK(Terms("  x  ") == std::vector<std::string>{"+x"});
}

}  // namespace
}  // namespace crmkpi
