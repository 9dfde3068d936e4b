#include "crmkpi/write/tree_writer.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "crmkpi/base/terminal.h"
#include "crmkpi/base/text.h"
#include "crmkpi/write/json_writer.h"
#include "crmkpi/write/signs_writer.h"
#include "html_tree.h"
#include "crmkpi/write/tree_sheets.h"
#include "crmkpi/write/xlsx_writer.h"
#include "labels.h"
#include "text_table.h"

namespace crmkpi {
namespace {

std::string_view ReferenceName(ReferenceKind k) {
  switch (k) {
    case ReferenceKind::kTarget:
      return "target";
    case ReferenceKind::kBaseline:
      return "baseline";
    case ReferenceKind::kWhatIf:
      return "before what-if";
  }
  return "";
}

std::string Cell(const Value& v, Unit unit) {
  if (!v.v) return "n/a";
  return Human(Num::Real(*v.v), unit);
}

// A change in the root's unit: rates in points (a win-rate gap of −0.0833 is "-8.3 pt",
// "-8.3 ポイント" with --lang ja), amounts and counts as the report shows them.
std::string Signed(double x, Unit unit) {
  std::string s = unit == Unit::kRatio ? Fixed(std::fabs(x) * 100.0, 1) + PointsSuffix()
                                       : Human(Num::Real(std::fabs(x)), unit);
  return (x < 0 ? "-" : "+") + s;
}

// Contributions are parts of the root's gap, so they are in the root's unit.
void Rows(const TreeNode& n, const std::string& prefix, const std::string& child_prefix,
          Unit root_unit, bool targets, Table* t) {
  std::string name = n.id;
  if (!n.label.empty()) name = n.label + " " + n.id;
  std::string method = n.children.empty() ? "" : std::string(MethodName(n.method));
  if (!n.children.empty() && n.method == AttributionMethod::kNone && !n.method_note.empty()) {
    method += " (" + n.method_note + ")";
  }
  if (Shown(n.id)) t->rows.push_back({
      prefix + name,
      Cell(n.actual, n.unit),
      Cell(n.reference, n.unit) + (targets && n.target_derived ? " (derived)" : ""),
      n.achievement.v ? Fixed(*n.achievement.v * 100.0, 1) + " %" : "",
      n.status,
      n.contribution ? Signed(*n.contribution, root_unit) : "",
      n.contribution_share ? Fixed(*n.contribution_share * 100.0, 1) + " %" : "",
      method,
  });
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    const bool last = i + 1 == n.children.size();
    Rows(n.children[i], child_prefix + (last ? "└─ " : "├─ "),
         child_prefix + (last ? "   " : "│  "), root_unit, targets, t);
  }
}

void JsonNode(const TreeNode& n, int depth, JsonWriter* w) {
  w->Newline(depth).BeginObject().Key("id").String(n.id).Key("label").String(n.label);
  w->Key("value").Double(n.actual.v).Key("reference").Double(n.reference.v);
  w->Key("target").Double(n.target).Key("achievement").Double(n.achievement.v);
  w->Key("status").String(n.status).Key("contribution").Double(n.contribution);
  w->Key("contribution_share").Double(n.contribution_share).Key("method");
  if (n.children.empty()) {
    w->Null();
  } else {
    w->String(MethodName(n.method));
  }
  if (!n.actual.v) w->Key("reason").String(n.actual.reason);
  if (!n.method_note.empty()) w->Key("method_note").String(n.method_note);
  if (n.target_derived) w->Key("target_derived").Bool(true);
  if (n.target_from_children) w->Key("target_from_children").Double(n.target_from_children);
  if (n.identity_residual) w->Key("identity_residual").Double(n.identity_residual);
  w->Key("children").BeginArray();
  for (const TreeNode& c : n.children) JsonNode(c, depth + 1, w);
  w->EndArray().EndObject();
}

// The node ids of |tree| → why each blocks the attribution.
std::map<std::string, std::string> BlockedReasons(const TreeResult& tree) {
  std::map<std::string, std::string> out;
  for (const BlockedNode& b : tree.blocked) out.emplace(b.id, b.reason);
  return out;
}

void CsvRows(const TreeNode& n, const std::string& parent, int depth,
             const std::map<std::string, std::string>& blocked, const std::string& period_cells,
             std::string* out) {
  auto num = [](const std::optional<double>& v) {
    return v ? fmt::format("{}", *v == 0 ? 0.0 : *v) : "";  // never "-0"
  };
  const auto why = blocked.find(n.id);
  *out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}{}\n", CsvField(n.id),
                      CsvField(parent), depth, CsvField(n.label), num(n.actual.v),
                      num(n.reference.v), num(n.target), num(n.achievement.v),
                      CsvField(n.status), num(n.contribution), num(n.contribution_share),
                      n.children.empty() ? "" : std::string(MethodName(n.method)),
                      n.target_derived ? "true" : "false", num(n.target_from_children),
                      why == blocked.end() ? "" : CsvField(why->second), period_cells);
  for (const TreeNode& c : n.children) CsvRows(c, n.id, depth + 1, blocked, period_cells, out);
}

void JsonPeriod(const TreePeriod& p, JsonWriter* w) {
  w->Key("first_day").String(p.first_day).Key("last_day").String(p.last_day);
  if (!p.has_rows) w->Key("reason").String("NO_ROWS");
}

std::string_view BaselineWords(const std::string& kind) {
  return kind == "previous" ? "the previous period" : "the same period a year earlier";
}

std::string PeriodText(const TreePeriod& p) {
  return fmt::format("{} ({} … {})", p.label, p.first_day, p.last_day);
}

// The heading's second line: which period the tree is of, and against what.
std::string PeriodLine(const TreeResult& tree) {
  if (!tree.period) return {};
  std::string out = "Period " + PeriodText(*tree.period);
  if (tree.reference_period) {
    out += fmt::format(" against {}, {}", BaselineWords(tree.baseline_kind),
                       PeriodText(*tree.reference_period));
  } else if (tree.reference_kind == ReferenceKind::kTarget) {
    out += " against the targets";
  }
  for (const TreePeriod* p : {&*tree.period, tree.reference_period ? &*tree.reference_period : nullptr}) {
    if (p != nullptr && !p->has_rows) {
      out += fmt::format("; no row fell in {}: its values are n/a (NO_ROWS)", p->label);
    }
  }
  return out;
}

// Below the table: what the (derived) mark means, which nodes block the attribution and which
// targets do not multiply out.
std::string Notes(const TreeResult& tree, bool md) {
  std::string out;
  auto section = [&](const std::string& title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    out += md ? "\n" + title + "\n\n" : "\n" + title + "\n";
    for (const std::string& l : lines) out += (md ? "- " : "  ") + l + "\n";
  };
  bool derived = false;
  std::vector<std::string> mismatches;
  std::function<void(const TreeNode&)> walk = [&](const TreeNode& n) {
    derived = derived || n.target_derived;
    if (n.target_from_children) {
      const std::string line =
          fmt::format("{} — target {}, its children's targets give {}", n.id,
                      Cell(Value::Number(*n.target), n.unit),
                      Cell(Value::Number(*n.target_from_children), n.unit));
      if (std::find(mismatches.begin(), mismatches.end(), line) == mismatches.end()) {
        mismatches.push_back(line);
      }
    }
    for (const TreeNode& c : n.children) walk(c);
  };
  for (const TreeNode& r : tree.roots) walk(r);
  if (derived && tree.reference_kind == ReferenceKind::kTarget) {
    out += "\n(derived): the node has no target of its own; its target is its formula at its "
           "children's targets\n";
  }
  std::vector<std::string> blocked;
  for (const BlockedNode& b : tree.blocked) blocked.push_back(b.id + " — " + b.reason);
  section(md ? "**Attribution blocked by** (a node without a target is taken at its actual value "
               "and explains none of its branch's gap):"
             : "Attribution blocked by (a node without a target is taken at its actual value "
               "and explains none of its branch's gap):",
          blocked);
  if (tree.reference_kind == ReferenceKind::kTarget) {
    section(md ? "**Targets that do not multiply out** (the node's own target is used; its "
                 "children explain another gap):"
               : "Targets that do not multiply out (the node's own target is used; its children "
                 "explain another gap):",
            mismatches);
  }
  return out;
}

// The tree's own JSON keys: its roots, warnings and blocked nodes.
void JsonTreeKeys(const TreeResult& tree, JsonWriter* w) {
  w->Newline().Key("tree").BeginArray();
  for (const TreeNode& r : tree.roots) JsonNode(r, 0, w);
  w->EndArray();
  w->Newline().Key("warnings").BeginArray();
  for (const std::string& warning : tree.warnings) w->String(warning);
  w->EndArray();
  w->Newline().Key("blocked").BeginArray();
  for (const BlockedNode& b : tree.blocked) {
    w->BeginObject().Key("id").String(b.id).Key("reason").String(b.reason).EndObject();
  }
  w->EndArray();
}

std::string GroupText(const TreeResult& tree) {
  std::string out;
  for (const auto& [column, value] : tree.group) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", column, value.empty() ? "(empty)" : value);
  }
  return out;
}

std::string HumanTree(const TreeResult& tree, bool md) {
  const bool targets = tree.reference_kind == ReferenceKind::kTarget;
  Table t;
  t.head = {"node",
            "actual",
            tree.reference_period ? tree.reference_period->label
                                  : std::string(ReferenceName(tree.reference_kind)),
            "achv.",
            "status",
            "Δ explained",
            "% of gap",
            "split"};
  if (tree.period) t.head[1] = tree.period->label;
  t.right = {false, true, true, true, false, true, true, false};
  for (const TreeNode& r : tree.roots) Rows(r, "", "", r.unit, targets, &t);
  const std::string title =
      tree.group.empty() ? Localized("KPI tree")
      : Terminal().ja    ? GroupText(tree) + " の KPIツリー"
                         : "KPI tree of " + GroupText(tree);
  std::string out = md ? "# " + title + "\n\n" : title + "\n";
  if (const std::string line = PeriodLine(tree); !line.empty()) {
    out += line + (md ? "\n\n" : "\n");
  }
  out += t.Render(md);
  out += Notes(tree, md);
  return out;
}

}  // namespace

std::string WriteTree(const TreeResult& tree, const Report& kpis, Format format,
                      const std::vector<TreeResult>& groups) {
  if (format == Format::kHtml) return html::TreePage(tree, kpis, groups);
  if (format == Format::kXlsx) return WriteXlsx(TreeWorkbook(tree, kpis, groups));
  if (format == Format::kJson) {
    JsonWriter w;
    w.BeginObject().VersionKeys().Key("reference").String(ReferenceName(tree.reference_kind));
    if (tree.period) {
      w.Newline().Key("period").BeginObject().Key("label").String(tree.period->label);
      JsonPeriod(*tree.period, &w);
      w.EndObject();
    }
    if (tree.reference_period) {
      w.Newline().Key("baseline").BeginObject().Key("kind").String(tree.baseline_kind);
      w.Key("period").String(tree.reference_period->label);
      JsonPeriod(*tree.reference_period, &w);
      w.Key("actual_period").String(tree.period ? tree.period->label : "");
      w.EndObject();
    }
    JsonTreeKeys(tree, &w);
    if (!groups.empty()) {
      w.Newline().Key("groups").BeginArray();
      for (const TreeResult& g : groups) {
        w.Newline().BeginObject().Key("group").BeginObject();
        for (const auto& [column, value] : g.group) w.Key(column).String(value);
        w.EndObject();
        if (g.period && !g.period->has_rows) w.Key("reason").String("NO_ROWS");
        JsonTreeKeys(g, &w);
        w.EndObject();
      }
      w.EndArray();
    }
    // The flat KPI report of the same run, as `report --format json` prints it.
    w.Newline().Key("kpis");
    WriteJsonKpis(kpis, &w);
    WriteJsonMergedSpellings(kpis, &w);
    if (!kpis.signs.empty()) WriteJsonSigns(kpis, &w);
    w.EndObject().Newline();
    return w.Take();
  }
  if (format == Format::kCsv) {
    // With --by: the group's columns first, empty on the whole data's rows.
    std::vector<std::string> columns;
    if (!groups.empty()) {
      for (const auto& [column, value] : groups.front().group) columns.push_back(column);
    }
    std::string out;
    for (const std::string& c : columns) out += CsvField(c) + ",";
    out +=
        "id,parent,depth,label,value,reference,target,achievement,status,contribution,"
        "contribution_share,method,target_derived,target_from_children,blocked";
    if (tree.period) {
      out += ",period,period_first_day,period_last_day,reference_period,reference_first_day,"
             "reference_last_day";
    }
    out += "\n";
    auto rows = [&](const TreeResult& t) {
      std::string period_cells;
      if (t.period) {
        const TreePeriod none;
        const TreePeriod& ref = t.reference_period ? *t.reference_period : none;
        period_cells = fmt::format(",{},{},{},{},{},{}", CsvField(t.period->label),
                                   t.period->first_day, t.period->last_day,
                                   CsvField(ref.label), ref.first_day, ref.last_day);
      }
      std::string lead;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        lead += (i < t.group.size() ? CsvField(t.group[i].second) : std::string()) + ",";
      }
      const std::map<std::string, std::string> blocked = BlockedReasons(t);
      std::string body;
      for (const TreeNode& r : t.roots) CsvRows(r, "", 0, blocked, period_cells, &body);
      std::size_t at = 0;  // each line gets the group's cells in front
      while (at < body.size()) {
        const std::size_t end = body.find('\n', at);
        out += lead + body.substr(at, end - at + 1);
        at = end + 1;
      }
    };
    rows(tree);
    for (const TreeResult& g : groups) rows(g);
    return out;
  }
  const bool md = format == Format::kMarkdown;
  std::string out = HumanTree(tree, md);
  for (const TreeResult& g : groups) out += "\n" + HumanTree(g, md);
  out += SignsSection(kpis, md);
  return out;
}

}  // namespace crmkpi
