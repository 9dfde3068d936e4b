// The KPI tree evaluated: each node's actual value against its reference (target, baseline or
// the value before a what-if), achievement and status, and its contribution to the root's gap,
// attributed down the tree (attribution.h) so that the leaves add up to the root gap.
#pragma once

#include <map>
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
  std::optional<double> target;      // its own, or derived from its children's (below)
  // The node had no target of its own, and |target| is its identity's (or own formula's) value
  // at its children's targets, children first (docs/kpis.md, "Derived targets").
  bool target_derived = false;
  // The node has a target of its own, and its children's targets give another value (beyond
  // kIdentityTolerance): the targets do not multiply out. The own target is used.
  std::optional<double> target_from_children;
  Value achievement;                 // direction-aware, against the target
  std::string status;                // on track / off track / no target / n/a
  std::optional<double> contribution;        // share of the root gap this node explains
  std::optional<double> contribution_share;  // contribution / root gap
  AttributionMethod method = AttributionMethod::kNone;  // how this node was split
  std::string method_note;           // why not split (NOT_AVAILABLE, NO_FORMULA…)
  std::optional<double> identity_residual;  // measured − f(children), when both exist
  std::vector<TreeNode> children;
};

// A node whose missing target keeps its branch's gap from being attributed (kTarget): it is
// taken to be at its actual value, so it explains none of the gap. Only the topmost such node
// of a branch is listed; |reason| names what is missing below it.
struct BlockedNode {
  std::string id;
  std::string reason;  // "no target, and its child win_rate has none"
};

// One period of a definition grouped by period (tree --period, --baseline previous|year-ago).
struct TreePeriod {
  std::string label;                // "2025-05", "FY2025 Q1"
  std::string first_day, last_day;  // YYYY-MM-DD
  bool has_rows = true;             // false: no row fell in it; its values are n/a (NO_ROWS)
};

struct TreeResult {
  ReferenceKind reference_kind = ReferenceKind::kTarget;
  std::vector<TreeNode> roots;
  std::vector<std::string> warnings;  // identity residuals above tolerance, target gaps
  std::vector<BlockedNode> blocked;   // kTarget: nodes without a target, topmost first
  // Set by the caller when the tree is of one period (tree --period): the actual's period, and
  // with --baseline previous|year-ago the reference period and "previous" or "year-ago".
  std::optional<TreePeriod> period;
  std::optional<TreePeriod> reference_period;
  std::string baseline_kind;
  // tree --by: the group this tree is of (column → value); empty for the whole data.
  std::vector<std::pair<std::string, std::string>> group;
};

// Targets by id. By default each KPI's `target` (ModelTargets); a caller may pass others (one
// owner's or one period's from a targets table). An id not in the map has no target of its
// own: its target is derived from its children's when the tree allows, else it has none.
using TargetMap = std::map<std::string, double>;
TargetMap ModelTargets(const KpiModel& model);

// Relative tolerance of the identity check (|measured − f(children)| ≤ tol · |measured|).
inline constexpr double kIdentityTolerance = 1e-6;

// |actual| holds every id's value; |reference| the same ids at the reference point (for
// kTarget it may be empty: each node's target is used). Targets come from |targets| (default
// ModelTargets). A tree node without one gets a derived target f(children's targets) when its
// identity (or own formula) has a target for every child, own or derived (a constant counts as
// its value); a node still without a target is taken to be at its actual value under kTarget,
// so it explains none of the gap, and is listed in TreeResult::blocked. Achievement and status
// are against the node's target, own or derived, whatever the reference.
// What-if through the tree: a node with an identity formula (revenue = won × avg) that its own
// formula does not follow (revenue measured as Σ won amount) moves by the change of the
// identity: after = before + f(children after) − f(children before). Children first, so the
// change travels up to the KGI. Returns |after| with those nodes updated.
ValueMap PropagateThroughTree(const KpiModel& model, const ValueMap& before, ValueMap after);

TreeResult EvaluateTree(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
                        ReferenceKind kind, const TargetMap& targets);
TreeResult EvaluateTree(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
                        ReferenceKind kind);  // with ModelTargets(model)

}  // namespace crmkpi
