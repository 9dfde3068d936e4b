#include "crmkpi/write/tree_writer.h"

#include <cmath>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/write/json_writer.h"
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

// A change in the node's own unit: ratios as fractions with 4 decimals (a win-rate gap of
// −0.0833), amounts and counts as numbers.
std::string Signed(double x, Unit unit) {
  std::string s = unit == Unit::kRatio ? Fixed(std::fabs(x), 4)
                                       : Human(Num::Real(std::fabs(x)), Unit::kNumber);
  return (x < 0 ? "-" : "+") + s;
}

// Contributions are parts of the root's gap, so they are in the root's unit.
void Rows(const TreeNode& n, const std::string& prefix, const std::string& child_prefix,
          Unit root_unit, Table* t) {
  std::string name = n.id;
  if (!n.label.empty()) name = n.label + " " + n.id;
  std::string method = n.children.empty() ? "" : std::string(MethodName(n.method));
  if (!n.children.empty() && n.method == AttributionMethod::kNone && !n.method_note.empty()) {
    method += " (" + n.method_note + ")";
  }
  t->rows.push_back({
      prefix + name,
      Cell(n.actual, n.unit),
      Cell(n.reference, n.unit),
      n.achievement.v ? Fixed(*n.achievement.v * 100.0, 1) + " %" : "",
      n.status,
      n.contribution ? Signed(*n.contribution, root_unit) : "",
      n.contribution_share ? Fixed(*n.contribution_share * 100.0, 1) + " %" : "",
      method,
  });
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    const bool last = i + 1 == n.children.size();
    Rows(n.children[i], child_prefix + (last ? "└─ " : "├─ "),
         child_prefix + (last ? "   " : "│  "), root_unit, t);
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
  if (n.identity_residual) w->Key("identity_residual").Double(n.identity_residual);
  w->Key("children").BeginArray();
  for (const TreeNode& c : n.children) JsonNode(c, depth + 1, w);
  w->EndArray().EndObject();
}

void CsvRows(const TreeNode& n, const std::string& parent, int depth, std::string* out) {
  auto num = [](const std::optional<double>& v) {
    return v ? fmt::format("{}", *v == 0 ? 0.0 : *v) : "";  // never "-0"
  };
  *out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", CsvField(n.id), CsvField(parent),
                      depth, CsvField(n.label), num(n.actual.v), num(n.reference.v), num(n.target),
                      num(n.achievement.v), CsvField(n.status), num(n.contribution),
                      num(n.contribution_share),
                      n.children.empty() ? "" : std::string(MethodName(n.method)));
  for (const TreeNode& c : n.children) CsvRows(c, n.id, depth + 1, out);
}

}  // namespace

std::string WriteTree(const TreeResult& tree, const Report& kpis, Format format) {
  if (format == Format::kJson) {
    JsonWriter w;
    w.BeginObject().VersionKeys().Key("reference").String(ReferenceName(tree.reference_kind));
    w.Newline().Key("tree").BeginArray();
    for (const TreeNode& r : tree.roots) JsonNode(r, 0, &w);
    w.EndArray();
    w.Newline().Key("warnings").BeginArray();
    for (const std::string& warning : tree.warnings) w.String(warning);
    w.EndArray();
    // The flat KPI report of the same run, as `report --format json` prints it.
    w.Newline().Key("kpis");
    WriteJsonKpis(kpis, &w);
    WriteJsonMergedSpellings(kpis, &w);
    w.EndObject().Newline();
    return w.Take();
  }
  if (format == Format::kCsv) {
    std::string out =
        "id,parent,depth,label,value,reference,target,achievement,status,contribution,"
        "contribution_share,method\n";
    for (const TreeNode& r : tree.roots) CsvRows(r, "", 0, &out);
    return out;
  }
  const bool md = format == Format::kMarkdown;
  Table t;
  t.head = {"node", "actual", std::string(ReferenceName(tree.reference_kind)), "achv.", "status",
            "Δ explained", "% of gap", "split"};
  t.right = {false, true, true, true, false, true, true, false};
  for (const TreeNode& r : tree.roots) Rows(r, "", "", r.unit, &t);
  std::string out = md ? "# KPI tree\n\n" : "KPI tree\n";
  out += t.Render(md);
  return out;
}

}  // namespace crmkpi
