#include "html_tree.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "crmkpi/base/utf8.h"
#include "html_page.h"
#include "html_report.h"
#include "svg_chart.h"
#include "text_table.h"

namespace crmkpi::html {
namespace {

std::string Shown(const std::optional<double>& v, Unit unit) {
  return v ? Human(Num::Real(*v), unit) : "n/a";
}

std::string Signed(double x, Unit unit) {
  const std::string s = unit == Unit::kRatio ? Fixed(std::fabs(x) * 100.0, 1) + " pt"
                                             : Human(Num::Real(std::fabs(x)), Unit::kNumber);
  return (x < 0 ? "−" : "+") + s;
}

std::string_view ShapeOf(const std::string& status) {
  if (status == "on track") return "▲";
  if (status == "off track") return "▼";
  return "■";
}

std::string NodeName(const TreeNode& n) { return n.label.empty() ? n.id : n.label; }

// Left-to-right layout: a column per depth, a row per leaf, a parent centred on its children.
struct Placed {
  const TreeNode* node;
  int depth;
  double y;
};

// |s| cut to at most |bytes| bytes at a character boundary, with an ellipsis.
std::string Cut(const std::string& s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "…";
}

std::string Diagram(const TreeResult& tree, Unit root_unit) {
  // Pre-order: each node, then its children; parent_of in the same order.
  std::vector<Placed> placed;
  std::vector<std::size_t> parent_of;
  double next_leaf = 0;
  int max_depth = 0;
  std::function<double(const TreeNode&, int, std::size_t)> place =
      [&](const TreeNode& n, int depth, std::size_t parent) -> double {
    max_depth = std::max(max_depth, depth);
    const std::size_t me = placed.size();
    placed.push_back({&n, depth, 0});
    parent_of.push_back(parent);
    double y = 0;
    if (n.children.empty()) {
      y = next_leaf++;
    } else {
      double first = 0, last = 0;
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        const double cy = place(n.children[i], depth + 1, me);
        if (i == 0) first = cy;
        last = cy;
      }
      y = (first + last) / 2;
    }
    placed[me].y = y;
    return y;
  };
  for (const TreeNode& r : tree.roots) place(r, 0, SIZE_MAX);
  const double box_w = 196, box_h = 62, col = 236, row = 74, pad = 8;
  const int w = static_cast<int>(pad * 2 + col * max_depth + box_w);
  const int h = static_cast<int>(pad * 2 + row * std::max(next_leaf, 1.0) - (row - box_h));
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"img\" aria-label=\"KPI tree\"><title>KPI tree</title>\n",
      w, h, w, h);
  auto X = [&](int depth) { return pad + col * depth; };
  auto Y = [&](double y) { return pad + row * y; };
  for (std::size_t i = 0; i < placed.size(); ++i) {
    if (parent_of[i] == SIZE_MAX) continue;
    const Placed& p = placed[parent_of[i]];
    const double x0 = X(p.depth) + box_w, y0 = Y(p.y) + box_h / 2;
    const double x1 = X(placed[i].depth), y1 = Y(placed[i].y) + box_h / 2;
    const double xm = (x0 + x1) / 2;
    out += fmt::format("<path class=\"edge\" d=\"M{:.1f},{:.1f} H{:.1f} V{:.1f} H{:.1f}\"/>\n", x0,
                       y0, xm, y1, x1);
  }
  auto text = [](double x, double y, const std::string& s, const char* extra = "") {
    return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\"{}>{}</text>\n", x, y, extra, Esc(s));
  };
  for (const Placed& p : placed) {
    const TreeNode& n = *p.node;
    const double x = X(p.depth), y = Y(p.y);
    out += fmt::format(
        "<g><rect class=\"node {}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" "
        "height=\"{}\" rx=\"6\"/>\n",
        StatusKind(n.status), x, y, box_w, box_h);
    std::string name = NodeName(n);
    while (DisplayWidth(name) > 30) name = Cut(name, name.size() - 4);
    out += text(x + 8, y + 15, name, " style=\"font-weight:600\"");
    out += text(x + 8, y + 30, Shown(n.actual.v, n.unit) + " / " + Shown(n.reference.v, n.unit));
    std::string line3 = std::string(ShapeOf(n.status)) + " " + n.status;
    if (n.achievement.v) line3 += " " + Fixed(*n.achievement.v * 100.0, 1) + " %";
    out += text(x + 8, y + 44, line3);
    if (n.contribution_share) {
      out += text(x + 8, y + 57,
                  "gap share " + Fixed(*n.contribution_share * 100.0, 1) + " % (" +
                      Signed(*n.contribution, root_unit) + ")",
                  " style=\"font-size:10px\"");
    }
    out += "</g>\n";
  }
  return out + "</svg>";
}

void Rows(const TreeNode& n, const std::string& ptr, int depth, Unit root_unit,
          std::vector<std::vector<Cell>>* rows) {
  auto num = [&](const std::optional<double>& v, Unit unit, const std::string& key) {
    return v ? NumCell(Shown(v, unit), ptr + "/" + key, NumText(*v)) : TextCell("");
  };
  std::vector<Cell> cells;
  cells.push_back(Cell{"<span style=\"padding-left:" + std::to_string(depth * 14) + "px\">" +
                           Esc(NodeName(n)) + "</span> <small>" + Esc(n.id) + "</small>",
                       false,
                       {}});
  cells.push_back(n.actual.v ? num(n.actual.v, n.unit, "value") : TextCell("n/a"));
  cells.push_back(num(n.reference.v, n.unit, "reference"));
  cells.push_back(num(n.target, n.unit, "target"));
  cells.push_back(n.achievement.v ? NumCell(Fixed(*n.achievement.v * 100.0, 1) + " %",
                                            ptr + "/achievement", NumText(*n.achievement.v))
                                  : TextCell(""));
  cells.push_back(Cell{StatusMark(n.status), false, {}});
  cells.push_back(n.contribution ? NumCell(Signed(*n.contribution, root_unit),
                                           ptr + "/contribution", NumText(*n.contribution))
                                 : TextCell(""));
  cells.push_back(n.contribution_share
                      ? NumCell(Fixed(*n.contribution_share * 100.0, 1) + " %",
                                ptr + "/contribution_share", NumText(*n.contribution_share))
                      : TextCell(""));
  rows->push_back(std::move(cells));
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    Rows(n.children[i], ptr + "/children/" + std::to_string(i), depth + 1, root_unit, rows);
  }
}

void Leaves(const TreeNode& n, std::vector<const TreeNode*>* out) {
  if (n.children.empty()) {
    out->push_back(&n);
    return;
  }
  for (const TreeNode& c : n.children) Leaves(c, out);
}

}  // namespace

std::string TreeSections(const TreeResult& tree, const std::string& prefix, bool diagram) {
  std::string title = "KPI tree";
  for (const auto& [column, value] : tree.group) {
    title +=
        (title == "KPI tree" ? " of " : ", ") + column + " " + (value.empty() ? "(empty)" : value);
  }
  std::string sub;
  if (tree.period) sub = "Period " + tree.period->label;
  if (tree.reference_period) sub += " against " + tree.reference_period->label;
  Table t;
  t.head = {"node",        "actual", "reference",   "target",
            "achievement", "status", "Δ explained", "share of gap"};
  t.num = {false, true, true, true, true, false, true, true};
  std::string out;
  for (std::size_t r = 0; r < tree.roots.size(); ++r) {
    Rows(tree.roots[r], prefix + "/tree/" + std::to_string(r), 0, tree.roots[r].unit, &t.rows);
  }
  std::string body = sub.empty() ? "" : "<p class=\"note\">" + Esc(sub) + "</p>";
  if (diagram && !tree.roots.empty()) {
    body += "<div>" + Diagram(tree, tree.roots.front().unit) + "</div>";
    body +=
        "<p class=\"note\">Each box: actual / reference, status (▲ on track, ▼ off track, ■ "
        "no target) and achievement, and the share of the root's gap the node explains.</p>";
  }
  body += t.Render();
  for (const BlockedNode& b : tree.blocked) {
    body +=
        "<p class=\"note\">attribution blocked by " + Esc(b.id) + " — " + Esc(b.reason) + "</p>";
  }
  for (const std::string& w : tree.warnings)
    body += "<p class=\"note\">warning: " + Esc(w) + "</p>";
  out += Section(tree.group.empty() ? "tree" : "tree-group", title, body);
  // The attribution as a waterfall: from the root's reference through each leaf's contribution
  // to the root's actual (any rest not attributed as one more step).
  for (const TreeNode& root : tree.roots) {
    if (!diagram || !root.actual.v || !root.reference.v || root.children.empty()) continue;
    std::vector<const TreeNode*> leaves;
    Leaves(root, &leaves);
    std::vector<svg::Step> steps;
    double sum = 0;
    Table wt;
    wt.head = {"step", "Δ explained", "share of gap"};
    wt.num = {false, true, true};
    for (const TreeNode* l : leaves) {
      if (!l->contribution) continue;
      steps.push_back({NodeName(*l), *l->contribution, Signed(*l->contribution, root.unit)});
      sum += *l->contribution;
      wt.rows.push_back(
          {TextCell(NodeName(*l)), TextCell(Signed(*l->contribution, root.unit)),
           TextCell(l->contribution_share ? Fixed(*l->contribution_share * 100.0, 1) + " %" : "")});
    }
    if (steps.empty()) continue;
    const double gap = *root.actual.v - *root.reference.v;
    if (std::fabs(gap - sum) > 1e-9 * std::max(1.0, std::fabs(gap))) {
      steps.push_back({"not attributed", gap - sum, Signed(gap - sum, root.unit)});
      wt.rows.push_back(
          {TextCell("not attributed"), TextCell(Signed(gap - sum, root.unit)), TextCell("")});
    }
    const auto tick = [unit = root.unit](double v) {
      if (unit == Unit::kRatio) return Fixed(v * 100.0, 0) + " %";
      if (std::fabs(v) >= 1e6) return Fixed(v / 1e6, 1) + "M";
      if (std::fabs(v) >= 1e4) return Fixed(v / 1e3, 0) + "k";
      return Fixed(v, 0);
    };
    const std::string ref_name =
        tree.reference_kind == ReferenceKind::kTarget ? "target" : "reference";
    out += Section(
        "attribution", "Attribution of " + NodeName(root) + "'s gap",
        ChartWithTable(svg::Waterfall("Attribution waterfall", ref_name, *root.reference.v,
                                      Shown(root.reference.v, root.unit), steps, "actual",
                                      *root.actual.v, Shown(root.actual.v, root.unit), tick),
                       wt.Render()));
  }
  return out;
}

std::string TreePage(const TreeResult& tree, const Report& kpis,
                     const std::vector<TreeResult>& groups) {
  PageHead head;
  head.title = "crmkpi tree";
  head.subtitle = ReportSubtitle(kpis);
  head.lang = ReportLang(kpis);
  std::string body = Section("kpis", "KPIs", KpiCards(kpis, ""));
  body += TreeSections(tree, "", true);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    body += TreeSections(groups[g], "/groups/" + std::to_string(g), groups.size() <= 12);
  }
  return Page(head, body);
}

}  // namespace crmkpi::html
