// A [metric] compiled to aggregates over its source's rows (metric_sql.h), with the meaning the
// engine gives it (engine/source_rows.cc, metric_cells.cc): which rows count, which are left
// out and under which reason, how each aggregate is finished (sums exact, a sum over no values
// 0, the others n/a EMPTY), and the currency of money.
#include "metric_sql.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/definition/value_expr.h"
#include "crmkpi/values/fx_rates.h"

#include "km_sql.h"

namespace crmkpi::sql_detail {

namespace {

// The engine's exclusion reasons in its order (engine/accumulators.h kExclusionNames).
enum Ex { kMissingValue, kInvalidValue, kMissingFrom, kInvalidFrom, kMissingTo, kInvalidTo,
          kNegative, kPending, kFromAfterAsOf, kLostUnknown, kNotInOrder, kMissingCurrency,
          kUnknownCurrency, kDivisionByZero, kCount };
constexpr const char* kExNames[kCount] = {
    "missing_value", "invalid_value", "missing_from", "invalid_from", "missing_to", "invalid_to",
    "negative_duration", "pending", "from_after_as_of", "lost_stage_unknown", "stage_not_in_order",
    "missing_currency", "unknown_currency", "division_by_zero"};

// `value = …` (definition/value_expr.h) as SQL over the row's columns: each column an amount, or
// a percent when its text ends in % (60% = 0.6); the arithmetic in DOUBLE (the engine's is
// extended precision); a division by zero NULL, flagged. |statuses| collects each column
// operand's status (0 ok, 1 missing, 2 invalid) left to right, |divisors| each divisor.
std::string ValueSql(SourceSql& s, const ValueExpr& expr, int node, std::vector<std::string>* statuses,
                     std::vector<std::string>* divisors) {
  const Sql& sql = s.sql();
  const ValueExpr::Node& n = expr.nodes()[static_cast<std::size_t>(node)];
  const std::string dbl = sql.DoubleType();
  switch (n.op) {
    case ValueExpr::Op::kNumber: {
      std::string text = n.spelling;
      const bool percent = !text.empty() && text.back() == '%';
      if (percent) text.pop_back();
      return fmt::format("({}{})", sql.Cast(sql.Str(text), dbl), percent ? " / 100" : "");
    }
    case ValueExpr::Op::kColumn: {
      const int c = s.Resolve(expr.names()[static_cast<std::size_t>(n.name)]);
      return s.PercentOrAmount(c, statuses);
    }
    case ValueExpr::Op::kNeg:
      return "(-" + ValueSql(s, expr, n.left, statuses, divisors) + ")";
    default: {
      const std::string a = ValueSql(s, expr, n.left, statuses, divisors);
      const std::string b = ValueSql(s, expr, n.right, statuses, divisors);
      switch (n.op) {
        case ValueExpr::Op::kAdd: return "(" + a + " + " + b + ")";
        case ValueExpr::Op::kSub: return "(" + a + " - " + b + ")";
        case ValueExpr::Op::kMul: return "(" + a + " * " + b + ")";
        default:
          divisors->push_back(b);
          return fmt::format("({} / NULLIF({}, 0))", a, b);
      }
    }
  }
}

std::string RoleOf(const RowSchema& schema, int column) {
  for (int r = 0; r < kRoleCount; ++r) {
    if (schema.roles()[static_cast<Role>(r)] == column) return std::string(RoleName(static_cast<Role>(r)));
  }
  return {};
}

// ExclusionName: "value", "from" and "to" become the column's role (missing_amount).
std::string ExName(int e, const std::string& value_role, const std::string& from_role,
                   const std::string& to_role) {
  std::string name = kExNames[e], out, word;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '_') {
      if (word == "value" && !value_role.empty()) word = value_role;
      if (word == "from" && !from_role.empty()) word = from_role;
      if (word == "to" && !to_role.empty()) word = to_role;
      out += word;
      if (i < name.size()) out += '_';
      word.clear();
    } else {
      word += name[i];
    }
  }
  return out;
}


// A money metric's currency (docs/kpis.md, "Currencies"). Without [fx] rates its amounts' marks
// (|mark|) label it (|money_mark|); a currency column is refused. With rates each row's value
// (|value|, a DECIMAL when |ok|) is converted into the base currency: × the rate of its currency
// column, else of its amount's mark (a plain number is in the base currency), rounded half away
// from zero to 1/10,000 as the engine's ApplyRate; a row whose currency is empty
// (missing_currency) or has no rate (unknown_currency) is left out; |fx_base| labels the cells.
void Money(SourceSql& s, const MetricDef& m, const std::string& mark, std::string* ok,
           std::string* value, std::vector<std::pair<int, std::string>>* excluded, std::string* money_mark,
           std::string* fx_base) {
  const Sql& sql = s.sql();
  const FxRates& fx = s.def().fx;
  const int currency = s.schema().roles()[Role::kCurrency];
  if (fx.empty()) {
    if (currency >= 0) {
      NotCompiled(sql, m, "money in the currencies of a currency column, without [fx] rates, is not compiled "
                          "to SQL (crmkpi splits each money metric by that column): give [fx] rates, or convert "
                          "the amounts in the warehouse and set money = false");
    }
    *money_mark = mark;
    return;
  }
  // Each rate as its shortest decimal text, a DECIMAL of as many places.
  std::string rate = "CASE";
  const std::string code = currency >= 0 ? sql.AsciiLower(s.Text(currency)) : mark;
  for (const auto& [name, r] : fx.rates) {
    const std::string text = fmt::format("{}", r);
    const std::size_t point = text.find('.');
    const int places = point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
    if (text.find_first_of("eE") != std::string::npos || places > 10) {
      NotCompiled(sql, m, fmt::format("the rate {}={} has more than 10 decimal places", name, text));
    }
    const std::string type = sql.dialect() == SqlDialect::kBigQuery
                                 ? std::string("BIGNUMERIC")
                                 : fmt::format("DECIMAL({},{})", std::max<int>(1, static_cast<int>(text.size()) - (places > 0) - (text[0] == '-')), places);
    std::string lower = name;
    for (char& ch : lower) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    rate += fmt::format(" WHEN {} = {} THEN {}", code, sql.Str(currency >= 0 ? lower : name), sql.Cast(sql.Str(text), type));
  }
  rate += " END";
  // 0: converted, 1: no currency, 2: no rate, 3: a plain number (no mark), taken as it is.
  const std::string state = s.Metric(
      currency >= 0 ? fmt::format("CASE WHEN {} IS NULL THEN 1 WHEN {} IS NULL THEN 2 ELSE 0 END", code, rate)
                    : fmt::format("CASE WHEN {} = '' THEN 3 WHEN {} IS NULL THEN 2 ELSE 0 END", code, rate));
  excluded->emplace_back(kMissingCurrency, fmt::format("({} AND {} = 1)", *ok, state));
  excluded->emplace_back(kUnknownCurrency, fmt::format("({} AND {} = 2)", *ok, state));
  *value = s.Metric(fmt::format("CASE WHEN {0} = 3 THEN {1} WHEN {0} = 0 THEN {2} END", state, *value,
                                sql.Cast(fmt::format("ROUND({} * {}, 4)", *value, rate), sql.DecimalType())));
  *ok = fmt::format("({} AND {} IN (0, 3))", *ok, state);
  *fx_base = fx.base;
}

// The Kaplan–Meier median of the observations of each group of |keys| (|ok| rows, |time| in
// seconds, |event| 1 for an exit, 0 for a censoring) in a CTE of its own (km_sql.h); returns the
// JOIN that brings it to the grouping's rows as crmkpi_km.median_secs.
std::string KmJoin(SourceSql& s, const std::vector<std::string>& keys, const std::string& ok,
                   const std::string& time, const std::string& event) {
  const std::string name = s.NewCteName("km");
  std::string select, group, on;
  std::vector<std::string> named;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    select += fmt::format("{} AS km_k{}, ", keys[i], i);
    group += keys[i] + ", ";
    named.push_back(fmt::format("km_k{}", i));
    on += fmt::format("{}{} = crmkpi_km.km_k{}", on.empty() ? "" : " AND ", s.Key(keys, i), i);
  }
  s.AddCte(KmMedianCte(s.sql(), name, named,
                       fmt::format("SELECT {}{} AS t, SUM({}) AS d, COUNT(*) AS c FROM {} WHERE {} = 1 GROUP BY {}{}",
                                   select, time, event, s.Rows(), ok, group, time)));
  return keys.empty() ? fmt::format(" CROSS JOIN {} crmkpi_km", name)
                      : fmt::format(" LEFT JOIN {} crmkpi_km ON {}", name, on);
}

}  // namespace

std::string LongRow(const Sql& sql, const LongColumns& columns, const std::vector<std::string>& values) {
  std::string select = "SELECT";
  for (std::size_t i = 0; i < values.size() && i < columns.all.size(); ++i) {
    select += fmt::format("{}\n    {} AS {}", i == 0 ? "" : ",", values[i], sql.Id(columns.all[i]));
  }
  return select;
}

std::string ExcludedPart(const Sql& sql, const std::string& name, const std::string& count) {
  return fmt::format("CASE WHEN {} > 0 THEN {} END", count, sql.Concat({sql.Str(name + "="), sql.ToText(count)}));
}

[[noreturn]] void NotCompiled(const Sql& sql, const MetricDef& m, const std::string& what) {
  throw Error(ExitCode::kUsage,
              fmt::format("metric '{}' cannot be compiled for {}: {}", m.id, sql.name(), what), m.loc);
}

std::vector<std::string> MetricSelects(SourceSql& s, const MetricDef& m, const LongColumns& columns,
                                       const std::string& as_of) {
  const Sql& sql = s.sql();
  const RowSchema& schema = s.schema();
  const std::string text = sql.TextType();
  auto as_text = [&](const std::string& x) { return sql.ToText(x); };
  auto resolve = [&](const std::string& name, const char* in) {
    const int c = s.Resolve(name);
    if (c < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("metric '{}': unknown column '{}' in {} ({})", m.id, name, in,
                              schema.Describe()),
                  m.column_loc.line > 0 ? m.column_loc : m.loc);
    }
    return c;
  };
  if (m.aggregation == Aggregation::kFigure) {
    NotCompiled(sql, m, fmt::format("the figures of a {} source are computed by crmkpi's analysis, "
                               "not compiled to SQL: run crmkpi on that export",
                               "stage-history or forecast"));
  }
  const bool has_duration = !m.duration_from.empty();
  const bool has_expr = !TrimSpace(m.value).empty();
  // An optional metric whose column is not in the file: MISSING_COLUMN in every group.
  bool missing = false;
  if (m.optional) {
    std::vector<std::string> needed = m.columns;
    if (has_duration) needed.insert(needed.end(), {m.duration_from, m.duration_to});
    for (const std::string& c : needed) missing = missing || s.Resolve(c) < 0;
  }
  const std::string w = missing || TrimSpace(m.where).empty()
                            ? std::string("TRUE")
                            : s.Where(m.where, m.where_loc.line > 0 ? m.where_loc : m.loc, "where");

  // Per row: |ok| (the row's value counts), |value| (its value, when there is one) and the
  // exclusions (each a condition).
  std::string ok = w, value;
  std::vector<std::pair<int, std::string>> excluded;
  std::string value_role, from_role, to_role;
  enum class Out { kCount, kExact, kReal, kRatio } out = Out::kCount;
  double unit = 1;
  std::string numerator_sum;  // sla, reached: 1 per yes
  std::string money_mark;     // the mark column of a money amount
  std::string fx_base;        // with [fx] rates: the base currency every money cell is in
  // km_median: each row's time (seconds) and event flag, the censored and the
  // without-an-as-of flags, and the as-of.
  std::string km_time, km_event, km_censored, km_unknown, km_as_of;
  const Aggregation agg = missing ? Aggregation::kCount : m.aggregation;
  if (!missing && has_duration) {
    const int from = resolve(m.duration_from, "duration"), to = resolve(m.duration_to, "duration");
    from_role = RoleOf(schema, from);
    to_role = RoleOf(schema, to);
    const ParsedDate f = s.Date(from), t = s.Date(to);
    const std::string seconds = s.Metric(fmt::format(
        "CASE WHEN {} <> {} THEN ({} - {}) * 86400 ELSE {} - {} END", f.has_time, t.has_time,
        t.day, f.day, t.instant, f.instant));
    // The first reason that applies, as Duration() decides it.
    const std::string reason = s.Metric(fmt::format(
        "CASE WHEN {0} = 1 THEN {2} WHEN {0} = 2 THEN {3} WHEN {1} = 1 THEN {4} WHEN {1} = 2 THEN "
        "{5} WHEN {6} < 0 THEN {7} ELSE -1 END",
        f.status, t.status, int{kMissingFrom}, int{kInvalidFrom}, int{kMissingTo}, int{kInvalidTo},
        seconds, int{kNegative}));
    unit = m.duration_unit == DurationUnit::kHours ? 3600 : 86400;
    if (agg == Aggregation::kSla) {
      if (as_of.empty()) {
        NotCompiled(sql, m, "sla needs the as-of its unfinished rows are late at: give the "
                       "definition as_of = DATE or crmkpi sql --as-of DATE");
      }
      // met 1, breached 0; an unfinished row is pending until as-of − FROM passes within.
      const std::string late = fmt::format("({} = {} AND {} - {} > {})", reason, int{kMissingTo},
                                           as_of, f.instant, m.within_seconds);
      const std::string state = s.Metric(fmt::format(
          "CASE WHEN {0} THEN 0 WHEN {1} = {2} THEN -{3} WHEN {1} >= 0 THEN -{1} - 1 WHEN {4} <= {5} "
          "THEN 1 ELSE 0 END",
          late, reason, int{kMissingTo}, int{kPending} + 1, seconds, m.within_seconds));
      // state: 1 met, 0 breached, -(e + 1) excluded for reason e.
      ok = fmt::format("({} AND {} >= 0)", w, state);
      numerator_sum = fmt::format("CASE WHEN {} AND {} = 1 THEN 1 ELSE 0 END", w, state);
      for (int e = 0; e < kCount; ++e) {
        excluded.emplace_back(e, fmt::format("({} AND {} = -{})", w, state, e + 1));
      }
      out = Out::kRatio;
    } else if (agg == Aggregation::kKmMedian) {
      // Rows where `censored` holds are still running: censored at as-of − FROM (their TO is not
      // read), left out when FROM is after the as-of; the others are events at TO − FROM, left
      // out as durations are. state: -1 event, -2 censored, -3 censored without an as-of, else
      // the exclusion.
      const std::string cz = s.Where(m.censored, m.censored_loc.line > 0 ? m.censored_loc : m.loc, "censored");
      const std::string at = as_of.empty() ? std::string("NULL") : as_of;
      const std::string state = s.Metric(fmt::format(
          "CASE WHEN {0} THEN CASE WHEN {1} = 1 THEN {2} WHEN {1} = 2 THEN {3} WHEN {4} IS NULL THEN -3 "
          "WHEN {5} > {4} THEN {6} ELSE -2 END WHEN {7} >= 0 THEN {7} ELSE -1 END",
          cz, f.status, int{kMissingFrom}, int{kInvalidFrom}, at, f.instant, int{kFromAfterAsOf}, reason));
      ok = fmt::format("({} AND {} IN (-1, -2))", w, state);
      km_time = s.Metric(fmt::format("CASE WHEN {} = -1 THEN {} WHEN {} = -2 THEN {} - {} END", state, seconds,
                                     state, at, f.instant));
      km_event = s.Metric(fmt::format("CASE WHEN {} = -1 THEN 1 ELSE 0 END", state));
      km_censored = s.Metric(fmt::format("CASE WHEN {} AND {} = -2 THEN 1 ELSE 0 END", w, state));
      km_unknown = s.Metric(fmt::format("CASE WHEN {} AND {} IN (-1, -3) THEN 1 ELSE 0 END", w, state));
      km_as_of = at;
      for (int e : {int{kMissingFrom}, int{kInvalidFrom}, int{kMissingTo}, int{kInvalidTo}, int{kNegative},
                    int{kFromAfterAsOf}}) {
        excluded.emplace_back(e, fmt::format("({} AND {} = {})", w, state, e));
      }
      out = Out::kReal;
    } else {
      ok = fmt::format("({} AND {} < 0)", w, reason);
      value = fmt::format("CASE WHEN {} THEN {} END", ok, seconds);
      for (int e = kMissingFrom; e <= kNegative; ++e) {
        excluded.emplace_back(e, fmt::format("({} AND {} = {})", w, reason, e));
      }
      out = Out::kReal;
    }
  } else if (!missing && agg == Aggregation::kCountDistinct) {
    std::string key, any_missing;
    for (const std::string& name : m.columns) {
      const std::string t = s.Text(resolve(name, "column"));
      any_missing += (any_missing.empty() ? "" : " OR ") + t + " IS NULL";
      // Length-prefixed parts: ("a,b", "c") and ("a", "b,c") stay two keys.
      key = key.empty() && m.columns.size() == 1
                ? t
                : key + (key.empty() ? "" : " || ") +
                      sql.Concat({as_text(sql.Length(t)), "':'", t, "'|'"});
    }
    ok = fmt::format("({} AND NOT ({}))", w, any_missing);
    value = s.Metric(fmt::format("CASE WHEN {} THEN {} END", ok, key));
    excluded.emplace_back(kMissingValue, fmt::format("({} AND ({}))", w, any_missing));
  } else if (!missing && agg == Aggregation::kReached) {
    const std::string stage = m.stage.empty() ? s.def().stages.opportunity_stage : m.stage;
    int reach = -1;
    for (std::size_t i = 0; i < s.def().stages.order.size(); ++i) {
      if (StageRules::Normalize(s.def().stages.order[i]) == StageRules::Normalize(stage)) {
        reach = static_cast<int>(i);
      }
    }
    if (reach < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("metric '{}': stage '{}' is not in the stages of source '{}'",
                              m.id, stage, s.def().id),
                  m.loc);
    }
    const std::string cls = s.StageClass(), order = s.StageOrder();
    const LostReached lost = s.def().stages.lost_reached;
    // 1 yes, 0 no, -1 lost (unknown), -2 not in the order.
    const std::string state = s.Metric(fmt::format(
        "CASE WHEN {0} = 'won' THEN 1 WHEN {0} = 'lost' THEN {1} WHEN {2} IS NULL THEN -2 WHEN {2} "
        ">= {3} THEN 1 ELSE 0 END",
        cls, lost == LostReached::kExclude ? "-1" : lost == LostReached::kOpportunity ? "1" : "0",
        order, reach));
    ok = fmt::format("({} AND {} >= 0)", w, state);
    numerator_sum = fmt::format("CASE WHEN {} AND {} = 1 THEN 1 ELSE 0 END", w, state);
    excluded.emplace_back(kLostUnknown, fmt::format("({} AND {} = -1)", w, state));
    excluded.emplace_back(kNotInOrder, fmt::format("({} AND {} = -2)", w, state));
    out = Out::kRatio;
  } else if (!missing && (agg == Aggregation::kCount || agg == Aggregation::kSla)) {
    if (agg == Aggregation::kSla) NotCompiled(sql, m, "sla needs a duration = FROM..TO");
    if (!m.columns.empty()) {
      const int c = resolve(m.columns[0], "column");
      const std::string t = s.Text(c);
      value_role = RoleOf(schema, c);
      ok = fmt::format("({} AND {} IS NOT NULL)", w, t);
      excluded.emplace_back(kMissingValue, fmt::format("({} AND {} IS NULL)", w, t));
    }
  } else if (!missing && has_expr) {
    ValueExpr expr = ValueExpr::Parse(m.value, m.value_loc.line > 0 ? m.value_loc : m.loc);
    for (const std::string& name : expr.names()) resolve(name, "value");
    std::vector<std::string> statuses, divisors;
    const std::string x = ValueSql(s, expr, expr.root(), &statuses, &divisors);
    // The reason of the first operand without a value, then a division by zero, then a result
    // past the fixed point; else the value rounded half away from zero to 1/10,000.
    std::string status = "CASE";
    for (const std::string& st : statuses) status += fmt::format(" WHEN {0} <> 0 THEN {0}", st);
    for (const std::string& d : divisors) status += fmt::format(" WHEN {} = 0 THEN 3", d);
    const std::string scaled = fmt::format("({} * 10000)", x);
    status += fmt::format(" WHEN NOT (ABS({}) < 9.2e18) THEN 2 ELSE 0 END", scaled);
    const std::string st = s.Metric(status);
    const std::string dec = sql.DecimalType();
    const std::string rounded = s.Metric(fmt::format(
        "CASE WHEN {} = 0 THEN ROUND({}, 0) / 10000 END", st,
        sql.Cast(sql.Cast(scaled, dec), dec)));
    ok = fmt::format("({} AND {} = 0)", w, st);
    value = s.Metric(fmt::format("CASE WHEN {} THEN {} END", ok, rounded));
    excluded.emplace_back(kMissingValue, fmt::format("({} AND {} = 1)", w, st));
    excluded.emplace_back(kInvalidValue, fmt::format("({} AND {} = 2)", w, st));
    excluded.emplace_back(kDivisionByZero, fmt::format("({} AND {} = 3)", w, st));
    out = Out::kExact;
    // Money when it reads the amount role's column; its marks say the currency.
    const int amount_role = schema.roles()[Role::kAmount];
    bool reads_amount = false;
    for (const std::string& name : expr.names()) reads_amount = reads_amount || s.Resolve(name) == amount_role;
    const bool money = m.money ? *m.money : (amount_role >= 0 && reads_amount);
    if (money) {
      const int marked = reads_amount ? amount_role : s.Resolve(expr.names()[0]);
      Money(s, m, s.Amount(marked).mark, &ok, &value, &excluded, &money_mark, &fx_base);
    }
  } else if (!missing) {
    if (m.columns.size() != 1) NotCompiled(sql, m, "this aggregation needs one numeric column");
    const int c = resolve(m.columns[0], "column");
    value_role = RoleOf(schema, c);
    const ParsedAmount a = s.Amount(c);
    ok = fmt::format("({} AND {} = 0)", w, a.status);
    value = s.Metric(fmt::format("CASE WHEN {} THEN {} END", ok, a.value));
    excluded.emplace_back(kMissingValue, fmt::format("({} AND {} = 1)", w, a.status));
    excluded.emplace_back(kInvalidValue, fmt::format("({} AND {} = 2)", w, a.status));
    out = Out::kExact;
    const int amount_role = schema.roles()[Role::kAmount];
    const bool money = m.money ? *m.money : (amount_role >= 0 && c == amount_role);
    if (money) Money(s, m, a.mark, &ok, &value, &excluded, &money_mark, &fx_base);
  }
  const std::string okn = s.Metric(fmt::format("CASE WHEN {} THEN 1 ELSE 0 END", ok));
  std::vector<std::pair<int, std::string>> ex_cols;
  // In the engine's order of the reasons.
  std::stable_sort(excluded.begin(), excluded.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [e, cond] : excluded) {
    ex_cols.emplace_back(e, s.Metric(fmt::format("CASE WHEN {} THEN 1 ELSE 0 END", cond)));
  }
  const std::string num_col = numerator_sum.empty() ? "" : s.Metric(numerator_sum);
  // The currency marks of the column over the source's rows (the engine's are per column).
  // One flag per code over the source's rows (a one-row table joined on), so that no dialect needs
  // a scalar subquery or a DISTINCT aggregate; the codes in byte order, joined by '+'.
  std::string marks_all;  // the one-row column of the codes, over the source's rows
  if (!money_mark.empty()) {
    std::vector<std::string> present;
    for (const char* code : {"EUR", "GBP", "JPY", "USD"}) {
      present.push_back(fmt::format("CASE WHEN MAX(CASE WHEN {} = '{}' THEN 1 ELSE 0 END) = 1 THEN '{}' END",
                                    money_mark, code, code));
    }
    marks_all = s.Overall(fmt::format("NULLIF({}, '')", sql.JoinSkippingNull("+", present)));
  }

  // The groupings: the total, the period alone, each `by` (with the period).
  struct Grouping {
    std::vector<std::string> names;  // key names (period last)
    std::vector<std::string> exprs;
    std::string start, end;          // the period's bounds, when grouped by period
  };
  std::vector<Grouping> groupings(1);
  PeriodCols period;
  if (m.period != Period::kNone) {
    int c = -1;
    if (TrimSpace(m.period_of).empty()) {
      c = schema.roles()[Role::kClosed];
      if (c < 0) {
        throw Error(ExitCode::kUsage,
                    fmt::format("metric '{}': period needs a date column: set period_of (no "
                                "'closed' role: {})",
                                m.id, schema.Describe()),
                    m.period_loc.line > 0 ? m.period_loc : m.loc);
      }
    } else {
      c = resolve(m.period_of, "period_of");
    }
    period = s.PeriodOf(m.period, c);
    groupings.push_back({{"period"}, {period.label}, period.start, period.end});
  }
  for (std::size_t i = 0; i < m.by.size(); ++i) {
    Grouping g;
    g.names = m.ByNames(i);
    for (const std::string& name : m.by[i]) g.exprs.push_back(s.GroupKey(resolve(name, "by")));
    if (m.period != Period::kNone) {
      g.names.push_back("period");
      g.exprs.push_back(period.label);
      g.start = period.start;
      g.end = period.end;
    }
    groupings.push_back(std::move(g));
  }

  std::vector<std::string> selects;
  for (const Grouping& g : groupings) {
    std::string group_by;
    for (const std::string& k : g.names) group_by += (group_by.empty() ? "" : "+") + k;
    // Every aggregate of this metric is a column of the grouping's CTE, shared with the other
    // metrics of the source grouped alike (one scan of the rows per grouping).
    auto A = [&](const std::string& x) { return s.Aggregate(g.exprs, x); };
    std::string distinct_value = value;
    const bool quantile = !missing && (agg == Aggregation::kMedian || agg == Aggregation::kPercentile);
    const double p = agg == Aggregation::kMedian ? 0.5 : m.percentile;
    std::string q;  // the type-7 quantile of the group's values, a DOUBLE
    std::string keys;  // the group keys, each followed by ", "
    for (const std::string& e : g.exprs) keys += e + ", ";
    if (quantile) {
      // Type 7 from the values' ranks, in every dialect (Trino has no exact quantile aggregate,
      // BigQuery's PERCENTILE_CONT is analytic only; one method is one thing to test): each
      // value's position among the group's values (0-based) and their count, h = p (n − 1), the
      // value at ⌊h⌋ plus (h − ⌊h⌋) times the step to the next one.
      const std::string absent = s.Metric(fmt::format("CASE WHEN {} IS NULL THEN 1 ELSE 0 END", value));
      const std::string rank = s.Window(g.exprs, sql.RowNumber(keys + absent, value) + " - 1");
      const std::string count = s.Window(
          g.exprs, fmt::format("COUNT({}) OVER ({})", value,
                               g.exprs.empty() ? std::string() : "PARTITION BY " + keys.substr(0, keys.size() - 2)));
      const std::string dbl = sql.DoubleType();
      const std::string h = fmt::format("({} * ({} - 1))", p, count);
      const std::string at_lo = A(fmt::format("MAX(CASE WHEN {} = FLOOR({}) THEN {} END)", rank, h, sql.Cast(value, dbl)));
      const std::string at_hi = A(fmt::format("MAX(CASE WHEN {} = FLOOR({}) + 1 THEN {} END)", rank, h, sql.Cast(value, dbl)));
      q = fmt::format("({0} + {1} * (COALESCE({2}, {0}) - {0}))", at_lo, A(fmt::format("MAX({0} - FLOOR({0}))", h)), at_hi);
    }
    if (agg == Aggregation::kCountDistinct && m.having && !missing) {
      // having: a key counts when its rows in the group satisfy it.
      const std::string key_rows = s.Window(g.exprs, fmt::format("COUNT({0}) OVER (PARTITION BY {1}{0})", value, keys));
      static constexpr const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
      distinct_value = fmt::format("CASE WHEN {} {} {} THEN {} END", key_rows,
                                   kOps[static_cast<int>(m.having->op)], m.having->count, value);
    }
    const std::string null_text = sql.Cast("NULL", text);
    std::string v, numerator = null_text, denominator = null_text, reason = null_text;
    std::string km_join, km_n, km_censored_text = null_text;  // km_median's
    const std::string nn = fmt::format("COALESCE({}, 0)", A("SUM(" + okn + ")"));
    auto empty_when_none = [&](const std::string& x) {
      return fmt::format("CASE WHEN {} > 0 THEN {} END", nn, x);
    };
    const std::string dbl = sql.DoubleType();
    if (missing) {
      v = null_text;
      reason = "'MISSING_COLUMN'";
    } else {
      switch (agg) {
        case Aggregation::kCount:
          v = as_text(nn);
          break;
        case Aggregation::kCountDistinct:
          v = as_text(A(sql.CountDistinct(distinct_value)));
          break;
        case Aggregation::kSla:
        case Aggregation::kReached: {
          const std::string yes = fmt::format("COALESCE({}, 0)", A("SUM(" + num_col + ")"));
          numerator = as_text(yes);
          denominator = as_text(nn);
          v = empty_when_none(sql.DoubleText(fmt::format("{} / {}", sql.Cast(yes, dbl), sql.Cast(nn, dbl))));
          reason = fmt::format("CASE WHEN {} = 0 THEN '{}' END", nn,
                               agg == Aggregation::kSla ? "EMPTY" : "ZERO_DENOMINATOR");
          break;
        }
        case Aggregation::kSum: {
          const std::string sum = fmt::format("COALESCE({}, 0)", A("SUM(" + value + ")"));
          v = out == Out::kExact ? as_text(sum) : sql.DoubleText(fmt::format("{} / {}", sql.Cast(sum, dbl), unit));
          break;
        }
        case Aggregation::kAvg: {
          const std::string sum = fmt::format("COALESCE({}, 0)", A("SUM(" + value + ")"));
          numerator = out == Out::kExact ? as_text(sum)
                                         : sql.DoubleText(fmt::format("{} / {}", sql.Cast(sum, dbl), unit));
          denominator = as_text(nn);
          v = empty_when_none(sql.DoubleText(
              fmt::format("{} / {} / {}", sql.Cast(sum, dbl), sql.Cast(nn, dbl), out == Out::kExact ? 1 : unit)));
          reason = fmt::format("CASE WHEN {} = 0 THEN 'EMPTY' END", nn);
          break;
        }
        case Aggregation::kMin:
        case Aggregation::kMax: {
          const std::string x = A(fmt::format("{}({})", agg == Aggregation::kMin ? "MIN" : "MAX", value));
          v = empty_when_none(out == Out::kExact ? as_text(x)
                                                 : sql.DoubleText(fmt::format("{} / {}", sql.Cast(x, dbl), unit)));
          reason = fmt::format("CASE WHEN {} = 0 THEN 'EMPTY' END", nn);
          break;
        }
        case Aggregation::kMedian:
        case Aggregation::kPercentile: {
          v = empty_when_none(sql.DoubleText(out == Out::kExact ? q : fmt::format("{} / {}", q, unit)));
          reason = fmt::format("CASE WHEN {} = 0 THEN 'EMPTY' END", nn);
          break;
        }
        case Aggregation::kKmMedian: {
          // The Kaplan–Meier median of the group's observations (a CTE of its own, joined on the
          // group's keys), in the duration's unit.
          km_join = KmJoin(s, g.exprs, okn, km_time, km_event);
          const std::string censored_n = fmt::format("COALESCE({}, 0)", A("SUM(" + km_censored + ")"));
          // The data's as-of is a column of the rows: its value in the group.
          const bool literal = km_as_of.find_first_not_of("0123456789-") == std::string::npos || km_as_of == "NULL";
          const std::string no_as_of = fmt::format("{} IS NULL AND COALESCE({}, 0) > 0",
                                                   literal ? km_as_of : A("MAX(" + km_as_of + ")"),
                                                   A("SUM(" + km_unknown + ")"));
          v = fmt::format("CASE WHEN {} > 0 AND crmkpi_km.median_secs IS NOT NULL THEN {} END", nn,
                          sql.DoubleText(fmt::format("{} / {}", sql.Cast("crmkpi_km.median_secs", dbl), unit)));
          reason = fmt::format("CASE WHEN {} THEN 'NO_AS_OF' WHEN {} = 0 THEN 'EMPTY' WHEN crmkpi_km.median_secs IS NULL "
                               "THEN 'ALL_CENSORED' END",
                               no_as_of, nn);
          km_n = fmt::format("CASE WHEN {} THEN '0' ELSE {} END", no_as_of, as_text(nn));
          km_censored_text = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", no_as_of, as_text(censored_n));
          break;
        }
        default:
          NotCompiled(sql, m, "this aggregation is not compiled to SQL");
      }
    }
    // Money: its marks' currency, or n/a when they mix currencies.
    std::string currency = null_text;
    if (!fx_base.empty()) currency = sql.Str(fx_base);
    if (!marks_all.empty()) {
      const std::string marks = A("MIN(" + marks_all + ")");
      const std::string mixed = fmt::format("{} LIKE '%+%'", marks);
      currency = marks;
      v = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", mixed, v);
      numerator = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", mixed, numerator);
      denominator = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", mixed, denominator);
      reason = fmt::format("CASE WHEN {} THEN 'MIXED_CURRENCIES' ELSE {} END", mixed, reason);
    }
    std::vector<std::string> parts;
    for (const auto& [e, col] : ex_cols) {
      const std::string count = fmt::format("COALESCE({}, 0)", A("SUM(" + col + ")"));
      parts.push_back(ExcludedPart(sql, ExName(e, value_role, from_role, to_role), count));
    }
    const std::string ex = parts.empty() ? null_text : fmt::format("NULLIF({}, '')", sql.JoinSkippingNull(";", parts));
    std::vector<std::string> values = {sql.Str(m.id), sql.Str(group_by)};
    for (const std::string& key : columns.keys) {
      const auto at = std::find(g.names.begin(), g.names.end(), key);
      values.push_back(at == g.names.end() ? null_text
                                           : s.Key(g.exprs, static_cast<std::size_t>(at - g.names.begin())));
    }
    values.push_back(g.start.empty() ? null_text : A("MIN(" + g.start + ")"));
    values.push_back(g.end.empty() ? null_text : A("MIN(" + g.end + ")"));
    // An optional metric without its column: n is 0 in each group.
    const std::string n_text = missing ? std::string("'0'") : !km_n.empty() ? km_n : as_text(nn);
    for (const std::string& x : {v, numerator, denominator, n_text, km_censored_text, reason, currency, ex}) {
      values.push_back(x);
    }
    std::string select = LongRow(sql, columns, values);
    select += "\n  FROM " + s.Grouping(g.exprs) + km_join;
    selects.push_back(std::move(select));
  }
  return selects;
}

}  // namespace crmkpi::sql_detail
