#include "crmkpi/definition/deals_definition.h"

#include <fmt/format.h>

namespace crmkpi {
namespace {

// A value as INI text: quoted when it has leading or trailing spaces or is empty.
std::string IniValue(const std::string& v) {
  if (v.empty() || v.front() == ' ' || v.back() == ' ' || v.front() == '"') {
    return "\"" + v + "\"";
  }
  return v;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

struct Builder {
  const DealsDefinitionInput& in;
  const DealsDefinitionText& text;
  std::string out;

  void Line(const std::string& s = {}) { out += s + "\n"; }
  void Comment(const std::string& s) {
    if (text.comments) Line("; " + s);
  }
  void Key(const std::string& key, const std::string& value) { Line(key + " = " + IniValue(value)); }

  bool Has(Role r) const { return in.roles.has(r); }

  // The grouping keys every metric gets from --by and --period.
  void Groupings() {
    if (!in.by.empty()) {
      std::string specs;
      for (const auto& spec : in.by) {
        std::string one;
        for (const auto& c : spec) {
          // A name holding ',' or '+' (or a quote) is quoted, as `by` reads it.
          const bool quote = c.find_first_of(",+\"`") != std::string::npos;
          const char q = c.find('"') == std::string::npos ? '"' : '`';
          one += (one.empty() ? "" : "+") + (quote ? q + c + q : c);
        }
        specs += (specs.empty() ? "" : ", ") + one;
      }
      Key("by", specs);
    }
    if (!in.period.empty()) {
      Key("period", in.period);
      Key("period_of", in.period_of.empty() ? "closed" : in.period_of);
    }
  }

  void Metric(const std::string& id, const std::string& label,
              const std::vector<std::pair<std::string, std::string>>& keys) {
    Line("[metric " + id + "]");
    Key("source", "deals");
    for (const auto& [k, v] : keys) Key(k, v);
    Groupings();
    if (text.comments) Key("label", label);
    Line();
  }

  void Kpi(const std::string& id, const std::string& formula, const std::string& unit,
           const std::string& label, const std::string& layer, const std::string& definition) {
    Line("[kpi " + id + "]");
    Key("formula", formula);
    Key("unit", unit);
    if (text.comments) {
      Key("label", label);
      if (!layer.empty()) Key("layer", layer);
      Key("definition", definition);
      Comment("owner =");
      Comment("data_owner =");
      Comment("review = monthly");
    }
    if (text.tree) {
      Comment("target =");
      Comment("deadline =");
    }
    Line();
  }

  void Crmkpi() {
    Line("[crmkpi]");
    Comment("The date treated as now: 'data' = the latest created or closed date in the export;");
    Comment("or a date such as 2024-12-31. Open deals are censored there (cycle, KM median).");
    Key("as_of", in.as_of.empty() ? "data" : in.as_of);
    if (in.exact_groups) {
      Comment("Group values as written: no NFKC or white-space collapsing (docs/kpis.md).");
      Key("exact_groups", "true");
    }
    if (!in.tz.empty()) {
      Comment("The zone of dates and times written without an offset.");
      Key("tz", in.tz);
    }
    const Calendar& cal = in.calendar;
    if (cal.fiscal()) {
      Comment("Quarters, halves and years of the fiscal year starting in this month.");
      Key("fiscal_year_start", std::to_string(cal.fiscal_year_start));
    }
    if (cal.name_by_end) Key("fiscal_year_name", "end");
    if (cal.week_starts_sunday) Key("week_start", "sunday");
    if (cal.ja) Key("lang", "ja");
    Line();
  }

  void Fx() {
    if (in.fx.empty()) return;
    Line("[fx]");
    Comment("Exchange rates: units of the base currency per unit of each currency. Money is");
    Comment("converted by each row's currency column into the base (docs/kpis.md, Currencies).");
    Key("base", in.fx.base);
    std::string rates;
    for (const auto& [code, rate] : in.fx.rates) {
      rates += fmt::format("{}{}={}", rates.empty() ? "" : ", ", code, rate);
    }
    Key("rates", rates);
    Line();
  }

  void Source() {
    Line("[source deals]");
    for (const auto& f : in.files) Key("file", f);
    if (!in.encoding.empty() && in.encoding != "auto") Key("encoding", in.encoding);
    if (!in.delimiter.empty() && in.delimiter != "auto") Key("delimiter", in.delimiter);
    if (!in.date_format.empty()) Key("date_format", in.date_format);
    if (in.date_order == "dmy") Key("date_order", "dmy");
    if (in.decimal == "comma") Key("decimal", "comma");
    if (in.lenient) Key("lenient", "true");
    static const Role kRoles[] = {Role::kId,      Role::kName,    Role::kStage,  Role::kAmount,
                                  Role::kOwner,   Role::kSource,  Role::kProduct, Role::kAccount,
                                  Role::kEmail,   Role::kCreated, Role::kClosed, Role::kChanged};
    if (text.comments) {
      Line();
      Comment("Roles: which column plays which part, detected from the header names unless");
      Comment("given with --map. Change a value to bind another column (docs/ini.md).");
    }
    for (Role r : kRoles) {
      if (!Has(r)) continue;
      const std::string& header = in.header[static_cast<std::size_t>(in.roles[r])];
      const std::string name(RoleName(r));
      if (in.roles.source[static_cast<int>(r)] == BindingSource::kMapped) {
        Comment(fmt::format("{}: given with --map {}={}", name, name, header));
      }
      Key("map." + name, header);
    }
    if (text.comments) {
      Line();
      Comment("Stage values: won and lost (the rest is open), compared ignoring case and spaces.");
    }
    const StageConfig& s = in.stages;
    if (s.won.empty()) {
      Comment("won = won, closed won, 受注");
    } else {
      Key("won", JoinList(s.won));
    }
    if (s.lost.empty()) {
      Comment("lost = lost, closed lost, 失注");
    } else {
      Key("lost", JoinList(s.lost));
    }
    if (s.order.empty()) {
      Comment("The pipeline order and the stage from which a deal is an opportunity give");
      Comment("lead_to_opportunity_rate, e.g.:");
      Comment("stages = lead, qualified, proposal, won");
      Comment("opportunity_stage = qualified");
    } else {
      Key("stages", JoinList(s.order));
      if (!s.opportunity_stage.empty()) Key("opportunity_stage", s.opportunity_stage);
    }
    if (s.lost_reached != LostReached::kExclude) {
      Key("lost_reached", s.lost_reached == LostReached::kOpportunity ? "opportunity" : "lead");
    }
    Line();
  }

  void Metrics() {
    if (text.comments) {
      Line("; ------------------------------------------------- metrics: one pass over the export");
      Line();
    }
    Metric("deal_count", "商談数 (deals)", {});
    Metric("won_count", "受注件数 (won deals)", {{"where", "stage is won"}});
    Metric("lost_count", "失注件数 (lost deals)", {{"where", "stage is lost"}});
    Metric("open_count", "進行中の商談数 (open deals)", {{"where", "stage is open"}});
    if (text.tree) {
      Metric("closed_count", "決着した商談数 (closed deals)", {{"where", "stage is closed"}});
    }
    if (!in.stages.opportunity_stage.empty()) {
      Metric("opportunity_share", "商談化率 (lead → opportunity)", {{"type", "reached"}});
    }
    // Amount metrics are n/a (MISSING_COLUMN) when the export has no amount column.
    const std::vector<std::pair<std::string, std::string>> optional_amount =
        Has(Role::kAmount) ? std::vector<std::pair<std::string, std::string>>{}
                           : std::vector<std::pair<std::string, std::string>>{{"optional", "true"}};
    auto amount = [&](std::vector<std::pair<std::string, std::string>> keys) {
      keys.insert(keys.end(), optional_amount.begin(), optional_amount.end());
      return keys;
    };
    Metric("won_amount", "売上 (revenue)",
           amount({{"type", "sum"}, {"column", "amount"}, {"where", "stage is won"}}));
    Metric("won_avg_amount", "平均取引規模 (average deal size)",
           amount({{"type", "avg"}, {"column", "amount"}, {"where", "stage is won"}}));
    Metric("open_amount", "パイプライン金額 (pipeline)",
           amount({{"type", "sum"}, {"column", "amount"}, {"where", "stage is open"}}));
    const bool dates = Has(Role::kCreated) && Has(Role::kClosed);
    auto cycle = [&](std::vector<std::pair<std::string, std::string>> keys) {
      keys.emplace_back("duration", "created..closed");
      if (!dates) keys.emplace_back("optional", "true");
      return keys;
    };
    Metric("won_cycle_median", "営業サイクル中央値 (sales cycle median, days)",
           cycle({{"type", "median"}, {"where", "stage is won"}}));
    Metric("won_cycle_mean", "営業サイクル平均 (sales cycle mean, days)",
           cycle({{"type", "avg"}, {"where", "stage is won"}}));
    Metric("won_cycle_p90", "営業サイクル p90 (sales cycle 90th percentile, days)",
           cycle({{"type", "p90"}, {"where", "stage is won"}}));
    Metric("cycle_km_median",
           "全商談の営業サイクル中央値 (Kaplan–Meier: open deals censored at as-of)",
           cycle({{"type", "km_median"}, {"censored", "stage is open"}}));
  }

  void Kpis() {
    if (text.comments) {
      Line("; ------------------------------------------------------------------------- KPIs");
      Line();
    }
    Kpi("deals", "deal_count", "count", "商談数 (deals)", "leading",
        "Deals in the export, whatever their stage.");
    Kpi("won", "won_count", "count", "受注件数 (won deals)", "lagging",
        "Deals whose stage is a won value.");
    Kpi("lost", "lost_count", "count", "失注件数 (lost deals)", "lagging",
        "Deals whose stage is a lost value.");
    Kpi("open", "open_count", "count", "進行中の商談数 (open deals)", "leading",
        "Deals neither won nor lost.");
    Kpi("win_rate", "won_count / (won_count + lost_count)", "ratio", "受注率 (win rate)",
        "process", "Won deals over closed (won or lost) deals; open deals are outside it.");
    if (!in.stages.opportunity_stage.empty()) {
      Kpi("lead_to_opportunity_rate", "opportunity_share", "ratio",
          "商談化率 (lead → opportunity rate)", "process",
          "Deals that reached the opportunity stage over deals whose furthest stage is known.");
    }
    Kpi("revenue", "won_amount", "currency", "売上 (revenue)", "lagging",
        "Sum of the amounts of won deals; deals without a readable amount are left out.");
    Kpi("avg_deal_size", "won_avg_amount", "currency", "平均取引規模 (average deal size)",
        "process", "Revenue over the won deals with an amount.");
    Kpi("pipeline_amount", "open_amount", "currency", "パイプライン金額 (pipeline)", "leading",
        "Sum of the amounts of open deals.");
    Kpi("sales_cycle_days_median", "won_cycle_median", "days",
        "営業サイクル中央値 (sales cycle, median days)", "process",
        "Median of closed − created in days over won deals with both dates.");
    Kpi("sales_cycle_days_mean", "won_cycle_mean", "days",
        "営業サイクル平均 (sales cycle, mean days)", "process",
        "Mean of closed − created in days over won deals with both dates.");
    Kpi("sales_cycle_days_p90", "won_cycle_p90", "days",
        "営業サイクル p90 (sales cycle, 90th percentile days)", "process",
        "90th percentile (type 7) of closed − created in days over won deals.");
    Kpi("sales_cycle_days_km_median", "cycle_km_median", "days",
        "全商談の営業サイクル中央値 (all-deals cycle, Kaplan–Meier median)", "process",
        "Kaplan–Meier median of closed − created: closed deals are events, open ones still "
        "running at the as-of.");
  }

  void Tree() {
    if (!text.tree) return;
    Line("; ---------------------------------------------------------------- the KPI tree");
    Comment("売上 = 受注件数 × 平均取引規模; 受注件数 = 決着した商談数 × 受注率. Fill in the targets");
    Comment("above (target = …) and run: crmkpi tree -c THIS_FILE");
    Line("[tree]");
    Key("kgi", "revenue");
    Key("revenue", "won * avg_deal_size");
    Key("won", "closed_count * win_rate");
    Line();
  }

  void Checks() {
    if (!text.checks) return;
    Line("; ------------------------------------------- data-quality checks: crmkpi check -c");
    Line();
    std::string required;
    for (Role r : {Role::kStage, Role::kAmount, Role::kOwner, Role::kCreated, Role::kClosed}) {
      if (Has(r)) required += (required.empty() ? "" : ", ") + std::string(RoleName(r));
    }
    Line("[check required]");
    Key("type", "completeness");
    Key("source", "deals");
    Key("columns", required);
    Comment("fail above 5 % missing cells; without 'fail' any missing cell fails");
    Key("fail", "5%");
    Line();
    if (Has(Role::kId)) {
      Line("[check id_unique]");
      Key("type", "uniqueness");
      Key("source", "deals");
      Key("columns", "id");
      Line();
    }
    if (Has(Role::kChanged)) {
      Line("[check fresh]");
      Key("type", "timeliness");
      Key("source", "deals");
      Key("column", "changed");
      Key("max_age_days", "30");
      Line();
    }
    Line("[check not_empty]");
    Key("type", "row_count");
    Key("source", "deals");
    Key("min", "1");
    Line();
  }
};

}  // namespace

std::string DealsDefinitionIni(const DealsDefinitionInput& in, const DealsDefinitionText& text) {
  Builder b{in, text, {}};
  if (text.comments) {
    b.Line("; The definition behind `crmkpi report` on this export (crmkpi init; docs/ini.md).");
    b.Line(";   crmkpi report -c THIS_FILE     the same KPIs, and whatever you add below");
    b.Line(";   crmkpi tree -c THIS_FILE       the KPI tree, once its targets are filled in");
    b.Line();
  }
  b.Crmkpi();
  b.Fx();
  b.Source();
  b.Metrics();
  b.Kpis();
  b.Tree();
  b.Checks();
  while (b.out.size() >= 2 && b.out.substr(b.out.size() - 2) == "\n\n") b.out.pop_back();
  return b.out;
}

}  // namespace crmkpi
