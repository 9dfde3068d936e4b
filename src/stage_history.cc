#include "crmkpi/stage_history.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "crmkpi/amount.h"
#include "crmkpi/error.h"
#include "crmkpi/input_stream.h"
#include "crmkpi/key_table.h"
#include "crmkpi/string_hash.h"
#include "crmkpi/text.h"
#include "crmkpi/warning_log.h"

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

class HistoryReader {
 public:
  explicit HistoryReader(const StageHistoryOptions& o)
      : o_(o), rules_(o.stages), dates_(o.date_format, o.tz) {
    Encoding used = o.encoding;
    reader_ = std::make_unique<CsvReader>(OpenInput(o.file, o.encoding, &used), o.csv);
    h_.input.name = reader_->name();
    h_.input.encoding = std::string(EncodingName(used));
    header_ = reader_->ReadHeader();
    h_.input.delimiter = reader_->delimiter();
    roles_ = BindRoles(header_, o.mappings, reader_->name());
    h_.stages = o.stages.order;
    h_.ordered = h_.stages.size();
    for (const std::string& s : h_.stages) h_.classes.push_back(rules_.Lookup(s).cls);
    index_ = std::make_unique<StageIndex>(&h_, &rules_);
    for (const std::string& b : o.by) {
      int c = FindColumn(header_, b);
      if (c < 0) {
        if (const auto role = ParseRole(b)) c = roles_[*role];
      }
      if (c < 0) {
        throw Error::Usage(fmt::format("--by: unknown column '{}' in {}; the header has {}", b,
                                       reader_->name(), QuoteHeaders(header_)));
      }
      by_.push_back(c);
      h_.by_names.push_back(b);
    }
  }

  StageHistory Read() {
    const std::vector<std::pair<int, int>> entries = EntryColumns();
    const bool wide = o_.layout == HistoryLayout::kWide ||
                      (o_.layout == HistoryLayout::kAuto && !entries.empty());
    if (wide) {
      if (entries.empty()) {
        throw Error::Usage(fmt::format(
            "dwell: wide layout but no entry-date columns in {}: give --entered STAGE=COLUMN "
            "(or --stages with columns named like date_entered_<stage>); the header has {}",
            reader_->name(), QuoteHeaders(header_)));
      }
      h_.layout = HistoryLayout::kWide;
      ReadWide(entries);
    } else {
      h_.layout = HistoryLayout::kLong;
      ReadLong();
    }
    h_.warnings = warnings_.Take();
    if (h_.duplicate_timestamps > 0) {
      DataWarning w;
      w.kind = "duplicate_timestamp";
      w.count = h_.duplicate_timestamps;
      w.first = {reader_->name(), 0, 0};
      w.message = wide ? "stages of one deal entered at the same time: ordered as in --stages, "
                         "the earlier stage's visit lasts 0 days"
                       : "stage changes of one deal at the same time: kept in file order, the "
                         "earlier stage's visit lasts 0 days";
      h_.warnings.push_back(w);
    }
    return std::move(h_);
  }

 private:
  // Wide layout: (stage index, column) pairs from --entered, else detected from the header.
  std::vector<std::pair<int, int>> EntryColumns() {
    std::vector<std::pair<int, int>> out;
    for (const auto& [stage, column] : o_.entered) {
      const int c = FindColumn(header_, column);
      if (c < 0) {
        throw Error::Usage(fmt::format("--entered {}={}: no column '{}' in {}; the header has {}",
                                       stage, column, column, reader_->name(),
                                       QuoteHeaders(header_)));
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
    // Detected: the ordered stages, and the won/lost values (which are usually not in the
    // order: HubSpot's "Date entered Closed Lost" closes a deal from any stage).
    std::vector<std::string> names(h_.stages.begin(), h_.stages.begin() + h_.ordered);
    const std::vector<std::string> won = o_.stages.won.empty()
                                             ? std::vector<std::string>{"won", "closed won", "受注"}
                                             : o_.stages.won;
    const std::vector<std::string> lost =
        o_.stages.lost.empty() ? std::vector<std::string>{"lost", "closed lost", "失注"}
                               : o_.stages.lost;
    names.insert(names.end(), won.begin(), won.end());
    names.insert(names.end(), lost.begin(), lost.end());
    for (const std::string& name : names) {
      const std::string n = NormalizeHeader(name);
      for (std::size_t c = 0; c < header_.size(); ++c) {
        const std::string h = EntryNormal(header_[c]);
        const bool match = StartsWith(h, "dateentered" + n) || StartsWith(h, "hsdateentered" + n) ||
                           h == "entered" + n || h == n + "enteredat" || h == n + "entereddate";
        if (!match) continue;
        bool unknown = false;
        const int s = index_->Find(name, &unknown);
        const bool seen = std::any_of(out.begin(), out.end(), [&](const std::pair<int, int>& e) {
          return e.first == s || e.second == static_cast<int>(c);
        });
        if (!seen) out.emplace_back(s, static_cast<int>(c));
        break;
      }
    }
    return out;
  }

  template <typename What>
  void Warn(const char* kind, int column, std::string_view sample, What&& what) {
    warnings_.Add(kind, 0, column, [&] {
      DataWarning w;
      w.column = column >= 0 ? header_[static_cast<std::size_t>(column)] : std::string();
      w.first = reader_->Locate(column >= 0 ? static_cast<std::size_t>(column) : 0);
      w.sample = std::string(sample.substr(0, kSampleBytes));
      w.message = column >= 0 ? fmt::format("'{}': {}", w.column, what()) : std::string(what());
      return w;
    });
  }

  // The field of |column| in |row|, "" when the row is short.
  static std::string_view Field(const CsvRow& row, int column) {
    return column >= 0 && static_cast<std::size_t>(column) < row.fields.size()
               ? TrimSpace(row.fields[static_cast<std::size_t>(column)])
               : std::string_view();
  }

  // A deal's attributes from |row| (its latest row in the long layout).
  void SetAttributes(DealHistory* d, const CsvRow& row) {
    d->owner.assign(Field(row, roles_[Role::kOwner]));
    d->amount.reset();
    std::int64_t units = 0;
    const int amount = roles_[Role::kAmount];
    if (amount >= 0 && ParseAmount(Field(row, amount), &units) == ParseStatus::kOk) {
      d->amount = units;
    }
    d->by.resize(by_.size());
    for (std::size_t i = 0; i < by_.size(); ++i) d->by[i].assign(Field(row, by_[i]));
  }

  // Parses |column| of |row| as a time; counts and warns about missing and invalid ones.
  bool Time(const CsvRow& row, int column, Seconds* t) {
    const std::string_view text = Field(row, column);
    switch (dates_.Parse(text, t)) {
      case ParseStatus::kOk:
        if (!h_.latest || *t > *h_.latest) h_.latest = *t;
        return true;
      case ParseStatus::kEmpty:
        ++h_.missing_time;
        return false;
      case ParseStatus::kInvalid:
        ++h_.invalid_time;
        Warn("invalid_date", column, text, [] { return "is not a date; the row is left out"; });
        return false;
    }
    return false;
  }

  void CheckWidth(const CsvRow& row) {
    if (row.fields.size() == header_.size()) return;
    std::size_t at = 0;
    throw Error::Input(FieldCountMessage(header_, row.fields.size(), &at), reader_->Locate(at));
  }

  void ReadLong() {
    const int id = roles_[Role::kId];
    const int stage = roles_[Role::kStage];
    const int time = roles_.has(Role::kChanged) ? roles_[Role::kChanged] : roles_[Role::kCreated];
    if (id < 0) MissingRole("deal id", "id", header_, reader_->name());
    if (stage < 0) MissingRole("stage", "stage", header_, reader_->name());
    if (time < 0) {
      MissingRole("stage-change time", "changed", header_, reader_->name());
    }
    struct Row {
      std::uint32_t deal;
      std::int32_t stage;
      Seconds t;
      std::uint64_t line;
    };
    std::vector<Row> rows;
    std::vector<Seconds> last_in_file, latest_row;  // per deal
    KeyTable ids;
    CsvRow row;
    while (reader_->Next(&row)) {
      CheckWidth(row);
      ++h_.input.rows;
      const std::string_view deal_id = Field(row, id);
      const std::string_view stage_text = Field(row, stage);
      if (deal_id.empty()) {
        ++h_.missing_id;
        Warn("missing_id", id, "", [] { return "no deal id; the row is left out"; });
        continue;
      }
      if (stage_text.empty()) {
        ++h_.missing_stage;
        Warn("missing_stage", stage, "", [] { return "no stage; the row is left out"; });
        continue;
      }
      Seconds t = 0;
      if (!Time(row, time, &t)) continue;
      bool inserted = false;
      const std::uint32_t d = ids.FindOrInsert(deal_id, &inserted);
      if (inserted) {
        h_.deals.emplace_back();
        h_.deals.back().id = std::string(deal_id);
        h_.deals.back().line = row.line;
        last_in_file.push_back(t);
        latest_row.push_back(t);
        SetAttributes(&h_.deals.back(), row);
      } else {
        if (t < last_in_file[d]) {
          ++h_.out_of_order;
          Warn("out_of_order", time, Field(row, time), [&] {
            return o_.out_of_order == OutOfOrder::kIgnore
                       ? "is earlier than an earlier row of the same deal; the row is left out "
                         "(--out-of-order ignore)"
                       : "is earlier than an earlier row of the same deal; rows are sorted by "
                         "time";
          });
          if (o_.out_of_order == OutOfOrder::kIgnore) continue;
        } else {
          last_in_file[d] = t;
        }
        if (t >= latest_row[d]) {
          latest_row[d] = t;
          SetAttributes(&h_.deals[d], row);
        }
      }
      bool unknown = false;
      const int s = index_->Find(stage_text, &unknown);
      // Won and lost values need not be in the order (a deal is lost from any stage).
      if (unknown && h_.classes[static_cast<std::size_t>(s)] != StageClass::kOpen) unknown = false;
      if (unknown) {
        ++h_.unknown_stage;
        Warn("unknown_stage", stage, stage_text, [] {
          return "is not in --stages; its visits are kept, without conversion";
        });
      }
      rows.push_back({d, s, t, row.line});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return a.deal != b.deal ? a.deal < b.deal : a.t < b.t;
    });
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      DealHistory& deal = h_.deals[r.deal];
      const bool same_deal = i > 0 && rows[i - 1].deal == r.deal;
      if (same_deal && rows[i - 1].t == r.t && rows[i - 1].stage != r.stage) {
        ++h_.duplicate_timestamps;
      }
      if (same_deal && rows[i - 1].stage == r.stage) continue;  // the same visit goes on
      if (!deal.visits.empty()) deal.visits.back().exit = r.t;
      deal.visits.push_back({r.stage, r.t, std::nullopt, false, r.line});
    }
    for (DealHistory& d : h_.deals) {
      if (!d.visits.empty()) d.current = d.visits.back().stage;
    }
  }

  void ReadWide(const std::vector<std::pair<int, int>>& entries) {
    const int id = roles_[Role::kId];
    const int stage = roles_[Role::kStage];
    // Columns mapped to several stages count only for the stage the deal is in.
    std::vector<bool> shared(entries.size(), false);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      for (std::size_t j = 0; j < entries.size(); ++j) {
        if (i != j && entries[i].second == entries[j].second) shared[i] = true;
      }
    }
    struct Entry {
      Seconds t;
      int stage;
    };
    std::vector<Entry> found;
    CsvRow row;
    while (reader_->Next(&row)) {
      CheckWidth(row);
      ++h_.input.rows;
      DealHistory d;
      d.line = row.line;
      const std::string_view deal_id = Field(row, id);
      d.id = deal_id.empty() ? fmt::format("line {}", row.line) : std::string(deal_id);
      int current = -1;
      if (stage >= 0) {
        const std::string_view text = Field(row, stage);
        if (!text.empty()) {
          bool unknown = false;
          current = index_->Find(text, &unknown);
          if (unknown && h_.classes[static_cast<std::size_t>(current)] != StageClass::kOpen) {
            unknown = false;
          }
          if (unknown) {
            ++h_.unknown_stage;
            Warn("unknown_stage", stage, text,
                 [] { return "is not in --stages; the deal's current stage has no entry date"; });
          }
        }
      }
      found.clear();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto [s, column] = entries[i];
        if (shared[i] && s != current) continue;
        if (Field(row, column).empty()) continue;
        Seconds t = 0;
        if (Time(row, column, &t)) found.push_back({t, s});
      }
      std::stable_sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) {
        return a.t != b.t ? a.t < b.t : a.stage < b.stage;
      });
      for (std::size_t i = 0; i < found.size(); ++i) {
        if (i > 0 && found[i - 1].t == found[i].t) ++h_.duplicate_timestamps;
        StageVisit v{found[i].stage, found[i].t, std::nullopt, false, row.line};
        if (i + 1 < found.size()) v.exit = found[i + 1].t;
        d.visits.push_back(v);
      }
      if (current < 0 && !d.visits.empty()) current = d.visits.back().stage;
      if (current >= 0 && (d.visits.empty() || d.visits.back().stage != current)) {
        // In a stage with no entry date: it left its last dated stage at an unknown time.
        ++h_.stage_without_date;
        if (!d.visits.empty()) d.visits.back().exit_unknown = true;
      }
      d.current = current;
      SetAttributes(&d, row);
      h_.deals.push_back(std::move(d));
    }
  }

  const StageHistoryOptions& o_;
  StageRules rules_;
  DateParser dates_;
  std::unique_ptr<CsvReader> reader_;
  std::vector<std::string> header_;
  RoleBinding roles_;
  std::vector<int> by_;
  StageHistory h_;
  std::unique_ptr<StageIndex> index_;
  WarningLog warnings_;
};

}  // namespace

StageHistory ReadStageHistory(const StageHistoryOptions& options) {
  return HistoryReader(options).Read();
}

}  // namespace crmkpi
