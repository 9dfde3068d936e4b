#include "crmkpi/quality/validity_rule.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <re2/re2.h>

#include "crmkpi/base/text.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/value_syntax.h"

namespace crmkpi {
namespace {

[[noreturn]] void Fail(const SourceLoc& loc, const std::string& message) {
  throw Error(ExitCode::kUsage, message, loc);
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Splits "RULE when EXPR" at the first standalone, case-insensitive "when" outside quotes and
// parentheses. Returns the position of "when", or npos.
std::size_t FindWhen(std::string_view text) {
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      depth = std::max(0, depth - 1);
    } else if (depth == 0 && i + 4 <= text.size() && (i == 0 || !IsWordChar(text[i - 1])) &&
               (i + 4 == text.size() || !IsWordChar(text[i + 4]))) {
      std::string word(text.substr(i, 4));
      std::transform(word.begin(), word.end(), word.begin(),
                     [](char ch) { return static_cast<char>(ch | 0x20); });
      if (word == "when") return i;
    }
  }
  return std::string_view::npos;
}

// "a, 'b,c', \"d\"" → {a, b,c, d}: comma-separated, trimmed, optionally quoted.
std::vector<std::string> SplitArgs(std::string_view args, const SourceLoc& loc) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted_item = false;
  std::size_t i = 0;
  auto finish = [&] {
    out.push_back(quoted_item ? cur : std::string(TrimSpace(cur)));
    cur.clear();
    quoted_item = false;
  };
  while (i < args.size()) {
    const char c = args[i];
    if ((c == '\'' || c == '"') && TrimSpace(cur).empty()) {
      const std::size_t close = args.find(c, i + 1);
      if (close == std::string_view::npos) Fail(loc, fmt::format("unclosed {} in '{}'", c, args));
      cur.assign(args.substr(i + 1, close - i - 1));
      quoted_item = true;
      i = close + 1;
      while (i < args.size() && args[i] != ',') {
        if (args[i] != ' ' && args[i] != '\t') {
          Fail(loc, fmt::format("unexpected text after a quoted value in '{}'", args));
        }
        ++i;
      }
      continue;
    }
    if (c == ',') {
      finish();
    } else {
      cur += c;
    }
    ++i;
  }
  finish();
  return out;
}

bool ParseOp(std::string_view* text, WhereOp* op) {
  static const std::pair<std::string_view, WhereOp> kOps[] = {
      {">=", WhereOp::kGe}, {"<=", WhereOp::kLe}, {"!=", WhereOp::kNe}, {"<>", WhereOp::kNe},
      {"==", WhereOp::kEq}, {">", WhereOp::kGt},  {"<", WhereOp::kLt},  {"=", WhereOp::kEq}};
  for (const auto& [s, o] : kOps) {
    if (text->substr(0, s.size()) == s) {
      text->remove_prefix(s.size());
      *op = o;
      return true;
    }
  }
  return false;
}


std::int64_t CodePoints(std::string_view s) {
  std::int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool IsDateLiteral(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

const char* const kKinds[] = {"email", "phone",  "date",   "number", "integer",
                              "in",    "range",  "length", "regex"};

std::string KindList() {
  return "email, phone, date, number, integer, in(a, b, …), range(lo, hi), length(min, max), "
         "regex(PATTERN), or a comparison (>= 0, >= 2024-01-01, >= other_column)";
}

}  // namespace

ValidityRule ValidityRule::Bind(std::string_view text, std::string_view when, int column,
                                const RowSchema& schema, const StageRules& rules,
                                const std::string& tz, const SourceLoc& loc) {
  ValidityRule r;
  r.column_ = column;
  std::string_view rule = TrimSpace(text);
  std::vector<std::string> whens;
  if (const std::size_t w = FindWhen(rule); w != std::string_view::npos) {
    whens.emplace_back(TrimSpace(rule.substr(w + 4)));
    rule = TrimSpace(rule.substr(0, w));
    if (whens.back().empty()) Fail(loc, fmt::format("rule '{}': nothing after 'when'", text));
  }
  if (!TrimSpace(when).empty()) whens.emplace_back(TrimSpace(when));
  if (rule.empty()) Fail(loc, "a validity check needs a rule (" + KindList() + ")");
  r.text_ = std::string(rule);
  for (const std::string& w : whens) {
    r.when_text_ += (r.when_text_.empty() ? "" : " and ") + w;
    r.when_texts_.push_back(w);
    r.when_.push_back(Where::Compile(w, loc, schema, rules, tz, "when"));
  }

  // A comparison: OP operand.
  std::string_view rest = rule;
  if (ParseOp(&rest, &r.op_)) {
    const std::string operand(TrimSpace(rest));
    if (operand.empty()) Fail(loc, fmt::format("rule '{}': a value or column after the operator", rule));
    std::int64_t units = 0;
    if (IsDateLiteral(operand)) {
      Seconds t = 0;
      const DateParser literal({}, tz);
      if (literal.Parse(operand, &t) != ParseStatus::kOk) {
        Fail(loc, fmt::format("rule '{}': '{}' is not a valid date", rule, operand));
      }
      r.kind_ = Kind::kCompareDay;
      r.lo_ = date::sys_days(literal.LocalDate(t)).time_since_epoch().count();
    } else if (ParseAmount(operand, &units) == ParseStatus::kOk) {
      r.kind_ = Kind::kCompareNumber;
      r.lo_ = units;
    } else {
      r.other_ = schema.Resolve(operand);
      if (r.other_ < 0) {
        Fail(loc, fmt::format("rule '{}': '{}' is not a number, a date (YYYY-MM-DD) or a column "
                              "({})",
                              rule, operand, schema.Describe()));
      }
      r.kind_ = Kind::kCompareColumn;
    }
    return r;
  }

  // A named kind, with arguments in parentheses for some.
  const std::size_t open = rule.find('(');
  std::string name(TrimSpace(rule.substr(0, open)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch | 0x20) : ch; });
  std::string_view args;
  if (open != std::string_view::npos) {
    const std::size_t close = rule.rfind(')');
    if (close == std::string_view::npos || close < open || !TrimSpace(rule.substr(close + 1)).empty()) {
      Fail(loc, fmt::format("rule '{}': expected {}(…) with a closing parenthesis", rule, name));
    }
    args = rule.substr(open + 1, close - open - 1);
  }
  auto no_args = [&](Kind k) {
    if (open != std::string_view::npos) Fail(loc, fmt::format("rule '{}' takes no arguments", name));
    r.kind_ = k;
  };
  auto bounds = [&](bool amount) {  // "lo, hi" with either side empty
    if (open == std::string_view::npos) {
      Fail(loc, fmt::format("rule '{}' needs bounds: {}(min, max), either may be empty", name, name));
    }
    const std::vector<std::string> parts = SplitArgs(args, loc);
    if (parts.size() != 2) {
      Fail(loc, fmt::format("rule '{}': expected {}(min, max), got {} argument{}", rule, name,
                            parts.size(), parts.size() == 1 ? "" : "s"));
    }
    std::int64_t* out[2] = {&r.lo_, &r.hi_};
    bool* has[2] = {&r.has_lo_, &r.has_hi_};
    for (int i = 0; i < 2; ++i) {
      const std::string& p = parts[static_cast<std::size_t>(i)];
      if (p.empty()) continue;
      std::int64_t v = 0;
      if (ParseAmount(p, &v) != ParseStatus::kOk || (!amount && (v % kAmountScale != 0 || v < 0))) {
        Fail(loc, fmt::format("rule '{}': '{}' is not {}", rule, p,
                              amount ? "a number" : "a whole number of characters"));
      }
      *out[i] = amount ? v : v / kAmountScale;
      *has[i] = true;
    }
    if (r.has_lo_ && r.has_hi_ && r.lo_ > r.hi_) {
      Fail(loc, fmt::format("rule '{}': the minimum is above the maximum", rule));
    }
  };
  if (name == "email") {
    no_args(Kind::kEmail);
  } else if (name == "phone") {
    no_args(Kind::kPhone);
  } else if (name == "date") {
    no_args(Kind::kDate);
  } else if (name == "number") {
    no_args(Kind::kNumber);
  } else if (name == "integer") {
    no_args(Kind::kInteger);
  } else if (name == "in") {
    if (open == std::string_view::npos) Fail(loc, "rule 'in' needs values: in(a, b, …)");
    r.kind_ = Kind::kIn;
    r.set_ = SplitArgs(args, loc);
    if (r.set_.size() == 1 && r.set_[0].empty()) Fail(loc, "rule 'in()' needs at least one value");
    std::sort(r.set_.begin(), r.set_.end());
  } else if (name == "range") {
    r.kind_ = Kind::kRange;
    bounds(true);
  } else if (name == "length") {
    r.kind_ = Kind::kLength;
    bounds(false);
  } else if (name == "regex") {
    if (open == std::string_view::npos) Fail(loc, "rule 'regex' needs a pattern: regex(PATTERN)");
    r.kind_ = Kind::kRegex;
    // RE2: linear time in the value's length and no recursion, so a 131,072-character
    // Salesforce long-text value or a pattern such as (a+)+b cannot hang or overflow the stack.
    RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(RE2::Options::EncodingUTF8);
    auto re = std::make_shared<const RE2>(re2::StringPiece(args.data(), args.size()), options);
    if (!re->ok()) {
      // Point at the part RE2 names (error_arg) inside the pattern, when the rule has a column.
      SourceLoc at = loc;
      if (at.column > 0) {
        std::size_t offset = static_cast<std::size_t>(args.data() - text.data());
        const std::size_t in_args = args.find(re->error_arg());
        if (!re->error_arg().empty() && in_args != std::string_view::npos) offset += in_args;
        at.column += static_cast<int>(CodePoints(text.substr(0, offset)));
      }
      Fail(at, fmt::format("rule '{}': bad regular expression: {} ('{}'); patterns are RE2 "
                           "syntax (no back-references or look-around, see docs/quality.md)",
                           rule, re->error(), re->error_arg()));
    }
    r.regex_ = std::move(re);
    r.pattern_ = std::string(args);
  } else {
    const std::string hint =
        DidYouMean(name, std::vector<std::string>(std::begin(kKinds), std::end(kKinds)));
    Fail(loc, fmt::format("unknown validity rule '{}'{}; rules: {}", name, hint, KindList()));
  }
  return r;
}

ValidityRule::Outcome ValidityRule::Check(RowContext& row, bool missing) {
  for (Where& w : when_) {
    if (!w.Matches(row)) return Outcome::kNotApplicable;
  }
  if (missing) return Outcome::kMissing;
  bool applicable = true;
  const bool ok = Valid(row, row.Text(column_), &applicable);
  if (!applicable) return Outcome::kNotApplicable;
  return ok ? Outcome::kValid : Outcome::kInvalid;
}

bool ValidityRule::Valid(RowContext& row, std::string_view value, bool* applicable) {
  std::int64_t x = 0;
  switch (kind_) {
    case Kind::kEmail:
      return IsEmail(value);
    case Kind::kPhone:
      return IsPhone(value);
    case Kind::kDate: {
      Seconds t = 0;
      return row.Instant(column_, &t) == ParseStatus::kOk;
    }
    case Kind::kNumber:
      return row.Amount(column_, &x) == ParseStatus::kOk;
    case Kind::kInteger:
      return row.Amount(column_, &x) == ParseStatus::kOk &&
             value.find('.') == std::string_view::npos &&
             value.find("\xEF\xBC\x8E") == std::string_view::npos;  // full-width ．
    case Kind::kIn:
      return std::binary_search(set_.begin(), set_.end(), value, std::less<>{});
    case Kind::kRange:
      return row.Amount(column_, &x) == ParseStatus::kOk && (!has_lo_ || x >= lo_) &&
             (!has_hi_ || x <= hi_);
    case Kind::kLength: {
      const std::int64_t n = CodePoints(value);
      return (!has_lo_ || n >= lo_) && (!has_hi_ || n <= hi_);
    }
    case Kind::kRegex:
      return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *regex_);
    case Kind::kCompareNumber:
      return row.Amount(column_, &x) == ParseStatus::kOk && Compare(op_, x, lo_);
    case Kind::kCompareDay:
      return row.Day(column_, &x) == ParseStatus::kOk && Compare(op_, x, lo_);
    case Kind::kCompareColumn: {
      if (row.Text(other_).empty()) {
        *applicable = false;
        return false;
      }
      std::int64_t y = 0;
      const bool x_num = row.Amount(column_, &x) == ParseStatus::kOk;
      const bool y_num = row.Amount(other_, &y) == ParseStatus::kOk;
      if (x_num && y_num) return Compare(op_, x, y);
      Seconds tx = 0, ty = 0;
      const bool x_date = row.Instant(column_, &tx) == ParseStatus::kOk;
      const bool y_date = row.Instant(other_, &ty) == ParseStatus::kOk;
      if (x_date && y_date) return Compare(op_, tx, ty);
      if (!x_num && !x_date) return false;  // the value itself is neither: invalid
      *applicable = false;                  // the other side is not comparable
      return false;
    }
  }
  return false;
}

}  // namespace crmkpi
