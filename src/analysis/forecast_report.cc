#include "crmkpi/analysis/forecast_report.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "crmkpi/analysis/forecast_kpis.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/read/warning_log.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/period_label.h"

namespace crmkpi {
namespace {

constexpr std::int32_t kNoSnapshot = std::numeric_limits<std::int32_t>::min();
constexpr int kForecastInput = 0;
constexpr int kDealsInput = 1;

bool IsForecastRole(Role r) {
  return r == Role::kPeriod || r == Role::kForecast || r == Role::kActual ||
         r == Role::kSnapshot || r == Role::kCategory;
}
bool IsDealsRole(Role r) {
  return r == Role::kStage || r == Role::kAmount || r == Role::kClosed || r == Role::kCreated;
}

void AppendKeyPart(std::string* key, std::string_view part) {
  const auto len = static_cast<std::uint32_t>(part.size());
  key->append(reinterpret_cast<const char*>(&len), sizeof len);
  key->append(part);
}

std::int32_t DayNumber(const date::year_month_day& ymd) {
  return date::sys_days(ymd).time_since_epoch().count();
}

// The values of the --by columns, interned to dense ids shared by both files.
struct GroupIndex {
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index;
  std::vector<std::vector<std::string>> values;
  std::vector<char> in_deals;          // the value occurs in some row of the deals file
  std::vector<Seconds> first_date;     // earliest valid created/closed date there

  // |key| is scratch space; allocates only for a new group.
  std::uint32_t Intern(const CsvRow& row, const std::vector<int>& columns, std::string* key) {
    key->clear();
    for (int c : columns) AppendKeyPart(key, TrimSpace(row.fields[c]));
    return Find(*key, [&] {
      std::vector<std::string> v;
      for (int c : columns) v.emplace_back(TrimSpace(row.fields[c]));
      return v;
    });
  }
  // The id of a group by its values (another index's), made when new.
  std::uint32_t InternValues(const std::vector<std::string>& v, std::string* key) {
    key->clear();
    for (const std::string& part : v) AppendKeyPart(key, part);
    return Find(*key, [&] { return v; });
  }

 private:
  // The id of |key|, or a new one whose values |make| gives.
  template <typename Make>
  std::uint32_t Find(const std::string& key, Make&& make) {
    auto it = index.find(std::string_view(key));
    if (it != index.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(values.size());
    index.emplace(key, id);
    values.push_back(make());
    in_deals.push_back(0);
    first_date.push_back(std::numeric_limits<Seconds>::max());
    return id;
  }
};

// Forecast categories, interned likewise (id 0 = the only one when there is no column).
struct CategoryIndex {
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index;
  std::vector<std::string> names;

  std::uint32_t Intern(std::string_view value) {
    auto it = index.find(value);
    if (it != index.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(names.size());
    index.emplace(std::string(value), id);
    names.emplace_back(value);
    return id;
  }
};

// (period, group, category, snapshot day) → the forecast rows with that key, summed.
using EntryKey = std::tuple<std::int32_t, std::uint32_t, std::uint32_t, std::int32_t>;
struct Entry {
  Int128 forecast = 0, actual = 0;
  std::uint32_t rows = 0;
  bool has_forecast = false, has_actual = false;
};

struct ActualCell {
  Int128 sum = 0;
  std::uint32_t deals = 0;  // won deals summed
};

Int128 Abs(Int128 v) { return v < 0 ? -v : v; }

std::string DayText(std::int32_t day) {
  return FormatDate(date::year_month_day{date::sys_days{date::days{day}}});
}

std::uint64_t CellKey(std::uint32_t group, std::int32_t period) {
  return (std::uint64_t{group} << 32) | static_cast<std::uint32_t>(period);
}

// One point of the join: a key's headline forecast and actual, or one horizon of it.
struct Point {
  std::int32_t period = 0;
  std::uint32_t group = 0, category = 0;
  std::int32_t snapshot = kNoSnapshot;
  std::int32_t horizon = -1;
  Int128 forecast = 0, actual = 0;
  std::uint32_t rows = 0;       // forecast rows summed into it
  bool has_forecast = true;     // false: actual only
  bool counted = true;          // in the metrics (matched, or zero-filled)
  std::optional<ForecastExclusion> why;  // set for one-side-only and excluded points
};

// What is known of a key's actual.
struct ActualSide {
  bool known = false;
  Int128 value = 0;
  ForecastExclusion why = ForecastExclusion::kNoActual;  // when !known
};

std::string_view ExclusionCode(ForecastExclusion why) {
  switch (why) {
    case ForecastExclusion::kNoActual:
      return "no_actual";
    case ForecastExclusion::kNoForecast:
      return "no_forecast";
    case ForecastExclusion::kPeriodNotEnded:
      return "period_not_ended";
    case ForecastExclusion::kLateSnapshot:
      return "late_snapshot";
  }
  return "";
}

// Warnings about one input file's rows, shared by the forecast file's reader and the deals
// file's passes: each kind is reported once per column, at its first occurrence, with a count.
class InputWarnings {
 public:
  InputWarnings(const ForecastOptions& options, WarningLog* log, int input,
                const std::vector<std::string>& header)
      : options_(options), log_(log), input_(input), header_(header) {}

  // |what| is only called for the first occurrence of (kind, input, column).
  template <typename What>
  void Warn(std::string_view kind, const CsvReader& reader, const CsvRow& row, int c,
            What&& what) {
    const auto idx = static_cast<std::size_t>(c);
    log_->Add(kind, input_, c, [&] {
      return FieldWarning(header_[idx], reader.Locate(idx), row.fields[idx], what());
    });
  }

  void WarnAmount(const CsvReader& reader, const CsvRow& row, int c, const char* consequence) {
    Warn("invalid_amount", reader, row, c,
         [consequence] { return fmt::format("is not an amount; {}", consequence); });
  }

  ParseStatus ParseDate(const DateParser& dates, const CsvReader& reader, const CsvRow& row,
                        int c, Seconds* out) {
    const ParseStatus s = dates.Parse(row.fields[c], out);
    if (s == ParseStatus::kInvalid) {
      Warn("invalid_date", reader, row, c,
           [this] { return InvalidDateMessage(options_.date_format, "--date-format"); });
    }
    return s;
  }

  // A record whose field count is not the header's: an input error, or with --lenient
  // skipped (counted in |skipped|) and warned about.
  void HandleBadWidth(const CsvReader& reader, const CsvRow& row, std::uint64_t* skipped) {
    std::size_t at = 0;
    const std::string message = FieldCountMessage(header_, row.fields.size(), &at);
    if (!options_.lenient) {
      throw Error::Input(message + "; use --lenient to skip such rows", reader.Locate(at));
    }
    ++*skipped;
    log_->Add("skipped_row", input_, -1, [&] {
      DataWarning w;
      w.first = reader.Locate(at);
      w.message = "record skipped (--lenient): " + message;
      return w;
    });
  }

 private:
  const ForecastOptions& options_;
  WarningLog* log_;
  int input_;
  const std::vector<std::string>& header_;
};

// What the deals file gives the forecast report — the won deals' amounts by group and period,
// the groups it has, the dates that have happened (as-of, each group's MASE history) — read
// from some of its records: all of them, or one chunk or block of the parallel pass. Passes
// over consecutive parts merge in file order (ForecastReportRun::MergeDeals) into the serial
// result: group ids are the pass's own and re-interned by value, warnings keep their first
// occurrence.
class DealsPass {
 public:
  DealsPass(const ForecastOptions& options, const RoleBinding& roles,
            const std::vector<int>& by, const std::vector<std::string>& header)
      : options_(options),
        rules_(options.stages),
        dates_(options.date_format, options.tz),
        warn_(options, &warnings, kDealsInput, header),
        by_(by),
        header_(header),
        stage_col_(roles[Role::kStage]),
        amount_col_(roles[Role::kAmount]),
        closed_col_(roles[Role::kClosed]),
        created_col_(roles[Role::kCreated]) {}

  void Read(CsvReader& reader) {
    CsvRow row;
    std::string key;
    while (reader.Next(&row)) {
      if (row.fields.size() != header_.size()) {
        warn_.HandleBadWidth(reader, row, &skipped_rows);
        continue;
      }
      ++rows;
      const std::uint32_t group = groups.Intern(row, by_, &key);
      groups.in_deals[group] = 1;
      const StageClass cls = rules_.Lookup(row.fields[stage_col_]).cls;
      // Dates that have happened: created, and closed of won or lost deals (an open deal's close
      // date is an expected one, often in the future).
      Seconds created = 0, closed = 0;
      if (created_col_ >= 0 &&
          warn_.ParseDate(dates_, reader, row, created_col_, &created) == ParseStatus::kOk) {
        SawDate(group, created);
      }
      const ParseStatus cs = warn_.ParseDate(dates_, reader, row, closed_col_, &closed);
      if (cs == ParseStatus::kOk && cls != StageClass::kOpen) SawDate(group, closed);
      if (cls != StageClass::kWon) continue;
      std::int64_t amount = 0;
      const ParseStatus as = ParseAmount(row.fields[amount_col_], &amount);
      if (as == ParseStatus::kInvalid) {
        warn_.WarnAmount(reader, row, amount_col_, "the won deal is left out of the actuals");
      } else if (as == ParseStatus::kEmpty) {
        warn_.Warn("missing_value", reader, row, amount_col_, [] {
          return std::string("is empty on a won deal; the deal is left out of the actuals");
        });
      }
      if (cs == ParseStatus::kEmpty) {
        warn_.Warn("missing_value", reader, row, closed_col_, [] {
          return std::string("is empty on a won deal; the deal is left out of the actuals");
        });
      }
      if (as != ParseStatus::kOk || cs != ParseStatus::kOk) continue;
      const std::int32_t period = PeriodOrdinal(options_.period, dates_.LocalDate(closed));
      ActualCell& cell = actuals[CellKey(group, period)];
      cell.sum += amount;
      ++cell.deals;
    }
  }

  // Results, by the pass's own group ids.
  GroupIndex groups;
  std::unordered_map<std::uint64_t, ActualCell> actuals;
  Seconds max_date = std::numeric_limits<Seconds>::min();
  std::uint64_t rows = 0, skipped_rows = 0;
  WarningLog warnings;

 private:
  // A date that has happened: the latest is the default as-of, a group's earliest starts its
  // MASE history.
  void SawDate(std::uint32_t group, Seconds t) {
    max_date = std::max(max_date, t);
    groups.first_date[group] = std::min(groups.first_date[group], t);
  }

  const ForecastOptions& options_;
  StageRules rules_;   // its own: the stage cache is written while reading
  DateParser dates_;
  InputWarnings warn_;
  std::vector<int> by_;
  const std::vector<std::string>& header_;
  int stage_col_, amount_col_, closed_col_, created_col_;
};

class ForecastReportRun {
 public:
  explicit ForecastReportRun(const ForecastOptions& options)
      : options_(options), rules_(options.stages), dates_(options.date_format, options.tz) {
    if (options.period != Period::kMonth && options.period != Period::kQuarter) {
      throw Error::Usage("forecast: --period must be month or quarter");
    }
    if (!options.as_of.empty()) {
      Seconds t = 0;
      if (dates_.Parse(options.as_of, &t) != ParseStatus::kOk) {
        throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", options.as_of));
      }
      as_of_option_ = DayNumber(dates_.LocalDate(t));
    }
  }

  // Opens both inputs and binds their headers, so that every usage error comes before a row
  // is read.
  void Open() {
    const bool deals = !options_.actual_file.empty();
    if (deals && options_.forecast_file == "-" && options_.actual_file == "-") {
      throw Error::Usage("only one of FORECAST.csv and --actual can be standard input (-)");
    }
    forecast_ = std::make_unique<CsvReader>(
        OpenInput(options_.forecast_file, options_.encoding, &encodings_[kForecastInput]),
        options_.csv);
    const std::vector<std::string>& fh = forecast_->ReadHeader();
    const std::vector<std::string>* dh = nullptr;
    if (deals) {
      deals_ = std::make_unique<CsvReader>(
          OpenInput(options_.actual_file, options_.encoding, &encodings_[kDealsInput]),
          options_.csv);
      dh = &deals_->ReadHeader();
    }

    std::vector<RoleMapping> fmaps, dmaps;
    for (const RoleMapping& m : options_.mappings) {
      if (!deals || IsForecastRole(m.role)) {
        fmaps.push_back(m);
      } else if (IsDealsRole(m.role)) {
        dmaps.push_back(m);
      } else {
        const bool in_forecast = FindColumn(fh, m.column) >= 0;
        const bool in_deals = FindColumn(*dh, m.column) >= 0;
        if (in_forecast) fmaps.push_back(m);
        if (in_deals) dmaps.push_back(m);
        if (!in_forecast && !in_deals) {
          throw Error::Usage(fmt::format(
              "--map {}={}: no such column in {} (header {}) or {} (header {})",
              RoleName(m.role), m.column, forecast_->name(), QuoteHeaders(fh), deals_->name(),
              QuoteHeaders(*dh)));
        }
      }
    }

    froles_ = BindRoles(fh, fmaps, forecast_->name());
    Require(*forecast_, fh, froles_, Role::kPeriod, "period");
    Require(*forecast_, fh, froles_, Role::kForecast, "forecast amount");
    if (!deals) {
      if (!froles_.has(Role::kActual)) {
        throw Error::Usage(fmt::format(
            "{}: no actual column found and no --actual DEALS.csv given; name the column with "
            "--map actual=COLUMN or give the deals export with --actual. The header has {}",
            forecast_->name(), QuoteHeaders(fh)));
      }
    } else if (froles_.source[static_cast<int>(Role::kActual)] == BindingSource::kMapped) {
      throw Error::Usage(
          "--map actual=… and --actual DEALS.csv both name the actuals; use one of them");
    }
    use_actual_column_ = !deals;
    forecast_by_ = ResolveBy(*forecast_, fh, froles_);

    if (deals) {
      droles_ = BindRoles(*dh, dmaps, deals_->name());
      Require(*deals_, *dh, droles_, Role::kStage, "stage");
      Require(*deals_, *dh, droles_, Role::kAmount, "amount");
      Require(*deals_, *dh, droles_, Role::kClosed, "closed date");
      deals_by_ = ResolveBy(*deals_, *dh, droles_);
    }
  }

  void ReadForecasts() {
    CsvReader& reader = *forecast_;
    const std::vector<std::string>& header = reader.header();
    InputSummary summary = Summary(reader, kForecastInput);
    const int period_col = froles_[Role::kPeriod];
    const int forecast_col = froles_[Role::kForecast];
    const int actual_col = use_actual_column_ ? froles_[Role::kActual] : -1;
    const int snapshot_col = froles_[Role::kSnapshot];
    const int category_col = froles_[Role::kCategory];
    InputWarnings warn(options_, &warnings_, kForecastInput, header);
    CsvRow row;
    std::string key;
    while (reader.Next(&row)) {
      if (row.fields.size() != header.size()) {
        warn.HandleBadWidth(reader, row, &summary.skipped_rows);
        continue;
      }
      ++summary.rows;
      bool bad = false;
      std::int32_t period = 0;
      switch (ParsePeriodText(row.fields[period_col], options_.period, dates_, &period)) {
        case PeriodTextStatus::kOk:
          break;
        case PeriodTextStatus::kTooCoarse:
          bad = true;
          warn.Warn("period_too_coarse", reader, row, period_col, [] {
            return std::string("is a quarter; run with --period quarter to evaluate it");
          });
          break;
        case PeriodTextStatus::kEmpty:
        case PeriodTextStatus::kInvalid:
          bad = true;
          warn.Warn("invalid_period", reader, row, period_col, [] {
            return std::string(
                "is not a period (accepted: 2024-03, 2024/03, 2024年3月, 2024-Q1, or a date); "
                "the row is left out");
          });
          break;
      }
      std::int64_t forecast = 0, actual = 0;
      const ParseStatus fs = ParseAmount(row.fields[forecast_col], &forecast);
      if (fs == ParseStatus::kInvalid) {
        bad = true;
        warn.WarnAmount(reader, row, forecast_col, "the row is left out");
      }
      ParseStatus as = ParseStatus::kEmpty;
      if (actual_col >= 0) {
        as = ParseAmount(row.fields[actual_col], &actual);
        if (as == ParseStatus::kInvalid) {
          bad = true;
          warn.WarnAmount(reader, row, actual_col, "the row is left out");
        }
      }
      std::int32_t snapshot = kNoSnapshot;
      if (snapshot_col >= 0) {
        Seconds t = 0;
        const ParseStatus ss = warn.ParseDate(dates_, reader, row, snapshot_col, &t);
        if (ss == ParseStatus::kOk) {
          snapshot = DayNumber(dates_.LocalDate(t));
        } else {
          bad = true;
          if (ss == ParseStatus::kEmpty) {
            warn.Warn("missing_value", reader, row, snapshot_col, [] {
              return std::string("is empty; a row without its snapshot date is left out");
            });
          }
        }
      }
      if (bad) {
        ++invalid_rows_;
        continue;
      }
      if (fs != ParseStatus::kOk && as != ParseStatus::kOk) continue;  // forecasts nothing
      if (snapshot != kNoSnapshot && snapshot > DayNumber(PeriodLastDay(options_.period, period))) {
        warn.Warn("late_snapshot", reader, row, snapshot_col, [] {
          return std::string(
              "is after the end of the row's period; a forecast made after its period is not "
              "evaluated");
        });
      }
      const std::uint32_t group = groups_.Intern(row, forecast_by_, &key);
      const std::uint32_t category =
          category_col >= 0 ? categories_.Intern(TrimSpace(row.fields[category_col])) : 0;
      auto [it, inserted] = entries_.try_emplace(EntryKey{period, group, category, snapshot});
      if (!inserted) {
        warn.Warn("rows_combined", reader, row, period_col, [this] {
          return fmt::format("rows with the same {} as an earlier row are added to it",
                             KeyDescription());
        });
      }
      Entry& e = it->second;
      ++e.rows;
      if (fs == ParseStatus::kOk) {
        e.forecast += forecast;
        e.has_forecast = true;
      }
      if (as == ParseStatus::kOk) {
        e.actual += actual;
        e.has_actual = true;
      }
    }
    inputs_.push_back(summary);
  }

  // The deals file: large UTF-8 files in chunks on all cores, standard input and converted
  // encodings in blocks as they arrive, each part merged in file order; a part that fails makes
  // the rest be read serially, which reports the first error as a serial pass does.
  void ReadDeals() {
    if (!deals_) return;
    CsvReader& reader = *deals_;
    const std::vector<std::string>& header = reader.header();
    InputSummary summary = Summary(reader, kDealsInput);
    auto make = [&] { return std::make_unique<DealsPass>(options_, droles_, deals_by_, header); };
    auto merge = [&](DealsPass& part) {
      MergeDeals(part);
      summary.rows += part.rows;
      summary.skipped_rows += part.skipped_rows;
    };
    ReadInParts<DealsPass>(
        options_.actual_file, reader, encodings_[kDealsInput], options_.parallel, make,
        [](DealsPass& part, CsvReader& r) { part.Read(r); }, merge);
    inputs_.push_back(summary);
  }

  // Adds |part|, the pass over the records after those merged so far.
  void MergeDeals(DealsPass& part) {
    std::vector<std::uint32_t> ids(part.groups.values.size());
    std::string key;
    for (std::uint32_t g = 0; g < ids.size(); ++g) {
      ids[g] = groups_.InternValues(part.groups.values[g], &key);
      groups_.in_deals[ids[g]] |= part.groups.in_deals[g];
      groups_.first_date[ids[g]] = std::min(groups_.first_date[ids[g]], part.groups.first_date[g]);
    }
    for (const auto& [cell_key, cell] : part.actuals) {
      ActualCell& to = actuals_[CellKey(ids[cell_key >> 32], static_cast<std::int32_t>(
                                                                  static_cast<std::uint32_t>(cell_key)))];
      to.sum += cell.sum;
      to.deals += cell.deals;
    }
    max_date_ = std::max(max_date_, part.max_date);
    warnings_.Merge(part.warnings);
  }

  Report Finish() {
    Report report;
    report.command = "forecast";
    report.inputs = inputs_;
    if (as_of_option_) {
      as_of_ = as_of_option_;
      report.as_of_source = "option";
    } else if (deals_ && max_date_ != std::numeric_limits<Seconds>::min()) {
      as_of_ = DayNumber(dates_.LocalDate(max_date_));
      report.as_of_source = "data";
    }
    if (as_of_) report.as_of = DayText(*as_of_);

    has_category_ = froles_.has(Role::kCategory);
    has_snapshot_ = froles_.has(Role::kSnapshot);
    category_count_ = has_category_ ? categories_.names.size() : 1;

    std::vector<Point> heads, horizons;
    JoinForecastKeys(&heads, &horizons);
    if (!use_actual_column_) AddActualOnly(&heads);
    ComputeScales(heads);
    report.total.kpis = Evaluate(heads, horizons, &report.groupings);
    std::sort(heads.begin(), heads.end(),
              [this](const Point& a, const Point& b) { return PointLess(a, b); });
    report.lists.push_back(RowsList(heads));
    report.lists.push_back(UnmatchedList(heads));
    report.warnings = warnings_.Take();
    return report;
  }

 private:
  // ---- binding ----------------------------------------------------------------------------

  static void Require(const CsvReader& reader, const std::vector<std::string>& header,
                      const RoleBinding& roles, Role role, std::string_view what) {
    if (roles.has(role)) return;
    throw Error::Usage(fmt::format(
        "{}: no {} column found; name it with --map {}=COLUMN. The header has {}", reader.name(),
        what, RoleName(role), QuoteHeaders(header)));
  }

  std::vector<int> ResolveBy(const CsvReader& reader, const std::vector<std::string>& header,
                             const RoleBinding& roles) const {
    std::vector<int> columns;
    for (const std::string& name : options_.by) {
      columns.push_back(ResolveByColumn(header, roles, name, reader.name()));
    }
    return columns;
  }

  InputSummary Summary(const CsvReader& reader, int input) const {
    InputSummary s;
    s.name = reader.name();
    s.encoding = std::string(EncodingName(encodings_[input]));
    s.delimiter = reader.delimiter();
    return s;
  }

  // "(period, owner, category)" for messages.
  std::string KeyDescription() const {
    std::string out = "(period";
    for (const std::string& b : options_.by) out += ", " + b;
    if (froles_.has(Role::kCategory)) out += ", category";
    if (froles_.has(Role::kSnapshot)) out += ", snapshot";
    return out + ")";
  }

  // ---- join -----------------------------------------------------------------------------------

  std::int32_t LastDay(std::int32_t period) const {
    return DayNumber(PeriodLastDay(options_.period, period));
  }

  bool Ended(std::int32_t period) const {
    if (use_actual_column_ && !as_of_option_) return true;
    return as_of_ && LastDay(period) <= *as_of_;
  }

  // The actual of a key with DEALS.csv.
  ActualSide DealsActual(std::int32_t period, std::uint32_t group) const {
    ActualSide s;
    if (!Ended(period)) {
      s.why = ForecastExclusion::kPeriodNotEnded;
    } else if (!groups_.in_deals[group]) {
      s.why = ForecastExclusion::kNoActual;
    } else {
      s.known = true;
      const auto it = actuals_.find(CellKey(group, period));
      if (it != actuals_.end()) s.value = it->second.sum;
    }
    return s;
  }

  // Fills the point's actual side from |a| (with zero-filling under --missing-as-zero).
  void SetActual(const ActualSide& a, Point* p) const {
    if (a.known) {
      p->actual = a.value;
      return;
    }
    p->why = a.why;
    p->counted = a.why == ForecastExclusion::kNoActual && options_.missing_as_zero;
  }

  // One headline point per forecast key, and its horizon points.
  void JoinForecastKeys(std::vector<Point>* heads, std::vector<Point>* horizons) const {
    std::vector<std::pair<std::int32_t, const Entry*>> by_horizon;
    for (auto it = entries_.begin(); it != entries_.end();) {
      const std::int32_t period = std::get<0>(it->first);
      const std::uint32_t group = std::get<1>(it->first);
      const std::uint32_t category = std::get<2>(it->first);
      auto end = it;
      while (end != entries_.end() && std::get<0>(end->first) == period &&
             std::get<1>(end->first) == group && std::get<2>(end->first) == category) {
        ++end;
      }
      const std::int32_t last_day = LastDay(period);
      const Entry* head = nullptr;
      std::int32_t head_snapshot = kNoSnapshot;
      const Entry* with_actual = nullptr;
      bool any_forecast = false;
      by_horizon.clear();
      for (auto e = it; e != end; ++e) {  // ascending snapshot dates
        const std::int32_t snapshot = std::get<3>(e->first);
        const Entry& entry = e->second;
        if (entry.has_actual) with_actual = &entry;
        if (!entry.has_forecast) continue;
        any_forecast = true;
        if (snapshot != kNoSnapshot && snapshot > last_day) continue;
        head = &entry;
        head_snapshot = snapshot;
        if (snapshot != kNoSnapshot) {
          const std::int32_t h = (last_day - snapshot) / 7;
          if (!by_horizon.empty() && by_horizon.back().first == h) by_horizon.pop_back();
          by_horizon.emplace_back(h, &entry);
        }
      }
      it = end;

      ActualSide actual;
      if (use_actual_column_) {
        if (!Ended(period)) {
          actual.why = ForecastExclusion::kPeriodNotEnded;
        } else if (with_actual != nullptr) {
          actual.known = true;
          actual.value = with_actual->actual;
        }
      } else {
        actual = DealsActual(period, group);
      }

      Point p;
      p.period = period;
      p.group = group;
      p.category = category;
      if (!any_forecast) {  // actual cells only: actual only
        p.has_forecast = false;
        p.actual = actual.value;
        p.why = actual.known ? ForecastExclusion::kNoForecast : actual.why;
        p.counted = actual.known && options_.missing_as_zero;
        if (actual.known || actual.why == ForecastExclusion::kPeriodNotEnded) {
          heads->push_back(p);
        }
        continue;
      }
      if (head == nullptr) {
        p.why = ForecastExclusion::kLateSnapshot;
        p.counted = false;
        heads->push_back(p);
        continue;
      }
      p.forecast = head->forecast;
      p.rows = head->rows;
      p.snapshot = head_snapshot;
      SetActual(actual, &p);
      heads->push_back(p);
      for (const auto& [h, entry] : by_horizon) {
        Point q = p;
        q.horizon = h;
        q.forecast = entry->forecast;
        q.rows = entry->rows;
        horizons->push_back(q);
      }
    }
  }

  // DEALS.csv: (period, group) keys with won deals in a forecast period and no forecast.
  void AddActualOnly(std::vector<Point>* heads) const {
    std::set<std::int32_t> forecast_periods;
    for (const auto& [k, e] : entries_) forecast_periods.insert(std::get<0>(k));
    for (const auto& [cell_key, cell] : actuals_) {
      const auto group = static_cast<std::uint32_t>(cell_key >> 32);
      const auto period = static_cast<std::int32_t>(static_cast<std::uint32_t>(cell_key));
      if (cell.deals == 0 || forecast_periods.count(period) == 0) continue;
      for (std::uint32_t c = 0; c < category_count_; ++c) {
        const auto it = entries_.lower_bound(EntryKey{period, group, c, kNoSnapshot});
        if (it != entries_.end() && std::get<0>(it->first) == period &&
            std::get<1>(it->first) == group && std::get<2>(it->first) == c) {
          continue;  // forecast
        }
        Point p;
        p.period = period;
        p.group = group;
        p.category = c;
        p.has_forecast = false;
        p.actual = cell.sum;
        const bool ended = Ended(period);
        p.why = ended ? ForecastExclusion::kNoForecast : ForecastExclusion::kPeriodNotEnded;
        p.counted = ended && options_.missing_as_zero;
        heads->push_back(p);
      }
    }
  }

  // ---- MASE -----------------------------------------------------------------------------------

  using SeriesKey = std::pair<std::uint32_t, std::uint32_t>;  // group, category

  void ComputeScales(const std::vector<Point>& heads) {
    std::map<SeriesKey, std::int32_t> first;
    for (const Point& p : heads) {
      auto [it, inserted] = first.try_emplace(SeriesKey{p.group, p.category}, p.period);
      if (!inserted) it->second = std::min(it->second, p.period);
    }
    std::vector<Int128> history;
    for (const auto& [series, first_period] : first) {
      history.clear();
      const std::uint32_t g = series.first;
      if (deals_ && groups_.in_deals[g] &&
          groups_.first_date[g] != std::numeric_limits<Seconds>::max()) {
        const std::int32_t start =
            PeriodOrdinal(options_.period, dates_.LocalDate(groups_.first_date[g]));
        for (std::int32_t p = start; p < first_period && Ended(p); ++p) {
          const auto it = actuals_.find(CellKey(g, p));
          history.push_back(it == actuals_.end() ? 0 : it->second.sum);
        }
      }
      scales_[series] = ComputeNaiveScale(history);
    }
  }

  // ---- evaluation -----------------------------------------------------------------------------

  static void Apply(const Point& p, const NaiveScale& scale, ForecastScope* scope) {
    if (p.counted) {
      scope->Add(p.has_forecast ? p.forecast : 0, p.actual, scale);
    } else {
      scope->Exclude(*p.why);
    }
  }

  std::vector<KpiValue> Evaluate(const std::vector<Point>& heads,
                                 const std::vector<Point>& horizons,
                                 std::vector<Grouping>* groupings) const {
    ForecastScope total;
    std::map<SeriesKey, ForecastScope> by_series;
    std::map<std::pair<std::int32_t, std::uint32_t>, ForecastScope> by_period, by_horizon;
    std::map<std::uint32_t, ForecastScope> by_category;
    for (const Point& p : heads) {
      const NaiveScale& scale = scales_.at(SeriesKey{p.group, p.category});
      Apply(p, scale, &total);
      if (!options_.by.empty()) Apply(p, scale, &by_series[SeriesKey{p.group, p.category}]);
      Apply(p, scale, &by_period[{p.period, p.category}]);
      if (has_category_) Apply(p, scale, &by_category[p.category]);
    }
    for (const Point& p : horizons) {
      Apply(p, scales_.at(SeriesKey{p.group, p.category}), &by_horizon[{p.horizon, p.category}]);
    }
    total.AddInvalidRows(invalid_rows_);

    const std::vector<std::string> cat_key =
        has_category_ ? std::vector<std::string>{"category"} : std::vector<std::string>{};
    auto with_category = [&](std::vector<std::string> values, std::uint32_t c) {
      if (has_category_) values.push_back(categories_.names[c]);
      return values;
    };
    auto sorted = [](Grouping g) {
      std::sort(g.rows.begin(), g.rows.end(),
                [](const GroupRow& a, const GroupRow& b) { return a.values < b.values; });
      return g;
    };
    if (!options_.by.empty()) {
      Grouping g;
      g.keys = options_.by;
      g.keys.insert(g.keys.end(), cat_key.begin(), cat_key.end());
      for (const auto& [k, scope] : by_series) {
        g.rows.push_back({with_category(groups_.values[k.first], k.second), scope.Kpis()});
      }
      groupings->push_back(sorted(std::move(g)));
    }
    {
      Grouping g;
      g.keys = {"period"};
      g.keys.insert(g.keys.end(), cat_key.begin(), cat_key.end());
      for (const auto& [k, scope] : by_period) {
        g.rows.push_back(
            {with_category({PeriodOrdinalLabel(options_.period, k.first)}, k.second),
             scope.Kpis()});
      }
      groupings->push_back(sorted(std::move(g)));
    }
    if (has_category_) {
      Grouping g;
      g.keys = {"category"};
      for (const auto& [c, scope] : by_category) {
        g.rows.push_back({{categories_.names[c]}, scope.Kpis()});
      }
      groupings->push_back(sorted(std::move(g)));
    }
    if (has_snapshot_) {
      Grouping g;
      g.keys = {"horizon_weeks"};
      g.keys.insert(g.keys.end(), cat_key.begin(), cat_key.end());
      // By horizon, then category name (numeric order: 2 before 10).
      std::vector<std::pair<std::int32_t, std::uint32_t>> order;
      for (const auto& [k, scope] : by_horizon) order.push_back(k);
      std::sort(order.begin(), order.end(), [this](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return has_category_ && categories_.names[a.second] < categories_.names[b.second];
      });
      for (const auto& k : order) {
        g.rows.push_back(
            {with_category({std::to_string(k.first)}, k.second), by_horizon.at(k).Kpis()});
      }
      groupings->push_back(std::move(g));
    }
    if (has_category_ && category_count_ > 1) return MixedCategoryKpis();
    return total.Kpis();
  }

  // ---- lists ----------------------------------------------------------------------------------

  bool PointLess(const Point& a, const Point& b) const {
    if (a.period != b.period) return a.period < b.period;
    if (a.group != b.group) return groups_.values[a.group] < groups_.values[b.group];
    if (a.category != b.category) {
      return categories_.names[a.category] < categories_.names[b.category];
    }
    return a.snapshot < b.snapshot;
  }

  // period, the --by values, [category].
  std::vector<std::string> KeyCells(const Point& p) const {
    std::vector<std::string> cells;
    cells.push_back(PeriodOrdinalLabel(options_.period, p.period));
    for (const std::string& v : groups_.values[p.group]) cells.push_back(v);
    if (has_category_) cells.push_back(categories_.names[p.category]);
    return cells;
  }

  void KeyColumns(ReportList* list) const {
    list->columns.push_back("period");
    for (const std::string& b : options_.by) list->columns.push_back(b);
    if (has_category_) list->columns.push_back("category");
    list->numeric.assign(list->columns.size(), false);
  }

  ReportList RowsList(const std::vector<Point>& heads) const {
    ReportList list;
    list.id = "rows";
    list.title = "Rows (error = F − A; APE = |F − A| / |A|, empty when A = 0)";
    KeyColumns(&list);
    if (has_snapshot_) {
      list.columns.push_back("snapshot");
      list.numeric.push_back(false);
    }
    for (const char* c : {"forecast", "actual", "error", "ape", "rows"}) {
      list.columns.push_back(c);
      list.numeric.push_back(true);
    }
    for (const Point& p : heads) {
      if (!p.counted) continue;
      std::vector<std::string> cells = KeyCells(p);
      if (has_snapshot_) {
        cells.push_back(p.snapshot == kNoSnapshot ? std::string() : DayText(p.snapshot));
      }
      const Int128 f = p.has_forecast ? p.forecast : 0;
      const Int128 e = f - p.actual;
      cells.push_back(Num::Money(f).ToString());
      cells.push_back(Num::Money(p.actual).ToString());
      cells.push_back(Num::Money(e).ToString());
      cells.push_back(p.actual == 0 ? std::string()
                                    : fmt::format("{}", static_cast<double>(Abs(e)) /
                                                            static_cast<double>(Abs(p.actual))));
      cells.push_back(std::to_string(p.rows));
      list.rows.push_back(std::move(cells));
    }
    return list;
  }

  ReportList UnmatchedList(const std::vector<Point>& heads) const {
    ReportList list;
    list.id = "unmatched";
    list.title = "One side only (forecast without actual, actual without forecast)";
    KeyColumns(&list);
    list.columns.insert(list.columns.end(), {"side", "amount", "reason", "treatment"});
    list.numeric.insert(list.numeric.end(), {false, true, false, false});
    for (const Point& p : heads) {
      if (!p.why || *p.why == ForecastExclusion::kLateSnapshot) continue;
      std::vector<std::string> cells = KeyCells(p);
      cells.push_back(p.has_forecast ? "forecast only" : "actual only");
      cells.push_back(Num::Money(p.has_forecast ? p.forecast : p.actual).ToString());
      cells.emplace_back(ExclusionCode(*p.why));
      cells.push_back(p.counted ? "counted as 0" : "excluded");
      list.rows.push_back(std::move(cells));
    }
    return list;
  }

  const ForecastOptions& options_;
  StageRules rules_;
  DateParser dates_;
  std::optional<std::int32_t> as_of_option_;  // day number
  std::optional<std::int32_t> as_of_;
  std::unique_ptr<CsvReader> forecast_, deals_;
  Encoding encodings_[2] = {Encoding::kUtf8, Encoding::kUtf8};
  RoleBinding froles_, droles_;
  std::vector<int> forecast_by_, deals_by_;
  bool use_actual_column_ = false;
  bool has_category_ = false, has_snapshot_ = false;
  std::size_t category_count_ = 1;
  GroupIndex groups_;
  CategoryIndex categories_;
  std::map<EntryKey, Entry> entries_;
  std::unordered_map<std::uint64_t, ActualCell> actuals_;
  std::map<SeriesKey, NaiveScale> scales_;
  Seconds max_date_ = std::numeric_limits<Seconds>::min();
  std::uint64_t invalid_rows_ = 0;
  std::vector<InputSummary> inputs_;
  WarningLog warnings_;
};

}  // namespace

Report RunForecastReport(const ForecastOptions& options) {
  if (options.forecast_file.empty()) throw Error::Usage("forecast: no FORECAST.csv given");
  ForecastReportRun run(options);
  run.Open();
  run.ReadForecasts();
  run.ReadDeals();
  return run.Finish();
}

}  // namespace crmkpi
