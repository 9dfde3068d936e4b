#include "crmkpi/read/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "crmkpi/base/utf8.h"
#include "crmkpi/read/encoding.h"
#include "crmkpi/read/header_names.h"

namespace crmkpi {
namespace {

// Returns the first position in [p, e) holding |delim|, '\n' or '\r', or e. Fields are short,
// so the vector loop usually answers in one step; the tail is scalar.
inline const char* FindFieldEnd(const char* p, const char* e, char delim) {
#ifdef __SSE2__
  const __m128i vd = _mm_set1_epi8(delim);
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i vr = _mm_set1_epi8('\r');
  while (e - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int mask = _mm_movemask_epi8(_mm_or_si128(
        _mm_cmpeq_epi8(v, vd), _mm_or_si128(_mm_cmpeq_epi8(v, vn), _mm_cmpeq_epi8(v, vr))));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < e && *p != delim && *p != '\n' && *p != '\r') ++p;
  return p;
}

// Bit i set when p[i] is |delim|, '\n' or '\r', for i in [0, 64).
inline std::uint64_t StructuralMask(const char* p, char delim) {
#ifdef __SSE2__
  const __m128i vd = _mm_set1_epi8(delim);
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i vr = _mm_set1_epi8('\r');
  std::uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    const auto m = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_or_si128(
        _mm_cmpeq_epi8(v, vd), _mm_or_si128(_mm_cmpeq_epi8(v, vn), _mm_cmpeq_epi8(v, vr)))));
    mask |= std::uint64_t{m} << (16 * i);
  }
  return mask;
#else
  std::uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) {
    mask |= std::uint64_t{p[i] == delim || p[i] == '\n' || p[i] == '\r'} << i;
  }
  return mask;
#endif
}

// Line breaks in [p, e): each LF, and each CR not followed by an LF (a CRLF counts once). A CR
// in the last byte counts: callers end the range before a byte that is not an LF (a quote, an
// invalid byte) or at the end of the input.
std::uint64_t CountBreaksScalar(const char* p, const char* e) {
  std::uint64_t n = 0;
  for (; p < e; ++p) {
    n += (*p == '\n' || (*p == '\r' && (p + 1 == e || p[1] != '\n'))) ? 1 : 0;
  }
  return n;
}

// The same, 16 bytes at a time while there is no CR (quoted spans are short and CRs in them
// rare: this costs what counting the LFs alone did).
std::uint64_t CountBreaks(const char* p, const char* e) {
  std::uint64_t n = 0;
#ifdef __SSE2__
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i vr = _mm_set1_epi8('\r');
  while (e - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, vr)) != 0) break;
    n += static_cast<std::uint64_t>(
        __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn)))));
    p += 16;
  }
#endif
  return n + CountBreaksScalar(p, e);
}

// The line and column (characters, 1-based) of |at| in text that starts at |begin| on line
// |line|, column 1; |end| bounds the lookahead for a CR.
std::pair<std::uint64_t, std::uint64_t> LineAndColumn(const char* begin, const char* at,
                                                      const char* end, std::uint64_t line) {
  const char* line_start = begin;
  for (const char* c = begin; c < at; ++c) {
    if (*c == '\n' || (*c == '\r' && (c + 1 == end || c[1] != '\n'))) {
      ++line;
      line_start = c + 1;
    }
  }
  std::uint64_t column = 1;
  for (const char* c = line_start; c < at; ++c) {
    if ((static_cast<unsigned char>(*c) & 0xC0) != 0x80) ++column;
  }
  return {line, column};
}

constexpr std::size_t kHeadBytes = 512;  // the start of the input that BinaryHint looks at

// When the start of an input shows that it is not CSV text, what it looks like and what to
// do; else empty. *nul_at receives the offset of a NUL byte the message is about (else npos).
std::string BinaryHint(std::string_view head, std::size_t* nul_at) {
  *nul_at = std::string_view::npos;
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts("PK\x03\x04") || starts("PK\x05\x06") || starts("PK\x07\x08")) {
    return "this looks like an Excel workbook (.xlsx, a ZIP file), not CSV text: open it in "
           "Excel and save it as CSV (File > Save As > CSV UTF-8), or export CSV from the CRM";
  }
  if (starts(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) {
    return "this looks like an Excel 97-2003 workbook (.xls), not CSV text: open it in Excel "
           "and save it as CSV (File > Save As > CSV UTF-8)";
  }
  struct Magic {
    std::string_view bytes, what;
  };
  static constexpr Magic kMagics[] = {
      {"\x1F\x8B", "a gzip-compressed file: decompress it first (gunzip, or zcat FILE | crmkpi "
                   "... -)"},
      {"BZh", "a bzip2-compressed file: decompress it first (bunzip2)"},
      {"\xFD" "7zXZ", "an xz-compressed file: decompress it first (unxz)"},
      {"\x28\xB5\x2F\xFD", "a zstd-compressed file: decompress it first (unzstd)"},
      {"%PDF-", "a PDF document"},
      {"\x89PNG", "a PNG image"},
      {"\xFF\xD8\xFF", "a JPEG image"},
      {"SQLite format 3", "an SQLite database"},
      {"PAR1", "a Parquet file"},
  };
  for (const Magic& m : kMagics) {
    if (starts(m.bytes)) {
      return fmt::format("this looks like {}, not CSV text", m.what);
    }
  }
  // UTF-16 without a byte-order mark, read as bytes (an encoding named, not detected).
  switch (Utf16WithoutBom(head.substr(0, kHeadBytes))) {
    case Utf16Order::kLittle:
      return "this looks like UTF-16 text without a byte-order mark (a NUL byte after every "
             "ASCII character): read it with --encoding utf-16";
    case Utf16Order::kBig:
      return "this looks like big-endian UTF-16 text without a byte-order mark (a NUL byte "
             "before every ASCII character): read it with --encoding utf-16be";
    case Utf16Order::kNone:
      break;
  }
  const std::size_t nul = head.substr(0, kHeadBytes).find('\0');
  if (nul != std::string_view::npos) {
    *nul_at = nul;
    return "the input holds a NUL byte (\\x00), which CSV text never does: is it a binary "
           "file, or text in another encoding? crmkpi reads UTF-8 CSV (or --encoding cp932 / "
           "utf-16)";
  }
  return {};
}

std::string Printable(char c) {
  if (c == '\t') return "'\\t'";
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x80) return fmt::format("byte 0x{:02x}", u);
  return fmt::format("'{}'", c);
}

}  // namespace

CsvOptions ParseDelimiter(std::string_view value) {
  CsvOptions csv;
  if (value == "auto") {
    csv.auto_delimiter = true;
  } else if (value == "\\t" || value == "tab" || value == "\t") {
    csv.delimiter = '\t';
  } else if (value.size() == 1 && value[0] != '"' && value[0] != '\n' && value[0] != '\r') {
    csv.delimiter = value[0];
  } else {
    throw Error::Usage(
        fmt::format("delimiter: expected one character, '\\t' or auto, got '{}'", value));
  }
  return csv;
}

std::string FieldCountMessage(const std::vector<std::string>& header, std::size_t got,
                              std::size_t* at) {
  const std::size_t want = header.size();
  if (got < want) {
    *at = got;
    return fmt::format("record has {} field{} but the header has {}: '{}' (field {}) {}", got,
                       got == 1 ? "" : "s", want, header[got], got + 1,
                       want - got == 1 ? "is missing" : "and later fields are missing");
  }
  *at = want;
  return fmt::format(
      "record has {} fields but the header has {}: field {} has no header (the last column is "
      "'{}')",
      got, want, want + 1, header.back());
}

CsvReader::CsvReader(std::unique_ptr<InputStream> input, CsvOptions options)
    : input_(std::move(input)),
      name_(input_->name()),
      size_hint_(input_->size_hint()),
      regular_file_(input_->regular_file()),
      options_(options),
      delim_(options.delimiter) {
  cap_ = std::max<std::size_t>(options_.buffer_size, 4);
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);  // read(2) fills it: no zeroing
  if (ProgressWanted()) progress_ = std::make_unique<Progress>(name_, size_hint_);
}

CsvReader::CsvReader(std::unique_ptr<InputStream> input, const CsvReader& whole,
                     std::uint64_t offset, std::uint64_t line, ChunkEnd end, bool after_blank)
    : input_(std::move(input)),
      name_(input_->name()),
      size_hint_(input_->size_hint()),
      regular_file_(whole.regular_file_),
      options_(whole.options_),
      delim_(whole.delim_) {
  cap_ = std::max<std::size_t>(options_.buffer_size, 4);
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);  // read(2) fills it: no zeroing
  header_read_ = true;
  header_ = whole.header_;
  header_raw_ = whole.header_raw_;
  nul_offset_ = whole.nul_offset_;
  nul_message_ = whole.nul_message_;
  consumed_before_buffer_ = offset;
  shared_bytes_ = offset;
  line_ = line;
  chunk_end_ = end;
  after_blank_ = after_blank;
}

namespace {

// The rest of an input whose read failed: every read throws the error.
class InvalidInput final : public InputStream {
 public:
  InvalidInput(std::string name, Error error) : name_(std::move(name)), error_(std::move(error)) {}
  std::size_t Read(char*, std::size_t) override { throw error_; }
  const std::string& name() const override { return name_; }

 private:
  std::string name_;
  Error error_;
};

}  // namespace

std::unique_ptr<InputStream> CsvReader::TakeRest(std::string* buffered) {
  buffered->assign(buf_.get() + pos_, end_ - pos_);
  block_ = nullptr;
  consumed_before_buffer_ += end_;
  pos_ = end_ = validated_ = 0;
  eof_ = true;
  // The buffered bytes include an invalid byte already found and those after it: the next
  // reader finds it again at the same offset, after the records before it.
  invalid_.reset();
  // Then what is left of the head ReadHeader read, then the stream (or its read error).
  buffered->append(prefix_, prefix_pos_);
  prefix_.clear();
  prefix_pos_ = 0;
  if (read_error_) {
    return std::make_unique<InvalidInput>(name_, *std::exchange(read_error_, std::nullopt));
  }
  return std::move(input_);
}

std::size_t CsvReader::ReadInput(char* dst, std::size_t n) {
  if (prefix_pos_ < prefix_.size()) {
    const std::size_t k = std::min(n, prefix_.size() - prefix_pos_);
    std::memcpy(dst, prefix_.data() + prefix_pos_, k);
    prefix_pos_ += k;
    if (prefix_pos_ == prefix_.size()) {
      std::string().swap(prefix_);
      prefix_pos_ = 0;
    }
    return k;
  }
  if (read_error_) throw *read_error_;
  return input_->Read(dst, n);
}

bool CsvReader::Refill() {
  if (progress_) progress_->Update(bytes_consumed(), records_);
  if (shared_progress_ != nullptr) {
    const std::uint64_t bytes = bytes_consumed();
    shared_progress_->bytes.fetch_add(bytes - shared_bytes_, std::memory_order_relaxed);
    shared_progress_->records.fetch_add(records_ - shared_records_, std::memory_order_relaxed);
    shared_bytes_ = bytes;
    shared_records_ = records_;
  }
  if (eof_) {
    if (progress_) progress_->Finish();
    return false;
  }
  // Every record before an invalid byte (or an input error met while looking ahead for a
  // footer) has been parsed: a malformed one among them was reported first (the earliest error
  // in the input wins, whatever the buffer size).
  if (deferred_) throw *deferred_;
  if (invalid_) throw *invalid_;
  block_ = nullptr;  // the bytes move
  // The bytes from the next record on, or while looking ahead for a footer, from where the
  // reader may go back to.
  const std::size_t keep = looking_ahead_ ? ahead_from_ : pos_;
  if (keep > 0) {
    std::memmove(buf_.get(), buf_.get() + keep, end_ - keep);
    consumed_before_buffer_ += keep;
    end_ -= keep;
    validated_ -= keep;
    pos_ -= keep;
    if (looking_ahead_) ahead_from_ = 0;
  }
  if (end_ == cap_) {
    // One record fills the whole buffer: grow, up to the limit.
    if (cap_ >= options_.max_record_bytes) {
      const std::size_t limit = options_.max_record_bytes;
      FailAt(buf_.get(), line_,
             fmt::format("the record starting on this line is larger than {}; is a quote left "
                         "open?",
                         limit >= (std::size_t{1} << 20) ? fmt::format("{} MiB", limit >> 20)
                                                         : fmt::format("{} bytes", limit)));
    }
    const std::size_t new_cap = std::min(cap_ * 2, options_.max_record_bytes);
    auto bigger = std::make_unique_for_overwrite<char[]>(new_cap);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ = new_cap;
  }
  const std::size_t n = ReadInput(buf_.get() + end_, cap_ - end_);
  if (n == 0) {
    eof_ = true;
    if (validated_ != end_) {
      std::size_t tail = 0;
      if (FindInvalidUtf8(buf_.get() + validated_, end_ - validated_, &tail) == 0) {
        throw InvalidUtf8(validated_);  // an invalid byte whose hint waited for the end
      }
      const char* bad = buf_.get() + validated_;
      const std::uint64_t lines = CountBreaks(buf_.get() + pos_, bad);
      throw Error::Input(
          fmt::format("invalid UTF-8: truncated sequence at byte offset {} (end of input)",
                      consumed_before_buffer_ + validated_),
          SourceLoc{name(), line_ + lines, 0});
    }
    return false;
  }
  end_ += n;
  std::size_t tail = 0;
  const std::size_t len = end_ - validated_;
  const std::size_t bad = FindInvalidUtf8(buf_.get() + validated_, len, &tail);
  // A NUL byte in the input's start (ReadHeader) counts as an invalid byte at its place: the
  // earliest of the two is the error, whatever the read sizes. (Unsigned: a NUL before
  // validated_, or none, gives a huge difference.)
  const std::uint64_t from = consumed_before_buffer_ + validated_;
  if (nul_offset_ - from < bad) {
    const std::size_t at = validated_ + static_cast<std::size_t>(nul_offset_ - from);
    const auto [line, column] =
        LineAndColumn(buf_.get() + pos_, buf_.get() + at, buf_.get() + end_, line_);
    invalid_ = Error::Input(*nul_message_, SourceLoc{name(), line, column});
    validated_ = at;  // the bytes from it on stay (TakeRest hands them on)
    return true;
  }
  if (bad != len) {
    // Not thrown yet: the bytes before it are parsed first (see the top), so the data ends
    // there for now. The hint reads the bytes around it: until they are all here, wait.
    const std::size_t at = validated_ + bad;
    if (!HintWindowComplete(at)) {
      validated_ = at;
      return true;
    }
    invalid_ = InvalidUtf8(at);
    validated_ = at;
    return true;
  }
  validated_ = end_ - tail;
  return true;
}

// The bytes that the hint of an invalid-UTF-8 error reads: the run around |at| of bytes that
// may be letters in a legacy encoding (>= 0x40: every CP932 trail byte, every Latin-1 letter
// and every EUC-JP byte is), at most 64 on either side. It starts after a record's first byte
// at the earliest, and ends at a byte < 0x40 (a delimiter, a line break), so it is the same
// whatever the read sizes once the bytes after |at| are here.
std::pair<std::size_t, std::size_t> CsvReader::HintWindow(std::size_t at) const {
  const auto* b = reinterpret_cast<const unsigned char*>(buf_.get());
  std::size_t start = at;
  while (start > pos_ && at - start < 64 && b[start - 1] >= 0x40) --start;
  std::size_t stop = at;
  while (stop < end_ && stop - at < 64 && b[stop] >= 0x40) ++stop;
  return {start, stop};
}

bool CsvReader::HintWindowComplete(std::size_t at) const {
  const std::size_t stop = HintWindow(at).second;
  return stop < end_ || stop - at >= 64;
}

Error CsvReader::InvalidUtf8(std::size_t at) const {
  const auto [line, column] =
      LineAndColumn(buf_.get() + pos_, buf_.get() + at, buf_.get() + end_, line_);
  // What the bytes look like decides the hint (a Spanish Data Loader export is windows-1252,
  // a Japanese one cp932).
  const auto [start, stop] = HintWindow(at);
  const std::string guess = GuessLegacyEncoding(std::string_view(buf_.get() + start, stop - start));
  return Error::Input(
      fmt::format("invalid UTF-8 at byte offset {} (the input is read as utf-8): {}",
                  consumed_before_buffer_ + at,
                  guess.empty() ? std::string("name its encoding with --encoding (cp932, "
                                              "windows-1252, euc-jp, …)")
                                : fmt::format("these bytes read as {}: re-run with --encoding {}",
                                              guess, guess)),
      SourceLoc{name(), line, column});
}

// The first position in [p, e) holding the delimiter or '\n', or e: from the current block's
// mask when p is in it, else from the mask of the 64 bytes at p (or, within 64 bytes of e, a
// plain search).
inline const char* CsvReader::FieldEnd(const char* p, const char* e) {
  for (;;) {
    const std::uintptr_t offset =
        reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(block_);
    if (offset < 64) {  // (never with no block: block_ == nullptr gives a huge offset)
      const std::uint64_t m = block_mask_ >> offset;
      if (m != 0) return p + __builtin_ctzll(m);
      p = block_ + 64;
      continue;
    }
    if (e - p < 64) return FindFieldEnd(p, e, delim_);
    block_ = p;
    block_mask_ = StructuralMask(p, delim_);
  }
}

CsvReader::ParseResult CsvReader::ParseRecord(CsvRow* row) {
  char* const base = buf_.get();
  const char* p = base + pos_;
  // Only validated bytes: an incomplete UTF-8 sequence at the end of a read waits for the next
  // one, so that a byte is judged (structure, then encoding) the same for any read size.
  const char* const e = base + validated_;
  if (p == e) return eof_ ? ParseResult::kEnd : ParseResult::kNeedMore;

  // Blank line (LF, CRLF or CR alone): skipped, counted. The first of a run may start a report
  // footer (ReadRecord looks ahead then).
  if (*p == '\n' || *p == '\r') {
    std::size_t len = 1;
    if (*p == '\r') {
      if (p + 1 == e && !eof_ && validated_ == end_) return ParseResult::kNeedMore;
      len = (p + 1 < e && p[1] == '\n') ? 2 : 1;
    }
    const bool first = consumed_before_buffer_ + pos_ != blank_end_;
    pos_ += len;
    ++line_;
    blank_end_ = consumed_before_buffer_ + pos_;
    return first ? ParseResult::kFirstBlank : ParseResult::kBlank;
  }

  row->fields.clear();
  field_starts_.clear();
  escaped_.clear();
  rec_begin_ = p;
  rec_line_ = line_;
  std::uint64_t newlines = 0;

  for (;;) {
    field_starts_.push_back(p);
    if (p < e && *p == '"') {
      const char* q = p + 1;
      bool escaped = false;
      for (;;) {
        const char* hit = static_cast<const char*>(std::memchr(q, '"', e - q));
        if (hit == nullptr) {
          if (!eof_) return ParseResult::kNeedMore;
          FailAt(p, 0,
                 fmt::format("unclosed quote: field {} ('{}') opens a quote here that is never "
                             "closed before the end of the input",
                             field_starts_.size(), field_starts_.size() <= header_.size()
                                                       ? header_[field_starts_.size() - 1]
                                                       : std::string("?")));
        }
        newlines += CountBreaks(q, hit);  // a CR before the quote is a line end of its own
        if (hit + 1 == e && !eof_) return ParseResult::kNeedMore;
        if (hit + 1 < e && hit[1] == '"') {
          escaped = true;
          q = hit + 2;
          continue;
        }
        q = hit;
        break;
      }
      if (escaped) escaped_.push_back(static_cast<std::uint32_t>(row->fields.size()));
      row->fields.emplace_back(p + 1, static_cast<std::size_t>(q - p - 1));
      p = q + 1;
      if (p == e) {  // eof_ here: a quoted last field without a final newline
        rec_end_ = p;
        break;
      }
      if (*p == delim_) {
        ++p;
        continue;
      }
      if (*p == '\n') {
        rec_end_ = p++;
        ++newlines;
        break;
      }
      if (*p == '\r') {  // CRLF, or a CR alone (classic Mac)
        if (p + 1 == e && !eof_ && validated_ == end_) return ParseResult::kNeedMore;
        rec_end_ = p;
        p += (p + 1 < e && p[1] == '\n') ? 2 : 1;
        ++newlines;
        break;
      }
      const std::size_t idx = row->fields.size() - 1;
      std::string hint;
      const SourceLoc opened = LocateIn(field_starts_.back());
      if (opened.line != LocateIn(p).line) {
        // The quote that "closed" here is likely the opening quote of a later field: the real
        // problem is a quote left open where this field started.
        hint = fmt::format("; this quoted field starts at line {}, column {}: is a closing quote "
                           "missing there?",
                           opened.line, opened.column);
      }
      FailAt(p, 0,
             fmt::format("unexpected {} after the closing quote of field {} ('{}'); a quote "
                         "inside a quoted field must be doubled (\"\"){}",
                         Printable(*p), idx + 1, idx < header_.size() ? header_[idx] : "?",
                         hint));
    }

    const char* q = FieldEnd(p, e);
    if (q == e) {
      if (!eof_) return ParseResult::kNeedMore;
      row->fields.emplace_back(p, static_cast<std::size_t>(q - p));
      rec_end_ = q;
      p = q;
      break;
    }
    if (*q == delim_) {
      row->fields.emplace_back(p, static_cast<std::size_t>(q - p));
      p = q + 1;
      continue;
    }
    // The line end: LF, CRLF, or a CR alone (classic Mac; its LF may be in the next read).
    if (*q == '\r' && q + 1 == e && !eof_ && validated_ == end_) return ParseResult::kNeedMore;
    row->fields.emplace_back(p, static_cast<std::size_t>(q - p));
    rec_end_ = q;
    p = (*q == '\r' && q + 1 < e && q[1] == '\n') ? q + 2 : q + 1;
    ++newlines;
    break;
  }

  // Complete: unescape "" in the fields that need it, into scratch space sized so that it never
  // reallocates mid-record (the views of earlier fields stay valid). The read buffer itself
  // stays as read, so Locate() can still count lines and columns in it.
  if (!escaped_.empty()) {
    const std::size_t need = static_cast<std::size_t>(p - rec_begin_);
    scratch_.clear();
    if (scratch_.capacity() < need) scratch_.reserve(need);
    for (std::uint32_t idx : escaped_) {
      const std::string_view raw = row->fields[idx];
      const std::size_t start = scratch_.size();
      for (std::size_t i = 0; i < raw.size(); ++i) {
        scratch_.push_back(raw[i]);
        if (raw[i] == '"') ++i;  // every quote in a quoted field is doubled
      }
      row->fields[idx] = std::string_view(scratch_.data() + start, scratch_.size() - start);
    }
  }

  row->line = line_;
  line_ += newlines;
  pos_ = static_cast<std::size_t>(p - base);
  return ParseResult::kRecord;
}

bool CsvReader::ReadRecord(CsvRow* row) {
  for (;;) {
    switch (ParseRecord(row)) {
      case ParseResult::kRecord:
        return true;
      case ParseResult::kEnd:
        return false;
      case ParseResult::kFirstBlank:
        // A report footer needs a header of 2 fields or more (in a one-column file every
        // record has one field).
        if (header_.size() >= 2 && FooterFollows(row)) return false;
        continue;
      case ParseResult::kBlank:
        continue;
      case ParseResult::kNeedMore:
        Refill();
        continue;
    }
  }
}

namespace {

// The number of fields of the line at [p, e) read with |delim| as the reader reads it: a quote
// opens a quoted field only at a field's start ("" inside it is a quote), elsewhere it is data.
// Sets *incomplete when the line does not end before e and more input may follow.
std::size_t HeaderFields(const char* p, const char* e, char delim, bool eof, bool* incomplete) {
  std::size_t fields = 1;
  bool field_start = true;
  while (p < e) {
    if (field_start && *p == '"') {
      const char* q = p + 1;
      for (;;) {
        const char* hit =
            static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(e - q)));
        if (hit == nullptr || (hit + 1 == e && !eof)) {
          *incomplete = *incomplete || !eof;
          return fields;
        }
        if (hit + 1 < e && hit[1] == '"') {
          q = hit + 2;
          continue;
        }
        p = hit + 1;
        break;
      }
      field_start = false;
      continue;
    }
    if (*p == '\n' || *p == '\r') return fields;
    field_start = *p == delim;
    fields += field_start ? 1 : 0;
    ++p;
  }
  *incomplete = *incomplete || !eof;
  return fields;
}

}  // namespace

void CsvReader::SniffDelimiter() {
  // The delimiter that splits the header line into the most fields, each candidate reading the
  // line with its own quoting (a quote inside an unquoted field is data, as for the reader);
  // ',' on a tie. The line is read to its end first (up to 1 MiB), so the choice depends on
  // the header line alone, not on how many bytes the first read brought.
  const char candidates[4] = {',', ';', '\t', '|'};
  std::size_t fields[4] = {0, 0, 0, 0};
  for (;;) {
    const char* p = buf_.get() + pos_;
    const char* e = buf_.get() + validated_;
    bool incomplete = false;
    for (int i = 0; i < 4; ++i) fields[i] = HeaderFields(p, e, candidates[i], eof_, &incomplete);
    if (!incomplete || eof_ || end_ - pos_ >= (std::size_t{1} << 20)) break;
    Refill();
  }
  int best = 0;
  for (int i = 1; i < 4; ++i) {
    if (fields[i] > fields[best]) best = i;
  }
  delim_ = candidates[best];
  block_ = nullptr;  // masks of the old delimiter
}

const std::vector<std::string>& CsvReader::ReadHeader() {
  if (header_read_) return header_;
  header_read_ = true;
  // The start of the input, for the BOM and for BinaryHint: kHeadBytes after a BOM, or all of
  // a shorter input, however many reads that takes, so that the same bytes decide for any read
  // size. An input error there (a bad CP932 byte) is thrown where the data reaches it.
  std::string head(kHeadBytes + 3, '\0');
  std::size_t have = 0;
  try {
    while (have < head.size()) {
      const std::size_t n = input_->Read(head.data() + have, head.size() - have);
      if (n == 0) break;
      have += n;
    }
  } catch (const Error& e) {
    read_error_ = e;
  }
  head.resize(have);
  const std::size_t bom = have >= 3 && head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  {
    std::size_t nul_at = 0;
    const std::string hint = BinaryHint(std::string_view(head).substr(bom), &nul_at);
    if (!hint.empty()) {
      // What the whole start looks like (a signature, UTF-16): not CSV, whatever follows.
      if (nul_at == std::string_view::npos) throw Error::Input(hint, {name(), 0, 0});
      // A NUL byte: an error at its place, after the records before it (Refill).
      nul_offset_ = bom + nul_at;
      nul_message_ = std::make_shared<const std::string>(hint);
    }
  }
  head.erase(0, bom);
  consumed_before_buffer_ = bom;
  prefix_ = std::move(head);
  prefix_pos_ = 0;
  if (options_.auto_delimiter) SniffDelimiter();
  CsvRow row;
  if (!ReadRecord(&row)) {
    throw Error::Input("empty input: a header row is required", {name(), 0, 0});
  }
  header_.assign(row.fields.begin(), row.fields.end());
  // Where each header name is, for warnings given after more records are read.
  header_locs_.clear();
  for (std::size_t i = 0; i < header_.size(); ++i) header_locs_.push_back(Locate(i));
  header_raw_ = std::string(raw_record());
  if (options_.warn_duplicate_headers) WarnDuplicateHeaders();
  return header_;
}

bool CsvReader::Next(CsvRow* row) {
  if (!started_) [[unlikely]] {
    started_ = true;
    if (!header_read_) ReadHeader();
    // A chunk that starts after a blank line looks ahead from its start, as a reader of the
    // whole file did at that blank line (blank lines at the start continue that run).
    if (after_blank_ && header_.size() >= 2) {
      blank_end_ = consumed_before_buffer_ + pos_;
      if (FooterFollows(row)) return false;
    }
  }
  if (!ReadRecord(row)) return false;
  row->number = ++records_;
  return true;
}

SourceLoc CsvReader::LocateIn(const char* p) const {
  const auto [line, column] = LineAndColumn(rec_begin_, p, buf_.get() + end_, rec_line_);
  return {name(), line, column};
}

void CsvReader::WarnDuplicateHeaders() const {
  for (const HeaderDuplicate& d : FindDuplicateHeaders(header_)) {
    const SourceLoc first = d.first < header_locs_.size() ? header_locs_[d.first] : Locate(d.first);
    const SourceLoc again = d.again < header_locs_.size() ? header_locs_[d.again] : Locate(d.again);
    const std::string_view how =
        header_[d.first] == header_[d.again] ? "repeats" : "differs only in case or spacing from";
    PrintWarning(again,
                 fmt::format("duplicate header: '{}' (field {}, line {} column {}) {} '{}' "
                             "(field {}, line {} column {}); a role, --by or where that needs "
                             "this name is an error: rename one of the columns",
                             header_[d.again], d.again + 1, again.line, again.column, how,
                             header_[d.first], d.first + 1, first.line, first.column));
  }
}

SourceLoc CsvReader::Locate(std::size_t index) const {
  if (rec_begin_ == nullptr) return {name(), line_, 0};
  if (index < field_starts_.size()) return LocateIn(field_starts_[index]);
  return LocateIn(rec_end_);
}

void CsvReader::FailAt(const char* p, std::uint64_t line, const std::string& message) const {
  if (line != 0) throw Error::Input(message, {name(), line, 0});
  throw Error::Input(message, LocateIn(p));
}

}  // namespace crmkpi
