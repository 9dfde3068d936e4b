// ValueExpr: the arithmetic of a [metric]'s `value =`, a number per row computed from the row's
// columns — the weighted pipeline Σ 金額 × 確度 is `type = sum` with
//
//   value = amount * probability / 100
//   value = 金額 × 確度                       (a probability column holding "60%")
//   value = ("List Price" - discount) * quantity
//
// Grammar (white space, U+3000 included, is insignificant):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | primary
//   primary := number ['%'] | column | '(' expr ')'
//   number  := digits ['.' digits]                  (12, 0.5, 100; 60% = 0.6)
//   column  := bare name [A-Za-z_][A-Za-z0-9_.]* (non-ASCII letters allowed: 金額, 確度)
//            | "double quoted" | `backticked`        (header names with spaces)
// The operators may also be written × ÷ and full width ＋ － ＊ ／ （ ）, as Japanese IMEs type
// them. Columns resolve as a where's operands do (RowSchema::Resolve: a mapped role, the exact
// header, LOOKUP.COLUMN, the case/space-insensitive header, a role name).
//
// Per row (Eval): every column is read as an amount (RowContext::Amount: separators, currency
// marks, full-width digits; the source's decimal comma), or, when its text ends in '%' or '％',
// as a percent: "60%" = 0.6, "12.5 %" = 0.125 (the amount parser itself takes no '%'). The
// arithmetic runs in extended precision (long double) and the result is rounded half away from
// zero to the engine's fixed point (1/10,000), so every row's value is exact from there on and
// the sums do not depend on the order of the rows. A row is left out, with the reason of the
// first operand (left to right) that has none: an empty column → kMissing, one that does not
// parse → kInvalid (warned about once per column, as any invalid amount); a division by zero
// → kDivisionByZero; a result beyond ±9.2 × 10^14 → kInvalid.
//
// Errors (Error(kUsage), located inside the text as where's are):
//   syntax (Parse):   kpi.ini:12:18: expected a column, a number or '(' after '*'
//   binding (Bind):   kpi.ini:12:9: unknown column 'probabilty' in value (the header has …)
//
// Evaluation allocates nothing: the expression is compiled to a postfix program over a stack
// sized when binding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/where.h"

namespace crmkpi {

class ValueExpr {
 public:
  enum class Status : std::uint8_t { kOk, kMissing, kInvalid, kDivisionByZero };

  ValueExpr() = default;

  // Parses |text|; |loc| is where it starts in the INI file. Throws Error(kUsage) for syntax
  // errors, located at their column.
  static ValueExpr Parse(std::string_view text, const SourceLoc& loc);

  // Resolves the columns against |schema| (|what| names the text in messages: "value").
  // Throws Error(kUsage) at the column's location for an unknown or ambiguous name.
  void Bind(const RowSchema& schema, std::string_view what = "value");

  // The value of the bound expression on |row|, in amount units (1/10,000), or why not.
  Status Eval(RowContext& row, std::int64_t* units);

  const std::string& text() const { return text_; }
  // The column names as written, each once, in order of first use.
  const std::vector<std::string>& names() const { return names_; }
  // After Bind: the schema column of each name.
  const std::vector<int>& columns() const { return columns_; }
  // Canonical text (single spaces around binary operators, parentheses only where needed, names
  // quoted when they are not bare names); Parse(ToString()) is the same expression.
  std::string ToString() const;

  // The parsed tree, for a compiler of the expression (sql/): nodes()[root()], each an operator
  // over left/right, a number (its spelling as written) or a column (names()[name]).
  enum class Op : std::uint8_t { kNumber, kColumn, kNeg, kAdd, kSub, kMul, kDiv };
  struct Node {
    Op op = Op::kNumber;
    long double number = 0;  // kNumber
    std::string spelling;    // kNumber: as written ("100", "60%")
    int name = -1;           // kColumn: index in names_
    int left = -1, right = -1;
    std::size_t at = 0;  // byte offset in the text
    int depth = 1;
  };
  const std::vector<Node>& nodes() const { return nodes_; }
  int root() const { return root_; }

 private:
  friend class ValueExprParser;
  struct Step {  // the postfix program
    Op op = Op::kNumber;
    long double number = 0;
    int column = -1;  // kColumn: schema column
  };
  std::string Print(int node, int parent_precedence, bool right_side) const;

  std::string text_;
  SourceLoc loc_;
  std::vector<Node> nodes_;
  int root_ = -1;
  std::vector<std::string> names_;
  std::vector<std::size_t> name_at_;  // byte offset of each name's first use
  std::vector<int> columns_;
  std::vector<Step> program_;
  std::vector<long double> stack_;
};

}  // namespace crmkpi
