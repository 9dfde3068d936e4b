// KpiModel: the order in which Load reads the INI sections and checks their references, and the
// model's lookups by id. The loaders and checks themselves are in the kpi_model_*.cc files.
#include "crmkpi/definition/kpi_model.h"

#include <fmt/format.h>

#include "kpi_model_references.h"
#include "kpi_model_sections.h"
#include "kpi_model_tree.h"
#include "kpi_model_values.h"
#include "view_load.h"

namespace crmkpi {
namespace kpi_load {
namespace {

// What the pass over the sections leaves for the checks that follow it.
struct Sections {
  std::map<std::string, SourceLoc> ids;         // metrics, constants, KPIs share one namespace
  std::map<std::string, SourceLoc> source_ids;  // sources and lookups share another
  std::map<std::string, SourceLoc> check_ids;   // checks: a third
  std::map<std::string, SourceLoc> view_ids;    // views: a fourth
  bool allow_empty = false;                     // [crmkpi] allow_empty: the checks' default
  std::vector<std::size_t> defaulted_empty;     // checks without their own allow_empty
  std::vector<const IniSection*> kpi_sections;  // loaded once every metric is known
  const IniSection* tree_section = nullptr;     // loaded last
  const IniSection* targets_section = nullptr;  // read once the KPIs are known
};

void Claim(std::map<std::string, SourceLoc>* space, const IniSection& s) {
  auto [it, inserted] = space->emplace(s.id, s.loc);
  if (!inserted) {
    Fail(s.loc, fmt::format("duplicate name '{}' ({} is already defined at line {})", s.id,
                            SectionName(s), it->second.line));
  }
}

// Loads the sections in file order, each by the loader of its kind, into |model|; names must be
// unique within their namespace, and [crmkpi] and [tree] appear at most once.
Sections LoadSections(const IniFile& ini, KpiModel* model) {
  Sections found;
  bool seen_tree = false, seen_global = false, seen_fx = false;
  for (const IniSection& s : ini.sections()) {
    if (s.type == "crmkpi") {
      if (seen_global) Fail(s.loc, "[crmkpi] appears twice");
      seen_global = true;
      found.allow_empty = LoadSettings(s, model);
    } else if (s.type == "source") {
      Claim(&found.source_ids, s);
      model->sources.push_back(LoadSource(ini, s));
    } else if (s.type == "lookup") {
      Claim(&found.source_ids, s);
      model->lookups.push_back(LoadLookup(ini, s));
    } else if (s.type == "metric") {
      Claim(&found.ids, s);
      model->metrics.push_back(LoadMetric(s));
    } else if (s.type == "check") {
      Claim(&found.check_ids, s);
      model->checks.push_back(LoadCheck(s));
      if (s.Find("allow_empty") == nullptr) {
        found.defaulted_empty.push_back(model->checks.size() - 1);
      }
    } else if (s.type == "constant") {
      Claim(&found.ids, s);
      model->constants.push_back(LoadConstant(s));
    } else if (s.type == "kpi") {
      Claim(&found.ids, s);
      found.kpi_sections.push_back(&s);
    } else if (s.type == "lint") {
      LoadLint(s, model);
    } else if (s.type == "fx") {
      if (seen_fx) Fail(s.loc, "[fx] appears twice");
      seen_fx = true;
      model->fx = LoadFx(s);
    } else if (s.type == "targets") {
      if (found.targets_section != nullptr) Fail(s.loc, "[targets] appears twice");
      found.targets_section = &s;
    } else if (s.type == "view") {
      Claim(&found.view_ids, s);
      model->views.push_back(LoadView(s));
    } else if (s.type == "tree") {
      if (seen_tree) Fail(s.loc, "[tree] appears twice");
      seen_tree = true;
      found.tree_section = &s;
    } else {
      static const std::vector<std::string> kTypes = {
          "crmkpi", "source", "lookup", "metric", "constant", "kpi", "tree", "lint", "check",
          "fx", "targets", "view"};
      Fail(s.loc, fmt::format("unknown section [{}]{}; sections: crmkpi, source, lookup, metric, "
                              "constant, kpi, tree, lint, check, fx, targets, view",
                              s.type, Suggest(s.type, kTypes)));
    }
  }
  return found;
}

}  // namespace
}  // namespace kpi_load

void KpiModel::SetTargets(TargetsDef def) {
  std::vector<TargetKpiName> names;
  for (const KpiDef& k : kpis) names.push_back({k.id, k.label});
  ReadTargets(&def, names);
  targets = std::move(def);
}

void KpiModel::SetCalendar(const Calendar& cal) {
  calendar = cal;
  for (SourceDef& s : sources) s.calendar = cal;
}

void KpiModel::SetFx(const FxRates& rates) {
  fx = rates;
  for (SourceDef& s : sources) s.fx = rates;
}

void KpiModel::SetExactGroups(bool exact) {
  exact_groups = exact;
  for (SourceDef& s : sources) s.exact_groups = exact;
}

const SourceDef* KpiModel::FindSource(std::string_view id) const {
  for (const auto& s : sources) {
    if (s.id == id) return &s;
  }
  return nullptr;
}
const MetricDef* KpiModel::FindMetric(std::string_view id) const {
  for (const auto& m : metrics) {
    if (m.id == id) return &m;
  }
  return nullptr;
}
const ConstantDef* KpiModel::FindConstant(std::string_view id) const {
  for (const auto& c : constants) {
    if (c.id == id) return &c;
  }
  return nullptr;
}
const KpiDef* KpiModel::FindKpi(std::string_view id) const {
  for (const auto& k : kpis) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

KpiModel KpiModel::Load(const IniFile& ini) {
  using namespace kpi_load;
  KpiModel model;
  model.name = ini.name();
  const Sections found = LoadSections(ini, &model);
  for (std::size_t i : found.defaulted_empty) model.checks[i].allow_empty = found.allow_empty;
  model.SetExactGroups(model.exact_groups);
  model.SetFx(model.fx);
  model.SetCalendar(model.calendar);
  // References between definitions.
  CheckCheckSources(model);
  CheckMetricSources(model);
  CheckLookupSources(model);
  CheckForecastActuals(model);
  CheckMetricFigures(model);
  std::vector<KpiDef> loaded;
  for (const IniSection* s : found.kpi_sections) loaded.push_back(LoadKpi(*s));
  CheckKpiVariables(loaded, found.ids);
  model.kpis = OrderKpis(loaded);
  CheckKpiSpreads(model);
  if (found.tree_section != nullptr) {
    model.tree = LoadTree(*found.tree_section, found.ids, model.kpis);
  }
  if (found.targets_section != nullptr) model.targets = LoadTargets(ini, *found.targets_section);
  CheckViews(model);
  return model;
}

}  // namespace crmkpi
