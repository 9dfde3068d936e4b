#include "crmkpi/csv_reader.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "crmkpi/utf8.h"

namespace crmkpi {
namespace {

// Returns the first position in [p, e) holding |delim| or '\n', or e. Fields are short, so the
// vector loop usually answers in one step; the tail is scalar.
inline const char* FindFieldEnd(const char* p, const char* e, char delim) {
#ifdef __SSE2__
  const __m128i vd = _mm_set1_epi8(delim);
  const __m128i vn = _mm_set1_epi8('\n');
  while (e - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vn)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < e && *p != delim && *p != '\n') ++p;
  return p;
}

// Bit i set when p[i] is |delim| or '\n', for i in [0, 64).
inline std::uint64_t StructuralMask(const char* p, char delim) {
#ifdef __SSE2__
  const __m128i vd = _mm_set1_epi8(delim);
  const __m128i vn = _mm_set1_epi8('\n');
  std::uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    const auto m = static_cast<std::uint32_t>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vn))));
    mask |= std::uint64_t{m} << (16 * i);
  }
  return mask;
#else
  std::uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) {
    mask |= std::uint64_t{p[i] == delim || p[i] == '\n'} << i;
  }
  return mask;
#endif
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
      options_(options),
      delim_(options.delimiter) {
  cap_ = std::max<std::size_t>(options_.buffer_size, 4);
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);  // read(2) fills it: no zeroing
  if (ProgressWanted()) progress_ = std::make_unique<Progress>(name_, size_hint_);
}

CsvReader::CsvReader(std::unique_ptr<InputStream> input, const CsvReader& whole,
                     std::uint64_t offset, std::uint64_t line)
    : input_(std::move(input)),
      name_(input_->name()),
      size_hint_(input_->size_hint()),
      options_(whole.options_),
      delim_(whole.delim_) {
  cap_ = std::max<std::size_t>(options_.buffer_size, 4);
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);  // read(2) fills it: no zeroing
  header_read_ = true;
  header_ = whole.header_;
  header_raw_ = whole.header_raw_;
  consumed_before_buffer_ = offset;
  shared_bytes_ = offset;
  line_ = line;
}

std::unique_ptr<InputStream> CsvReader::TakeRest(std::string* buffered) {
  buffered->assign(buf_.get() + pos_, end_ - pos_);
  block_ = nullptr;
  consumed_before_buffer_ += end_;
  pos_ = end_ = validated_ = 0;
  eof_ = true;
  return std::move(input_);
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
  block_ = nullptr;  // the bytes move
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    consumed_before_buffer_ += pos_;
    end_ -= pos_;
    validated_ -= pos_;
    pos_ = 0;
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
  const std::size_t n = input_->Read(buf_.get() + end_, cap_ - end_);
  if (n == 0) {
    eof_ = true;
    if (validated_ != end_) {
      const char* bad = buf_.get() + validated_;
      const auto lines = static_cast<std::uint64_t>(std::count(static_cast<const char*>(buf_.get() + pos_), bad, '\n'));
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
  if (bad != len) {
    const char* at = buf_.get() + validated_ + bad;
    const auto lines = static_cast<std::uint64_t>(std::count(static_cast<const char*>(buf_.get() + pos_), at, '\n'));
    throw Error::Input(fmt::format("invalid UTF-8 at byte offset {}: the file is not UTF-8 "
                                   "(a Japanese Excel/Salesforce export needs --encoding cp932)",
                                   consumed_before_buffer_ + validated_ + bad),
                       SourceLoc{name(), line_ + lines, 0});
  }
  validated_ = end_ - tail;
  return true;
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
  const char* const e = base + end_;
  if (p == e) return eof_ ? ParseResult::kEnd : ParseResult::kNeedMore;

  // Blank line (LF or CRLF alone): skipped, counted.
  if (*p == '\n' || *p == '\r') {
    if (*p == '\n') {
      ++pos_;
      ++line_;
      return ParseResult::kBlank;
    }
    if (p + 1 == e && !eof_) return ParseResult::kNeedMore;
    if (p + 1 < e && p[1] == '\n') {
      pos_ += 2;
      ++line_;
      return ParseResult::kBlank;
    }
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
        newlines += static_cast<std::uint64_t>(std::count(q, hit, '\n'));
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
      if (*p == '\r') {
        if (p + 1 == e && !eof_) return ParseResult::kNeedMore;
        if (p + 1 == e || p[1] == '\n') {
          rec_end_ = p;
          p += (p + 1 == e) ? 1 : 2;
          newlines += (p[-1] == '\n') ? 1 : 0;
          break;
        }
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
      const char* fe = q;
      if (fe > p && fe[-1] == '\r') --fe;  // a last line ending in CR without LF
      row->fields.emplace_back(p, static_cast<std::size_t>(fe - p));
      rec_end_ = fe;
      p = q;
      break;
    }
    if (*q == delim_) {
      row->fields.emplace_back(p, static_cast<std::size_t>(q - p));
      p = q + 1;
      continue;
    }
    const char* fe = (q > p && q[-1] == '\r') ? q - 1 : q;  // CRLF
    row->fields.emplace_back(p, static_cast<std::size_t>(fe - p));
    rec_end_ = fe;
    p = q + 1;
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
      case ParseResult::kBlank:
        continue;
      case ParseResult::kNeedMore:
        Refill();
        continue;
    }
  }
}

void CsvReader::SniffDelimiter() {
  // Make sure the header line is in the buffer (or the buffer is as full as it gets).
  for (;;) {
    const char* b = buf_.get() + pos_;
    if (std::memchr(b, '\n', end_ - pos_) != nullptr || eof_) break;
    if (end_ - pos_ >= (std::size_t{1} << 20)) break;
    if (!Refill()) break;
  }
  const char* p = buf_.get() + pos_;
  const char* e = buf_.get() + end_;
  std::size_t counts[4] = {0, 0, 0, 0};
  const char candidates[4] = {',', ';', '\t', '|'};
  bool quoted = false;
  for (; p < e; ++p) {
    if (*p == '"') quoted = !quoted;
    if (quoted) continue;
    if (*p == '\n') break;
    for (int i = 0; i < 4; ++i) counts[i] += (*p == candidates[i]) ? 1 : 0;
  }
  int best = 0;
  for (int i = 1; i < 4; ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  delim_ = candidates[best];
  block_ = nullptr;  // masks of the old delimiter
}

const std::vector<std::string>& CsvReader::ReadHeader() {
  if (header_read_) return header_;
  header_read_ = true;
  while (end_ - pos_ < 3 && Refill()) {
  }
  if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  if (options_.auto_delimiter) SniffDelimiter();
  CsvRow row;
  if (!ReadRecord(&row)) {
    throw Error::Input("empty input: a header row is required", {name(), 0, 0});
  }
  header_.assign(row.fields.begin(), row.fields.end());
  header_raw_ = std::string(raw_record());
  return header_;
}

bool CsvReader::Next(CsvRow* row) {
  if (!header_read_) ReadHeader();
  if (!ReadRecord(row)) return false;
  row->number = ++records_;
  return true;
}

SourceLoc CsvReader::LocateIn(const char* p) const {
  std::uint64_t line = rec_line_;
  const char* line_start = rec_begin_;
  for (const char* c = rec_begin_; c < p; ++c) {
    if (*c == '\n') {
      ++line;
      line_start = c + 1;
    }
  }
  std::uint64_t column = 1;
  for (const char* c = line_start; c < p; ++c) {
    if ((static_cast<unsigned char>(*c) & 0xC0) != 0x80) ++column;
  }
  return {name(), line, column};
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
