// CsvReader: a streaming RFC 4180 reader. It holds one buffer (grown only for a record larger
// than the buffer) and hands out each record as string_views into that buffer, so memory is
// bounded by the largest record, not the file, and nothing is allocated per row or field.
//
// Accepted: quoted fields with delimiters, doubled quotes and newlines; LF, CRLF and CR alone
// (classic Mac "CSV (Macintosh)") as line ends, also mixed, and counted as lines (a CR or LF
// inside a quoted field is data); a UTF-8 BOM (stripped); a missing final newline; blank lines
// (skipped, but counted for line numbers).
// A quote inside an unquoted field is data (`5" pipe`). Text after a closing quote other than a
// delimiter or line end is an error, as is an unclosed quote (reported at the line it opened).
// Input must be UTF-8 (InputStream converts other encodings); invalid UTF-8 is an error naming
// line and byte offset, reported after the records before it (so an earlier malformed record
// is reported first). ReadHeader reads the first 512 bytes of the input (however many reads
// that takes, so the answer does not depend on read sizes), recognises inputs that are not CSV
// text from them (an .xlsx/ZIP, .xls, compressed files, images, UTF-16 without BOM) and says
// what they look like; a NUL byte among them is reported at its line and column in file order,
// like an invalid byte (a NUL on line 2 does not fail the header). It warns (PrintWarning)
// about duplicate header names. Every outcome (header, records, first error) is the same for
// any buffer and read size, and for the parallel pass's chunk and block readers.
//
// A report footer (Salesforce and other CRMs' report exports end with one) is not data: when
// the header has at least 2 fields, the data is followed by one or more blank lines and then
// by 1 to kMaxFooterRecords records of exactly one field each (blank lines among and after
// them allowed) to the end of the input, and those records span at most kMaxFooterBytes (from
// the first one's start to the end), they are left out and the reader notes them once on
// stderr (FooterNote). Anything else stays a record: a one-field record with no blank line
// before it, one followed later by a wider record, or a longer tail, is handed out as usual
// and fails the caller's field-count check (a truncated row is never skipped in silence).
// Only a blank line starts the look ahead, so the hot path does no extra work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/progress.h"

namespace crmkpi {

// The bounds of a report footer (see the top): its records, and its bytes from the first of
// them to the end of the input.
inline constexpr std::size_t kMaxFooterRecords = 20;
inline constexpr std::size_t kMaxFooterBytes = std::size_t{64} << 10;

// A report footer the reader left out: where its first record is, how many records it has, and
// the text of the first.
struct CsvFooter {
  std::uint64_t line = 0;
  std::size_t records = 0;
  std::string first;
};

struct CsvOptions {
  char delimiter = ',';
  bool auto_delimiter = false;  // sniff ',', ';', '\t' or '|' from the header line
  std::size_t buffer_size = std::size_t{1} << 20;
  // A record longer than this is an error (almost always an unclosed quote).
  std::size_t max_record_bytes = std::size_t{256} << 20;
  // Warn on stderr about header names that repeat; off where the header is read a second
  // time (report reads it once to build its definition, then again for the pass).
  bool warn_duplicate_headers = true;
};

// Whether the line that ends at the end of |before| (the bytes before a chunk of the parallel
// pass, which starts at a record boundary) is blank, so that the chunk's reader looks ahead for
// a report footer from its start. |before| holds the last 3 bytes or more; fewer only when
// |at_line_start|: then it starts where a line does (the data's or a block's start).
bool ChunkAfterBlank(std::string_view before, bool at_line_start);

// CsvOptions for a --delimiter / delimiter = value: one character, '\t' or "tab", or "auto".
// Throws Error(kUsage) otherwise.
CsvOptions ParseDelimiter(std::string_view value);

// The message for a record with |got| fields under |header|, and in *at the index of the field
// to point at (where the first missing field would start, or the first surplus field).
std::string FieldCountMessage(const std::vector<std::string>& header, std::size_t got,
                              std::size_t* at);

// One record. |fields| point into the reader's buffer and are valid until the next call to
// CsvReader::Next().
struct CsvRow {
  std::vector<std::string_view> fields;
  std::uint64_t line = 0;    // physical line (1-based) where the record starts
  std::uint64_t number = 0;  // data record number, 1-based, header excluded
};

class CsvReader {
 public:
  CsvReader(std::unique_ptr<InputStream> input, CsvOptions options = {});
  // A reader for one chunk of the parallel pass: |input| holds whole records of the file that
  // |whole| (a reader past its header) reads, starting at byte |offset| of that file on physical
  // line |line|. It has |whole|'s header, delimiter and options, reports the same lines and byte
  // offsets as a reader of the whole file, numbers its records from 1, and draws no progress
  // line of its own. For report footers: |end| says where |input| ends (ChunkEnd);
  // |after_blank|, the line before |offset| is blank (ChunkAfterBlank), so the chunk looks ahead
  // from its start as a reader of the whole file did at that blank line.
  enum class ChunkEnd {
    // Before the file's end: one-field records after a blank line at the chunk's end may be
    // the start of the footer or rows; the reader throws, and the parallel pass reads the file
    // serially, as it does after any failed chunk.
    kBeforeEnd,
    // At the file's end, read alongside the chunks before it: a footer found from the chunk's
    // start on is undecided likewise (the chunk before may end with its first lines), and
    // throws. One that starts after a record of this chunk is the whole file's.
    kAtEnd,
    // At the file's end, read after the chunks before it were read: as a whole reader.
    kRest,
  };
  CsvReader(std::unique_ptr<InputStream> input, const CsvReader& whole, std::uint64_t offset,
            std::uint64_t line, ChunkEnd end, bool after_blank);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the header record. Must be called once, before Next(). Throws Error(kInput) when the
  // input has no header (empty input).
  const std::vector<std::string>& ReadHeader();
  const std::vector<std::string>& header() const { return header_; }

  // Reads the next data record into *row. Returns false at end of input, or at a report footer
  // (left out; see footer()). Throws Error(kInput) for malformed CSV or invalid UTF-8.
  bool Next(CsvRow* row);

  // The report footer left out, once Next() has returned false at it.
  const std::optional<CsvFooter>& footer() const { return footer_; }

  // Location of field |index| (its first byte, the opening quote for quoted fields) of the
  // record last returned, or of its end (where a missing field would start) when |index| is
  // past the last field. Columns count characters, 1-based.
  SourceLoc Locate(std::size_t index) const;

  // The bytes of the record last returned, as read (after any encoding conversion, before
  // unescaping), without its line terminator; valid until the next call to Next(). Quarantine
  // files (--invalid-out) copy failing rows with it.
  std::string_view raw_record() const {
    return std::string_view(rec_begin_, static_cast<std::size_t>(rec_end_ - rec_begin_));
  }
  // The header record's bytes, likewise (without a BOM).
  const std::string& raw_header() const { return header_raw_; }

  char delimiter() const { return delim_; }
  const std::string& name() const { return name_; }
  std::uint64_t bytes_consumed() const { return consumed_before_buffer_ + pos_; }
  // Hands over what this reader has not parsed yet — the bytes in its buffer after the last
  // record returned (or the header), and the input stream for the rest — for the parallel pass
  // over a stream (parallel_scan.h). The reader is spent afterwards.
  std::unique_ptr<InputStream> TakeRest(std::string* buffered);
  // The physical line the next record starts on (after ReadHeader: the first data line).
  std::uint64_t next_line() const { return line_; }
  // Adds the bytes and records read to |*counters| once per buffer refill (the parallel pass
  // draws one progress line for all its chunks from them). Set before reading.
  void set_shared_progress(SharedProgress* counters) { shared_progress_ = counters; }
  std::int64_t size_hint() const { return size_hint_; }
  // Whether the input is a regular file (InputStream::regular_file), kept after TakeRest.
  bool regular_file() const { return regular_file_; }
  // Warns on stderr about header names that repeat (ReadHeader does, unless
  // CsvOptions::warn_duplicate_headers is off).
  void WarnDuplicateHeaders() const;

 private:
  // kFirstBlank: a blank line after a record (or the header), not after another blank line.
  enum class ParseResult { kRecord, kFirstBlank, kBlank, kNeedMore, kEnd };

  ParseResult ParseRecord(CsvRow* row);
  bool Refill();  // false at end of input
  // After a blank line (at pos_): whether the rest of the input is a report footer. When it is,
  // the reader is moved to the end of the input and footer_ is set; otherwise the reader is
  // back where it was (blank lines skipped) and reads on as usual. Rare: only a blank line
  // that follows a record gets here.
  bool FooterFollows(CsvRow* row);
  // Refill() during FooterFollows: an input error it meets is kept for the next Refill (where
  // the records before it have been read), not thrown. False: no more bytes to look at.
  bool RefillAhead();
  // The error for the invalid UTF-8 byte at buffer offset |at|, with its line, column and a
  // hint naming the encoding the bytes around it look like (HintWindow).
  Error InvalidUtf8(std::size_t at) const;
  std::pair<std::size_t, std::size_t> HintWindow(std::size_t at) const;
  bool HintWindowComplete(std::size_t at) const;
  // Reads from the head read by ReadHeader (prefix_), then from input_.
  std::size_t ReadInput(char* dst, std::size_t n);
  bool ReadRecord(CsvRow* row);
  void SniffDelimiter();
  [[noreturn]] void FailAt(const char* p, std::uint64_t line, const std::string& message) const;
  SourceLoc LocateIn(const char* p) const;

  std::unique_ptr<InputStream> input_;
  std::string name_;            // input_'s, kept when TakeRest hands input_ over
  std::vector<SourceLoc> header_locs_;  // where each header name starts (ReadHeader)
  std::int64_t size_hint_ = -1;
  bool regular_file_ = false;
  CsvOptions options_;
  char delim_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0;
  std::size_t pos_ = 0;   // start of the next record
  std::size_t end_ = 0;   // end of valid data
  std::size_t validated_ = 0;  // bytes [0, validated_) are known valid UTF-8
  bool eof_ = false;
  bool header_read_ = false;
  // An invalid UTF-8 byte found by the last read: the data ends before it (end_), and the next
  // Refill throws this, after the records before it were parsed.
  std::optional<Error> invalid_;
  // The start of the input that ReadHeader read (whatever the read sizes) to recognise binary
  // and UTF-16 inputs, handed to Refill before input_ is read again; an input error met while
  // reading it is thrown after it (read_error_), as a later read would have.
  std::string prefix_;
  std::size_t prefix_pos_ = 0;
  std::optional<Error> read_error_;
  // Stream offset of a NUL byte in that start (UINT64_MAX: none) and its message: reported
  // like an invalid byte, in file order, when the data reaches it.
  std::uint64_t nul_offset_ = UINT64_MAX;
  std::shared_ptr<const std::string> nul_message_;
  std::uint64_t consumed_before_buffer_ = 0;  // stream offset of buf_[0]
  // Report footers (FooterFollows). chunk_end_: a whole reader's is kRest. blank_end_: the stream offset after the last blank line skipped, so
  // that only the first blank line of a run looks ahead. While looking ahead, Refill keeps the
  // buffer from ahead_from_ (not pos_) on, so the reader can go back there.
  ChunkEnd chunk_end_ = ChunkEnd::kRest;
  bool after_blank_ = false;
  bool started_ = false;  // Next() has been called
  bool looking_ahead_ = false;
  std::size_t ahead_from_ = 0;
  std::uint64_t blank_end_ = UINT64_MAX;
  std::optional<Error> deferred_;  // an input error met while looking ahead
  std::optional<CsvFooter> footer_;
  std::uint64_t line_ = 1;  // physical line at pos_
  std::uint64_t records_ = 0;
  std::vector<std::string> header_;
  std::string header_raw_;
  std::unique_ptr<Progress> progress_;  // when ProgressWanted(): updated once per refill
  SharedProgress* shared_progress_ = nullptr;
  std::uint64_t shared_bytes_ = 0, shared_records_ = 0;  // already added to *shared_progress_

  // The record last parsed: where it starts and ends, its line, and each field's raw start.
  const char* rec_begin_ = nullptr;
  const char* rec_end_ = nullptr;
  std::uint64_t rec_line_ = 0;
  std::vector<const char*> field_starts_;
  std::vector<std::uint32_t> escaped_;  // indexes of quoted fields holding "" escapes
  std::string scratch_;                  // unescaped copies of those fields

  // The 64 bytes at block_ as a bit mask of the delimiters and newlines among them (bit i =
  // block_[i]), so a record's fields end at set bits instead of each field being searched on
  // its own: one vector compare per 64 bytes, and no branch that depends on a field's length.
  // Valid while the buffer holds the same bytes at block_ (reset when the buffer changes).
  const char* FieldEnd(const char* p, const char* e);
  const char* block_ = nullptr;
  std::uint64_t block_mask_ = 0;
};

}  // namespace crmkpi
