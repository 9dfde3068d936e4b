// Where a command's output goes: stdout, or a file written to a temporary name beside it and
// renamed into place, so a reader never sees half a report and a failed run leaves the old file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmkpi {

// Writes |data| to |path| ("" or "-" = stdout). Throws Error(kInput) naming the path when the
// file cannot be written. Returns false when stdout is a closed pipe (`| head`), which is not
// an error. The run's OutputText (output_text.h: --bom, --output-encoding) is applied first.
bool WriteOutput(const std::string& path, std::string_view data);

// After -o FILE took a command's output: one line on stderr, so that a CI log still says how the
// run went and where the report is ("crmkpi: tree: 7 nodes, 2 off track (report written to
// tree.json)"). Nothing when |quiet| or when the output went to stdout ("" or "-").
void NoteWritten(const std::string& path, bool quiet, std::string_view summary);

// "N KPIs" of |statuses| (one per KPI or node), with the off-track and on-track counts when any
// has a target: "12 KPIs, 3 off track, 9 on track". |noun| is "KPI" or "node".
std::string StatusSummary(const std::vector<std::string>& statuses, std::string_view noun);

// A file written in pieces (a quarantine CSV streamed row by row): the data goes to a temporary
// file beside |path|, which Commit() renames into place. Destroyed without Commit() (an error
// mid-run), the temporary file is removed and |path| is untouched. Writes are buffered.
// A symbolic link is followed: the temporary file is made beside its target and renamed over
// the target, so the link stays. A path that is not a regular file (/dev/null, /dev/full, a
// FIFO) is written to directly — never replaced — and its write errors are errors; a directory
// is an error.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);  // throws Error(kInput) naming the path
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  void Write(std::string_view data);  // throws Error(kInput)
  void Commit();                      // throws Error(kInput)

 private:
  void Flush();
  std::string path_;    // as given, for messages
  std::string target_;  // the regular file the rename replaces (links followed)
  std::string tmp_;
  bool direct_ = false;  // not a regular file: written in place
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace crmkpi
