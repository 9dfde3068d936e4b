#include "crmkpi/write/view_list_writer.h"

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/write/json_writer.h"
#include "html_page.h"
#include "crmkpi/write/sheet.h"
#include "crmkpi/write/xlsx_writer.h"
#include "text_table.h"

namespace crmkpi {
namespace {

std::string Joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string WriteJson(const std::string& definition, bool defaults,
                      const std::vector<ViewListRow>& rows) {
  JsonWriter w;
  w.BeginObject().VersionKeys();
  w.Newline().Key("definition").String(definition).Key("default_views").Bool(defaults);
  w.Newline().Key("views").BeginArray();
  for (const ViewListRow& r : rows) {
    w.Newline().BeginObject().Key("name").String(r.name).Key("audience").String(r.audience);
    w.Key("default").Bool(r.built_in).Key("selects").String(r.selects).Key("kpis").BeginArray();
    for (const std::string& id : r.kpis) w.String(id);
    w.EndArray().Key("period");
    if (r.period) {
      w.String(*r.period);
    } else {
      w.Null();
    }
    w.Key("by");
    if (r.by) {
      w.String(*r.by);
    } else {
      w.Null();
    }
    w.Key("compare").StringOrNull(r.compare).Key("trend");
    if (r.trend) {
      w.Int(*r.trend);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray().EndObject().Newline();
  return w.Take();
}

// The views as cards, one per audience, and a table; the trend lengths carry their pointers.
std::string WriteHtml(const std::string& definition, bool defaults,
                      const std::vector<ViewListRow>& rows) {
  std::vector<html::Card> cards;
  html::Table t;
  t.head = {"view", "audience", "KPIs", "selects", "period", "by", "compare", "trend"};
  t.num = {false, false, false, false, false, false, false, true};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ViewListRow& r = rows[i];
    const std::string ptr = "/views/" + std::to_string(i) + "/trend";
    const std::string trend = r.trend ? std::to_string(*r.trend) : "";
    html::Card c;
    c.label = r.audience.empty() ? "view" : r.audience;
    c.value_html = html::Esc(r.name);
    c.lines.push_back(html::Esc(r.kpis.empty() ? "(no KPI)" : Joined(r.kpis, ", ")));
    c.lines.push_back(html::Esc("period " + r.period.value_or("(metrics' own)") + " · by " +
                                r.by.value_or("(metrics' own)")));
    if (!r.compare.empty()) c.lines.push_back(html::Esc("compare " + r.compare));
    if (r.trend) c.lines.push_back("trend " + html::Number(trend, ptr, trend) + " periods");
    c.lines.push_back("<code>" + html::Esc("crmkpi report -c " + definition + " --view " + r.name +
                                           " -f html") +
                      "</code>");
    cards.push_back(std::move(c));
    t.rows.push_back({html::TextCell(r.name), html::TextCell(r.audience),
                      html::TextCell(r.kpis.empty() ? "(none)" : Joined(r.kpis, ", ")),
                      html::TextCell(r.selects), html::TextCell(r.period.value_or("(metrics' own)")),
                      html::TextCell(r.by.value_or("(metrics' own)")), html::TextCell(r.compare),
                      r.trend ? html::NumCell(trend, ptr, trend) : html::TextCell("")});
  }
  html::PageHead head;
  head.title = "crmkpi views";
  head.subtitle = definition + (defaults ? " (no [view] sections: the default views)" : "");
  return html::Page(head, html::Section("views", "Audience views", html::Cards(cards)) +
                              html::Section("view-table", "Views", t.Render()));
}

}  // namespace

std::string WriteViewList(const std::string& definition, bool defaults,
                          const std::vector<ViewListRow>& rows, Format format) {
  if (format == Format::kJson) return WriteJson(definition, defaults, rows);
  if (format == Format::kHtml) return WriteHtml(definition, defaults, rows);
  if (format == Format::kXlsx) {
    Workbook book;
    Sheet s;
    s.name = "Views";
    s.columns = {"view", "audience", "default", "kpis", "selects", "period", "by", "compare",
                 "trend"};
    for (const ViewListRow& r : rows) {
      s.rows.push_back({Cell::Text(r.name), Cell::Text(r.audience),
                        Cell::Text(r.built_in ? "yes" : "no"), Cell::Text(Joined(r.kpis, ", ")),
                        Cell::Text(r.selects), Cell::Text(r.period.value_or("(metrics' own)")),
                        Cell::Text(r.by.value_or("(metrics' own)")), Cell::Text(r.compare),
                        r.trend ? Cell::Number(static_cast<double>(*r.trend), CellKind::kCount)
                                : Cell::Empty()});
    }
    book.sheets.push_back(std::move(s));
    if (defaults) book.settings.emplace_back("views", "no [view] sections: the default views");
    return WriteXlsx(book);
  }
  if (format == Format::kCsv) {
    std::string out = "view,audience,default,kpis,selects,period,by,compare,trend\n";
    for (const ViewListRow& r : rows) {
      out += fmt::format("{},{},{},{},{},{},{},{},{}\n", CsvField(r.name), CsvField(r.audience),
                         r.built_in ? "true" : "false", CsvField(Joined(r.kpis, " ")),
                         CsvField(r.selects), CsvField(r.period.value_or("")),
                         CsvField(r.by.value_or("")), CsvField(r.compare),
                         r.trend ? std::to_string(*r.trend) : "");
    }
    return out;
  }
  const bool md = format == Format::kMarkdown;
  std::string out = fmt::format("{}crmkpi views: {}{}\n\n", md ? "# " : "", definition,
                                defaults ? " (no [view] sections: the default views)" : "");
  Table t;
  t.head = {"view", "audience", "KPIs", "selects", "period", "by", "compare", "trend"};
  t.right = {false, false, false, false, false, false, false, true};
  for (const ViewListRow& r : rows) {
    t.rows.push_back({r.name, r.audience, r.kpis.empty() ? "(none)" : Joined(r.kpis, ", "),
                      r.selects, r.period.value_or("(metrics' own)"), r.by.value_or("(metrics' own)"),
                      r.compare, r.trend ? std::to_string(*r.trend) : ""});
  }
  out += t.Render(md);
  out += fmt::format("\n{}crmkpi report -c {} --view NAME{} prints one; --by, --period, "
                     "--compare and --trend replace its settings.\n",
                     md ? "`" : "", definition, md ? "`" : "");
  return out;
}

}  // namespace crmkpi
