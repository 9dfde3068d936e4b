// The KPI model's [tree] section: the KGIs, each node's children (a list or an identity), their
// references to metrics, constants and KPIs, and the check that the tree does not loop.
#include "kpi_model_tree.h"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "kpi_model_values.h"

namespace crmkpi::kpi_load {

TreeDef LoadTree(const IniSection& s, const std::map<std::string, SourceLoc>& ids,
                 const std::vector<KpiDef>& kpis) {
  TreeDef tree;
  std::vector<std::string> known;
  for (const auto& [id, loc] : ids) known.push_back(id);
  for (const IniEntry& e : s.entries) {
    if (e.key == "kgi") {
      tree.kgis = SplitList(e.value);
      tree.kgi_loc = e.value_loc;
      for (const auto& id : tree.kgis) {
        if (ids.count(id) == 0) {
          Fail(e.value_loc, fmt::format("kgi: unknown KPI '{}'{}", id, Suggest(id, known)));
        }
      }
      continue;
    }
    if (ids.count(e.key) == 0) {
      Fail(e.key_loc, fmt::format("[tree]: unknown KPI, metric or constant '{}'{}", e.key,
                                  Suggest(e.key, known)));
    }
    TreeNodeDef node;
    node.id = e.key;
    node.loc = e.key_loc;
    const bool is_list = e.value.find_first_of("+-*/()^") == std::string::npos;
    if (is_list) {
      node.children = SplitList(e.value);
    } else {
      node.identity = ParseFormulaAt(e);
      node.children = node.identity->variables();
    }
    for (const auto& c : node.children) {
      if (ids.count(c) == 0) {
        Fail(e.value_loc, fmt::format("[tree] {}: unknown child '{}'{}", e.key, c,
                                      Suggest(c, known)));
      }
    }
    if (is_list) {
      // A list only names the children; the split then uses the node's own formula, so the
      // children must be exactly that formula's variables.
      const KpiDef* own = nullptr;
      for (const KpiDef& k : kpis) {
        if (k.id == e.key) own = &k;
      }
      std::vector<std::string> want = own ? own->formula.variables() : std::vector<std::string>{};
      std::vector<std::string> got = node.children;
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      if (own == nullptr || want != got) {
        std::string vars;
        for (const auto& v : want) vars += (vars.empty() ? "" : ", ") + v;
        // An identity built from the children as written: one child alone would repeat the
        // failing line ("e.g. revenue = win_rate"), so it gets a placeholder partner.
        const std::string identity = node.children.size() >= 2
                                         ? Join(node.children, " * ")
                                         : node.children.front() + " * OTHER_KPI";
        Fail(e.value_loc,
             own == nullptr
                 ? fmt::format("[tree] {}: a list of children needs '{}' to be a KPI whose "
                               "formula uses them; write an identity that computes it from "
                               "its children instead, e.g. {} = {}",
                               e.key, e.key, e.key, identity)
                 : fmt::format("[tree] {}: the children ({}) are not the variables of its "
                               "formula ({}); list those ({} = {}), or write an identity that "
                               "computes {} from its children, e.g. {} = {}",
                               e.key, Join(node.children, ", "), vars, e.key, vars, e.key,
                               e.key, identity));
      }
    }
    tree.nodes[node.id] = std::move(node);
  }
  if (tree.kgis.empty()) Fail(s.loc, "[tree] needs 'kgi = ID[, ID…]' (the root KPIs)");
  // The tree must not loop back on itself.
  std::set<std::string> path;
  std::function<void(const std::string&)> walk = [&](const std::string& id) {
    if (path.count(id) != 0) {
      Fail(tree.nodes[id].loc, fmt::format("[tree]: '{}' is its own descendant", id));
    }
    auto it = tree.nodes.find(id);
    if (it == tree.nodes.end()) return;
    path.insert(id);
    for (const auto& c : it->second.children) walk(c);
    path.erase(id);
  };
  for (const auto& k : tree.kgis) walk(k);
  return tree;
}

}  // namespace crmkpi::kpi_load
