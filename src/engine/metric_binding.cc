// Binding a [metric] to its source's columns: the value it observes (a stream, shared with
// the equal ones bound before), its where, its period and its groupings (each a table shared
// by the metrics with the same keys), checked with errors at the INI location.
#include "metric_binding.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/text.h"

#include "setting_errors.h"
#include "source_run.h"

namespace crmkpi::engine_detail {

// Resolves |name| or throws Error(kUsage) at |loc| naming it and listing the columns.
int SourceRun::Resolve(const MetricDef& m, const std::string& name, std::string_view in,
                       const SourceLoc& loc) const {
  const int c = schema_.Resolve(TrimSpace(name));
  if (c < 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("metric '{}': unknown column '{}' in {} ({} in {}: {})", m.id,
                            name, in, what_, reader_->name(), schema_.Describe()),
                Prefer(loc, m.loc));
  }
  return c;
}

void SourceRun::Fail(const MetricDef& m, const SourceLoc& loc, const std::string& message) {
  throw Error(ExitCode::kUsage, fmt::format("metric '{}': {}", m.id, message),
              Prefer(loc, m.loc));
}

void SourceRun::BindMetric(const MetricDef& def, std::size_t result_index) {
  MetricState m;
  m.def = &def;
  m.result_index = result_index;
  Stream st;  // what the metric observes, before it is matched with an equal stream
  const bool has_duration = !def.duration_from.empty() || !def.duration_to.empty();
  if (has_duration && (def.duration_from.empty() || def.duration_to.empty())) {
    Fail(def, def.column_loc, "a duration needs both ends: duration = FROM..TO");
  }
  if (has_duration && !def.columns.empty()) {
    Fail(def, def.column_loc, "give either a column or a duration, not both");
  }
  const bool has_expr = !TrimSpace(def.value).empty();
  if (has_expr && (has_duration || !def.columns.empty())) {
    Fail(def, def.value_loc, "give either a value or a column or duration, not both");
  }
  ValueExpr expr;
  if (has_expr) expr = ValueExpr::Parse(def.value, Prefer(def.value_loc, def.loc));
  if (def.optional) {
    // A column that is not there makes the metric n/a in every group: it is bound as a row
    // count (so its groupings exist) whose cells say MISSING_COLUMN (metric_cells.cc).
    std::vector<std::string> needed = def.columns;
    if (has_duration) needed.insert(needed.end(), {def.duration_from, def.duration_to});
    needed.insert(needed.end(), expr.names().begin(), expr.names().end());
    for (const std::string& c : needed) m.missing = m.missing || schema_.Resolve(TrimSpace(c)) < 0;
  }
  switch (m.missing ? Aggregation::kCount : def.aggregation) {
    case Aggregation::kCount:
      if (m.missing) {
        m.kind = ValueKind::kRows;
        break;
      }
      if (def.columns.size() > 1) Fail(def, def.column_loc, "count takes at most one column");
      if (has_expr) {
        Fail(def, def.value_loc, "value = … is for sum, avg, min, max, median and pNN");
      }
      m.kind = has_duration ? ValueKind::kDuration
                            : (def.columns.empty() ? ValueKind::kRows : ValueKind::kNonEmpty);
      break;
    case Aggregation::kCountDistinct:
      if (has_duration || has_expr || def.columns.empty()) {
        Fail(def, def.column_loc, "count_distinct needs a column (or columns joined by +)");
      }
      m.kind = ValueKind::kDistinct;
      break;
    case Aggregation::kKmMedian:
      if (!has_duration || has_expr) {
        Fail(def, def.column_loc, "km_median needs a duration = FROM..TO");
      }
      if (TrimSpace(def.censored).empty()) {
        Fail(def, def.censored_loc, "km_median needs censored = CONDITION");
      }
      m.kind = ValueKind::kKm;
      break;
    case Aggregation::kReached:
      if (has_duration || has_expr || !def.columns.empty()) {
        Fail(def, def.column_loc, "reached takes no column or duration");
      }
      if (schema_.roles()[Role::kStage] < 0) {
        Fail(def, def.loc,
             fmt::format("reached needs the stage column (no 'stage' role in {}: {})",
                         reader_->name(), schema_.Describe()));
      }
      m.kind = ValueKind::kReached;
      break;
    default:
      if (!has_duration && !has_expr && def.columns.size() != 1) {
        Fail(def, def.column_loc,
             "this aggregation needs one numeric column, a value = … or a duration = FROM..TO");
      }
      if (has_expr && def.aggregation == Aggregation::kSla) {
        Fail(def, def.value_loc, "value = … is for sum, avg, min, max, median and pNN");
      }
      m.kind = has_duration ? ValueKind::kDuration
                            : (has_expr ? ValueKind::kExpr : ValueKind::kAmount);
      break;
  }
  if (def.having && def.aggregation != Aggregation::kCountDistinct) {
    Fail(def, def.having_loc, "having is for type = count_distinct");
  }
  if (def.aggregation == Aggregation::kPercentile &&
      !(def.percentile >= 0.0 && def.percentile <= 1.0)) {
    Fail(def, def.loc, fmt::format("percentile {} is not between 0 and 1", def.percentile));
  }
  const bool keep_values =
      !m.missing &&
      (def.aggregation == Aggregation::kMedian || def.aggregation == Aggregation::kPercentile);
  st.kind = m.kind;
  if (m.kind == ValueKind::kNonEmpty || m.kind == ValueKind::kAmount) {
    st.column = Resolve(def, def.columns[0], "column", def.column_loc);
    m.value_role = RoleOf(st.column);
  }
  if (m.kind == ValueKind::kExpr) {
    // Equal texts share one expression (and so one slot per row).
    try {
      expr.Bind(schema_, "value");
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("metric '{}': {}", def.id, e.message()), e.loc());
    }
    const int amount = schema_.roles()[Role::kAmount];
    const std::vector<int>& cols = expr.columns();
    st.column = std::find(cols.begin(), cols.end(), amount) != cols.end() ? amount : cols.front();
    m.value_role = "";
    auto same_expr = std::find_if(exprs_.begin(), exprs_.end(), [&](const ValueExpr& x) {
      return x.ToString() == expr.ToString();
    });
    if (same_expr == exprs_.end()) same_expr = exprs_.insert(exprs_.end(), std::move(expr));
    st.expr = static_cast<int>(same_expr - exprs_.begin());
  }
  if (def.money && *def.money && m.kind != ValueKind::kAmount && m.kind != ValueKind::kExpr &&
      !m.missing) {
    Fail(def, def.loc, "money = true applies to sum, avg, min, max, median and pNN of a column");
  }
  m.money = !m.missing && IsMoney(def);
  if (m.kind == ValueKind::kAmount || m.kind == ValueKind::kExpr) m.value_column = st.column;
  // Without a currency column, a money amount is converted by its own mark ($, ¥, €, £).
  st.fx = m.money && !def_.fx.empty();
  if (m.kind == ValueKind::kDistinct) {
    for (const std::string& c : def.columns) {
      st.key_columns.push_back(Resolve(def, c, "column", def.column_loc));
      st.key_slots.push_back(InternSlot(st.key_columns.back()));
    }
  }
  if (m.kind == ValueKind::kReached) {
    // The stage to reach, as an index in the source's order (checked when the INI was loaded;
    // a model built in code gets the error here).
    const std::string& stage = def.stage.empty() ? def_.stages.opportunity_stage : def.stage;
    const std::string wanted = StageRules::Normalize(stage);
    const std::vector<std::string>& order = def_.stages.order;
    for (std::size_t i = 0; i < order.size() && !wanted.empty(); ++i) {
      if (StageRules::Normalize(order[i]) == wanted) {
        st.reach = static_cast<int>(i);
        break;
      }
    }
    if (st.reach < 0) {
      Fail(def, def.stage.empty() ? def.loc : def.stage_loc,
           stage.empty() ? std::string("reached needs a stage (stage = … or the source's "
                                       "opportunity_stage)")
                         : fmt::format("stage '{}' is not in the stages of source '{}'", stage,
                                       def_.id));
    }
    st.lost_reached = def_.stages.lost_reached;
  }
  if (m.kind == ValueKind::kDuration || m.kind == ValueKind::kKm) {
    DurationSlot d;
    d.from = Resolve(def, def.duration_from, "duration", def.column_loc);
    d.to = Resolve(def, def.duration_to, "duration", def.column_loc);
    m.from_role = RoleOf(d.from);
    m.to_role = RoleOf(d.to);
    m.unit_seconds = def.duration_unit == DurationUnit::kHours ? kSecondsPerHour
                                                               : kSecondsPerDay;
    auto it = std::find_if(durations_.begin(), durations_.end(), [&](const DurationSlot& s) {
      return s.from == d.from && s.to == d.to;
    });
    if (it == durations_.end()) it = durations_.insert(durations_.end(), d);
    st.duration = static_cast<int>(it - durations_.begin());
    st.sla = def.aggregation == Aggregation::kSla;
    if (st.sla) st.within_seconds = def.within_seconds;
  }

  // Metrics with the same where text share one evaluation per row; a km_median's censored
  // condition is one more where, decided per row (or per plan) like the others.
  auto where_index = [&](const std::string& text, const SourceLoc& loc, const char* key) {
    const std::string_view trimmed = TrimSpace(text);
    auto it = std::find_if(wheres_.begin(), wheres_.end(),
                           [&](const Where& w) { return TrimSpace(w.text()) == trimmed; });
    if (it == wheres_.end()) {
      wheres_.push_back(
          Where::Compile(text, Prefer(loc, def.loc), schema_, rules_, tz_, key));
      it = wheres_.end() - 1;
    }
    return static_cast<int>(it - wheres_.begin());
  };
  // An optional metric whose column is missing reads nothing: not even its where.
  if (!m.missing && !TrimSpace(def.where).empty()) {
    st.where = where_index(def.where, def.where_loc, "where");
  }
  if (m.kind == ValueKind::kKm) st.censor = where_index(def.censored, def.censored_loc, "censored");
  auto same = std::find_if(streams_.begin(), streams_.end(),
                           [&](const Stream& x) { return x.SameObservation(st); });
  if (same == streams_.end()) same = streams_.insert(streams_.end(), std::move(st));
  Stream& stream = *same;
  if (def.having && !m.missing) stream.counted = true;

  int period = -1;
  if (def.period != Period::kNone) {
    int column = -1;
    if (TrimSpace(def.period_of).empty()) {
      column = schema_.roles()[Role::kClosed];
      if (column < 0) {
        Fail(def, def.period_loc,
             fmt::format("period needs a date column: set period_of (no 'closed' role in "
                         "{}: {})",
                         reader_->name(), schema_.Describe()));
      }
    } else {
      column = Resolve(def, def.period_of, "period_of", def.period_loc);
    }
    auto it = std::find_if(periods_.begin(), periods_.end(), [&](const PeriodSlot& p) {
      return p.kind == def.period && p.column == column;
    });
    if (it == periods_.end()) {
      PeriodSlot p;
      p.kind = def.period;
      p.column = column;
      it = periods_.insert(periods_.end(), std::move(p));
    }
    period = static_cast<int>(it - periods_.begin());
  }

  auto attach = [&](std::vector<int> columns, std::vector<std::string> names, int p) -> Attached {
    if (p >= 0) names.push_back("period");
    const bool total = columns.empty() && p < 0;
    auto it = std::find_if(tables_.begin(), tables_.end(), [&](const GroupTable& t) {
      return t.total == total && t.columns == columns && t.period == p;
    });
    if (it == tables_.end()) {
      GroupTable t;
      t.columns = std::move(columns);
      for (int c : t.columns) {
        t.slots.push_back(InternSlot(c));
        Interned& in = interned_[static_cast<std::size_t>(t.slots.back())];
        if (!def_.exact_groups && !in.canonical) in.canonical = std::make_unique<CanonicalKeys>();
      }
      t.period = p;
      it = tables_.insert(tables_.end(), std::move(t));
    }
    Attached a;
    a.table = static_cast<int>(it - tables_.begin());
    // The stream's accumulator in this table, shared with the metrics bound before.
    auto target = std::find_if(stream.targets.begin(), stream.targets.end(),
                               [&](const Stream::Target& x) { return x.table == a.table; });
    if (target == stream.targets.end()) {
      const bool counter = stream.kind == ValueKind::kRows;
      target = stream.targets.insert(
          stream.targets.end(),
          {a.table, counter ? it->count_width++ : it->width++, false, counter, false});
    }
    target->keep_values = target->keep_values || keep_values;
    target->range = target->range || (!m.missing && (def.aggregation == Aggregation::kMin ||
                                                     def.aggregation == Aggregation::kMax));
    a.user = target->user;
    a.counter = target->counter;
    a.names = std::move(names);
    return a;
  };
  // Without rates, a money metric's every table again with the currency column last: which
  // currencies each group's amounts are in (metric_cells.cc, SplitCurrencies).
  const bool split = split_currency_ && m.money;
  auto target = [&](std::vector<int> columns, std::vector<std::string> names, int p) {
    if (split) {
      std::vector<int> with_currency = columns;
      with_currency.push_back(currency_column_);
      m.splits.push_back(attach(std::move(with_currency), {}, p));
    }
    m.targets.push_back(attach(std::move(columns), std::move(names), p));
  };
  target({}, {}, -1);  // the total
  if (period >= 0) target({}, {}, period);
  for (std::size_t i = 0; i < def.by.size(); ++i) {
    const std::vector<std::string>& spec = def.by[i];
    if (spec.empty()) Fail(def, def.by_loc, "an empty 'by' grouping");
    std::vector<int> columns;
    for (const std::string& name : spec) {
      columns.push_back(Resolve(def, name, "by", def.by_loc));
    }
    target(std::move(columns), def.ByNames(i), period);  // keyed by the `as` names
  }
  if (split_currency_) {
    m.by_currency = attach({currency_column_},
                           {schema_.name(currency_column_)}, -1);
  }
  metrics_.push_back(std::move(m));
}

std::string ExclusionName(const MetricState& m, int e) {
  std::string name = kExclusionNames[static_cast<std::size_t>(e)];
  auto swap = [&](std::string_view generic, const std::string& role) {
    if (role.empty()) return;
    std::string out, word;
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (i == name.size() || name[i] == '_') {
        out += word == generic ? role : word;
        if (i < name.size()) out += '_';
        word.clear();
      } else {
        word += name[i];
      }
    }
    name = out;
  };
  swap("value", m.value_role);
  swap("from", m.from_role);
  swap("to", m.to_role);
  return name;
}

bool SourceRun::IsMoney(const MetricDef& def) const {
  if (def.money) return *def.money;
  if (!AggregatesNumbers(def.aggregation)) return false;
  const int amount = schema_.roles()[Role::kAmount];
  if (amount >= 0 && !TrimSpace(def.value).empty()) {
    // value = …: money when it reads the amount role's column (amount * probability / 100).
    try {
      const ValueExpr expr = ValueExpr::Parse(def.value, def.value_loc);
      for (const std::string& name : expr.names()) {
        if (schema_.Resolve(TrimSpace(name)) == amount) return true;
      }
    } catch (const Error&) {  // BindMetric says what is wrong
    }
    return false;
  }
  if (amount < 0 || def.columns.size() != 1 || !def.duration_from.empty()) return false;
  try {
    return schema_.Resolve(TrimSpace(def.columns[0])) == amount;
  } catch (const Error&) {
    return false;  // an ambiguous name: BindMetric says so
  }
}

std::string SourceRun::RoleOf(int column) const {
  for (int r = 0; r < kRoleCount; ++r) {
    if (schema_.roles()[static_cast<Role>(r)] == column) return std::string(RoleName(static_cast<Role>(r)));
  }
  return {};
}

int SourceRun::InternSlot(int column) {
  for (std::size_t i = 0; i < interned_.size(); ++i) {
    if (interned_[i].column == column) return static_cast<int>(i);
  }
  interned_.emplace_back();
  interned_.back().column = column;
  return static_cast<int>(interned_.size() - 1);
}

}  // namespace crmkpi::engine_detail
