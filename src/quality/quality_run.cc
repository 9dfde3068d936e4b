#include "crmkpi/quality/quality_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "crmkpi/base/key_table.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/definition/where.h"
#include "crmkpi/quality/near_duplicates.h"
#include "crmkpi/quality/validity_rule.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/normalize.h"

namespace crmkpi {
namespace {

constexpr std::size_t kSampleBytes = 200;
constexpr double kSecondsPerDay = 86400.0;
constexpr std::size_t kNearLimit = 50;  // candidate pairs listed per check

std::string Clip(std::string_view s) {
  if (s.size() <= kSampleBytes) return std::string(s);
  std::size_t n = kSampleBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // whole characters
  return std::string(s.substr(0, n)) + "…";
}

std::string IsoUtc(Seconds t) {
  const date::sys_seconds tp{std::chrono::seconds{t}};
  return date::format("%Y-%m-%dT%H:%M:%SZ", tp);
}

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

// A header name compared loosely: ASCII letters lower-cased; ASCII spaces, '_', '-' and '.'
// dropped; every other byte kept (so Japanese names compare as written).
std::string LooseName(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == ' ' || ch == '_' || ch == '-' || ch == '.' || ch == '\t') continue;
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch | 0x20);
    out.push_back(ch);
  }
  return out;
}

// How likely the header column |found| is a renamed |expected| (lower is likelier), or nullopt
// when they are not alike: 0 the same loose name ("Close Date" / "close_date"); then one loose
// name inside the other, at least 3 bytes ("Stage" / "Sales Stage"), by the length difference;
// then at most max(1, shorter / 3) edits apart ("Amount" / "Amuont"), by the distance.
std::optional<std::pair<int, std::size_t>> RenameScore(std::string_view expected,
                                                       std::string_view found) {
  const std::string a = LooseName(expected), b = LooseName(found);
  if (a.empty() || b.empty()) return std::nullopt;
  if (a == b) return std::pair<int, std::size_t>{0, 0};
  const std::size_t shorter = std::min(a.size(), b.size());
  const std::size_t longer = std::max(a.size(), b.size());
  if (shorter >= 3 && (a.find(b) != std::string::npos || b.find(a) != std::string::npos)) {
    return std::pair<int, std::size_t>{1, longer - shorter};
  }
  const std::size_t d = EditDistance(a, b);
  if (d <= std::max<std::size_t>(1, shorter / 3)) return std::pair<int, std::size_t>{2, d};
  return std::nullopt;
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

// The distinct keys of a uniqueness check whose hashes fall in one range: its own table, and per
// key id (ids are per partition) the row count and first line. The keys are split by hash into
// one partition per thread so that the parallel pass merges two chunks' keys on all threads,
// partition i of the later chunk into partition i of the earlier (no key is in two
// partitions), instead of draining one whole table into the other on one thread.
struct KeyPartition {
  KeyTable keys;
  // Mapped on their own when large, like the key table (large_alloc.h).
  std::vector<std::uint32_t, LargeAllocator<std::uint32_t>> counts;
  std::vector<std::uint64_t, LargeAllocator<std::uint64_t>> first_line;

  // Adds |later|'s keys (a later chunk's partition of the same hash range), draining it.
  void Merge(KeyPartition& later) {
    // Memory: |later|'s index goes first, then this table's slots and per-key vectors grow
    // once to the size of both (not by doublings that would hold old and new).
    const std::size_t n = std::size_t{keys.size()} + later.keys.size();
    later.keys.ReleaseIndex();
    keys.Reserve(n);
    counts.reserve(n);
    first_line.reserve(n);
    later.keys.Drain([&](std::string_view key, std::uint32_t id) {
      bool inserted = false;
      const std::uint32_t to = keys.FindOrInsert(key, &inserted);
      if (inserted) {
        counts.push_back(later.counts[id]);
        first_line.push_back(later.first_line[id]);
      } else {
        counts[to] += later.counts[id];
      }
    });
    decltype(counts)().swap(later.counts);
    decltype(first_line)().swap(later.first_line);
  }
};

// The partition of a key hashing to |h| among |n|: by the hash's top bits (the key table picks
// slots by its low bits).
std::size_t PartitionOf(std::uint64_t h, std::size_t n) {
  return static_cast<std::size_t>(((h >> 32) * n) >> 32);
}

// One check while the source is read.
struct CheckState {
  std::size_t index = 0;  // in the run's checks (definition order)
  CheckResult result;
  std::vector<int> columns;  // schema columns (completeness, uniqueness parts, validity,
                             // timeliness: one)
  // Uniqueness.
  std::vector<Normalizer> normalizers;  // one per key part (each keeps its own buffer)
  std::vector<KeyPartition> partitions;  // one per thread of the run
  std::string key;                        // scratch: the composite key
  std::unique_ptr<NearDuplicates> near;
  double near_threshold = 0;
  // Validity.
  std::optional<ValidityRule> rule;
  // Timeliness.
  Seconds newest = 0;
  bool has_newest = false;
};

using SourceChecks = std::vector<std::pair<std::size_t, const CheckDef*>>;

class SourceCheckRun {
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
    const bool near = std::any_of(checks_.begin(), checks_.end(),
                                  [](const CheckState& c) { return c.near != nullptr; });
    if (quarantine == nullptr && !near) {
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
          return DateParser(def.date_format, tz_, def.loc.file.empty() ? "--date-format" : "date_format");
        })) {}

  // Binds the header (read by |header_reader| already) and every check.
  void Init(const CsvReader& header_reader) {
    const SourceDef& def = def_;
    summary_.id = def.id;
    summary_.file = header_reader.name();
    summary_.encoding = std::string(EncodingName(used_));
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
    for (const CheckState& c : checks_) {
      if (c.near) return false;
    }
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
    const std::size_t width = schema_.header_size();
    if (quarantine != nullptr) {
      quarantine->Write(reader.raw_header());
      quarantine->Write("\n");
    }
    CsvRow row;
    while (reader.Next(&row)) {
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
      if (has_filter_ && !filter_.Matches(*context_)) continue;
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
  }

  void Finish(CheckRun* run, std::vector<DataWarning>* warnings) {
    if (structural_warning_) warnings->push_back(*structural_warning_);
    summary_.structural_errors = structural_;
    for (CheckState& c : checks_) {
      CheckResult& r = c.result;
      r.structural_errors = structural_;
      if (r.status != CheckStatus::kError) {
        if (r.def.type == CheckType::kUniqueness) {
          r.distinct = DistinctKeys(c);
          r.violations = r.denominator - r.distinct;
          for (const KeyPartition& p : c.partitions) {
            for (std::uint32_t n : p.counts) {
              if (n >= 2) {
                ++r.duplicate_groups;
                r.rows_in_duplicate_groups += n;
              }
            }
          }
          if (c.near) {
            std::size_t total = 0;
            r.near = c.near->Find(c.near_threshold, kNearLimit, &total);
            r.near_total = total;
            for (NearPair& p : r.near) {
              p.original_a = Clip(p.original_a);
              p.original_b = Clip(p.original_b);
            }
          }
        } else if (r.def.type == CheckType::kTimeliness && c.has_newest) {
          r.newest = IsoUtc(c.newest);
          r.freshness_days = static_cast<double>(as_of_ - c.newest) / kSecondsPerDay;
        } else if (r.def.type == CheckType::kRowCount) {
          r.violations = r.rows;  // the metric is R itself
          r.percent = static_cast<double>(r.rows);
        }
        if (r.denominator > 0) {
          r.percent = 100.0 * static_cast<double>(r.violations) /
                      static_cast<double>(r.denominator);
        }
        Judge(&r);
      }
      run->checks[c.index] = std::move(r);
    }
    run->sources.push_back(summary_);
  }

 private:
  static std::uint64_t DistinctKeys(const CheckState& c) {
    std::uint64_t n = 0;
    for (const KeyPartition& p : c.partitions) n += p.keys.size();
    return n;
  }

  bool Missing(std::string_view raw) const {
    const std::string_view v = TrimWhitespace(raw);
    if (v.empty()) return true;
    for (const std::string& t : tokens_) {
      if (SameAsciiCaseless(v, t)) return true;
    }
    return false;
  }

  void Bind(std::size_t index, const CheckDef& def, const std::string& as_of_text) {
    CheckState c;
    c.index = index;
    c.result.def = def;
    c.result.metric = def.type == CheckType::kCompleteness  ? "missing_percent"
                      : def.type == CheckType::kUniqueness ? "duplicate_percent"
                      : def.type == CheckType::kValidity   ? "invalid_percent"
                      : def.type == CheckType::kTimeliness ? "stale_percent"
                      : def.type == CheckType::kRowCount   ? "row_count"
                                                           : "missing_columns_percent";
    c.result.def.allow_empty = def.allow_empty || options_.allow_empty;
    const char* what = CheckTypeName(def.type);
    if (!CountsRows(def.type)) {
      BindWhole(c);
      checks_.push_back(std::move(c));
      return;
    }
    if (def.fail && def.warn && def.fail->percent == def.warn->percent &&
        def.warn->value > def.fail->value) {
      throw Error(ExitCode::kUsage,
                  fmt::format("check '{}': the warn limit {} is above the fail limit {}; a "
                              "warning must come before a failure",
                              def.name, def.warn->text, def.fail->text),
                  def.loc);
    }
    if (def.columns.empty()) {
      throw Error(ExitCode::kUsage, fmt::format("check '{}': {} needs a column", def.name, what),
                  def.loc);
    }
    if ((def.type == CheckType::kValidity || def.type == CheckType::kTimeliness) &&
        def.columns.size() != 1) {
      throw Error(ExitCode::kUsage,
                  fmt::format("check '{}': {} takes one column, got {}", def.name, what,
                              def.columns.size()),
                  def.loc);
    }
    std::vector<std::string> unknown;
    for (const std::string& name : def.columns) {
      const int col = schema_.Resolve(TrimSpace(name));
      if (col < 0) unknown.push_back(name);
      c.columns.push_back(col);
    }
    if (!unknown.empty()) {
      // The check cannot run: an error result, never a pass (and never a thrown usage error,
      // so the other checks still report).
      c.result.status = CheckStatus::kError;
      std::string names;
      for (const auto& u : unknown) names += (names.empty() ? "'" : ", '") + u + "'";
      c.result.error = fmt::format("column{} {} not in {} ({})", unknown.size() == 1 ? "" : "s",
                                   names, summary_.file, schema_.Describe());
      checks_.push_back(std::move(c));
      return;
    }
    switch (def.type) {
      case CheckType::kCompleteness:
        for (int col : c.columns) c.result.missing_by_column.emplace_back(schema_.name(col), 0);
        break;
      case CheckType::kUniqueness: {
        Normalizer n;
        try {
          n = Normalizer::Parse(def.normalize);
        } catch (const Error& e) {
          throw Error(ExitCode::kUsage,
                      fmt::format("check '{}': normalize: {}", def.name, e.message()), def.loc);
        }
        c.normalizers.assign(c.columns.size(), n);
        // One partition per thread that can run a merge at the same time: more cores than
        // the machine has would only start idle threads (the results do not depend on it).
        c.partitions.resize(std::min(ResolveThreads(options_.parallel.threads),
                                     ResolveThreads(0)));
        if (!TrimSpace(def.near).empty()) {
          char* end = nullptr;
          const std::string t(TrimSpace(def.near));
          const double v = std::strtod(t.c_str(), &end);
          if (end != t.c_str() + t.size() || !(v > 0 && v <= 1)) {
            throw Error(ExitCode::kUsage,
                        fmt::format("check '{}': near: expected a similarity in (0, 1], e.g. "
                                    "0.85, got '{}'",
                                    def.name, def.near),
                        def.loc);
          }
          if (c.columns.size() != 1) {
            throw Error(ExitCode::kUsage,
                        fmt::format("check '{}': near-duplicate candidates need a one-column key",
                                    def.name),
                        def.loc);
          }
          c.near = std::make_unique<NearDuplicates>();
          c.near_threshold = v;
        }
        break;
      }
      case CheckType::kValidity:
        c.rule = ValidityRule::Bind(def.rule, def.when, c.columns[0], schema_, rules_, tz_,
                                    def.rule_loc.line > 0 ? def.rule_loc : def.loc);
        break;
      case CheckType::kTimeliness:
        if (!(def.max_age_days >= 0)) {
          throw Error(ExitCode::kUsage,
                      fmt::format("check '{}': max_age_days must be a number of days >= 0",
                                  def.name),
                      def.loc);
        }
        c.result.as_of = as_of_text;
        break;
      case CheckType::kRowCount:
      case CheckType::kSchema:
        break;
    }
    checks_.push_back(std::move(c));
  }

  // row_count and schema: decided by the row count and the header, nothing per row.
  void BindWhole(CheckState& c) {
    CheckResult& r = c.result;
    const CheckDef& def = r.def;
    auto usage = [&](const std::string& message) {
      throw Error(ExitCode::kUsage, fmt::format("check '{}': {}", def.name, message), def.loc);
    };
    if (def.type == CheckType::kRowCount) {
      if (!def.columns.empty()) usage("a row_count check takes no columns");
      if ((def.fail && def.fail->percent) || (def.warn && def.warn->percent)) {
        usage("row_count limits are numbers of rows (min = 1000), not percents");
      }
      if (def.fail && def.warn && def.warn->value < def.fail->value) {
        usage(fmt::format("the warn minimum {} is below the fail minimum {}; a warning must "
                          "come before a failure",
                          def.warn->text, def.fail->text));
      }
      return;
    }
    if (def.columns.empty()) usage("a schema check needs the expected columns (columns = a,b,c)");
    if (def.fail || def.warn) {
      usage("a schema check takes no fail or warn limit: missing columns fail, extra columns "
            "do what 'extra = allow|warn|fail' says");
    }
    const std::vector<std::string>& header = schema_.header();
    std::vector<std::string> expected;
    for (const std::string& name : def.columns) {
      const std::string n(TrimSpace(name));
      if (std::find(expected.begin(), expected.end(), n) == expected.end()) expected.push_back(n);
    }
    std::vector<std::string> extra;  // header names not expected, in header order, once each
    for (const std::string& h : header) {
      if (std::find(expected.begin(), expected.end(), h) == expected.end() &&
          std::find(extra.begin(), extra.end(), h) == extra.end()) {
        extra.push_back(h);
      }
    }
    std::vector<bool> taken(extra.size(), false);  // an extra column named as a rename
    std::vector<std::string> rename_of(expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (std::find(header.begin(), header.end(), expected[i]) != header.end()) continue;
      r.missing_columns.push_back(expected[i]);
      std::optional<std::pair<int, std::size_t>> best;
      std::size_t best_at = 0;
      for (std::size_t j = 0; j < extra.size(); ++j) {
        if (taken[j]) continue;
        const auto score = RenameScore(expected[i], extra[j]);
        if (score && (!best || *score < *best)) {
          best = score;
          best_at = j;
        }
      }
      if (best) {
        taken[best_at] = true;
        rename_of[i] = extra[best_at];
        r.renamed.emplace_back(expected[i], extra[best_at]);
      }
    }
    for (std::size_t j = 0; j < extra.size(); ++j) {
      if (!taken[j]) r.extra_columns.push_back(extra[j]);
    }
    r.denominator = expected.size();
    r.violations = r.missing_columns.size();
    // Samples: the header line, one per missing column, then one per extra column.
    auto sample = [&](const std::string& column, std::string rule) {
      if (r.samples.size() >= options_.samples) return;
      CheckSample s;
      s.line = 1;
      s.row = 0;
      s.column = column;
      s.rule = std::move(rule);
      r.samples.push_back(std::move(s));
    };
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (std::find(r.missing_columns.begin(), r.missing_columns.end(), expected[i]) ==
          r.missing_columns.end()) {
        continue;
      }
      sample(expected[i], rename_of[i].empty()
                              ? std::string("missing column")
                              : fmt::format("missing column; renamed? '{}' → '{}'", expected[i],
                                            rename_of[i]));
    }
    for (const std::string& e : r.extra_columns) sample(e, "extra column");
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

std::string LimitText(const Limit& l) {
  return l.percent ? fmt::format("{}%", l.value) : fmt::format("{}", l.value);
}

// What a limit compares: the percent metric, or the violation count.
std::string Compared(const CheckResult& r, const Limit& l) {
  if (l.percent) return r.metric;
  switch (r.def.type) {
    case CheckType::kCompleteness:
      return "missing_count";
    case CheckType::kUniqueness:
      return "duplicate_count";
    case CheckType::kValidity:
      return "invalid_count";
    case CheckType::kTimeliness:
      return "stale_count";
    case CheckType::kRowCount:
      return "row_count";
    case CheckType::kSchema:
      return "missing_columns";
  }
  return "violations";
}

bool Exceeds(const CheckResult& r, const Limit& l) {
  if (l.percent) return r.percent.has_value() && *r.percent > l.value;
  return static_cast<double>(r.violations) > l.value;
}

}  // namespace

void Judge(CheckResult* r) {
  if (r->status == CheckStatus::kError) return;
  r->breached.clear();
  r->status = CheckStatus::kPass;
  const CheckDef& def = r->def;
  if (def.type == CheckType::kRowCount) {
    // The limits are minimums; no limit at all: at least one row.
    const std::optional<Limit> fail =
        def.fail || def.warn ? def.fail : std::optional<Limit>(Limit{false, 1, ""});
    const char* empty = r->rows == 0 ? " (no rows)" : "";
    if (fail && static_cast<double>(r->rows) < fail->value) {
      r->status = CheckStatus::kFail;
      r->breached = fmt::format("fail: row_count {} < {}{}{}", r->rows, LimitText(*fail),
                                def.fail ? "" : " (default)", empty);
    } else if (def.warn && static_cast<double>(r->rows) < def.warn->value) {
      r->status = CheckStatus::kWarn;
      r->breached = fmt::format("warn: row_count {} < {}{}", r->rows, LimitText(*def.warn), empty);
    }
    return;
  }
  if (def.type == CheckType::kSchema) {
    const std::size_t missing = r->missing_columns.size(), extra = r->extra_columns.size();
    if (missing != 0) {
      r->status = CheckStatus::kFail;
      r->breached = fmt::format("fail: {} expected column{} missing", missing,
                                missing == 1 ? "" : "s");
    } else if (extra != 0 && def.extra != ExtraColumns::kAllow) {
      r->status = def.extra == ExtraColumns::kFail ? CheckStatus::kFail : CheckStatus::kWarn;
      r->breached = fmt::format("{}: {} extra column{} (extra = {})", ExtraColumnsName(def.extra),
                                extra, extra == 1 ? "" : "s", ExtraColumnsName(def.extra));
    }
    return;
  }
  // No rows (an empty export, or a filter that keeps none) cannot pass a gate silently: the
  // check fails, or warns when it has only a warn limit, unless empty sources are allowed.
  if (r->rows == 0 && !def.allow_empty) {
    const bool fails = def.fail || !def.warn;
    r->status = fails ? CheckStatus::kFail : CheckStatus::kWarn;
    r->breached = fmt::format("{}: no rows (allow_empty / --allow-empty accepts an empty source)",
                              fails ? "fail" : "warn");
    return;
  }
  // No limit at all: any violation fails. Only a warn limit: the check warns, never fails.
  const bool fails = r->def.fail ? Exceeds(*r, *r->def.fail)
                                 : (!r->def.warn && r->violations > 0);
  if (fails) {
    r->status = CheckStatus::kFail;
    r->breached = r->def.fail
                      ? fmt::format("fail: {} > {}", Compared(*r, *r->def.fail),
                                    LimitText(*r->def.fail))
                      : fmt::format("fail: {} violation{} (no limit set: any fails)",
                                    r->violations, r->violations == 1 ? "" : "s");
    return;
  }
  if (r->def.warn && Exceeds(*r, *r->def.warn)) {
    r->status = CheckStatus::kWarn;
    r->breached =
        fmt::format("warn: {} > {}", Compared(*r, *r->def.warn), LimitText(*r->def.warn));
    return;
  }
  r->status = CheckStatus::kPass;
}

CheckRun RunChecks(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
                   const CheckOptions& options, std::vector<DataWarning>* warnings) {
  CheckRun run;
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
                  fmt::format("check '{}': unknown source '{}' (sources: {})", c.name, c.source,
                              ids.empty() ? "none" : ids),
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

  // Bind every source before reading any rows, so configuration errors come before a long read.
  std::vector<std::unique_ptr<SourceCheckRun>> runs;
  for (const SourceDef& s : sources) {
    std::vector<std::pair<std::size_t, const CheckDef*>> mine;
    for (std::size_t i = 0; i < checks.size(); ++i) {
      if (checks[i].source == s.id) mine.emplace_back(i, &checks[i]);
    }
    if (mine.empty()) continue;
    const auto it = options.file_overrides.find(s.id);
    const std::string path = it == options.file_overrides.end() ? s.file : it->second;
    runs.push_back(std::make_unique<SourceCheckRun>(s, path, options, as_of, run.as_of, mine));
  }
  run.checks.resize(checks.size());
  for (auto& r : runs) {
    r->ReadAll(options.invalid_out, &run.invalid_rows_written);
    r->Finish(&run, warnings);
  }
  return run;
}

}  // namespace crmkpi
