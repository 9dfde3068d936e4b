// The sheets of a Report (-f xlsx of report, dwell, forecast, roi): the tables the text output
// prints, with numbers as numbers.
#include "crmkpi/write/report_sheets.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/write/report_writer.h"

namespace crmkpi {
namespace {

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

std::string LabelOf(const KpiValue& v) { return v.label.empty() ? v.id : v.label; }

std::string Reason(const KpiValue& v) {
  if (v.value || v.reason.empty()) return {};
  return std::string(ReasonText(v.reason));
}

std::string Excluded(const KpiValue& v) {
  std::string out;
  for (const auto& [reason, count] : v.excluded) {
    out += fmt::format("{}{}={}", out.empty() ? "" : "; ", reason, count);
  }
  return out;
}

Cell Maybe(const std::optional<std::uint64_t>& n) {
  return n ? Cell::Number(static_cast<double>(*n), CellKind::kCount) : Cell::Empty();
}

Cell Plain(const std::optional<Num>& n) {
  return n ? Cell::Number(n->ToDouble(), CellKind::kNumber) : Cell::Empty();
}

std::string KeysTitle(const std::vector<std::string>& keys) {
  std::string title;
  for (const auto& k : keys) title += (title.empty() ? "" : " × ") + k;
  return title;
}

Sheet Total(const Report& report) {
  Sheet s;
  s.name = "Total";
  bool definition = false;
  for (const KpiValue& v : report.total.kpis) definition = definition || !v.status.empty();
  const bool targets = !report.targets.empty();
  const bool compare = !report.compare.empty();
  s.columns = {"kpi", "label", "value", "n/a reason", "unit", "currency", "numerator",
               "denominator", "n", "censored", "excluded"};
  if (definition) s.columns.insert(s.columns.end(), {"target", "achievement", "status"});
  if (targets) {
    s.columns.insert(s.columns.end(), {"target_source", "gap", "elapsed", "landing",
                                       "landing_achievement", "pace"});
  }
  if (compare) {
    s.columns.insert(s.columns.end(), {"compare_period", "compare_value", "change",
                                       "change_percent", "change_points"});
  }
  for (const KpiValue& v : report.total.kpis) {
    std::vector<Cell> row = {Cell::Text(v.id),
                             Cell::Text(LabelOf(v)),
                             Cell::Of(v.value, v.unit, v.currency),
                             Cell::Text(Reason(v)),
                             Cell::Text(std::string(UnitName(v.unit))),
                             Cell::Text(v.currency),
                             Plain(v.numerator),
                             Plain(v.denominator),
                             Maybe(v.n),
                             Maybe(v.censored),
                             Cell::Text(Excluded(v))};
    if (definition) {
      row.push_back(Cell::Of(v.target, v.unit, v.currency));
      row.push_back(Cell::Of(v.achievement, Unit::kRatio));
      row.push_back(Cell::Text(v.status));
    }
    if (targets) {
      row.push_back(Cell::Text(v.target_source));
      row.push_back(Cell::Of(v.gap, v.unit, v.currency));
      if (v.pace) {
        row.push_back(Cell::Number(v.pace->elapsed, CellKind::kRatio));
        row.push_back(Cell::Of(v.pace->landing, v.unit, v.currency));
        row.push_back(Cell::Of(v.pace->landing_achievement, Unit::kRatio));
        row.push_back(Cell::Text(v.pace->status));
      } else {
        row.insert(row.end(), 4, Cell::Empty());
      }
    }
    if (compare) {
      if (v.compared) {
        const KpiValue::Comparison& c = *v.compared;
        row.push_back(Cell::Text(c.period));
        row.push_back(Cell::Of(c.value, v.unit, v.currency));
        // A ratio's change is a difference of ratios: shown as % (= points).
        row.push_back(Cell::Of(c.change, v.unit == Unit::kRatio ? Unit::kRatio : v.unit,
                               v.currency));
        row.push_back(Cell::Of(c.percent, Unit::kRatio));
        row.push_back(c.points ? Cell::Number(*c.points, CellKind::kNumber) : Cell::Empty());
      } else {
        row.insert(row.end(), 5, Cell::Empty());
      }
    }
    s.rows.push_back(std::move(row));
  }
  return s;
}

Sheet TrendSheet(const Trend& tr) {
  Sheet s;
  s.name = "Trend";
  s.columns = {"kpi", "label"};
  for (const std::string& p : tr.periods) s.columns.push_back(p);
  s.columns.push_back("target");
  for (const Trend::Series& series : tr.series) {
    std::vector<Cell> row = {Cell::Text(series.id),
                             Cell::Text(series.label.empty() ? series.id : series.label)};
    for (const std::optional<Num>& v : series.values) {
      row.push_back(Cell::Of(v, series.unit, series.currency));
    }
    row.push_back(Cell::Of(series.target, series.unit, series.currency));
    s.rows.push_back(std::move(row));
  }
  return s;
}

// Wide, as the text table: the group's keys, then one column per KPI (its label or id),
// followed by "LABEL n/a reason" when some group's value is n/a and, with --compare,
// "LABEL change" (a ratio's change is a difference of ratios: 0.0% reads as points).
Sheet GroupSheet(const Grouping& g) {
  Sheet s;
  s.name = "By " + KeysTitle(g.keys);
  s.columns = g.keys;
  const std::size_t n = g.rows.empty() ? 0 : g.rows.front().kpis.size();
  std::vector<bool> reasons(n, false), changes(n, false);
  for (const GroupRow& r : g.rows) {
    for (std::size_t j = 0; j < n && j < r.kpis.size(); ++j) {
      reasons[j] = reasons[j] || (!r.kpis[j].value && !r.kpis[j].reason.empty());
      changes[j] = changes[j] || r.kpis[j].compared.has_value();
    }
  }
  for (std::size_t j = 0; j < n; ++j) {
    const std::string label = LabelOf(g.rows.front().kpis[j]);
    s.columns.push_back(label);
    if (reasons[j]) s.columns.push_back(label + " n/a reason");
    if (changes[j]) s.columns.push_back(label + " change");
  }
  for (const GroupRow& r : g.rows) {
    std::vector<Cell> row;
    for (const std::string& v : r.values) row.push_back(Cell::Text(v));
    for (std::size_t j = 0; j < n; ++j) {
      const KpiValue* v = j < r.kpis.size() ? &r.kpis[j] : nullptr;
      row.push_back(v ? Cell::Of(v->value, v->unit, v->currency) : Cell::Empty());
      if (reasons[j]) row.push_back(Cell::Text(v ? Reason(*v) : ""));
      if (changes[j]) {
        row.push_back(v && v->compared ? Cell::Of(v->compared->change, v->unit, v->currency)
                                       : Cell::Empty());
      }
    }
    s.rows.push_back(std::move(row));
  }
  return s;
}

void TargetSheets(const Report& report, Workbook* book) {
  if (report.targets.empty()) return;
  for (const Grouping& g : report.groupings) {
    Sheet s;
    s.name = "Targets by " + KeysTitle(g.keys);
    s.columns = g.keys;
    s.columns.insert(s.columns.end(), {"kpi", "actual", "n/a reason", "target", "achievement",
                                       "gap", "status", "elapsed", "landing", "pace"});
    for (const GroupRow& r : g.rows) {
      for (const KpiValue& v : r.kpis) {
        if (v.target_source.empty()) continue;
        std::vector<Cell> row;
        for (const std::string& k : r.values) row.push_back(Cell::Text(k));
        row.push_back(Cell::Text(LabelOf(v)));
        row.push_back(Cell::Of(v.value, v.unit, v.currency));
        row.push_back(Cell::Text(Reason(v)));
        row.push_back(Cell::Of(v.target, v.unit, v.currency));
        row.push_back(Cell::Of(v.achievement, Unit::kRatio));
        row.push_back(Cell::Of(v.gap, v.unit, v.currency));
        row.push_back(Cell::Text(v.status));
        if (v.pace) {
          row.push_back(Cell::Number(v.pace->elapsed, CellKind::kRatio));
          row.push_back(Cell::Of(v.pace->landing, v.unit, v.currency));
          row.push_back(Cell::Text(v.pace->status));
        }
        s.rows.push_back(std::move(row));
      }
    }
    if (!s.rows.empty()) book->sheets.push_back(std::move(s));
  }
}

Sheet SignsSheet(const std::vector<FailureSign>& signs) {
  Sheet s;
  s.name = "Failure signs";
  s.columns = {"kind", "kpis", "periods", "message", "remedy"};
  for (const FailureSign& f : signs) {
    s.rows.push_back({Cell::Text(f.kind), Cell::Text(Join(f.kpis, ", ")),
                      Cell::Text(Join(f.periods, ", ")), Cell::Text(f.message),
                      Cell::Text(f.remedy)});
  }
  return s;
}

// What a list's numeric column measures, from its name (dwell's stuck deals, forecast's rows,
// roi's cash flow and terms): days, amounts, ratios, counts; else a plain number.
CellKind ListKind(std::string_view column) {
  if (column.find("days") != std::string_view::npos) return CellKind::kDays;
  static constexpr std::string_view kAmounts[] = {
      "amount", "cost", "gain", "net", "cumulative_net", "discounted_cost", "discounted_gain",
      "discounted_net", "cumulative_discounted", "forecast", "actual", "error"};
  for (const std::string_view a : kAmounts) {
    if (column == a) return CellKind::kAmount;
  }
  if (column == "ape") return CellKind::kRatio;
  if (column == "rows" || column == "deals" || column == "n") return CellKind::kCount;
  return CellKind::kNumber;
}

Sheet ListSheet(const ReportList& list) {
  Sheet s;
  // "Rows (error = F − A; …)" → "Rows": the title up to its explanation.
  s.name = list.title.substr(0, list.title.find(" ("));
  s.columns = list.columns;
  for (const auto& cells : list.rows) {
    std::vector<Cell> row;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool numeric = c < list.numeric.size() && list.numeric[c];
      if (!numeric || cells[c].empty()) {
        row.push_back(Cell::Text(cells[c]));
        continue;
      }
      char* end = nullptr;
      const double v = std::strtod(cells[c].c_str(), &end);
      row.push_back(end != nullptr && *end == '\0'
                        ? Cell::Number(v, ListKind(c < list.columns.size() ? list.columns[c] : ""))
                        : Cell::Text(cells[c]));
    }
    s.rows.push_back(std::move(row));
  }
  return s;
}

}  // namespace

void AddReportSettings(const Report& report, Workbook* book) {
  auto& s = book->settings;
  for (const InputSummary& in : report.inputs) {
    s.emplace_back("input", fmt::format("{} ({} rows, {}{})", in.name, in.rows,
                                        in.encoding.empty() ? "utf-8" : in.encoding,
                                        in.encoding_detected ? ", detected" : ""));
  }
  s.emplace_back("as of", report.as_of.empty() ? "no dates in the data"
                                               : report.as_of + " (" + report.as_of_source + ")");
  if (report.fx) {
    std::string rates;
    for (const auto& [code, rate] : report.fx->rates) {
      rates += fmt::format("{}{} = {} {}", rates.empty() ? "" : ", ", code, rate, report.fx->base);
    }
    s.emplace_back("currency", fmt::format("amounts in {}{} ({})", report.fx->base,
                                           rates.empty() ? "" : ", converted at " + rates,
                                           report.fx->origin));
  }
  if (!report.compare.empty()) s.emplace_back("compare", report.compare);
  if (report.trend) {
    s.emplace_back("trend", fmt::format("{} periods", report.trend->periods.size()));
  }
  if (!report.targets.empty()) s.emplace_back("targets", report.targets);
  if (report.view) {
    s.emplace_back("view", report.view->name + (report.view->audience.empty()
                                                     ? ""
                                                     : " (" + report.view->audience + ")"));
    for (const std::string& note : report.view->notes) s.emplace_back("view note", note);
  }
  s.emplace_back("fiscal year start", fmt::format("month {}", report.calendar.fiscal_year_start));
  for (const DataWarning& w : report.warnings) s.emplace_back("warning", w.message);
}

Workbook ReportWorkbook(const Report& report) {
  Workbook book;
  book.sheets.push_back(Total(report));
  if (report.trend && !report.trend->series.empty()) {
    book.sheets.push_back(TrendSheet(*report.trend));
  }
  for (const Grouping& g : report.groupings) book.sheets.push_back(GroupSheet(g));
  TargetSheets(report, &book);
  if (!report.signs.empty()) book.sheets.push_back(SignsSheet(report.signs));
  for (const ReportList& list : report.lists) book.sheets.push_back(ListSheet(list));
  AddReportSettings(report, &book);
  return book;
}

}  // namespace crmkpi
