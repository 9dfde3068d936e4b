// Binding a parsed where to a source: the columns a row offers (RowSchema: header, lookup and
// role names) and Where::Bind, which resolves operands and prepares each condition's test.
#include "crmkpi/definition/where.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/date_time.h"
#include "where_bind.h"
#include "where_parser.h"

namespace crmkpi {

using where_internal::AsciiLower;
using where_internal::Bit;

namespace {

using Node = WhereExpr::Node;
using NodeKind = WhereExpr::Node::Kind;
using Literal = WhereExpr::Literal;

}  // namespace

// ---------------------------------------------------------------------------------------------
// RowSchema

RowSchema::RowSchema(std::vector<std::string> header, RoleBinding roles)
    : header_(std::move(header)), roles_(roles), names_(header_) {}

int RowSchema::AddLookup(std::string_view id, const std::vector<std::string>& columns) {
  Lookup l;
  l.id = std::string(id);
  l.columns = columns;
  l.first = static_cast<int>(names_.size());
  for (const std::string& c : columns) names_.push_back(l.id + "." + c);
  lookups_.push_back(std::move(l));
  return lookups_.back().first;
}

int RowSchema::Resolve(std::string_view name) const {
  // 0. A role mapped explicitly (map.ROLE, --map): the column it was given, even when another
  //    column has the role's name (`--map amount="Amount USD"` beside a column "amount").
  if (const auto role = ParseRole(AsciiLower(name));
      role && roles_.has(*role) &&
      roles_.source[static_cast<int>(*role)] == BindingSource::kMapped) {
    return roles_[*role];
  }
  // 1. The exact header name (two of them: Error(kUsage), the name is ambiguous).
  if (const int exact = FindExactColumn(header_, name); exact >= 0) return exact;
  // 2. LOOKUP.COLUMN, when the part before the dot is a lookup id. Before the insensitive header
  //    match, whose normal form drops the dot: "region.code" must not become "region_code".
  for (const Lookup& l : lookups_) {
    if (name.size() > l.id.size() + 1 && name.substr(0, l.id.size()) == l.id &&
        name[l.id.size()] == '.') {
      const int c = FindColumn(l.columns, name.substr(l.id.size() + 1));
      if (c >= 0) return l.first + c;
    }
  }
  // 3. The case/space-insensitive header match; 4. a role name.
  const int col = FindColumn(header_, name);
  if (col >= 0) return col;
  if (const auto role = ParseRole(AsciiLower(name)); role && roles_.has(*role)) {
    return roles_[*role];
  }
  return -1;
}

std::string RowSchema::Describe() const {
  std::string roles;
  for (int r = 0; r < kRoleCount; ++r) {
    if (roles_.column[r] < 0) continue;
    if (!roles.empty()) roles += ", ";
    roles += RoleName(static_cast<Role>(r));
  }
  std::string out = fmt::format("the header has {}; roles: {}", QuoteHeaders(header_),
                                roles.empty() ? "none" : roles);
  if (!lookups_.empty()) {
    out += "; lookup columns: ";
    for (std::size_t i = header_.size(); i < names_.size(); ++i) {
      if (i > header_.size()) out += ", ";
      out += names_[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Where

Where Where::Bind(const WhereExpr& expr, const RowSchema& schema, const StageRules& rules,
                  const std::string& tz, std::string_view what) {
  Where w;
  w.text_ = expr.text();
  if (expr.empty()) return w;
  const DateParser literal_dates(std::string(), tz);
  w.root_ = w.BindNode(expr, expr.root(), schema, rules, literal_dates, what);
  w.single_ = w.nodes_.size() == 1;
  const BoundNode& root = w.nodes_[static_cast<std::size_t>(w.root_)];
  if (root.kind == NodeKind::kAnd) {
    // Children are bound in order, so an 'and' of conditions has conds_ in its order.
    bool flat = static_cast<std::size_t>(root.count) == w.conds_.size();
    for (int i = 0; flat && i < root.count; ++i) {
      const BoundNode& kid = w.nodes_[static_cast<std::size_t>(w.children_[static_cast<std::size_t>(root.first + i)])];
      flat = kid.kind != NodeKind::kAnd && kid.kind != NodeKind::kOr &&
             kid.kind != NodeKind::kNot && kid.first == i;
    }
    w.flat_and_ = flat;
  }
  return w;
}

Where Where::Compile(std::string_view text, const SourceLoc& loc, const RowSchema& schema,
                     const StageRules& rules, const std::string& tz, std::string_view what) {
  return Bind(WhereExpr::Parse(text, loc), schema, rules, tz, what);
}

// The column |name| (at byte |at| of the text) names, or an Error(kUsage) there; a name that
// matches nothing is an error when |required|, else -1 (a bare word that may be text).
int Where::ResolveOperand(const WhereExpr& expr, const RowSchema& schema, const std::string& name,
                          std::size_t at, std::string_view what, bool required) {
  int column = -1;
  try {
    column = schema.Resolve(name);
  } catch (const Error& e) {  // a duplicate header name: at the operand that names it
    // "column name 'X' is ambiguous: ..." → "column name 'X' in WHAT is ambiguous: ..."
    std::string message = e.message();
    const std::string named = fmt::format("column name '{}'", name);
    if (message.rfind(named, 0) == 0) {
      message.insert(named.size(), fmt::format(" in {}", what));
    }
    throw Error(e.code(), message, expr.LocAt(at));
  }
  if (column < 0 && required) {
    throw Error(ExitCode::kUsage,
                fmt::format("unknown column '{}' in {} ({})", name, what, schema.Describe()),
                expr.LocAt(at));
  }
  return column;
}

int Where::BindNode(const WhereExpr& expr, int index, const RowSchema& schema,
                    const StageRules& rules, const DateParser& literal_dates,
                    std::string_view what) {
  const Node& n = expr.nodes()[static_cast<std::size_t>(index)];
  BoundNode b;
  b.kind = n.kind;
  if (n.kind == NodeKind::kAnd || n.kind == NodeKind::kOr || n.kind == NodeKind::kNot) {
    std::vector<int> kids;
    for (int c : n.children) kids.push_back(BindNode(expr, c, schema, rules, literal_dates, what));
    b.first = static_cast<int>(children_.size());
    b.count = static_cast<int>(kids.size());
    children_.insert(children_.end(), kids.begin(), kids.end());
    nodes_.push_back(b);
    return static_cast<int>(nodes_.size() - 1);
  }

  // A leaf: its one condition, and the node pointing at it.
  auto leaf = [&](Cond cond) {
    b.first = static_cast<int>(conds_.size());
    b.count = 1;
    conds_.push_back(std::move(cond));
    nodes_.push_back(b);
    return static_cast<int>(nodes_.size() - 1);
  };
  Cond c;
  c.kind = n.kind;
  c.negated = n.negated;
  c.op = n.op;
  if (n.kind == NodeKind::kStageIs || n.kind == NodeKind::kStageReached) {
    c.column = schema.roles()[Role::kStage];
    if (c.column < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("unknown column 'stage' in {}: 'stage {}' needs the stage column "
                              "({})",
                              what, n.kind == NodeKind::kStageIs ? "is" : "reached",
                              schema.Describe()),
                  expr.LocAt(n.operand_at));
    }
    if (n.kind == NodeKind::kStageIs) {
      if (n.stage_class == "won") c.stage_mask = Bit(StageClass::kWon);
      if (n.stage_class == "lost") c.stage_mask = Bit(StageClass::kLost);
      if (n.stage_class == "open") c.stage_mask = Bit(StageClass::kOpen);
      if (n.stage_class == "closed") {
        c.stage_mask = static_cast<std::uint8_t>(Bit(StageClass::kWon) | Bit(StageClass::kLost));
      }
    } else {
      const StageConfig& config = rules.config();
      if (config.order.empty()) {
        throw Error(ExitCode::kUsage,
                    fmt::format("'stage reached' in {} needs the source's stage order (the "
                                "pipeline stages, first to last)",
                                what),
                    expr.LocAt(n.operand_at));
      }
      const std::string want = StageRules::Normalize(n.values[0].text);
      c.reached_index = -1;
      for (std::size_t i = 0; i < config.order.size(); ++i) {
        if (StageRules::Normalize(config.order[i]) == want) c.reached_index = static_cast<int>(i);
      }
      if (c.reached_index < 0) {
        std::string order;
        for (const std::string& s : config.order) order += (order.empty() ? "" : ", ") + s;
        throw Error(ExitCode::kUsage,
                    fmt::format("stage '{}' in {} is not in the stage order ({})",
                                n.values[0].text, what, order),
                    expr.LocAt(n.values[0].at));
      }
      c.lost_reached = config.lost_reached == LostReached::kOpportunity;
    }
  } else {
    c.column = ResolveOperand(expr, schema, n.operand, n.operand_at, what, true);
  }

  // A duration literal bounds a difference of two dates; a `backticked` value is a column.
  for (const Literal& v : n.values) {
    if (v.kind == Literal::Kind::kDuration && n.operand2.empty()) {
      throw Error(ExitCode::kUsage,
                  fmt::format("a duration ('{}') bounds the difference of two date columns "
                              "in {}: write {} - FROM {} {} (closed - created < 1d)",
                              v.text, what, n.operand,
                              n.kind == NodeKind::kBetween ? "between" : "<", v.text),
                  expr.LocAt(v.at));
    }
    if (v.kind == Literal::Kind::kColumn && n.kind != NodeKind::kCompare) {
      throw Error(ExitCode::kUsage,
                  fmt::format("`{}` in {} is a column: compare two columns with =, !=, <, <=, "
                              ">, >= ({} >= `{}`), not in a list or a range; quote text values "
                              "in 'single quotes'",
                              v.text, what, n.operand, v.text),
                  expr.LocAt(v.at));
    }
  }
  if (!n.operand2.empty()) {
    // TO − FROM against durations, in seconds (TestDifference).
    c.column2 = ResolveOperand(expr, schema, n.operand2, n.operand2_at, what, true);
    c.value_kind = ValueKind::kDuration;
    std::vector<std::int64_t> keys;
    for (const Literal& v : n.values) {
      const double seconds = ParseDurationSeconds(v.text).value_or(0.0);
      if (!(seconds < 9.0e18)) {
        throw Error(ExitCode::kUsage, fmt::format("duration '{}' is out of range", v.text),
                    expr.LocAt(v.at));
      }
      keys.push_back(static_cast<std::int64_t>(std::llround(seconds)));
    }
    c.lo = keys[0];
    if (keys.size() > 1) c.hi = keys[1];
    c.check = Check::kOther;
    return leaf(std::move(c));
  }
  if (n.kind == NodeKind::kCompare && n.values.size() == 1) {
    // Another column: `backticked`, or with an ordering a bare word that names one (with = and
    // != a bare word stays text: `source = Email` beside an Email column).
    const Literal& v = n.values[0];
    const bool ordering = n.op == WhereOp::kLt || n.op == WhereOp::kLe ||
                          n.op == WhereOp::kGt || n.op == WhereOp::kGe;
    int other = -1;
    if (v.kind == Literal::Kind::kColumn) {
      other = ResolveOperand(expr, schema, v.text, v.at, what, true);
    } else if (v.kind == Literal::Kind::kWord && ordering) {
      other = ResolveOperand(expr, schema, v.text, v.at, what, false);
    }
    if (other >= 0) {
      c.column2 = other;
      c.value_kind = ValueKind::kColumns;
      c.check = Check::kOther;
      return leaf(std::move(c));
    }
  }

  if (!n.values.empty() && n.kind != NodeKind::kStageReached) {
    // The comparison kind, from the literals: all numbers, all dates, else text.
    bool numbers = true, dates = true, with_time = false;
    std::vector<Seconds> instants;
    for (const Literal& v : n.values) {
      numbers = numbers && v.kind == Literal::Kind::kNumber;
      Seconds t = 0;
      const bool is_date =
          (v.kind == Literal::Kind::kDate || v.kind == Literal::Kind::kQuoted) &&
          literal_dates.Parse(v.text, &t) == ParseStatus::kOk;
      dates = dates && is_date;
      if (is_date && v.kind == Literal::Kind::kQuoted && v.text.find(':') != std::string::npos) {
        with_time = true;
      }
      instants.push_back(t);
    }
    std::vector<std::int64_t> keys;
    if (numbers) {
      c.value_kind = ValueKind::kNumber;
      for (const Literal& v : n.values) {
        std::int64_t units = 0;
        if (ParseAmount(v.text, &units) != ParseStatus::kOk) {
          throw Error(ExitCode::kUsage, fmt::format("number '{}' is out of range", v.text),
                      expr.LocAt(v.at));
        }
        keys.push_back(units);
      }
    } else if (dates) {
      c.value_kind = with_time ? ValueKind::kInstant : ValueKind::kDay;
      for (Seconds t : instants) {
        keys.push_back(with_time ? t
                                 : date::sys_days(literal_dates.LocalDate(t))
                                       .time_since_epoch()
                                       .count());
      }
    } else {
      c.value_kind = ValueKind::kText;
    }
    if (c.value_kind == ValueKind::kText) {
      std::vector<std::string> texts;
      for (const Literal& v : n.values) texts.emplace_back(TrimSpace(v.text));
      if (n.kind == NodeKind::kIn) {
        std::sort(texts.begin(), texts.end());
        c.text_set = std::move(texts);
      } else {
        c.text_lo = texts[0];
        if (texts.size() > 1) c.text_hi = texts[1];
      }
    } else if (n.kind == NodeKind::kIn) {
      std::sort(keys.begin(), keys.end());
      c.set = std::move(keys);
    } else {
      c.lo = keys[0];
      if (keys.size() > 1) c.hi = keys[1];
    }
  }

  if (n.kind == NodeKind::kStageIs) {
    c.check = Check::kStageClass;
  } else if (n.kind == NodeKind::kStageReached) {
    c.check = Check::kStageReached;
  } else if (n.kind == NodeKind::kIsEmpty) {
    c.check = Check::kIsEmpty;
  } else if (c.value_kind != ValueKind::kText &&
             (n.kind == NodeKind::kCompare || n.kind == NodeKind::kBetween)) {
    // Every comparison of a number or date is a range test: x in [range_lo, range_hi],
    // negated for != and not between.
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    c.check = c.value_kind == ValueKind::kNumber ? Check::kAmountRange
              : c.value_kind == ValueKind::kDay  ? Check::kDayRange
                                                 : Check::kInstantRange;
    c.range_lo = c.lo;
    c.range_hi = c.lo;
    if (n.kind == NodeKind::kBetween) {
      c.range_hi = c.hi;
      c.range_negated = c.negated;
    } else {
      switch (c.op) {
        case WhereOp::kEq:
          break;
        case WhereOp::kNe:
          c.range_negated = true;
          break;
        case WhereOp::kLt:  // x < lo: [min, lo - 1], empty when lo is the least value
          c.range_lo = c.lo == kMin ? kMax : kMin;
          c.range_hi = c.lo == kMin ? kMin : c.lo - 1;
          break;
        case WhereOp::kLe:
          c.range_lo = kMin;
          break;
        case WhereOp::kGt:
          c.range_lo = c.lo == kMax ? kMax : c.lo + 1;
          c.range_hi = c.lo == kMax ? kMin : kMax;
          break;
        case WhereOp::kGe:
          c.range_hi = kMax;
          break;
      }
    }
  } else if (c.value_kind == ValueKind::kText) {
    // An empty literal matches nothing (a missing value is not a value), which the byte
    // compares would not know: those stay with the general test.
    const auto non_empty = [](const std::string& t) { return !t.empty(); };
    if (n.kind == NodeKind::kCompare && c.op == WhereOp::kEq && non_empty(c.text_lo)) {
      c.check = Check::kTextEqual;
    } else if (n.kind == NodeKind::kIn && c.text_set.size() <= kMaxLinearIn &&
               std::all_of(c.text_set.begin(), c.text_set.end(), non_empty)) {
      c.check = Check::kTextIn;
    }
  }

  return leaf(std::move(c));
}

}  // namespace crmkpi
