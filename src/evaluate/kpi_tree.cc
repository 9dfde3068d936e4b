#include "crmkpi/evaluate/kpi_tree.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace crmkpi {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The display unit of a unit name as written in the INI ("ratio", "percent", "JPY", "days"…).
Unit UnitOfName(const std::string& u) {
  if (u == "count") return Unit::kCount;
  if (u == "ratio" || u == "percent") return Unit::kRatio;
  if (u == "currency" || u.rfind("currency:", 0) == 0 ||
      (u.size() == 3 && std::all_of(u.begin(), u.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    return Unit::kAmount;
  }
  if (u == "days") return Unit::kDays;
  if (u == "hours") return Unit::kHours;
  return Unit::kNumber;
}

Value Get(const ValueMap& m, const std::string& id) {
  auto it = m.find(id);
  return it == m.end() ? Value::Na("UNKNOWN") : it->second;
}

// The list "a", "a and b", "a, b and c" of ids.
std::string Names(const std::vector<std::string>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == ids.size() ? " and " : ", ") + ids[i];
  }
  return out;
}

class TreeBuilder {
 public:
  TreeBuilder(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
              ReferenceKind kind, const TargetMap& targets, TreeResult* result)
      : model_(model), actual_(actual), reference_(reference), kind_(kind), targets_(targets),
        result_(result) {}

  // A node's target: its own, or derived from its children's (docs/kpis.md, "Derived targets").
  struct Target {
    std::optional<double> value;
    bool derived = false;
    std::optional<double> from_children;  // own target, and the children's give another value
    std::string missing;                  // why there is none
  };

  // The formula a tree node is split by (and its target derived through): its identity, else
  // its own KPI formula; nullptr for a leaf.
  const Formula* FormulaOf(const std::string& id) const {
    auto node = model_.tree.nodes.find(id);
    if (node == model_.tree.nodes.end()) return nullptr;
    if (node->second.identity) return &*node->second.identity;
    if (const KpiDef* k = model_.FindKpi(id)) return &k->formula;
    return nullptr;
  }

  // Children first; memoised (a child may sit under two KGIs). The tree does not loop (the
  // model checks), so the recursion ends.
  const Target& TargetOf(const std::string& id) {
    if (auto it = targets_memo_.find(id); it != targets_memo_.end()) return it->second;
    Target t;
    if (auto own = targets_.find(id); own != targets_.end()) t.value = own->second;
    if (const Formula* f = FormulaOf(id)) {
      std::vector<std::string> without;
      std::map<std::string, double, std::less<>> at;
      for (const std::string& v : f->variables()) {
        const std::optional<double> x = TargetForDerivation(v);
        if (x) {
          at[v] = *x;
        } else {
          without.push_back(v);
        }
      }
      std::optional<double> derived;
      std::string na;
      if (without.empty()) {
        const Value r = f->Eval([&](std::string_view name) {
          auto it = at.find(name);
          return it == at.end() ? Value::Na("UNKNOWN") : Value::Number(it->second);
        });
        if (r.v && std::isfinite(*r.v)) {
          derived = *r.v;
        } else {
          na = r.v ? "not finite" : r.reason;
        }
      }
      if (!t.value) {
        if (derived) {
          t.value = derived;
          t.derived = true;
        } else if (!without.empty()) {
          t.missing = fmt::format("no target, and its {} {} {} none",
                                  without.size() == 1 ? "child" : "children", Names(without),
                                  without.size() == 1 ? "has" : "have");
        } else {
          t.missing = fmt::format("no target, and its children's targets give n/a ({})", na);
        }
      } else if (derived && std::fabs(*derived - *t.value) >
                                kIdentityTolerance * std::max(1.0, std::fabs(*t.value))) {
        t.from_children = derived;
      }
    } else if (!t.value) {
      t.missing = "no target, and no children to derive one from";
    }
    return targets_memo_.emplace(id, std::move(t)).first->second;
  }

  // A child's target for deriving its parent's: its own or derived one; a constant is its value
  // (it does not move).
  std::optional<double> TargetForDerivation(const std::string& id) {
    const Target& t = TargetOf(id);
    if (t.value) return t.value;
    if (model_.FindConstant(id) != nullptr) {
      const Value v = Get(actual_, id);
      if (v.v) return v.v;
    }
    return std::nullopt;
  }

  Value Reference(const std::string& id) {
    if (kind_ != ReferenceKind::kTarget) return Get(reference_, id);
    if (const std::optional<double> t = TargetOf(id).value) return Value::Number(*t);
    return Get(actual_, id);  // no target: taken as on target, it explains none of the gap
  }

  TreeNode Build(const std::string& id) {
    TreeNode n;
    n.id = id;
    n.actual = Get(actual_, id);
    n.reference = Reference(id);
    const Target& t = TargetOf(id);
    n.target = t.value;
    n.target_derived = t.derived;
    n.target_from_children = t.from_children;
    Direction direction = Direction::kHigher;
    if (const KpiDef* k = model_.FindKpi(id)) {
      n.label = k->label;
      n.unit = UnitOfName(k->unit.name);
      direction = k->direction;
    } else if (const MetricDef* m = model_.FindMetric(id)) {
      n.label = m->label;
      n.unit = UnitOfName(m->unit);
    } else if (const ConstantDef* c = model_.FindConstant(id)) {
      n.label = c->label;
      n.unit = UnitOfName(c->unit);
    }
    n.achievement = Achievement(n.actual, n.target, direction);
    n.status = Status(n.actual, n.target, direction);
    if (t.from_children && kind_ == ReferenceKind::kTarget && warned_.insert(id).second) {
      result_->warnings.push_back(fmt::format(
          "[tree] {}: its target {} and its children's targets, which give {}, do not multiply "
          "out; its own target is used",
          id, *t.value, *t.from_children));
    }
    auto node = model_.tree.nodes.find(id);
    if (node == model_.tree.nodes.end()) return n;
    for (const auto& c : node->second.children) n.children.push_back(Build(c));
    Split(node->second, &n);
    return n;
  }

  // kTarget: the topmost nodes of each branch without a target (a constant needs none).
  void CollectBlocked(const TreeNode& n, bool parent_has_target) {
    const bool has = n.target.has_value() || model_.FindConstant(n.id) != nullptr;
    if (!has && parent_has_target) {
      const bool listed = std::any_of(result_->blocked.begin(), result_->blocked.end(),
                                      [&](const BlockedNode& b) { return b.id == n.id; });
      if (!listed) result_->blocked.push_back({n.id, TargetOf(n.id).missing});
    }
    for (const TreeNode& c : n.children) CollectBlocked(c, has);
  }

  // Attributes |n|'s change (f(children actual) − f(children reference)) to its children.
  void Split(const TreeNodeDef& def, TreeNode* n) {
    const Formula* f = nullptr;
    if (def.identity) {
      f = &*def.identity;
    } else if (const KpiDef* k = model_.FindKpi(def.id)) {
      f = &k->formula;
    }
    if (f == nullptr) {
      n->method_note = "NO_FORMULA";
      return;
    }
    const Formula::Shape shape = f->shape();
    // Children in the formula's own order for the shape; the node keeps the tree's order.
    std::vector<std::string> vars = f->variables();
    if (shape.kind != Formula::Shape::kOther) vars = shape.vars;
    std::vector<double> x0, x1;
    for (const auto& v : vars) {
      const Value a = Get(actual_, v);
      const Value r = Reference(v);
      x1.push_back(a.v ? *a.v : kNaN);
      x0.push_back(r.v ? *r.v : kNaN);
    }
    NodeShape ns;
    ns.kind = shape.kind == Formula::Shape::kSum       ? NodeShape::kSum
              : shape.kind == Formula::Shape::kProduct ? NodeShape::kProduct
                                                       : NodeShape::kOther;
    ns.signs_or_exponents = shape.signs_or_exponents;
    const NodeEvaluator eval = [&](const std::vector<double>& x) {
      const Value v = f->Eval([&](std::string_view name) {
        for (std::size_t i = 0; i < vars.size(); ++i) {
          if (vars[i] == name) return std::isnan(x[i]) ? Value::Na("NA") : Value::Number(x[i]);
        }
        return Value::Na("UNKNOWN");
      });
      return v.v ? *v.v : kNaN;
    };
    const Attribution a = Attribute(ns, eval, x0, x1);
    n->method = a.method;
    n->method_note = a.reason;
    attributions_[n->id] = a;
    vars_[n->id] = vars;

    // Identity check: a node measured on its own and also defined by its children.
    if (def.identity && n->actual.v && a.method != AttributionMethod::kNone) {
      const double residual = *n->actual.v - a.parent1;
      n->identity_residual = residual;
      if (std::fabs(residual) > kIdentityTolerance * std::max(1.0, std::fabs(*n->actual.v))) {
        result_->warnings.push_back(fmt::format(
            "[tree] {}: measured {} but its children give {} (residual {}); the definitions do "
            "not add up",
            n->id, *n->actual.v, a.parent1, residual));
      }
    }
  }

  // Hands |share| of the root gap to |n| and on down to its children.
  void Chain(TreeNode* n, double share, double root_gap) {
    n->contribution = share;
    if (root_gap != 0) n->contribution_share = share / root_gap;
    auto it = attributions_.find(n->id);
    if (it == attributions_.end() || it->second.method == AttributionMethod::kNone) return;
    const Attribution& a = it->second;
    const std::vector<double> scaled = Rescale(a, a.parent1 - a.parent0, share);
    const std::vector<std::string>& vars = vars_[n->id];
    for (TreeNode& c : n->children) {
      for (std::size_t i = 0; i < vars.size() && i < scaled.size(); ++i) {
        if (vars[i] == c.id) Chain(&c, scaled[i], root_gap);
      }
    }
  }

  // The gap the root's children explain: f(children actual) − f(children reference) when the
  // root is split, else actual − reference.
  double RootGap(const TreeNode& root) {
    auto it = attributions_.find(root.id);
    if (it != attributions_.end() && it->second.method != AttributionMethod::kNone) {
      return it->second.parent1 - it->second.parent0;
    }
    if (root.actual.v && root.reference.v) return *root.actual.v - *root.reference.v;
    return kNaN;
  }

 private:
  const KpiModel& model_;
  const ValueMap& actual_;
  const ValueMap& reference_;
  ReferenceKind kind_;
  const TargetMap& targets_;
  TreeResult* result_;
  std::map<std::string, Target> targets_memo_;
  std::set<std::string> warned_;  // target mismatches warned about (a node under two KGIs)
  std::map<std::string, Attribution> attributions_;
  std::map<std::string, std::vector<std::string>> vars_;
};

Value EvalWith(const Formula& f, const ValueMap& values) {
  return f.Eval([&](std::string_view id) { return Get(values, std::string(id)); });
}

void Propagate(const KpiModel& model, const std::string& id, const ValueMap& before,
               ValueMap* after, std::set<std::string>* done) {
  if (!done->insert(id).second) return;
  auto it = model.tree.nodes.find(id);
  if (it == model.tree.nodes.end()) return;
  for (const auto& c : it->second.children) Propagate(model, c, before, after, done);
  if (!it->second.identity) return;
  const Value f0 = EvalWith(*it->second.identity, before);
  const Value f1 = EvalWith(*it->second.identity, *after);
  const Value b = Get(before, id);
  if (!f0.v || !f1.v || !b.v) {
    (*after)[id] = !f1.v ? f1 : !f0.v ? f0 : b;
    return;
  }
  (*after)[id] = Value::Number(*b.v + (*f1.v - *f0.v));
}

}  // namespace

ValueMap PropagateThroughTree(const KpiModel& model, const ValueMap& before, ValueMap after) {
  std::set<std::string> done;
  for (const auto& kgi : model.tree.kgis) Propagate(model, kgi, before, &after, &done);
  return after;
}

TargetMap ModelTargets(const KpiModel& model) {
  TargetMap out;
  for (const KpiDef& k : model.kpis) {
    if (k.target) out[k.id] = *k.target;
  }
  return out;
}

TreeResult EvaluateTree(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
                        ReferenceKind kind) {
  return EvaluateTree(model, actual, reference, kind, ModelTargets(model));
}

TreeResult EvaluateTree(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
                        ReferenceKind kind, const TargetMap& targets) {
  TreeResult result;
  result.reference_kind = kind;
  TreeBuilder builder(model, actual, reference, kind, targets, &result);
  for (const std::string& kgi : model.tree.kgis) {
    TreeNode root = builder.Build(kgi);
    const double gap = builder.RootGap(root);
    if (!std::isnan(gap)) {
      builder.Chain(&root, gap, gap);
      if (root.actual.v && root.reference.v) {
        const double own = *root.actual.v - *root.reference.v;
        if (std::fabs(own - gap) > kIdentityTolerance * std::max(1.0, std::fabs(own))) {
          result.warnings.push_back(fmt::format(
              "[tree] {}: the gap to its reference is {}, its children explain {} (the "
              "children's references do not multiply out to the root's)",
              kgi, own, gap));
        }
      }
    }
    if (kind == ReferenceKind::kTarget) builder.CollectBlocked(root, true);
    result.roots.push_back(std::move(root));
  }
  return result;
}

}  // namespace crmkpi
