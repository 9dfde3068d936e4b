// Internal: the runnable examples each command's --help ends with (help_examples.cc).
#pragma once

#include <string>
#include <string_view>

namespace crmkpi {

// "Examples (from the repository's root):\n  crmkpi …\n" for |command| ("" = crmkpi itself);
// "" when it has none.
std::string ExamplesText(std::string_view command);

}  // namespace crmkpi
