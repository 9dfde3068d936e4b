// A source's pass: the run bound to the source's header, lookups and metrics, read whole or in
// parallel parts (file chunks, stream blocks), each part merged into the whole in file order.
#include "source_run.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/read/input_stream.h"

#include "setting_errors.h"

namespace crmkpi::engine_detail {

SourceRun::SourceRun(const SourceDef& def, int index, const std::string& path,
                     std::vector<LoadedLookup> lookups,
                     const std::vector<const MetricDef*>& metrics,
                     const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
                     std::optional<Seconds> as_of, bool track_dates, WarningLog* warnings,
                     const SourceLoc& file_loc, const SourceRun* first)
    : SourceRun(def, index, std::make_shared<std::vector<LoadedLookup>>(std::move(lookups)),
                metrics, result_indexes, default_tz, as_of, track_dates, warnings) {
  path_ = path;
  const CsvOptions csv = CsvOptionsFor(def.delimiter, what_, def.loc);
  const Encoding requested =
      Located(def.loc, what_ + ": ", [&] { return ParseEncoding(def.encoding); });
  used_ = requested;
  owned_reader_ = std::make_unique<CsvReader>(
      OpenDefinedInput(path, requested, &used_,
                       file_loc.line > 0 ? file_loc
                                         : (path == def.file ? def.file_loc : SourceLoc{}),
                       what_),
      csv);
  reader_ = owned_reader_.get();
  reader_->ReadHeader();
  if (first == nullptr) {
    Init();
    return;
  }
  try {
    Init();
  } catch (const Error& e) {  // say which of the source's files the definition does not fit
    throw Error(e.code(), fmt::format("{} (in {}, a further file of {})", e.message(),
                                      reader_->name(), what_),
                e.loc());
  }
  CheckSameLayout(*first);
}

// A run over one chunk of |whole|'s file (the parallel pass), bound like it, with its own
// warnings (merged in file order afterwards).
SourceRun::SourceRun(const SourceRun& whole, const ScanChunk& chunk, WarningLog* warnings)
    : SourceRun(whole.def_, whole.index_, whole.lookups_, whole.metric_defs_,
                whole.result_indexes_, whole.default_tz_, whole.as_of_, whole.track_dates_,
                warnings) {
  // The lookups are shared (read-only while rows are read); Init re-binds them to the same
  // columns, here on the calling thread before any chunk is read.
  path_ = whole.path_;
  used_ = whole.used_;
  owned_reader_ = OpenChunk(whole.path_, *whole.reader_, chunk);
  reader_ = owned_reader_.get();
  Init();
}

// A run over blocks of |whole|'s stream (the parallel pass over standard input or a
// converted encoding), bound like it, with warnings of its own; each block's reader is
// ScanStream's, set for the time the block is read.
SourceRun::SourceRun(const SourceRun& whole)
    : SourceRun(whole.def_, whole.index_, whole.lookups_, whole.metric_defs_,
                whole.result_indexes_, whole.default_tz_, whole.as_of_, whole.track_dates_,
                nullptr) {
  own_warnings_ = std::make_unique<WarningLog>();
  warnings_ = own_warnings_.get();
  path_ = whole.path_;
  used_ = whole.used_;
  reader_ = whole.reader_;  // for its header and name while binding
  Init();
  reader_ = nullptr;
}

SourceRun::SourceRun(const SourceDef& def, int index,
                     std::shared_ptr<std::vector<LoadedLookup>> lookups,
                     const std::vector<const MetricDef*>& metrics,
                     const std::vector<std::size_t>& result_indexes, const std::string& default_tz,
                     std::optional<Seconds> as_of, bool track_dates, WarningLog* warnings)
    : as_of_(as_of),
      track_dates_(track_dates),
      def_(def),
      index_(index),
      metric_defs_(metrics),
      result_indexes_(result_indexes),
      default_tz_(default_tz),
      what_(fmt::format("source '{}'", def.id)),
      tz_(def.tz.empty() ? default_tz : def.tz),
      rules_(Located(def.loc, what_ + ": ", [&] { return StageRules(def.stages); })),
      dates_(Located(def.loc, what_ + ": ",
                     [&] {
                       DateParser p(def.date_format, tz_,
                                    def.from_flags ? "--date-format" : "date_format");
                       p.set_day_first(def.date_order == "dmy");
                       return p;
                     })),
      lookups_(std::move(lookups)),
      warnings_(warnings) {}

// Reads the rows: a large UTF-8 file on all cores, each chunk into its own run, merged here
// in file order (a chunk that fails makes it read serially from the start); else serially.
void SourceRun::ReadAll(const ParallelOptions& parallel) {
  const std::vector<ScanChunk> chunks = tap_ == nullptr || tap_->CanSplit()
                                            ? PlanChunks(path_, *reader_, used_, parallel)
                                            : std::vector<ScanChunk>{};
  if (tap_ != nullptr) tap_->set_driven(!chunks.empty());
  if (!chunks.empty()) {
    std::vector<WarningLog> logs(chunks.size());
    std::vector<std::unique_ptr<SourceRun>> parts;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      parts.push_back(std::make_unique<SourceRun>(*this, chunks[i], &logs[i]));
      if (tap_ != nullptr) {
        parts.back()->own_tap_ = tap_->Part();
        parts.back()->tap_ = parts.back()->own_tap_.get();
      }
    }
    const bool read = RunChunks(chunks.size(), reader_->name(), reader_->size_hint(),
                                [&](std::size_t i, SharedProgress* progress) {
                                  parts[i]->reader_->set_shared_progress(progress);
                                  parts[i]->Read();
                                });
    if (read) {
      for (std::size_t i = 0; i < parts.size(); ++i) {
        Merge(*parts[i]);
        warnings_->Merge(logs[i]);
        if (tap_ != nullptr) tap_->Merge(*parts[i]->tap_);
        parts[i].reset();
      }
      return;
    }
    if (tap_ != nullptr) tap_->set_driven(false);  // read serially below
  } else if (tap_ == nullptr && StreamInParallel(path_, *reader_, used_, parallel)) {
    // (With a tap, a stream is read serially: the tap's parts may not merge exactly.)
    // Blocks merge in order, like chunks; a failed block leaves the rest of the stream (from
    // that block) to a serial read, which reports its error as a serial pass does.
    const std::unique_ptr<CsvReader> rest = ScanStream<SourceRun>(
        *reader_, parallel, [&] { return std::make_unique<SourceRun>(*this); },
        [](SourceRun& part, CsvReader& r) {
          part.reader_ = &r;
          part.Read();
          part.reader_ = nullptr;
        },
        [&](SourceRun& part) {
          Merge(part);
          warnings_->Merge(*part.own_warnings_);
          return true;
        });
    if (rest) {
      reader_ = rest.get();
      Read();
      reader_ = owned_reader_.get();
    }
    return;
  }
  Read();
}

// Binds the header (read already), the lookups and every metric.
void SourceRun::Init() {
  const SourceDef& def = def_;
  const std::vector<const MetricDef*>& metrics = metric_defs_;
  const std::vector<std::size_t>& result_indexes = result_indexes_;
  summary_.id = def.id;
  summary_.file = reader_->name();
  summary_.encoding = EncodingName(used_);
  summary_.encoding_detected = used_.detected();
  summary_.delimiter = reader_->delimiter();
  const std::vector<std::string>& header = reader_->header();
  const RoleBinding roles = Located(def.loc, what_ + ": ", [&] {
    return BindRoles(header, def.mappings, reader_->name());
  });
  schema_ = RowSchema(header, roles);
  for (LoadedLookup& l : *lookups_) {
    l.on_column = schema_.Resolve(l.def->on);
    if (l.on_column < 0 || static_cast<std::size_t>(l.on_column) >= header.size()) {
      throw Error(ExitCode::kUsage,
                  fmt::format("lookup '{}': unknown column '{}' in on ({} in {}: {})",
                              l.def->id, l.def->on, what_, reader_->name(),
                              schema_.Describe()),
                  Prefer(l.def->on_loc, l.def->loc));
    }
  }
  for (LoadedLookup& l : *lookups_) l.first = schema_.AddLookup(l.def->id, l.header);
  fields_.resize(schema_.size());
  context_ = std::make_unique<RowContext>(schema_, dates_, &rules_);
  context_->set_decimal_comma(def_.decimal == "comma");
  if (track_dates_) {
    // By role, or by a column named as the role (as metrics resolve `created..closed`).
    auto column_of = [&](Role r) {
      try {
        return schema_.Resolve(RoleName(r));
      } catch (const Error&) {
        return -1;  // an ambiguous name: no event from it
      }
    };
    for (Role r : {Role::kCreated, Role::kChanged, Role::kModified}) {
      if (const int c = column_of(r); c >= 0) event_columns_.push_back(c);
    }
    closed_column_ = column_of(Role::kClosed);
    closed_needs_stage_ = schema_.roles().has(Role::kStage);
  }
  context_->set_invalid_hook([this](std::string_view kind, int column) {
    if (kind == "invalid_amount") {
      Warn("invalid_amount", column, [] { return std::string("is not an amount"); });
    } else {
      Warn("invalid_date", column,
           [this] {
             return InvalidDateMessage(def_.date_format,
                                       def_.from_flags ? "--date-format" : "date_format");
           });
    }
  });

  if (!TrimSpace(def.filter).empty()) {
    filter_ = Where::Compile(def.filter, Prefer(def.filter_loc, def.loc), schema_, rules_, tz_,
                             "filter");
    has_filter_ = true;
  }
  tables_.emplace_back();  // the totals: tables_[0]
  tables_[0].total = true;
  currency_column_ = schema_.roles()[Role::kCurrency];
  if (currency_column_ >= 0) {
    const bool money = std::any_of(metrics.begin(), metrics.end(),
                                   [&](const MetricDef* m) { return IsMoney(*m); });
    split_currency_ = money && def.fx.empty();
    if (money && !def.fx.empty()) currency_slot_ = InternSlot(currency_column_);
  }
  if (currency_column_ < 0 && !def.fx.empty()) {
    // Converted by each amount's mark: a rate per mark code (kMarkCodes), looked up once.
    for (std::string_view code : RowContext::kMarkCodes) {
      mark_rates_.push_back(def.fx.RateOf(code).value_or(-2.0));
    }
  }
  for (std::size_t i = 0; i < metrics.size(); ++i) BindMetric(*metrics[i], result_indexes[i]);
  NewGroup(&tables_[0]);  // its one group, now that its width is known
  runs_.resize(tables_.size());
  Compile();
}

// Adds the results of |later|, the run over the next chunk. Its ids are its own: interned
// values and composite keys are re-interned here (its key tables drained as they go), its
// groups matched by their values, and its accumulators added (distinct ids remapped).
// The files of one source may order or name their columns differently (each is bound on its
// own header, roles detected per file) as long as every metric binds alike in each: a metric
// whose columns one file lacks (n/a, MISSING_COLUMN) would otherwise mean different things.
void SourceRun::CheckSameLayout(const SourceRun& first) const {
  const std::vector<std::string>& a = first.reader_->header();
  const std::vector<std::string>& b = reader_->header();
  if (a == b) return;
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    if (metrics_[i].missing == first.metrics_[i].missing) continue;
    const SourceRun& lacking = metrics_[i].missing ? *this : first;
    const SourceRun& having = metrics_[i].missing ? first : *this;
    throw Error(ExitCode::kInput,
                fmt::format("the header differs from {}'s: metric '{}' finds its columns in {} "
                            "but not in {}; the files of {} must have the columns its metrics "
                            "use — read them separately",
                            first.reader_->name(), metrics_[i].def->id,
                            having.reader_->name(), lacking.reader_->name(), what_),
                SourceLoc{reader_->name(), 1, 1});
  }
}

void SourceRun::MergeFile(SourceRun& other) {
  const SourceSummary mine = summary_;
  Merge(other);
  summary_ = mine;
  file_summaries_.push_back(other.summary_);
  for (SourceSummary& s : other.file_summaries_) file_summaries_.push_back(std::move(s));
}

void SourceRun::Merge(SourceRun& later) {
  if (later.latest_date_ && (!latest_date_ || *later.latest_date_ > *latest_date_)) {
    latest_date_ = later.latest_date_;
  }
  period_bounds_.insert(later.period_bounds_.begin(), later.period_bounds_.end());
  // The currency marks of the money columns (by metric: another file's columns may be in
  // another order).
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    const int mine = metrics_[i].value_column, theirs = later.metrics_[i].value_column;
    if (metrics_[i].money && mine >= 0 && theirs >= 0) {
      context_->add_amount_marks(mine, later.context_->amount_marks(theirs));
    }
  }
  std::vector<std::vector<std::uint32_t>> value_ids(interned_.size());
  for (std::size_t s = 0; s < interned_.size(); ++s) {
    std::vector<std::uint32_t>& to = value_ids[s];
    to.resize(later.interned_[s].values.size());
    CanonicalKeys* canonical = interned_[s].canonical.get();
    const CanonicalKeys* from = later.interned_[s].canonical.get();
    later.interned_[s].values.Drain([&](std::string_view key, std::uint32_t id) {
      bool inserted = false;
      const std::uint32_t merged = interned_[s].values.FindOrInsert(key, &inserted);
      to[id] = merged;
      // A group key seen in the later part: its canonical id and its rows follow it.
      if (canonical == nullptr || from == nullptr || id >= from->of.size() ||
          from->of[id] == KeyTable::kNone) {
        return;
      }
      if (merged >= canonical->of.size() || canonical->of[merged] == KeyTable::kNone) {
        canonical->Map(merged, key);
      }
      canonical->rows[merged] += from->rows[id];
    });
  }
  // Which ids an accumulator's distinct set holds, by (table, position): a slot's value ids or
  // a stream's composite key ids.
  std::vector<std::vector<const std::vector<std::uint32_t>*>> id_maps(tables_.size());
  for (std::size_t t = 0; t < tables_.size(); ++t) id_maps[t].resize(tables_[t].width);
  std::vector<std::vector<std::uint32_t>> composite_ids(streams_.size());
  for (std::size_t k = 0; k < streams_.size(); ++k) {
    Stream& st = streams_[k];
    if (st.kind != ValueKind::kDistinct) continue;
    const std::vector<std::uint32_t>* map = nullptr;
    if (st.key_slots.size() == 1) {
      map = &value_ids[static_cast<std::size_t>(st.key_slots[0])];
    } else {
      std::vector<std::uint32_t>& to = composite_ids[k];
      to.resize(later.streams_[k].composite.size());
      std::string packed;
      later.streams_[k].composite.Drain([&](std::string_view key, std::uint32_t id) {
        packed.clear();
        for (std::size_t i = 0; i < st.key_slots.size(); ++i) {
          std::uint32_t v = 0;
          std::memcpy(&v, key.data() + i * sizeof v, sizeof v);
          AppendId(&packed, value_ids[static_cast<std::size_t>(st.key_slots[i])][v]);
        }
        bool inserted = false;
        to[id] = st.composite.FindOrInsert(packed, &inserted);
      });
      map = &to;
    }
    for (const Stream::Target& a : st.targets) {
      id_maps[static_cast<std::size_t>(a.table)][a.user] = map;
    }
  }
  for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
    GroupTable& t = tables_[ti];
    GroupTable& o = later.tables_[ti];
    std::map<std::vector<std::string>, std::uint32_t> groups;
    for (std::uint32_t g = 0; g < t.values.size(); ++g) groups.emplace(t.values[g], g);
    for (std::size_t lg = 0; lg < o.values.size(); ++lg) {
      auto [it, inserted] =
          groups.emplace(o.values[lg], static_cast<std::uint32_t>(t.values.size()));
      if (inserted) {
        t.values.push_back(o.values[lg]);
        t.hot.resize(t.hot.size() + t.width);
        t.cold.resize(t.cold.size() + t.width);
        t.counts.resize(t.counts.size() + t.count_width);
      }
      for (std::size_t u = 0; u < t.count_width; ++u) {
        t.counts[std::size_t{it->second} * t.count_width + u] += o.counts[lg * t.count_width + u];
      }
      for (std::size_t u = 0; u < t.width; ++u) {
        const std::size_t i = std::size_t{it->second} * t.width + u;
        const std::size_t j = lg * t.width + u;
        MergeAcc(o.hot[j], o.cold[j], id_maps[ti][u], &t.hot[i], &t.cold[i]);
      }
    }
  }
  for (const Interned& in : interned_) {
    if (!in.batched && in.values.size() >= Interned::kPrefetchFrom) prefetching_ = true;
  }
  summary_.rows += later.summary_.rows;
  summary_.skipped_rows += later.summary_.skipped_rows;
  summary_.filtered_out += later.summary_.filtered_out;
}

void SourceRun::MergeAcc(const HotAcc& from_hot, ColdAcc& from_cold,
                         const std::vector<std::uint32_t>* ids, HotAcc* hot, ColdAcc* cold) {
  hot->n += from_hot.n;
  AddToSum(*hot, *cold, from_hot.sum);
  cold->sum_spill += from_cold.sum_spill;
  hot->min = std::min(hot->min, from_hot.min);
  hot->max = std::max(hot->max, from_hot.max);
  for (std::size_t e = 0; e < cold->excluded.size(); ++e) {
    cold->excluded[e] += from_cold.excluded[e];
  }
  cold->values.Merge(std::move(from_cold.values));  // the chunk's run is dropped after
  if (from_cold.censored_from) {
    if (!cold->censored_from) cold->censored_from = std::make_unique<ValueCounts>();
    cold->censored_from->Merge(std::move(*from_cold.censored_from));
  }
  if (from_cold.distinct) {
    if (!cold->distinct) cold->distinct = std::make_unique<IdSet>();
    from_cold.distinct->ForEach([&](std::uint32_t id) { cold->distinct->Insert((*ids)[id]); });
  }
  if (from_cold.counts) {
    if (!cold->counts) cold->counts = std::make_unique<IdCounts>();
    from_cold.counts->ForEach(
        [&](std::uint32_t id, std::uint32_t n) { cold->counts->Add((*ids)[id], n); });
  }
}

}  // namespace crmkpi::engine_detail
