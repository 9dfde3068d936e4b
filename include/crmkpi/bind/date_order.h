// The order of a file's numeric dates — day first (15/04/2024) or month first (4/15/2024) —
// decided from the values of its date columns in its first rows (DecideDateOrder,
// values/date_time.h) before the pass that reads them all. Every command that reads dates
// without a format decides this way: `report FILE` and `init` (cli/deals_flags), a definition's
// source with `date_order = auto` (engine/date_orders.h), `dwell`, `forecast` and `check`.
// D/M/Y evidence makes every such date day first, with a note; values in both orders, or only
// values that fit both, keep month first with a warning that names how to set the order.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/bind/column_roles.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/data_warning.h"
#include "crmkpi/read/encoding.h"
#include "crmkpi/values/date_time.h"

namespace crmkpi {

// What a warning tells the user to do when the values cannot decide: on the command line
// (--date-format) or in a definition's [source ID] (date_order, or --date-format).
std::string DateOrderFixFlag();
std::string DateOrderFixIni(std::string_view source_id);

struct DateOrderDecision {
  DateOrder order = DateOrder::kNone;
  std::string file;      // the input's name in messages
  std::string message;   // empty: nothing to say (month first shown, or no such dates)
  bool warning = false;  // |message| is a warning (both orders, or every date ambiguous);
                         // else a note (day first)

  bool day_first() const { return order == DateOrder::kDmy; }
  // "FILE: note: MESSAGE" or "FILE: warning: MESSAGE"; "" without a message.
  std::string Line() const;
  // The message as a data warning (JSON `warnings`, stderr): kind "day_first" for the note
  // (printed as a note), "date_order" for the warning; it names the file, no line.
  DataWarning AsDataWarning() const;
};

// The columns of the date roles that are bound: created, closed, changed, modified.
std::vector<int> DateRoleColumns(const RoleBinding& roles);

// From |dates|: the values of the date columns in the first |rows| records of |file|.
// |fix|: DateOrderFixFlag() or DateOrderFixIni(id).
DateOrderDecision DecideDateOrderOf(const std::vector<std::vector<std::string>>& dates,
                                    std::size_t rows, const std::string& file,
                                    std::string_view fix);

// Reads the first kSampleRows records of |reader| (past its header: they are consumed) and
// decides from the values of |columns|.
DateOrderDecision SampleDateOrder(CsvReader* reader, const std::vector<int>& columns,
                                  std::string_view fix);

// For a pass that opened |path| itself: decides from the first records of *reader (open on
// |path|, its header read), then opens |path| again into *reader, its header read (without a
// second duplicate-header warning), so that the pass reads every record. Standard input and
// pipes must have been recorded (RecordInput(path) before *reader was opened): they replay what
// the sample read. *used: the encoding read, as OpenInput sets it.
DateOrderDecision SampleDateOrderAndReopen(const std::string& path, Encoding encoding,
                                           const CsvOptions& csv, const std::vector<int>& columns,
                                           std::string_view fix,
                                           std::unique_ptr<CsvReader>* reader, Encoding* used);

// Opens |path| for a sample of its own: reads its header, asks |columns| which columns hold
// dates and decides from their first records. Standard input and pipes are recorded and
// rewound, so the pass's next OpenInput(path) reads them from the start. An input that cannot
// be opened or read, or a header |columns| throws on, decides nothing: the pass reports it.
DateOrderDecision SampleFileDateOrder(
    const std::string& path, Encoding encoding, const CsvOptions& csv,
    const std::function<std::vector<int>(const std::vector<std::string>& header)>& columns,
    std::string_view fix);

}  // namespace crmkpi
