// Where: the row filter language of a metric's `where =` and a source's `filter =`.
//
//   expr    := or
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | '(' expr ')' | cond                (keywords are case-insensitive)
//   cond    := operand op value                               op: = != < <= > >=
//            | operand ['not'] 'in' '(' value (',' value)* ')'
//            | operand 'is' ['not'] 'empty'
//            | operand ['not'] 'between' value 'and' value    (inclusive)
//            | operand '-' operand op duration                (TO − FROM: closed - created < 1d)
//            | operand '-' operand ['not'] 'between' duration 'and' duration
//            | 'stage' 'is' ['not'] ('won' | 'lost' | 'open' | 'closed')
//            | 'stage' 'reached' value
//   operand := bare name [A-Za-z_][A-Za-z0-9_.]* (non-ASCII letters allowed, e.g. 所有者)
//            | "double quoted" | `backticked`                 (header names with spaces)
//   value   := number (12, 1.5, -3; no thousands separators: quote '1,000')
//            | 'single' or "double" quoted text ('' or "" inside for a quote)
//            | bare word | date YYYY-MM-DD
//            | `backticked`: another column (close_date > `due date`)
//   duration := a non-negative number and a unit d, h, m or s: 1d, 48h, 1.5d, 90m, 30s
//
// Operands are resolved when the expression is bound to a source (RowSchema::Resolve): a role
// mapped explicitly (map.ROLE, --map) by its name; the exact header name; then LOOKUP.COLUMN when the text before the first '.' is the id of a lookup
// joined onto the source (checked before the insensitive match, whose normal form drops '.',
// so that region.code is the lookup's column, not a source column region_code); then a
// case/space-insensitive header match (FindColumn); then a role name (owner, stage, amount,
// created, ...) through the source's RoleBinding.
//
// Semantics (docs/kpis.md R5: missing is not a value):
//   - Field values and literals are trimmed (TrimSpace).
//   - An empty (missing) value satisfies only `is empty`. Every other condition is false for it,
//     including `!=`, `not in` and `not between`: `owner != 'Bob'` is false for an empty owner,
//     while `not (owner = 'Bob')` is true (the negation of a false condition).
//   - The comparison kind is decided per condition when binding, from its literal(s):
//       * every literal an unquoted number  → the field is parsed with ParseAmount (exact fixed
//         point, so 1.5 = "1.50" = "$1.5"); a field that does not parse makes the condition
//         false and is counted (Where::invalid_values, and the RowContext's invalid hook);
//       * every literal a date (unquoted YYYY-MM-DD, or quoted text the automatic DateParser
//         accepts) → the field is parsed with the source's DateParser. Date-only literals compare
//         the field's local calendar date in the source's zone (`created = 2024-03-01` matches
//         "2024-03-01 15:00"); a quoted literal with a time ('2024-03-01 12:00') compares
//         instants. Invalid dates: false and counted, as for numbers;
//       * otherwise text: exact bytes after trimming; < <= > >= are byte-wise lexicographic.
//     A quoted number ('12') is text: quote a literal to force a text comparison.
//   - Two columns (`a OP \`b\``, or `a < b`, `a <= b`, `a > b`, `a >= b` with a bare word b that
//     names a column: exact header, LOOKUP.COLUMN, case/space-insensitive header, role; with
//     = and != a bare word stays text, so `source = Email` is unchanged beside an Email column):
//     decided per row — numbers when both values parse as amounts; else dates when both parse
//     as dates (calendar days in the source's zone when either is date-only, else instants);
//     text (bytes after trimming) when neither is a number or a date; a number or date beside
//     a value of another kind makes the condition false and is counted (invalid). The second
//     column's parse warns about nothing: it is read as whichever kind the first one is.
//   - A difference of two date columns (`closed - created < 1d`): TO − FROM as the engine's
//     durations take it (docs/kpis.md R4): whole calendar days × 24 h when one value is
//     date-only and the other has a time, else the instants' difference; compared in seconds
//     with the duration literal(s). A missing end makes it false; an invalid date false and
//     counted; a negative difference (TO before FROM, a data error) false.
//   - `stage is won|lost|open|closed` uses the source's StageRules (closed = won or lost; an
//     empty stage is open, as in the deals report). `stage is not X` is its negation.
//   - `stage reached S`: won → true; open → its stage is in the source's stage order at or after
//     S; not in the order → false; lost → the source's lost_reached policy (opportunity → true,
//     lead or exclude → false). S must be in the order (checked when binding).
//
// Errors, all Error(kUsage) at the location inside the where text (the INI value location plus
// the offset in characters; on a continuation line only the line is known):
//   syntax (WhereExpr::Parse):  kpi.ini:14:23: expected a value after '='
//   binding (Where::Bind):      kpi.ini:14:17: unknown column 'ownr' in where (the header has
//                               'a', 'b'; roles: owner, stage)
//
// Evaluation allocates nothing: conditions hold resolved column indexes and pre-parsed literals,
// and the RowContext memoises the per-row parse of each column (amount, date) so that several
// conditions and metrics reading one column parse it once per row.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

// The columns a row of a source offers: the CSV header (indexes 0..header_size()-1), then the
// columns of each lookup joined onto the source, named "LOOKUP.COLUMN".
class RowSchema {
 public:
  RowSchema() = default;
  RowSchema(std::vector<std::string> header, RoleBinding roles);

  // Appends the columns of lookup |id|; returns the index of its first column.
  int AddLookup(std::string_view id, const std::vector<std::string>& columns);

  // Column index of |name| (exact header, LOOKUP.COLUMN, FindColumn, role), or -1.
  int Resolve(std::string_view name) const;

  std::size_t size() const { return names_.size(); }
  std::size_t header_size() const { return header_.size(); }
  // Header name, or "LOOKUP.COLUMN" for a lookup column.
  const std::string& name(int column) const { return names_[static_cast<std::size_t>(column)]; }
  const std::vector<std::string>& header() const { return header_; }
  const RoleBinding& roles() const { return roles_; }

  // "the header has 'a', 'b'; roles: owner, stage[; lookup columns: r.x, r.y]" for messages.
  std::string Describe() const;

 private:
  struct Lookup {
    std::string id;
    std::vector<std::string> columns;
    int first = 0;
  };
  std::vector<std::string> header_;
  RoleBinding roles_;
  std::vector<std::string> names_;
  std::vector<Lookup> lookups_;
};

// The row being evaluated, shared by every predicate and metric of a source. Parses of a column
// (amount, date, local day) are memoised for the current row: SetRow bumps a generation counter,
// so nothing is cleared or allocated per row.
class RowContext {
 public:
  // |stages| may be null when no condition uses `stage is` / `stage reached` (Stage() then
  // returns an open stage). The schema, parser and rules must outlive the context.
  RowContext(const RowSchema& schema, const DateParser& dates, StageRules* stages);

  // Starts a row: |fields| holds schema.size() views (header columns, then lookup columns),
  // valid until the next SetRow.
  void SetRow(const std::string_view* fields) {
    fields_ = fields;
    ++generation_;
  }

  std::string_view Raw(int column) const { return fields_[column]; }
  // Trimmed. The accessors are always inline: the row loop calls them several times per row.
  [[gnu::always_inline]] std::string_view Text(int column) const {
    return TrimSpace(fields_[column]);
  }
  // Each parsed at most once per row and column (the memo): a value read by several metrics
  // and filters costs one parse; the checks of the memo are inline, the parsing is not.
  [[gnu::always_inline]] ParseStatus Amount(int column, std::int64_t* units) {
    Memo& m = memo_[static_cast<std::size_t>(column)];
    if (m.amount_gen != generation_) {
      if (ParsePlainDigits(fields_[column], &m.amount)) {  // no call for plain digits
        m.amount_gen = generation_;
        m.amount_status = ParseStatus::kOk;
      } else {
        ParseAmountInto(column, m);
      }
    }
    *units = m.amount;
    return m.amount_status;
  }
  [[gnu::always_inline]] ParseStatus Instant(int column, Seconds* t) {
    Memo& m = memo_[static_cast<std::size_t>(column)];
    if (m.date_gen != generation_) ParseDateInto(column, m);
    *t = m.instant;
    return m.date_status;
  }
  // Local calendar date (days since 1970-01-01) in the parser's zone.
  [[gnu::always_inline]] ParseStatus Day(int column, std::int64_t* day) {
    Memo& m = memo_[static_cast<std::size_t>(column)];
    if (m.day_gen != generation_) ParseDayInto(column, m);
    *day = m.day;
    return m.day_status;
  }
  // Classification of the stage role's value (cached per distinct raw value by StageRules).
  const StageInfo& Stage();
  int stage_column() const { return stage_column_; }  // -1: none

  // Called at most once per row and column and kind, when a non-empty value fails to parse:
  // kind "invalid_amount" or "invalid_date". Set once, before the rows (no per-row cost).
  void set_invalid_hook(std::function<void(std::string_view kind, int column)> hook) {
    invalid_hook_ = std::move(hook);
  }

  const DateParser& dates() const { return *dates_; }

  // Amounts written with a decimal comma (ParseAmountDecimalComma): `decimal = comma`.
  void set_decimal_comma(bool on) { decimal_comma_ = on; }
  bool decimal_comma() const { return decimal_comma_; }

  // |column| parsed as an amount, an instant or a local day without reporting an invalid
  // value (a comparison of two columns tries both kinds): the memo's parse when the row's
  // value was parsed already, else parsed now and not remembered (so a later Amount or Instant
  // of the column still reports it). Allocates nothing.
  ParseStatus QuietAmount(int column, std::int64_t* units);
  ParseStatus QuietInstant(int column, Seconds* t);
  ParseStatus QuietDay(int column, std::int64_t* day);

  // The currencies named by marks in |column|'s amounts parsed so far ($ ¥ € £ 円, JPY…;
  // AmountCurrencyMark), as bits of kMarkCodes; a plain number has none. A source without a
  // currency column knows its money's currency from them (docs/kpis.md, "Currencies").
  static constexpr std::string_view kMarkCodes[] = {"JPY", "USD", "EUR", "GBP"};
  std::uint8_t amount_marks(int column) const {
    return static_cast<std::size_t>(column) < marks_.size() ? marks_[static_cast<std::size_t>(column)] : 0;
  }
  void add_amount_marks(int column, std::uint8_t bits) {
    if (static_cast<std::size_t>(column) >= marks_.size()) marks_.resize(std::size_t(column) + 1, 0);
    marks_[static_cast<std::size_t>(column)] |= bits;
  }
  // The bit of a code AmountCurrencyMark returns (0 for "").
  static std::uint8_t MarkBit(std::string_view code);

 private:
  struct Memo {
    std::uint64_t amount_gen = 0, date_gen = 0, day_gen = 0;
    ParseStatus amount_status = ParseStatus::kEmpty, date_status = ParseStatus::kEmpty,
                day_status = ParseStatus::kEmpty;
    std::int64_t amount = 0;
    Seconds instant = 0;
    std::int64_t day = 0;
  };

  // Instant → local day (open addressing, up to kDayCacheMax entries, then no more inserts):
  // exports hold few distinct dates, so LocalDate (zone offset and civil-calendar conversions)
  // runs about once per distinct date instead of once per row and column.
  struct DayCacheEntry {
    Seconds instant = INT64_MIN;  // never an instant Parse produces: empty
    std::int64_t day = 0;
  };
  static constexpr std::size_t kDayCacheMax = std::size_t{1} << 16;
  std::int64_t LocalDay(Seconds t);
  // The instant and the day of a bare YYYY-MM-DD at once (DateParser::ParsePlainDate), so
  // date-only values skip Parse and the day cache; false = take the general path. PlainDateHit
  // only looks in the memo (plain_dates_); PlainDate parses and remembers.
  struct PlainDateMemo;
  [[gnu::always_inline]] PlainDateMemo* PlainDateSlot(std::string_view text, std::uint64_t* key);
  bool PlainDateHit(int column, Memo& m);
  bool PlainDate(int column, Memo& m);
  [[gnu::noinline]] void ParseDateSlow(int column, Memo& m);
  [[gnu::noinline]] void ParseDaySlow(int column, Memo& m);
  // The general path: DateParser::Parse into the memo, reporting an invalid value.
  void ParseInstant(int column, Memo& m);
  // The memo's misses: parse the current row's value of |column| into |m|.
  void ParseAmountInto(int column, Memo& m);
  void ParseDateInto(int column, Memo& m);
  void ParseDayInto(int column, Memo& m);
  std::vector<std::uint8_t> marks_;  // by column: amount_marks
  std::size_t day_cache_size_ = 0;
  // Plain dates (YYYY-MM-DD) parsed before: a few thousand distinct dates fill millions of rows.
  struct PlainDateMemo {
    std::uint64_t key = 0;  // the eight digits (0: empty)
    std::int32_t day = 0;     // days since 1970-01-01
    std::int32_t offset = 0;  // local midnight − instant, seconds
  };
  static constexpr unsigned kPlainDateBits = 12;
  std::vector<PlainDateMemo> plain_dates_;

  const std::string_view* fields_ = nullptr;
  std::uint64_t generation_ = 0;
  std::vector<Memo> memo_;
  std::vector<DayCacheEntry> day_cache_;
  const DateParser* dates_;
  StageRules* stages_;
  int stage_column_ = -1;
  std::uint64_t stage_gen_ = 0;
  const StageInfo* stage_ = nullptr;
  // Boolean won/closed columns (Salesforce IsWon, IsClosed): when bound, they decide won, lost
  // or open over the stage value's words (StageRules::WithFlags); the row's result lives here.
  bool decimal_comma_ = false;
  int is_won_column_ = -1;
  int is_closed_column_ = -1;
  StageInfo flagged_;
  std::function<void(std::string_view, int)> invalid_hook_;
};

enum class WhereOp : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// a OP b.
template <typename T, typename U>
bool Compare(WhereOp op, const T& a, const U& b) {
  switch (op) {
    case WhereOp::kEq:
      return a == b;
    case WhereOp::kNe:
      return a != b;
    case WhereOp::kLt:
      return a < b;
    case WhereOp::kLe:
      return a <= b;
    case WhereOp::kGt:
      return a > b;
    case WhereOp::kGe:
      return a >= b;
  }
  return false;
}

// A where text parsed (syntax checked) but not bound to a source.
class WhereExpr {
 public:
  struct Literal {
    // kDuration: 1d, 48h (a difference's bound); kColumn: `backticked`, another column.
    enum class Kind : std::uint8_t { kNumber, kDate, kQuoted, kWord, kDuration, kColumn };
    Kind kind = Kind::kWord;
    std::string text;    // unquoted
    std::size_t at = 0;  // byte offset in the where text
  };
  struct Node {
    enum class Kind : std::uint8_t {
      kAnd, kOr, kNot, kCompare, kIn, kIsEmpty, kBetween, kStageIs, kStageReached
    };
    Kind kind = Kind::kCompare;
    std::vector<int> children;  // kAnd, kOr: two or more; kNot: one
    std::string operand;        // column name as written (unquoted)
    std::size_t operand_at = 0;
    // A difference `operand - operand2` (kCompare, kBetween): TO − FROM compared with
    // duration literals. Empty otherwise.
    std::string operand2;
    std::size_t operand2_at = 0;
    WhereOp op = WhereOp::kEq;
    bool negated = false;         // not in, is not empty, not between, stage is not
    std::vector<Literal> values;  // compare: 1, in: 1+, between: 2, stage reached: 1
    std::string stage_class;      // kStageIs: "won", "lost", "open" or "closed"
  };

  // Parses |text| (empty or blank = every row). |loc| is where the text starts in the INI file.
  // Throws Error(kUsage) for syntax errors, located inside the text.
  static WhereExpr Parse(std::string_view text, const SourceLoc& loc);

  bool empty() const { return root_ < 0; }
  const std::string& text() const { return text_; }
  const SourceLoc& loc() const { return loc_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  int root() const { return root_; }

  // The location of byte |offset| of the text.
  SourceLoc LocAt(std::size_t offset) const;

 private:
  friend class WhereParser;
  std::string text_;
  SourceLoc loc_;
  std::vector<Node> nodes_;
  int root_ = -1;
};

// A where expression bound to a source: evaluate with Matches(row) once per row.
class Where {
 public:
  Where() = default;  // matches every row

  // Resolves the operands against |schema| and decides each condition's comparison kind.
  // |rules| gives `stage is` / `stage reached` their meaning; |tz| is the zone quoted date
  // literals are read in (the source's); |what| names the text in messages ("where",
  // "filter"). Throws Error(kUsage) for unknown columns, `stage` conditions without a stage
  // column or order, and stages not in the order.
  static Where Bind(const WhereExpr& expr, const RowSchema& schema, const StageRules& rules,
                    const std::string& tz, std::string_view what = "where");
  // Parse + Bind.
  static Where Compile(std::string_view text, const SourceLoc& loc, const RowSchema& schema,
                       const StageRules& rules, const std::string& tz,
                       std::string_view what = "where");

  [[gnu::always_inline]] bool Matches(RowContext& row) {
    // Most where texts are one condition, or an 'and' of conditions: test them without the
    // tree walk.
    if (single_) return Test(conds_[0], row);
    if (root_ < 0) return true;
    if (flat_and_) {
      for (Cond& c : conds_) {
        if (!Test(c, row)) return false;
      }
      return true;
    }
    return Eval(root_, row);
  }
  // What the row's stage and the trimmed text of |column| (-1: no column) make of the where on
  // their own: kTrue or kFalse when they decide it, else kUnknown. Only conditions on them are
  // tested, and those have no side effects; an outcome is decided only when the row's own test
  // would not have tested a condition that counts invalid values before the deciding one (the
  // 'and' and 'or' stop at their first false and true). So every row with the same stage value
  // and text has that outcome, and the row loop decides it once for them all.
  enum class Outcome : std::uint8_t { kFalse, kTrue, kUnknown };
  Outcome Decide(RowContext& row, int column);
  // True when a condition is a text test of |column| (=, in, is empty, text order): Decide
  // with that column may decide it (as it may any where that uses_stage).
  bool TestsText(int column) const;
  // A where that is one number or date comparison (= != < <= > >=, [not] between) as a plain
  // range test, which the metric engine's row loop runs without the condition switch; false
  // for any other where. The test counts invalid values into the condition, as Matches does.
  struct RangeTest {
    int column = -1;
    std::int64_t lo = 0, hi = 0;  // inclusive (empty when lo > hi)
    bool negated = false;
    std::uint64_t* invalid = nullptr;
  };
  enum class RangeOf : std::uint8_t { kAmount, kDay, kInstant };
  bool AsRangeTest(RangeOf* of, RangeTest* test);
  // A where that is one 'is [not] empty': its column and whether it is negated.
  bool AsEmptyTest(int* column, bool* negated) const;
  [[gnu::always_inline]] static bool TestRange(const RangeTest& t, ParseStatus status,
                                               std::int64_t x) {
    if (status != ParseStatus::kOk) {
      if (status == ParseStatus::kInvalid) ++*t.invalid;
      return false;
    }
    return ((x >= t.lo) & (x <= t.hi)) != t.negated;
  }
  bool always() const { return root_ < 0; }
  const std::string& text() const { return text_; }
  // Evaluations where a field compared as a number or date did not parse (condition false).
  std::uint64_t invalid_values() const;
  // True when any condition reads the stage classification (the RowContext needs StageRules).
  bool uses_stage() const;

 private:
  // kColumns: two columns compared (column, column2), the kind decided per row; kDuration: a
  // difference column − column2 in seconds against lo (hi).
  enum class ValueKind : std::uint8_t { kText, kNumber, kDay, kInstant, kColumns, kDuration };
  // How Test decides a condition, chosen when binding so that a row takes one switch to the
  // code of its kind, with the common text tests (=, a short in list) as inline byte compares.
  enum class Check : std::uint8_t {
    kStageClass,    // stage is [not] won|lost|open|closed
    kStageReached,  // stage reached S
    kIsEmpty,       // is [not] empty
    kTextEqual,     // = 'non-empty text'
    kTextIn,        // [not] in a few non-empty texts
    kAmountRange,   // a number compared (= != < <= > >=, [not] between): range_lo..range_hi
    kDayRange,      // the same for a date-only literal
    kInstantRange,  // the same for a literal with a time
    kOther,         // every other comparison (text order, in lists of numbers or dates)
  };
  static constexpr std::size_t kMaxLinearIn = 8;  // kTextIn: longer lists are binary searched
  struct Cond {
    WhereExpr::Node::Kind kind = WhereExpr::Node::Kind::kCompare;
    Check check = Check::kOther;
    int column = -1;
    int column2 = -1;  // kColumns: the other column; kDuration: FROM (column is TO)
    WhereOp op = WhereOp::kEq;
    bool negated = false;
    ValueKind value_kind = ValueKind::kText;
    std::int64_t lo = 0, hi = 0;     // compare: lo; between: lo..hi (number units, day, instant)
    std::string text_lo, text_hi;     // the same for text
    std::vector<std::int64_t> set;    // in: sorted
    std::vector<std::string> text_set;  // in: sorted
    std::int64_t range_lo = 0, range_hi = 0;  // k*Range: inclusive (empty when lo > hi)
    bool range_negated = false;               // k*Range: != and not between
    std::uint8_t stage_mask = 0;      // kStageIs: bit per StageClass
    int reached_index = 0;            // kStageReached: position in the order
    bool lost_reached = false;        // kStageReached: lost deals count as reached
    std::uint64_t invalid = 0;
  };
  struct BoundNode {
    WhereExpr::Node::Kind kind = WhereExpr::Node::Kind::kCompare;
    int first = 0, count = 0;  // kAnd/kOr/kNot: children_[first, first + count); cond: conds_[first]
  };

  bool Eval(int node, RowContext& row);
  // Inline: the engine tests several conditions per row, and a call per test (saving the
  // registers a big switch needs) cost as much as the common tests themselves.
  [[gnu::always_inline]] bool Test(Cond& c, RowContext& row) {
    switch (c.check) {
      case Check::kStageClass:
      case Check::kStageReached:
        return StageHolds(c, row);
      case Check::kAmountRange: {
        std::int64_t x = 0;
        const ParseStatus status = row.Amount(c.column, &x);
        return InRange(c, status, x);
      }
      case Check::kDayRange: {
        std::int64_t x = 0;
        const ParseStatus status = row.Day(c.column, &x);
        return InRange(c, status, x);
      }
      case Check::kInstantRange: {
        Seconds x = 0;
        const ParseStatus status = row.Instant(c.column, &x);
        return InRange(c, status, x);
      }
      case Check::kIsEmpty:
        return row.Text(c.column).empty() != c.negated;
      case Check::kTextEqual:  // an empty value never equals the non-empty literal
        return SameBytes(row.Text(c.column), c.text_lo);
      case Check::kTextIn: {
        const std::string_view text = row.Text(c.column);
        if (text.empty()) return false;  // missing is not a value (R5)
        bool in = false;
        for (const std::string& t : c.text_set) in |= SameBytes(text, t);
        return in != c.negated;
      }
      case Check::kOther:
        break;
    }
    return TestOther(c, row);
  }
  // A parsed value against a k*Range condition (|status| not kOk: false, invalid counted).
  static bool InRange(Cond& c, ParseStatus status, std::int64_t x) {
    return TestRange({c.column, c.range_lo, c.range_hi, c.range_negated, &c.invalid}, status, x);
  }
  static bool StageHolds(const Cond& c, RowContext& row);
  bool TestOther(Cond& c, RowContext& row);
  static bool TestColumns(Cond& c, RowContext& row);
  static bool TestDifference(Cond& c, RowContext& row);
  // Decide's walk: the node's outcome, and whether testing it has no side effects.
  struct Decided {
    Outcome outcome = Outcome::kUnknown;
    bool pure = true;
  };
  Decided DecideNode(int node, RowContext& row, int column);
  static bool IsStage(const Cond& c) {
    return c.check == Check::kStageClass || c.check == Check::kStageReached;
  }
  // A test of the trimmed text (never counts an invalid value).
  static bool IsText(const Cond& c) {
    return c.check == Check::kIsEmpty || c.check == Check::kTextEqual ||
           c.check == Check::kTextIn ||
           (c.check == Check::kOther && c.value_kind == ValueKind::kText);
  }
  static int ResolveOperand(const WhereExpr& expr, const RowSchema& schema,
                            const std::string& name, std::size_t at, std::string_view what,
                            bool required);
  int BindNode(const WhereExpr& expr, int node, const RowSchema& schema, const StageRules& rules,
               const DateParser& literal_dates, std::string_view what);

  std::string text_;
  std::vector<BoundNode> nodes_;
  std::vector<int> children_;
  std::vector<Cond> conds_;
  int root_ = -1;
  bool flat_and_ = false;  // the root is an 'and' of conditions only (conds_ in its order)
  bool single_ = false;    // the where is one condition, conds_[0]
};

}  // namespace crmkpi
