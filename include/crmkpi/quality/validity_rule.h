// ValidityRule: one validity rule of a `crmkpi check` validity check, bound to a column of a
// source, evaluated per row.
//
//   rule := kind ['when' where-expression]
//   kind := email                    value_syntax.h IsEmail
//         | phone                    value_syntax.h IsPhone
//         | date                     the source's DateParser (date_format / automatic formats)
//         | number                   ParseAmount (1,234.5, ¥1,200, (12), full-width digits)
//         | integer                  a number written without a decimal point
//         | in(v1, v2, …)            one of the values, exact bytes after trimming; quote a value
//                                    holding a comma or parenthesis: in('a,b', c)
//         | range(lo, hi)            a number with lo <= x <= hi; either bound may be empty
//         | length(min, max)         min <= code points (after trimming) <= max; either empty
//         | regex(PATTERN)           RE2 regular expression (linear time, no recursion) matching
//                                    the whole trimmed value; PATTERN is everything between the
//                                    first '(' and the last ')'
//         | OP operand               OP: = != < <= > >=; operand: a number (compares as
//                                    numbers), a date YYYY-MM-DD (compares local calendar days),
//                                    or a column name (cross-field: `>= created_at`)
//
// Outcome per row (docs/quality.md): kNotApplicable when the `when` condition does not hold, or
// for a cross-field rule when the other column is empty or not comparable; kMissing when the
// value is missing (empty after trimming, or a missing token — completeness' business, not
// validity's); else kValid or kInvalid. A cross-field comparison compares as numbers when both
// values parse as numbers, else as instants when both parse as dates, else the row is not
// applicable; a value that parses as neither is invalid.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/where.h"

namespace re2 {
class RE2;
}

namespace crmkpi {

class ValidityRule {
 public:
  enum class Outcome { kValid, kInvalid, kMissing, kNotApplicable };

  // Binds |text| (a rule, optionally with " when …") and the separate |when| (the INI key; both
  // may be given, and are then both required) to |column| of |schema|. Throws Error(kUsage) at
  // |loc| for an unknown rule kind (with a did-you-mean), bad arguments, an unknown column in a
  // cross-field operand or in the when-expression, or a bad regex.
  static ValidityRule Bind(std::string_view text, std::string_view when, int column,
                           const RowSchema& schema, const StageRules& rules,
                           const std::string& tz, const SourceLoc& loc);

  // |missing| says whether the row's value is missing (the caller's definition, with tokens).
  Outcome Check(RowContext& row, bool missing);

  // The rule as written, without its when-part ("email", ">= created_at").
  const std::string& text() const { return text_; }
  const std::string& when() const { return when_text_; }

  // The bound rule, for compiling it elsewhere (sql/check_sql.cc): its kind and arguments.
  enum class Kind : std::uint8_t {
    kEmail, kPhone, kDate, kNumber, kInteger, kIn, kRange, kLength, kRegex,
    kCompareNumber, kCompareDay, kCompareColumn
  };
  Kind kind() const { return kind_; }
  WhereOp op() const { return op_; }                   // the comparisons
  int other() const { return other_; }                 // kCompareColumn: the other column
  const std::vector<std::string>& set() const { return set_; }  // kIn
  // range (amount units), length (code points), the comparison's literal (amount units, or the
  // day number of a date): lo() with has_lo(), hi() with has_hi().
  bool has_lo() const { return has_lo_; }
  bool has_hi() const { return has_hi_; }
  std::int64_t lo() const { return lo_; }
  std::int64_t hi() const { return hi_; }
  const std::string& pattern() const { return pattern_; }  // kRegex, as written
  // The `when` conditions as written (the rule's own, then the INI key's), all required.
  const std::vector<std::string>& when_texts() const { return when_texts_; }

 private:
  bool Valid(RowContext& row, std::string_view value, bool* applicable);

  Kind kind_ = Kind::kEmail;
  std::string text_, when_text_;
  int column_ = -1;
  int other_ = -1;  // kCompareColumn
  WhereOp op_ = WhereOp::kEq;
  std::vector<std::string> set_;  // kIn, sorted
  bool has_lo_ = false, has_hi_ = false;
  std::int64_t lo_ = 0, hi_ = 0;  // range (amount units), length, compare literal
  std::shared_ptr<const re2::RE2> regex_;
  std::string pattern_;
  std::vector<std::string> when_texts_;
  std::vector<Where> when_;  // 0, 1 or 2 conditions, all required
};

}  // namespace crmkpi
