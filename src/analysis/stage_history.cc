#include "crmkpi/analysis/stage_history.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/key_table.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/date_order.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/read/warning_log.h"
#include "crmkpi/values/amount.h"

namespace crmkpi {
namespace {

constexpr std::size_t kSampleBytes = 80;

// Stage value → index into StageHistory::stages: the --stages order first (normal forms, as
// StageRules compares), then stages not in the order, appended as they are first seen.
class StageIndex {
 public:
  StageIndex(StageHistory* h, StageRules* rules) : h_(h), rules_(rules) {
    for (std::size_t i = 0; i < h->stages.size(); ++i) {
      by_normal_.emplace(StageRules::Normalize(h->stages[i]), static_cast<int>(i));
    }
  }
  // The index of |raw| (trimmed, non-empty); *unknown is set when it is not in the order.
  int Find(std::string_view raw, bool* unknown) {
    auto it = by_raw_.find(raw);
    if (it == by_raw_.end()) {
      const std::string normal = StageRules::Normalize(raw);
      auto n = by_normal_.find(normal);
      if (n == by_normal_.end()) {
        h_->stages.emplace_back(raw);
        h_->classes.push_back(rules_->Lookup(raw).cls);
        n = by_normal_.emplace(normal, static_cast<int>(h_->stages.size() - 1)).first;
      }
      it = by_raw_.emplace(std::string(raw), n->second).first;
    }
    *unknown = h_->ordered > 0 && static_cast<std::size_t>(it->second) >= h_->ordered;
    return it->second;
  }

 private:
  StageHistory* h_;
  StageRules* rules_;
  std::unordered_map<std::string, int> by_normal_;
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> by_raw_;
};

[[noreturn]] void MissingRole(const std::string& what, const char* role,
                              const std::vector<std::string>& header, const std::string& file) {
  throw Error::Usage(fmt::format("dwell: no {} column (role {}) in {}; the header has {}; map one "
                                 "with --map {}=COLUMN",
                                 what, role, file, QuoteHeaders(header), role));
}

// Header → normal form without quotes, for matching "Date entered \"Stage (Pipeline)\"".
std::string EntryNormal(std::string_view header) {
  std::string n = NormalizeHeader(header);
  n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return c == '"' || c == '\''; }),
          n.end());
  return n;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The stage as the export spells it in an entry header — `Closed Lost` from
// `Date entered "Closed Lost (Sales Pipeline)"` — when that is |name| up to case and spacing;
// else |name| (a built-in default such as "closed lost" is lower case).
std::string StageNameInHeader(std::string_view header, const std::string& name) {
  std::string lower(header);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; });
  const std::size_t at = lower.find("entered");
  if (at == std::string::npos) return name;
  std::string_view rest = header.substr(at + 7);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '"' || rest.front() == '\'')) {
    rest.remove_prefix(1);
  }
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '"' || rest.back() == '\'')) {
    rest.remove_suffix(1);
  }
  if (!rest.empty() && rest.back() == ')') {  // the pipeline: "Closed Lost (Sales Pipeline)"
    const std::size_t open = rest.rfind('(');
    if (open != std::string_view::npos) rest = TrimSpace(rest.substr(0, open));
  }
  return NormalizeHeader(rest) == NormalizeHeader(name) ? std::string(rest) : name;
}

// What every part of a read shares, fixed before any row is read: the header, the columns of
// the roles, the layout and the stages known up front.
struct HistoryBinding {
  const StageHistoryOptions* options = nullptr;
  std::vector<std::string> header;
  RoleBinding roles;
  std::vector<int> by;
  bool wide = false;
  std::vector<std::pair<int, int>> entries;  // wide: (stage index, column)
  std::vector<bool> shared;                  // wide: entries[i]'s column serves several stages
  int id = -1, stage = -1, time = -1;        // columns
  bool day_first = false;  // numeric dates with the year last are D/M/Y (date_order, decided)
  StageHistory start;  // its stages, classes and ordered: the parts' first stage indexes
};

// The rows of one part of the input — all of it, or one chunk or block of the parallel pass —
// read under the part's own deal and stage indexes. Parts merge in file order
// (HistoryReader::Merge) into exactly what one serial read gives.
//
// Long layout: whether a row is out of order depends on the deal's rows in earlier parts, so a
// part keeps every usable row and the merge decides, replaying the rows in file order against
// each deal's latest time so far. The first row that is out of order in a part is, for some
// deal, either its first row in the part (earlier than the deal's rows before the part) or its
// first row earlier than the deal's own rows before it in the part; the part keeps where those
// two are, so the warning names the same row as a serial read.
class HistoryPart {
 public:
  struct Row {
    std::uint32_t deal;  // the part's deal index
    std::int32_t stage;  // the part's stage index
    Seconds t;
    std::uint64_t line;
  };
  struct Spot {  // a field that may be the first one warned about
    std::uint64_t line = 0, column = 0;
    std::string sample;
  };
  struct DealMarks {
    Seconds latest = 0;  // the latest time of the deal's rows in the part
    std::size_t first_row = 0;  // index in rows
    Spot first;
    std::size_t first_late = kNone;  // its first row earlier than a row before it in the part
    Spot late;
  };
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  // |first|: the part starts the input, so no row before it can make its rows out of order.
  HistoryPart(const HistoryBinding& b, bool first)
      : b_(b),
        first_(first),
        rules_(b.options->stages),
        dates_(b.options->date_format, b.options->tz) {
    dates_.set_day_first(b.day_first);
    h.stages = b.start.stages;
    h.classes = b.start.classes;
    h.ordered = b.start.ordered;
    index_ = std::make_unique<StageIndex>(&h, &rules_);
  }

  void Read(CsvReader& reader) {
    reader_ = &reader;
    if (b_.wide) {
      ReadWide();
    } else {
      ReadLong();
    }
    reader_ = nullptr;
  }

  StageHistory h;           // counts, stages (those known up front, then new ones), deals
  std::vector<Row> rows;    // long: the usable rows in file order
  std::vector<DealMarks> marks;  // long: by the part's deal index
  KeyTable ids;                  // long: deal id → the part's deal index
  WarningLog warnings;      // every warning but out_of_order (decided by the merge)
  std::vector<std::uint64_t> warning_lines;  // the line of the record of each one's first

 private:
  template <typename What>
  void Warn(const char* kind, int column, const CsvRow& row, std::string_view sample,
            What&& what) {
    warnings.Add(kind, 0, column, [&] {
      warning_lines.push_back(row.line);
      DataWarning w;
      w.column = column >= 0 ? b_.header[static_cast<std::size_t>(column)] : std::string();
      w.first = reader_->Locate(column >= 0 ? static_cast<std::size_t>(column) : 0);
      w.sample = std::string(sample.substr(0, kSampleBytes));
      w.message = column >= 0 ? fmt::format("'{}': {}", w.column, what()) : std::string(what());
      return w;
    });
  }

  Spot SpotOf(const CsvRow& row, int column) const {
    const SourceLoc at = reader_->Locate(static_cast<std::size_t>(column));
    return {at.line, at.column, std::string(Field(row, column).substr(0, kSampleBytes))};
  }

  // The field of |column| in |row|, "" when the row is short.
  static std::string_view Field(const CsvRow& row, int column) {
    return column >= 0 && static_cast<std::size_t>(column) < row.fields.size()
               ? TrimSpace(row.fields[static_cast<std::size_t>(column)])
               : std::string_view();
  }

  // A deal's attributes from |row| (its latest row in the long layout).
  void SetAttributes(DealHistory* d, const CsvRow& row) {
    d->owner.assign(Field(row, b_.roles[Role::kOwner]));
    d->amount.reset();
    std::int64_t units = 0;
    const int amount = b_.roles[Role::kAmount];
    if (amount >= 0 && ParseAmount(Field(row, amount), &units) == ParseStatus::kOk) {
      d->amount = units;
    }
    d->by.resize(b_.by.size());
    for (std::size_t i = 0; i < b_.by.size(); ++i) d->by[i].assign(Field(row, b_.by[i]));
  }

  // Parses |column| of |row| as a time; counts and warns about missing and invalid ones.
  bool Time(const CsvRow& row, int column, Seconds* t) {
    const std::string_view text = Field(row, column);
    switch (dates_.Parse(text, t)) {
      case ParseStatus::kOk:
        if (!h.latest || *t > *h.latest) h.latest = *t;
        return true;
      case ParseStatus::kEmpty:
        ++h.missing_time;
        return false;
      case ParseStatus::kInvalid:
        ++h.invalid_time;
        Warn("invalid_date", column, row, text,
             [] { return "is not a date; the row is left out"; });
        return false;
    }
    return false;
  }

  void CheckWidth(const CsvRow& row) {
    if (row.fields.size() == b_.header.size()) return;
    // Two statements: FieldCountMessage sets |at|, and the order in which a call's arguments are
    // evaluated is unspecified (GCC reported column 1 here, clang column 11).
    std::size_t at = 0;
    const std::string message = FieldCountMessage(b_.header, row.fields.size(), &at);
    throw Error::Input(message, reader_->Locate(at));
  }

  void ReadLong() {
    CsvRow row;
    while (reader_->Next(&row)) {
      CheckWidth(row);
      ++h.input.rows;
      const std::string_view deal_id = Field(row, b_.id);
      const std::string_view stage_text = Field(row, b_.stage);
      if (deal_id.empty()) {
        ++h.missing_id;
        Warn("missing_id", b_.id, row, "", [] { return "no deal id; the row is left out"; });
        continue;
      }
      if (stage_text.empty()) {
        ++h.missing_stage;
        Warn("missing_stage", b_.stage, row, "", [] { return "no stage; the row is left out"; });
        continue;
      }
      Seconds t = 0;
      if (!Time(row, b_.time, &t)) continue;
      bool inserted = false;
      const std::uint32_t d = ids.FindOrInsert(deal_id, &inserted);
      if (inserted) {
        h.deals.emplace_back();
        h.deals.back().id = std::string(deal_id);
        h.deals.back().line = row.line;
        marks.push_back({t, rows.size(), first_ ? Spot{} : SpotOf(row, b_.time), kNone, {}});
        SetAttributes(&h.deals.back(), row);
      } else {
        DealMarks& m = marks[d];
        if (t < m.latest) {
          if (m.first_late == kNone) {
            m.first_late = rows.size();
            m.late = SpotOf(row, b_.time);
          }
        } else {
          // The latest row (the last of equal times) gives the deal's attributes.
          m.latest = t;
          SetAttributes(&h.deals[d], row);
        }
      }
      bool unknown = false;
      const int s = index_->Find(stage_text, &unknown);
      // Won and lost values need not be in the order (a deal is lost from any stage).
      if (unknown && h.classes[static_cast<std::size_t>(s)] != StageClass::kOpen) unknown = false;
      if (unknown) {
        ++h.unknown_stage;
        Warn("unknown_stage", b_.stage, row, stage_text, [] {
          return "is not in --stages; its visits are kept, without conversion";
        });
      }
      rows.push_back({d, s, t, row.line});
    }
  }

  void ReadWide() {
    struct Entry {
      Seconds t;
      int stage;
    };
    std::vector<Entry> found;
    CsvRow row;
    while (reader_->Next(&row)) {
      CheckWidth(row);
      ++h.input.rows;
      DealHistory d;
      d.line = row.line;
      const std::string_view deal_id = Field(row, b_.id);
      d.id = deal_id.empty() ? fmt::format("line {}", row.line) : std::string(deal_id);
      int current = -1;
      if (b_.stage >= 0) {
        const std::string_view text = Field(row, b_.stage);
        if (!text.empty()) {
          bool unknown = false;
          current = index_->Find(text, &unknown);
          if (unknown && h.classes[static_cast<std::size_t>(current)] != StageClass::kOpen) {
            unknown = false;
          }
          if (unknown) {
            ++h.unknown_stage;
            Warn("unknown_stage", b_.stage, row, text,
                 [] { return "is not in --stages; the deal's current stage has no entry date"; });
          }
        }
      }
      found.clear();
      for (std::size_t i = 0; i < b_.entries.size(); ++i) {
        const auto [s, column] = b_.entries[i];
        if (b_.shared[i] && s != current) continue;
        if (Field(row, column).empty()) continue;
        Seconds t = 0;
        if (Time(row, column, &t)) found.push_back({t, s});
      }
      std::stable_sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) {
        return a.t != b.t ? a.t < b.t : a.stage < b.stage;
      });
      for (std::size_t i = 0; i < found.size(); ++i) {
        if (i > 0 && found[i - 1].t == found[i].t) {
          if (h.duplicate_timestamps++ == 0) h.first_duplicate_line = row.line;
        }
        StageVisit v{found[i].stage, found[i].t, std::nullopt, false, row.line};
        if (i + 1 < found.size()) v.exit = found[i + 1].t;
        d.visits.push_back(v);
      }
      if (current < 0 && !d.visits.empty()) current = d.visits.back().stage;
      if (current >= 0 && (d.visits.empty() || d.visits.back().stage != current)) {
        // In a stage with no entry date: it left its last dated stage at an unknown time.
        ++h.stage_without_date;
        if (!d.visits.empty()) d.visits.back().exit_unknown = true;
      }
      d.current = current;
      SetAttributes(&d, row);
      h.deals.push_back(std::move(d));
    }
  }

  const HistoryBinding& b_;
  bool first_;
  StageRules rules_;  // its own: the stage cache is written while reading
  DateParser dates_;
  std::unique_ptr<StageIndex> index_;
  CsvReader* reader_ = nullptr;
};

class HistoryReader {
 public:
  explicit HistoryReader(const StageHistoryOptions& o)
      : o_(o), used_(o.encoding), rules_(o.stages) {
    // The order of numeric dates is decided from the first rows, read again by the pass.
    sample_dates_ = o.date_format.empty() && o.date_order == "auto";
    if (sample_dates_) RecordInput(o.file);
    reader_ = std::make_unique<CsvReader>(OpenInput(o.file, o.encoding, &used_), o.csv);
    h_.input.name = reader_->name();
    h_.input.encoding = EncodingName(used_);
    h_.input.encoding_detected = used_.detected();
    b_.options = &o;
    b_.header = reader_->ReadHeader();
    h_.input.delimiter = reader_->delimiter();
    b_.roles = BindRoles(b_.header, o.mappings, reader_->name());
    h_.stages = o.stages.order;
    h_.ordered = h_.stages.size();
    for (const std::string& s : h_.stages) h_.classes.push_back(rules_.Lookup(s).cls);
    index_ = std::make_unique<StageIndex>(&h_, &rules_);
    for (const std::string& b : o.by) {
      int c = FindColumn(b_.header, b);
      if (c < 0) {
        if (const auto role = ParseRole(b)) c = b_.roles[*role];
      }
      if (c < 0) {
        throw Error::Usage(fmt::format("--by: unknown column '{}' in {}; the header has {}", b,
                                       reader_->name(), QuoteHeaders(b_.header)));
      }
      b_.by.push_back(c);
      h_.by_names.push_back(b);
    }
  }

  StageHistory Read() {
    Bind();
    DecideDateOrder();
    ReadParts();
    if (!b_.wide) MakeVisits();
    h_.warnings = warnings_.Take();
    if (date_order_) h_.warnings.insert(h_.warnings.begin(), *date_order_);
    if (h_.duplicate_timestamps > 0) {
      DataWarning w;
      w.kind = "duplicate_timestamp";
      w.count = h_.duplicate_timestamps;
      w.first = {reader_->name(), h_.first_duplicate_line, 0};
      w.message = b_.wide ? "stages of one deal entered at the same time: ordered as in --stages, "
                            "the earlier stage's visit lasts 0 days"
                          : "stage changes of one deal at the same time: kept in file order, the "
                            "earlier stage's visit lasts 0 days";
      h_.warnings.push_back(w);
    }
    return std::move(h_);
  }

 private:
  // The layout and its columns; every usage error comes here, before a row is read.
  void Bind() {
    b_.entries = EntryColumns();
    b_.wide = o_.layout == HistoryLayout::kWide ||
              (o_.layout == HistoryLayout::kAuto && !b_.entries.empty());
    b_.id = b_.roles[Role::kId];
    b_.stage = b_.roles[Role::kStage];
    if (b_.wide) {
      if (b_.entries.empty()) {
        throw Error::Usage(fmt::format(
            "dwell: wide layout but no entry-date columns in {}: give --entered STAGE=COLUMN "
            "(or --stages with columns named like date_entered_<stage>); the header has {}",
            reader_->name(), QuoteHeaders(b_.header)));
      }
      h_.layout = HistoryLayout::kWide;
      // Columns mapped to several stages count only for the stage the deal is in.
      b_.shared.assign(b_.entries.size(), false);
      for (std::size_t i = 0; i < b_.entries.size(); ++i) {
        for (std::size_t j = 0; j < b_.entries.size(); ++j) {
          if (i != j && b_.entries[i].second == b_.entries[j].second) b_.shared[i] = true;
        }
      }
    } else {
      h_.layout = HistoryLayout::kLong;
      b_.time = b_.roles.has(Role::kChanged) ? b_.roles[Role::kChanged] : b_.roles[Role::kCreated];
      if (b_.id < 0) MissingRole("deal id", "id", b_.header, reader_->name());
      if (b_.stage < 0) MissingRole("stage", "stage", b_.header, reader_->name());
      if (b_.time < 0) MissingRole("stage-change time", "changed", b_.header, reader_->name());
    }
    b_.start.stages = h_.stages;
    b_.start.classes = h_.classes;
    b_.start.ordered = h_.ordered;
  }

  // Day or month first, from the first rows of the time columns (bind/date_order.h), unless
  // date_format or date_order says; the reader then starts again at the first record.
  void DecideDateOrder() {
    b_.day_first = o_.date_order == "dmy";
    if (!sample_dates_) return;
    std::vector<int> columns = DateRoleColumns(b_.roles);
    for (const auto& entry : b_.entries) {
      if (std::find(columns.begin(), columns.end(), entry.second) == columns.end()) {
        columns.push_back(entry.second);
      }
    }
    const DateOrderDecision d = SampleDateOrderAndReopen(
        o_.file, o_.encoding, o_.csv, columns,
        o_.date_order_fix.empty() ? DateOrderFixFlag() : o_.date_order_fix, &reader_, &used_);
    b_.day_first = d.day_first();
    if (!d.message.empty()) date_order_ = d.AsDataWarning();
  }

  // The rows: a large UTF-8 file in chunks on all cores, standard input and converted encodings
  // in blocks as they arrive, each part merged in file order; a part that fails makes the rest
  // be read serially, which reports the first error as a serial pass does.
  void ReadParts() {
    // The first part made starts the input. (A serial re-read after failed chunks is not told
    // so; it only keeps the first row's spot of every deal for nothing.)
    bool first = true;
    ReadInParts<HistoryPart>(
        o_.file, *reader_, used_, o_.parallel,
        [&] {
          auto part = std::make_unique<HistoryPart>(b_, first);
          first = false;
          return part;
        },
        [](HistoryPart& part, CsvReader& r) { part.Read(r); },
        [&](HistoryPart& part) { Merge(part); });
  }

  // Adds |part|, the rows after those merged so far.
  void Merge(HistoryPart& part) {
    StageHistory& p = part.h;
    // Stages first seen in the part: the same index as in a serial read, by name.
    std::vector<int> stage(p.stages.size());
    for (std::size_t s = 0; s < p.stages.size(); ++s) {
      bool unknown = false;
      stage[s] = s < b_.start.stages.size() ? static_cast<int>(s) : index_->Find(p.stages[s], &unknown);
    }
    h_.input.rows += p.input.rows;
    if (p.latest && (!h_.latest || *p.latest > *h_.latest)) h_.latest = p.latest;
    h_.duplicate_timestamps += p.duplicate_timestamps;
    if (h_.first_duplicate_line == 0) h_.first_duplicate_line = p.first_duplicate_line;
    h_.unknown_stage += p.unknown_stage;
    h_.missing_id += p.missing_id;
    h_.missing_stage += p.missing_stage;
    h_.missing_time += p.missing_time;
    h_.invalid_time += p.invalid_time;
    h_.stage_without_date += p.stage_without_date;
    if (b_.wide) {
      for (DealHistory& d : p.deals) {
        for (StageVisit& v : d.visits) v.stage = stage[static_cast<std::size_t>(v.stage)];
        if (d.current >= 0) d.current = stage[static_cast<std::size_t>(d.current)];
        h_.deals.push_back(std::move(d));
      }
      warnings_.Merge(part.warnings);
      return;
    }
    MergeLong(part, stage);
  }

  void MergeLong(HistoryPart& part, const std::vector<int>& stage) {
    StageHistory& p = part.h;
    // The part's deals: new ones in order of first appearance; a deal's attributes come from its
    // latest row (the last of equal times), here or in an earlier part. The first part's
    // indexes become the merged ones as they are.
    const bool adopt = ids_.size() == 0;
    std::vector<std::uint32_t> deal;
    if (adopt) {
      ids_ = std::move(part.ids);
      h_.deals = std::move(p.deals);
      latest_.assign(h_.deals.size(), std::numeric_limits<Seconds>::min());  // no row yet
      rows_ = std::move(part.rows);
    } else {
      deal.resize(p.deals.size());
      for (std::size_t j = 0; j < p.deals.size(); ++j) {
        bool inserted = false;
        deal[j] = ids_.FindOrInsert(p.deals[j].id, &inserted);
        if (inserted) {
          h_.deals.push_back(std::move(p.deals[j]));
          latest_.push_back(std::numeric_limits<Seconds>::min());
        } else if (part.marks[j].latest >= latest_[deal[j]]) {
          DealHistory& to = h_.deals[deal[j]];
          to.owner = std::move(p.deals[j].owner);
          to.amount = p.deals[j].amount;
          to.by = std::move(p.deals[j].by);
        }
      }
    }
    // Replay the rows in file order: a row earlier than a row of the same deal before it is out
    // of order. (Adopted rows are rewritten in place.)
    const bool ignore = o_.out_of_order == OutOfOrder::kIgnore;
    const std::vector<HistoryPart::Row>& from = adopt ? rows_ : part.rows;
    std::size_t kept = adopt ? 0 : rows_.size();
    if (!adopt) rows_.resize(rows_.size() + part.rows.size());
    std::uint64_t late = 0;
    std::optional<HistoryPart::Row> first_late;
    std::size_t first_late_index = 0;
    for (std::size_t i = 0; i < from.size(); ++i) {
      const HistoryPart::Row r = from[i];
      const std::uint32_t g = adopt ? r.deal : deal[r.deal];
      if (r.t < latest_[g]) {
        ++late;
        if (!first_late) {
          first_late = r;
          first_late_index = i;
        }
        if (ignore) continue;
      } else {
        latest_[g] = r.t;
      }
      rows_[kept++] = {g, stage[static_cast<std::size_t>(r.stage)], r.t, r.line};
    }
    rows_.resize(kept);
    h_.out_of_order += late;
    if (late > 0) {
      // The first such row is its deal's first row in the part or its first row earlier than an
      // earlier row in the part (see HistoryPart).
      const HistoryPart::DealMarks& m = part.marks[first_late->deal];
      const HistoryPart::Spot& at = first_late_index == m.first_row ? m.first : m.late;
      const std::string& column = b_.header[static_cast<std::size_t>(b_.time)];
      DataWarning w = FieldWarning(
          column, SourceLoc{reader_->name(), at.line, at.column}, at.sample,
          ignore ? "is earlier than an earlier row of the same deal; the row is left out "
                   "(--out-of-order ignore)"
                 : "is earlier than an earlier row of the same deal; rows are sorted by time");
      w.count = late;
      // In file order among the part's first occurrences: after those of earlier records, before
      // the record's own unknown_stage.
      const auto& lines = part.warning_lines;
      const std::size_t at_entry = static_cast<std::size_t>(
          std::lower_bound(lines.begin(), lines.end(), first_late->line) - lines.begin());
      part.warnings.Insert(at_entry, "out_of_order", 0, b_.time, std::move(w));
    }
    warnings_.Merge(part.warnings);
    part.rows.clear();
    part.rows.shrink_to_fit();
  }

  // Long layout: the rows of each deal in time order (ties: file order), runs of one stage as
  // one visit, each exited at the next visit's time.
  void MakeVisits() {
    std::stable_sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
      return a.deal != b.deal ? a.deal < b.deal : a.t < b.t;
    });
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      const Row& r = rows_[i];
      DealHistory& deal = h_.deals[r.deal];
      const bool same_deal = i > 0 && rows_[i - 1].deal == r.deal;
      if (same_deal && rows_[i - 1].t == r.t && rows_[i - 1].stage != r.stage) {
        ++h_.duplicate_timestamps;
        const std::uint64_t line = std::max(rows_[i - 1].line, r.line);  // the second of the two
        if (h_.first_duplicate_line == 0 || line < h_.first_duplicate_line) {
          h_.first_duplicate_line = line;
        }
      }
      if (same_deal && rows_[i - 1].stage == r.stage) continue;  // the same visit goes on
      if (!deal.visits.empty()) deal.visits.back().exit = r.t;
      deal.visits.push_back({r.stage, r.t, std::nullopt, false, r.line});
    }
    for (DealHistory& d : h_.deals) {
      if (!d.visits.empty()) d.current = d.visits.back().stage;
    }
  }

  // Wide layout: (stage index, column) pairs from --entered, else detected from the header.
  std::vector<std::pair<int, int>> EntryColumns() {
    std::vector<std::pair<int, int>> out;
    for (const auto& [stage, column] : o_.entered) {
      const int c = FindColumn(b_.header, column);
      if (c < 0) {
        throw Error::Usage(fmt::format("--entered {}={}: no column '{}' in {}; the header has {}",
                                       stage, column, column, reader_->name(),
                                       QuoteHeaders(b_.header)));
      }
      bool unknown = false;
      const int s = index_->Find(TrimSpace(stage), &unknown);
      if (unknown && h_.classes[static_cast<std::size_t>(s)] == StageClass::kOpen) {
        throw Error::Usage(fmt::format("--entered {}={}: '{}' is not in --stages (nor a won or "
                                       "lost value)",
                                       stage, column, stage));
      }
      out.emplace_back(s, c);
    }
    if (!out.empty() || o_.layout == HistoryLayout::kLong) return out;
    for (const auto& entry : DetectEntryColumns(b_.header, o_.stages)) {
      const int c = entry.second;  // a plain variable: clang 14 cannot capture a binding
      bool unknown = false;
      const int s = index_->Find(entry.first, &unknown);
      const bool seen = std::any_of(out.begin(), out.end(), [&](const std::pair<int, int>& e) {
        return e.first == s || e.second == c;
      });
      if (!seen) out.emplace_back(s, c);
    }
    return out;
  }

  using Row = HistoryPart::Row;  // with the merged deal and stage indexes

  const StageHistoryOptions& o_;
  bool sample_dates_ = false;                // date_order auto, no date_format
  std::optional<DataWarning> date_order_;    // the decision's note or warning
  Encoding used_ = Encoding::kUtf8;
  StageRules rules_;
  std::unique_ptr<CsvReader> reader_;
  HistoryBinding b_;
  StageHistory h_;
  std::unique_ptr<StageIndex> index_;
  WarningLog warnings_;
  // Long layout, merged: deal id → index in h_.deals; each deal's latest time so far; the usable
  // rows.
  KeyTable ids_;
  std::vector<Seconds> latest_;
  std::vector<Row> rows_;
};

}  // namespace

std::vector<std::pair<std::string, int>> DetectEntryColumns(const std::vector<std::string>& header,
                                                            const StageConfig& stages) {
  // The ordered stages, and the won/lost values (which are usually not in the order: HubSpot's
  // "Date entered Closed Lost" closes a deal from any stage).
  std::vector<std::string> names = stages.order;
  const std::vector<std::string> won =
      stages.won.empty() ? std::vector<std::string>{"won", "closed won", "受注"} : stages.won;
  const std::vector<std::string> lost =
      stages.lost.empty() ? std::vector<std::string>{"lost", "closed lost", "失注"} : stages.lost;
  names.insert(names.end(), won.begin(), won.end());
  names.insert(names.end(), lost.begin(), lost.end());
  std::vector<std::pair<std::string, int>> out;
  for (const std::string& name : names) {
    const std::string n = NormalizeHeader(name);
    for (std::size_t c = 0; c < header.size(); ++c) {
      const std::string h = EntryNormal(header[c]);
      const bool match = StartsWith(h, "dateentered" + n) || StartsWith(h, "hsdateentered" + n) ||
                         h == "entered" + n || h == n + "enteredat" || h == n + "entereddate";
      if (!match) continue;
      out.emplace_back(StageNameInHeader(header[c], name), static_cast<int>(c));
      break;
    }
  }
  return out;
}

StageHistory ReadStageHistory(const StageHistoryOptions& options) {
  return HistoryReader(options).Read();
}

}  // namespace crmkpi
