// A forecast source compiled to SQL (forecast_sql.h). Periods are ordinals, consecutive
// integers so that a series' history is counted period by period: the month index (year × 12 +
// month − 1) of the period's first month, less the fiscal year's first month, divided by the
// period's months; for weeks, the days since the Monday (or Sunday) before 1970-01-01 over 7.
#include "forecast_sql.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/values/fiscal_calendar.h"

#include "period_sql.h"

namespace crmkpi::sql_detail {

namespace {

// Label kinds, finest to coarsest, as codes comparable with a period's rank.
enum LabelCode { kNoLabel = 0, kWeekLabel = 1, kMonthLabel = 2, kQuarterLabel = 3, kHalfLabel = 4,
                 kYearLabel = 5 };

// One form of ParsePeriodText's labels (values/period_label.cc MatchLabel), on the folded text:
// the whole form, the year as a pattern's one group, the index as another's (or a fixed one).
struct LabelForm {
  const char* whole;
  const char* year;
  const char* index;  // nullptr: |fixed|
  int fixed;
  LabelCode code;
};
constexpr LabelForm kForms[] = {
    {"^[0-9]{6}$", "^([0-9]{4})", "^[0-9]{4}([0-9]{2})$", 0, kMonthLabel},  // 202403
    {"^[Qq][0-9][ /-][0-9]{4}$", "([0-9]{4})$", "^[Qq]([0-9])", 0, kQuarterLabel},  // Q1 2024
    {"^[Ff][Yy] ?[0-9]{4}$", "([0-9]{4})$", nullptr, 1, kYearLabel},  // FY2025
    {"^[Ff][Yy] ?[0-9]{4}[ ./-]?[Qq][0-9]$", "([0-9]{4})", "([0-9])$", 0, kQuarterLabel},
    {"^[Ff][Yy] ?[0-9]{4}[ ./-]?[Hh][0-9]$", "([0-9]{4})", "([0-9])$", 0, kHalfLabel},
    {"^[0-9]{4}$", "^([0-9]{4})", nullptr, 1, kYearLabel},                        // 2024
    {"^[0-9]{4}[./-][0-9]{1,2}$", "^([0-9]{4})", "[./-]([0-9]{1,2})$", 0, kMonthLabel},
    {"^[0-9]{4}-[Ww][0-9]{2}$", "^([0-9]{4})", "([0-9]{2})$", 0, kWeekLabel},     // 2024-W09
    {"^[0-9]{4}\xE5\xB9\xB4(\xE5\xBA\xA6)?$", "^([0-9]{4})", nullptr, 1, kYearLabel},  // 2025年度
    {"^[0-9]{4}\xE5\xB9\xB4 ?[0-9]{1,2}\xE6\x9C\x88$", "^([0-9]{4})",
     "([0-9]{1,2})\xE6\x9C\x88$", 0, kMonthLabel},  // 2024年3月
    {"^[0-9]{4}\xE5\xB9\xB4(\xE5\xBA\xA6)? ?\xE7\xAC\xAC[0-9]\xE5\x9B\x9B\xE5\x8D\x8A\xE6\x9C\x9F$",
     "^([0-9]{4})", "\xE7\xAC\xAC([0-9])", 0, kQuarterLabel},  // 2024年第1四半期
    {"^[0-9]{4}\xE5\xB9\xB4(\xE5\xBA\xA6)? ?\xE4\xB8\x8A\xE6\x9C\x9F$", "^([0-9]{4})", nullptr, 1,
     kHalfLabel},  // 2025年度 上期
    {"^[0-9]{4}\xE5\xB9\xB4(\xE5\xBA\xA6)? ?\xE4\xB8\x8B\xE6\x9C\x9F$", "^([0-9]{4})", nullptr, 2,
     kHalfLabel},  // 2025年度 下期
    {"^[0-9]{4}[ ./-]?[Qq][0-9]$", "^([0-9]{4})", "([0-9])$", 0, kQuarterLabel},  // 2024-Q1
    {"^[0-9]{4}[ ./-]?[Hh][0-9]$", "^([0-9]{4})", "([0-9])$", 0, kHalfLabel},     // 2024-H1
};

int Months(Period p) {
  switch (p) {
    case Period::kQuarter: return 3;
    case Period::kHalf: return 6;
    case Period::kYear: return 12;
    default: return 1;
  }
}

int Rank(Period p) {
  switch (p) {
    case Period::kMonth: return kMonthLabel;
    case Period::kQuarter: return kQuarterLabel;
    case Period::kHalf: return kHalfLabel;
    case Period::kYear: return kYearLabel;
    default: return kWeekLabel;
  }
}

// One figure's columns, as SQL over the scope's sums |t|; |extra|: its own excluded parts.
struct Figure {
  std::string value, numerator, denominator, n, reason, extra;
};

class ForecastCompiler {
 public:
  ForecastCompiler(SourceSql& f, SourceSql* d, const std::vector<const MetricDef*>& metrics,
                   const LongColumns& columns, const std::string& as_of_text,
                   const std::string& model_tz)
      : f_(f), d_(d), sql_(f.sql()), metrics_(metrics), columns_(columns),
        as_of_text_(as_of_text), model_tz_(model_tz), def_(f.def()), cal_(def_.calendar) {
    kind_ = ParsePeriodName(def_.forecast_period);
    if (kind_ == Period::kNone) NotCompiled(sql_, *metrics.front(), "the source's period is not one");
    week_ = kind_ == Period::kWeek;
    shift_ = cal_.week_starts_sunday ? 4 : 3;  // day 0, 1970-01-01, is a Thursday
    k_ = Months(kind_);
    fs1_ = static_cast<int>(cal_.fiscal_year_start) - 1;
    // The analysis' CTEs: the chain's prefix and a second underscore, apart from the chain's own
    // (fc_forecast_rows is the chain's rows, fc_forecast__keys the analysis').
    p_ = f.Rows().substr(0, f.Rows().size() - 4) + "_";
  }

  std::vector<std::string> Compile(std::vector<std::string>* ctes) {
    BindForecast();
    if (d_ != nullptr) BindDeals();
    EntryCtes(ctes);
    PointCtes(ctes);
    ScopeCtes(ctes);
    std::vector<std::string> selects;
    for (const MetricDef* m : metrics_) {
      selects.push_back(Select(*m, false));
      if (!has_category_) selects.push_back(Select(*m, true));
    }
    return selects;
  }

 private:
  std::string Name(const std::string& what) const { return p_ + what; }
  std::string Dbl(const std::string& x) const { return sql_.Cast(x, sql_.DoubleType()); }
  // An amount's units (× 10⁴) as a DOUBLE, as crmkpi divides its exact sums.
  std::string Units(const std::string& x) const {
    return Dbl(sql_.Cast(fmt::format("({}) * {}", x, kAmountScale), sql_.BigintType()));
  }
  // The ordinal of the period holding month |m| of year |y|.
  std::string OrdinalOfYm(const std::string& y, const std::string& m) const {
    return sql_.IntDiv(fmt::format("({} * 12 + {} - 1 - {})", y, m, fs1_), std::to_string(k_));
  }
  // The ordinal of the period holding day |day|: weeks are counted from 1970's first (Monday or
  // Sunday) week, the others by their months.
  std::string OrdinalOfDay(const std::string& day) const {
    if (week_) return sql_.IntDiv(fmt::format("({} + {})", day, shift_), "7");
    const std::string text = DayTextOf(sql_, day);
    return OrdinalOfYm(sql_.Cast(fmt::format("substr({}, 1, 4)", text), sql_.BigintType()),
                       sql_.Cast(fmt::format("substr({}, 6, 2)", text), sql_.BigintType()));
  }
  std::string FirstMonth(const std::string& o) const {
    return fmt::format("({} * {} + {})", o, k_, fs1_);
  }
  std::string LastDay(const std::string& o) const {
    if (week_) return fmt::format("({} * 7 - {} + 6)", o, shift_);
    const std::string next = FirstMonth(fmt::format("({} + 1)", o));
    return fmt::format("({} - 1)", DaysFromCivilOf(sql_, sql_.IntDiv(next, "12"),
                                                   fmt::format("({} + 1)", sql_.Mod(next, "12")), "1"));
  }
  PeriodCols PeriodText(const std::string& o) const {
    if (week_) {
      return WeekPeriodCols(sql_, cal_, fmt::format("({} * 7 - {})", o, shift_),
                            [&](const std::string& day) { return DayTextOf(sql_, day); });
    }
    const std::string first = FirstMonth(o);
    return MonthPeriodCols(sql_, cal_, kind_, sql_.IntDiv(first, "12"),
                           fmt::format("({} + 1)", sql_.Mod(first, "12")));
  }
  // Whether period |o| has ended, with the one-row CTE of the as-of joined as |a|.
  std::string Ended(const std::string& o) const {
    if (always_ended_) return "1 = 1";
    return fmt::format("(a.asof_day IS NOT NULL AND {} <= a.asof_day)", LastDay(o));
  }
  std::string GroupList(const std::string& alias) const {
    std::string out;
    for (std::size_t i = 0; i < series_; ++i) out += fmt::format("{}g{}, ", alias, i);
    return out;
  }
  std::string GroupsEqual(const std::string& a, const std::string& b) const {
    std::string out;
    for (std::size_t i = 0; i < series_; ++i) out += fmt::format(" AND {}.g{} = {}.g{}", a, i, b, i);
    return out;
  }

  int Resolve(SourceSql& s, const std::string& name, const std::string& what) {
    int c = -1;
    try {
      c = s.Resolve(name);
    } catch (const Error&) {
      c = -1;
    }
    if (c < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("source '{}': no {} column '{}' ({})", s.def().id, what, name,
                              s.schema().Describe()),
                  s.def().loc);
    }
    return c;
  }
  int Role(SourceSql& s, crmkpi::Role r, const char* what, bool required) {
    const int c = s.schema().roles()[r];
    if (c < 0 && required) {
      throw Error(ExitCode::kUsage,
                  fmt::format("source '{}': no {} column found; name it with {} = COLUMN ({})",
                              s.def().id, what, RoleName(r), s.schema().Describe()),
                  s.def().loc);
    }
    return c;
  }

  // The forecast file's per-row values (aliases of its chain).
  void BindForecast() {
    const int pc = Role(f_, crmkpi::Role::kPeriod, "period", true);
    const int fc = Role(f_, crmkpi::Role::kForecast, "forecast amount", true);
    own_actual_ = d_ == nullptr;
    const int ac = own_actual_ ? Role(f_, crmkpi::Role::kActual, "actual", true) : -1;
    const int sc = Role(f_, crmkpi::Role::kSnapshot, "snapshot", false);
    const int cc = Role(f_, crmkpi::Role::kCategory, "category", false);
    has_snapshot_ = sc >= 0;
    has_category_ = cc >= 0;
    series_ = def_.forecast_series.size();
    for (const std::string& name : def_.forecast_series) {
      fg_.push_back(f_.GroupKey(Resolve(f_, name, "series")));
    }
    // The period: a label (folded as ParsePeriodText folds it), else a date.
    const std::string t = f_.Text(pc);
    const std::string u = f_.Metric(sql_.Translate(
        t, "\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96"
           "\xEF\xBC\x97\xEF\xBC\x98\xEF\xBC\x99\xEF\xBC\x8D\xEF\xBC\x8F\xEF\xBC\x8E\xEF\xBC\xB1"
           "\xEF\xBD\x91\xE3\x80\x80",
        "0123456789-/.QQ "));
    const int shift = cal_.name_by_end && cal_.fiscal() ? 1 : 0;
    std::string code = "CASE", month = "CASE", week_day = "NULL";  // week_day: a week label's first day
    for (const LabelForm& form : kForms) {
      const std::string matches = f_.Metric(sql_.Matches(u, form.whole));
      const std::string y = sql_.Cast(sql_.Extract(u, form.year), sql_.BigintType());
      const std::string i = form.index == nullptr
                                ? std::to_string(form.fixed)
                                : sql_.Cast(sql_.Extract(u, form.index), sql_.BigintType());
      const int max = form.code == kMonthLabel     ? 12
                      : form.code == kQuarterLabel ? 4
                      : form.code == kHalfLabel    ? 2
                      : form.code == kWeekLabel    ? 53
                                                   : 1;
      code += fmt::format(" WHEN {} THEN CASE WHEN {} BETWEEN 1 AND {} THEN {} ELSE 0 END", matches, i,
                          max, static_cast<int>(form.code));
      std::string first;  // the label's first month index
      switch (form.code) {
        case kMonthLabel:
          first = fmt::format("{} * 12 + {} - 1", y, i);
          break;
        case kQuarterLabel:
        case kHalfLabel:
        case kYearLabel:
          first = fmt::format("({} - {}) * 12 + {} + ({} - 1) * {}", y, shift, fs1_, i,
                              form.code == kQuarterLabel ? 3 : form.code == kHalfLabel ? 6 : 12);
          break;
        default: {
          // An ISO week: the Monday of the week holding January 4th, then (week − 1) weeks on.
          const std::string jan4 = DaysFromCivilOf(sql_, y, "1", "4");
          first = fmt::format("{} - {} + ({} - 1) * 7", jan4, sql_.Mod(fmt::format("({} + 3)", jan4), "7"), i);
          week_day = fmt::format("CASE WHEN {} THEN {} END", matches, first);
          first = "NULL";
        }
      }
      month += fmt::format(" WHEN {} THEN {}", matches, first);
    }
    code += " ELSE 0 END";
    month += " END";
    const std::string lk = f_.Metric(code);
    const std::string lmonth = f_.Metric(month);
    const ParsedDate date = f_.Date(pc);
    // A label of the period's kind or a finer one; a week's only for weeks (a week straddles months).
    const std::string period_bad = f_.Metric(fmt::format(
        "CASE WHEN {0} = 0 THEN CASE WHEN {1} = 0 THEN 0 ELSE 1 END WHEN ({0} = {2} AND {4}) OR {0} > {3} THEN 1 "
        "ELSE 0 END",
        lk, date.status, static_cast<int>(kWeekLabel), Rank(kind_), week_ ? "1 = 0" : "1 = 1"));
    if (week_) {
      const std::string lweek = f_.Metric(week_day);
      fo_ = f_.Metric(fmt::format("CASE WHEN {} = 0 THEN CASE WHEN {} > 0 THEN {} ELSE {} END END", period_bad, lk,
                                  OrdinalOfDay(lweek), OrdinalOfDay(date.day)));
    } else {
      const std::string ym = f_.PeriodOf(Period::kMonth, pc).label;  // YYYY-MM of a date
      const std::string dmonth = f_.Metric(fmt::format(
          "{} * 12 + {} - 1", sql_.Cast(fmt::format("NULLIF(substr({}, 1, 4), '')", ym), sql_.BigintType()),
          sql_.Cast(fmt::format("NULLIF(substr({}, 6, 2), '')", ym), sql_.BigintType())));
      fo_ = f_.Metric(fmt::format("CASE WHEN {} = 0 THEN {} END", period_bad,
                                  sql_.IntDiv(fmt::format("(CASE WHEN {} > 0 THEN {} ELSE {} END - {})", lk,
                                                          lmonth, dmonth, fs1_),
                                              std::to_string(k_))));
    }
    const ParsedAmount fa = f_.Amount(fc);
    fst_ = fa.status;
    fval_ = fa.value;
    if (ac >= 0) {
      const ParsedAmount aa = f_.Amount(ac);
      ast_ = aa.status;
      aval_ = aa.value;
    }
    std::string bad = fmt::format("{} = 1 OR {} = 2", period_bad, fst_);
    if (!ast_.empty()) bad += fmt::format(" OR {} = 2", ast_);
    if (has_snapshot_) {
      const ParsedDate s = f_.Date(sc);
      bad += fmt::format(" OR {} <> 0", s.status);
      snap_ = s.day;
    } else {
      snap_ = "0";
    }
    bad_ = f_.Metric(fmt::format("CASE WHEN {} THEN 1 ELSE 0 END", bad));
    cat_ = has_category_ ? f_.Metric(fmt::format("COALESCE({}, '')", f_.Text(cc))) : "''";
  }

  // The deals source's per-row values.
  void BindDeals() {
    SourceSql& d = *d_;
    Role(d, crmkpi::Role::kStage, "stage", true);
    const int amount = Role(d, crmkpi::Role::kAmount, "amount", true);
    const int closed = Role(d, crmkpi::Role::kClosed, "closed date", true);
    const int created = Role(d, crmkpi::Role::kCreated, "created date", false);
    for (const std::string& name : def_.forecast_series) {
      dg_.push_back(d.GroupKey(Resolve(d, name, "series")));
    }
    const std::string cls = d.StageClass();
    const ParsedAmount a = d.Amount(amount);
    const ParsedDate c = d.Date(closed);
    // Events that have happened: the created date, and the close date of a won or lost deal.
    const std::string closed_event = fmt::format("CASE WHEN {} = 0 AND {} <> 'open' THEN {} END", c.status, cls, c.day);
    std::string created_event = "NULL";
    if (created >= 0) {
      const ParsedDate cr = d.Date(created);
      created_event = fmt::format("CASE WHEN {} = 0 THEN {} END", cr.status, cr.day);
    }
    const std::string ce = d.Metric(closed_event), cre = d.Metric(created_event);
    ev_first_ = d.Metric(fmt::format("CASE WHEN {0} IS NULL THEN {1} WHEN {1} IS NULL OR {0} <= {1} THEN {0} ELSE {1} END", ce, cre));
    ev_last_ = d.Metric(fmt::format("CASE WHEN {0} IS NULL THEN {1} WHEN {1} IS NULL OR {0} >= {1} THEN {0} ELSE {1} END", ce, cre));
    won_ = d.Metric(fmt::format("CASE WHEN {} = 'won' AND {} = 0 AND {} = 0 THEN 1 ELSE 0 END", cls, a.status, c.status));
    dval_ = a.value;
    if (week_) {
      dco_ = d.Metric(OrdinalOfDay(c.day));
    } else {
      const std::string ym = d.PeriodOf(Period::kMonth, closed).label;  // YYYY-MM
      dco_ = d.Metric(OrdinalOfYm(sql_.Cast(fmt::format("NULLIF(substr({}, 1, 4), '')", ym), sql_.BigintType()),
                                  sql_.Cast(fmt::format("NULLIF(substr({}, 6, 2), '')", ym), sql_.BigintType())));
    }
  }

  void EntryCtes(std::vector<std::string>* ctes) {
    std::string g;
    for (std::size_t i = 0; i < series_; ++i) g += fmt::format("{} AS g{}, ", fg_[i], i);
    const std::string keep = fmt::format("{} = 0 AND ({} = 0{})", bad_, fst_,
                                         ast_.empty() ? "" : fmt::format(" OR {} = 0", ast_));
    const std::string actual_cols =
        aval_.empty() ? std::string()
                      : fmt::format(", CASE WHEN {0} = 0 THEN {1} END AS av, CASE WHEN {0} = 0 THEN 1 ELSE 0 END AS ha",
                                    ast_, aval_);
    ctes->push_back(fmt::format("{} AS (\n  SELECT SUM({}) AS invalid_rows FROM {}\n)", Name("invalid"), bad_,
                                f_.Rows()));
    // Rows with the same period, series, category and snapshot are added up.
    ctes->push_back(fmt::format(
        "{name} AS (\n  SELECT po, {gl}cat, snap, SUM(fv) AS fsum, MAX(hf) AS hasf, {asum} AS asum, {ahas} AS hasa\n"
        "  FROM (SELECT {po} AS po, {g}{cat} AS cat, {snap} AS snap, CASE WHEN {fst} = 0 THEN {fval} END AS fv,\n"
        "          CASE WHEN {fst} = 0 THEN 1 ELSE 0 END AS hf{acols}\n"
        "        FROM {rows} WHERE {keep}) r\n  GROUP BY po, {gl}cat, snap\n)",
        fmt::arg("name", Name("entries")), fmt::arg("gl", GroupList("")),
        fmt::arg("asum", aval_.empty() ? "NULL" : "SUM(av)"), fmt::arg("ahas", ast_.empty() ? "0" : "MAX(ha)"),
        fmt::arg("po", fo_), fmt::arg("g", g), fmt::arg("cat", cat_), fmt::arg("snap", snap_),
        fmt::arg("fst", fst_), fmt::arg("fval", fval_), fmt::arg("acols", actual_cols),
        fmt::arg("rows", f_.Rows()), fmt::arg("keep", keep)));
    // The as-of day: given, else the deals' latest event, else (the file's own actuals) every
    // period has ended.
    std::string asof;
    if (!as_of_text_.empty()) {
      const std::string tz = def_.tz.empty() ? model_tz_ : def_.tz;
      Seconds t = 0;
      DateParser dates({}, tz);
      if (dates.Parse(as_of_text_, &t) != ParseStatus::kOk) {
        throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", as_of_text_));
      }
      asof = fmt::format("SELECT {} AS asof_day",
                         date::sys_days{dates.LocalDate(t)}.time_since_epoch().count());
    } else if (d_ != nullptr) {
      asof = fmt::format("SELECT MAX({}) AS asof_day FROM {}", ev_last_, d_->Rows());
    } else {
      always_ended_ = true;
      asof = fmt::format("SELECT {} AS asof_day", sql_.Cast("NULL", sql_.BigintType()));
    }
    ctes->push_back(fmt::format("{} AS (\n  {}\n)", Name("asof"), asof));
    // Each key's headline entry (the latest snapshot made by the period's end) and the entry
    // its actual is taken from (the latest with an actual).
    const std::string part = fmt::format("PARTITION BY po, {}cat", GroupList(""));
    ctes->push_back(fmt::format(
        "{name} AS (\n  SELECT po, {gl}cat, MAX(hasf) AS anyf,\n"
        "    MAX(CASE WHEN rnh = 1 AND elig = 1 THEN fsum END) AS headf,\n"
        "    MAX(CASE WHEN rnh = 1 AND elig = 1 THEN 1 ELSE 0 END) AS hashead,\n"
        "    MAX(CASE WHEN rna = 1 AND hasa = 1 THEN asum END) AS wa, MAX(hasa) AS haswa\n"
        "  FROM (SELECT e.*, ROW_NUMBER() OVER ({part} ORDER BY elig DESC, snap DESC) AS rnh,\n"
        "          ROW_NUMBER() OVER ({part} ORDER BY hasa DESC, snap DESC) AS rna\n"
        "        FROM (SELECT x.*, CASE WHEN hasf = 1{late} THEN 1 ELSE 0 END AS elig FROM {entries} x) e) r\n"
        "  GROUP BY po, {gl}cat\n)",
        fmt::arg("name", Name("keys")), fmt::arg("gl", GroupList("")), fmt::arg("part", part),
        fmt::arg("late", has_snapshot_ ? fmt::format(" AND snap <= {}", LastDay("po")) : std::string()),
        fmt::arg("entries", Name("entries"))));
    if (d_ == nullptr) return;
    std::string dg;
    for (std::size_t i = 0; i < series_; ++i) dg += fmt::format("{} AS g{}, ", dg_[i], i);
    const std::string gl = GroupList("");
    // The deals' groups (with their first event) and their won amounts per period.
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT {}MIN(ev) AS first_day, 1 AS present\n  FROM (SELECT {}{} AS ev FROM {}) r\n"
        "  {}HAVING COUNT(*) > 0\n)",
        Name("dgroups"), gl, dg, ev_first_, d_->Rows(),
        series_ == 0 ? std::string() : "GROUP BY " + gl.substr(0, gl.size() - 2) + "\n  "));
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT {}po, SUM(v) AS s, COUNT(*) AS deals\n"
        "  FROM (SELECT {}{} AS po, {} AS v FROM {} WHERE {} = 1) r\n  GROUP BY {}po\n)",
        Name("cells"), gl, dg, dco_, dval_, d_->Rows(), won_, gl));
  }

  void PointCtes(std::vector<std::string>* ctes) {
    // why: 0 no_actual, 1 no_forecast, 2 period_not_ended, 3 late_snapshot; NULL when counted.
    std::string known, value, joins;
    if (own_actual_) {
      known = "k.haswa = 1";
      value = "k.wa";
    } else {
      known = "dv.present IS NOT NULL";
      value = "COALESCE(c.s, 0)";
      joins = fmt::format("\n      LEFT JOIN {} dv ON 1 = 1{}\n      LEFT JOIN {} c ON c.po = k.po{}",
                          Name("dgroups"), GroupsEqual("dv", "k"), Name("cells"), GroupsEqual("c", "k"));
    }
    std::string heads = fmt::format(
        "SELECT po, {gl}cat, counted, fv, av, why FROM (\n"
        "    SELECT k.po, {kgl}k.cat,\n"
        "      CASE WHEN k.anyf = 1 AND k.hashead = 1 AND {ended} AND {known} THEN 1 ELSE 0 END AS counted,\n"
        "      CASE WHEN k.anyf = 1 AND k.hashead = 1 THEN k.headf ELSE 0 END AS fv,\n"
        "      CASE WHEN k.anyf = 1 AND k.hashead = 0 THEN 0 WHEN {ended} AND {known} THEN {value} ELSE 0 END AS av,\n"
        "      CASE WHEN k.anyf = 0 AND {ended} AND {known} THEN 1 WHEN k.anyf = 1 AND k.hashead = 0 THEN 3\n"
        "        WHEN {ended} AND {known} THEN NULL WHEN NOT ({ended}) THEN 2 ELSE 0 END AS why,\n"
        "      CASE WHEN k.anyf = 0 AND {ended} AND NOT ({known}) THEN 0 ELSE 1 END AS kept\n"
        "    FROM {keys} k CROSS JOIN {asof} a{joins}\n  ) p WHERE kept = 1",
        fmt::arg("gl", GroupList("")), fmt::arg("kgl", GroupList("k.")), fmt::arg("ended", Ended("k.po")),
        fmt::arg("known", known), fmt::arg("value", value), fmt::arg("keys", Name("keys")),
        fmt::arg("asof", Name("asof")), fmt::arg("joins", joins));
    if (!own_actual_) {
      // Won deals in a forecast period of a series (and category) with no forecast.
      heads += fmt::format(
          "\n  UNION ALL\n  SELECT c.po, {}t.cat, 0, 0, c.s, CASE WHEN {} THEN 1 ELSE 2 END\n"
          "  FROM {} c CROSS JOIN (SELECT DISTINCT cat FROM {}) t CROSS JOIN {} a\n"
          "    LEFT JOIN {} k ON k.po = c.po AND k.cat = t.cat{}\n"
          "  WHERE c.deals > 0 AND c.po IN (SELECT po FROM {}) AND k.po IS NULL",
          GroupList("c."), Ended("c.po"), Name("cells"), Name("entries"), Name("asof"), Name("keys"),
          GroupsEqual("k", "c"), Name("entries"));
    }
    ctes->push_back(fmt::format("{} AS (\n  {}\n)", Name("heads"), heads));
    const std::string gl = GroupList("");
    if (own_actual_) {
      // No deals file: no history, so no MASE scale.
      ctes->push_back(fmt::format("{} AS (\n  SELECT h.*, 0 AS diffs, 0 AS sad FROM {} h\n)", Name("points"),
                                  Name("heads")));
      return;
    }
    // MASE: each series' history runs from the period of its group's first event in the deals
    // to the one before its first point, over periods that have ended.
    const std::string asof_o = OrdinalOfDay("a.asof_day");
    const std::string last_ended = fmt::format("({} - CASE WHEN {} = a.asof_day THEN 0 ELSE 1 END)", asof_o,
                                               LastDay(asof_o));
    ctes->push_back(fmt::format(
        "{name} AS (\n  SELECT {sgl}s.cat, hs, he, CASE WHEN he - hs >= 2 THEN he - hs - 1 ELSE 0 END AS diffs\n"
        "  FROM (SELECT {sgl}s.cat, {start} AS hs,\n"
        "          CASE WHEN {ended} + 1 < s.fp THEN {ended} + 1 ELSE s.fp END AS he\n"
        "        FROM (SELECT {gl}cat, MIN(po) AS fp FROM {heads} GROUP BY {gl}cat) s CROSS JOIN {asof} a\n"
        "          LEFT JOIN {dgroups} dv ON 1 = 1{eq}) s\n)",
        fmt::arg("name", Name("scale")), fmt::arg("sgl", GroupList("s.")), fmt::arg("gl", gl),
        fmt::arg("start", OrdinalOfDay("dv.first_day")), fmt::arg("ended", last_ended),
        fmt::arg("heads", Name("heads")), fmt::arg("asof", Name("asof")), fmt::arg("dgroups", Name("dgroups")),
        fmt::arg("eq", GroupsEqual("dv", "s"))));
    // Σ|h_t − h_{t−1}| over the history, periods without won deals being 0: between two cells
    // |difference| when adjacent, else both |values| (through zeros); the first cell's |value|
    // when zeros come before it, the last's when zeros follow.
    const std::string w = fmt::format("OVER (PARTITION BY {}sc.cat ORDER BY c.po)", GroupList("sc."));
    ctes->push_back(fmt::format(
        "{name} AS (\n  SELECT {gl}cat, SUM(\n"
        "      CASE WHEN ppo IS NULL THEN CASE WHEN po > hs THEN ABS(s) ELSE 0 END\n"
        "        WHEN po = ppo + 1 THEN ABS(s - ps) ELSE ABS(ps) + ABS(s) END\n"
        "      + CASE WHEN npo IS NULL AND po < he - 1 THEN ABS(s) ELSE 0 END) AS sad\n"
        "  FROM (SELECT {scgl}sc.cat, sc.hs, sc.he, c.po, c.s, LAG(c.po) {w} AS ppo, LAG(c.s) {w} AS ps,\n"
        "          LEAD(c.po) {w} AS npo\n"
        "        FROM {scale} sc JOIN {cells} c ON c.po >= sc.hs AND c.po < sc.he{eq}) r\n"
        "  GROUP BY {gl}cat\n)",
        fmt::arg("name", Name("history")), fmt::arg("gl", gl), fmt::arg("scgl", GroupList("sc.")),
        fmt::arg("w", w), fmt::arg("scale", Name("scale")), fmt::arg("cells", Name("cells")),
        fmt::arg("eq", GroupsEqual("c", "sc"))));
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT h.*, COALESCE(sc.diffs, 0) AS diffs, COALESCE(hi.sad, 0) AS sad\n  FROM {} h\n"
        "    LEFT JOIN {} sc ON sc.cat = h.cat{}\n    LEFT JOIN {} hi ON hi.cat = h.cat{}\n)",
        Name("points"), Name("heads"), Name("scale"), GroupsEqual("sc", "h"), Name("history"),
        GroupsEqual("hi", "h")));
  }

  // The sums of the total's points and of each period's.
  void ScopeCtes(std::vector<std::string>* ctes) {
    const std::string e = "(fv - av)";
    const std::string c = "counted = 1";
    std::string sums = fmt::format(
        "SUM(counted) AS n, SUM(CASE WHEN {c} THEN fv ELSE 0 END) AS sf, SUM(CASE WHEN {c} THEN av ELSE 0 END) AS sa,\n"
        "    SUM(CASE WHEN {c} THEN ABS(av) ELSE 0 END) AS saa, SUM(CASE WHEN {c} THEN {e} ELSE 0 END) AS se,\n"
        "    SUM(CASE WHEN {c} THEN ABS({e}) ELSE 0 END) AS sae, SUM(CASE WHEN {c} THEN {de} * {de} ELSE 0 END) AS sse,\n"
        "    SUM(CASE WHEN {c} AND av <> 0 THEN {dae} / {daa} END) AS ape,\n"
        "    SUM(CASE WHEN {c} AND av <> 0 THEN 1 ELSE 0 END) AS mape_n, SUM(CASE WHEN {c} AND av = 0 THEN 1 ELSE 0 END) AS zero_a,\n"
        "    SUM(CASE WHEN {c} AND ABS(av) + ABS(fv) <> 0 THEN 2 * {dae} / {dsum} ELSE 0 END) AS sape,\n"
        "    SUM(CASE WHEN {c} AND diffs > 0 AND sad <> 0 THEN {uae} * diffs / {usad} END) AS sq,\n"
        "    SUM(CASE WHEN {c} AND diffs > 0 AND sad <> 0 THEN 1 ELSE 0 END) AS qn,\n"
        "    SUM(CASE WHEN {c} AND diffs = 0 THEN 1 ELSE 0 END) AS no_hist,\n"
        "    SUM(CASE WHEN {c} AND diffs > 0 AND sad = 0 THEN 1 ELSE 0 END) AS zero_scale",
        fmt::arg("c", c), fmt::arg("e", e), fmt::arg("de", Dbl(e)), fmt::arg("dae", Dbl("ABS" + e)),
        fmt::arg("daa", Dbl("ABS(av)")), fmt::arg("dsum", Dbl("ABS(av) + ABS(fv)")),
        fmt::arg("uae", Units("ABS" + e)), fmt::arg("usad", Units("sad")));
    for (int why = 0; why < 4; ++why) {
      sums += fmt::format(",\n    SUM(CASE WHEN counted = 0 AND why = {0} THEN 1 ELSE 0 END) AS x{0}", why);
    }
    ctes->push_back(fmt::format("{} AS (\n  SELECT {}\n  FROM {}\n)", Name("total"), sums, Name("points")));
    if (has_category_) {
      ctes->push_back(fmt::format("{} AS (\n  SELECT COUNT(DISTINCT cat) AS categories FROM {}\n)", Name("categories"),
                                  Name("entries")));
    } else {
      ctes->push_back(fmt::format("{} AS (\n  SELECT po, {}\n  FROM {}\n  GROUP BY po\n)", Name("periods"), sums,
                                  Name("points")));
    }
  }

  Figure FigureOf(const MetricDef& m) const {
    const std::string n = "COALESCE(t.n, 0)";
    auto money = [&](const std::string& x) { return sql_.ToText(fmt::format("COALESCE({}, 0)", x)); };
    auto count = [&](const std::string& x) { return sql_.ToText(fmt::format("COALESCE({}, 0)", x)); };
    auto when = [&](const std::string& cond, const std::string& x) {
      return fmt::format("CASE WHEN {} THEN {} END", cond, sql_.DoubleText(x));
    };
    Figure out;
    out.n = count(n);
    const std::string empty = fmt::format("WHEN {} = 0 THEN 'EMPTY'", n);
    out.reason = fmt::format("CASE {} END", empty);
    const std::string& id = m.figure;
    if (id == "forecast_accuracy") {
      out.value = when(fmt::format("{} > 0 AND t.sa <> 0", n), fmt::format("1 - {} / {}", Units("ABS(t.se)"), Units("ABS(t.sa)")));
      out.numerator = money("t.sf");
      out.denominator = money("t.sa");
      out.reason = fmt::format("CASE {} WHEN t.sa = 0 THEN 'ZERO_DENOMINATOR' END", empty);
    } else if (id == "wape" || id == "bias_percent") {
      const std::string num = id == "wape" ? "t.sae" : "t.se";
      out.value = when(fmt::format("{} > 0 AND t.saa <> 0", n), fmt::format("{} / {}", Units(num), Units("t.saa")));
      out.numerator = money(num);
      out.denominator = money("t.saa");
      out.reason = fmt::format("CASE {} WHEN t.saa = 0 THEN 'ZERO_DENOMINATOR' END", empty);
    } else if (id == "mape") {
      out.value = when("t.mape_n > 0", fmt::format("t.ape / {}", Dbl("t.mape_n")));
      out.n = count("t.mape_n");
      out.reason = fmt::format("CASE {} WHEN t.mape_n = 0 THEN 'ZERO_DENOMINATOR' END", empty);
      out.extra = ExcludedPart(sql_, "zero_actual", "t.zero_a");
    } else if (id == "smape") {
      out.value = when(fmt::format("{} > 0", n), fmt::format("t.sape / {}", Dbl("t.n")));
    } else if (id == "bias" || id == "mae") {
      const std::string num = id == "bias" ? "t.se" : "t.sae";
      out.value = when(fmt::format("{} > 0", n), fmt::format("{} / {}", Dbl(num), Dbl("t.n")));
      out.numerator = money(num);
      out.denominator = count(n);
    } else if (id == "rmse") {
      out.value = when(fmt::format("{} > 0", n), fmt::format("SQRT(t.sse / {})", Dbl("t.n")));
    } else if (id == "mase") {
      out.value = when("t.qn > 0", fmt::format("t.sq / {}", Dbl("t.qn")));
      out.numerator = sql_.DoubleText(fmt::format("COALESCE(t.sq, {})", Dbl("0")));
      out.denominator = count("t.qn");
      out.n = count("t.qn");
      out.reason = fmt::format("CASE {} WHEN t.qn = 0 AND t.zero_scale > 0 THEN 'ZERO_DENOMINATOR' WHEN t.qn = 0 "
                               "THEN 'NO_HISTORY' END",
                               empty);
      out.extra = fmt::format("NULLIF({}, '')",
                              sql_.JoinSkippingNull(";", {ExcludedPart(sql_, "no_history", "t.no_hist"),
                                                          ExcludedPart(sql_, "zero_scale", "t.zero_scale")}));
    } else {
      NotCompiled(sql_, m, fmt::format("'{}' is not a figure of a forecast source", id));
    }
    return out;
  }

  std::string Select(const MetricDef& m, bool by_period) const {
    const Figure fig = FigureOf(m);
    const std::string null_text = sql_.Cast("NULL", sql_.TextType());
    std::vector<std::string> parts;
    static constexpr const char* kWhy[] = {"no_actual", "no_forecast", "period_not_ended", "late_snapshot"};
    for (int why = 0; why < 4; ++why) parts.push_back(ExcludedPart(sql_, kWhy[why], fmt::format("t.x{}", why)));
    if (!by_period) parts.push_back(ExcludedPart(sql_, "invalid_forecast_row", "iv.invalid_rows"));
    if (!fig.extra.empty()) parts.push_back(fig.extra);
    std::string value = fig.value.empty() ? null_text : fig.value;
    std::string numerator = fig.numerator.empty() ? null_text : fig.numerator;
    std::string denominator = fig.denominator.empty() ? null_text : fig.denominator;
    std::string n = fig.n, reason = fig.reason;
    std::string excluded = fmt::format("NULLIF({}, '')", sql_.JoinSkippingNull(";", parts));
    if (has_category_) {
      // Several categories (commit, best case, …) are not one forecast: n/a, as crmkpi forecast says.
      const std::string mixed = "cg.categories > 1";
      value = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", mixed, value);
      numerator = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", mixed, numerator);
      denominator = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", mixed, denominator);
      n = fmt::format("CASE WHEN {} THEN '0' ELSE {} END", mixed, n);
      reason = fmt::format("CASE WHEN {} THEN 'MIXED_CATEGORIES' ELSE {} END", mixed, reason);
      excluded = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", mixed, excluded);
    }
    std::vector<std::string> values = {sql_.Str(m.id), sql_.Str(by_period ? "period" : "")};
    std::string from;
    PeriodCols period;
    if (by_period) {
      period = PeriodText("t.po");
      from = Name("periods") + " t";
    } else {
      from = fmt::format("{} t CROSS JOIN {} iv", Name("total"), Name("invalid"));
      if (has_category_) from += fmt::format(" CROSS JOIN {} cg", Name("categories"));
    }
    for (const std::string& key : columns_.keys) {
      values.push_back(by_period && key == "period" ? period.label : null_text);
    }
    values.push_back(by_period ? period.start : null_text);
    values.push_back(by_period ? period.end : null_text);
    for (const std::string& x : {value, numerator, denominator, n, null_text, reason, null_text, excluded}) {
      values.push_back(x);
    }
    return LongRow(sql_, columns_, values) + "\n  FROM " + from;
  }

  SourceSql& f_;
  SourceSql* d_;
  const Sql& sql_;
  const std::vector<const MetricDef*>& metrics_;
  const LongColumns& columns_;
  std::string as_of_text_, model_tz_;
  const SourceDef& def_;
  const Calendar& cal_;
  Period kind_ = Period::kMonth;
  bool week_ = false;
  int k_ = 1, fs1_ = 0, shift_ = 3;
  std::string p_;
  bool own_actual_ = true, has_snapshot_ = false, has_category_ = false, always_ended_ = false;
  std::size_t series_ = 0;
  std::vector<std::string> fg_, dg_;
  std::string fo_, fst_, fval_, ast_, aval_, snap_, bad_, cat_;
  std::string ev_first_, ev_last_, won_, dval_, dco_;
};

}  // namespace

std::vector<std::string> ForecastSelects(SourceSql& forecast, SourceSql* deals,
                                         const std::vector<const MetricDef*>& metrics,
                                         const LongColumns& columns, const std::string& as_of_text,
                                         const std::string& model_tz, std::vector<std::string>* ctes) {
  ForecastCompiler c(forecast, deals, metrics, columns, as_of_text, model_tz);
  return c.Compile(ctes);
}

}  // namespace crmkpi::sql_detail
