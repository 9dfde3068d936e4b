// How each dialect spells the pieces of a compiled script (sql_dialect.h). Where dialects
// differ in meaning, not only in spelling — NULLs in CONCAT_WS, '' after REGEXP_EXTRACT, integer
// division that returns a double — the function here gives every dialect the one meaning the
// compiler relies on.
#include "crmkpi/sql/sql_dialect.h"

#include <fmt/format.h>

namespace crmkpi {

namespace {
struct Named {
  std::string_view name;
  SqlDialect dialect;
};
constexpr Named kNames[] = {{"duckdb", SqlDialect::kDuckDb},     {"postgres", SqlDialect::kPostgres},
                            {"spark", SqlDialect::kSpark},       {"trino", SqlDialect::kTrino},
                            {"bigquery", SqlDialect::kBigQuery}, {"snowflake", SqlDialect::kSnowflake}};
}  // namespace

std::optional<SqlDialect> ParseSqlDialect(std::string_view name) {
  if (name == "postgresql") return SqlDialect::kPostgres;
  for (const Named& n : kNames) {
    if (n.name == name) return n.dialect;
  }
  return std::nullopt;
}

std::string_view SqlDialectName(SqlDialect d) {
  for (const Named& n : kNames) {
    if (n.dialect == d) return n.name;
  }
  return "?";
}

std::string SqlDialectNames() {
  std::string out;
  for (const Named& n : kNames) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

std::string Sql::Id(std::string_view name) const {
  const bool backtick = d_ == SqlDialect::kSpark || d_ == SqlDialect::kBigQuery;
  const char q = backtick ? '`' : '"';
  std::string out(1, q);
  for (char c : name) {
    if (c == q) out += backtick ? "\\`" : "\"\"";
    else out += c;
  }
  return out + q;
}

std::string Sql::TableName(std::string_view name) const {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::string_view part = name.substr(start, dot == std::string_view::npos ? name.npos : dot - start);
    const bool quoted = !part.empty() && (part.front() == '"' || part.front() == '`');
    out += quoted ? std::string(part) : Id(part);
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
  return out;
}

std::string Sql::Str(std::string_view text) const {
  // Spark, BigQuery and Snowflake read backslash escapes inside string literals.
  const bool backslash = d_ == SqlDialect::kSpark || d_ == SqlDialect::kBigQuery ||
                         d_ == SqlDialect::kSnowflake;
  if (d_ == SqlDialect::kBigQuery && text.find('\'') != std::string_view::npos) {
    // BigQuery's "…" literal, which needs no escape for ' (node-sql-parser, which the tests
    // check BigQuery's SQL with, misreads \' after a " inside '…').
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out + "\"";
  }
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += backslash ? "\\'" : "''";
    else if (c == '\\' && backslash) out += "\\\\";
    else if (c == '\n' && backslash) out += "\\n";
    else out += c;
  }
  return out + "'";
}

std::string Sql::TextType() const {
  switch (d_) {
    case SqlDialect::kPostgres: return "TEXT";
    case SqlDialect::kSpark:
    case SqlDialect::kBigQuery: return "STRING";
    default: return "VARCHAR";
  }
}

std::string Sql::DecimalType() const {
  return d_ == SqlDialect::kBigQuery ? "BIGNUMERIC" : "DECIMAL(38,4)";
}

std::string Sql::DoubleType() const {
  switch (d_) {
    case SqlDialect::kPostgres: return "DOUBLE PRECISION";
    case SqlDialect::kBigQuery: return "FLOAT64";
    default: return "DOUBLE";
  }
}

std::string Sql::BigintType() const { return d_ == SqlDialect::kBigQuery ? "INT64" : "BIGINT"; }

std::string Sql::Cast(const std::string& x, const std::string& type) const {
  return fmt::format("CAST({} AS {})", x, type);
}

std::string Sql::DoubleText(const std::string& x) const {
  switch (d_) {
    case SqlDialect::kDuckDb:
    case SqlDialect::kPostgres:  // extra_float_digits = 1 (the default): the shortest exact text
      return ToText(x);
    case SqlDialect::kSpark: return fmt::format("format_string('%.17g', {})", x);
    case SqlDialect::kTrino: return fmt::format("format('%.17g', {})", x);
    case SqlDialect::kBigQuery: return fmt::format("FORMAT('%.17g', {})", x);
    case SqlDialect::kSnowflake: return fmt::format("TO_VARCHAR({}, 'TME')", x);
  }
  return ToText(x);
}

std::string Sql::Matches(const std::string& x, std::string_view pattern) const {
  const std::string p = Str(pattern);
  switch (d_) {
    case SqlDialect::kDuckDb: return fmt::format("regexp_full_match({}, {})", x, p);
    case SqlDialect::kPostgres: return fmt::format("({} ~ {})", x, p);
    case SqlDialect::kSpark: return fmt::format("({} RLIKE {})", x, p);
    case SqlDialect::kTrino: return fmt::format("regexp_like({}, {})", x, p);
    case SqlDialect::kBigQuery: return fmt::format("REGEXP_CONTAINS({}, {})", x, p);
    case SqlDialect::kSnowflake: return fmt::format("REGEXP_LIKE({}, {})", x, p);
  }
  return {};
}

std::string Sql::ReplaceAll(const std::string& x, std::string_view pattern,
                            std::string_view with) const {
  if (d_ == SqlDialect::kDuckDb || d_ == SqlDialect::kPostgres) {
    return fmt::format("regexp_replace({}, {}, {}, 'g')", x, Str(pattern), Str(with));
  }
  return fmt::format("regexp_replace({}, {}, {})", x, Str(pattern), Str(with));
}

std::string Sql::ReplaceGroups(const std::string& x, std::string_view pattern,
                               std::initializer_list<int> groups) const {
  // Spark's and Trino's replacements name a group $N (Java's, Joni's); the others \N.
  const bool dollar = d_ == SqlDialect::kSpark || d_ == SqlDialect::kTrino;
  std::string with;
  for (int g : groups) with += fmt::format("{}{}", dollar ? "$" : "\\", g);
  return ReplaceAll(x, pattern, with);
}

std::string Sql::ExtractGroup(const std::string& x, std::string_view pattern, int n) const {
  const std::string p = Str(pattern);
  switch (d_) {
    case SqlDialect::kDuckDb:
    case SqlDialect::kSpark:
    case SqlDialect::kTrino: return fmt::format("regexp_extract({}, {}, {})", x, p, n);
    case SqlDialect::kPostgres: return fmt::format("(regexp_match({}, {}))[{}]", x, p, n);
    case SqlDialect::kSnowflake: return fmt::format("REGEXP_SUBSTR({}, {}, 1, 1, 'e', {})", x, p, n);
    case SqlDialect::kBigQuery: break;
  }
  return fmt::format("REGEXP_EXTRACT({}, {})", x, p);
}

std::string Sql::Extract(const std::string& x, std::string_view pattern) const {
  const std::string p = Str(pattern);
  switch (d_) {
    case SqlDialect::kDuckDb:
    case SqlDialect::kSpark:
    case SqlDialect::kTrino: return fmt::format("regexp_extract({}, {}, 1)", x, p);
    case SqlDialect::kPostgres: return fmt::format("(regexp_match({}, {}))[1]", x, p);
    case SqlDialect::kBigQuery: return fmt::format("REGEXP_EXTRACT({}, {})", x, p);
    case SqlDialect::kSnowflake: return fmt::format("REGEXP_SUBSTR({}, {}, 1, 1, 'e', 1)", x, p);
  }
  return {};
}

std::string Sql::Translate(const std::string& x, std::string_view from, std::string_view to) const {
  return fmt::format("translate({}, {}, {})", x, Str(from), Str(to));
}

std::string Sql::IntDiv(const std::string& a, const std::string& b) const {
  switch (d_) {
    case SqlDialect::kDuckDb: return fmt::format("({} // {})", a, b);
    case SqlDialect::kSpark: return fmt::format("({} DIV {})", a, b);
    case SqlDialect::kBigQuery: return fmt::format("DIV({}, {})", a, b);
    case SqlDialect::kSnowflake: return fmt::format("FLOOR(({}) / ({}))", a, b);
    default: return fmt::format("({} / {})", a, b);
  }
}

std::string Sql::Mod(const std::string& a, const std::string& b) const {
  if (d_ == SqlDialect::kBigQuery) return fmt::format("MOD({}, {})", a, b);
  return fmt::format("({} % {})", a, b);
}

std::string Sql::Length(const std::string& x) const { return fmt::format("length({})", x); }

std::string Sql::ZeroPad(const std::string& x, int n) const {
  return fmt::format("lpad({}, {}, '0')", ToText(x), n);
}

std::string Sql::Concat(std::initializer_list<std::string> parts) const {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "(" : " || ") + p;
  return out + ")";
}

std::string Sql::JoinSkippingNull(std::string_view sep, const std::vector<std::string>& parts) const {
  std::string list;
  for (const std::string& p : parts) list += (list.empty() ? "" : ", ") + p;
  switch (d_) {
    case SqlDialect::kTrino: return fmt::format("concat_ws({}, ARRAY[{}])", Str(sep), list);
    case SqlDialect::kBigQuery: return fmt::format("ARRAY_TO_STRING([{}], {})", list, Str(sep));
    case SqlDialect::kSnowflake:
      return fmt::format("ARRAY_TO_STRING(ARRAY_CONSTRUCT_COMPACT({}), {})", list, Str(sep));
    default: return fmt::format("concat_ws({}, {})", Str(sep), list);
  }
}

std::string Sql::CountDistinct(const std::string& x) const {
  return fmt::format("COUNT(DISTINCT {})", x);
}

std::string Sql::Nfkc(const std::string& x) const {
  switch (d_) {
    case SqlDialect::kPostgres:
    case SqlDialect::kTrino: return fmt::format("normalize({}, NFKC)", x);
    case SqlDialect::kBigQuery: return fmt::format("NORMALIZE({}, NFKC)", x);
    case SqlDialect::kDuckDb: return fmt::format("crmkpi_nfkc({})", x);  // a macro of the script
    default: return {};
  }
}

std::string Sql::AsciiLower(const std::string& x) const {
  return Translate(x, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz");
}

std::string Sql::Bytes(const std::string& x) const {
  return d_ == SqlDialect::kPostgres ? fmt::format("({} COLLATE \"C\")", x) : x;
}

std::string Sql::RowNumber(const std::string& by, const std::string& order) const {
  return fmt::format("ROW_NUMBER() OVER (PARTITION BY {} ORDER BY {})", by, order);
}

}  // namespace crmkpi
