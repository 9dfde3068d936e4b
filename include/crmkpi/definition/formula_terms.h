// SplitTerms: a formula's text cut into its top-level terms, so a report can show what each
// term of a sum contributed ("(revenue_after - revenue_before) * margin + hours * cost" →
// the two products). Text only: each piece is parsed as a formula by the caller.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

struct TermText {
  int sign = 1;            // the + or − in front of the term
  std::string text;        // the term without that sign, trimmed
  std::size_t offset = 0;  // byte offset of text in the formula
};

// "a*b + c - (d - e)" → (+ "a*b"), (+ "c"), (− "(d - e)"); "-a + b" → (− "a"), (+ "b").
// A formula that is not a sum at the top (a comparison, a logical operator, one term) is one
// term. Signs inside parentheses and function calls, unary signs after an operator
// ("a * -b") and exponent signs ("1e-3") are not split on.
std::vector<TermText> SplitTerms(std::string_view formula);

}  // namespace crmkpi
