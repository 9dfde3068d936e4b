#include "targets_section.h"

#include <algorithm>

#include <fmt/format.h>

#include "text_table.h"

namespace crmkpi {
namespace {

std::string Cell(double v, const KpiValue& k) {
  std::string out = Human(Num::Real(v), k.unit);
  if (k.unit == Unit::kAmount && !k.currency.empty()) out += " " + k.currency;
  return out;
}

std::string Percent(const std::optional<double>& v) {
  return v ? Fixed(*v * 100.0, 1) + " %" : "";
}

// The gap as a person reads it: signed, rates in points.
std::string Gap(const KpiValue& v) {
  if (!v.gap) return "";
  const double g = *v.gap;
  const std::string sign = g > 0 ? "+" : "";
  if (v.unit == Unit::kRatio) return sign + Fixed(g * 100.0, 1) + " pt";
  return sign + Cell(g, v);
}

}  // namespace

std::string TargetsSection(const Report& report, bool md) {
  if (report.targets.empty()) return {};
  std::string out;
  for (const Grouping& g : report.groupings) {
    Table t;
    for (const auto& k : g.keys) {
      t.head.push_back(k);
      t.right.push_back(false);
    }
    const std::vector<std::string> head = {"KPI",    "actual", "target",  "achv.", "gap",
                                           "status", "elapsed", "landing", "pace"};
    const std::vector<bool> right = {false, true, true, true, true, false, true, true, false};
    t.head.insert(t.head.end(), head.begin(), head.end());
    t.right.insert(t.right.end(), right.begin(), right.end());
    for (const GroupRow& r : g.rows) {
      for (const KpiValue& v : r.kpis) {
        if (v.target_source.empty()) continue;
        std::vector<std::string> cells;
        for (std::size_t i = 0; i < r.values.size(); ++i) {
          cells.push_back(r.values[i].empty() ? "(empty)" : r.values[i]);
        }
        cells.push_back(v.label.empty() ? v.id : v.label);
        cells.push_back(v.value ? Cell(v.value->ToDouble(), v) : "n/a");
        cells.push_back(Cell(*v.target, v));
        cells.push_back(Percent(v.achievement));
        cells.push_back(Gap(v));
        cells.push_back(v.status);
        if (v.pace) {
          cells.push_back(Percent(v.pace->elapsed));
          cells.push_back(v.pace->landing ? Cell(*v.pace->landing, v) : "");
          cells.push_back(v.pace->status);
        } else {
          cells.insert(cells.end(), {"", "", ""});
        }
        t.rows.push_back(std::move(cells));
      }
    }
    if (t.rows.empty()) continue;
    std::string title;
    for (const auto& k : g.keys) title += (title.empty() ? "" : " × ") + k;
    out += md ? fmt::format("\n## Targets by {}\n\n", title)
              : fmt::format("\nTargets by {} ({})\n", title, report.targets);
    if (md) out += fmt::format("From {}.\n\n", report.targets);
    out += t.Render(md);
  }
  if (!out.empty() && !report.as_of.empty()) {
    out += fmt::format(
        "{}elapsed: the share of the period's days up to the as-of ({}); landing: actual ÷ "
        "elapsed for KPIs that add up over time (counts, sums), the actual once the period "
        "has ended\n",
        md ? "\n" : "  ", report.as_of.substr(0, 10));
  }
  return out;
}

}  // namespace crmkpi
