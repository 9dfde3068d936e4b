#include "crmkpi/evaluate/tree_groups.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

// The values of a group no row fell in: unknown, not 0 (as tree --period's NO_ROWS).
ValueMap NoRows(const KpiModel& model) {
  ValueMap out;
  for (const MetricDef& m : model.metrics) out[m.id] = Value::Na("NO_ROWS");
  for (const KpiDef& k : model.kpis) out[k.id] = Value::Na("NO_ROWS");
  for (const ConstantDef& c : model.constants) out[c.id] = Value::Number(c.value);
  return out;
}

}  // namespace

void GroupMetricsByColumns(const std::vector<std::string>& by, Period kind, KpiModel* model) {
  std::size_t changed = 0;
  for (MetricDef& m : model->metrics) {
    if (m.aggregation == Aggregation::kFigure) continue;
    m.by.clear();
    if (!by.empty()) m.by.push_back(by);
    m.by_as.clear();
    m.period = kind;
    ++changed;
  }
  if (changed == 0) {
    throw Error::Usage(fmt::format(
        "{}: {} has no metric that can be grouped (the figures of stage_history and "
        "forecast sources are totals)",
        by.empty() ? "--period" : "--by", model->name));
  }
}

TargetMap TreeTargets(const KpiModel& model, const ResolvedTargets& table,
                      const std::vector<std::string>& keys,
                      const std::vector<std::string>& values) {
  TargetMap out;
  const bool by_column = !keys.empty() && !(keys.size() == 1 && keys[0] == "period");
  for (const KpiDef& k : model.kpis) {
    if (k.target && (!by_column || !AdditiveKpi(model, k.id))) out[k.id] = *k.target;
  }
  if (keys.empty()) {
    for (const auto& [id, cell] : table.total) out[id] = cell.value;
    return out;
  }
  const auto grouping = table.groups.find(keys);
  if (grouping == table.groups.end()) return out;
  const auto group = grouping->second.find(values);
  if (group == grouping->second.end()) return out;
  for (const auto& [id, cell] : group->second) out[id] = cell.value;
  return out;
}

std::vector<GroupTreeInput> GroupTreeInputs(const KpiModel& model, const KpiEvaluation& ev,
                                            const std::vector<std::string>& by,
                                            const TreePeriodValues* periods,
                                            const ResolvedTargets& table) {
  std::vector<std::string> keys = by;
  if (periods != nullptr) keys.push_back("period");
  const auto grouping = ev.group_values.find(keys);
  const auto targets = table.groups.find(keys);
  // The group's values in period |label| (none: the whole data), if any row fell there.
  auto find = [&](const std::vector<std::string>& group,
                  const std::string* label) -> const ValueMap* {
    if (grouping == ev.group_values.end()) return nullptr;
    std::vector<std::string> v = group;
    if (label != nullptr) v.push_back(*label);
    const auto it = grouping->second.find(v);
    return it == grouping->second.end() ? nullptr : &it->second;
  };
  const std::string* actual_label = periods != nullptr ? &periods->actual.label : nullptr;
  const std::string* reference_label =
      periods != nullptr && periods->reference ? &periods->reference->label : nullptr;
  std::set<std::vector<std::string>> groups;
  auto take = [&](const std::vector<std::string>& v) {
    const std::vector<std::string> group(v.begin(), v.begin() + static_cast<long>(by.size()));
    if (periods == nullptr) {
      groups.insert(group);
      return;
    }
    const std::string& label = v.back();
    if (label == *actual_label || (reference_label != nullptr && label == *reference_label)) {
      groups.insert(group);
    }
  };
  if (grouping != ev.group_values.end()) {
    for (const auto& [v, values] : grouping->second) take(v);
  }
  if (targets != table.groups.end()) {
    for (const auto& [v, cells] : targets->second) take(v);
  }
  std::vector<GroupTreeInput> out;
  for (const std::vector<std::string>& group : groups) {
    GroupTreeInput in;
    in.values = group;
    const ValueMap* actual = find(group, actual_label);
    in.actual_rows = actual != nullptr;
    in.actual = actual != nullptr ? *actual : NoRows(model);
    if (reference_label != nullptr) {
      const ValueMap* reference = find(group, reference_label);
      in.reference_rows = reference != nullptr;
      in.reference = reference != nullptr ? *reference : NoRows(model);
    }
    std::vector<std::string> values = group;
    if (actual_label != nullptr) values.push_back(*actual_label);
    in.targets = TreeTargets(model, table, keys, values);
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace crmkpi
