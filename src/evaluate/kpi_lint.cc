#include "crmkpi/evaluate/kpi_lint.h"

#include <cmath>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "crmkpi/evaluate/failure_signs.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {
LintSeverity SeverityOf(const KpiModel& model, const std::string& rule, LintSeverity fallback) {
  auto it = model.lint.find(rule);
  return it == model.lint.end() ? fallback : it->second;
}

namespace {

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

ReviewLimit ReviewLimitOf(std::string_view review) {
  const std::optional<int> interval = ReviewIntervalDays(review);
  if (!interval) {
    return {kReviewCapDays,
            fmt::format("review the set at least every {} days", kReviewCapDays)};
  }
  const int grace = kReviewGrace * *interval;
  if (grace >= kReviewCapDays) {
    return {kReviewCapDays,
            fmt::format("it is reviewed {}, but every KPI is due for review within {} days",
                        review, kReviewCapDays)};
  }
  return {grace, fmt::format("it is reviewed {} (every {} day{}): due within {} days", review,
                             *interval, *interval == 1 ? "" : "s", grace)};
}

std::vector<std::string> LintedKpis(const KpiModel& model) {
  std::set<std::string> in_tree;
  std::vector<std::string> order;
  for (const auto& kgi : model.tree.kgis) Collect(model, kgi, &in_tree, &order);
  if (model.tree.kgis.empty()) {
    for (const KpiDef& k : model.kpis) order.push_back(k.id);
  }
  return order;
}

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

  const std::vector<std::string> order = LintedKpis(model);
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
          fmt::format("KPI '{}' has no owner (責任者)", id));
    }
    if (k->review.empty()) {
      add("missing_review", LintSeverity::kWarning, k->loc,
          fmt::format("KPI '{}' has no review frequency", id));
    }
    if (!k->target) {
      add("missing_target", LintSeverity::kWarning, k->loc,
          fmt::format("KPI '{}' has no target", id));
    }
    if (k->target && k->deadline.empty()) {
      add("target_without_deadline", LintSeverity::kWarning, k->target_loc,
          fmt::format("KPI '{}' has a target but no deadline; say by when it is due "
                      "(deadline = YYYY-MM-DD: SMART's T)",
                      id));
    }
    Seconds due = 0;
    if (have_now && !k->deadline.empty() &&
        DateParser().Parse(k->deadline, &due) == ParseStatus::kOk && now - due >= 86400) {
      const auto days = static_cast<long long>(std::floor(static_cast<double>(now - due) / 86400.0));
      add("deadline_passed", LintSeverity::kWarning, k->deadline_loc,
          fmt::format("KPI '{}' was due {} ({} day{} before {}); set the next target and "
                      "deadline, or retire the KPI",
                      id, k->deadline, days, days == 1 ? "" : "s", as_of));
    }
    Seconds reviewed = 0;
    if (have_now && !k->last_review.empty() &&
        DateParser().Parse(k->last_review, &reviewed) == ParseStatus::kOk) {
      const double days = static_cast<double>(now - reviewed) / 86400.0;
      const ReviewLimit limit = ReviewLimitOf(k->review);
      if (days > limit.days) {
        add("stale_review", LintSeverity::kWarning, k->last_review_loc,
            fmt::format("KPI '{}' was last reviewed {} ({:.0f} days before {}); {}", id,
                        k->last_review, days, as_of, limit.why));
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

std::vector<LintFinding> SignFindings(const KpiModel& model,
                                      const std::vector<FailureSign>& signs) {
  std::vector<LintFinding> out;
  for (const FailureSign& f : signs) {
    const LintSeverity s = SeverityOf(model, f.kind, LintSeverity::kWarning);
    if (s == LintSeverity::kOff) continue;
    const KpiDef* k = f.kpis.empty() ? nullptr : model.FindKpi(f.kpis.front());
    out.push_back({f.kind, s, f.message + "; " + f.remedy,
                   k != nullptr ? k->loc : SourceLoc{model.name, 0, 0}});
  }
  return out;
}

}  // namespace crmkpi
