// The checks of references between the KPI model's definitions: the sources that checks,
// metrics, lookups and forecasts name, analysis figures, KPI formula variables and KPI order.
#include "kpi_model_references.h"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/figures.h"
#include "kpi_model_values.h"

namespace crmkpi::kpi_load {

void CheckCheckSources(const KpiModel& model) {
  for (const CheckDef& c : model.checks) {
    if (model.FindSource(c.source) == nullptr) {
      std::vector<std::string> names;
      for (const auto& src : model.sources) names.push_back(src.id);
      Fail(c.loc, fmt::format("[check {}]: unknown source '{}'{}", c.name, c.source,
                              Suggest(c.source, names)));
    }
  }
}

void CheckMetricSources(const KpiModel& model) {
  for (const MetricDef& m : model.metrics) {
    if (model.FindSource(m.source) == nullptr) {
      std::vector<std::string> names;
      for (const auto& s : model.sources) names.push_back(s.id);
      Fail(m.loc, fmt::format("[metric {}]: unknown source '{}'{}", m.id, m.source,
                              Suggest(m.source, names)));
    }
  }
}

void CheckLookupSources(const KpiModel& model) {
  for (const LookupDef& l : model.lookups) {
    if (model.FindSource(l.source) == nullptr) {
      Fail(l.loc, fmt::format("[lookup {}]: unknown source '{}'", l.id, l.source));
    }
    if (model.FindSource(l.source)->kind != SourceKind::kRows) {
      Fail(l.loc, fmt::format("[lookup {}]: lookups join onto row sources, not onto the "
                              "analysis source '{}'",
                              l.id, l.source));
    }
  }
}

void CheckForecastActuals(const KpiModel& model) {
  for (const SourceDef& src : model.sources) {
    if (src.kind != SourceKind::kForecast || src.actual_source.empty()) continue;
    const SourceDef* a = model.FindSource(src.actual_source);
    if (a == nullptr || a->kind != SourceKind::kRows) {
      Fail(src.loc, fmt::format("[source {}]: actual = '{}' must name a row source (the deals "
                                "export)",
                                src.id, src.actual_source));
    }
  }
}

void CheckMetricFigures(const KpiModel& model) {
  for (const MetricDef& m : model.metrics) {
    const SourceDef& src = *model.FindSource(m.source);
    const bool analysis = src.kind != SourceKind::kRows;
    if (analysis && m.aggregation != Aggregation::kFigure) {
      std::string list;
      for (const auto& f : AnalysisFigures(src.kind)) list += (list.empty() ? "" : ", ") + f;
      Fail(m.loc, fmt::format("[metric {}]: source '{}' is a {} source; its metrics are figures: {}",
                              m.id, src.id,
                              src.kind == SourceKind::kStageHistory ? "stage_history" : "forecast",
                              list));
    }
    if (!analysis && m.aggregation == Aggregation::kFigure) {
      Fail(m.loc, fmt::format("[metric {}]: type {} is a figure of a stage_history or forecast "
                              "source; '{}' is a row source (set kind = … on it)",
                              m.id, m.figure, src.id));
    }
    if (!analysis && m.aggregation == Aggregation::kReached) {
      // The stage to reach: its own or the source's opportunity stage, in the source's order.
      const std::string& stage = m.stage.empty() ? src.stages.opportunity_stage : m.stage;
      if (TrimSpace(stage).empty()) {
        Fail(m.loc, fmt::format("[metric {}]: type = reached needs 'stage = …' or "
                                "opportunity_stage in [source {}]",
                                m.id, src.id));
      }
      const std::string wanted = StageRules::Normalize(stage);
      if (std::none_of(src.stages.order.begin(), src.stages.order.end(),
                       [&](const std::string& s) { return StageRules::Normalize(s) == wanted; })) {
        Fail(m.stage.empty() ? m.loc : m.stage_loc,
             fmt::format("[metric {}]: stage '{}' is not in the stages of [source {}]{}", m.id,
                         stage, src.id,
                         src.stages.order.empty() ? " (it has no 'stages = …' order)" : ""));
      }
      continue;
    }
    if (!analysis) {
      if (!m.stage.empty()) {
        Fail(m.stage_loc, "stage is for type = reached and figures of a stage_history source");
      }
      continue;
    }
    const auto& figures = AnalysisFigures(src.kind);
    if (std::find(figures.begin(), figures.end(), m.figure) == figures.end()) {
      Fail(m.loc, fmt::format("[metric {}]: {} is not a figure of a {} source", m.id, m.figure,
                              src.kind == SourceKind::kStageHistory ? "stage_history"
                                                                    : "forecast"));
    }
    if (FigureNeedsStage(m.figure) && m.stage.empty()) {
      Fail(m.loc, fmt::format("[metric {}]: {} needs 'stage = …'", m.id, m.figure));
    }
    if (!FigureNeedsStage(m.figure) && !m.stage.empty()) {
      Fail(m.stage_loc, fmt::format("{} is a total; it takes no stage", m.figure));
    }
    if (!m.where.empty() || !m.by.empty() || m.period != Period::kNone) {
      Fail(m.loc, fmt::format("[metric {}]: where, by and period do not apply to figures of an "
                              "analysis source",
                              m.id));
    }
  }
}

void CheckKpiVariables(const std::vector<KpiDef>& kpis,
                       const std::map<std::string, SourceLoc>& ids) {
  std::vector<std::string> known;
  for (const auto& [id, loc] : ids) known.push_back(id);
  for (const KpiDef& k : kpis) {
    for (const std::string& v : k.formula.variables()) {
      if (ids.count(v) == 0) {
        SourceLoc loc = k.formula_loc;
        loc.column += static_cast<std::uint64_t>(k.formula.VariableColumn(v)) - 1;
        Fail(loc, fmt::format("unknown metric, constant or KPI '{}' in the formula of [kpi {}]{}",
                              v, k.id, Suggest(v, known)));
      }
    }
  }
}

void CheckKpiSpreads(const KpiModel& model) {
  // The metrics an id reads and whether it uses a spread, through the KPIs it uses.
  auto walk = [&](const std::string& id, std::set<std::string>* metrics, bool* spreads) {
    std::set<std::string> seen;
    std::function<void(const std::string&)> visit = [&](const std::string& v) {
      if (!seen.insert(v).second) return;
      if (model.FindMetric(v) != nullptr) metrics->insert(v);
      if (const KpiDef* k = model.FindKpi(v)) {
        if (!k->formula.spreads().empty()) *spreads = true;
        for (const std::string& x : k->formula.variables()) visit(x);
      }
    };
    visit(id);
  };
  for (const KpiDef& k : model.kpis) {
    for (const Formula::Spread& s : k.formula.spreads()) {
      SourceLoc loc = k.formula_loc;
      if (loc.column > 0) loc.column += static_cast<std::uint64_t>(s.column) - 1;
      const std::string call = s.key;
      if (model.FindConstant(s.of) != nullptr) {
        Fail(loc, fmt::format("{} in [kpi {}]: '{}' is a constant, the same in every group; "
                              "spread a metric or KPI",
                              call, k.id, s.of));
      }
      std::set<std::string> metrics;
      bool nested = false;
      walk(s.of, &metrics, &nested);
      if (nested) {
        Fail(loc, fmt::format("{} in [kpi {}]: '{}' uses stddev() or cv() itself; a spread is "
                              "of per-group values, not of another spread",
                              call, k.id, s.of));
      }
      bool grouped = false;
      for (const std::string& id : metrics) {
        const MetricDef* m = model.FindMetric(id);
        for (std::size_t i = 0; i < m->by.size(); ++i) {
          grouped = grouped || m->ByNames(i) == std::vector<std::string>{s.over};
        }
      }
      if (!grouped) {
        std::string list;
        for (const std::string& id : metrics) list += (list.empty() ? "" : ", ") + id;
        Fail(loc, fmt::format("{} in [kpi {}]: no metric of '{}' is grouped by {} — add "
                              "`by = {}` to its metrics ({}), so that it has a value per {}",
                              call, k.id, s.of, s.over, s.over,
                              list.empty() ? "none: it reads no row source" : list, s.over));
      }
    }
  }
}

std::vector<KpiDef> OrderKpis(const std::vector<KpiDef>& kpis) {
  std::vector<KpiDef> ordered;
  std::map<std::string, const KpiDef*> by_id;
  for (const KpiDef& k : kpis) by_id[k.id] = &k;
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::function<void(const KpiDef&)> visit = [&](const KpiDef& k) {
    state[k.id] = 1;
    stack.push_back(k.id);
    for (const std::string& v : k.formula.variables()) {
      auto it = by_id.find(v);
      if (it == by_id.end()) continue;
      if (state[v] == 1) {
        std::string cycle;
        const auto from = std::find(stack.begin(), stack.end(), v);
        for (auto i = from; i != stack.end(); ++i) cycle += *i + " → ";
        cycle += v;
        Fail(by_id[v]->formula_loc, fmt::format("formula cycle: {}", cycle));
      }
      if (state[v] == 0) visit(*it->second);
    }
    stack.pop_back();
    state[k.id] = 2;
    ordered.push_back(k);
  };
  for (const KpiDef& k : kpis) {
    if (state[k.id] == 0) visit(k);
  }
  return ordered;
}

}  // namespace crmkpi::kpi_load
