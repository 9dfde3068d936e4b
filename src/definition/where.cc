// Where's tests of a row: the RowContext (the current row, its memoised amount and date
// parses) and a bound where's evaluation (Matches' tree walk, Decide's three-valued walk, the
// single-condition range and emptiness tests); parser: where_parser.cc, binding: where_bind.cc.
#include "crmkpi/definition/where.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/date_time.h"
#include "where_bind.h"

namespace crmkpi {

using where_internal::Bit;

namespace {

using NodeKind = WhereExpr::Node::Kind;

}  // namespace

// ---------------------------------------------------------------------------------------------
// RowContext

RowContext::RowContext(const RowSchema& schema, const DateParser& dates, StageRules* stages)
    : plain_dates_(std::size_t{1} << kPlainDateBits),
      memo_(schema.size()),
      day_cache_(1024),
      dates_(&dates),
      stages_(stages),
      stage_column_(schema.roles()[Role::kStage]),
      is_won_column_(schema.roles()[Role::kIsWon]),
      is_closed_column_(schema.roles()[Role::kIsClosed]) {}

std::uint8_t RowContext::MarkBit(std::string_view code) {
  for (std::size_t i = 0; i < std::size(kMarkCodes); ++i) {
    if (kMarkCodes[i] == code) return static_cast<std::uint8_t>(1u << i);
  }
  return 0;
}

void RowContext::ParseAmountInto(int column, Memo& m) {
  m.amount_gen = generation_;
  m.amount_status = decimal_comma_ ? ParseAmountDecimalComma(fields_[column], &m.amount)
                                   : ParseAmount(fields_[column], &m.amount);
  if (m.amount_status == ParseStatus::kOk) {
    // A currency mark: any byte beyond digits, separators, signs and parentheses.
    const std::string_view text = fields_[column];
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
      return (c >= '0' && c <= '9') || c == ',' || c == '.' || c == '-' || c == '+' ||
             c == ' ' || c == '(' || c == ')';
    });
    if (!plain) {
      if (const std::uint8_t bit = MarkBit(AmountCurrencyMark(text)); bit != 0) {
        add_amount_marks(column, bit);
      }
    }
  }
  if (m.amount_status == ParseStatus::kInvalid && invalid_hook_) {
    invalid_hook_("invalid_amount", column);
  }
}

inline RowContext::PlainDateMemo* RowContext::PlainDateSlot(std::string_view text,
                                                           std::uint64_t* key) {
  // The memo of plain dates: a direct-mapped table (16-byte entries, 64 KiB) on the date's
  // eight digits, which the instant of a date's local midnight is a function of (so a
  // remembered parse stays right), indexed by the date's place in a decade of 404-day years
  // (the year's last digit, then month × 31 + day): the dates of any ten years have slots of
  // their own. The index reads the digits' low bits only; a text that is not a date may land
  // anywhere, and the key decides. Null when the dashes are not where a plain date has them.
  std::uint64_t head = 0;
  std::uint16_t tail = 0;
  std::memcpy(&head, text.data(), 8);
  std::memcpy(&tail, text.data() + 8, 2);
  if (((head >> 32) & 0xFF) != '-' || (head >> 56) != '-') return nullptr;
  *key = (head & 0xFFFFFFFFull) | (((head >> 40) & 0xFFFF) << 32) | (std::uint64_t{tail} << 48);
  const char* b = text.data();
  auto u = [b](int i) { return static_cast<unsigned>(static_cast<unsigned char>(b[i])); };
  const unsigned day_of_year =
      ((u(5) & 1) * 10 + (u(6) & 0xF)) * 31 + (u(8) & 3) * 10 + (u(9) & 0xF);  // < 404
  const unsigned slot = ((u(3) & 0xF) * 404 + day_of_year) & ((1u << kPlainDateBits) - 1);
  return &plain_dates_[slot];
}

// The memo's hit, or an empty field (missing): no call, so the callers' fast paths save no
// registers.
inline bool RowContext::PlainDateHit(int column, Memo& m) {
  const std::string_view text = fields_[column];
  if (text.empty()) {
    m.date_gen = m.day_gen = generation_;
    m.date_status = m.day_status = ParseStatus::kEmpty;
    return true;
  }
  if (text.size() != 10) return false;
  std::uint64_t key = 0;
  const PlainDateMemo* e = PlainDateSlot(text, &key);
  if (e == nullptr || e->key != key) return false;
  m.day = e->day;
  m.instant = Seconds{e->day} * 86400 - e->offset;
  m.date_gen = m.day_gen = generation_;
  m.date_status = m.day_status = ParseStatus::kOk;
  return true;
}

bool RowContext::PlainDate(int column, Memo& m) {
  const std::string_view text = fields_[column];
  if (text.size() != 10) return false;
  if (!dates_->ParsePlainDate(text, &m.instant, &m.day)) return false;
  std::uint64_t key = 0;
  if (PlainDateMemo* e = PlainDateSlot(text, &key)) {
    *e = {key, static_cast<std::int32_t>(m.day),
          static_cast<std::int32_t>(m.day * 86400 - m.instant)};
  }
  m.date_gen = m.day_gen = generation_;
  m.date_status = m.day_status = ParseStatus::kOk;
  return true;
}

void RowContext::ParseInstant(int column, Memo& m) {
  m.date_gen = generation_;
  m.date_status = dates_->Parse(fields_[column], &m.instant);
  if (m.date_status == ParseStatus::kInvalid && invalid_hook_) {
    invalid_hook_("invalid_date", column);
  }
}

void RowContext::ParseDateInto(int column, Memo& m) {
  if (PlainDateHit(column, m)) return;
  ParseDateSlow(column, m);
}

void RowContext::ParseDateSlow(int column, Memo& m) {
  if (!PlainDate(column, m)) ParseInstant(column, m);
}

void RowContext::ParseDayInto(int column, Memo& m) {
  if (m.date_gen != generation_ && PlainDateHit(column, m)) return;
  ParseDaySlow(column, m);
}

void RowContext::ParseDaySlow(int column, Memo& m) {
  const bool parsed = m.date_gen == generation_;
  if (parsed || !PlainDate(column, m)) {
    if (!parsed) ParseInstant(column, m);
    m.day_gen = generation_;
    m.day_status = m.date_status;
    if (m.day_status == ParseStatus::kOk) m.day = LocalDay(m.instant);
  }
}

std::int64_t RowContext::LocalDay(Seconds t) {
  auto slot_of = [](Seconds x, std::size_t mask) {
    const std::uint64_t h = static_cast<std::uint64_t>(x) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> 32) & mask;
  };
  std::size_t mask = day_cache_.size() - 1;
  std::size_t i = slot_of(t, mask);
  for (; day_cache_[i].instant != INT64_MIN; i = (i + 1) & mask) {
    if (day_cache_[i].instant == t) return day_cache_[i].day;
  }
  const std::int64_t day = date::sys_days(dates_->LocalDate(t)).time_since_epoch().count();
  if (day_cache_size_ * 2 >= day_cache_.size()) {
    if (day_cache_.size() >= kDayCacheMax) return day;  // full: timestamps, not dates
    std::vector<DayCacheEntry> old(day_cache_.size() * 2);
    old.swap(day_cache_);
    mask = day_cache_.size() - 1;
    for (const DayCacheEntry& e : old) {
      if (e.instant == INT64_MIN) continue;
      std::size_t j = slot_of(e.instant, mask);
      while (day_cache_[j].instant != INT64_MIN) j = (j + 1) & mask;
      day_cache_[j] = e;
    }
    i = slot_of(t, mask);
    while (day_cache_[i].instant != INT64_MIN) i = (i + 1) & mask;
  }
  day_cache_[i] = {t, day};
  ++day_cache_size_;
  return day;
}

ParseStatus RowContext::QuietAmount(int column, std::int64_t* units) {
  const Memo& m = memo_[static_cast<std::size_t>(column)];
  if (m.amount_gen == generation_) {
    *units = m.amount;
    return m.amount_status;
  }
  const std::string_view text = fields_[column];
  if (ParsePlainDigits(text, units)) return ParseStatus::kOk;
  return decimal_comma_ ? ParseAmountDecimalComma(text, units) : ParseAmount(text, units);
}

ParseStatus RowContext::QuietInstant(int column, Seconds* t) {
  const Memo& m = memo_[static_cast<std::size_t>(column)];
  if (m.date_gen == generation_) {
    *t = m.instant;
    return m.date_status;
  }
  return dates_->Parse(fields_[column], t);
}

ParseStatus RowContext::QuietDay(int column, std::int64_t* day) {
  const Memo& m = memo_[static_cast<std::size_t>(column)];
  if (m.day_gen == generation_) {
    *day = m.day;
    return m.day_status;
  }
  Seconds t = 0;
  const ParseStatus status = QuietInstant(column, &t);
  if (status == ParseStatus::kOk) *day = LocalDay(t);
  return status;
}

const StageInfo& RowContext::Stage() {
  static const StageInfo kOpen{};
  if (stages_ == nullptr || stage_column_ < 0) return kOpen;
  if (stage_gen_ != generation_) {
    stage_gen_ = generation_;
    stage_ = &stages_->Lookup(fields_[stage_column_]);
    if (is_won_column_ >= 0 || is_closed_column_ >= 0) [[unlikely]] {
      const auto flag = [&](int c) {
        return c < 0 ? std::optional<bool>() : ParseFlag(fields_[c]);
      };
      flagged_ = stages_->WithFlags(*stage_, flag(is_won_column_), flag(is_closed_column_));
      // The flags may change the class of a stage value: its id (what per-value tables such as
      // the engine's row plans are keyed by) tells the classes apart, three ids per value.
      flagged_.id = stage_->id * 3 + static_cast<std::uint32_t>(flagged_.cls);
      stage_ = &flagged_;
    }
  }
  return *stage_;
}

// ---------------------------------------------------------------------------------------------
// Where

bool Where::Eval(int index, RowContext& row) {
  const BoundNode& n = nodes_[static_cast<std::size_t>(index)];
  switch (n.kind) {
    case NodeKind::kAnd:
      for (int i = n.first; i < n.first + n.count; ++i) {
        if (!Eval(children_[static_cast<std::size_t>(i)], row)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (int i = n.first; i < n.first + n.count; ++i) {
        if (Eval(children_[static_cast<std::size_t>(i)], row)) return true;
      }
      return false;
    case NodeKind::kNot:
      return !Eval(children_[static_cast<std::size_t>(n.first)], row);
    default:
      return Test(conds_[static_cast<std::size_t>(n.first)], row);
  }
}

bool Where::StageHolds(const Cond& c, RowContext& row) {
  if (c.check == Check::kStageClass) {
    return ((c.stage_mask & Bit(row.Stage().cls)) != 0) != c.negated;
  }
  const StageInfo& s = row.Stage();
  switch (s.cls) {
    case StageClass::kWon:
      return true;
    case StageClass::kLost:
      return c.lost_reached;
    case StageClass::kOpen:
      return s.order >= 0 && s.order >= c.reached_index;
  }
  return false;
}

Where::Outcome Where::Decide(RowContext& row, int column) {
  if (root_ < 0) return Outcome::kTrue;
  return DecideNode(root_, row, column).outcome;
}

Where::Decided Where::DecideNode(int index, RowContext& row, int column) {
  const BoundNode& n = nodes_[static_cast<std::size_t>(index)];
  switch (n.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      // 'and' stops at the first false child, 'or' at the first true one: that outcome decides
      // the node when every child before it is pure (testing it has no side effect either way),
      // and then the row's test of the node has none. All children decided the other way
      // decide it too. (A decided node is pure: the row tests only pure conditions in it.)
      const Outcome stop = n.kind == NodeKind::kAnd ? Outcome::kFalse : Outcome::kTrue;
      const Outcome go = n.kind == NodeKind::kAnd ? Outcome::kTrue : Outcome::kFalse;
      bool all_go = true;
      bool pure = true;  // every child so far
      for (int i = n.first; i < n.first + n.count; ++i) {
        const Decided kid = DecideNode(children_[static_cast<std::size_t>(i)], row, column);
        if (kid.outcome == stop && pure) return {stop, true};
        all_go = all_go && kid.outcome == go;
        pure = pure && kid.pure;
      }
      return all_go ? Decided{go, true} : Decided{Outcome::kUnknown, pure};
    }
    case NodeKind::kNot: {
      Decided d = DecideNode(children_[static_cast<std::size_t>(n.first)], row, column);
      if (d.outcome == Outcome::kTrue) {
        d.outcome = Outcome::kFalse;
      } else if (d.outcome == Outcome::kFalse) {
        d.outcome = Outcome::kTrue;
      }
      return d;
    }
    default: {
      Cond& c = conds_[static_cast<std::size_t>(n.first)];
      const bool known = IsStage(c) || (column >= 0 && c.column == column && IsText(c));
      const bool pure = IsStage(c) || IsText(c);
      if (!known) return {Outcome::kUnknown, pure};
      return {Test(c, row) ? Outcome::kTrue : Outcome::kFalse, true};
    }
  }
}

bool Where::AsRangeTest(RangeOf* of, RangeTest* test) {
  if (!single_) return false;
  Cond& c = conds_[0];
  switch (c.check) {
    case Check::kAmountRange:
      *of = RangeOf::kAmount;
      break;
    case Check::kDayRange:
      *of = RangeOf::kDay;
      break;
    case Check::kInstantRange:
      *of = RangeOf::kInstant;
      break;
    default:
      return false;
  }
  *test = {c.column, c.range_lo, c.range_hi, c.range_negated, &c.invalid};
  return true;
}

bool Where::AsEmptyTest(int* column, bool* negated) const {
  if (!single_ || conds_[0].check != Check::kIsEmpty) return false;
  *column = conds_[0].column;
  *negated = conds_[0].negated;
  return true;
}

bool Where::TestsText(int column) const {
  return std::any_of(conds_.begin(), conds_.end(),
                     [&](const Cond& c) { return c.column == column && IsText(c); });
}

bool Where::TestOther(Cond& c, RowContext& row) {
  if (c.value_kind == ValueKind::kColumns) return TestColumns(c, row);
  if (c.value_kind == ValueKind::kDuration) return TestDifference(c, row);
  std::int64_t x = 0;
  if (c.value_kind == ValueKind::kText) {
    const std::string_view text = row.Text(c.column);
    if (text.empty()) return false;  // missing is not a value (R5)
    switch (c.kind) {
      case NodeKind::kCompare:
        return Compare(c.op, text, std::string_view(c.text_lo));
      case NodeKind::kIn:
        return std::binary_search(c.text_set.begin(), c.text_set.end(), text,
                                  std::less<>{}) != c.negated;
      case NodeKind::kBetween:
        return (text >= std::string_view(c.text_lo) && text <= std::string_view(c.text_hi)) !=
               c.negated;
      default:
        return false;
    }
  }
  ParseStatus status = ParseStatus::kInvalid;
  switch (c.value_kind) {
    case ValueKind::kNumber:
      status = row.Amount(c.column, &x);
      break;
    case ValueKind::kDay:
      status = row.Day(c.column, &x);
      break;
    case ValueKind::kInstant: {
      Seconds t = 0;
      status = row.Instant(c.column, &t);
      x = t;
      break;
    }
    case ValueKind::kText:
    case ValueKind::kColumns:
    case ValueKind::kDuration:
      break;
  }
  // An empty (or blank) value parses as kEmpty: missing is not a value (R5).
  if (status != ParseStatus::kOk) {
    if (status == ParseStatus::kInvalid) ++c.invalid;
    return false;
  }
  switch (c.kind) {
    case NodeKind::kCompare:
      return Compare(c.op, x, c.lo);
    case NodeKind::kIn:
      return std::binary_search(c.set.begin(), c.set.end(), x) != c.negated;
    case NodeKind::kBetween:
      return (x >= c.lo && x <= c.hi) != c.negated;
    default:
      return false;
  }
}

// Two columns: numbers when both values are amounts, else dates when both are dates (calendar
// days when either is date-only), else text when neither is a number or a date; a number or a
// date beside a value of another kind is not comparable: false, counted.
bool Where::TestColumns(Cond& c, RowContext& row) {
  const std::string_view a = row.Text(c.column), b = row.Text(c.column2);
  if (a.empty() || b.empty()) return false;  // missing is not a value (R5)
  std::int64_t x = 0, y = 0;
  const bool a_number = row.QuietAmount(c.column, &x) == ParseStatus::kOk;
  const bool b_number = row.QuietAmount(c.column2, &y) == ParseStatus::kOk;
  if (a_number && b_number) return Compare(c.op, x, y);
  Seconds s = 0, t = 0;
  const bool a_date = row.QuietInstant(c.column, &s) == ParseStatus::kOk;
  const bool b_date = row.QuietInstant(c.column2, &t) == ParseStatus::kOk;
  if (a_date && b_date) {
    if (DateHasTime(a) && DateHasTime(b)) return Compare(c.op, s, t);
    row.QuietDay(c.column, &x);
    row.QuietDay(c.column2, &y);
    return Compare(c.op, x, y);
  }
  if (!a_number && !b_number && !a_date && !b_date) return Compare(c.op, a, b);
  ++c.invalid;
  return false;
}

// TO − FROM (column − column2) against the duration(s) in seconds, as the engine's durations:
// whole calendar days when one end is date-only and the other has a time.
bool Where::TestDifference(Cond& c, RowContext& row) {
  Seconds to = 0, from = 0;
  const ParseStatus ts = row.Instant(c.column, &to);
  const ParseStatus fs = row.Instant(c.column2, &from);
  if (ts != ParseStatus::kOk || fs != ParseStatus::kOk) {
    if (ts == ParseStatus::kInvalid || fs == ParseStatus::kInvalid) ++c.invalid;
    return false;
  }
  std::int64_t d = 0;
  if (DateHasTime(row.Raw(c.column)) != DateHasTime(row.Raw(c.column2))) {
    std::int64_t to_day = 0, from_day = 0;
    row.Day(c.column, &to_day);
    row.Day(c.column2, &from_day);
    d = (to_day - from_day) * 86400;
  } else {
    d = to - from;
  }
  if (d < 0) return false;  // TO before FROM: a data error, in no duration
  if (c.kind == NodeKind::kBetween) return (d >= c.lo && d <= c.hi) != c.negated;
  return Compare(c.op, d, c.lo);
}

std::uint64_t Where::invalid_values() const {
  std::uint64_t n = 0;
  for (const Cond& c : conds_) n += c.invalid;
  return n;
}

bool Where::uses_stage() const {
  for (const Cond& c : conds_) {
    if (c.kind == NodeKind::kStageIs || c.kind == NodeKind::kStageReached) return true;
  }
  return false;
}

}  // namespace crmkpi
