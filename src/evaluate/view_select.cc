#include "crmkpi/base/error.h"
#include "crmkpi/bind/column_roles.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/engine/source_schema.h"
#include "crmkpi/evaluate/view_select.h"
#include "crmkpi/values/fiscal_calendar.h"

namespace crmkpi {
namespace {

std::string Quoted(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "'" : i + 1 == names.size() ? " and '" : ", '") + names[i] + "'";
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The KPIs |ids| and every KPI they use (model.kpis is in dependency order: a KPI after the
// KPIs it uses, so one pass from the end closes the set).
std::set<std::string> WithDependencies(const KpiModel& model, const std::vector<std::string>& ids) {
  std::set<std::string> kept(ids.begin(), ids.end());
  for (auto k = model.kpis.rbegin(); k != model.kpis.rend(); ++k) {
    if (kept.count(k->id) == 0) continue;
    for (const std::string& v : k->formula.variables()) {
      if (model.FindKpi(v) != nullptr) kept.insert(v);
    }
  }
  return kept;
}

}  // namespace

std::set<std::string> NeededMetrics(const KpiModel& model, const std::vector<std::string>& ids) {
  std::set<std::string> out;
  for (const std::string& id : WithDependencies(model, ids)) {
    const KpiDef* k = model.FindKpi(id);
    if (k == nullptr) continue;
    for (const std::string& v : k->formula.variables()) {
      if (model.FindMetric(v) != nullptr) out.insert(v);
    }
  }
  return out;
}

ViewPlan PlanView(const KpiModel& model, std::string_view name) {
  ViewPlan plan;
  plan.view = FindView(model, name);
  plan.kpis = RequireViewKpis(model, plan.view);
  plan.metrics = NeededMetrics(model, plan.kpis);
  return plan;
}

void FitDefaultView(const KpiModel& model, const std::map<std::string, std::string>& files,
                    bool by, bool period, ViewPlan* plan) {
  ViewDef& view = plan->view;
  by = by && view.by && !view.by->empty();
  period = period && view.period && *view.period != Period::kNone;
  if (!by && !period) return;
  // KPIs over figures of analysis sources alone: no grouping applies to them. A forecast's
  // figures come in total and by the forecast's own period; a stage history's in total only.
  bool groupable = false, forecasts_only = true;
  std::vector<std::string> own_periods;  // of the forecast sources
  for (const MetricDef& m : model.metrics) {
    const SourceDef* s = model.FindSource(m.source);
    if (plan->metrics.count(m.id) == 0 || s == nullptr) continue;
    groupable = groupable || (m.aggregation != Aggregation::kFigure && s->kind == SourceKind::kRows);
    forecasts_only = forecasts_only && s->kind == SourceKind::kForecast;
    if (s->kind == SourceKind::kForecast &&
        std::find(own_periods.begin(), own_periods.end(), s->forecast_period) == own_periods.end()) {
      own_periods.push_back(s->forecast_period);
    }
  }
  if (!groupable) {
    const std::string word(PeriodName(period ? *view.period : Period::kNone));
    if (forecasts_only && period) {
      // Periods, compare and trend apply to the forecast's own periods.
      if (by || own_periods != std::vector<std::string>{word}) {
        plan->notes.push_back(fmt::format(
            "{}by the forecast's own period ({}): its KPIs are figures of forecast sources",
            by ? "not grouped by " + GroupingText(*view.by) + ", only " : "", Join(own_periods)));
      }
    } else {
      plan->notes.push_back("not grouped, nor by period: its KPIs read only figures of "
                            "stage_history or forecast sources, which are totals");
      if (period) {
        view.period = Period::kNone;
        view.compare.clear();
        view.trend.reset();
      }
    }
    if (by) view.by = std::vector<std::vector<std::string>>{};
    return;
  }
  std::map<std::string, RowSchema> schemas;  // by source id, read once each
  std::vector<std::string> no_by, by_created, no_date;
  for (const MetricDef& m : model.metrics) {
    if (plan->metrics.count(m.id) == 0 || m.aggregation == Aggregation::kFigure) continue;
    const SourceDef* s = model.FindSource(m.source);
    if (s == nullptr || s->kind != SourceKind::kRows) continue;
    auto it = schemas.find(s->id);
    if (it == schemas.end()) {
      const auto over = files.find(s->id);
      it = schemas.emplace(s->id, ReadSourceSchema(*s, over != files.end() ? over->second : s->file))
               .first;
    }
    const RowSchema& schema = it->second;
    auto note = [](std::vector<std::string>* list, const std::string& id) {
      if (std::find(list->begin(), list->end(), id) == list->end()) list->push_back(id);
    };
    if (by) {
      for (const auto& grouping : *view.by) {
        for (const std::string& column : grouping) {
          if (schema.Resolve(column) < 0) note(&no_by, s->id);
        }
      }
    }
    if (period && m.period_of.empty()) {
      if (schema.roles().has(Role::kClosed)) continue;
      if (schema.roles().has(Role::kCreated)) {
        plan->period_of[m.id] = "created";
        note(&by_created, s->id);
      } else {
        note(&no_date, s->id);
      }
    }
  }
  const std::string word(PeriodName(period ? *view.period : Period::kNone));
  if (!no_by.empty()) {
    plan->notes.push_back(fmt::format(
        "not grouped by {}: {} {} {} no {} column (--by COLUMN groups by another)",
        GroupingText(*view.by), no_by.size() == 1 ? "source" : "sources", Quoted(no_by),
        no_by.size() == 1 ? "has" : "have", GroupingText(*view.by)));
    view.by = std::vector<std::vector<std::string>>{};
  }
  if (!no_date.empty()) {
    std::string also;
    if (!view.compare.empty()) also = fmt::format(", nor compared with the {} period", view.compare);
    if (view.trend) also += ", nor a trend";
    plan->notes.push_back(fmt::format(
        "not by {}{}: {} {} {} no closed or created date column (--period-of COLUMN names one)",
        word, also, no_date.size() == 1 ? "source" : "sources", Quoted(no_date),
        no_date.size() == 1 ? "has" : "have"));
    view.period = Period::kNone;
    view.compare.clear();
    view.trend.reset();
    plan->period_of.clear();
  } else if (!by_created.empty()) {
    plan->notes.push_back(fmt::format(
        "{} {} {} no closed date column: {} rows fall in {}s by their created date",
        by_created.size() == 1 ? "source" : "sources", Quoted(by_created),
        by_created.size() == 1 ? "has" : "have", by_created.size() == 1 ? "its" : "their", word));
  }
}

void KeepKpis(KpiModel* model, const std::vector<std::string>& ids) {
  const std::set<std::string> kpis = WithDependencies(*model, ids);
  const std::set<std::string> metrics = NeededMetrics(*model, ids);
  std::erase_if(model->kpis, [&](const KpiDef& k) { return kpis.count(k.id) == 0; });
  std::erase_if(model->metrics, [&](const MetricDef& m) { return metrics.count(m.id) == 0; });
  std::erase_if(model->targets.rows, [&](const TargetRow& r) { return kpis.count(r.kpi) == 0; });
  model->tree = TreeDef{};
}

void KeepReportKpis(Report* report, const std::vector<std::string>& ids) {
  const std::set<std::string> keep(ids.begin(), ids.end());
  auto drop = [&](GroupRow* row) {
    std::erase_if(row->kpis, [&](const KpiValue& v) { return keep.count(v.id) == 0; });
  };
  drop(&report->total);
  for (Grouping& g : report->groupings) {
    for (GroupRow& r : g.rows) drop(&r);
  }
  std::erase_if(report->groupings, [](const Grouping& g) {
    return !g.rows.empty() && std::all_of(g.rows.begin(), g.rows.end(),
                                          [](const GroupRow& r) { return r.kpis.empty(); });
  });
}

ReportView ViewHeading(const ViewPlan& plan) {
  ReportView out;
  out.name = plan.view.id;
  out.audience = plan.view.audience;
  out.built_in = plan.view.built_in;
  out.kpis = plan.kpis;
  out.notes = plan.notes;
  return out;
}

}  // namespace crmkpi
