#include "crmkpi/analysis/deal_report.h"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "crmkpi/analysis/deal_kpis.h"
#include "crmkpi/analysis/deal_stats.h"
#include "crmkpi/base/key_table.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/read/warning_log.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {
namespace {


// One --by grouping (plus the period, when asked for): group values -> DealStats.
struct GroupTable {
  std::vector<std::string> names;  // as given to --by, then "period"
  std::vector<int> columns;        // bound per input; same order as names, period excluded
  bool with_period = false;
  KeyTable index;  // key bytes → group id (the position in values and stats)
  std::vector<std::vector<std::string>> values;
  std::vector<DealStats> stats;

  // The group of |key| (its |values| built only when it is new).
  template <typename Values>
  DealStats& Group(std::string_view key, Values&& make_values) {
    bool inserted = false;
    const std::uint32_t id = index.FindOrInsert(key, &inserted);
    if (inserted) {
      values.push_back(make_values());
      stats.emplace_back();
    }
    return stats[id];
  }
};

void AppendKeyPart(std::string* key, std::string_view part) {
  const auto len = static_cast<std::uint32_t>(part.size());
  key->append(reinterpret_cast<const char*>(&len), sizeof len);
  key->append(part);
}

// Everything a pass over rows adds up: one per run, and one per chunk of the parallel pass,
// merged into the run's in file order.
struct DealAccumulator {
  DealStats total;
  std::vector<GroupTable> tables;  // the run's groupings, columns bound to the current input
  WarningLog warnings;
  Seconds max_date = std::numeric_limits<Seconds>::min();
  std::uint64_t rows = 0, skipped_rows = 0;

  // An empty accumulator with |like|'s groupings.
  static DealAccumulator Like(const DealAccumulator& like) {
    DealAccumulator a;
    for (const GroupTable& t : like.tables) {
      GroupTable e;
      e.names = t.names;
      e.columns = t.columns;
      e.with_period = t.with_period;
      a.tables.push_back(std::move(e));
    }
    return a;
  }

  // The stats of every row: added up row by row without groupings, else the sum of the first
  // grouping's groups (each row is in exactly one; sums and value counts add exactly, so the
  // KPIs are the same as adding every row to the total). After the last merge.
  DealStats& Total() {
    if (!tables.empty() && !total_made) {
      for (const DealStats& g : tables[0].stats) total.Merge(g);
      total_made = true;
    }
    return total;
  }
  bool total_made = false;

  // Adds |later| (the next chunk's), emptying its group tables.
  void Merge(DealAccumulator& later) {
    total.Merge(later.total);
    for (std::size_t i = 0; i < tables.size(); ++i) {
      GroupTable& from = later.tables[i];
      from.index.Drain([&](std::string_view key, std::uint32_t id) {
        tables[i].Group(key, [&] { return from.values[id]; }).Merge(from.stats[id]);
      });
    }
    warnings.Merge(later.warnings);
    max_date = std::max(max_date, later.max_date);
    rows += later.rows;
    skipped_rows += later.skipped_rows;
  }
};

// The per-row work of one input, on one thread: decides each row's facts and adds them to the
// total and its groups. Stage rules and the date parser cache per thread, so each scanner has
// its own.
class DealScanner {
 public:
  DealScanner(const ReportOptions& options, const RoleBinding& roles, int input,
              DealAccumulator* acc)
      : options_(options),
        roles_(roles),
        input_(input),
        rules_(options.stages),
        dates_(options.date_format, options.tz),
        acc_(acc) {}

  void Scan(CsvReader& reader) {
    const std::vector<std::string>& header = reader.header();
    CsvRow row;
    std::string key;
    std::string period;
    while (reader.Next(&row)) {
      if (row.fields.size() != header.size()) {
        HandleBadWidth(reader, row, header);
        continue;
      }
      ++acc_->rows;
      DealFacts facts;
      const Seconds* period_date = Decide(reader, row, header, &facts);
      if (options_.period != Period::kNone) {
        if (period_date == nullptr) {
          period.clear();
        } else {
          FormatPeriod(options_.period, dates_.LocalDate(*period_date), &period);
        }
      }
      // With groupings, every row is in exactly one group of the first: the total is their sum,
      // made once at the end (DealAccumulator::Total) instead of added to on every row.
      if (acc_->tables.empty()) acc_->total.Add(facts);
      for (GroupTable& t : acc_->tables) {
        // One column: its trimmed bytes are the key; several (or a period): length-prefixed
        // parts, so ("a,b","c") and ("a","b,c") differ.
        std::string_view k;
        if (t.columns.size() == 1 && !t.with_period) {
          k = TrimSpace(row.fields[t.columns[0]]);
        } else {
          key.clear();
          for (int c : t.columns) AppendKeyPart(&key, TrimSpace(row.fields[c]));
          if (t.with_period) AppendKeyPart(&key, period);
          k = key;
        }
        t.Group(k, [&] {
           std::vector<std::string> values;
           for (int c : t.columns) values.emplace_back(TrimSpace(row.fields[c]));
           if (t.with_period) values.push_back(period);
           return values;
         }).Add(facts);
      }
    }
  }

 private:
  // Decides the row's facts; returns the date that places it in a period, or nullptr.
  const Seconds* Decide(const CsvReader& reader, const CsvRow& row,
                        const std::vector<std::string>& header, DealFacts* f) {
    const std::string_view stage = row.fields[roles_[Role::kStage]];
    const StageInfo& info = rules_.Lookup(stage);
    f->cls = info.cls;
    f->reached = info.reached;

    if (roles_.has(Role::kAmount)) {
      const int c = roles_[Role::kAmount];
      f->amount_status = ParseAmount(row.fields[c], &f->amount);
      if (f->amount_status == ParseStatus::kInvalid) {
        Warn("invalid_amount", reader, row, header, c, [] { return "is not an amount"; });
      }
    }

    ParseStatus created_status = ParseStatus::kEmpty, closed_status = ParseStatus::kEmpty;
    if (roles_.has(Role::kCreated)) {
      created_status = ParseDate(reader, row, header, roles_[Role::kCreated], &created_);
    }
    if (roles_.has(Role::kClosed)) {
      closed_status = ParseDate(reader, row, header, roles_[Role::kClosed], &closed_);
    }
    // The all-deals cycle: every deal with a created date; closed ones need a closed date too.
    if (created_status == ParseStatus::kEmpty) {
      f->km_exclusion = CycleExclusion::kMissingCreated;
    } else if (created_status == ParseStatus::kInvalid) {
      f->km_exclusion = CycleExclusion::kInvalidCreated;
    } else if (f->cls == StageClass::kOpen) {
      f->km_value = created_;
    } else if (closed_status == ParseStatus::kEmpty) {
      f->km_exclusion = CycleExclusion::kMissingClosed;
    } else if (closed_status == ParseStatus::kInvalid) {
      f->km_exclusion = CycleExclusion::kInvalidClosed;
    } else if (closed_ < created_) {
      f->km_exclusion = CycleExclusion::kNegative;
      // Every closed deal's duration is read (the all-deals cycle), so every negative one is
      // warned about, as a definition's created..closed metrics do.
      const std::string& from = header[static_cast<std::size_t>(roles_[Role::kCreated])];
      const std::string& to = header[static_cast<std::size_t>(roles_[Role::kClosed])];
      Warn("negative_duration", reader, row, header, roles_[Role::kClosed], [&] {
        return fmt::format("is before '{}'; the row is left out of the durations {}..{}", from,
                           from, to);
      });
    } else {
      f->km_value = closed_ - created_;
    }
    if (f->cls == StageClass::kWon) {
      if (created_status == ParseStatus::kEmpty) {
        f->cycle_exclusion = CycleExclusion::kMissingCreated;
      } else if (created_status == ParseStatus::kInvalid) {
        f->cycle_exclusion = CycleExclusion::kInvalidCreated;
      } else if (closed_status == ParseStatus::kEmpty) {
        f->cycle_exclusion = CycleExclusion::kMissingClosed;
      } else if (closed_status == ParseStatus::kInvalid) {
        f->cycle_exclusion = CycleExclusion::kInvalidClosed;
      } else if (closed_ < created_) {
        f->cycle_exclusion = CycleExclusion::kNegative;  // warned about above
      } else {
        f->cycle_seconds = closed_ - created_;
      }
    }
    if (options_.period == Period::kNone) return nullptr;
    const ParseStatus s = options_.period_of == PeriodOf::kClosed ? closed_status : created_status;
    return s == ParseStatus::kOk ? (options_.period_of == PeriodOf::kClosed ? &closed_ : &created_)
                                 : nullptr;
  }

  ParseStatus ParseDate(const CsvReader& reader, const CsvRow& row,
                        const std::vector<std::string>& header, int c, Seconds* out) {
    const ParseStatus s = dates_.Parse(row.fields[c], out);
    if (s == ParseStatus::kOk) {
      acc_->max_date = std::max(acc_->max_date, *out);
    } else if (s == ParseStatus::kInvalid) {
      Warn("invalid_date", reader, row, header, c,
           [this] { return InvalidDateMessage(options_.date_format, "--date-format"); });
    }
    return s;
  }

  // |what| is only called for the first occurrence of (kind, input, column).
  template <typename What>
  void Warn(std::string_view kind, const CsvReader& reader, const CsvRow& row,
            const std::vector<std::string>& header, int c, What&& what) {
    const auto idx = static_cast<std::size_t>(c);
    acc_->warnings.Add(kind, input_, c, [&] {
      return FieldWarning(header[idx], reader.Locate(idx), row.fields[idx], what());
    });
  }

  void HandleBadWidth(const CsvReader& reader, const CsvRow& row,
                      const std::vector<std::string>& header) {
    std::size_t at = 0;
    const std::string message = FieldCountMessage(header, row.fields.size(), &at);
    if (!options_.lenient) {
      throw Error::Input(message + "; use --lenient to skip such rows", reader.Locate(at));
    }
    ++acc_->skipped_rows;
    acc_->warnings.Add("skipped_row", input_, -1, [&] {
      DataWarning w;
      w.first = reader.Locate(at);
      w.message = "record skipped (--lenient): " + message;
      return w;
    });
  }

  const ReportOptions& options_;
  const RoleBinding& roles_;
  int input_;
  StageRules rules_;
  DateParser dates_;
  Seconds created_ = 0, closed_ = 0;
  DealAccumulator* acc_;
};

class DealReportRun {
 public:
  explicit DealReportRun(const ReportOptions& options)
      : options_(options),
        rules_(options.stages),
        dates_(options.date_format, options.tz) {
    if (!options.as_of.empty()) {
      Seconds t = 0;
      if (dates_.Parse(options.as_of, &t) != ParseStatus::kOk) {
        throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", options.as_of));
      }
      as_of_ = t;
    }
    for (const auto& spec : options.by) {
      GroupTable table;
      table.names = spec;
      table.with_period = options.period != Period::kNone;
      if (table.with_period) table.names.push_back("period");
      acc_.tables.push_back(std::move(table));
    }
    if (options.period != Period::kNone) {
      GroupTable table;
      table.names = {"period"};
      table.with_period = true;
      acc_.tables.insert(acc_.tables.begin(), std::move(table));
    }
  }

  // Reads one input: on all cores when it is a large UTF-8 file (chunk accumulators merged in
  // file order) or a stream (blocks cut as they arrive), else serially; a failed parallel pass
  // is redone serially from where it failed (parallel_scan.h).
  void ReadInput(const std::string& path) {
    Encoding encoding = options_.encoding;
    auto reader = std::make_unique<CsvReader>(OpenInput(path, options_.encoding, &encoding),
                                              options_.csv);
    const std::vector<std::string>& header = reader->ReadHeader();
    const RoleBinding roles = BindRoles(header, options_.mappings, reader->name());
    Bind(*reader, header, roles);
    const int input = static_cast<int>(inputs_.size());

    InputSummary summary;
    summary.name = reader->name();
    summary.encoding = std::string(EncodingName(encoding));
    summary.delimiter = reader->delimiter();
    const std::uint64_t rows_before = acc_.rows, skipped_before = acc_.skipped_rows;

    ReadInParts<DealAccumulator>(
        path, *reader, encoding, options_.parallel,
        [&] { return std::make_unique<DealAccumulator>(DealAccumulator::Like(acc_)); },
        [&](DealAccumulator& part, CsvReader& r) {
          DealScanner(options_, roles_, input, &part).Scan(r);
        },
        [&](DealAccumulator& part) { acc_.Merge(part); });
    summary.rows = acc_.rows - rows_before;
    summary.skipped_rows = acc_.skipped_rows - skipped_before;
    inputs_.push_back(summary);
  }

  Report Finish() {
    Report report;
    report.inputs = inputs_;
    if (as_of_) {
      report.as_of = FormatDate(dates_.LocalDate(*as_of_));
      report.as_of_source = "option";
    } else if (acc_.max_date != std::numeric_limits<Seconds>::min()) {
      report.as_of = FormatDate(dates_.LocalDate(acc_.max_date));
      report.as_of_source = "data";
    }
    context_.as_of = as_of_ ? *as_of_ : acc_.max_date;
    report.total.kpis = ComputeDealKpis(acc_.Total(), context_);
    for (GroupTable& t : acc_.tables) {
      Grouping g;
      g.keys = t.names;
      std::vector<std::uint32_t> order(t.stats.size());
      for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](std::uint32_t a, std::uint32_t b) { return t.values[a] < t.values[b]; });
      for (std::uint32_t i : order) {
        GroupRow row;
        row.values = t.values[i];
        row.kpis = ComputeDealKpis(t.stats[i], context_);
        g.rows.push_back(std::move(row));
      }
      report.groupings.push_back(std::move(g));
    }
    report.warnings = acc_.warnings.Take();
    return report;
  }

 private:
  // Resolves the roles and --by columns of a new input.
  void Bind(const CsvReader& reader, const std::vector<std::string>& header,
            const RoleBinding& roles) {
    if (!roles.has(Role::kStage)) {
      throw Error::Usage(fmt::format(
          "{}: no stage column found; name it with --map stage=COLUMN. The header has {}",
          reader.name(), QuoteHeaders(header)));
    }
    roles_ = roles;
    const bool first = inputs_.empty();
    const bool has_amount = roles.has(Role::kAmount);
    const bool has_dates = roles.has(Role::kCreated) && roles.has(Role::kClosed);
    context_.has_amount = first ? has_amount : (context_.has_amount && has_amount);
    context_.has_dates = first ? has_dates : (context_.has_dates && has_dates);
    context_.has_funnel = rules_.has_funnel();
    if (options_.period != Period::kNone) {
      const Role r = options_.period_of == PeriodOf::kClosed ? Role::kClosed : Role::kCreated;
      if (!roles.has(r)) {
        throw Error::Usage(fmt::format(
            "{}: --period needs the {} date column; name it with --map {}=COLUMN. The header "
            "has {}",
            reader.name(), RoleName(r), RoleName(r), QuoteHeaders(header)));
      }
    }
    for (GroupTable& t : acc_.tables) {
      t.columns.clear();
      for (const std::string& name : t.names) {
        if (t.with_period && &name == &t.names.back()) break;
        t.columns.push_back(ResolveByColumn(header, roles, name, reader.name()));
      }
    }
  }

  const ReportOptions& options_;
  StageRules rules_;  // for has_funnel()
  DateParser dates_;  // for --as-of and the as-of date
  std::optional<Seconds> as_of_;
  RoleBinding roles_;
  KpiContext context_;
  DealAccumulator acc_;
  std::vector<InputSummary> inputs_;
};

}  // namespace

Report RunDealReport(const ReportOptions& options) {
  if (options.files.empty()) throw Error::Usage("no input file (use - for standard input)");
  DealReportRun run(options);
  for (const std::string& path : options.files) run.ReadInput(path);
  return run.Finish();
}

}  // namespace crmkpi
