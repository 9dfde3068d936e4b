// Reading the inputs of `crmkpi forecast`: binding the forecast file's and the deals file's
// headers, and the row passes over both (warnings, bad widths, amounts, periods, snapshots).
#include "forecast_report_inputs.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "crmkpi/bind/date_order.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/values/period_label.h"

namespace crmkpi::forecast_report {
namespace {

bool IsForecastRole(Role r) {
  return r == Role::kPeriod || r == Role::kForecast || r == Role::kActual ||
         r == Role::kSnapshot || r == Role::kCategory;
}
bool IsDealsRole(Role r) {
  return r == Role::kStage || r == Role::kAmount || r == Role::kClosed || r == Role::kCreated;
}

}  // namespace

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
            const std::vector<int>& by, const std::vector<std::string>& header, bool day_first)
      : options_(options),
        rules_(options.stages),
        dates_(options.date_format, options.tz),
        warn_(options, &warnings, kDealsInput, header),
        by_(by),
        header_(header),
        stage_col_(roles[Role::kStage]),
        amount_col_(roles[Role::kAmount]),
        closed_col_(roles[Role::kClosed]),
        created_col_(roles[Role::kCreated]) {
    groups.UseKeys(by.size(), options.exact_groups);
    dates_.set_day_first(day_first);
  }

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
      const std::int32_t period = PeriodOrdinal(options_.period, options_.calendar, dates_.LocalDate(closed));
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

ForecastInputs::ForecastInputs(const ForecastOptions& options)
    : options_(options), rules_(options.stages), dates_(options.date_format, options.tz) {
  groups_.UseKeys(options.by.size(), options.exact_groups);
  if (options.period == Period::kNone) {
    throw Error::Usage("forecast: --period must be week, month, quarter, half or year");
  }
  if (!options.as_of.empty()) {
    Seconds t = 0;
    if (dates_.Parse(options.as_of, &t) != ParseStatus::kOk) {
      throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", options.as_of));
    }
    as_of_option_ = DayNumber(dates_.LocalDate(t));
  }
}

void ForecastInputs::Open() {
  const bool deals = !options_.actual_file.empty();
  if (deals && options_.forecast_file == "-" && options_.actual_file == "-") {
    throw Error::Usage("only one of FORECAST.csv and --actual can be standard input (-)");
  }
  // The order of numeric dates is decided from each file's first rows, read again by the pass.
  const bool sample = options_.date_format.empty() && options_.date_order == "auto";
  if (sample) RecordInput(options_.forecast_file);
  forecast_ = std::make_unique<CsvReader>(
      OpenInput(options_.forecast_file, options_.encoding, &encodings_[kForecastInput]),
      options_.csv);
  const std::vector<std::string>& fh = forecast_->ReadHeader();
  const std::vector<std::string>* dh = nullptr;
  if (deals) {
    if (sample) RecordInput(options_.actual_file);
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
  dates_.set_day_first(options_.date_order == "dmy");
  deals_day_first_ = options_.date_order == "dmy";
  if (sample) DecideDateOrders();
}

void ForecastInputs::DecideDateOrders() {
  const std::string fix =
      options_.date_order_fix.empty() ? DateOrderFixFlag() : options_.date_order_fix;
  auto note = [&](const DateOrderDecision& d, int input) {
    if (d.message.empty()) return;
    warnings_.Add(d.warning ? "date_order" : "day_first", input, -1,
                  [&] {
                    DataWarning w = d.AsDataWarning();
                    w.count = 0;  // Add counts it
                    return w;
                  });
  };
  // The forecast file: its period (when written as dates) and snapshot columns.
  std::vector<int> columns = DateRoleColumns(froles_);
  for (Role r : {Role::kPeriod, Role::kSnapshot}) {
    if (froles_.has(r)) columns.push_back(froles_[r]);
  }
  const DateOrderDecision f = SampleDateOrderAndReopen(
      options_.forecast_file, options_.encoding, options_.csv, columns, fix, &forecast_,
      &encodings_[kForecastInput]);
  dates_.set_day_first(f.day_first());
  note(f, kForecastInput);
  if (!deals_) return;
  const DateOrderDecision d = SampleDateOrderAndReopen(
      options_.actual_file, options_.encoding, options_.csv, DateRoleColumns(droles_), fix,
      &deals_, &encodings_[kDealsInput]);
  deals_day_first_ = d.day_first();
  note(d, kDealsInput);
}

void ForecastInputs::ReadForecasts() {
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
    Period label = Period::kQuarter;
    switch (ParsePeriodText(row.fields[period_col], options_.period, options_.calendar, dates_, &period,
                            &label)) {
      case PeriodTextStatus::kOk:
        break;
      case PeriodTextStatus::kTooCoarse:
        bad = true;
        warn.Warn("period_too_coarse", reader, row, period_col, [label] {
          const std::string_view name = PeriodName(label);
          return fmt::format("is a {}; run with --period {} to evaluate it", name, name);
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
    if (snapshot != kNoSnapshot && snapshot > DayNumber(PeriodLastDay(options_.period, options_.calendar, period))) {
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

void ForecastInputs::ReadDeals() {
  if (!deals_) return;
  CsvReader& reader = *deals_;
  const std::vector<std::string>& header = reader.header();
  InputSummary summary = Summary(reader, kDealsInput);
  auto make = [&] { return std::make_unique<DealsPass>(options_, droles_, deals_by_, header,
                                                          deals_day_first_);
  };
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

void ForecastInputs::MergeDeals(DealsPass& part) {
  for (std::size_t i = 0; i < groups_.keys.size() && i < part.groups.keys.size(); ++i) {
    groups_.keys[i].Merge(part.groups.keys[i]);  // the rows of each spelling, both files
  }
  std::vector<std::uint32_t> ids(part.groups.values.size());
  std::string key;
  for (std::uint32_t g = 0; g < ids.size(); ++g) {
    ids[g] = groups_.InternValues(part.groups.values[g], &key);
    groups_.in_deals[ids[g]] |= part.groups.in_deals[g];
    groups_.first_date[ids[g]] = std::min(groups_.first_date[ids[g]], part.groups.first_date[g]);
  }
  for (const auto& [cell_key, cell] : part.actuals) {
    ActualCell& to = actuals_[CellKey(
        ids[cell_key >> 32], static_cast<std::int32_t>(static_cast<std::uint32_t>(cell_key)))];
    to.sum += cell.sum;
    to.deals += cell.deals;
  }
  max_date_ = std::max(max_date_, part.max_date);
  warnings_.Merge(part.warnings);
}

void ForecastInputs::Require(const CsvReader& reader, const std::vector<std::string>& header,
                             const RoleBinding& roles, Role role, std::string_view what) {
  if (roles.has(role)) return;
  throw Error::Usage(fmt::format(
      "{}: no {} column found; name it with --map {}=COLUMN. The header has {}", reader.name(),
      what, RoleName(role), QuoteHeaders(header)));
}

std::vector<int> ForecastInputs::ResolveBy(const CsvReader& reader,
                                           const std::vector<std::string>& header,
                                           const RoleBinding& roles) const {
  std::vector<int> columns;
  for (const std::string& name : options_.by) {
    columns.push_back(ResolveByColumn(header, roles, name, reader.name()));
  }
  return columns;
}

InputSummary ForecastInputs::Summary(const CsvReader& reader, int input) const {
  InputSummary s;
  s.name = reader.name();
  s.encoding = EncodingName(encodings_[input]);
  s.encoding_detected = encodings_[input].detected();
  s.delimiter = reader.delimiter();
  return s;
}

std::string ForecastInputs::KeyDescription() const {
  std::string out = "(period";
  for (const std::string& b : options_.by) out += ", " + b;
  if (froles_.has(Role::kCategory)) out += ", category";
  if (froles_.has(Role::kSnapshot)) out += ", snapshot";
  return out + ")";
}

}  // namespace crmkpi::forecast_report
