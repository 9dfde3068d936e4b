#include "crmkpi/evaluate/kpi_tree.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

class TreeBuilder {
 public:
  TreeBuilder(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
              ReferenceKind kind, TreeResult* result)
      : model_(model), actual_(actual), reference_(reference), kind_(kind), result_(result) {}

  Value Reference(const std::string& id) const {
    if (kind_ != ReferenceKind::kTarget) return Get(reference_, id);
    if (const KpiDef* k = model_.FindKpi(id); k != nullptr && k->target) {
      return Value::Number(*k->target);
    }
    return Get(actual_, id);  // no target: taken as on target, it explains none of the gap
  }

  TreeNode Build(const std::string& id) {
    TreeNode n;
    n.id = id;
    n.actual = Get(actual_, id);
    n.reference = Reference(id);
    if (const KpiDef* k = model_.FindKpi(id)) {
      n.label = k->label;
      n.unit = UnitOfName(k->unit.name);
      n.target = k->target;
      n.achievement = Achievement(n.actual, k->target, k->direction);
      n.status = Status(n.actual, k->target, k->direction);
    } else {
      n.status = "no target";
      n.achievement = Value::Na("NO_TARGET");
      if (const MetricDef* m = model_.FindMetric(id)) {
        n.label = m->label;
        n.unit = UnitOfName(m->unit);
      }
      if (const ConstantDef* c = model_.FindConstant(id)) {
        n.label = c->label;
        n.unit = UnitOfName(c->unit);
      }
    }
    auto node = model_.tree.nodes.find(id);
    if (node == model_.tree.nodes.end()) return n;
    for (const auto& c : node->second.children) n.children.push_back(Build(c));
    Split(node->second, &n);
    return n;
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
  TreeResult* result_;
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

TreeResult EvaluateTree(const KpiModel& model, const ValueMap& actual, const ValueMap& reference,
                        ReferenceKind kind) {
  TreeResult result;
  result.reference_kind = kind;
  TreeBuilder builder(model, actual, reference, kind, &result);
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
    result.roots.push_back(std::move(root));
  }
  return result;
}

}  // namespace crmkpi
