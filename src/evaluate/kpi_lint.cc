#include "crmkpi/evaluate/kpi_lint.h"

#include <set>

#include <fmt/format.h>

#include "crmkpi/evaluate/failure_signs.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {
namespace {

LintSeverity SeverityOf(const KpiModel& model, const std::string& rule, LintSeverity fallback) {
  auto it = model.lint.find(rule);
  return it == model.lint.end() ? fallback : it->second;
}

// Every id reachable from the KGIs.
void Collect(const KpiModel& model, const std::string& id, std::set<std::string>* out,
             std::vector<std::string>* order) {
  if (!out->insert(id).second) return;
  order->push_back(id);
  auto it = model.tree.nodes.find(id);
  if (it == model.tree.nodes.end()) return;
  for (const auto& c : it->second.children) Collect(model, c, out, order);
}

}  // namespace

std::string_view SeverityName(LintSeverity s) {
  switch (s) {
    case LintSeverity::kOff:
      return "off";
    case LintSeverity::kWarning:
      return "warning";
    case LintSeverity::kError:
      return "error";
  }
  return "";
}

std::vector<LintFinding> LintModel(const KpiModel& model, const std::string& as_of) {
  std::vector<LintFinding> out;
  auto add = [&](const std::string& rule, LintSeverity fallback, const SourceLoc& loc,
                 std::string message) {
    const LintSeverity s = SeverityOf(model, rule, fallback);
    if (s == LintSeverity::kOff) return;
    out.push_back({rule, s, std::move(message), loc});
  };

  const auto& kgis = model.tree.kgis;
  if (kgis.size() > 3) {
    add("too_many_kgis", LintSeverity::kError, model.tree.kgi_loc,
        fmt::format("{} KGIs; fix at most three so that the organisation knows what matters",
                    kgis.size()));
  }
  for (const auto& kgi : kgis) {
    auto it = model.tree.nodes.find(kgi);
    const std::size_t n = it == model.tree.nodes.end() ? 0 : it->second.children.size();
    if (n < 3 || n > 5) {
      add("kpi_count", LintSeverity::kWarning,
          it == model.tree.nodes.end() ? model.tree.kgi_loc : it->second.loc,
          fmt::format("KGI '{}' has {} KPIs under it; 3 to 5 keep a KGI both explained and "
                      "manageable",
                      kgi, n));
    }
  }

  // The KPIs of the tree (or every KPI when there is no tree).
  std::set<std::string> in_tree;
  std::vector<std::string> order;
  for (const auto& kgi : kgis) Collect(model, kgi, &in_tree, &order);
  if (kgis.empty()) {
    for (const KpiDef& k : model.kpis) order.push_back(k.id);
  }
  bool leading = false, lagging = false;
  Seconds now = 0;
  const bool have_now = !as_of.empty() && DateParser().Parse(as_of, &now) == ParseStatus::kOk;
  for (const auto& id : order) {
    const KpiDef* k = model.FindKpi(id);
    if (k == nullptr) continue;
    leading = leading || k->layer == Layer::kLeading;
    lagging = lagging || k->layer == Layer::kLagging;
    if (k->definition.empty()) {
      add("missing_definition", LintSeverity::kWarning, k->loc,
          fmt::format("KPI '{}' has no definition text", id));
    }
    if (k->owner.empty()) {
      add("missing_owner", LintSeverity::kWarning, k->loc,
          fmt::format("KPI '{}' has no owner (データ責任者)", id));
    }
    if (k->review.empty()) {
      add("missing_review", LintSeverity::kWarning, k->loc,
          fmt::format("KPI '{}' has no review frequency", id));
    }
    if (!k->target) {
      add("missing_target", LintSeverity::kWarning, k->loc,
          fmt::format("KPI '{}' has no target", id));
    }
    Seconds reviewed = 0;
    if (have_now && !k->last_review.empty() &&
        DateParser().Parse(k->last_review, &reviewed) == ParseStatus::kOk) {
      const double days = static_cast<double>(now - reviewed) / 86400.0;
      if (days > 90) {
        add("stale_review", LintSeverity::kWarning, k->last_review_loc,
            fmt::format("KPI '{}' was last reviewed {} ({:.0f} days before {}); review the set "
                        "every 90 days",
                        id, k->last_review, days, as_of));
      }
    }
  }
  if (!order.empty() && (!leading || !lagging)) {
    add("layer_mix", LintSeverity::kWarning, model.tree.kgis.empty() ? SourceLoc{model.name, 0, 0} : model.tree.kgi_loc,
        fmt::format("the {} has no {} indicator; pair leading (行動/先行) with lagging "
                    "(成果/遅行) KPIs",
                    kgis.empty() ? "definition" : "tree",
                    !leading && !lagging ? "leading or lagging" : !leading ? "leading" : "lagging"));
  }
  // A failure sign of the definition itself (failure_signs.h): handoffs nobody measures.
  for (const FailureSign& f : HandoffSign(model)) {
    add("handoff_unmeasured", LintSeverity::kWarning,
        model.sources.empty() ? SourceLoc{model.name, 0, 0} : model.sources[1].loc,
        f.message + "; " + f.remedy);
  }
  return out;
}

}  // namespace crmkpi
