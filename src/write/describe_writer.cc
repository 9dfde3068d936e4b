// The KPI 定義書 in four formats (describe_writer.h).
#include "crmkpi/write/describe_writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/write/sheet.h"
#include "crmkpi/write/xlsx_writer.h"
#include "crmkpi/write/json_writer.h"
#include "text_table.h"

namespace crmkpi {
namespace {

// The headings, in the order every format lists the fields.
enum Field {
  kKpi, kDefinition, kFormula, kFormulaIds, kUnit, kLayer, kDirection, kOwner, kDataOwner,
  kCollection, kColumns, kReview, kLastReview, kTarget, kDeadline, kFieldCount
};

struct Heading {
  const char* en;
  const char* ja;
  const char* csv;  // the CSV column (English headings)
};
constexpr Heading kHeadings[kFieldCount] = {
    {"KPI", "指標", "label"},
    {"Definition", "定義", "definition"},
    {"Formula", "計算式", "formula"},
    {"Formula (ids)", "計算式（記号）", "formula_ids"},
    {"Unit", "単位", "unit"},
    {"Layer", "階層", "layer"},
    {"Direction", "方向", "direction"},
    {"Owner", "責任者", "owner"},
    {"Data owner", "データ責任者", "data_owner"},
    {"Collection", "収集方法", "collection"},
    {"Source columns", "参照列", "source_columns"},
    {"Review", "レビュー頻度", "review"},
    {"Last review", "最終レビュー", "last_review"},
    {"Target", "目標", "target"},
    {"Deadline", "期限", "deadline"},
};

class Texts {
 public:
  explicit Texts(bool ja) : ja_(ja) {}

  std::string Head(Field f) const { return ja_ ? kHeadings[f].ja : kHeadings[f].en; }

  std::string Title(const KpiSheet& sheet) const {
    return ja_ ? fmt::format("KPI 定義書: {}（{} 指標）", sheet.definition, sheet.kpis.size())
               : fmt::format("KPI definitions: {} ({} KPI{})", sheet.definition,
                             sheet.kpis.size(), sheet.kpis.size() == 1 ? "" : "s");
  }

  std::string Name(const SheetEntry& e) const {
    std::string name = e.kpi.label.empty() ? e.kpi.id : e.kpi.label + " (" + e.kpi.id + ")";
    return e.kgi ? name + " — KGI" : name;
  }

  std::string Unit(const UnitSpec& u) const {
    if (u.name == "currency") {
      if (!u.currency.empty()) return u.currency;
      return ja_ ? "金額" : "currency";
    }
    if (!ja_) return u.name == "ratio" ? "ratio (%)" : u.name;
    if (u.name == "count") return "件数";
    if (u.name == "ratio") return "比率（%）";
    if (u.name == "days") return "日";
    if (u.name == "hours") return "時間";
    return "数値";
  }

  std::string Layer(crmkpi::Layer l) const {
    switch (l) {
      case Layer::kLeading: return ja_ ? "先行" : "leading";
      case Layer::kProcess: return ja_ ? "中間" : "process";
      case Layer::kLagging: return ja_ ? "遅行" : "lagging";
      case Layer::kNone: break;
    }
    return "";
  }

  std::string Direction(crmkpi::Direction d) const {
    if (d == Direction::kLower) return ja_ ? "低いほど良い" : "lower is better";
    return ja_ ? "高いほど良い" : "higher is better";
  }

  // A review frequency in the sheet's language (the INI may use either): English in English;
  // in Japanese a Japanese word as written (月次 stays 月次), an English one as 毎….
  std::string Review(const std::string& review) const {
    static const char* const kPairs[][3] = {
        {"daily", "毎日", "日次"},     {"weekly", "毎週", "週次"}, {"biweekly", "隔週", ""},
        {"monthly", "毎月", "月次"},   {"quarterly", "四半期", ""}, {"yearly", "毎年", "年次"}};
    for (const auto& p : kPairs) {
      if (review == p[0]) return ja_ ? p[1] : p[0];
      if (review == p[1] || (*p[2] != '\0' && review == p[2])) return ja_ ? review : p[0];
    }
    return review;
  }

  std::string Target(const KpiDef& k) const {
    if (!k.target) return "";
    std::string s = Human(Num::Real(*k.target), UnitOf(k.unit));
    if (k.unit.name == "currency" && !k.unit.currency.empty()) s += " " + k.unit.currency;
    return s;
  }

  // "deals (deals.csv): stage, amount" per source; |code| wraps file names (Markdown).
  std::vector<std::string> Sources(const SheetEntry& e, bool code) const {
    std::vector<std::string> out;
    for (const SheetSource& s : e.sources) {
      std::string files;
      for (const std::string& f : s.files) {
        files += (files.empty() ? "" : ", ") + (code ? "`" + f + "`" : f);
      }
      std::string what = s.id + " (" + files + ")";
      if (s.kind == "lookup") what = (ja_ ? "参照表 " : "lookup ") + what;
      if (s.kind == "stage_history") what += ja_ ? " ステージ履歴の分析" : " stage history analysis";
      if (s.kind == "forecast") what += ja_ ? " 予測の分析" : " forecast analysis";
      std::string columns;
      for (const std::string& c : s.columns) columns += (columns.empty() ? "" : ", ") + c;
      if (columns.empty()) columns = ja_ ? "（行数のみ）" : "(rows only)";
      out.push_back(what + ": " + columns);
    }
    return out;
  }

  // The fields of |e| in order, each a list of lines (a definition may have several; the
  // source columns have one per source). Empty: not given.
  std::vector<std::vector<std::string>> Fields(const SheetEntry& e, bool code) const {
    std::vector<std::vector<std::string>> f(kFieldCount);
    f[kKpi] = {Name(e)};
    f[kDefinition] = Lines(e.kpi.definition);
    f[kFormula] = {e.formula_words};
    f[kFormulaIds] = {code ? "`" + e.formula + "`" : e.formula};
    f[kUnit] = {Unit(e.kpi.unit)};
    f[kLayer] = Lines(Layer(e.kpi.layer));
    f[kDirection] = {Direction(e.kpi.direction)};
    f[kOwner] = Lines(e.kpi.owner);
    f[kDataOwner] = Lines(e.kpi.data_owner);
    f[kCollection] = Lines(e.kpi.collection);
    f[kColumns] = Sources(e, code);
    f[kReview] = Lines(Review(e.kpi.review));
    f[kLastReview] = Lines(e.kpi.last_review);
    f[kTarget] = Lines(Target(e.kpi));
    f[kDeadline] = Lines(e.kpi.deadline);
    return f;
  }

  static std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t nl = text.find('\n', start);
      out.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    return out;
  }

  static std::string Joined(const std::vector<std::string>& lines, std::string_view sep) {
    std::string out;
    for (const std::string& l : lines) out += (out.empty() ? "" : std::string(sep)) + l;
    return out;
  }

 private:
  bool ja_;
};

constexpr const char* kNone = "—";

// One block per KPI: its name, then "  heading  value" lines aligned by display width.
std::string Text(const KpiSheet& sheet, const Texts& t) {
  std::size_t width = 0;
  for (int f = kDefinition; f < kFieldCount; ++f) {
    width = std::max(width, DisplayWidth(t.Head(static_cast<Field>(f))));
  }
  std::string out = t.Title(sheet) + "\n";
  for (const SheetEntry& e : sheet.kpis) {
    const auto fields = t.Fields(e, false);
    out += "\n" + fields[kKpi][0] + "\n";
    for (int f = kDefinition; f < kFieldCount; ++f) {
      const auto& lines = fields[static_cast<std::size_t>(f)];
      out += "  " + PadRight(t.Head(static_cast<Field>(f)), width) + "  " +
             (lines.empty() ? kNone : lines[0]) + "\n";
      for (std::size_t i = 1; i < lines.size(); ++i) {
        out += std::string(width + 4, ' ') + lines[i] + "\n";
      }
    }
  }
  return out;
}

// A wiki page: the title, a summary table whose names link to the sections, then one section
// per KPI with a two-column table. Explicit anchors (kpi-ID), since wikis make heading anchors
// of Japanese text differently.
std::string Markdown(const KpiSheet& sheet, const Texts& t, bool ja) {
  std::string out = "# " + t.Title(sheet) + "\n\n";
  Table summary;
  summary.head = {t.Head(kKpi), t.Head(kLayer), t.Head(kOwner), t.Head(kReview),
                  t.Head(kTarget), t.Head(kDeadline)};
  summary.right = {false, false, false, false, true, false};
  for (const SheetEntry& e : sheet.kpis) {
    const auto f = t.Fields(e, true);
    auto cell = [&](Field k) { return f[k].empty() ? std::string(kNone) : Texts::Joined(f[k], " "); };
    const std::string name = e.kpi.label.empty() ? e.kpi.id : e.kpi.label;
    summary.rows.push_back({fmt::format("[{}](#kpi-{}) (`{}`){}", name, e.kpi.id, e.kpi.id,
                                        e.kgi ? " KGI" : ""),
                            cell(kLayer), cell(kOwner), cell(kReview), cell(kTarget),
                            cell(kDeadline)});
  }
  out += summary.Render(true);
  for (const SheetEntry& e : sheet.kpis) {
    const auto f = t.Fields(e, true);
    std::string heading = e.kpi.label.empty() ? "`" + e.kpi.id + "`"
                                              : e.kpi.label + " (`" + e.kpi.id + "`)";
    if (e.kgi) heading += " — KGI";
    out += fmt::format("\n<a id=\"kpi-{}\"></a>\n\n## {}\n\n", e.kpi.id, heading);
    Table fields;
    fields.head = {ja ? "項目" : "Field", ja ? "内容" : "Value"};
    fields.right = {false, false};
    for (int k = kDefinition; k < kFieldCount; ++k) {
      const auto& lines = f[static_cast<std::size_t>(k)];
      fields.rows.push_back({t.Head(static_cast<Field>(k)),
                             lines.empty() ? std::string(kNone) : Texts::Joined(lines, "<br>")});
    }
    out += fields.Render(true);
  }
  return out;
}

// One row per KPI: id, then every field (lines joined: a definition's by a newline inside the
// quoted field, the sources' by "; "). The target is a plain number, as in report CSVs.
std::string Csv(const KpiSheet& sheet, const Texts& t, bool ja) {
  std::string out = ja ? "ID" : "id";
  for (int k = kKpi; k < kFieldCount; ++k) {
    out += "," + CsvField(ja ? t.Head(static_cast<Field>(k)) : kHeadings[k].csv);
  }
  out += "\n";
  for (const SheetEntry& e : sheet.kpis) {
    auto f = t.Fields(e, false);
    f[kKpi] = Texts::Lines(e.kpi.label);
    f[kTarget] = e.kpi.target ? std::vector<std::string>{fmt::format("{}", *e.kpi.target + 0.0)}
                              : std::vector<std::string>{};
    out += CsvField(e.kpi.id);
    for (int k = kKpi; k < kFieldCount; ++k) {
      out += "," + CsvField(Texts::Joined(f[static_cast<std::size_t>(k)],
                                          k == kColumns ? "; " : "\n"));
    }
    out += "\n";
  }
  return out;
}

// -f xlsx: the CSV's table on one sheet, the target a number in the KPI's unit.
std::string Xlsx(const KpiSheet& sheet, const Texts& t, bool ja) {
  Workbook book;
  Sheet s;
  s.name = ja ? "指標" : "KPIs";
  s.columns = {ja ? "ID" : "id"};
  for (int k = kKpi; k < kFieldCount; ++k) {
    s.columns.push_back(ja ? t.Head(static_cast<Field>(k)) : std::string(kHeadings[k].csv));
  }
  for (const SheetEntry& e : sheet.kpis) {
    auto f = t.Fields(e, false);
    f[kKpi] = Texts::Lines(e.kpi.label);
    std::vector<Cell> row = {Cell::Text(e.kpi.id)};
    for (int k = kKpi; k < kFieldCount; ++k) {
      if (k == kTarget) {
        row.push_back(e.kpi.target ? Cell::Number(*e.kpi.target + 0.0,
                                                  e.kpi.unit.name == "ratio" ? CellKind::kRatio
                                                                             : CellKind::kNumber)
                                   : Cell::Empty());
        continue;
      }
      row.push_back(Cell::Text(Texts::Joined(f[static_cast<std::size_t>(k)],
                                             k == kColumns ? "; " : "\n")));
    }
    s.rows.push_back(std::move(row));
  }
  book.sheets.push_back(std::move(s));
  return WriteXlsx(book);
}

std::string_view LayerId(Layer l) {
  switch (l) {
    case Layer::kLeading: return "leading";
    case Layer::kProcess: return "process";
    case Layer::kLagging: return "lagging";
    case Layer::kNone: break;
  }
  return "";
}

std::string Json(const KpiSheet& sheet) {
  JsonWriter w;
  w.BeginObject().VersionKeys().Key("definition").String(sheet.definition);
  w.Key("kpis").BeginArray();
  for (const SheetEntry& e : sheet.kpis) {
    const KpiDef& k = e.kpi;
    w.Newline(1).BeginObject().Key("id").String(k.id).Key("label").StringOrNull(k.label);
    w.Key("kgi").Bool(e.kgi).Key("definition").StringOrNull(k.definition);
    w.Key("formula").String(e.formula).Key("formula_words").String(e.formula_words);
    w.Key("unit").String(k.unit.name).Key("currency").StringOrNull(k.unit.currency);
    w.Key("layer").StringOrNull(LayerId(k.layer));
    w.Key("direction").String(k.direction == Direction::kLower ? "lower" : "higher");
    w.Key("owner").StringOrNull(k.owner).Key("data_owner").StringOrNull(k.data_owner);
    w.Key("collection").StringOrNull(k.collection).Key("review").StringOrNull(k.review);
    w.Key("review_interval_days");
    if (const auto days = ReviewIntervalDays(k.review)) {
      w.Int(*days);
    } else {
      w.Null();
    }
    w.Key("last_review").StringOrNull(k.last_review);
    w.Key("target").Double(k.target).Key("deadline").StringOrNull(k.deadline);
    w.Key("inputs").BeginArray();
    for (const std::string& id : e.inputs) w.String(id);
    w.EndArray().Key("metrics").BeginArray();
    for (const std::string& id : e.metrics) w.String(id);
    w.EndArray().Key("sources").BeginArray();
    for (const SheetSource& s : e.sources) {
      w.Newline(2).BeginObject().Key("id").String(s.id).Key("kind").String(s.kind);
      w.Key("files").BeginArray();
      for (const std::string& f : s.files) w.String(f);
      w.EndArray().Key("columns").BeginArray();
      for (const std::string& c : s.columns) w.String(c);
      w.EndArray().EndObject();
    }
    w.EndArray();
    w.Key("file").String(k.loc.file).Key("line").Int(k.loc.line).EndObject();
  }
  w.EndArray().Newline().EndObject().Newline();
  return w.Take();
}

}  // namespace

std::string WriteDescribe(const KpiSheet& sheet, Format format, bool ja) {
  const Texts t(ja);
  switch (format) {
    case Format::kTable: return Text(sheet, t);
    case Format::kMarkdown: return Markdown(sheet, t, ja);
    case Format::kCsv: return Csv(sheet, t, ja);
    case Format::kJson: return Json(sheet);
    case Format::kHtml: break;  // refused by the command
    case Format::kXlsx: return Xlsx(sheet, t, ja);
  }
  return "";
}

}  // namespace crmkpi
