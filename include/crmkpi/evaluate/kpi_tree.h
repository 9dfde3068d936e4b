// The KPI tree evaluated: each node's actual value against its reference (target, baseline or
// the value before a what-if), achievement and status, and its contribution to the root's gap,
// attributed down the tree (attribution.h) so that the leaves add up to the root gap.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/evaluate/attribution.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/results/report.h"

namespace crmkpi {

enum class ReferenceKind { kTarget, kBaseline, kWhatIf };

struct TreeNode {
  std::string id;
  std::string label;
  Unit unit = Unit::kNumber;
  Value actual;
  Value reference;                   // target, baseline value, or value before the what-if
  std::optional<double> target;
  Value achievement;                 // direction-aware, against the target
  std::string status;                // on track / off track / no target / n/a
  std::optional<double> contribution;        // share of the root gap this node explains
  std::optional<double> contribution_share;  // contribution / root gap
  AttributionMethod method = AttributionMethod::kNone;  // how this node was split
  std::string method_note;           // why not split (NOT_AVAILABLE, NO_FORMULA…)
  std::optional<double> identity_residual;  // measured − f(children), when both exist
  std::vector<TreeNode> children;
};

struct TreeResult {
  ReferenceKind reference_kind = ReferenceKind::kTarget;
  std::vector<TreeNode> roots;
  std::vector<std::string> warnings;  // identity residuals above tolerance, target gaps
};

// Relative tolerance of the identity check (|measured − f(children)| ≤ tol · |measured|).
inline constexpr double kIdentityTolerance = 1e-6;

// |actual| holds every id's value; |reference| the same ids at the reference point (for
// kTarget it may be empty: each node's target is used, and a node without one is taken to be at
// its actual value, so it explains none of the gap).
// What-if through the tree: a node with an identity formula (revenue = won × avg) that its own
// formula does not follow (revenue measured as Σ won amount) moves by the change of the
// identity: after = before + f(children after) − f(children before). Children first, so the
// change travels up to the KGI. Returns |after| with those nodes updated.
ValueMap PropagateThroughTree(const KpiModel& model, const ValueMap& before, ValueMap after);

TreeResult EvaluateTree(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
                        ReferenceKind kind);

}  // namespace crmkpi
