// A [check] compiled to its counts (check_sql.h) with the meaning quality/ gives it
// (quality_run.cc, validity_rule.cc, values/normalize.cc, docs/quality.md): which values are
// missing (empty after trimming, or a missing token), how a uniqueness key is normalised and
// joined, each validity rule's outcome, a timestamp's age.
#include "check_sql.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>
#include <utf8proc.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/quality/validity_rule.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/normalize.h"

#include "period_sql.h"
#include "where_sql.h"

namespace crmkpi::sql_detail {

namespace {

std::string Utf8(std::int32_t cp) {
  utf8proc_uint8_t b[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(cp, b);
  return std::string(reinterpret_cast<const char*>(b), static_cast<std::size_t>(n));
}

// Unicode full case folding (utf8proc's UTF8PROC_CASEFOLD, what the `lower` step applies),
// character by character: those folding to one character (a TRANSLATE), and those folding to
// several (ß → ss: a REPLACE each). Folded text folds to itself, so the order does not matter.
struct FoldMap {
  std::string from, to;
  std::vector<std::pair<std::string, std::string>> multi;
};

const FoldMap& CaseFold() {
  static const FoldMap map = [] {
    FoldMap m;
    for (std::int32_t cp = 0; cp <= 0x10FFFF; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      if (utf8proc_get_property(cp)->casefold_seqindex == UINT16_MAX) continue;
      const std::string in = Utf8(cp);
      utf8proc_uint8_t* out = nullptr;
      const utf8proc_ssize_t n =
          utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()),
                       static_cast<utf8proc_ssize_t>(in.size()), &out, UTF8PROC_CASEFOLD);
      const std::string folded = n >= 0 && out != nullptr
                                     ? std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n))
                                     : in;
      std::free(out);
      if (folded == in) continue;
      utf8proc_int32_t first = 0;
      const utf8proc_ssize_t len = utf8proc_iterate(
          reinterpret_cast<const utf8proc_uint8_t*>(folded.data()),
          static_cast<utf8proc_ssize_t>(folded.size()), &first);
      if (len == static_cast<utf8proc_ssize_t>(folded.size())) {
        m.from += in;
        m.to += folded;
      } else {
        m.multi.emplace_back(in, folded);
      }
    }
    return m;
  }();
  return map;
}

// Every code point of Unicode category P* (what strip-punct removes).
const std::string& Punctuation() {
  static const std::string all = [] {
    std::string s;
    for (std::int32_t cp = 0; cp <= 0x10FFFF; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      const utf8proc_category_t c = utf8proc_category(cp);
      if (c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO) s += Utf8(cp);
    }
    return s;
  }();
  return all;
}

// The non-ASCII code points outside the half-/full-width forms block whose category |accept|
// takes, as the ranges of a regular-expression bracket (without the brackets).
template <typename Accept>
std::string NonAsciiRanges(Accept accept) {
  std::string out;
  std::int32_t start = -1;
  auto close = [&](std::int32_t end) {
    out += Utf8(start);
    if (end > start) out += "-" + Utf8(end);
    start = -1;
  };
  for (std::int32_t cp = 0x80; cp <= 0x110000; ++cp) {
    const bool in = cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && !(cp >= 0xFF00 && cp <= 0xFFEF) &&
                    accept(utf8proc_category(cp));
    if (in && start < 0) start = cp;
    if (!in && start >= 0) close(cp - 1);
  }
  return out;
}

// value_syntax.cc's international characters: letters, marks and digits (L*, M*, N*), and
// letters only (L*), outside U+FF00..U+FFEF.
const std::string& InternationalAlnum() {
  static const std::string r = NonAsciiRanges([](utf8proc_category_t c) {
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO;
  });
  return r;
}
const std::string& InternationalLetters() {
  static const std::string r = NonAsciiRanges([](utf8proc_category_t c) {
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
  });
  return r;
}

[[noreturn]] void NotCompiled(const Sql& sql, const CheckDef& def, const std::string& why) {
  throw Error(ExitCode::kUsage,
              fmt::format("check '{}' cannot be compiled for {}: {}", def.name, sql.name(), why),
              def.loc);
}

class CheckCompiler {
 public:
  CheckCompiler(SourceSql& s, const CheckDef& def, const LongColumns& columns, const CheckAsOf& as_of)
      : s_(s), sql_(s.sql()), def_(def), columns_(columns), as_of_(as_of) {}

  std::vector<std::string> Selects() {
    Count("rows", A("COUNT(*)"));
    if (def_.type == CheckType::kSchema) {
      Schema();
      return selects_;
    }
    if (def_.type == CheckType::kRowCount) return selects_;
    std::vector<int> cols;
    std::vector<std::string> unknown;
    for (const std::string& name : def_.columns) {
      const int c = s_.Resolve(std::string(TrimSpace(name)));
      if (c < 0) unknown.push_back(name);
      cols.push_back(c);
    }
    if (!unknown.empty()) {
      // The check cannot run (quality/check_bind.cc): an error row, the other checks still run.
      std::string names;
      for (const auto& u : unknown) names += (names.empty() ? "'" : ", '") + u + "'";
      Count("error", sql_.Str(fmt::format("column{} {} not in {} ({})", unknown.size() == 1 ? "" : "s",
                                          names, s_.def().file, s_.schema().Describe())));
      return selects_;
    }
    switch (def_.type) {
      case CheckType::kCompleteness: Completeness(cols); break;
      case CheckType::kUniqueness: Uniqueness(cols); break;
      case CheckType::kValidity: Validity(cols[0]); break;
      case CheckType::kTimeliness: Timeliness(cols[0]); break;
      default: break;
    }
    return selects_;
  }

 private:
  // An aggregate over the source's rows (its total grouping), as a column.
  std::string A(const std::string& x) { return s_.Aggregate({}, x); }
  std::string Sum(const std::string& x) { return fmt::format("COALESCE({}, 0)", A("SUM(" + x + ")")); }

  // The SELECT list of a row @check:NAME: |reason| (SQL: the count's name) in reason, |value|
  // (SQL text) in value, every other column NULL.
  std::string Row(const std::string& value, const std::string& reason) const {
    std::vector<std::string> values;
    for (const std::string& col : columns_.all) {
      values.push_back(col == "metric"     ? sql_.Str("@check:" + def_.name)
                       : col == "group_by" ? std::string("''")
                       : col == "value"    ? value
                       : col == "reason"   ? reason
                                           : sql_.Cast("NULL", sql_.TextType()));
    }
    return LongRow(sql_, columns_, values);
  }

  // One row of count |name| over the source's rows.
  void Count(const std::string& name, const std::string& value) {
    selects_.push_back(Row(sql_.ToText(value), sql_.Str(name)) + "\n  FROM " + s_.Grouping({}));
  }

  // A schema check: the table's columns in order, one row each (`column:N`, N from 1), and
  // their number; check --metrics compares them with the expected names as crmkpi does.
  void Schema() {
    std::string names;  // SELECT name, position FROM …
    if (sql_.dialect() == SqlDialect::kDuckDb) {
      names = fmt::format("SELECT column_name AS crmkpi_name, ROW_NUMBER() OVER () AS crmkpi_at FROM (DESCRIBE "
                          "SELECT * FROM {}) d",
                          s_.Table());
    } else if (sql_.dialect() == SqlDialect::kPostgres) {
      names = fmt::format("SELECT CAST(attname AS TEXT) AS crmkpi_name, attnum AS crmkpi_at FROM pg_attribute WHERE "
                          "attrelid = CAST({} AS regclass) AND attnum > 0 AND NOT attisdropped",
                          sql_.Str(s_.Table()));
    } else {
      NotCompiled(sql_, def_,
                  "a schema check reads the table's columns from the catalogue, which is compiled "
                  "for duckdb (DESCRIBE) and postgres (pg_attribute) only: run crmkpi check on the "
                  "export");
    }
    selects_.push_back(Row("crmkpi_name", sql_.Concat({"'column:'", sql_.ToText("crmkpi_at")})) + "\n  FROM (" +
                       names + ") n");
    selects_.push_back(Row(sql_.ToText("COUNT(*)"), "'columns'") + "\n  FROM (" + names + ") n");
  }

  // 1 when column |c|'s value is missing (empty after trimming, or a missing token compared
  // ASCII-case-insensitively), else 0.
  std::string Missing(int c) {
    const std::string t = s_.Text(c);
    std::string tokens;
    for (const std::string& token : s_.def().missing_tokens) {
      std::string lower(TrimSpace(token));
      for (char& ch : lower) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
      tokens += (tokens.empty() ? "" : ", ") + sql_.Str(lower);
    }
    if (tokens.empty()) return s_.Metric(fmt::format("CASE WHEN {} IS NULL THEN 1 ELSE 0 END", t));
    return s_.Metric(fmt::format("CASE WHEN {0} IS NULL OR {1} IN ({2}) THEN 1 ELSE 0 END", t,
                                 sql_.Bytes(sql_.AsciiLower(t)), tokens));
  }

  void Completeness(const std::vector<int>& cols) {
    std::string all;
    for (int c : cols) {
      const std::string miss = Missing(c);
      Count("missing:" + s_.schema().name(c), Sum(miss));
      all += (all.empty() ? "" : " + ") + miss;
    }
    Count("complete_records", Sum(fmt::format("CASE WHEN {} = 0 THEN 1 ELSE 0 END", all)));
  }

  std::string Trimmed(const std::string& x) {
    return s_.Metric(sql_.ReplaceAll(x, fmt::format("^{0}+|{0}+$", kSpaceClass), ""));
  }

  std::string Lower(const std::string& x) {
    const FoldMap& f = CaseFold();
    std::string e = x;
    for (const auto& [from, to] : f.multi) e = fmt::format("REPLACE({}, {}, {})", e, sql_.Str(from), sql_.Str(to));
    return s_.Metric(sql_.Translate(e, f.from, f.to));
  }

  // values/normalize.cc's legal step (RemoveLegalForms) on |x|, for the dialects with arrays
  // and regular expressions over them (DuckDB's lists, PostgreSQL's arrays): the value cut into
  // (separators, token) pairs; in each token the Japanese forms removed, three times over
  // (removing one can join the halves of another: a fourth is a guard's error, never a silent
  // difference) and then its middle dots at either end; a token left empty or a Latin form is
  // dropped with the separators before it; the value unchanged when nothing was removed or
  // nothing kept, else its leftover separators and middle dots trimmed.
  std::string Legal(const std::string& x, int c) {
    const bool duck = sql_.dialect() == SqlDialect::kDuckDb;
    if (!duck && sql_.dialect() != SqlDialect::kPostgres) {
      NotCompiled(sql_, def_,
                  fmt::format("its normaliser legal (in the preset company too) removes legal forms "
                              "(株式会社, (株), Inc., Co., Ltd. …) token by token, which is compiled "
                              "for duckdb and postgres only (arrays of tokens): keep the normalised "
                              "name in a column of its own, or run crmkpi check on the export"));
    }
    const std::string space(kSpaceClass.substr(1, kSpaceClass.size() - 2));  // without [ ]
    const std::string sep = "[" + space + ",，、]", non_sep = "[^" + space + ",，、]";
    const std::string dots = "[・･·]";
    std::string form = "(";
    for (const char* w : {"株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "一般財団法人",
                          "公益社団法人", "公益財団法人", "社団法人", "財団法人", "医療法人社団", "医療法人財団",
                          "医療法人", "社会福祉法人", "特定非営利活動法人", "㈱", "㈲", "㈾", "㈴", "㈳", "㈶"}) {
      form += std::string(w) + "|";
    }
    form += "[(（](株|有|同|資|名|社|財|医|一社|一財|公社|公財)[)）])";
    const std::string pair = "(" + sep + "*)(" + non_sep + "+)";
    auto remove = [&](const std::string& t) {
      return sql_.ReplaceAll(sql_.ReplaceAll(sql_.ReplaceAll(t, form, ""), form, ""), form, "");
    };
    auto trim_dots = [&](const std::string& t) { return sql_.ReplaceAll(t, "^" + dots + "+|" + dots + "+$", ""); };
    auto j_of = [&](const std::string& t) {
      return fmt::format("CASE WHEN {0} <> {1} THEN {2} ELSE {1} END", remove(t), t, trim_dots(remove(t)));
    };
    // IsLatinForm: letters (ASCII or full-width) and dots only, a legal form once upper-cased
    // without the dots.
    auto latin_of = [&](const std::string& j) {
      std::string fw_from, fw_to;
      for (char ch = 'A'; ch <= 'Z'; ++ch) {
        fw_from += Utf8(0xFF21 + (ch - 'A'));
        fw_to += ch;
        fw_from += Utf8(0xFF41 + (ch - 'A'));
        fw_to += static_cast<char>(ch - 'A' + 'a');
      }
      fw_from += "．";
      fw_to += ".";
      const std::string ascii = sql_.Translate(trim_dots(j), fw_from, fw_to);
      return fmt::format("({} AND upper(replace({}, '.', '')) IN ('INC', 'INCORPORATED', 'CORP', "
                         "'CORPORATION', 'CO', 'LTD', 'LIMITED', 'LLC', 'LLP', 'PLC', 'GMBH', 'AG', 'SA', "
                         "'BV', 'NV', 'PTY', 'PTE', 'SRL', 'SPA', 'OY', 'AB', 'KK', 'COLTD'))",
                         sql_.Matches(ascii, "^[A-Za-z.]+$"), ascii);
    };
    const std::string tail = sql_.Extract(x, "(" + sep + "*)$");
    std::string out;
    if (duck) {
      const std::string toks = s_.Metric(fmt::format("regexp_extract_all({}, {}, 2)", x, sql_.Str(pair)));
      const std::string seps = s_.Metric(fmt::format("regexp_extract_all({}, {}, 1)", x, sql_.Str(pair)));
      const std::string js = s_.Metric(fmt::format("list_transform({}, t -> {})", toks, j_of("t")));
      const std::string drops =
          s_.Metric(fmt::format("list_transform({}, j -> j = '' OR {})", js, latin_of("j")));
      const std::string each = fmt::format("range(1, len({}) + 1)", toks);
      const std::string removed = fmt::format(
          "COALESCE(list_bool_or(list_transform({}, i -> {}[i] <> {}[i] OR {}[i])), FALSE)", each, js, toks, drops);
      const std::string kept = fmt::format("COALESCE(list_bool_or(list_transform({}, d -> NOT d)), FALSE)", drops);
      const std::string joined = fmt::format(
          "array_to_string(list_transform({}, i -> CASE WHEN {}[i] THEN '' ELSE {}[i] || {}[i] END), '')", each, drops,
          seps, js);
      out = s_.Metric(fmt::format("CASE WHEN {} AND {} THEN {} || {} ELSE {} END", removed, kept, joined, tail, x));
      GuardNested(fmt::format("list_bool_or(list_transform({}, t -> {}))", toks, sql_.Matches(remove("t"), ".*" + form + ".*")), c);
    } else {
      const std::string m = fmt::format("regexp_matches({}, {}, 'g') WITH ORDINALITY AS r(m, i)", x, sql_.Str(pair));
      const std::string toks = s_.Metric(fmt::format("ARRAY(SELECT m[2] FROM {} ORDER BY i)", m));
      const std::string seps = s_.Metric(fmt::format("ARRAY(SELECT m[1] FROM {} ORDER BY i)", m));
      const std::string js =
          s_.Metric(fmt::format("ARRAY(SELECT {} FROM unnest({}) WITH ORDINALITY AS u(t, i) ORDER BY i)", j_of("t"), toks));
      const std::string drops = s_.Metric(fmt::format(
          "ARRAY(SELECT j = '' OR {} FROM unnest({}) WITH ORDINALITY AS u(j, i) ORDER BY i)", latin_of("j"), js));
      const std::string all = fmt::format("unnest({}, {}, {}, {}) WITH ORDINALITY AS u(t, s, j, d, i)", toks, seps, js, drops);
      out = s_.Metric(fmt::format(
          "CASE WHEN (SELECT COALESCE(bool_or(j <> t OR d), FALSE) AND COALESCE(bool_or(NOT d), FALSE) FROM {0}) "
          "THEN (SELECT COALESCE(string_agg(CASE WHEN d THEN '' ELSE s || j END, '' ORDER BY i), '') FROM {0}) || {1} "
          "ELSE {2} END",
          all, tail, x));
      GuardNested(fmt::format("(SELECT COALESCE(bool_or({}), FALSE) FROM unnest({}) AS u(t))",
                              sql_.Matches(remove("t"), ".*" + form + ".*"), toks),
                  c);
    }
    // Then the leftovers: separators and middle dots at either end.
    const std::string leftover = "[" + space + ",，、・･·]";
    return s_.Metric(fmt::format("CASE WHEN {0} <> {1} THEN {2} ELSE {0} END", out, x,
                                 sql_.ReplaceAll(out, "^" + leftover + "+|" + leftover + "+$", "")));
  }

  // A row whose value still holds a Japanese legal form after three removals: an @error row.
  void GuardNested(const std::string& still, int c) {
    const std::string flag = s_.Metric(fmt::format("CASE WHEN {} THEN 1 ELSE 0 END", still));
    s_.AddGuard(fmt::format(
        "SELECT {} AS crmkpi_message FROM {} WHERE {} = 1 LIMIT 1",
        sql_.Str(fmt::format("check '{}': a value of '{}' holds Japanese legal forms nested more than three "
                             "deep (株式株式会社会社 is two), which the SQL removes three times only: run "
                             "crmkpi check on the export",
                             def_.name, s_.schema().name(c))),
        s_.Rows(), flag));
  }

  // A key part: the value normalised by the check's chain, NULL when missing or empty after it.
  std::string KeyPart(int c, const Normalizer& n) {
    std::string x = s_.Text(c);
    for (const NormalizeStep step : n.steps()) {
      switch (step) {
        case NormalizeStep::kTrim:
          x = Trimmed(x);
          break;
        case NormalizeStep::kCollapseSpaces:
          x = s_.Metric(sql_.ReplaceAll(x, std::string(kSpaceClass) + "+", " "));
          break;
        case NormalizeStep::kEmail:
          x = Lower(Trimmed(x));
          break;
        case NormalizeStep::kLower:
          x = Lower(x);
          break;
        case NormalizeStep::kNfkc: {
          const std::string nfkc = sql_.Nfkc(x);
          if (nfkc.empty()) {
            NotCompiled(sql_, def_,
                        fmt::format("its normaliser nfkc needs Unicode NFKC, which {} has no function "
                                    "for: normalise the column in the warehouse, or compile for "
                                    "duckdb, postgres, trino or bigquery",
                                    sql_.name()));
          }
          x = s_.Metric(nfkc);
          break;
        }
        case NormalizeStep::kStripPunct:
          x = s_.Metric(sql_.Translate(x, Punctuation(), ""));
          break;
        case NormalizeStep::kLegal:
          x = Legal(x, c);
          break;
        case NormalizeStep::kPhone: {
          const std::string t = Trimmed(x);
          const std::string d = s_.Metric(
              sql_.ReplaceAll(sql_.Translate(t, "０１２３４５６７８９", "0123456789"), "[^0-9]", ""));
          x = s_.Metric(fmt::format(
              "CASE WHEN ({0} LIKE '+%' OR {0} LIKE '＋%') AND {1} > 2 AND SUBSTR({2}, 1, 2) = '81' "
              "THEN CASE WHEN SUBSTR({2}, 3, 1) = '0' THEN SUBSTR({2}, 3) ELSE {3} END ELSE {2} END",
              t, sql_.Length(d), d, sql_.Concat({"'0'", fmt::format("SUBSTR({}, 3)", d)})));
          break;
        }
      }
    }
    return s_.Metric(fmt::format("CASE WHEN {} = 0 THEN NULLIF({}, '') END", Missing(c), x));
  }

  void Uniqueness(const std::vector<int>& cols) {
    Normalizer n;
    try {
      n = Normalizer::Parse(def_.normalize);
    } catch (const Error& e) {
      throw Error(ExitCode::kUsage, fmt::format("check '{}': normalize: {}", def_.name, e.message()), def_.loc);
    }
    std::vector<std::string> parts;
    for (int c : cols) parts.push_back(KeyPart(c, n));
    std::string key = parts[0];
    if (parts.size() > 1) {
      // Each part after its length: ("a,b", "c") and ("a", "b,c") stay two keys.
      std::string joined, present;
      for (const std::string& p : parts) {
        const std::string piece = sql_.Concat({sql_.ToText(sql_.Length(p)), "':'", p});
        joined = joined.empty() ? piece : sql_.Concat({joined, piece});
        present += (present.empty() ? "" : " AND ") + p + " IS NOT NULL";
      }
      key = s_.Metric(fmt::format("CASE WHEN {} THEN {} END", present, joined));
    }
    const std::string in_key = fmt::format("CASE WHEN {} IS NOT NULL THEN 1 ELSE 0 END", key);
    const std::string rows_of_key =
        s_.Window({}, fmt::format("COUNT({0}) OVER (PARTITION BY {0})", key));
    Count("n", Sum(in_key));
    Count("distinct", A(sql_.CountDistinct(sql_.Bytes(key))));
    Count("duplicate_groups",
          A(sql_.CountDistinct(fmt::format("CASE WHEN {} >= 2 THEN {} END", rows_of_key, sql_.Bytes(key)))));
    Count("rows_in_duplicate_groups", Sum(fmt::format("CASE WHEN {} >= 2 THEN 1 ELSE 0 END", rows_of_key)));
  }

  // An amount of |units| (1/10,000) as an exact SQL decimal.
  std::string Units(std::int64_t units) {
    const char* sign = units < 0 ? "-" : "";
    const std::uint64_t u = units < 0 ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
    return sql_.Cast(sql_.Str(fmt::format("{}{}.{:04}", sign, u / kAmountScale, u % kAmountScale)),
                     sql_.DecimalType());
  }

  // value_syntax.h's IsEmail: LOCAL@DOMAIN, one @; LOCAL 1–64 bytes of dot-atom characters or
  // international ones, no dot first, last or doubled; DOMAIN 1–253 bytes, two labels or more
  // of 1–63 bytes of letters, digits and inner hyphens (international ones too), the last with
  // two letters. Byte lengths are counted on the text with each character replaced by as many
  // x as its UTF-8 bytes.
  std::string Email(const std::string& t) {
    const std::string intl = "[" + InternationalAlnum() + "]";
    const std::string local_char = "([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|" + intl + ")";
    const std::string domain_char = "([A-Za-z0-9]|" + intl + ")";
    const std::string label = domain_char + "((" + domain_char + "|-)*" + domain_char + ")?";
    const std::string shape = "^" + local_char + "+([.]" + local_char + "+)*@" + label + "([.]" + label + ")+$";
    const std::string bytes = s_.Metric(sql_.ReplaceAll(
        sql_.ReplaceAll(sql_.ReplaceAll(t, "[\u0080-\u07ff]", "xx"), "[\u0800-\uffff]", "xxx"),
        "[\U00010000-\U0010ffff]", "xxxx"));
    const std::string last_label = sql_.ReplaceAll(t, "^.*[.@]", "");
    const std::string letters =
        sql_.Length(sql_.ReplaceAll(last_label, "[^A-Za-z" + InternationalLetters() + "]", ""));
    return fmt::format("({} AND {} AND {} AND {} >= 2)", sql_.Matches(t, shape),
                       sql_.Matches(bytes, "^[^@]{1,64}@[^@]{1,253}$"),
                       sql_.Matches(sql_.ReplaceAll(bytes, "^[^@]*@", ""), "^[^.]{1,63}([.][^.]{1,63})*$"),
                       letters);
  }

  void Validity(int c) {
    const ValidityRule rule =
        ValidityRule::Bind(def_.rule, def_.when, c, s_.schema(), StageRules(s_.def().stages), s_.tz(),
                           def_.rule_loc.line > 0 ? def_.rule_loc : def_.loc);
    using Kind = ValidityRule::Kind;
    const std::string t = s_.Text(c);
    std::string valid, applicable = "TRUE";
    switch (rule.kind()) {
      case Kind::kEmail:
        valid = Email(t);
        break;
      case Kind::kPhone: {
        // One leading plus, then digits (ASCII or full-width, 7 to 15) and separators only.
        const std::string digits = sql_.Length(sql_.ReplaceAll(t, "[^0-9０-９]", ""));
        valid = fmt::format(
            "({} AND {} BETWEEN 7 AND 15)",
            sql_.Matches(t, "^[+＋]?[0-9０-９ \\t.()/\u00a0\u3000\u2212\u30fc\uff70\ufe63\uff0d\uff0e"
                            "\uff08\uff09\uff0f\u2010-\u2015-]*$"),
            digits);
        break;
      }
      case Kind::kDate:
        valid = fmt::format("{} = 0", s_.Date(c).status);
        break;
      case Kind::kNumber:
        valid = fmt::format("{} = 0", s_.Amount(c).status);
        break;
      case Kind::kInteger:
        valid = fmt::format("({} = 0 AND {} NOT LIKE '%.%' AND {} NOT LIKE '%．%')", s_.Amount(c).status, t, t);
        break;
      case Kind::kIn: {
        std::string list;
        for (const std::string& v : rule.set()) list += (list.empty() ? "" : ", ") + sql_.Str(v);
        valid = fmt::format("{} IN ({})", sql_.Bytes(t), list);
        break;
      }
      case Kind::kRange: {
        const ParsedAmount a = s_.Amount(c);
        valid = fmt::format("({} = 0", a.status);
        if (rule.has_lo()) valid += fmt::format(" AND {} >= {}", a.value, Units(rule.lo()));
        if (rule.has_hi()) valid += fmt::format(" AND {} <= {}", a.value, Units(rule.hi()));
        valid += ")";
        break;
      }
      case Kind::kLength: {
        valid = "(TRUE";
        if (rule.has_lo()) valid += fmt::format(" AND {} >= {}", sql_.Length(t), rule.lo());
        if (rule.has_hi()) valid += fmt::format(" AND {} <= {}", sql_.Length(t), rule.hi());
        valid += ")";
        break;
      }
      case Kind::kRegex:
        // RE2's syntax and semantics: the dialects whose regular expressions are RE2.
        if (sql_.dialect() == SqlDialect::kDuckDb) {
          valid = fmt::format("regexp_full_match({}, {})", t, sql_.Str(rule.pattern()));
        } else if (sql_.dialect() == SqlDialect::kBigQuery) {
          valid = fmt::format("REGEXP_CONTAINS({}, {})", t, sql_.Str("^(?:" + rule.pattern() + ")$"));
        } else {
          NotCompiled(sql_, def_,
                      fmt::format("its rule regex({}) is an RE2 pattern, and {}'s regular expressions "
                                  "are not RE2 (their classes, escapes and matching differ): compile "
                                  "for duckdb or bigquery, or use in, length, range or integer",
                                  rule.pattern(), sql_.name()));
        }
        break;
      case Kind::kCompareNumber: {
        const ParsedAmount a = s_.Amount(c);
        valid = fmt::format("({} = 0 AND {} {} {})", a.status, a.value, OpText(rule.op()), Units(rule.lo()));
        break;
      }
      case Kind::kCompareDay: {
        const ParsedDate d = s_.Date(c);
        valid = fmt::format("({} = 0 AND {} {} {})", d.status, d.day, OpText(rule.op()), rule.lo());
        break;
      }
      case Kind::kCompareColumn: {
        const int o = rule.other();
        const ParsedAmount ax = s_.Amount(c), ay = s_.Amount(o);
        const ParsedDate dx = s_.Date(c), dy = s_.Date(o);
        const std::string nums = fmt::format("({} = 0 AND {} = 0)", ax.status, ay.status);
        const std::string dates = fmt::format("({} = 0 AND {} = 0)", dx.status, dy.status);
        valid = fmt::format("(CASE WHEN {} THEN {} {} {} WHEN {} THEN {} {} {} ELSE FALSE END)", nums,
                            ax.value, OpText(rule.op()), ay.value, dates, dx.instant, OpText(rule.op()), dy.instant);
        // The other value empty, or not comparable while this one is a number or a date: n/a.
        applicable = fmt::format("({} IS NOT NULL AND ({} OR {} OR NOT ({} = 0 OR {} = 0)))", s_.Text(o),
                                 nums, dates, ax.status, dx.status);
        break;
      }
    }
    std::string when = "TRUE";
    for (const std::string& w : rule.when_texts()) {
      when += " AND " + s_.Where(w, def_.loc, "when");
    }
    // 0 valid, 1 invalid, 2 missing, 3 not applicable (validity_rule.h's order of tests).
    const std::string outcome = s_.Metric(fmt::format(
        "CASE WHEN NOT ({}) THEN 3 WHEN {} = 1 THEN 2 WHEN NOT {} THEN 3 WHEN COALESCE({}, FALSE) THEN 0 "
        "ELSE 1 END",
        when, Missing(c), applicable, valid));
    Count("n", Sum(fmt::format("CASE WHEN {} <= 1 THEN 1 ELSE 0 END", outcome)));
    Count("invalid", Sum(fmt::format("CASE WHEN {} = 1 THEN 1 ELSE 0 END", outcome)));
    Count("missing", Sum(fmt::format("CASE WHEN {} = 2 THEN 1 ELSE 0 END", outcome)));
    Count("not_applicable", Sum(fmt::format("CASE WHEN {} = 3 THEN 1 ELSE 0 END", outcome)));
  }

  void Timeliness(int c) {
    const ParsedDate d = s_.Date(c);
    // 0 fresh, 1 stale, 2 missing, 3 not a timestamp.
    const std::string outcome = s_.Metric(fmt::format(
        "CASE WHEN {} = 1 THEN 2 WHEN {} <> 0 THEN 3 WHEN {} / 86400 > {} THEN 1 ELSE 0 END", Missing(c),
        d.status, sql_.Cast(fmt::format("({} - {})", as_of_.seconds, d.instant), sql_.DoubleType()),
        sql_.Cast(sql_.Str(fmt::format("{:.17g}", def_.max_age_days)), sql_.DoubleType())));
    Count("n", Sum(fmt::format("CASE WHEN {} <= 1 THEN 1 ELSE 0 END", outcome)));
    Count("stale", Sum(fmt::format("CASE WHEN {} = 1 THEN 1 ELSE 0 END", outcome)));
    Count("missing", Sum(fmt::format("CASE WHEN {} = 2 THEN 1 ELSE 0 END", outcome)));
    Count("invalid_timestamps", Sum(fmt::format("CASE WHEN {} = 3 THEN 1 ELSE 0 END", outcome)));
    Count("newest", IsoUtcSql(sql_, A(fmt::format("MAX(CASE WHEN {} <= 1 THEN {} END)", outcome, d.instant))));
    Count("as_of", as_of_.iso.empty() ? IsoUtcSql(sql_, A("MAX(" + as_of_.seconds + ")")) : sql_.Str(as_of_.iso));
  }

  SourceSql& s_;
  const Sql& sql_;
  const CheckDef& def_;
  const LongColumns& columns_;
  const CheckAsOf& as_of_;
  std::vector<std::string> selects_;
};

}  // namespace

std::vector<std::string> CheckSelects(SourceSql& source, const CheckDef& def, const LongColumns& columns,
                                      const CheckAsOf& as_of) {
  return CheckCompiler(source, def, columns, as_of).Selects();
}

std::string IsoUtcSql(const Sql& sql, const std::string& seconds) {
  // Days by floor division (an instant before 1970 too), then the time of day.
  const std::string day = sql.Cast(fmt::format("FLOOR({} / 86400)", sql.Cast(seconds, sql.DoubleType())),
                                   sql.BigintType());
  const std::string secs = fmt::format("({} - {} * 86400)", seconds, day);
  return sql.Concat({DayTextOf(sql, day), "'T'", sql.ZeroPad(sql.IntDiv(secs, "3600"), 2), "':'",
                     sql.ZeroPad(sql.IntDiv(sql.Mod(secs, "3600"), "60"), 2), "':'",
                     sql.ZeroPad(sql.Mod(secs, "60"), 2), "'Z'"});
}

}  // namespace crmkpi::sql_detail
