// Reading the inputs of `crmkpi forecast` (forecast_report.h): opening and binding the forecast
// file and the deals file, and parsing their rows into forecast entries and won-deal actuals,
// interned by group and category. The join, KPIs and lists are forecast_report.cc's.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "crmkpi/analysis/forecast_report.h"
#include "crmkpi/base/string_hash.h"
#include "crmkpi/base/text.h"
#include "crmkpi/read/warning_log.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/group_keys.h"

namespace crmkpi::forecast_report {

constexpr std::int32_t kNoSnapshot = std::numeric_limits<std::int32_t>::min();
constexpr int kForecastInput = 0;
constexpr int kDealsInput = 1;

inline void AppendKeyPart(std::string* key, std::string_view part) {
  const auto len = static_cast<std::uint32_t>(part.size());
  key->append(reinterpret_cast<const char*>(&len), sizeof len);
  key->append(part);
}

inline std::int32_t DayNumber(const date::year_month_day& ymd) {
  return date::sys_days(ymd).time_since_epoch().count();
}

// The values of the --by columns, interned to dense ids shared by both files.
struct GroupIndex {
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index;
  std::vector<std::vector<std::string>> values;
  std::vector<char> in_deals;          // the value occurs in some row of the deals file
  std::vector<Seconds> first_date;     // earliest valid created/closed date there

  // Group keys (values/group_keys.h), one map per column; empty = values as written.
  std::vector<GroupKeyMap> keys;
  std::vector<std::string_view> parts;  // scratch: the current row's key parts

  // Normalise the values of |columns| columns as group keys, unless |exact|.
  void UseKeys(std::size_t columns, bool exact) {
    keys.clear();
    if (!exact) keys.resize(columns);
  }

  // |key| is scratch space; allocates only for a new group (or a new raw value).
  std::uint32_t Intern(const CsvRow& row, const std::vector<int>& columns, std::string* key) {
    key->clear();
    parts.clear();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::string_view v = TrimSpace(row.fields[columns[i]]);
      if (i < keys.size()) v = keys[i].Key(v);
      parts.push_back(v);
      AppendKeyPart(key, v);
    }
    return Find(*key, [&] { return std::vector<std::string>(parts.begin(), parts.end()); });
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

inline std::uint64_t CellKey(std::uint32_t group, std::int32_t period) {
  return (std::uint64_t{group} << 32) | static_cast<std::uint32_t>(period);
}

class DealsPass;  // one pass over (part of) the deals file, forecast_report_inputs.cc

// The two inputs, read: their bindings, the forecast file's entries by key and the deals
// file's won amounts by group and period. Open, ReadForecasts and ReadDeals, in that order;
// ForecastReportRun (forecast_report.cc) then joins what they read.
class ForecastInputs {
 public:
  // Checks --period and --as-of.
  explicit ForecastInputs(const ForecastOptions& options);

  // Opens both inputs and binds their headers, so that every usage error comes before a row
  // is read.
  void Open();
  void ReadForecasts();
  // The deals file: large UTF-8 files in chunks on all cores, standard input and converted
  // encodings in blocks as they arrive, each part merged in file order; a part that fails makes
  // the rest be read serially, which reports the first error as a serial pass does.
  void ReadDeals();

 protected:
  const ForecastOptions& options_;
  StageRules rules_;  // checks the stage options before a file is opened
  DateParser dates_;  // the forecast file's
  bool deals_day_first_ = false;  // the deals file's numeric dates are D/M/Y
  std::optional<std::int32_t> as_of_option_;  // day number
  std::unique_ptr<CsvReader> forecast_, deals_;
  Encoding encodings_[2] = {Encoding::kUtf8, Encoding::kUtf8};
  RoleBinding froles_, droles_;
  std::vector<int> forecast_by_, deals_by_;
  bool use_actual_column_ = false;
  GroupIndex groups_;
  CategoryIndex categories_;
  std::map<EntryKey, Entry> entries_;
  std::unordered_map<std::uint64_t, ActualCell> actuals_;
  Seconds max_date_ = std::numeric_limits<Seconds>::min();
  std::uint64_t invalid_rows_ = 0;
  std::vector<InputSummary> inputs_;
  WarningLog warnings_;

 private:
  // Day or month first in each file, from its first rows (date_order auto): reads them, then
  // opens the file again for the pass.
  void DecideDateOrders();
  // Adds |part|, the pass over the records after those merged so far.
  void MergeDeals(DealsPass& part);
  static void Require(const CsvReader& reader, const std::vector<std::string>& header,
                      const RoleBinding& roles, Role role, std::string_view what);
  std::vector<int> ResolveBy(const CsvReader& reader, const std::vector<std::string>& header,
                             const RoleBinding& roles) const;
  InputSummary Summary(const CsvReader& reader, int input) const;
  // "(period, owner, category)" for messages.
  std::string KeyDescription() const;
};

}  // namespace crmkpi::forecast_report
