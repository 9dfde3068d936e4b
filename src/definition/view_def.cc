// Audience views: the default ones, the KPIs a view selects, and the [view NAME] loader.
#include "crmkpi/definition/view_def.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/values/fiscal_calendar.h"
#include "kpi_model_values.h"
#include "view_load.h"

namespace crmkpi {
namespace {

std::uint64_t CharCount(std::string_view s) {
  std::uint64_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// The comma-separated items of |e|'s value, each with the location of its first character
// (a value continued on further lines points at its start).
std::vector<std::pair<std::string, SourceLoc>> Items(const IniEntry& e) {
  std::vector<std::pair<std::string, SourceLoc>> out;
  const std::string_view v = e.value;
  const bool one_line = v.find('\n') == std::string_view::npos;
  std::size_t start = 0;
  while (start <= v.size()) {
    std::size_t end = v.find(',', start);
    if (end == std::string_view::npos) end = v.size();
    const std::string_view item = v.substr(start, end - start);
    const std::string_view trimmed = TrimSpace(item);
    if (!trimmed.empty()) {
      SourceLoc loc = e.value_loc;
      if (one_line) loc.column += CharCount(v.substr(0, static_cast<std::size_t>(trimmed.data() - v.data())));
      out.emplace_back(std::string(trimmed), loc);
    }
    start = end + 1;
  }
  return out;
}

std::string LayerList(const std::vector<Layer>& layers) {
  std::string out;
  for (const Layer l : layers) out += (out.empty() ? "" : ", ") + std::string(LayerName(l));
  return out;
}

ViewDef DefaultView(const char* id, const char* audience, std::vector<Layer> layers, bool kgis,
                    Period period, std::vector<std::vector<std::string>> by,
                    const char* compare) {
  ViewDef v;
  v.id = id;
  v.audience = audience;
  v.layers = std::move(layers);
  v.kgis = kgis;
  v.period = period;
  v.by = std::move(by);
  v.compare = compare;
  v.built_in = true;
  return v;
}

}  // namespace

std::string GroupingText(const std::vector<std::vector<std::string>>& by) {
  if (by.empty()) return "none";
  std::string out;
  for (const auto& g : by) {
    std::string one;
    for (const auto& c : g) one += (one.empty() ? "" : "+") + c;
    out += (out.empty() ? "" : ", ") + one;
  }
  return out;
}

std::vector<ViewDef> DefaultViews() {
  return {
      DefaultView("executive", "経営層", {Layer::kLagging}, true, Period::kMonth, {}, "previous"),
      DefaultView("manager", "部門責任者", {Layer::kProcess}, false, Period::kWeek, {{"owner"}},
                  ""),
      DefaultView("field", "現場", {Layer::kLeading}, false, Period::kWeek, {{"owner"}}, ""),
  };
}

std::vector<ViewDef> ViewsOf(const KpiModel& model) {
  return model.views.empty() ? DefaultViews() : model.views;
}

ViewDef FindView(const KpiModel& model, std::string_view name) {
  const std::vector<ViewDef> views = ViewsOf(model);
  std::vector<std::string> names;
  std::string list;
  for (const ViewDef& v : views) {
    if (v.id == name) return v;
    names.push_back(v.id);
    list += (list.empty() ? "" : ", ") + v.id + (v.audience.empty() ? "" : " (" + v.audience + ")");
  }
  throw Error::Usage(fmt::format(
      "--view: unknown view '{}'{}; {} {}: {} ('crmkpi views -c {}' lists what each shows)",
      name, DidYouMean(name, names), model.name,
      model.views.empty() ? "has no [view] sections, so its views are the default ones"
                          : "defines the views",
      list, model.name));
}

std::vector<std::string> ViewKpis(const KpiModel& model, const ViewDef& view) {
  std::vector<std::string> out;
  for (const KpiDef& k : model.kpis) {
    const bool named = std::find(view.kpis.begin(), view.kpis.end(), k.id) != view.kpis.end();
    const bool layer = k.layer != Layer::kNone &&
                       std::find(view.layers.begin(), view.layers.end(), k.layer) != view.layers.end();
    const bool kgi = view.kgis && std::find(model.tree.kgis.begin(), model.tree.kgis.end(),
                                            k.id) != model.tree.kgis.end();
    if (named || layer || kgi) out.push_back(k.id);
  }
  return out;
}

std::string SelectionText(const ViewDef& view) {
  std::vector<std::string> parts;
  if (!view.kpis.empty()) parts.push_back("kpis = " + kpi_load::Join(view.kpis, ", "));
  if (view.kgis) parts.push_back("the KGIs of [tree]");
  if (!view.layers.empty()) parts.push_back("layer = " + LayerList(view.layers));
  return kpi_load::Join(parts, " + ");
}

std::vector<std::string> RequireViewKpis(const KpiModel& model, const ViewDef& view) {
  std::vector<std::string> ids = ViewKpis(model, view);
  if (!ids.empty()) return ids;
  std::string give;
  if (!view.layers.empty()) {
    give = fmt::format("give KPIs `layer = {}` in their [kpi] sections", LayerName(view.layers.front()));
  }
  if (view.kgis) {
    give += (give.empty() ? "" : ", or ") + std::string("a [tree] with kgi = ID");
  }
  if (view.built_in) {
    throw Error::Usage(fmt::format(
        "view '{}' selects no KPI: this default view takes {}, and {} has none; {}, or define "
        "the views with [view NAME] sections (kpis = ID, …), which replace the default ones "
        "(docs/ini.md, [view NAME])",
        view.id, SelectionText(view), model.name, give));
  }
  throw Error(ExitCode::kUsage,
              fmt::format("[view {}] selects no KPI: it takes {}, and the definition has none; "
                          "name KPIs with kpis = ID, …, or {}",
                          view.id, SelectionText(view), give),
              view.layer_loc.line > 0 ? view.layer_loc : view.loc);
}

namespace kpi_load {

ViewDef LoadView(const IniSection& s) {
  RequireId(s);
  CheckKeys(s, {"audience", "kpis", "layer", "period", "by", "compare", "trend"});
  ViewDef v;
  v.id = s.id;
  v.loc = s.loc;
  v.audience = Get(s, "audience");
  if (const IniEntry* e = s.Find("kpis")) {
    for (auto& [id, loc] : Items(*e)) {
      if (std::find(v.kpis.begin(), v.kpis.end(), id) != v.kpis.end()) {
        Fail(loc, fmt::format("kpis: '{}' is named twice in [view {}]", id, v.id));
      }
      v.kpis.push_back(std::move(id));
      v.kpi_locs.push_back(loc);
    }
    if (v.kpis.empty()) Fail(e->value_loc, "kpis: expected KPI ids, comma-separated");
  }
  if (const IniEntry* e = s.Find("layer")) {
    v.layer_loc = e->value_loc;
    static const std::vector<std::string> kWords = {"leading", "process", "lagging", "kgi"};
    for (const auto& [word, loc] : Items(*e)) {
      if (word == "kgi" || word == "KGI") {
        v.kgis = true;
      } else if (const std::optional<Layer> layer = ParseLayer(word)) {
        if (std::find(v.layers.begin(), v.layers.end(), *layer) == v.layers.end()) {
          v.layers.push_back(*layer);
        }
      } else {
        Fail(loc, fmt::format("layer: expected leading (先行), process (中間), lagging (遅行) "
                              "or kgi (the KGIs of [tree]), got '{}'{}",
                              word, Suggest(word, kWords)));
      }
    }
    if (v.layers.empty() && !v.kgis) Fail(e->value_loc, "layer: expected leading, process, lagging or kgi");
  }
  if (v.kpis.empty() && v.layers.empty() && !v.kgis) {
    Fail(s.loc, fmt::format("[view {}] names no KPI: give kpis = ID, … or layer = leading, "
                            "process, lagging or kgi",
                            v.id));
  }
  if (const IniEntry* e = s.Find("period")) {
    v.period_loc = e->value_loc;
    if (e->value == "none") {
      v.period = Period::kNone;
    } else if (const Period p = ParsePeriodName(e->value); p != Period::kNone) {
      v.period = p;
    } else {
      static const std::vector<std::string> kPeriods = {"week", "month", "quarter", "half",
                                                        "year", "none"};
      Fail(e->value_loc, fmt::format("period: expected week, month, quarter, half, year or "
                                     "none, got '{}'{}",
                                     e->value, Suggest(e->value, kPeriods)));
    }
  }
  if (const IniEntry* e = s.Find("by")) {
    v.by_loc = e->value_loc;
    v.by = e->value == "none" ? std::vector<std::vector<std::string>>{}
                              : ParseGroupings(e->raw.empty() ? e->value : e->raw, e->value_loc);
  }
  if (const IniEntry* e = s.Find("compare")) {
    v.compare_loc = e->value_loc;
    if (e->value == "previous" || e->value == "year-ago") {
      v.compare = e->value;
    } else if (e->value == "yoy") {
      v.compare = "year-ago";
    } else if (e->value != "none") {
      static const std::vector<std::string> kCompare = {"previous", "year-ago", "none"};
      Fail(e->value_loc, fmt::format("compare: expected previous, year-ago or none, got '{}'{}",
                                     e->value, Suggest(e->value, kCompare)));
    }
  }
  if (const IniEntry* e = s.Find("trend")) {
    v.trend_loc = e->value_loc;
    const std::string& t = e->value;
    const bool digits = !t.empty() && t.size() <= 4 &&
                        std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(t) == 0) {
      Fail(e->value_loc,
           fmt::format("trend: expected the number of periods to show (1 to 9999), got '{}'", t));
    }
    v.trend = std::stoul(t);
  }
  return v;
}

void CheckViews(const KpiModel& model) {
  std::vector<std::string> kpi_ids;
  for (const KpiDef& k : model.kpis) kpi_ids.push_back(k.id);
  bool metric_periods = false;
  for (const MetricDef& m : model.metrics) metric_periods |= m.period != Period::kNone;
  for (const ViewDef& v : model.views) {
    for (std::size_t i = 0; i < v.kpis.size(); ++i) {
      const std::string& id = v.kpis[i];
      if (model.FindKpi(id) != nullptr) continue;
      if (model.FindMetric(id) != nullptr || model.FindConstant(id) != nullptr) {
        Fail(v.kpi_locs[i],
             fmt::format("kpis: '{}' is a {}, not a KPI; a view shows KPIs (add [kpi NAME] "
                         "with formula = {})",
                         id, model.FindMetric(id) != nullptr ? "metric" : "constant", id));
      }
      Fail(v.kpi_locs[i], fmt::format("unknown KPI '{}' in kpis of [view {}]{}; KPIs: {}", id,
                                      v.id, Suggest(id, kpi_ids), Join(kpi_ids, ", ")));
    }
    if (v.kgis && model.tree.kgis.empty()) {
      Fail(v.layer_loc, fmt::format("layer = kgi: {} has no [tree] with kgi = ID", model.name));
    }
    RequireViewKpis(model, v);
    const bool has_periods = v.period ? *v.period != Period::kNone : metric_periods;
    if (!has_periods && (!v.compare.empty() || v.trend)) {
      const SourceLoc& at = !v.compare.empty() ? v.compare_loc : v.trend_loc;
      Fail(at, fmt::format("{} works on periods: give [view {}] a period (period = month), or "
                           "its metrics one",
                           !v.compare.empty() ? "compare" : "trend", v.id));
    }
  }
}

}  // namespace kpi_load
}  // namespace crmkpi
