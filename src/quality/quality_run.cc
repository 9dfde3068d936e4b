// `crmkpi check`: the run over the sources, and the pass over one source's rows with each
// check's row test (completeness, uniqueness, validity, timeliness), serial or in parallel parts.
#include "crmkpi/quality/quality_run.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/where.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/values/date_time.h"
#include "check_bind.h"
#include "check_results.h"
#include "check_state.h"

namespace crmkpi {
namespace quality {
namespace {

bool SameAsciiCaseless(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x | 0x20);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y | 0x20);
    if (x != y) return false;
  }
  return true;
}

// Runs |f|; an Error without a location gets the source's (settings checked by library
// constructors, which do not know the INI).
template <typename F>
auto Located(const SourceDef& def, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.loc().file.empty()) throw;
    throw Error(e.code(), fmt::format("source '{}': {}", def.id, e.message()), def.loc);
  }
}

using SourceChecks = std::vector<std::pair<std::size_t, const CheckDef*>>;

class SourceCheckRun {
  friend class CheckTap;
  friend struct PreparedChecks;

 public:
  SourceCheckRun(const SourceDef& def, const std::string& path, const CheckOptions& options,
                 Seconds as_of, const std::string& as_of_text, const SourceChecks& checks)
      : SourceCheckRun(def, options, as_of, as_of_text, checks) {
    path_ = path;
    CsvOptions csv;
    try {
      csv = ParseDelimiter(def.delimiter);
    } catch (const Error& e) {
      throw Error(ExitCode::kUsage, fmt::format("source '{}': {}", def.id, e.message()), def.loc);
    }
    const Encoding requested = Located(def, [&] { return ParseEncoding(def.encoding); });
    used_ = requested;
    reader_ = std::make_unique<CsvReader>(
        OpenDefinedInput(path, requested, &used_, path == def.file ? def.file_loc : SourceLoc{},
                         fmt::format("source '{}'", def.id)),
        csv);
    reader_->ReadHeader();
    Init(*reader_);
  }

  // A run over one chunk of |whole|'s file (the parallel pass), bound like it.
  SourceCheckRun(const SourceCheckRun& whole, const ScanChunk& chunk)
      : SourceCheckRun(whole.def_, whole.options_, whole.as_of_, whole.as_of_text_,
                       whole.check_defs_) {
    path_ = whole.path_;
    used_ = whole.used_;
    reader_ = OpenChunk(whole.path_, *whole.reader_, chunk);
    Init(*reader_);
  }

  // A run over blocks of |whole|'s stream (the parallel pass over a stream), bound like it; the
  // blocks' readers are ScanStream's.
  explicit SourceCheckRun(const SourceCheckRun& whole)
      : SourceCheckRun(whole.def_, whole.options_, whole.as_of_, whole.as_of_text_,
                       whole.check_defs_) {
    path_ = whole.path_;
    used_ = whole.used_;
    Init(*whole.reader_);
  }

  // Reads the rows: on all cores when the input is a large file or a stream and nothing needs
  // the rows in file order (a quarantine file, near-duplicate candidates), else serially. A
  // parallel pass that fails or cannot give the serial samples is redone serially.
  void ReadAll(RecordSink* quarantine, std::uint64_t* quarantined) {
    if (quarantine == nullptr && CanSplit()) {
      if (ReadInParallel()) return;
      if (StreamInParallel(path_, *reader_, used_, options_.parallel)) {
        const std::unique_ptr<CsvReader> rest = ScanStream<SourceCheckRun>(
            *reader_, options_.parallel, [&] { return std::make_unique<SourceCheckRun>(*this); },
            [](SourceCheckRun& part, CsvReader& r) { part.Read(r, nullptr, nullptr); },
            [&](SourceCheckRun& part) {
              if (!CanMergeExactly(part)) return false;
              Merge(part);
              return true;
            });
        if (rest) {
          row_base_ = records_;  // the rest reader numbers its records from 1
          Read(*rest, nullptr, nullptr);
        }
        return;
      }
    }
    Read(*reader_, quarantine, quarantined);
  }

 private:
  SourceCheckRun(const SourceDef& def, const CheckOptions& options, Seconds as_of,
                 const std::string& as_of_text, const SourceChecks& checks)
      : def_(def),
        options_(options),
        as_of_(as_of),
        as_of_text_(as_of_text),
        check_defs_(checks),
        tz_(def.tz.empty() ? options.default_tz : def.tz),
        rules_(Located(def, [&] { return StageRules(def.stages); })),
        dates_(Located(def, [&] {
          DateParser p(def.date_format, tz_,
                       def.loc.file.empty() ? "--date-format" : "date_format");
          p.set_day_first(def.date_order == "dmy");
          return p;
        })) {}

  // Binds the header (read by |header_reader| already) and every check.
  void Init(const CsvReader& header_reader) {
    const SourceDef& def = def_;
    summary_.id = def.id;
    summary_.file = header_reader.name();
    summary_.encoding = EncodingName(used_);
    summary_.encoding_detected = used_.detected();
    const std::vector<std::string>& header = header_reader.header();
    const RoleBinding roles =
        Located(def, [&] { return BindRoles(header, def.mappings, summary_.file); });
    schema_ = RowSchema(header, roles);
    context_ = std::make_unique<RowContext>(schema_, dates_, &rules_);
    fields_.resize(header.size());
    tokens_ = def.missing_tokens;
    tokens_.insert(tokens_.end(), options_.missing_tokens.begin(),
                   options_.missing_tokens.end());
    if (!TrimSpace(def.filter).empty()) {
      filter_ = Where::Compile(def.filter, def.filter_loc.line > 0 ? def.filter_loc : def.loc,
                               schema_, rules_, tz_, "filter");
      has_filter_ = true;
    }
    for (const auto& [index, c] : check_defs_) Bind(index, *c, as_of_text_);
  }

  bool ReadInParallel() {
    if (!CanSplit()) return false;
    const std::vector<ScanChunk> chunks = PlanChunks(path_, *reader_, used_, options_.parallel);
    if (chunks.empty()) return false;
    std::vector<std::unique_ptr<SourceCheckRun>> parts;
    for (const ScanChunk& chunk : chunks) {
      parts.push_back(std::make_unique<SourceCheckRun>(*this, chunk));
    }
    const bool read = RunChunks(chunks.size(), reader_->name(), reader_->size_hint(),
                                [&](std::size_t i, SharedProgress* progress) {
                                  CsvReader& r = *parts[i]->reader_;
                                  r.set_shared_progress(progress);
                                  parts[i]->Read(r, nullptr, nullptr);
                                });
    if (!read) return false;
    SourceCheckRun& merged = *parts[0];
    // Every chunk is merged, then the samples are checked: a file can be read again.
    for (std::size_t i = 1; i < parts.size(); ++i) {
      merged.Merge(*parts[i]);
      parts[i].reset();  // its key tables were drained into |merged|'s
    }
    if (!merged.SamplesAsSerial()) return false;
    checks_ = std::move(merged.checks_);
    summary_.rows = merged.summary_.rows;
    structural_ = merged.structural_;
    structural_warning_ = merged.structural_warning_;
    return true;
  }

  // Adds the results of |later|, the run over the chunk after this run's (last) one.
  void Merge(SourceCheckRun& later) {
    summary_.rows += later.summary_.rows;
    structural_ += later.structural_;
    if (!structural_warning_) {
      structural_warning_ = later.structural_warning_;
    } else if (later.structural_warning_) {
      structural_warning_->count += later.structural_warning_->count;
    }
    for (std::size_t k = 0; k < checks_.size(); ++k) {
      CheckState& c = checks_[k];
      CheckState& o = later.checks_[k];
      CheckResult& r = c.result;
      const CheckResult& lr = o.result;
      if (r.status == CheckStatus::kError) continue;  // both are: the same binding
      r.rows += lr.rows;
      if (!CountsRows(r.def.type)) continue;  // row_count, schema: the header decides the rest
      r.violations += lr.violations;
      r.denominator += lr.denominator;
      r.complete_records += lr.complete_records;
      r.missing_key += lr.missing_key;
      r.missing += lr.missing;
      r.not_applicable += lr.not_applicable;
      r.invalid_timestamps += lr.invalid_timestamps;
      for (std::size_t i = 0; i < r.missing_by_column.size(); ++i) {
        r.missing_by_column[i].second += lr.missing_by_column[i].second;
      }
      if (o.has_newest && (!c.has_newest || o.newest > c.newest)) {
        c.newest = o.newest;
        c.has_newest = true;
      }
      if (r.def.type == CheckType::kUniqueness) {
        // A key first seen in |later| may be a duplicate of an earlier chunk's: its samples
        // cannot say so, so only the first chunk's are kept (see SamplesAsSerial and
        // CanMergeExactly): those of |later| only when this run has read nothing.
        if (records_ == 0) r.samples = lr.samples;
        // Partition i holds the same hash range in both runs: merged on thread i.
        OnThreads(c.partitions.size(),
                  [&](std::size_t i) { c.partitions[i].Merge(o.partitions[i]); });
        continue;
      }
      for (const CheckSample& s : lr.samples) {
        if (r.samples.size() >= options_.samples) break;
        r.samples.push_back(s);
        r.samples.back().row += records_;  // chunk record numbers start at 1
      }
    }
    records_ += later.records_;
  }

  // Whether merging |later| (a stream's next block) into this run gives the serial samples: a
  // run that has read nothing takes any part's; later, a uniqueness check that still needs
  // samples cannot tell which of the part's first occurrences repeat earlier keys, so the
  // stream is read serially from that block (ScanStream).
  bool CanMergeExactly(const SourceCheckRun& later) const {
    if (records_ == 0) return true;
    for (std::size_t k = 0; k < checks_.size(); ++k) {
      const CheckResult& r = checks_[k].result;
      if (r.status == CheckStatus::kError || r.def.type != CheckType::kUniqueness) continue;
      if (r.samples.size() < options_.samples && later.checks_[k].result.denominator > 0) {
        return false;
      }
    }
    return true;
  }

  // Whether the merged samples are the serial pass's: for uniqueness, the first chunk's
  // duplicates must already be all of them or fill the samples (in practice: not when a file's
  // only duplicates span chunks).
  bool SamplesAsSerial() const {
    for (const CheckState& c : checks_) {
      const CheckResult& r = c.result;
      if (r.status == CheckStatus::kError || r.def.type != CheckType::kUniqueness) continue;
      const std::uint64_t duplicates = r.denominator - DistinctKeys(c);
      if (r.samples.size() != std::min<std::uint64_t>(duplicates, options_.samples)) return false;
    }
    return true;
  }

 public:
  void Read(CsvReader& reader, RecordSink* quarantine, std::uint64_t* quarantined) {
    if (quarantine != nullptr) {
      quarantine->Write(reader.raw_header());
      quarantine->Write("\n");
    }
    CsvRow row;
    while (reader.Next(&row)) ReadRow(reader, row, quarantine, quarantined);
  }

  // Reads the file serially with this run's own reader (whatever was read before is kept).
  void ReadSerially() { Read(*reader_, nullptr, nullptr); }

  // After chunks merged by a tap: whether the samples are the serial pass's (SamplesAsSerial).
  bool MergedAsSerial() const { return SamplesAsSerial(); }

  // A new run of the same checks on the same file, opened again and bound, nothing read.
  std::unique_ptr<SourceCheckRun> Again() const {
    return std::make_unique<SourceCheckRun>(def_, path_, options_, as_of_, as_of_text_,
                                            check_defs_);
  }

  // Whether its rows may be read in chunks merged afterwards: not for near-duplicate
  // candidates, which need the rows in file order.
  bool CanSplit() const {
    return std::none_of(checks_.begin(), checks_.end(),
                        [](const CheckState& c) { return c.near != nullptr; });
  }

  // Every check on one record (|reader| locates its fields and numbers it).
  void ReadRow(const CsvReader& reader, const CsvRow& row, RecordSink* quarantine,
               std::uint64_t* quarantined) {
    const std::size_t width = schema_.header_size();
    const std::string_view* fields = row.fields.data();
    if (row.fields.size() != width) {
      StructuralError(reader, row);
      const std::size_t n = std::min(width, row.fields.size());
      std::copy(row.fields.begin(), row.fields.begin() + static_cast<std::ptrdiff_t>(n),
                fields_.begin());
      std::fill(fields_.begin() + static_cast<std::ptrdiff_t>(n), fields_.end(),
                std::string_view());
      fields = fields_.data();
    }
    context_->SetRow(fields);
    if (has_filter_ && !filter_.Matches(*context_)) return;
    ++summary_.rows;
    line_ = row.line;
    number_ = row_base_ + row.number;
    records_ = number_;
    bool failed = false;
    for (CheckState& c : checks_) {
      if (c.result.status == CheckStatus::kError) continue;
      ++c.result.rows;
      switch (c.result.def.type) {
        case CheckType::kCompleteness:
          failed |= Completeness(c);
          break;
        case CheckType::kUniqueness:
          failed |= Uniqueness(c);
          break;
        case CheckType::kValidity:
          failed |= Validity(c);
          break;
        case CheckType::kTimeliness:
          failed |= Timeliness(c);
          break;
        case CheckType::kRowCount:
        case CheckType::kSchema:
          break;
      }
    }
    if (failed && quarantine != nullptr) {
      quarantine->Write(reader.raw_record());
      quarantine->Write("\n");
      ++*quarantined;
    }
  }

  void Finish(CheckRun* run, std::vector<DataWarning>* warnings) {
    if (structural_warning_) warnings->push_back(*structural_warning_);
    summary_.structural_errors = structural_;
    for (CheckState& c : checks_) {
      CheckResult& r = c.result;
      r.structural_errors = structural_;
      if (r.status != CheckStatus::kError) FinishCheckResult(c, as_of_);
      run->checks[c.index] = std::move(r);
    }
    run->sources.push_back(summary_);
  }

 private:
  bool Missing(std::string_view raw) const {
    const std::string_view v = TrimWhitespace(raw);
    if (v.empty()) return true;
    for (const std::string& t : tokens_) {
      if (SameAsciiCaseless(v, t)) return true;
    }
    return false;
  }

  void Bind(std::size_t index, const CheckDef& def, const std::string& as_of_text) {
    const CheckBinding binding{options_, schema_, rules_, tz_, summary_.file, as_of_text};
    checks_.push_back(BindCheck(index, def, binding));
  }

  void Sample(CheckState& c, int column, std::string_view value, std::string normalized,
              std::string rule) {
    if (c.result.samples.size() >= options_.samples) return;
    CheckSample s;
    s.line = line_;
    s.row = number_;
    s.column = column >= 0 ? schema_.name(column) : std::string();
    s.value = Clip(value);
    s.normalized = Clip(normalized);
    s.rule = std::move(rule);
    c.result.samples.push_back(std::move(s));
  }

  bool Completeness(CheckState& c) {
    bool complete = true;
    for (std::size_t i = 0; i < c.columns.size(); ++i) {
      const int col = c.columns[i];
      if (!Missing(context_->Raw(col))) continue;
      complete = false;
      ++c.result.missing_by_column[i].second;
      ++c.result.violations;
      Sample(c, col, context_->Raw(col), {}, "missing");
    }
    c.result.denominator += c.columns.size();
    if (complete) ++c.result.complete_records;
    return !complete;
  }

  bool Uniqueness(CheckState& c) {
    const std::size_t parts = c.columns.size();
    std::string_view key;
    if (parts == 1) {
      const std::string_view raw = context_->Raw(c.columns[0]);
      if (Missing(raw)) {
        ++c.result.missing_key;
        return false;
      }
      key = c.normalizers[0].Apply(TrimSpace(raw));
      if (key.empty()) {
        ++c.result.missing_key;
        return false;
      }
    } else {
      c.key.clear();
      for (std::size_t i = 0; i < parts; ++i) {
        const std::string_view raw = context_->Raw(c.columns[i]);
        const std::string_view part =
            Missing(raw) ? std::string_view() : c.normalizers[i].Apply(TrimSpace(raw));
        if (part.empty()) {
          ++c.result.missing_key;
          return false;
        }
        const auto n = static_cast<std::uint32_t>(part.size());
        c.key.append(reinterpret_cast<const char*>(&n), sizeof n);
        c.key.append(part);
      }
      key = c.key;
    }
    ++c.result.denominator;
    bool inserted = false;
    const std::uint64_t h = HashBytes(key);
    KeyPartition& p = c.partitions[PartitionOf(h, c.partitions.size())];
    const std::uint32_t id = p.keys.FindOrInsert(key, h, &inserted);
    if (inserted) {
      p.counts.push_back(1);
      p.first_line.push_back(line_);
      if (c.near) c.near->Add(key, TrimSpace(context_->Raw(c.columns[0])), line_);
      return false;
    }
    ++p.counts[id];
    if (c.result.samples.size() < options_.samples) {
      std::string value, normalized;
      for (std::size_t i = 0; i < parts; ++i) {
        value += (i == 0 ? "" : " + ") + std::string(TrimSpace(context_->Raw(c.columns[i])));
        normalized += (i == 0 ? "" : " + ") +
                      std::string(c.normalizers[i].Apply(TrimSpace(context_->Raw(c.columns[i]))));
      }
      Sample(c, c.columns[0], value, normalized,
             fmt::format("duplicate of line {}", p.first_line[id]));
      if (parts > 1) {
        std::string names;
        for (int col : c.columns) names += (names.empty() ? "" : "+") + schema_.name(col);
        c.result.samples.back().column = names;
      }
    }
    return true;
  }

  bool Validity(CheckState& c) {
    const int col = c.columns[0];
    switch (c.rule->Check(*context_, Missing(context_->Raw(col)))) {
      case ValidityRule::Outcome::kValid:
        ++c.result.denominator;
        return false;
      case ValidityRule::Outcome::kInvalid:
        ++c.result.denominator;
        ++c.result.violations;
        Sample(c, col, context_->Raw(col), {}, c.rule->text());
        return true;
      case ValidityRule::Outcome::kMissing:
        ++c.result.missing;
        return false;
      case ValidityRule::Outcome::kNotApplicable:
        ++c.result.not_applicable;
        return false;
    }
    return false;
  }

  bool Timeliness(CheckState& c) {
    const int col = c.columns[0];
    if (Missing(context_->Raw(col))) {
      ++c.result.missing;
      return false;
    }
    Seconds t = 0;
    if (context_->Instant(col, &t) != ParseStatus::kOk) {
      ++c.result.invalid_timestamps;
      return false;
    }
    ++c.result.denominator;
    if (!c.has_newest || t > c.newest) {
      c.newest = t;
      c.has_newest = true;
    }
    const double age = static_cast<double>(as_of_ - t) / kSecondsPerDay;
    if (age <= c.result.def.max_age_days) return false;
    ++c.result.violations;
    Sample(c, col, context_->Raw(col), {},
           fmt::format("age {:.1f} days > {}", age, c.result.def.max_age_days));
    return true;
  }

  void StructuralError(const CsvReader& reader, const CsvRow& row) {
    ++structural_;
    if (structural_warning_) {
      ++structural_warning_->count;
      return;
    }
    std::size_t at = 0;
    const std::string message = FieldCountMessage(schema_.header(), row.fields.size(), &at);
    DataWarning& w = structural_warning_.emplace();
    w.kind = "structural_error";
    w.count = 1;
    w.first = reader.Locate(at);
    w.message = message +
                "; a short row's absent fields count as missing, a long row's extra fields are "
                "ignored";
  }

  const SourceDef& def_;
  const CheckOptions& options_;
  Seconds as_of_;
  std::string as_of_text_;
  SourceChecks check_defs_;
  std::string path_;
  Encoding used_ = Encoding::kUtf8;
  std::uint64_t records_ = 0;   // records read (the record number of the last)
  std::uint64_t row_base_ = 0;  // records before the reader's first (its numbers start at 1)
  std::string tz_;
  StageRules rules_;
  DateParser dates_;
  std::optional<DataWarning> structural_warning_;  // the first, counting all
  std::unique_ptr<CsvReader> reader_;
  RowSchema schema_;
  std::unique_ptr<RowContext> context_;
  std::vector<std::string_view> fields_;  // a structurally bad row, padded to the header
  std::vector<std::string> tokens_;
  Where filter_;
  bool has_filter_ = false;
  std::vector<CheckState> checks_;
  SourceCheckSummary summary_;
  std::uint64_t structural_ = 0;
  std::uint64_t line_ = 0, number_ = 0;
};

// The fed part of a check run: its records come from the metric engine's pass (row_tap.h).
class CheckTap final : public RowTap {
 public:
  explicit CheckTap(SourceCheckRun* run) : run_(run) {}
  explicit CheckTap(std::unique_ptr<SourceCheckRun> own) : own_(std::move(own)), run_(own_.get()) {}

  void Row(const CsvReader& reader, const CsvRow& row) override {
    run_->ReadRow(reader, row, nullptr, nullptr);
  }
  bool CanSplit() const override { return run_->CanSplit(); }
  // Bound on the whole run's header, like a stream block's run.
  std::unique_ptr<RowTap> Part() const override {
    return std::make_unique<CheckTap>(std::make_unique<SourceCheckRun>(*run_));
  }
  void Merge(RowTap& later) override { run_->Merge(*static_cast<CheckTap&>(later).run_); }

 private:
  std::unique_ptr<SourceCheckRun> own_;
  SourceCheckRun* run_;
};

// Everything before the rows: the as-of, the checks' sources checked, each source with checks
// opened and bound (configuration errors before a long read). |streams_read_again|: a source
// on standard input or a pipe is recorded while its header is read, for the metric engine to
// read it again (input_stream.h).
struct PreparedChecks {
  CheckRun run;
  std::vector<std::string> source_ids;  // of |runs|
  std::vector<std::unique_ptr<SourceCheckRun>> runs;

  PreparedChecks(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
                 const CheckOptions& options, bool streams_read_again) {
    // The timeliness "now": --as-of, else the clock (UTC), always printed.
    Seconds as_of = 0;
    if (!TrimSpace(options.as_of).empty()) {
      const DateParser parser({}, options.default_tz);
      if (parser.Parse(options.as_of, &as_of) != ParseStatus::kOk) {
        throw Error::Usage(fmt::format("--as-of: expected a date or date-time (YYYY-MM-DD, "
                                       "2026-11-01T09:00:00Z), got '{}'",
                                       options.as_of));
      }
      run.as_of_source = options.as_of_source.empty() ? "--as-of" : options.as_of_source;
    } else {
      as_of = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
      run.as_of_source = "clock";
    }
    run.as_of = IsoUtc(as_of);

    for (const CheckDef& c : checks) {
      if (std::none_of(sources.begin(), sources.end(),
                       [&](const SourceDef& s) { return s.id == c.source; })) {
        std::string ids;
        for (const SourceDef& s : sources) ids += (ids.empty() ? "" : ", ") + s.id;
        throw Error(ExitCode::kUsage,
                    fmt::format("check '{}': unknown source '{}' (sources: {})", c.name,
                                c.source, ids.empty() ? "none" : ids),
                    c.loc);
      }
    }
    if (options.invalid_out != nullptr) {
      std::size_t with_checks = 0;
      for (const SourceDef& s : sources) {
        with_checks += std::any_of(checks.begin(), checks.end(),
                                   [&](const CheckDef& c) { return c.source == s.id; });
      }
      if (with_checks > 1) {
        throw Error::Usage("--invalid-out takes the failing rows of one source; the checks read " +
                           std::to_string(with_checks) + " sources");
      }
    }
    for (const SourceDef& s : sources) {
      std::vector<std::pair<std::size_t, const CheckDef*>> mine;
      for (std::size_t i = 0; i < checks.size(); ++i) {
        if (checks[i].source == s.id) mine.emplace_back(i, &checks[i]);
      }
      if (mine.empty()) continue;
      const auto it = options.file_overrides.find(s.id);
      if (it == options.file_overrides.end() && !s.more_files.empty()) {
        throw Error(ExitCode::kUsage,
                    fmt::format("source '{}' has {} files; check reads one file per source: "
                                "name it with --source {}=PATH",
                                s.id, s.more_files.size() + 1, s.id),
                    s.more_file_locs[0]);
      }
      const std::string path = it == options.file_overrides.end() ? s.file : it->second;
      if (streams_read_again) RecordInput(path);
      runs.push_back(std::make_unique<SourceCheckRun>(s, path, options, as_of, run.as_of, mine));
      if (streams_read_again) RewindInput(path);
      source_ids.push_back(s.id);
    }
    run.checks.resize(checks.size());
  }
};

}  // namespace
}  // namespace quality

CheckRun RunChecks(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
                   const CheckOptions& options, std::vector<DataWarning>* warnings) {
  quality::PreparedChecks p(sources, checks, options, false);
  for (auto& r : p.runs) {
    r->ReadAll(options.invalid_out, &p.run.invalid_rows_written);
    r->Finish(&p.run, warnings);
  }
  return std::move(p.run);
}

struct CheckPass::Impl {
  std::vector<SourceDef> sources;
  std::vector<CheckDef> checks;
  CheckOptions options;
  std::optional<quality::PreparedChecks> prepared;
  std::vector<std::unique_ptr<quality::CheckTap>> taps;  // by run
};

CheckPass::CheckPass(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
                     const CheckOptions& options)
    : impl_(std::make_unique<Impl>()) {
  if (options.invalid_out != nullptr) {
    throw std::logic_error("CheckPass: the quarantine needs check's own pass");
  }
  impl_->sources = sources;
  impl_->checks = checks;
  impl_->options = options;
  impl_->prepared.emplace(impl_->sources, impl_->checks, impl_->options, true);
  for (auto& r : impl_->prepared->runs) {
    impl_->taps.push_back(std::make_unique<quality::CheckTap>(r.get()));
  }
}

CheckPass::~CheckPass() = default;

std::map<std::string, RowTap*> CheckPass::Taps() {
  std::map<std::string, RowTap*> out;
  for (std::size_t i = 0; i < impl_->taps.size(); ++i) {
    out[impl_->prepared->source_ids[i]] = impl_->taps[i].get();
  }
  return out;
}

CheckRun CheckPass::Finish(std::vector<DataWarning>* warnings) {
  quality::PreparedChecks& p = *impl_->prepared;
  for (std::size_t i = 0; i < p.runs.size(); ++i) {
    std::unique_ptr<quality::SourceCheckRun>& r = p.runs[i];
    const RowTap& tap = *impl_->taps[i];
    if (!tap.driven()) {
      r->ReadAll(nullptr, nullptr);  // no metric reads this source: the check's own pass
    } else if (tap.split() && !r->MergedAsSerial()) {
      // A uniqueness check whose duplicates all span chunks cannot give the serial samples
      // from merged chunks: its source is read once more, serially, for the checks.
      r = r->Again();
      r->ReadSerially();
    }
    r->Finish(&p.run, warnings);
  }
  return std::move(p.run);
}

int CheckExitCode(const CheckRun& run, bool fail_on_warn) {
  bool error = false, fail = false, warn = false;
  for (const CheckResult& r : run.checks) {
    error |= r.status == CheckStatus::kError;
    fail |= r.status == CheckStatus::kFail;
    warn |= r.status == CheckStatus::kWarn;
  }
  if (error) return ToInt(ExitCode::kInput);
  if (fail || (warn && fail_on_warn)) return ToInt(ExitCode::kCheckFailed);
  return ToInt(ExitCode::kOk);
}

}  // namespace crmkpi
