// The sheets of `crmkpi tree -f xlsx`: one per tree (the whole data's, then each group's with
// --by), one row per node in tree order, then the failure signs.
#include "crmkpi/write/tree_sheets.h"

#include <map>

#include <fmt/format.h>

#include "crmkpi/evaluate/attribution.h"
#include "crmkpi/write/report_sheets.h"

namespace crmkpi {
namespace {

void Rows(const TreeNode& n, const std::string& parent, int depth, Unit root_unit,
          const std::map<std::string, std::string>& blocked, Sheet* s) {
  const auto why = blocked.find(n.id);
  s->rows.push_back({
      Cell::Text(std::string(static_cast<std::size_t>(depth) * 2, ' ') + n.id),
      Cell::Text(parent),
      Cell::Number(depth, CellKind::kCount),
      Cell::Text(n.label),
      Cell::Of(n.actual.v, n.unit),
      Cell::Text(n.actual.v ? "" : n.actual.reason),
      Cell::Of(n.reference.v, n.unit),
      Cell::Of(n.target, n.unit),
      Cell::Of(n.achievement.v, Unit::kRatio),
      Cell::Text(n.status),
      Cell::Of(n.contribution, root_unit),
      Cell::Of(n.contribution_share, Unit::kRatio),
      Cell::Text(n.children.empty() ? "" : std::string(MethodName(n.method))),
      Cell::Text(n.target_derived ? "derived" : ""),
      Cell::Text(why == blocked.end() ? "" : why->second),
  });
  for (const TreeNode& c : n.children) Rows(c, n.id, depth + 1, root_unit, blocked, s);
}

Sheet TreeSheet(const TreeResult& tree) {
  Sheet s;
  std::string group;
  for (const auto& [column, value] : tree.group) {
    group += fmt::format("{}{} {}", group.empty() ? "" : ", ", column,
                         value.empty() ? "(empty)" : value);
  }
  s.name = group.empty() ? "KPI tree" : "Tree " + group;
  s.columns = {"node", "parent", "depth", "label", "actual", "n/a reason", "reference",
               "target", "achievement", "status", "contribution", "contribution_share",
               "method", "target_derived", "blocked"};
  if (tree.period) s.columns[4] = "actual " + tree.period->label;
  if (tree.reference_period) s.columns[6] = "reference " + tree.reference_period->label;
  std::map<std::string, std::string> blocked;
  for (const BlockedNode& b : tree.blocked) blocked.emplace(b.id, b.reason);
  for (const TreeNode& r : tree.roots) Rows(r, "", 0, r.unit, blocked, &s);
  return s;
}

}  // namespace

void AddTreeSheets(const TreeResult& tree, const std::vector<TreeResult>& groups,
                   Workbook* book) {
  book->sheets.push_back(TreeSheet(tree));
  for (const TreeResult& g : groups) book->sheets.push_back(TreeSheet(g));
  if (tree.period) {
    book->settings.emplace_back(
        "period", fmt::format("{} ({} … {})", tree.period->label, tree.period->first_day,
                              tree.period->last_day));
  }
  if (tree.reference_period) {
    book->settings.emplace_back(
        "baseline", fmt::format("{}: {} ({} … {})", tree.baseline_kind,
                                tree.reference_period->label, tree.reference_period->first_day,
                                tree.reference_period->last_day));
  }
  for (const std::string& w : tree.warnings) book->settings.emplace_back("tree warning", w);
}

Workbook TreeWorkbook(const TreeResult& tree, const Report& kpis,
                      const std::vector<TreeResult>& groups) {
  Workbook book;
  AddTreeSheets(tree, groups, &book);
  // The flat KPIs of the same run (JSON "kpis") and the failure signs.
  Workbook flat = ReportWorkbook(kpis);
  for (Sheet& s : flat.sheets) {
    if (s.name == "Total") s.name = "KPIs";
    book.sheets.push_back(std::move(s));
  }
  book.settings.insert(book.settings.end(), flat.settings.begin(), flat.settings.end());
  return book;
}

}  // namespace crmkpi
