// A CSV header's names: the normal form columns are matched by, finding a column by name (an
// ambiguous name is an error, never the first match), duplicate names, and the list of names
// that messages quote.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

// Header normal form for matching: ASCII lower case; spaces (incl. U+3000), '_', '-', '.',
// '(' and ')' removed.
std::string NormalizeHeader(std::string_view header);

// Finds |name| in |header|: an exact match first, then a match of the normal forms. Returns -1
// when absent. Throws Error(kUsage) when the name is ambiguous: two headers match it exactly,
// or none exactly and two by their normal forms (duplicate header names; which one was meant
// cannot be known, and binding the first would silently read the wrong column).
int FindColumn(const std::vector<std::string>& header, std::string_view name);
// The exact match alone: -1 when none; Error(kUsage) when two headers are |name|.
int FindExactColumn(const std::vector<std::string>& header, std::string_view name);

// A header name that an earlier one already has (field |again| repeats field |first|, both
// 0-based), exactly or in normal form (NormalizeHeader).
struct HeaderDuplicate {
  std::size_t first = 0;
  std::size_t again = 0;
};
// Every duplicate of |header|, in order of |again|; each paired with the first field of that
// name. Linear in the header's size.
std::vector<HeaderDuplicate> FindDuplicateHeaders(const std::vector<std::string>& header);

// "'a', 'b', 'c'" for messages listing what a file has. When the header is one field holding
// ';', a tab or '|' (a file read with the wrong delimiter), it adds a hint naming --delimiter.
std::string QuoteHeaders(const std::vector<std::string>& header);

}  // namespace crmkpi
