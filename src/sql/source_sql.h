// One source's rows as a chain of SQL CTEs (sql_script.h): the table (or, in DuckDB, the CSV)
// with its lookups joined, then the values the metrics and checks ask for — trimmed text,
// parsed amounts and dates, stage classes, where conditions, group keys, periods, normalised
// keys — each computed once per row under an alias (crmkpi_xN), as the engine's RowContext
// parses each column once per row. An expression goes into the first layer (CTE) after the
// layers of the aliases it reads, so the chain is as deep as the longest dependency: the text
// first, then its parts, the parsed values, the where conditions and periods, the metrics'
// per-row values. The source's filter is applied after the last layer (Rows()), and each
// grouping's aggregates are one CTE over those rows.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/definition/where.h"
#include "crmkpi/sql/sql_dialect.h"
#include "crmkpi/values/date_time.h"

#include "zone_sql.h"

namespace crmkpi::sql_detail {

// White space the engine trims (TrimSpace: ASCII white space and U+3000) and the white space
// a group key collapses and the normalisers trim (values/normalize.cc SpaceAt), as
// regular-expression classes.
inline constexpr std::string_view kTrimClass = "[ \\t\\n\\x0b\\f\\r\u3000]";
inline constexpr std::string_view kSpaceClass =
    "[ \\t\\n\\x0b\\f\\r\u00a0\u3000\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u202f\u205f]";

// The status codes of a parsed value: 0 ok, 1 missing (empty), 2 invalid.
struct ParsedAmount {
  std::string value;   // DECIMAL or NULL
  std::string status;  // 0, 1, 2
  std::string mark;    // the currency code its mark names ('' for none), NULL when not ok
};
struct ParsedDate {
  std::string day;      // local calendar day (days since 1970-01-01), NULL when not ok
  std::string instant;  // seconds since 1970-01-01T00:00:00Z
  std::string has_time; // 1 when the text has a time of day (a ':'), else 0
  std::string status;   // 0, 1, 2
};
struct PeriodCols {
  std::string label, start, end;  // text; '' label (and NULL bounds) for a row without a date
};

class SourceSql {
 public:
  // |tables|: --table ID=NAME. |lookups|: the lookups joined onto this source.
  // |chain| starts the CTEs' names ("src": src_deals_0 …; another for a second chain over the
  // same source, such as the one the data's as-of is found by).
  SourceSql(const Sql& sql, const KpiModel& model, const SourceDef& def,
            const std::map<std::string, std::string>& tables, const std::string& chain = "src");

  const SourceDef& def() const { return def_; }
  const RowSchema& schema() const { return schema_; }
  const Sql& sql() const { return sql_; }
  // Where the ordinary messages point at the source ("source 'deals' (deals.csv)").
  std::string What() const;

  // Column |c| of the schema (header or lookup column).
  std::string Text(int c);
  ParsedAmount Amount(int c);
  // Column |c| as `value = …` reads it: a percent when its text ends in % or ％ (60% = 0.6),
  // else an amount, as a DOUBLE; its status (0 ok, 1 missing, 2 invalid) appended to |statuses|.
  std::string PercentOrAmount(int c, std::vector<std::string>* statuses);
  ParsedDate Date(int c);
  std::string StageClass();   // 'won', 'lost' or 'open'
  std::string StageOrder();   // the position in the source's stages, NULL when not in them
  std::string StageNorm();    // the stage's normal form, as StageRules::Normalize writes it
  std::string GroupKey(int c);  // the engine's group key: '' for an empty value
  PeriodCols PeriodOf(Period kind, int c);  // period_sql.cc
  // A where text bound to this source: a boolean alias (TRUE or FALSE, never NULL).
  std::string Where(const std::string& text, const SourceLoc& loc, const std::string& what);
  // A per-row expression of the metrics' layer (L4).
  std::string Metric(const std::string& expr);

  // The zone of the source's naive times (its tz, else the definition's).
  std::string tz() const { return def_.tz.empty() ? model_.tz : def_.tz; }
  // The aggregates of one grouping (|keys|: its group-key expressions, period label last; none
  // for the total), computed in one CTE for every metric of the source — one scan of the rows
  // per grouping, not per metric. Aggregate(keys, x) is the CTE's column holding aggregate |x|
  // (SUM(…), MIN(…), …) of each group; Window(keys, x) a column |x| (a window function) added
  // to the rows the grouping aggregates; Key(keys, i) the column holding keys[i]. Grouping(keys)
  // names the CTE, with one row per group.
  std::string Aggregate(const std::vector<std::string>& keys, const std::string& x);
  std::string Window(const std::vector<std::string>& keys, const std::string& x);
  std::string Key(const std::vector<std::string>& keys, std::size_t i);
  std::string Grouping(const std::vector<std::string>& keys);
  // A one-row value over the source's filtered rows (an aggregate: the currency marks of a
  // column), as a column the groupings' rows carry.
  std::string Overall(const std::string& x);
  // The source's table as the script reads it: --table's name, the ID, or DuckDB's read_csv(…).
  std::string Table() const {
    return Base(def_.id, def_.file, def_.more_files, encoding_, delimiter_, def_.file_loc);
  }
  // Resolves |name| as the engine does (RowSchema::Resolve), or -1.
  int Resolve(const std::string& name) const;

  // The CTEs (without WITH), and the name of the last: the rows the metrics aggregate.
  std::string Ctes() const;
  std::string Rows() const { return prefix_ + "rows"; }
  // SELECTs of one column, a message, whose rows say the data breaks what the engine stops at
  // (a duplicate key of a unique lookup); the script returns each as an @error row.
  const std::vector<std::string>& guards() const { return guards_; }
  // One more such SELECT, over the source's rows (Rows()): a check's value the SQL cannot
  // normalise as crmkpi would.
  void AddGuard(std::string select) { row_guards_.push_back(std::move(select)); }
  // A CTE of its own after the groupings' (an aggregate of aggregates, such as a Kaplan–Meier
  // median), "NAME AS (…)" with NAME from NewCteName.
  std::string NewCteName(const std::string& what) { return fmt::format("{}{}{}", prefix_, what, ctes_.size()); }
  void AddCte(std::string cte) { ctes_.push_back(std::move(cte)); }
  // Joins the one-row CTE crmkpi_data_as_of onto every row, as the column crmkpi_as_of (the
  // data's as-of, for sla lateness) — a column, where a scalar subquery would do in most
  // dialects but not in every parser.
  void JoinDataAsOf() { join_as_of_ = true; }
  // Set-up statements the script needs first (DuckDB: nothing; kept for the NFKC macro).
  const std::string& prefix() const { return prefix_; }

 private:
  std::string Add(int layer, const std::string& key, const std::string& expr);
  std::string From() const;     // the FROM of L0: table or read_csv, lookups joined
  std::string Base(const std::string& id, const std::string& file,
                   const std::vector<std::string>& more, const std::string& encoding,
                   char delimiter, const SourceLoc& loc) const;
  // An amount's text |t| as ParseAmount reads it: with decimal = comma, rewritten as
  // ParseAmountDecimalComma rewrites it (an alias named |key|); else |t|.
  std::string AmountText(const std::string& t, const std::string& key);
  // The date parts, validity, instant and local day of the trimmed text |t| as the automatic
  // DateParser reads it; |add| names each piece (an alias of a layer) or inlines it.
  using AddFn = std::function<std::string(const std::string&, const std::string&)>;
  ParsedDate ParseDate(const std::string& t, const std::string& key, bool day_first_order,
                       const ZoneSql& zone, const AddFn& add) const;

  std::string DaysFromCivil(const std::string& y, const std::string& m, const std::string& d) const;
  // A day number as YYYY-MM-DD text.
  std::string DayText(const std::string& day);

  const Sql& sql_;
  const KpiModel& model_;
  const SourceDef& def_;
  const std::map<std::string, std::string>& tables_;
  RowSchema schema_;
  std::vector<const LookupDef*> lookups_;
  std::vector<int> lookup_first_;  // schema column of each lookup's first column
  std::vector<std::vector<std::string>> lookup_headers_;
  std::vector<char> lookup_delimiters_;
  std::vector<std::string> lookup_encodings_;
  char delimiter_ = ',';
  std::string encoding_;
  std::unique_ptr<ZoneSql> zone_;  // the source's zone (its tz, else the definition's)
  std::string prefix_;
  struct Layer {
    std::vector<std::pair<std::string, std::string>> exprs;  // alias, expression
  };
  std::vector<Layer> layers_;
  std::map<std::string, std::string> by_key_;  // what was asked for → its alias
  std::map<std::string, int> layer_of_;        // alias → layer
  struct GroupingAggs {
    std::vector<std::string> keys;
    std::string name;
    std::vector<std::pair<std::string, std::string>> windows;  // alias, expression
    std::vector<std::pair<std::string, std::string>> aggs;     // alias, expression
    std::map<std::string, std::string> window_of, agg_of;
  };
  GroupingAggs& GroupingOf(const std::vector<std::string>& keys);
  std::vector<GroupingAggs> groupings_;
  std::vector<std::pair<std::string, std::string>> overall_;  // alias, aggregate
  mutable std::vector<std::string> guards_;
  std::vector<std::string> row_guards_;
  std::vector<std::string> ctes_;  // AddCte's
  bool join_as_of_ = false;  // made while the FROM is written
  std::string filter_;  // alias of the source's filter, empty for none
  int next_ = 0;
};

}  // namespace crmkpi::sql_detail
