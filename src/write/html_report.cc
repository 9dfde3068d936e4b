#include "html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "crmkpi/base/text.h"
#include "crmkpi/write/report_writer.h"
#include "html_page.h"
#include "svg_chart.h"
#include "text_table.h"

namespace crmkpi::html {
namespace {

std::string LabelOf(const KpiValue& v) { return KpiLabel(v); }

std::string Shown(const Num& n, const KpiValue& v) {
  std::string s = Human(n, v.unit);
  if (v.unit == Unit::kAmount && !v.currency.empty()) s += " " + v.currency;
  return s;
}
std::string Shown(double d, const KpiValue& v) { return Shown(Num::Real(d), v); }
std::string Percent(double v) { return Fixed(v * 100.0, 1) + " %"; }

// An axis tick in the KPI's unit.
svg::Formatter Tick(Unit unit) {
  return [unit](double v) {
    if (unit == Unit::kRatio) return Fixed(v * 100.0, 0) + " %";
    if (std::fabs(v) >= 1e6 && unit != Unit::kDays && unit != Unit::kHours) {
      return Fixed(v / 1e6, std::fabs(v) >= 1e7 ? 0 : 1) + "M";
    }
    if (std::fabs(v) >= 1e4) return Fixed(v / 1e3, 0) + "k";
    return Fixed(v, std::fabs(v) < 10 && v != std::floor(v) ? 1 : 0);
  };
}

std::string GroupText(const std::vector<std::string>& keys,
                      const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out += (out.empty() ? "" : " · ") +
           (values[i].empty() ? std::string(keys[i] == "period" ? "(no date)" : "(empty)")
                              : values[i]);
  }
  return out;
}

// The JSON Pointer of each KPI of the report: total first, then each grouping's rows, as
// WriteJsonKpis writes them.
struct Pointers {
  std::string base;
  std::size_t total = 0;
  std::vector<std::size_t> grouping_start;  // index of each grouping's first KPI
  explicit Pointers(const Report& r, const std::string& prefix) : base(prefix + "/kpis/") {
    std::size_t i = r.total.kpis.size();
    total = 0;
    for (const Grouping& g : r.groupings) {
      grouping_start.push_back(i);
      for (const GroupRow& row : g.rows) i += row.kpis.size();
    }
  }
  std::string Total(std::size_t k) const { return base + std::to_string(k); }
  std::string Group(std::size_t g, std::size_t index) const {
    return base + std::to_string(grouping_start[g] + index);
  }
};

// The change against the compared period, with its pointer.
std::string ChangeHtml(const KpiValue& v, const std::string& ptr) {
  const KpiValue::Comparison& c = *v.compared;
  if (!c.change)
    return Esc("vs " + (c.period.empty() ? std::string("previous") : c.period) + ": n/a");
  std::string text;
  if (v.unit == Unit::kRatio && c.points) {
    text = Number(fmt::format("{}{} pt", *c.points >= 0 ? "+" : "", Fixed(*c.points, 1)),
                  ptr + "/compared/change_points", NumText(*c.points));
  } else {
    const Unit unit = v.unit == Unit::kRatio ? Unit::kNumber : v.unit;
    text = Number((*c.change >= 0 ? "+" : "") + Human(Num::Real(*c.change), unit),
                  ptr + "/compared/change", NumText(*c.change));
    if (c.percent) {
      text +=
          " (" +
          Number(fmt::format("{}{} %", *c.percent >= 0 ? "+" : "", Fixed(*c.percent * 100.0, 1)),
                 ptr + "/compared/change_percent", NumText(*c.percent)) +
          ")";
    }
  }
  const std::string arrow = *c.change > 0 ? "▲" : *c.change < 0 ? "▼" : "＝";
  return Esc(arrow + " vs " + (c.period.empty() ? std::string("previous") : c.period) + ": ") +
         text;
}

std::string ValueHtml(const KpiValue& v, const std::string& ptr) {
  if (!v.value) return Esc("n/a");
  return Number(Shown(*v.value, v), ptr + "/value", NumText(*v.value));
}

Card KpiCard(const KpiValue& v, const std::string& ptr) {
  Card c;
  c.label = LabelOf(v);
  c.value_html = ValueHtml(v, ptr);
  if (!v.value && !v.reason.empty()) c.lines.push_back(Esc(ReasonText(v.reason)));
  if (v.target) {
    c.lines.push_back("target " + Number(Shown(*v.target, v), ptr + "/target", NumText(*v.target)));
  }
  if (v.achievement) {
    c.lines.push_back("achievement " + Number(Percent(*v.achievement), ptr + "/achievement",
                                              NumText(*v.achievement)));
  }
  if (v.compared) c.lines.push_back(ChangeHtml(v, ptr));
  if (v.pace && v.pace->landing) {
    c.lines.push_back(
        "landing " +
        Number(Shown(*v.pace->landing, v), ptr + "/pace/landing", NumText(*v.pace->landing)) +
        (v.pace->status.empty() ? "" : " " + StatusMark(v.pace->status)));
  }
  c.status = v.status;
  return c;
}

std::string Basis(const KpiValue& v) {
  std::string basis;
  if (v.numerator && v.denominator) {
    basis = Human(*v.numerator, Unit::kNumber) + " / " + Human(*v.denominator, Unit::kNumber);
  } else if (v.n) {
    basis = "n = " + GroupThousands(std::to_string(*v.n));
  }
  if (v.n && v.censored) basis += ", " + std::to_string(*v.censored) + " open (censored)";
  if (!v.value && !v.reason.empty())
    basis += (basis.empty() ? "" : "; ") + std::string(ReasonText(v.reason));
  std::string ex;
  for (const auto& [reason, count] : v.excluded) {
    ex += (ex.empty() ? "" : ", ") + GroupThousands(std::to_string(count)) + " " + reason;
  }
  if (!ex.empty()) basis += (basis.empty() ? "excluded: " : "; excluded: ") + ex;
  return basis;
}

std::string TotalSection(const Report& r, const Pointers& p) {
  bool targets = false, compared = false;
  for (const KpiValue& v : r.total.kpis) {
    targets = targets || !v.status.empty();
    compared = compared || v.compared.has_value();
  }
  Table t;
  t.head = {"KPI", "value"};
  t.num = {false, true};
  if (targets) {
    t.head.insert(t.head.end(), {"target", "achievement", "status"});
    t.num.insert(t.num.end(), {true, true, false});
  }
  if (compared) {
    t.head.push_back("change");
    t.num.push_back(true);
  }
  t.head.push_back("basis");
  t.num.push_back(false);
  std::vector<std::string> labels, shown, classes;
  std::vector<std::optional<double>> achv;
  for (std::size_t k = 0; k < r.total.kpis.size(); ++k) {
    const KpiValue& v = r.total.kpis[k];
    const std::string ptr = p.Total(k);
    std::vector<Cell> row = {TextCell(LabelOf(v)), Cell{ValueHtml(v, ptr), true, {}}};
    if (targets) {
      row.push_back(v.target ? NumCell(Shown(*v.target, v), ptr + "/target", NumText(*v.target))
                             : TextCell(""));
      row.push_back(v.achievement ? NumCell(Percent(*v.achievement), ptr + "/achievement",
                                            NumText(*v.achievement))
                                  : TextCell(""));
      row.push_back(Cell{StatusMark(v.status), false, {}});
    }
    if (compared) row.push_back(Cell{v.compared ? ChangeHtml(v, ptr) : "", true, {}});
    row.push_back(TextCell(Basis(v)));
    t.rows.push_back(std::move(row));
    if (v.achievement) {
      labels.push_back(LabelOf(v));
      achv.push_back(*v.achievement);
      shown.push_back(Percent(*v.achievement) + " " +
                      (v.status == "on track"    ? "▲"
                       : v.status == "off track" ? "▼"
                                                 : "■"));
      classes.push_back(std::string(StatusKind(v.status)));
    }
  }
  std::string body;
  std::string table = t.Render();
  if (!labels.empty()) {
    body += Section("achievement", "Achievement against target",
                    ChartWithTable(svg::HBars("Achievement (target = 100 %)", labels, achv, shown,
                                              Tick(Unit::kRatio), classes, 1.0),
                                   table));
  } else {
    body += Section("total", "Total", table);
  }
  return body;
}

std::string TrendSection(const Report& r, const std::string& prefix) {
  if (!r.trend || r.trend->series.empty()) return {};
  const Trend& tr = *r.trend;
  std::string body;
  for (std::size_t s = 0; s < tr.series.size(); ++s) {
    const Trend::Series& se = tr.series[s];
    KpiValue shown_as;
    shown_as.unit = se.unit;
    shown_as.currency = se.currency;
    const std::string ptr = prefix + "/trend/series/" + std::to_string(s);
    svg::Series line{se.label.empty() ? se.id : se.label, {}};
    Table t;
    t.head = {"period", "value"};
    t.num = {false, true};
    for (std::size_t i = 0; i < tr.periods.size(); ++i) {
      const std::optional<Num>& v = i < se.values.size() ? se.values[i] : std::nullopt;
      line.values.push_back(v ? std::optional<double>(v->ToDouble()) : std::nullopt);
      t.rows.push_back(
          {TextCell(tr.periods[i]),
           v ? NumCell(Shown(*v, shown_as), ptr + "/values/" + std::to_string(i), NumText(*v))
             : TextCell("n/a")});
    }
    if (se.target) {
      t.rows.push_back({TextCell("target"), NumCell(Shown(*se.target, shown_as), ptr + "/target",
                                                    NumText(*se.target))});
    }
    body += "<h3>" + Esc(line.name) + "</h3>" +
            ChartWithTable(
                svg::Lines(line.name + " trend", tr.periods, {line}, Tick(se.unit), se.target),
                t.Render());
  }
  return Section("trend", fmt::format("Trend (last {} periods)", tr.periods.size()), body);
}

const KpiValue* Find(const GroupRow& row, std::string_view id) {
  for (const KpiValue& v : row.kpis) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

// dwell: the funnel of deals entering each stage, with the conversion between stages.
std::string DwellSections(const Report& r, const Pointers& p) {
  std::string out;
  std::map<std::string, std::string> conversion;  // "A → B" → "75.0 % (6/8)"
  for (const Grouping& g : r.groupings) {
    for (const GroupRow& row : g.rows) {
      const KpiValue* c = Find(row, "stage_conversion");
      if (c && c->value && !row.values.empty()) {
        conversion[row.values[0]] =
            Percent(c->value->ToDouble()) +
            (c->numerator ? " (" + c->numerator->ToString() + "/" + c->denominator->ToString() + ")"
                          : "");
      }
    }
  }
  for (std::size_t gi = 0; gi < r.groupings.size(); ++gi) {
    const Grouping& g = r.groupings[gi];
    if (g.keys.size() != 1 || g.rows.empty() || !Find(g.rows.front(), "dwell_entered")) continue;
    std::vector<std::string> stages, shown, conv;
    std::vector<double> entered;
    std::vector<svg::Series> days = {{"median", {}}, {"mean", {}}, {"p90", {}}, {"KM median", {}}};
    std::vector<std::string> day_stages;
    for (const GroupRow& row : g.rows) {
      const KpiValue* e = Find(row, "dwell_entered");
      if (e && e->value) {
        stages.push_back(row.values[0]);
        entered.push_back(e->value->ToDouble());
        shown.push_back(Human(*e->value, Unit::kCount) + " entered");
      }
      const KpiValue* med = Find(row, "dwell_days_median");
      if (med && med->reason != "TERMINAL") {
        day_stages.push_back(row.values[0]);
        const char* ids[] = {"dwell_days_median", "dwell_days_mean", "dwell_days_p90",
                             "dwell_days_km_median"};
        for (std::size_t s = 0; s < 4; ++s) {
          const KpiValue* v = Find(row, ids[s]);
          days[s].values.push_back(v && v->value ? std::optional<double>(v->value->ToDouble())
                                                 : std::nullopt);
        }
      }
    }
    for (std::size_t i = 0; i + 1 < stages.size(); ++i) {
      const auto it = conversion.find(stages[i] + " → " + stages[i + 1]);
      conv.push_back(it == conversion.end() ? "" : it->second);
    }
    // The numbers of both charts: the grouping's own table.
    Table t;
    t.head = {g.keys[0], "entered", "exited", "open", "median", "mean", "p90", "KM median"};
    t.num = {false, true, true, true, true, true, true, true};
    const char* cols[] = {"dwell_entered",       "dwell_exited",    "dwell_open",
                          "dwell_days_median",   "dwell_days_mean", "dwell_days_p90",
                          "dwell_days_km_median"};
    std::size_t index = 0;
    for (const GroupRow& row : g.rows) {
      std::vector<Cell> cells = {TextCell(row.values[0])};
      std::map<std::string, std::size_t> at;
      for (std::size_t k = 0; k < row.kpis.size(); ++k) at[row.kpis[k].id] = index + k;
      for (const char* id : cols) {
        const KpiValue* v = Find(row, id);
        if (!v || !v->value) {
          cells.push_back(TextCell(v && v->reason == "TERMINAL" ? "—" : "n/a"));
          continue;
        }
        cells.push_back(
            NumCell(Human(*v->value, v->unit), p.Group(gi, at[id]) + "/value", NumText(*v->value)));
      }
      index += row.kpis.size();
      t.rows.push_back(std::move(cells));
    }
    out += Section("funnel", "Funnel: deals entering each stage",
                   svg::Funnel("Stage funnel", stages, entered, shown, conv) +
                       "<p class=\"note\">↓ stage conversion: deals that reached the next stage "
                       "of those that entered this one.</p>");
    out += Section(
        "dwell", "Dwell per stage (days)",
        ChartWithTable(svg::Columns("Dwell days per stage", day_stages, days, Tick(Unit::kDays)),
                       t.Render()) +
            "<p class=\"note\">KM median: Kaplan–Meier median with the deals still "
            "open counted as censored.</p>");
  }
  return out;
}

std::string GroupSection(const Report& r, const Pointers& p, std::size_t gi) {
  const Grouping& g = r.groupings[gi];
  std::string title;
  for (const auto& k : g.keys) title += (title.empty() ? "" : " × ") + k;
  Table t;
  for (const auto& k : g.keys) {
    t.head.push_back(k);
    t.num.push_back(false);
  }
  if (!g.rows.empty()) {
    for (const KpiValue& v : g.rows.front().kpis) {
      t.head.push_back(LabelOf(v));
      t.num.push_back(true);
    }
  }
  std::size_t index = 0;
  for (const GroupRow& row : g.rows) {
    std::vector<Cell> cells;
    for (std::size_t i = 0; i < row.values.size(); ++i) {
      cells.push_back(TextCell(GroupText({g.keys[i]}, {row.values[i]})));
    }
    for (std::size_t k = 0; k < row.kpis.size(); ++k) {
      const KpiValue& v = row.kpis[k];
      const std::string ptr = p.Group(gi, index + k);
      std::string html = ValueHtml(v, ptr);
      if (v.target) {
        html += "<br><small>target " +
                Number(Shown(*v.target, v), ptr + "/target", NumText(*v.target)) + "</small>";
      }
      if (v.achievement) {
        html += "<br><small>" +
                Number(Percent(*v.achievement), ptr + "/achievement", NumText(*v.achievement)) +
                " " + StatusMark(v.status) + "</small>";
      }
      if (v.compared && v.compared->change) html += "<br><small>" + ChangeHtml(v, ptr) + "</small>";
      cells.push_back(Cell{html, true, {}});
    }
    index += row.kpis.size();
    t.rows.push_back(std::move(cells));
  }
  std::string charts;
  if (!g.rows.empty() && g.rows.size() <= 40) {
    const bool by_period = g.keys.size() == 1 && g.keys[0] == "period";
    std::size_t drawn = 0;
    for (std::size_t k = 0; k < g.rows.front().kpis.size() && drawn < 4; ++k) {
      const KpiValue& first = g.rows.front().kpis[k];
      if (first.id == "stage_conversion" || first.id.rfind("dwell_", 0) == 0) continue;
      std::vector<std::string> labels, shown, classes;
      std::vector<std::optional<double>> values;
      std::optional<double> target;
      for (const GroupRow& row : g.rows) {
        const KpiValue* v = k < row.kpis.size() ? &row.kpis[k] : nullptr;
        labels.push_back(GroupText(g.keys, row.values));
        values.push_back(v && v->value ? std::optional<double>(v->value->ToDouble())
                                       : std::nullopt);
        shown.push_back(v && v->value ? Human(*v->value, v->unit) : "n/a");
        classes.push_back(v && !v->status.empty() && v->status != "no target"
                              ? std::string(StatusKind(v->status))
                              : "");
        if (v && v->target && !target) target = v->target;
      }
      const std::string name = LabelOf(first);
      charts += by_period ? svg::Lines(name + " by period", labels, {{name, values}},
                                       Tick(first.unit), target)
                          : svg::HBars(name + " by " + title, labels, values, shown,
                                       Tick(first.unit), classes, std::nullopt);
      ++drawn;
    }
  }
  std::string body =
      charts.empty() ? t.Render() : ChartWithTable("<div>" + charts + "</div>", t.Render());
  if (!g.merged.empty()) {
    body +=
        "<p class=\"note\">Merged spellings (group values compared after NFKC and white-space "
        "collapsing): ";
    for (std::size_t i = 0; i < g.merged.size(); ++i) {
      const MergedSpelling& m = g.merged[i];
      body += Esc((i ? "; " : "") + m.value + " ← ");
      for (std::size_t s = 0; s < m.spellings.size(); ++s) {
        body += Esc((s ? ", " : "") + m.spellings[s].first + " (" +
                    std::to_string(m.spellings[s].second) + ")");
      }
    }
    body += "</p>";
  }
  std::string id = "by";
  for (const auto& k : g.keys) id += "-" + k;
  std::replace(id.begin(), id.end(), ' ', '-');
  return Section(id, "By " + title, body);
}

std::string ListTable(const ReportList& list, const std::string& prefix) {
  Table t;
  t.head = list.columns;
  t.num = list.numeric;
  const std::string base = prefix + "/lists/" + PointerToken(list.id) + "/";
  for (std::size_t i = 0; i < list.rows.size(); ++i) {
    std::vector<Cell> cells;
    for (std::size_t c = 0; c < list.columns.size(); ++c) {
      const std::string& cell = list.rows[i][c];
      if (c < list.numeric.size() && list.numeric[c]) {
        std::string shown = cell.empty() ? std::string("n/a") : cell;
        if (!cell.empty()) {
          const double d = std::strtod(cell.c_str(), nullptr);
          const std::string& column = list.columns[c];
          shown = column == "ape" || column == "survival" ? Percent(d)
                  : column == "discount_factor"           ? Fixed(d, 4)
                  : column == "days"                      ? Fixed(d, 1)
                                                          : Human(Num::Real(d), Unit::kNumber);
        }
        cells.push_back(
            NumCell(shown, base + std::to_string(i) + "/" + PointerToken(list.columns[c]), cell));
      } else {
        cells.push_back(TextCell(cell));
      }
    }
    t.rows.push_back(std::move(cells));
  }
  return list.rows.empty() ? "<p class=\"note\">(none)</p>" : t.Render();
}

std::size_t Column(const ReportList& list, std::string_view name) {
  const auto it = std::find(list.columns.begin(), list.columns.end(), name);
  return static_cast<std::size_t>(it - list.columns.begin());
}

std::optional<double> CellNumber(const ReportList& list, std::size_t row, std::size_t col) {
  if (col >= list.columns.size() || list.rows[row][col].empty()) return std::nullopt;
  return std::strtod(list.rows[row][col].c_str(), nullptr);
}

std::string ListSection(const Report& r, const ReportList& list, const std::string& prefix) {
  const std::string table = ListTable(list, prefix);
  const std::size_t fc = Column(list, "forecast"), ac = Column(list, "actual");
  if (list.id == "rows" && fc < list.columns.size() && ac < list.columns.size()) {
    // forecast: forecast beside actual per period (and group), the error in the table.
    std::vector<std::string> x;
    svg::Series f{"forecast", {}}, a{"actual", {}}, e{"error F − A", {}};
    const std::size_t ec = Column(list, "error");
    for (std::size_t i = 0; i < list.rows.size(); ++i) {
      std::string label;
      for (std::size_t c = 0; c < list.columns.size(); ++c) {
        if (c < list.numeric.size() && !list.numeric[c])
          label += (label.empty() ? "" : " ") + list.rows[i][c];
      }
      x.push_back(label);
      f.values.push_back(CellNumber(list, i, fc));
      a.values.push_back(CellNumber(list, i, ac));
      e.values.push_back(CellNumber(list, i, ec));
    }
    std::vector<svg::Series> series = {f, a};
    if (ec < list.columns.size()) series.push_back(e);
    if (x.size() > 36) {  // a chart that wide says nothing: the table holds every point
      return Section("forecast-vs-actual", "Forecast vs actual per period, and the error",
                     "<p class=\"note\">" + Esc(std::to_string(x.size()) + " points: too many to "
                     "draw, see the table.") + "</p>" + table);
    }
    return Section("forecast-vs-actual", "Forecast vs actual per period, and the error",
                   ChartWithTable(svg::Columns("Forecast vs actual", x, series, Tick(Unit::kAmount)),
                                  table));
  }
  const std::size_t cc = Column(list, "cumulative_net"), nc = Column(list, "net");
  if (list.id == "periods" && cc < list.columns.size() && nc < list.columns.size()) {
    // roi: the cash flow, with the payback point where the cumulative net turns positive.
    std::vector<std::string> x;
    std::vector<double> net, cum;
    for (std::size_t i = 0; i < list.rows.size(); ++i) {
      x.push_back(list.rows[i][0]);
      net.push_back(CellNumber(list, i, nc).value_or(0));
      cum.push_back(CellNumber(list, i, cc).value_or(0));
    }
    std::optional<double> at;
    for (std::size_t i = 1; i < cum.size() && !at; ++i) {
      if (cum[i - 1] < 0 && cum[i] >= 0) {
        at = static_cast<double>(i - 1) + (-cum[i - 1]) / (cum[i] - cum[i - 1]);
      }
    }
    std::string payback = "payback";
    for (const KpiValue& v : r.total.kpis) {
      if (v.id == "payback_months" && v.value)
        payback += " " + Fixed(v.value->ToDouble(), 1) + " months";
    }
    if (!at) payback = "not paid back within the horizon";
    return Section(
        "cash-flow", "Cash flow and payback",
        svg::CashFlow("Cumulative net cash flow", x, net, cum, at, payback, Tick(Unit::kAmount)) +
            "<p class=\"note\">" + Esc(list.title) + "</p>" + table);
  }
  if (list.id == "survival" && list.columns.size() == 3) {
    // dwell: the Kaplan–Meier curve of each stage, from 100 % at day 0.
    std::vector<svg::Curve> curves;
    for (std::size_t i = 0; i < list.rows.size(); ++i) {
      if (curves.empty() || curves.back().name != list.rows[i][0]) {
        curves.push_back({list.rows[i][0], {0}, {1}});
      }
      curves.back().x.push_back(CellNumber(list, i, 1).value_or(0));
      curves.back().y.push_back(CellNumber(list, i, 2).value_or(0));
    }
    return Section("km", "Kaplan–Meier: still in the stage after N days",
                   ChartWithTable(svg::Steps("Kaplan–Meier survival per stage", "days in stage",
                                             curves, Tick(Unit::kRatio)),
                                  table) +
                       "<p class=\"note\">" + Esc(list.title) +
                       "; the dashed line is 50 %: where a curve crosses it is the stage's KM "
                       "median.</p>");
  }
  return Section("list-" + list.id, list.title, table);
}

// The lists drawn as a chart (forecast rows, the ROI cash flow) lead the page.
bool Charted(const ReportList& list) {
  return list.id == "survival" ||
         (list.id == "rows" && Column(list, "forecast") < list.columns.size() &&
          Column(list, "actual") < list.columns.size()) ||
         (list.id == "periods" && Column(list, "cumulative_net") < list.columns.size() &&
          Column(list, "net") < list.columns.size());
}

std::string SignsAndWarnings(const Report& r) {
  std::string out;
  if (!r.signs.empty()) {
    std::string body = "<ul class=\"plain\">";
    for (const FailureSign& s : r.signs) {
      body += "<li>" + StatusMark("WARN") + " <b>" + Esc(s.kind) + "</b>: " + Esc(s.message) +
              "<br><span class=\"note\">" + Esc(s.remedy) + "</span></li>";
    }
    out += Section("signs", "Failure signs", body + "</ul>");
  }
  if (!r.warnings.empty()) {
    std::string body = "<ul class=\"plain\">";
    for (const DataWarning& w : r.warnings) {
      body += "<li>" +
              Esc(fmt::format("{}:{}:{}: {} — {} rows (first: \"{}\")", w.first.file, w.first.line,
                              w.first.column, w.message, w.count, w.sample)) +
              "</li>";
    }
    out += Section("warnings", "Data warnings", body + "</ul>");
  }
  return out;
}

}  // namespace

std::string ReportLang(const Report& report) { return report.calendar.ja ? "ja" : "en"; }

std::string KpiCards(const Report& report, const std::string& prefix) {
  const Pointers p(report, prefix);
  // The latest period's row of a grouping by period alone: its value and its change against
  // the compared period go on the card when the total has none of its own.
  std::optional<std::size_t> by_period;
  for (std::size_t g = 0; g < report.groupings.size(); ++g) {
    const Grouping& gr = report.groupings[g];
    if (gr.keys.size() == 1 && gr.keys[0] == "period" && !gr.rows.empty()) by_period = g;
  }
  std::vector<Card> cards;
  for (std::size_t k = 0; k < report.total.kpis.size(); ++k) {
    const KpiValue& v = report.total.kpis[k];
    Card card = KpiCard(v, prefix + "/kpis/" + std::to_string(k));
    if (by_period && !v.compared) {
      const Grouping& g = report.groupings[*by_period];
      std::size_t index = 0;
      for (std::size_t r = 0; r + 1 < g.rows.size(); ++r) index += g.rows[r].kpis.size();
      const GroupRow& last = g.rows.back();
      for (std::size_t i = 0; i < last.kpis.size(); ++i) {
        const KpiValue& lv = last.kpis[i];
        if (lv.id != v.id || !lv.compared) continue;
        const std::string ptr = p.Group(*by_period, index + i);
        card.lines.push_back(Esc(last.values[0] + ": ") + ValueHtml(lv, ptr));
        card.lines.push_back(ChangeHtml(lv, ptr));
      }
    }
    cards.push_back(std::move(card));
  }
  return Cards(cards);
}

std::string ReportBody(const Report& r, const std::string& prefix) {
  const Pointers p(r, prefix);
  std::string out;
  if (r.view) {
    std::string body = "<p>" + Esc(r.view->name) +
                       (r.view->audience.empty() ? "" : " — " + Esc(r.view->audience)) +
                       (r.view->built_in ? " (default view)" : "") + "</p>";
    for (const std::string& n : r.view->notes) body += "<p class=\"note\">note: " + Esc(n) + "</p>";
    out += Section("view", "View", body);
  }
  if (r.fx) {
    std::string rates;
    for (const auto& [code, rate] : r.fx->rates) {
      if (code != r.fx->base)
        rates += (rates.empty() ? "" : ", ") + code + " = " + NumText(rate) + " " + r.fx->base;
    }
    out += "<p class=\"note\">" +
           Esc("amounts in " + r.fx->base + (rates.empty() ? "" : ", converted at " + rates)) +
           "</p>";
  }
  // The cards, the command's own charts, then the tables of everything.
  out += Section("kpis", "KPIs", KpiCards(r, prefix));
  out += DwellSections(r, p);
  for (const ReportList& list : r.lists) {
    if (Charted(list)) out += ListSection(r, list, prefix);
  }
  out += TotalSection(r, p);
  out += TrendSection(r, prefix);
  for (std::size_t g = 0; g < r.groupings.size(); ++g) out += GroupSection(r, p, g);
  for (const ReportList& list : r.lists) {
    if (!Charted(list)) out += ListSection(r, list, prefix);
  }
  out += SignsAndWarnings(r);
  return out;
}

std::string ReportPage(const Report& report) {
  PageHead head;
  head.title = "crmkpi " + report.command;
  head.subtitle = ReportSubtitle(report);
  head.lang = ReportLang(report);
  return Page(head, ReportBody(report, ""));
}

}  // namespace crmkpi::html
