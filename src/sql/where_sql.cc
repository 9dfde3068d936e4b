// A where text (definition/where.h) as a SQL condition (where_sql.h) of a source's rows: the same comparison
// kinds, decided from the literals as Where::Bind decides them, and the same rule that a missing
// or unreadable value satisfies nothing but `is empty` — every leaf is TRUE or FALSE, never
// NULL, so that NOT and OR keep the engine's meaning.
#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/values/amount.h"

#include "source_sql.h"
#include "where_sql.h"

namespace crmkpi::sql_detail {

const char* OpText(WhereOp op) {
  switch (op) {
    case WhereOp::kEq: return "=";
    case WhereOp::kNe: return "<>";
    case WhereOp::kLt: return "<";
    case WhereOp::kLe: return "<=";
    case WhereOp::kGt: return ">";
    case WhereOp::kGe: return ">=";
  }
  return "=";
}

namespace {

using Node = WhereExpr::Node;
using Literal = WhereExpr::Literal;


// An amount in units as an exact decimal literal.
std::string UnitsText(std::int64_t units) {
  const bool neg = units < 0;
  const std::uint64_t u = neg ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  return fmt::format("{}{}.{:04}", neg ? "-" : "", u / 10000, u % 10000);
}

int Operand(const SourceSql& s, const WhereExpr& expr, const std::string& name, std::size_t at,
            const std::string& what) {
  const int c = s.Resolve(name);
  if (c < 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("unknown column '{}' in {} ({})", name, what, s.schema().Describe()),
                expr.LocAt(at));
  }
  return c;
}

std::string Condition(SourceSql& s, const WhereExpr& expr, const Node& n, const std::string& what);

std::string WhereNode(SourceSql& s, const WhereExpr& expr, int node, const std::string& what) {
  const Node& n = expr.nodes()[static_cast<std::size_t>(node)];
  switch (n.kind) {
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      std::string out = "(";
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out += n.kind == Node::Kind::kAnd ? " AND " : " OR ";
        out += WhereNode(s, expr, n.children[i], what);
      }
      return out + ")";
    }
    case Node::Kind::kNot:
      return "(NOT " + WhereNode(s, expr, n.children[0], what) + ")";
    default:
      return "COALESCE(" + Condition(s, expr, n, what) + ", FALSE)";
  }
}

std::string Condition(SourceSql& s, const WhereExpr& expr, const Node& n, const std::string& what) {
  const Sql& sql = s.sql();
  const SourceDef& def = s.def();
  const std::string tz = s.tz();
  if (n.kind == Node::Kind::kStageIs || n.kind == Node::Kind::kStageReached) {
    if (s.schema().roles()[Role::kStage] < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("'stage' in {} needs a stage column ({})", what, s.schema().Describe()),
                  expr.LocAt(n.operand_at));
    }
    const std::string cls = s.StageClass();
    if (n.kind == Node::Kind::kStageIs) {
      std::string holds;
      if (n.stage_class == "closed") holds = fmt::format("{} IN ('won', 'lost')", cls);
      else holds = fmt::format("{} = {}", cls, sql.Str(n.stage_class));
      return n.negated ? "NOT (" + holds + ")" : holds;
    }
    const std::string wanted = StageRules::Normalize(n.values[0].text);
    int index = -1;
    for (std::size_t i = 0; i < def.stages.order.size(); ++i) {
      if (StageRules::Normalize(def.stages.order[i]) == wanted) index = static_cast<int>(i);
    }
    if (index < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("stage '{}' in {} is not in the stages of source '{}'",
                              n.values[0].text, what, def.id),
                  expr.LocAt(n.values[0].at));
    }
    const std::string lost = def.stages.lost_reached == LostReached::kOpportunity ? "TRUE" : "FALSE";
    return fmt::format("CASE WHEN {0} = 'won' THEN TRUE WHEN {0} = 'lost' THEN {1} ELSE "
                       "COALESCE({2} >= {3}, FALSE) END",
                       cls, lost, s.StageOrder(), index);
  }
  const int column = Operand(s, expr, n.operand, n.operand_at, what);
  const std::string t = s.Text(column);
  if (n.kind == Node::Kind::kIsEmpty) {
    return fmt::format("{} IS {}NULL", t, n.negated ? "NOT " : "");
  }
  if (!n.operand2.empty()) {
    // TO − FROM in seconds: whole calendar days when one end is a date and the other has a time.
    const int from = Operand(s, expr, n.operand2, n.operand2_at, what);
    const ParsedDate to_d = s.Date(column), from_d = s.Date(from);
    const std::string diff = fmt::format(
        "CASE WHEN {0} <> {1} THEN ({2} - {3}) * 86400 ELSE {4} - {5} END", to_d.has_time,
        from_d.has_time, to_d.day, from_d.day, to_d.instant, from_d.instant);
    std::vector<std::int64_t> keys;
    for (const Literal& v : n.values) {
      keys.push_back(static_cast<std::int64_t>(std::llround(ParseDurationSeconds(v.text).value_or(0.0))));
    }
    std::string test;
    if (n.kind == Node::Kind::kBetween) {
      test = fmt::format("{}({} BETWEEN {} AND {})", n.negated ? "NOT " : "", diff, keys[0], keys[1]);
    } else {
      test = fmt::format("{} {} {}", diff, OpText(n.op), keys[0]);
    }
    return fmt::format("CASE WHEN {} = 0 AND {} = 0 AND ({}) >= 0 THEN {} ELSE FALSE END",
                       to_d.status, from_d.status, diff, test);
  }
  if (n.kind == Node::Kind::kCompare && n.values.size() == 1) {
    const Literal& v = n.values[0];
    const bool ordering = n.op == WhereOp::kLt || n.op == WhereOp::kLe || n.op == WhereOp::kGt ||
                          n.op == WhereOp::kGe;
    int other = -1;
    if (v.kind == Literal::Kind::kColumn) other = Operand(s, expr, v.text, v.at, what);
    else if (v.kind == Literal::Kind::kWord && ordering) other = s.Resolve(v.text);
    if (other >= 0) {
      // Decided per row: numbers when both are amounts, else dates (days when either is
      // date-only), else text when neither is a number or a date; mixed kinds: false.
      const ParsedAmount a = s.Amount(column), b = s.Amount(other);
      const ParsedDate da = s.Date(column), db = s.Date(other);
      const std::string t2 = s.Text(other);
      const char* op = OpText(n.op);
      return fmt::format(
          "CASE WHEN {0} IS NULL OR {1} IS NULL THEN FALSE WHEN {2} = 0 AND {3} = 0 THEN {4} {5} "
          "{6} WHEN {7} = 0 AND {8} = 0 THEN CASE WHEN {9} = 0 OR {10} = 0 THEN {11} {5} {12} ELSE "
          "{13} {5} {14} END WHEN {2} <> 0 AND {3} <> 0 AND {7} <> 0 AND {8} <> 0 THEN {15} {5} {16} "
          "ELSE FALSE END",
          t, t2, a.status, b.status, a.value, op, b.value, da.status, db.status, da.has_time,
          db.has_time, da.day, db.day, da.instant, db.instant, sql.Bytes(t), sql.Bytes(t2));
    }
  }
  // The comparison kind from the literals: all numbers, all dates, else text.
  const DateParser literal_dates({}, tz);
  bool numbers = true, dates = true, with_time = false;
  std::vector<std::string> keys;
  std::vector<Seconds> instants;
  for (const Literal& v : n.values) {
    numbers = numbers && v.kind == Literal::Kind::kNumber;
    Seconds at = 0;
    const bool is_date = (v.kind == Literal::Kind::kDate || v.kind == Literal::Kind::kQuoted) &&
                         literal_dates.Parse(v.text, &at) == ParseStatus::kOk;
    dates = dates && is_date;
    if (is_date && v.kind == Literal::Kind::kQuoted && v.text.find(':') != std::string::npos) {
      with_time = true;
    }
    instants.push_back(at);
  }
  std::string x, ok;
  if (numbers) {
    const ParsedAmount a = s.Amount(column);
    x = a.value;
    ok = a.status + " = 0";
    for (const Literal& v : n.values) {
      std::int64_t units = 0;
      if (ParseAmount(v.text, &units) != ParseStatus::kOk) {
        throw Error(ExitCode::kUsage, fmt::format("number '{}' is out of range", v.text),
                    expr.LocAt(v.at));
      }
      keys.push_back(UnitsText(units));
    }
  } else if (dates) {
    const ParsedDate d = s.Date(column);
    x = with_time ? d.instant : d.day;
    ok = d.status + " = 0";
    for (Seconds at : instants) {
      keys.push_back(std::to_string(
          with_time ? at : date::sys_days(literal_dates.LocalDate(at)).time_since_epoch().count()));
    }
  } else {
    x = sql.Bytes(t);
    ok = t + " IS NOT NULL";
    for (const Literal& v : n.values) keys.push_back(sql.Str(TrimSpace(v.text)));
  }
  std::string test;
  switch (n.kind) {
    case Node::Kind::kIn: {
      std::string list;
      for (const std::string& k : keys) list += (list.empty() ? "" : ", ") + k;
      test = fmt::format("{} {}IN ({})", x, n.negated ? "NOT " : "", list);
      break;
    }
    case Node::Kind::kBetween:
      test = fmt::format("{}({} BETWEEN {} AND {})", n.negated ? "NOT " : "", x, keys[0], keys[1]);
      break;
    default:
      test = fmt::format("{} {} {}", x, OpText(n.op), keys[0]);
      break;
  }
  // An empty text literal matches nothing: a missing value is not a value.
  if (!numbers && !dates) {
    for (const Literal& v : n.values) {
      if (TrimSpace(v.text).empty() && n.kind != Node::Kind::kIn) return "FALSE";
    }
  }
  return fmt::format("CASE WHEN {} THEN {} ELSE FALSE END", ok, test);
}

}  // namespace

std::string WhereSql(SourceSql& s, const WhereExpr& expr, const std::string& what) {
  return WhereNode(s, expr, expr.root(), what);
}

}  // namespace crmkpi::sql_detail
