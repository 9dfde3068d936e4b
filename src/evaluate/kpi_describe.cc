// The KPI 定義書: each KPI's attributes from the model, its formula in words, and the columns
// it reads, found from the definition alone (kpi_describe.h).
#include "crmkpi/evaluate/kpi_describe.h"

#include <algorithm>
#include <set>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/definition/where.h"

namespace crmkpi {
namespace {

void AddOnce(std::vector<std::string>* list, const std::string& value) {
  if (!value.empty() && std::find(list->begin(), list->end(), value) == list->end()) {
    list->push_back(value);
  }
}

// |path| as the definition names it: relative to the INI's folder when it is inside it.
std::string AsWritten(const std::string& ini, const std::string& path) {
  const auto slash = ini.rfind('/');
  if (slash == std::string::npos) return path;
  const std::string dir = ini.substr(0, slash + 1);
  return path.rfind(dir, 0) == 0 ? path.substr(dir.size()) : path;
}

class SheetBuilder {
 public:
  SheetBuilder(const KpiModel& model, SheetEntry* entry) : model_(model), entry_(entry) {}

  // Walks |id|'s formula: metrics are read, KPIs walked in turn (each once).
  void Walk(const std::string& id) {
    if (!seen_.insert(id).second) return;
    if (const KpiDef* k = model_.FindKpi(id)) {
      for (const std::string& v : k->formula.variables()) Walk(v);
    } else if (const MetricDef* m = model_.FindMetric(id)) {
      entry_->metrics.push_back(id);
      Read(*m);
    }
  }

 private:
  // The index of |id|'s entry in the sheet entry's sources (sources and lookups share one
  // namespace), added when new. An index, not a reference: adding a lookup's entry moves them.
  std::size_t SourceEntry(const std::string& id, const std::string& kind, const std::string& file,
                          const std::vector<std::string>& more) {
    std::vector<SheetSource>& sources = entry_->sources;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (sources[i].id == id) return i;
    }
    SheetSource s;
    s.id = id;
    s.kind = kind;
    s.files.push_back(AsWritten(model_.name, file));
    for (const std::string& f : more) s.files.push_back(AsWritten(model_.name, f));
    sources.push_back(std::move(s));
    return sources.size() - 1;
  }

  std::vector<std::string>& ColumnsOf(std::size_t entry) { return entry_->sources[entry].columns; }

  // A column of |source| as named in the definition: a lookup's (LOOKUP.COLUMN) goes to the
  // lookup, with the joining column to the source; a role mapped with map.ROLE reads
  // "COLUMN (role)".
  void Column(const SourceDef& source, std::size_t entry, const std::string& name) {
    if (name.empty()) return;
    const auto dot = name.find('.');
    if (dot != std::string::npos) {
      const std::string prefix = name.substr(0, dot);
      for (const LookupDef& l : model_.lookups) {
        if (l.id != prefix || l.source != source.id) continue;
        Column(source, entry, l.on);
        const std::size_t lookup = SourceEntry(l.id, "lookup", l.file, {});
        AddOnce(&ColumnsOf(lookup), l.key);
        AddOnce(&ColumnsOf(lookup), l.first.empty() ? l.last : l.first);
        AddOnce(&ColumnsOf(lookup), name.substr(dot + 1));
        return;
      }
    }
    if (const std::optional<Role> role = ParseRole(name)) {
      for (const RoleMapping& m : source.mappings) {
        if (m.role == *role) {
          AddOnce(&ColumnsOf(entry), m.column + " (" + name + ")");
          return;
        }
      }
    }
    AddOnce(&ColumnsOf(entry), name);
  }

  // The operands of a where text (and `stage` for its stage conditions).
  void WhereColumns(const SourceDef& source, std::size_t entry, const std::string& text,
                    const SourceLoc& loc) {
    if (text.empty()) return;
    const WhereExpr expr = WhereExpr::Parse(text, loc);
    for (const WhereExpr::Node& n : expr.nodes()) {
      switch (n.kind) {
        case WhereExpr::Node::Kind::kAnd:
        case WhereExpr::Node::Kind::kOr:
        case WhereExpr::Node::Kind::kNot:
          break;
        case WhereExpr::Node::Kind::kStageIs:
        case WhereExpr::Node::Kind::kStageReached:
          Column(source, entry, "stage");
          break;
        default:
          Column(source, entry, n.operand);
          break;
      }
    }
  }

  void Read(const MetricDef& m) {
    const SourceDef* source = model_.FindSource(m.source);
    if (source == nullptr) return;
    const char* kind = source->kind == SourceKind::kStageHistory ? "stage_history"
                       : source->kind == SourceKind::kForecast   ? "forecast"
                                                                 : "rows";
    const std::size_t entry = SourceEntry(source->id, kind, source->file, source->more_files);
    if (source->kind == SourceKind::kStageHistory) {
      for (const char* role : {"id", "stage", "changed"}) Column(*source, entry, role);
      for (const auto& [stage, column] : source->entered) AddOnce(&ColumnsOf(entry), column);
      return;
    }
    if (source->kind == SourceKind::kForecast) {
      for (const char* role : {"period", "forecast"}) Column(*source, entry, role);
      for (const std::string& c : source->forecast_series) Column(*source, entry, c);
      if (source->actual_source.empty()) {
        Column(*source, entry, "actual");
        return;
      }
      if (const SourceDef* deals = model_.FindSource(source->actual_source)) {
        const std::size_t actual = SourceEntry(deals->id, "rows", deals->file, deals->more_files);
        WhereColumns(*deals, actual, deals->filter, deals->filter_loc);
        for (const char* role : {"stage", "amount", "closed"}) Column(*deals, actual, role);
        for (const std::string& c : source->forecast_series) Column(*deals, actual, c);
      }
      return;
    }
    // The source's filter applies to every metric of it.
    WhereColumns(*source, entry, source->filter, source->filter_loc);
    for (const std::string& c : m.columns) Column(*source, entry, c);
    Column(*source, entry, m.duration_from);
    Column(*source, entry, m.duration_to);
    WhereColumns(*source, entry, m.where, m.where_loc);
    if (m.aggregation == Aggregation::kKmMedian) {
      WhereColumns(*source, entry, m.censored, m.censored_loc);
    }
    if (m.aggregation == Aggregation::kReached) Column(*source, entry, "stage");
    for (const auto& grouping : m.by) {
      for (const std::string& c : grouping) Column(*source, entry, c);
    }
    if (m.period != Period::kNone) {
      Column(*source, entry, m.period_of.empty() ? std::string("closed") : m.period_of);
    }
  }

  const KpiModel& model_;
  SheetEntry* entry_;
  std::set<std::string> seen_;
};

}  // namespace

std::string LabelOf(const KpiModel& model, std::string_view id) {
  std::string label;
  if (const KpiDef* k = model.FindKpi(id)) {
    label = k->label;
  } else if (const MetricDef* m = model.FindMetric(id)) {
    label = m->label;
  } else if (const ConstantDef* c = model.FindConstant(id)) {
    label = c->label;
  }
  return label.empty() ? std::string(id) : label;
}

KpiSheet DescribeKpis(const KpiModel& model) {
  KpiSheet sheet;
  sheet.definition = model.name;
  std::vector<const KpiDef*> kpis;
  for (const KpiDef& k : model.kpis) kpis.push_back(&k);
  // model.kpis is in dependency order; the sheet follows the file, as its author wrote it.
  std::stable_sort(kpis.begin(), kpis.end(), [](const KpiDef* a, const KpiDef* b) {
    return a->loc.line < b->loc.line;
  });
  const auto label = [&](std::string_view id) { return LabelOf(model, id); };
  for (const KpiDef* k : kpis) {
    SheetEntry e;
    e.kpi = *k;
    e.kgi = std::find(model.tree.kgis.begin(), model.tree.kgis.end(), k->id) !=
            model.tree.kgis.end();
    e.formula = k->id + " = " + k->formula.ToString();
    e.formula_words = label(k->id) + " = " + k->formula.ToWords(label);
    e.inputs = k->formula.variables();
    SheetBuilder builder(model, &e);
    builder.Walk(k->id);
    sheet.kpis.push_back(std::move(e));
  }
  return sheet;
}

}  // namespace crmkpi
