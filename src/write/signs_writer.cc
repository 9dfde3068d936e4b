#include "crmkpi/write/signs_writer.h"

#include <fmt/format.h>

namespace crmkpi {

std::string SignsSection(const Report& report, bool md) {
  if (report.signs.empty()) return {};
  std::string out = md ? "\n## Failure signs\n\n" : "\nFailure signs\n";
  for (const FailureSign& s : report.signs) {
    out += md ? fmt::format("- **{}**: {}\n  - remedy: {}\n", s.kind, s.message, s.remedy)
              : fmt::format("  {}: {}\n    remedy: {}\n", s.kind, s.message, s.remedy);
  }
  return out;
}

void WriteJsonSigns(const Report& report, JsonWriter* w) {
  w->Newline().Key("signs").BeginArray();
  for (const FailureSign& s : report.signs) {
    w->Newline().BeginObject().Key("kind").String(s.kind).Key("kpis").BeginArray();
    for (const std::string& k : s.kpis) w->String(k);
    w->EndArray().Key("periods").BeginArray();
    for (const std::string& p : s.periods) w->String(p);
    w->EndArray().Key("message").String(s.message).Key("remedy").String(s.remedy).EndObject();
  }
  w->EndArray();
}

}  // namespace crmkpi
