// `crmkpi views -c kpi.ini`: the audience views of a definition (definition/view_def.h) — each
// with its audience, the KPIs it shows, its period, grouping, compare and trend — as a table,
// Markdown, CSV or JSON (docs/schema/views.json).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "crmkpi/write/report_writer.h"  // Format

namespace crmkpi {

struct ViewListRow {
  std::string name, audience;
  bool built_in = false;           // a default view
  std::string selects;             // what it selects: "layer = process", "kpis = a, b"
  std::vector<std::string> kpis;   // the KPIs that selects in the definition (may be empty)
  std::optional<std::string> period;  // "month", "none"; nullopt: the metrics' own
  std::optional<std::string> by;      // "owner", "owner+source, product", "none"; nullopt: the metrics' own
  std::string compare;                // "previous", "year-ago"; "" none
  std::optional<std::size_t> trend;
};

// |definition|: the INI's name; |defaults|: the rows are the default views (it has no [view]).
std::string WriteViewList(const std::string& definition, bool defaults,
                          const std::vector<ViewListRow>& rows, Format format);

}  // namespace crmkpi
