// Internal: the words of the text and Markdown outputs in Japanese (--lang ja): table
// headings, statuses and section titles, in one table (labels.cc). JSON and CSV keep the
// English words, which are part of the machine contract.
#pragma once

#include <string>
#include <string_view>

namespace crmkpi {

// |en| in Japanese when Terminal().ja and the table has it; else |en| itself.
std::string Localized(std::string_view en);

}  // namespace crmkpi
