// The SQL dialects `crmkpi sql` writes (docs/scale.md): how each spells what the compiled
// script needs — identifiers, string literals, regular expressions, integer division, casts,
// quantiles, NFKC — so that the compiler (sql_script.h) is written once for all of them.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

enum class SqlDialect { kDuckDb, kPostgres, kSpark, kTrino, kBigQuery, kSnowflake };

// "duckdb", "postgres" (also "postgresql"), "spark", "trino", "bigquery", "snowflake".
std::optional<SqlDialect> ParseSqlDialect(std::string_view name);
std::string_view SqlDialectName(SqlDialect d);
// "duckdb, postgres, spark, trino, bigquery, snowflake" for messages and --help.
std::string SqlDialectNames();

class Sql {
 public:
  explicit Sql(SqlDialect d) : d_(d) {}
  SqlDialect dialect() const { return d_; }
  std::string_view name() const { return SqlDialectName(d_); }

  // An identifier, quoted: "名前" (`名前` in Spark and BigQuery).
  std::string Id(std::string_view name) const;
  // A table name as given to --table (schema.table): each dot-separated part quoted unless it
  // already is.
  std::string TableName(std::string_view name) const;
  // A string literal.
  std::string Str(std::string_view text) const;
  // Types.
  std::string TextType() const;
  std::string DecimalType() const;  // exact, 4 decimals
  std::string DoubleType() const;
  std::string BigintType() const;
  // CAST(x AS type).
  std::string Cast(const std::string& x, const std::string& type) const;
  // x as text (NULL stays NULL); a DECIMAL prints its 4 decimals, a DOUBLE the shortest text
  // that reads back to it.
  std::string ToText(const std::string& x) const { return Cast(x, TextType()); }
  // A double as text: the shortest decimal that reads back to it.
  std::string DoubleText(const std::string& x) const;
  // Whether the whole of |x| matches |pattern| (an RE2/POSIX-compatible pattern written with
  // ^ and $); NULL for NULL.
  std::string Matches(const std::string& x, std::string_view pattern) const;
  // Every match of |pattern| in x replaced with |with| (no back-references).
  std::string ReplaceAll(const std::string& x, std::string_view pattern,
                         std::string_view with) const;
  // Every match of |pattern| in x replaced with its capture groups |groups| (1-based), in order:
  // ReplaceGroups(x, "([0-9]) ([0-9])", {1, 2}) joins the digits around a space.
  std::string ReplaceGroups(const std::string& x, std::string_view pattern,
                            std::initializer_list<int> groups) const;
  // Capture group |n| (1-based) of |pattern| in x; not for BigQuery, whose REGEXP_EXTRACT
  // takes a pattern of one group (use Extract there).
  std::string ExtractGroup(const std::string& x, std::string_view pattern, int n) const;
  // The first capture group of |pattern| in x, NULL when it does not match.
  std::string Extract(const std::string& x, std::string_view pattern) const;
  // Character-by-character translation (every dialect has TRANSLATE).
  std::string Translate(const std::string& x, std::string_view from, std::string_view to) const;
  // a / b for non-negative integers, truncated.
  std::string IntDiv(const std::string& a, const std::string& b) const;
  // a mod b for non-negative integers.
  std::string Mod(const std::string& a, const std::string& b) const;
  // Length in characters.
  std::string Length(const std::string& x) const;
  // x padded on the left with '0' to |n| characters (x an integer).
  std::string ZeroPad(const std::string& x, int n) const;
  // Concatenation of texts (NULL when one is NULL).
  std::string Concat(std::initializer_list<std::string> parts) const;
  // The parts joined by |sep|, NULL parts skipped, "" when all are NULL.
  std::string JoinSkippingNull(std::string_view sep, const std::vector<std::string>& parts) const;
  // COUNT(DISTINCT x).
  std::string CountDistinct(const std::string& x) const;
  // NFKC of x; empty when the dialect has no NFKC function.
  std::string Nfkc(const std::string& x) const;
  // ASCII letters to lower case only (the engine folds ASCII only).
  std::string AsciiLower(const std::string& x) const;
  // A text comparison in byte order (PostgreSQL's default collation is the locale's).
  std::string Bytes(const std::string& x) const;
  // Integer seconds of a DOUBLE number of seconds, as the engine's Seconds.
  std::string Bigint(const std::string& x) const { return Cast(x, BigintType()); }
  // "AS" of a CTE: PostgreSQL's "AS MATERIALIZED", so that the planner does not inline each
  // layer of a source's rows into the next (each reads the one before by alias; inlined, the
  // expressions would be copied into each other and the plan grow without bound).
  std::string CteAs() const { return d_ == SqlDialect::kPostgres ? "AS MATERIALIZED" : "AS"; }
  // ROW_NUMBER() OVER (PARTITION BY |by| ORDER BY |order|).
  std::string RowNumber(const std::string& by, const std::string& order) const;

 private:
  SqlDialect d_;
};

}  // namespace crmkpi
