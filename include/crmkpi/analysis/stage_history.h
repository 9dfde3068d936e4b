// Stage history: when each deal entered each stage, read from a CRM export in one of two
// layouts, as per-deal visits (the input of `crmkpi dwell`, dwell.h).
//
// Long layout (Salesforce OpportunityHistory / Opportunity Field History, HubSpot deal-stage
// history): one row per stage change — deal id (role id), stage (role stage), the time the deal
// entered that stage (role changed; when absent, role created, as in OpportunityHistory's
// CreatedDate), optional owner and amount. Rows are grouped by deal and ordered by time (ties:
// file order). A visit is a run of consecutive rows with the same stage; it is exited at the
// next different stage's time. Reported, never silent:
//   out_of_order          rows whose time is earlier than an earlier row of the same deal (in
//                         file order). Default: sorted into place (exports sorted newest first
//                         are common, so the reference's "ignore" would drop real history);
//                         with OutOfOrder::kIgnore they are left out, as the reference says.
//   duplicate_timestamps  rows of a deal with the same time as its previous row (stable order by
//                         input row: the earlier row's visit lasts 0 days).
//   unknown_stage         rows whose stage is not in --stages (kept as visits of their own, after
//                         the ordered stages; no conversion for them). Only with an order.
//   missing_id, missing_stage, missing_time, invalid_time   rows left out.
// Wide layout (HubSpot "Date entered <stage>" columns, Maven's engage/close dates): one row per
// deal, one entry-time column per stage (`entered` map, or detected from headers such as
// "date_entered_<stage>", "hs_date_entered_<stage>", "Date entered \"<stage> (…)\""). Entries
// are ordered by time (ties: stage order); each is one visit, exited at the next entry. The
// current stage is the stage column when present, else the last entered stage. A column mapped
// to several stages (Maven's close_date for Won and Lost) counts only for the stage the deal is
// currently in. A current stage without an entry time (Maven's Prospecting) has no visit: the
// deal is counted in stage_without_date.
//
// Terminal stages (won/lost per StageRules) close a deal: a visit to them has no dwell. A deal's
// last visit to a non-terminal stage is open (censored at as-of by the dwell statistics).
// Memory: the long layout holds every history row (24 bytes each) until it is grouped; the wide
// layout every deal's visits. A large input is read on all cores (parallel_scan.h), with the
// same result as a serial read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/results/report.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

enum class HistoryLayout { kAuto, kLong, kWide };
enum class OutOfOrder { kSort, kIgnore };

struct StageHistoryOptions {
  std::string file;  // "-" = stdin
  Encoding encoding = Encoding::kAuto;
  CsvOptions csv;
  std::vector<RoleMapping> mappings;
  StageConfig stages;  // order (--stages), won/lost values
  HistoryLayout layout = HistoryLayout::kAuto;
  std::vector<std::pair<std::string, std::string>> entered;  // wide: stage → column
  OutOfOrder out_of_order = OutOfOrder::kSort;
  std::vector<std::string> by;  // per-deal attributes to group by (column names or roles)
  std::string date_format, tz;
  // Numeric dates with the year last (without date_format): "auto" = day or month first as the
  // first 1,000 rows of the time columns show it (bind/date_order.h; a note or warning leads
  // the warnings), "mdy" or "dmy". |date_order_fix|: what the warning of an undecided order
  // tells the user (empty: --date-format).
  std::string date_order = "auto";
  std::string date_order_fix;
  ParallelOptions parallel;  // threads for a large input (the result is the same whatever N)
};

struct StageVisit {
  int stage = 0;              // index into StageHistory::stages
  Seconds enter = 0;
  std::optional<Seconds> exit;  // nullopt: the deal is still in this stage (or it is terminal)
  // Wide layout only: the deal left this stage at an unknown time (the stage it is in now has no
  // entry date). The visit counts as entered (conversion), but is neither exited nor open.
  bool exit_unknown = false;
  std::uint64_t line = 0;     // the line the visit starts at
};

struct DealHistory {
  std::string id;
  std::vector<StageVisit> visits;  // in time order
  int current = -1;                // the deal's current stage (index), -1 when unknown
  std::string owner;               // from the deal's latest row (long) or its row (wide)
  std::optional<std::int64_t> amount;  // amount units (1/10,000), latest row
  std::vector<std::string> by;     // values of the --by columns, latest row
  std::uint64_t line = 0;          // first line of the deal
};

struct StageHistory {
  HistoryLayout layout = HistoryLayout::kLong;
  std::vector<std::string> stages;     // the --stages order first, then unknown ones as seen
  std::size_t ordered = 0;             // stages[0, ordered) are the order
  std::vector<StageClass> classes;     // per stage: open, won or lost
  std::vector<DealHistory> deals;      // in order of first appearance
  std::vector<std::string> by_names;   // the --by columns as given
  InputSummary input;
  std::optional<Seconds> latest;       // the latest time in the data (the default as-of)
  // Counts (see above).
  std::uint64_t out_of_order = 0, duplicate_timestamps = 0, unknown_stage = 0, missing_id = 0,
                missing_stage = 0, missing_time = 0, invalid_time = 0, stage_without_date = 0;
  std::uint64_t first_duplicate_line = 0;  // the earliest line of a duplicate_timestamps row
  std::vector<DataWarning> warnings;
};

// The wide layout's entry-date columns a header has for the ordered stages and the won/lost
// values ("Date entered \"Proposal (Sales Pipeline)\"", "date_entered_proposal", …): the stage's
// name as the header writes it and the column, in the order of the stages. A source whose
// header has any is read as the wide layout (HistoryLayout::kAuto).
std::vector<std::pair<std::string, int>> DetectEntryColumns(const std::vector<std::string>& header,
                                                            const StageConfig& stages);

// Reads the history. Throws Error(kUsage) for missing roles (naming the role and listing the
// headers) or a wide layout without entry columns, Error(kInput) for unreadable/malformed input.
StageHistory ReadStageHistory(const StageHistoryOptions& options);

}  // namespace crmkpi
