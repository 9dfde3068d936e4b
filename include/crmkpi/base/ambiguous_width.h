// East Asian Width "A" code points (src/base/ambiguous_width.cc, generated from Unicode).
#pragma once

namespace crmkpi {

// Drawn 2 columns wide by CJK terminals (--ambiguous-wide), 1 by others: ─ │ ○ ① α …
bool IsAmbiguousWidth(char32_t cp);

}  // namespace crmkpi
