// Report footers (csv_reader.h): the look ahead after a blank line, and the note.
#include <algorithm>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "csv_footer.h"

namespace crmkpi {

// Says once per footer (a command may read an input more than once: its start for the
// definition, then all of it, or serially again after a failed parallel pass) that a report
// footer was left out, with the start of its first line.
void NoteFooter(const std::string& name, const CsvFooter& footer) {
  static std::mutex mu;
  static std::set<std::pair<std::string, std::uint64_t>> noted;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!noted.emplace(name, footer.line).second) return;
  }
  constexpr std::size_t kShown = 60;  // bytes of the first line's text
  std::string_view first = footer.first;
  std::string shown(first.substr(0, kShown));
  if (first.size() > kShown) {
    // Cut at a character boundary.
    while (!shown.empty() && (static_cast<unsigned char>(shown.back()) & 0xC0) == 0x80) {
      shown.pop_back();
    }
    if (!shown.empty() && static_cast<unsigned char>(shown.back()) >= 0xC0) shown.pop_back();
    shown += "…";
  }
  const bool one = footer.records == 1;
  PrintNote({name, footer.line, 0},
            fmt::format("{} line{} after the data {} a report footer, not {} ('{}'{}), left out",
                        footer.records, one ? "" : "s", one ? "is" : "are",
                        one ? "a row" : "rows", shown, one ? "" : ", …"));
}

bool ChunkAfterBlank(std::string_view before, bool at_line_start) {
  if (before.empty()) return false;
  std::size_t brk = before.size() - 1;  // where the line break that ends the line starts
  if (before[brk] == '\n' && brk > 0 && before[brk - 1] == '\r') --brk;
  if (brk == 0) return at_line_start;
  return before[brk - 1] == '\n' || before[brk - 1] == '\r';
}

bool CsvReader::RefillAhead() {
  try {
    Refill();
    return true;
  } catch (const Error& e) {
    // Refill throws before it has changed what the parser sees, except that it may have
    // marked the end of the input: undone, so the parser asks again and Refill throws then.
    deferred_ = e;
    eof_ = false;
    return false;
  }
}

bool CsvReader::FooterFollows(CsvRow* row) {
  // The look ahead never holds more than this in the buffer, so Refill never meets the
  // record size limit on its behalf.
  const std::size_t limit =
      std::min(kMaxFooterBytes, options_.max_record_bytes > 0 ? options_.max_record_bytes - 1 : 0);
  enum class Verdict { kNo, kYes, kUnknown } verdict = Verdict::kNo;
  // Where the reader goes back to when this is no footer: after the blank lines (skipped as
  // they would be anyway); then the start of the first one-field record, which the bound on
  // bytes counts from (so that it does not depend on where a chunk starts in a run of blank
  // lines).
  // Whether a record of this reader comes before: else, in a chunk, the footer may have begun
  // in the chunk before.
  const bool after_record = rec_begin_ != nullptr;
  looking_ahead_ = true;
  ahead_from_ = pos_;
  std::uint64_t back_line = line_;
  CsvFooter found;
  for (;;) {
    ParseResult r;
    try {
      r = ParseRecord(row);
    } catch (const Error&) {
      break;  // a malformed record: no footer; reported when the reader reaches it
    }
    if (r == ParseResult::kNeedMore) {
      // Past the bound, or at an invalid byte (no clean end): no footer.
      if (end_ - ahead_from_ > limit || invalid_ || !RefillAhead()) break;
      continue;
    }
    if (r == ParseResult::kEnd) {
      // A chunk that ends before the file cannot tell: the next chunk may hold more footer
      // records, or the data that makes these records rows. (Blank lines alone at its end are
      // no footer here: the next chunk starts after a blank line and looks ahead itself.)
      if (found.records > 0) {
        const bool decided = chunk_end_ == ChunkEnd::kRest ||
                             (chunk_end_ == ChunkEnd::kAtEnd && after_record);
        verdict = decided ? Verdict::kYes : Verdict::kUnknown;
      }
      break;
    }
    if (r == ParseResult::kBlank || r == ParseResult::kFirstBlank) {
      if (found.records == 0) {
        ahead_from_ = pos_;
        back_line = line_;
      } else if (pos_ - ahead_from_ > limit) {
        break;
      }
      continue;
    }
    // A record: a footer record has one field, and the footer is short.
    if (row->fields.size() != 1 || ++found.records > kMaxFooterRecords ||
        pos_ - ahead_from_ > limit) {
      break;
    }
    if (found.records == 1) {
      found.line = row->line;
      found.first = std::string(row->fields[0]);
    }
  }
  looking_ahead_ = false;
  if (verdict == Verdict::kUnknown) {
    throw Error::Input("one-field records after a blank line at this chunk's edge: read "
                       "serially to tell whether they are the report footer",
                       {name(), back_line, 0});
  }
  if (verdict == Verdict::kYes) {
    pos_ = validated_;  // the end of the input: ParseRecord says so from here on
    footer_ = std::move(found);
    NoteFooter(name(), *footer_);
    return true;
  }
  pos_ = ahead_from_;
  line_ = back_line;
  blank_end_ = consumed_before_buffer_ + pos_;
  return false;
}

}  // namespace crmkpi
