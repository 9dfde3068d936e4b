#include "crmkpi/write/report_writer.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/terminal.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"
#include "crmkpi/evaluate/view_select.h"
#include "crmkpi/write/json_writer.h"
#include "crmkpi/write/report_sheets.h"
#include "crmkpi/write/signs_writer.h"
#include "html_report.h"
#include "crmkpi/write/xlsx_writer.h"
#include "labels.h"
#include "targets_section.h"
#include "text_table.h"

namespace crmkpi {
namespace {

// ---- value formatting for people (table, md) --------------------------------------------

std::string ExcludedText(const KpiValue& v) {
  std::string out;
  for (const auto& [reason, count] : v.excluded) {
    if (!out.empty()) out += ", ";
    std::string r = reason;
    std::replace(r.begin(), r.end(), '_', ' ');
    out += fmt::format("{} {}", GroupThousands(std::to_string(count)), r);
  }
  return out;
}

std::string Label(std::string_view id) {
  static const std::pair<std::string_view, std::string_view> kLabels[] = {
      {"deals", "deals"},
      {"won", "won"},
      {"lost", "lost"},
      {"open", "open"},
      {"win_rate", "win rate 受注率"},
      {"lead_to_opportunity_rate", "lead→opportunity 商談化率"},
      {"revenue", "revenue 売上"},
      {"avg_deal_size", "avg deal size 平均取引規模"},
      {"pipeline_amount", "pipeline amount"},
      {"sales_cycle_days_median", "sales cycle median (days)"},
      {"sales_cycle_days_mean", "sales cycle mean (days)"},
      {"sales_cycle_days_p90", "sales cycle p90 (days)"},
      {"sales_cycle_days_km_median", "sales cycle KM median, all deals (days)"},
      {"history_deals", "deals in the history"},
      {"history_visits", "stage visits"},
      {"stuck_deals", "stuck deals"},
  };
  for (const auto& [k, label] : kLabels) {
    if (k == id) return std::string(label);
  }
  return std::string(id);
}

std::string ShortLabel(std::string_view id) {
  static const std::pair<std::string_view, std::string_view> kShort[] = {
      {"win_rate", "win rate"},
      {"lead_to_opportunity_rate", "lead→opp"},
      {"avg_deal_size", "avg deal"},
      {"pipeline_amount", "pipeline"},
      {"sales_cycle_days_median", "cycle median"},
      {"sales_cycle_days_mean", "cycle mean"},
      {"sales_cycle_days_p90", "cycle p90"},
      {"sales_cycle_days_km_median", "cycle KM median"},
      {"dwell_entered", "entered"},
      {"dwell_visits", "visits"},
      {"dwell_reentries", "re-entries"},
      {"dwell_exited", "exited"},
      {"dwell_open", "open"},
      {"dwell_days_median", "median"},
      {"dwell_days_mean", "mean"},
      {"dwell_days_p90", "p90"},
      {"dwell_days_km_median", "KM median"},
  };
  for (const auto& [k, label] : kShort) {
    if (k == id) return std::string(label);
  }
  return std::string(id);
}

// The row label: an INI KPI's own label, else the built-in one.
std::string LabelOf(const KpiValue& v) { return v.label.empty() ? Label(v.id) : v.label; }

// The value cell: "42.2 %" or "n/a".
std::string ValueCell(const KpiValue& v) {
  if (!v.value) return "n/a";
  // An amount in a known currency says which: "1,500,000 JPY".
  if (v.unit == Unit::kAmount && !v.currency.empty()) {
    return MoneyIn(v.value->ToDouble(), v.currency) + " " + v.currency;
  }
  return Human(*v.value, v.unit);
}

// The basis column of the total table: the population behind the value.
std::string BasisCell(const KpiValue& v) {
  std::string basis;
  const bool builtin = v.status.empty();  // the deals report's own KPIs, not an INI's
  if (!builtin) {
    if (v.numerator && v.denominator) {
      basis = fmt::format("{} / {}", Human(*v.numerator, Unit::kNumber),
                          Human(*v.denominator, Unit::kNumber));
    }
  } else if (v.id == "win_rate") {
    basis = fmt::format("{} won / {} closed", Human(*v.numerator, Unit::kCount),
                        Human(*v.denominator, Unit::kCount));
  } else if (v.id == "lead_to_opportunity_rate") {
    basis = fmt::format("{} reached / {} deals", Human(*v.numerator, Unit::kCount),
                        Human(*v.denominator, Unit::kCount));
  } else if (v.id == "avg_deal_size" && v.numerator) {
    basis = fmt::format("{} / {} won with amount", MoneyIn(v.numerator->ToDouble(), v.currency),
                        Human(*v.denominator, Unit::kCount));
  } else if (v.id == "sales_cycle_days_mean" && v.numerator) {
    basis = fmt::format("{} days / {} won", Fixed(v.numerator->ToDouble(), 1),
                        Human(*v.denominator, Unit::kCount));
  } else if (v.n && v.censored) {
    basis = fmt::format("n = {}, {} open (censored)", GroupThousands(std::to_string(*v.n)),
                        GroupThousands(std::to_string(*v.censored)));
  } else if (v.n) {
    basis = fmt::format("n = {}", GroupThousands(std::to_string(*v.n)));
  }
  if (!v.value && v.reason == "MIXED_CURRENCIES" && !v.currencies.empty()) {
    std::string list;
    for (std::size_t i = 0; i < v.currencies.size(); ++i) {
      const std::string& c = v.currencies[i];
      list += (i == 0 ? "" : i + 1 == v.currencies.size() ? " and " : ", ") +
              (c.empty() ? std::string("(empty)") : c);
    }
    basis += (basis.empty() ? "" : "; ") +
             fmt::format("n/a: amounts in {} are not added (see per currency; --fx converts)",
                         list);
  } else if (!v.value && !v.reason.empty()) {
    basis += (basis.empty() ? "" : "; ") + std::string(ReasonText(v.reason));
  }
  const std::string ex = ExcludedText(v);
  if (!ex.empty()) basis += (basis.empty() ? "excluded: " : "; excluded: ") + ex;
  return basis;
}

// The change against the compared period (--compare): "+5.0 pt" for rates, "+3 (+33.3 %)"
// otherwise; "n/a" without a reference value.
std::string ChangeText(const KpiValue& v) {
  const KpiValue::Comparison& c = *v.compared;
  if (!c.change) return "n/a";
  if (c.points) {
    return fmt::format("{}{}{}", *c.points >= 0 ? "+" : "", Fixed(*c.points, 1), PointsSuffix());
  }
  const Unit unit = v.unit == Unit::kRatio ? Unit::kNumber : v.unit;
  std::string text = (*c.change >= 0 ? "+" : "") + Human(Num::Real(*c.change), unit);
  if (c.percent) {
    text += fmt::format(" ({}{} %)", *c.percent >= 0 ? "+" : "", Fixed(*c.percent * 100.0, 1));
  }
  return text;
}

// The cell of a grouped (wide) table: value, plus n/d for ratios, plus the change against the
// compared period.
std::string GroupCell(const KpiValue& v) {
  std::string cell = ValueCell(v);
  if (v.unit == Unit::kRatio && v.numerator) {
    cell += fmt::format(" ({}/{})", v.numerator->ToString(), v.denominator->ToString());
  }
  if (v.compared) cell += " " + ChangeText(v);
  return cell;
}

std::string GroupValue(const std::string& key, const std::string& v) {
  if (!v.empty()) return v;
  return key == "period" ? "(no date)" : "(empty)";
}

// The note after a grouping's table: the raw spellings its group keys merged (docs/kpis.md,
// "Group keys"), "佐藤 花子 ← 佐藤 花子 (3 rows), 佐藤　花子 (2 rows)"; control characters
// escaped so that a tab is seen. Prefixed with the column when the grouping has several.
std::string MergedNote(const Grouping& g, bool md) {
  if (g.merged.empty()) return {};
  bool several = false;
  for (const MergedSpelling& m : g.merged) several = several || m.key != g.merged.front().key;
  std::string out = md ? "\nMerged spellings (group values compared after NFKC and white-space "
                         "collapsing; `--exact-groups` keeps them apart):\n\n"
                       : "\nMerged spellings (group values compared after NFKC and white-space "
                         "collapsing; --exact-groups keeps them apart):\n";
  for (const MergedSpelling& m : g.merged) {
    std::string line = several ? m.key + ": " : "";
    line += GroupValue(m.key, m.value) + " ← ";
    for (std::size_t i = 0; i < m.spellings.size(); ++i) {
      const auto& [raw, rows] = m.spellings[i];
      line += fmt::format("{}{} ({} {}{})", i == 0 ? "" : ", ", EscapeControls(raw),
                          GroupThousands(std::to_string(rows)), m.unit, rows == 1 ? "" : "s");
    }
    out += (md ? "- " : "  ") + line + "\n";
  }
  return out;
}

// The heading of a view (--view NAME): "View executive — 経営層 (default view): revenue, …",
// then what of it did not apply.
std::string ViewLines(const ReportView& view, bool md) {
  std::string kpis;
  for (const std::string& id : view.kpis) {
    kpis += (kpis.empty() ? "" : ", ") + (md ? "`" + id + "`" : id);
  }
  std::string who = view.audience;
  if (view.built_in) who += who.empty() ? "default view" : ", default view";
  std::string out = fmt::format("{}View {}{}{}: {}\n", md ? "\n**" : "", view.name,
                                md ? "**" : "", who.empty() ? "" : " (" + who + ")", kpis);
  for (const std::string& note : view.notes) {
    out += fmt::format("{}note: {}\n", md ? "- " : "  ", note);
  }
  return out;
}

std::string WriteHuman(const Report& report, bool md) {
  std::string out;
  std::string inputs;
  std::uint64_t rows = 0;
  for (const auto& in : report.inputs) {
    inputs += (inputs.empty() ? "" : ", ") + in.name;
    // UTF-8 goes without saying; any other encoding is named, and whether it was detected.
    if (!in.encoding.empty() && in.encoding != "utf-8") {
      inputs += fmt::format(" ({}{})", in.encoding, in.encoding_detected ? ", detected" : "");
    }
    rows += in.rows;
  }
  const std::string as_of =
      report.as_of.empty() ? "no dates in the data"
                           : fmt::format("as of {} ({})", report.as_of,
                                         report.as_of_source == "option"       ? "--as-of"
                                         : report.as_of_source == "definition" ? "the definition"
                                                                 : "latest event in the data");
  out += fmt::format("{}crmkpi {}: {} · {} rows · {}\n", md ? "# " : "", report.command, inputs,
                     GroupThousands(std::to_string(rows)), as_of);
  if (report.fx) {
    // The rates every converted amount used, so that each one can be recomputed.
    std::string rates;
    for (const auto& [code, rate] : report.fx->rates) {
      if (code == report.fx->base) continue;
      rates += fmt::format("{}{} = {} {}", rates.empty() ? "" : ", ", code, rate,
                           report.fx->base);
    }
    out += fmt::format("{}amounts in {}{} ({})\n", md ? "\n" : "", report.fx->base,
                       rates.empty() ? "" : ", converted at " + rates, report.fx->origin);
  }
  if (report.view) out += ViewLines(*report.view, md);
  out += "\n";

  Table total;
  bool targets = false;  // KPIs from an INI definition: show target, achievement, status
  for (const KpiValue& v : report.total.kpis) targets = targets || !v.status.empty();
  total.head = {"KPI", "value", "basis"};
  total.right = {false, true, false};
  if (targets) {
    total.head = {"KPI", "value", "target", "achv.", "status", "basis"};
    total.right = {false, true, true, true, false, false};
  }
  for (const KpiValue& v : report.total.kpis) {
    if (!targets) {
      total.rows.push_back({LabelOf(v), ValueCell(v), BasisCell(v)});
      continue;
    }
    total.rows.push_back({LabelOf(v), ValueCell(v),
                          v.target ? Human(Num::Real(*v.target), v.unit) : "",
                          v.achievement ? Fixed(*v.achievement * 100.0, 1) + " %" : "",
                          v.status, BasisCell(v)});
  }
  out += md ? "## " + Localized("Total") + "\n\n" : Localized("Total") + "\n";
  out += total.Render(md);
  if (report.trend && !report.trend->series.empty()) {
    // KPIs down, periods across, the target line last.
    const Trend& tr = *report.trend;
    out += md ? fmt::format("\n## Trend (last {} periods)\n\n", tr.periods.size())
              : fmt::format("\nTrend (last {} periods)\n", tr.periods.size());
    Table t;
    t.head = {"KPI"};
    t.right = {false};
    for (const std::string& p : tr.periods) {
      t.head.push_back(p);
      t.right.push_back(true);
    }
    t.head.push_back("target");
    t.right.push_back(true);
    for (const Trend::Series& s : tr.series) {
      KpiValue shown;
      shown.id = s.id;
      shown.label = s.label;
      shown.unit = s.unit;
      shown.currency = s.currency;
      std::vector<std::string> cells = {LabelOf(shown)};
      for (const std::optional<Num>& v : s.values) {
        shown.value = v;
        cells.push_back(ValueCell(shown));
      }
      cells.push_back(s.target ? Human(Num::Real(*s.target), s.unit) : "");
      t.rows.push_back(std::move(cells));
    }
    out += t.Render(md);
  }

  for (const Grouping& g : report.groupings) {
    std::string title;
    for (const auto& k : g.keys) {
      title += (title.empty() ? "" : " × ") + (k == "period" ? Localized(k) : k);
    }
    if (Terminal().ja) title += "別";  // 担当者別
    const std::string by = Terminal().ja ? title : "By " + title;
    out += md ? fmt::format("\n## {}\n\n", by) : fmt::format("\n{}\n", by);
    Table t;
    for (const auto& k : g.keys) {
      t.head.push_back(k);
      t.right.push_back(false);
    }
    if (!g.rows.empty()) {
      for (const KpiValue& v : g.rows.front().kpis) {
        t.head.push_back(v.label.empty() ? ShortLabel(v.id) : v.label);
        t.right.push_back(true);
      }
    }
    for (const GroupRow& r : g.rows) {
      std::vector<std::string> cells;
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        cells.push_back(GroupValue(g.keys[i], r.values[i]));
      }
      for (const KpiValue& v : r.kpis) cells.push_back(GroupCell(v));
      t.rows.push_back(std::move(cells));
    }
    out += t.Render(md);
    out += MergedNote(g, md);
  }
  out += TargetsSection(report, md);
  out += SignsSection(report, md);
  for (const ReportList& list : report.lists) {
    if (!list.in_text) continue;
    out += md ? fmt::format("\n## {}\n\n", list.title) : fmt::format("\n{}\n", list.title);
    if (list.rows.empty()) {
      out += md ? "(none)\n" : "  (none)\n";
      continue;
    }
    Table t;
    t.head = list.columns;
    t.right = list.numeric;
    t.rows = list.rows;
    for (auto& row : t.rows) {
      for (std::size_t c = 0; c < row.size() && c < list.numeric.size(); ++c) {
        if (!list.numeric[c]) continue;
        row[c] = NumberCell(row[c], c < list.units.size() ? std::optional<Unit>(list.units[c])
                                                          : std::nullopt);
      }
    }
    out += t.Render(md);
  }
  return out;
}

// ---- machine formats ---------------------------------------------------------------------

// A Num as JSON: exact decimals as their text, doubles shortest round-trip.
void JsonNum(const Num& n, JsonWriter* w) {
  if (n.fixed) {
    w->Number(n.ToString());
  } else {
    w->Double(n.real);
  }
}
void JsonNum(const std::optional<Num>& n, JsonWriter* w) {
  if (n) {
    JsonNum(*n, w);
  } else {
    w->Null();
  }
}

// The first and last day of the row's period, if it has one.
const std::pair<std::string, std::string>* PeriodBounds(const Report& report,
                                                        const std::vector<std::string>& keys,
                                                        const std::vector<std::string>& values) {
  const auto key = std::find(keys.begin(), keys.end(), "period");
  if (key == keys.end()) return nullptr;
  const std::string& label = values[static_cast<std::size_t>(key - keys.begin())];
  if (label.empty()) return nullptr;
  const auto it = report.period_bounds.find(label);
  return it == report.period_bounds.end() ? nullptr : &it->second;
}

void JsonKpi(const Report& report, const KpiValue& v, const std::vector<std::string>& keys,
             const std::vector<std::string>& values, JsonWriter* w) {
  w->BeginObject().Key("id").String(v.id).Key("group").BeginObject();
  for (std::size_t i = 0; i < keys.size(); ++i) w->Key(keys[i]).String(values[i]);
  w->EndObject();
  if (const auto* b = PeriodBounds(report, keys, values)) {
    w->Key("period_start").String(b->first).Key("period_end").String(b->second);
  }
  w->Key("value");
  JsonNum(v.value, w);
  if (v.numerator) JsonNum(v.numerator, &w->Key("numerator"));
  if (v.denominator) JsonNum(v.denominator, &w->Key("denominator"));
  if (v.n) w->Key("n").Int(*v.n);
  if (v.censored) w->Key("censored").Int(*v.censored);
  w->Key("unit").String(UnitName(v.unit));
  if (!v.reason.empty()) w->Key("reason").String(v.reason);
  if (!v.label.empty()) w->Key("label").String(v.label);
  if (!v.currency.empty()) w->Key("currency").String(v.currency);
  if (!v.currencies.empty()) {
    w->Key("currencies").BeginArray();
    for (const std::string& c : v.currencies) w->String(c);
    w->EndArray();
  }
  if (!v.status.empty()) {
    w->Key("target").Double(v.target).Key("achievement").Double(v.achievement);
    w->Key("status").String(v.status);
  }
  if (!v.target_source.empty()) w->Key("target_source").String(v.target_source);
  if (v.gap) w->Key("gap").Double(v.gap);
  if (v.pace) {
    w->Key("pace").BeginObject().Key("elapsed").Double(v.pace->elapsed);
    w->Key("landing").Double(v.pace->landing);
    w->Key("landing_achievement").Double(v.pace->landing_achievement);
    w->Key("status").StringOrNull(v.pace->status).EndObject();
  }
  if (!v.excluded.empty()) {
    w->Key("excluded").BeginObject();
    for (const auto& [reason, count] : v.excluded) w->Key(reason).Int(count);
    w->EndObject();
  }
  if (v.compared) {
    const KpiValue::Comparison& c = *v.compared;
    w->Key("compared").BeginObject().Key("period").StringOrNull(c.period).Key("value");
    JsonNum(c.value, w);
    if (!c.reason.empty()) w->Key("reason").String(c.reason);
    w->Key("change").Double(c.change).Key("change_percent").Double(c.percent);
    if (v.unit == Unit::kRatio) w->Key("change_points").Double(c.points);
    w->EndObject();
  }
  w->EndObject();
}

std::string WriteJson(const Report& report) {
  JsonWriter w;
  w.BeginObject().VersionKeys();
  w.Newline().Key("as_of").StringOrNull(report.as_of);
  w.Key("as_of_source").StringOrNull(report.as_of_source);
  if (!report.compare.empty()) w.Key("compare").String(report.compare);
  if (!report.targets.empty()) w.Key("targets").String(report.targets);
  if (report.view) {
    const ReportView& v = *report.view;
    w.Newline().Key("view").BeginObject().Key("name").String(v.name);
    w.Key("audience").String(v.audience).Key("default").Bool(v.built_in);
    w.Key("kpis").BeginArray();
    for (const std::string& id : v.kpis) w.String(id);
    w.EndArray().Key("notes").BeginArray();
    for (const std::string& note : v.notes) w.String(note);
    w.EndArray().EndObject();
  }
  if (report.trend) {
    w.Newline().Key("trend").BeginObject().Key("periods").BeginArray();
    for (const std::string& p : report.trend->periods) w.String(p);
    w.EndArray().Key("series").BeginArray();
    for (const Trend::Series& s : report.trend->series) {
      w.Newline().BeginObject().Key("id").String(s.id).Key("unit").String(UnitName(s.unit));
      if (!s.label.empty()) w.Key("label").String(s.label);
      if (!s.currency.empty()) w.Key("currency").String(s.currency);
      w.Key("target").Double(s.target).Key("values").BeginArray();
      for (const std::optional<Num>& v : s.values) JsonNum(v, &w);
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
  }
  if (report.fx) {
    w.Newline().Key("fx").BeginObject().Key("base").String(report.fx->base);
    w.Key("origin").String(report.fx->origin).Key("rates").BeginObject();
    for (const auto& [code, rate] : report.fx->rates) w.Key(code).Double(rate);
    w.EndObject().EndObject();
  }
  w.Newline().Key("inputs").BeginArray();
  for (const InputSummary& in : report.inputs) {
    w.Newline().BeginObject().Key("file").String(in.name).Key("rows").Int(in.rows);
    w.Key("skipped_rows").Int(in.skipped_rows).Key("encoding").String(in.encoding);
    w.Key("encoding_detected").Bool(in.encoding_detected);
    w.Key("delimiter").String(std::string_view(&in.delimiter, 1)).EndObject();
  }
  w.EndArray();
  w.Newline().Key("kpis");
  WriteJsonKpis(report, &w);
  if (!report.lists.empty()) {
    w.Newline().Key("lists").BeginObject();
    for (const ReportList& list : report.lists) {
      w.Newline().Key(list.id).BeginArray();
      for (const auto& row : list.rows) {
        w.Newline().BeginObject();
        for (std::size_t c = 0; c < list.columns.size(); ++c) {
          w.Key(list.columns[c]);
          if (c < list.numeric.size() && list.numeric[c]) {
            w.Number(row[c]);  // "" (none) → null
          } else {
            w.String(row[c]);
          }
        }
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  WriteJsonMergedSpellings(report, &w);
  if (!report.signs.empty()) WriteJsonSigns(report, &w);
  w.Newline().Key("warnings").BeginArray();
  for (const DataWarning& x : report.warnings) {
    w.Newline().BeginObject().Key("kind").String(x.kind).Key("column").String(x.column);
    w.Key("count").Int(x.count).Key("file").String(x.first.file);
    w.Key("line").Int(x.first.line).Key("col").Int(x.first.column);
    w.Key("sample").String(x.sample).Key("message").String(x.message).EndObject();
  }
  w.EndArray().EndObject().Newline();
  return w.Take();
}

std::string WriteCsv(const Report& report) {
  // Group columns: the union of all groupings' keys, by-columns first, period last.
  std::vector<std::string> cols;
  bool period = false;
  for (const Grouping& g : report.groupings) {
    for (const auto& k : g.keys) {
      if (k == "period" && &k == &g.keys.back()) {
        period = true;
      } else if (std::find(cols.begin(), cols.end(), k) == cols.end()) {
        cols.push_back(k);
      }
    }
  }
  if (period) cols.push_back("period");
  std::string out = "kpi";
  for (const auto& c : cols) out += "," + CsvField(c);
  if (period) out += ",period_start,period_end";
  out += ",value,numerator,denominator,n,censored,unit,reason,excluded,group_by";
  // KPIs from an INI definition also carry their label, target and status.
  bool definition = false;
  for (const KpiValue& v : report.total.kpis) definition = definition || !v.status.empty();
  out += definition ? ",label,target,achievement,status" : "";
  // Amounts in a known currency (a currency column, or --fx): the code, last.
  bool currency = false;
  auto has_currency = [](const KpiValue& v) { return !v.currency.empty(); };
  currency = std::any_of(report.total.kpis.begin(), report.total.kpis.end(), has_currency);
  for (const Grouping& g : report.groupings) {
    for (const GroupRow& r : g.rows) {
      currency = currency || std::any_of(r.kpis.begin(), r.kpis.end(), has_currency);
    }
  }
  out += currency ? ",currency" : "";
  // A targets table: where each target came from, the gap and the pace.
  const bool targets = !report.targets.empty();
  out += targets ? ",target_source,gap,elapsed,landing,landing_achievement,pace" : "";
  // --compare: the reference period, its value and the change.
  const bool compare = !report.compare.empty();
  out += compare ? ",compare_period,compare_value,change,change_percent,change_points" : "";
  // --view: the view and its audience on every row (CSV has no heading).
  out += report.view ? ",view,audience\n" : "\n";
  auto add = [&](const KpiValue& v, const std::vector<std::string>& keys,
                 const std::vector<std::string>& values) {
    std::string line = CsvField(v.id);
    for (const auto& c : cols) {
      line += ",";
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == c) line += CsvField(values[i]);
      }
    }
    if (period) {
      const auto* b = PeriodBounds(report, keys, values);
      line += b ? "," + b->first + "," + b->second : ",,";
    }
    std::string excluded;
    for (const auto& [reason, count] : v.excluded) {
      excluded += fmt::format("{}{}={}", excluded.empty() ? "" : ";", reason, count);
    }
    std::string group_by;
    for (const auto& k : keys) group_by += (group_by.empty() ? "" : "+") + k;
    line += fmt::format(",{},{},{},{},{},{},{},{},{}\n", v.value ? v.value->ToString() : "",
                        v.numerator ? v.numerator->ToString() : "",
                        v.denominator ? v.denominator->ToString() : "",
                        v.n ? std::to_string(*v.n) : "",
                        v.censored ? std::to_string(*v.censored) : "", UnitName(v.unit),
                        v.reason, CsvField(excluded), CsvField(group_by));
    if (definition) {
      line.pop_back();  // the newline
      line += fmt::format(",{},{},{},{}\n", CsvField(v.label),
                          v.target ? fmt::format("{}", *v.target) : "",
                          v.achievement ? fmt::format("{}", *v.achievement) : "",
                          CsvField(v.status));
    }
    if (currency) {
      line.pop_back();
      line += "," + CsvField(v.currency) + "\n";
    }
    if (targets) {
      line.pop_back();
      auto number = [](const std::optional<double>& x) {
        return x ? fmt::format("{}", *x) : std::string();
      };
      line += fmt::format(",{},{}", CsvField(v.target_source), number(v.gap));
      if (v.pace) {
        line += fmt::format(",{},{},{},{}\n", v.pace->elapsed, number(v.pace->landing),
                            number(v.pace->landing_achievement), CsvField(v.pace->status));
      } else {
        line += ",,,,\n";
      }
    }
    if (compare) {
      line.pop_back();
      auto number = [](const std::optional<double>& x) {
        return x ? fmt::format("{}", *x) : std::string();
      };
      if (v.compared) {
        const KpiValue::Comparison& c = *v.compared;
        line += fmt::format(",{},{},{},{},{}\n", CsvField(c.period),
                            c.value ? c.value->ToString() : "", number(c.change),
                            number(c.percent), number(c.points));
      } else {
        line += ",,,,,\n";
      }
    }
    if (report.view) {
      line.pop_back();
      line += "," + CsvField(report.view->name) + "," + CsvField(report.view->audience) + "\n";
    }
    out += line;
  };
  for (const KpiValue& v : report.total.kpis) add(v, {}, {});
  for (const Grouping& g : report.groupings) {
    for (const GroupRow& r : g.rows) {
      for (const KpiValue& v : r.kpis) add(v, g.keys, r.values);
    }
  }
  return out;
}

}  // namespace

std::string KpiLabel(const KpiValue& v) { return LabelOf(v); }

void WriteJsonMergedSpellings(const Report& report, JsonWriter* w) {
  // Normalised group keys (docs/kpis.md, "Group keys"): each column's merged spellings once,
  // whichever groupings use the column; only when there are any.
  std::vector<const MergedSpelling*> merged;
  for (const Grouping& g : report.groupings) {
    for (const MergedSpelling& m : g.merged) {
      const bool seen = std::any_of(merged.begin(), merged.end(), [&](const MergedSpelling* x) {
        return x->key == m.key && x->value == m.value;
      });
      if (!seen) merged.push_back(&m);
    }
  }
  if (!merged.empty()) {
    w->Newline().Key("merged_spellings").BeginArray();
    for (const MergedSpelling* m : merged) {
      w->Newline().BeginObject().Key("column").String(m->key).Key("value").String(m->value);
      w->Key("spellings").BeginArray();
      for (const auto& [raw, rows] : m->spellings) {
        w->BeginObject().Key("value").String(raw).Key(m->unit + "s").Int(rows).EndObject();
      }
      w->EndArray().EndObject();
    }
    w->EndArray();
  }
}

void WriteJsonKpis(const Report& report, JsonWriter* w) {
  w->BeginArray();
  for (const KpiValue& v : report.total.kpis) JsonKpi(report, v, {}, {}, &w->Newline());
  for (const Grouping& g : report.groupings) {
    for (const GroupRow& r : g.rows) {
      for (const KpiValue& v : r.kpis) JsonKpi(report, v, g.keys, r.values, &w->Newline());
    }
  }
  w->EndArray();
}

Format ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  if (name == "md" || name == "markdown") return Format::kMarkdown;
  if (name == "html") return Format::kHtml;
  if (name == "xlsx") return Format::kXlsx;
  throw Error::Usage(
      fmt::format("--format: unknown format '{}' (table, csv, json, md, html, xlsx)", name));
}

std::string_view ReasonText(std::string_view code) {
  if (code == "ZERO_DENOMINATOR") return "n/a: denominator is 0";
  if (code == "STAGE_NOT_ENTERED") return "n/a: no deal entered one of the two stages";
  if (code == "EMPTY") return "n/a: nothing to measure";
  if (code == "MISSING_COLUMN") return "n/a: the column is not in the input";
  if (code == "ALL_CENSORED") return "n/a: fewer than half closed (survival never reaches 50 %)";
  if (code == "TERMINAL") return "n/a: a won or lost stage has no dwell";
  if (code == "NO_HISTORY") return "n/a: too little history for the MASE scale";
  if (code == "NOT_REACHED") return "n/a: not reached within the horizon";
  if (code == "SIMPLE_MODE") return "n/a: needs the cash-flow inputs (per-period costs and gains)";
  if (code == "NO_MARGIN") return "n/a: no margin rate given";
  if (code == "NO_DEAL_SIZE") return "n/a: no average deal size measured";
  if (code == "MIXED_CATEGORIES") return "n/a: forecast categories differ (see per category)";
  if (code == "MIXED_CURRENCIES") {
    return "n/a: amounts in several currencies are not added (see per currency, or convert "
           "with --fx)";
  }
  return code;
}

std::string WriteReport(const Report& report, Format format) {
  switch (format) {
    case Format::kTable:
    case Format::kMarkdown: {
      // --kpis: only these KPIs in the tables people read (csv and json keep every KPI).
      if (!Terminal().kpis.empty()) {
        Report shown = report;
        KeepReportKpis(&shown, Terminal().kpis);
        return WriteHuman(shown, format == Format::kMarkdown);
      }
      return WriteHuman(report, format == Format::kMarkdown);
    }
    case Format::kCsv:
      return WriteCsv(report);
    case Format::kJson:
      return WriteJson(report);
    case Format::kHtml:
      return html::ReportPage(report);
    case Format::kXlsx:
      return WriteXlsx(ReportWorkbook(report));
  }
  return {};
}

}  // namespace crmkpi
