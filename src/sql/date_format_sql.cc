// A date_format read in SQL as DateFormat::Parse reads it (date_format_sql.h). Parse walks the
// items once and never backtracks: each number takes as many digits as it may (its width), a
// name its full spelling before its three letters, a space item every white-space character.
// A regular expression can split the same text otherwise when the first split fails, so each
// group is checked afterwards to be the one Parse reads: a number shorter than its width is
// followed by no digit, an offset without minutes by no digit (or ':'). A name followed by
// something that can start with a letter is refused when compiled (its spelling would be
// ambiguous to a regular expression), as no export format needs it.
#include "date_format_sql.h"

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi::sql_detail {

namespace {

using Kind = DateFormat::Kind;

constexpr const char* kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                   "july",    "august",   "september", "october", "november", "december"};
constexpr const char* kWeekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};

bool IsNumber(Kind k) {
  return k == Kind::kYear || k == Kind::kYear2 || k == Kind::kMonth || k == Kind::kDay ||
         k == Kind::kHour || k == Kind::kHour12 || k == Kind::kMinute || k == Kind::kSecond;
}

// |word| with each ASCII letter as a class of its two cases, as DateFormat compares names.
std::string AnyCase(std::string_view word) {
  std::string out;
  for (const char c : word) {
    if (c >= 'a' && c <= 'z') {
      out += fmt::format("[{}{}]", static_cast<char>(c - 'a' + 'A'), c);
    } else {
      out += c;
    }
  }
  return out;
}

// DateFormat's Name: every full name, then every three-letter one.
std::string Names(const char* const* names, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += (out.empty() ? "" : "|") + AnyCase(names[i]);
  for (std::size_t i = 0; i < count; ++i) out += "|" + AnyCase(std::string_view(names[i]).substr(0, 3));
  return out;
}

// A literal byte run as a regular expression: ASCII punctuation escaped, the rest as it is.
std::string Literal(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (u < 0x80 && !alnum) out += '\\';
    out += c;
  }
  return out;
}

struct Piece {
  Kind kind;
  int width = 0;
  std::string regex;
  std::string raw;  // kLiteral: the bytes as written
};

std::vector<Piece> Pieces(const DateFormat& format) {
  std::vector<Piece> out;
  for (const DateFormat::Item& it : format.items()) {
    if (it.kind == Kind::kLiteral) {
      if (out.empty() || out.back().kind != Kind::kLiteral) out.push_back({Kind::kLiteral, 0, "", ""});
      out.back().raw += static_cast<char>(it.width);
      continue;
    }
    Piece p{it.kind, it.width, "", ""};
    switch (it.kind) {
      case Kind::kSpace: p.regex = "[ \\t\\n\\r\\x0b\\f]*"; break;
      case Kind::kMonthName: p.regex = Names(kMonths, 12); break;
      case Kind::kWeekdayName: p.regex = Names(kWeekdays, 7); break;
      case Kind::kAmPm: p.regex = "[Aa][.][Mm][.]|[Pp][.][Mm][.]|[Aa][Mm]|[Pp][Mm]|午前|午後"; break;
      case Kind::kOffset: p.regex = "[Zz]|[+-][0-9]{4}|[+-][0-9]{2}"; break;
      case Kind::kOffsetColon: p.regex = "[Zz]|[+-][0-9]{1,2}:[0-9]{2}|[+-][0-9]{1,2}"; break;
      default: p.regex = fmt::format("[0-9]{{1,{}}}", it.width); break;
    }
    out.push_back(std::move(p));
  }
  for (Piece& p : out) {
    if (p.kind == Kind::kLiteral) p.regex = Literal(p.raw);
  }
  return out;
}

// Whether a piece can start with an ASCII letter (a literal letter, a name, AM/PM, Z).
bool StartsWithLetter(const Piece& p) {
  if (p.kind == Kind::kLiteral) {
    const char c = p.raw.empty() ? '\0' : p.raw[0];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  return p.kind == Kind::kMonthName || p.kind == Kind::kWeekdayName || p.kind == Kind::kAmPm ||
         p.kind == Kind::kOffset || p.kind == Kind::kOffsetColon;
}

}  // namespace

ParsedDate FormattedDateSql(const Sql& sql, const DateFormat& format, const std::string& t,
                            const std::string& key, const ZoneSql& zone, const DateAdd& add,
                            const CivilDays& days) {
  const std::vector<Piece> pieces = Pieces(format);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].kind != Kind::kMonthName && pieces[i].kind != Kind::kWeekdayName) continue;
    std::size_t next = i + 1;
    while (next < pieces.size() && pieces[next].kind == Kind::kSpace) ++next;
    if (next < pieces.size() && StartsWithLetter(pieces[next])) {
      throw Error::Usage(
          "date_format: a month or weekday name followed by a letter is not compiled to SQL (its "
          "spelling would be ambiguous there): load the dates as DATE or ISO text");
    }
  }
  // BigQuery's REGEXP_EXTRACT takes one group and DuckDB's regexp_extract at most nine: there
  // each piece is extracted by a pattern of its own, the other pieces (?:…) (both are RE2).
  const bool one_group = sql.dialect() == SqlDialect::kBigQuery || sql.dialect() == SqlDialect::kDuckDb;
  // The whole format, every piece a group.
  auto pattern = [&](std::optional<std::size_t> only) {
    std::string p = "^";
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      p += (one_group && only && *only != i ? "(?:" : "(") + pieces[i].regex + ")";
    }
    return p + "$";
  };
  const std::string matches = add(key + "fm", sql.Matches(t, pattern(std::nullopt)));
  std::vector<std::string> g(pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    g[i] = add(key + "g" + std::to_string(i),
               one_group ? sql.Extract(t, pattern(i)) : sql.ExtractGroup(t, pattern(std::nullopt), static_cast<int>(i) + 1));
  }
  auto rest = [&](std::size_t i) {  // the text after piece i
    std::string r = "''";
    for (std::size_t j = pieces.size(); j-- > i + 1;) r = sql.Concat({fmt::format("COALESCE({}, '')", g[j]), r});
    return r;
  };
  auto first_is = [&](const std::string& text, std::string_view chars) {
    std::string list;
    for (const char c : chars) list += (list.empty() ? "'" : ", '") + std::string(1, c) + "'";
    return fmt::format("substr({}, 1, 1) IN ({})", text, list);
  };
  const std::string bigint = sql.BigintType();
  auto number = [&](std::size_t i) { return sql.Cast(fmt::format("NULLIF({}, '')", g[i]), bigint); };
  std::vector<std::string> checks = {matches};
  std::string y = "0", mo = "0", d = "0", h = "0", mi = "0", s = "0", pm, offset;
  bool twelve = false;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const Piece& p = pieces[i];
    if (IsNumber(p.kind)) {
      // As many digits as Parse reads: the width, or up to the next non-digit.
      checks.push_back(fmt::format("({} = {} OR NOT {})", sql.Length(g[i]), p.width, first_is(rest(i), "0123456789")));
    }
    const std::string v = number(i);
    switch (p.kind) {
      case Kind::kYear: y = v; break;
      case Kind::kYear2: y = fmt::format("(CASE WHEN {0} < 69 THEN 2000 + {0} ELSE 1900 + {0} END)", v); break;
      case Kind::kMonth: mo = v; checks.push_back(fmt::format("{} BETWEEN 1 AND 12", v)); break;
      case Kind::kMonthName: {
        std::string c = "CASE " + sql.AsciiLower(fmt::format("substr({}, 1, 3)", g[i]));
        for (int m = 0; m < 12; ++m) c += fmt::format(" WHEN '{}' THEN {}", std::string_view(kMonths[m]).substr(0, 3), m + 1);
        mo = c + " END";
        break;
      }
      case Kind::kDay: d = v; checks.push_back(fmt::format("{} BETWEEN 1 AND 31", v)); break;
      case Kind::kHour: h = v; checks.push_back(fmt::format("{} <= 23", v)); break;
      case Kind::kHour12:
        h = v;
        twelve = true;
        checks.push_back(fmt::format("{} BETWEEN 1 AND 12", v));
        break;
      case Kind::kAmPm:
        pm = fmt::format("CASE WHEN {0} IN ('午後') OR {0} LIKE 'p%' OR {0} LIKE 'P%' THEN 1 ELSE 0 END", g[i]);
        break;
      case Kind::kMinute: mi = v; checks.push_back(fmt::format("{} <= 59", v)); break;
      case Kind::kSecond:
        s = fmt::format("(CASE WHEN {0} = 60 THEN 59 ELSE {0} END)", v);
        checks.push_back(fmt::format("{} <= 60", v));
        break;
      case Kind::kOffset:
      case Kind::kOffsetColon: {
        const std::string o = g[i];
        const bool colon = p.kind == Kind::kOffsetColon;
        // Hours and minutes of ±hh[mm] or ±h[h][:mm]; Z is 0.
        const std::string body = fmt::format("substr({}, 2)", o);
        const std::string hh = colon ? sql.Cast(fmt::format("NULLIF({}, '')", sql.ReplaceAll(body, ":.*$", "")), bigint)
                                     : sql.Cast(fmt::format("NULLIF(substr({}, 2, 2), '')", o), bigint);
        const std::string mm =
            colon ? sql.Cast(fmt::format("COALESCE(NULLIF({}, ''), '0')", sql.Extract(o, ":([0-9]{2})$")), bigint)
                  : sql.Cast(fmt::format("COALESCE(NULLIF(substr({}, 4, 2), ''), '0')", o), bigint);
        const std::string zulu = fmt::format("{} IN ('Z', 'z')", o);
        offset = fmt::format("(CASE WHEN {0} THEN 0 ELSE (CASE WHEN {1} LIKE '-%' THEN -1 ELSE 1 END) * ({2} * 3600 + {3} * 60) END)",
                             zulu, o, hh, mm);
        checks.push_back(fmt::format("({} OR ({} <= 18 AND {} <= 59))", zulu, hh, mm));
        if (colon) {
          // Without minutes: one hour digit only when no digit follows, and no ':' after it
          // (Parse would read minutes there).
          checks.push_back(fmt::format("({0} OR {1} LIKE '%:%' OR (({2} = 2 OR NOT {3}) AND NOT {4}))", zulu, o,
                                       sql.Length(body), first_is(rest(i), "0123456789"), first_is(rest(i), ":")));
        } else {
          checks.push_back(fmt::format("({} OR {} = 5 OR NOT {})", zulu, sql.Length(o), first_is(rest(i), "0123456789")));
        }
        break;
      }
      default: break;
    }
  }
  // The hour after AM/PM: a 12-hour clock's 12 is 0; PM adds 12 (and 13 PM with %H is no time).
  const std::string hour =
      pm.empty() ? h : fmt::format("({} + 12 * {})", twelve ? sql.Mod(h, "12") : h, pm);
  const std::string leap = fmt::format("CASE WHEN ({0} AND {1} <> 0) OR {2} = 0 THEN 1 ELSE 0 END",
                                       sql.Mod(y, "4") + " = 0", sql.Mod(y, "100"), sql.Mod(y, "400"));
  checks.push_back(fmt::format(
      "{} <= CASE WHEN {} = 2 THEN 28 + {} WHEN {} IN (4, 6, 9, 11) THEN 30 ELSE 31 END", d, mo, leap, mo));
  checks.push_back(fmt::format("{} <= 23", hour));
  std::string all;
  for (const std::string& c : checks) all += (all.empty() ? "" : " AND ") + fmt::format("COALESCE({}, FALSE)", c);
  const std::string valid = add(key + "ok", fmt::format("({})", all));
  const std::string naive_day = add(key + "nd", fmt::format("CASE WHEN {} THEN {} END", valid, days(y, mo, d)));
  const std::string local =
      add(key + "loc", fmt::format("({} * 86400 + {} * 3600 + {} * 60 + {})", naive_day, hour, mi, s));
  ParsedDate out;
  out.instant = add(key + "i", offset.empty() ? zone.ToUtc(local) : fmt::format("({} - {})", local, offset));
  // The local day: the written day of a naive value; of one with an offset, the day its instant
  // falls on in the source's zone (+ 719468 days keeps the division's operand positive).
  out.day = offset.empty()
                ? naive_day
                : add(key + "day", fmt::format("{} - 719468",
                                               sql.IntDiv(fmt::format("({} + {} + 62162035200)", out.instant,
                                                                      zone.OffsetAt(out.instant)),
                                                          "86400")));
  // DateHasTime: a ':' anywhere, or an Excel serial day's fraction.
  out.has_time = add(key + "h", fmt::format("CASE WHEN {0} LIKE '%:%' OR ({1} > 6 AND substr({0}, 6, 1) = '.' AND "
                                            "substr({0}, 1, 1) IN ('0','1','2','3','4','5','6','7','8','9')) THEN 1 ELSE 0 END",
                                            t, sql.Length(t)));
  out.status = add(key + "s", fmt::format("CASE WHEN {} IS NULL THEN 1 WHEN {} THEN 0 ELSE 2 END", t, valid));
  return out;
}

}  // namespace crmkpi::sql_detail
