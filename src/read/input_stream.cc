#include "crmkpi/read/input_stream.h"

#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi {
namespace {

std::string ErrnoText(int err) { return std::generic_category().message(err); }

bool IsUtf16Bom(const char* p, std::size_t n) {
  if (n < 2) return false;
  const auto b0 = static_cast<unsigned char>(p[0]);
  const auto b1 = static_cast<unsigned char>(p[1]);
  return (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF);
}

// A file descriptor read with plain read(2): the caller's buffer is the only buffer, so a large
// Read costs one syscall and no copy.
class FileInput final : public InputStream {
 public:
  // Takes ownership of |fd| unless it is standard input, which main() may still want to inspect.
  FileInput(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
    struct stat st {};
    const bool known = fstat(fd_, &st) == 0;
    if (known && S_ISREG(st.st_mode)) {
      regular_ = true;
      size_hint_ = static_cast<std::int64_t>(st.st_size);
      // Exports are read once front to back; a bigger readahead window is free throughput.
      (void)posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
#ifdef F_SETPIPE_SZ
    if (known && S_ISFIFO(st.st_mode)) {
      // A pipe holds 64 KiB by default: the writer (`cat`, a decompressor) and this process
      // then take turns every 64 KiB, a context switch each. 1 MiB (the unprivileged limit,
      // /proc/sys/fs/pipe-max-size) lets both run ahead; refused is fine, it is only speed.
      (void)fcntl(fd_, F_SETPIPE_SZ, 1 << 20);
    }
#endif
  }
  ~FileInput() override {
    if (fd_ != STDIN_FILENO) close(fd_);
  }
  FileInput(const FileInput&) = delete;
  FileInput& operator=(const FileInput&) = delete;

  std::size_t Read(char* buf, std::size_t n) override {
    if (peek_pos_ < peek_.size()) {
      // Hand back peeked bytes alone: a short read is allowed and keeps this path trivial.
      const std::size_t k = std::min(n, peek_.size() - peek_pos_);
      std::memcpy(buf, peek_.data() + peek_pos_, k);
      peek_pos_ += k;
      if (peek_pos_ == peek_.size()) {
        std::string().swap(peek_);
        peek_pos_ = 0;
      }
      return k;
    }
    return ReadFd(buf, n);
  }

  // Keeps every byte read from now on, until Rewind(): then reads return them again before
  // reading on (a stream that cannot be opened twice, read ahead for its header).
  void Record() { recording_ = true; }
  void Rewind() {
    recording_ = false;
    kept_pos_ = 0;
    peek_.clear();  // the peeked bytes are in kept_ too
    peek_pos_ = 0;
  }

  // Reads up to |n| bytes (from the start: nothing may have been read yet) that later Reads
  // return again. Works on pipes and terminals, where there is no seeking back; loops because a
  // pipe may deliver a byte at a time. *eof = the input ended within them.
  std::string_view Peek(std::size_t n, bool* eof = nullptr) {
    bool ended = false;
    while (peek_.size() < n) {
      const std::size_t have = peek_.size();
      peek_.resize(n);
      const std::size_t got = ReadFd(peek_.data() + have, n - have);
      peek_.resize(have + got);
      if (got == 0) {
        ended = true;
        break;
      }
    }
    if (eof != nullptr) *eof = ended;
    return peek_;
  }

  // |n| bytes of a regular file from |offset| (fewer at its end), without moving the stream.
  std::string ReadAt(std::uint64_t offset, std::size_t n) const {
    std::string out(n, '\0');
    std::size_t have = 0;
    while (have < n) {
      const ssize_t got = pread(fd_, out.data() + have, n - have,
                                static_cast<off_t>(offset + have));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      have += static_cast<std::size_t>(got);
    }
    out.resize(have);
    return out;
  }

  const std::string& name() const override { return name_; }
  std::int64_t size_hint() const override { return size_hint_; }
  bool regular_file() const override { return regular_; }

 private:
  std::size_t ReadFd(char* buf, std::size_t n) {
    if (n == 0) return 0;
    if (kept_pos_ < kept_.size()) {
      const std::size_t k = std::min(n, kept_.size() - kept_pos_);
      std::memcpy(buf, kept_.data() + kept_pos_, k);
      kept_pos_ += k;
      if (kept_pos_ == kept_.size() && !recording_) {
        std::string().swap(kept_);  // replayed in full: free it
        kept_pos_ = 0;
      }
      return k;
    }
    const std::size_t got = ReadRaw(buf, n);
    if (recording_) {
      kept_.append(buf, got);
      kept_pos_ = kept_.size();
    }
    return got;
  }

  std::size_t ReadRaw(char* buf, std::size_t n) {
    // Linux caps a single read at ~2 GiB anyway; clamping keeps the ssize_t result meaningful.
    n = std::min<std::size_t>(n, INT_MAX);
    for (;;) {
      const ssize_t got = read(fd_, buf, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        // stdin inherited in non-blocking mode (some process launchers do this): wait, don't fail.
        pollfd pfd{fd_, POLLIN, 0};
        (void)poll(&pfd, 1, -1);
        continue;
      }
      throw Error::Input(fmt::format("cannot read: {}", ErrnoText(err)), {name_});
    }
  }

  int fd_;
  std::string name_;
  std::int64_t size_hint_ = -1;
  bool regular_ = false;
  std::string peek_;  // bytes read ahead by Peek, returned by the next Reads
  std::size_t peek_pos_ = 0;
  bool recording_ = false;
  std::string kept_;          // bytes read while recording, returned again after Rewind()
  std::size_t kept_pos_ = 0;  // next byte of kept_ to return
};

// A FileInput shared with the registry below, so that a stream read ahead for its header
// stays open (a FIFO's writer must not see its reader go away) until it is opened again.
class SharedFileInput final : public InputStream {
 public:
  explicit SharedFileInput(std::shared_ptr<FileInput> file) : file_(std::move(file)) {}
  std::size_t Read(char* buf, std::size_t n) override { return file_->Read(buf, n); }
  const std::string& name() const override { return file_->name(); }
  std::int64_t size_hint() const override { return file_->size_hint(); }
  bool regular_file() const override { return file_->regular_file(); }

 private:
  std::shared_ptr<FileInput> file_;
};

// Paths whose next OpenInput is recorded (RecordInput), and streams recorded and rewound,
// waiting for their next OpenInput.
struct Replays {
  std::vector<std::string> to_record;
  std::vector<std::pair<std::string, std::shared_ptr<FileInput>>> recording, parked;
};
Replays& TheReplays() {
  static Replays replays;
  return replays;
}

// Bytes [begin, end) of a regular file, read with pread(2) through its own descriptor, so that
// each thread of the parallel pass reads its chunk independently (see parallel_scan.h).
class FileRangeInput final : public InputStream {
 public:
  FileRangeInput(int fd, std::string name, std::uint64_t begin, std::uint64_t end,
                 std::int64_t file_size)
      : fd_(fd), name_(std::move(name)), pos_(begin), end_(end), file_size_(file_size) {
    (void)posix_fadvise(fd_, static_cast<off_t>(begin), static_cast<off_t>(end - begin),
                        POSIX_FADV_SEQUENTIAL);
  }
  ~FileRangeInput() override { close(fd_); }
  FileRangeInput(const FileRangeInput&) = delete;
  FileRangeInput& operator=(const FileRangeInput&) = delete;

  std::size_t Read(char* buf, std::size_t n) override {
    n = static_cast<std::size_t>(std::min<std::uint64_t>({n, end_ - pos_, INT_MAX}));
    while (n > 0) {
      const ssize_t got = pread(fd_, buf, n, static_cast<off_t>(pos_));
      if (got > 0) {
        pos_ += static_cast<std::uint64_t>(got);
        return static_cast<std::size_t>(got);
      }
      if (got == 0) {  // the file shrank while being read
        throw Error::Input(
            fmt::format("cannot read: the file ended at byte {}; was it changed while being read?",
                        pos_),
            {name_});
      }
      if (errno != EINTR) {
        throw Error::Input(fmt::format("cannot read: {}", ErrnoText(errno)), {name_});
      }
    }
    return 0;
  }
  const std::string& name() const override { return name_; }
  std::int64_t size_hint() const override { return file_size_; }

 private:
  int fd_;
  std::string name_;
  std::uint64_t pos_, end_;
  std::int64_t file_size_;
};

class MemoryStream final : public InputStream {
 public:
  MemoryStream(std::string data, std::size_t max_chunk, std::string name)
      : data_(std::move(data)), max_chunk_(std::max<std::size_t>(max_chunk, 1)),
        name_(std::move(name)) {}

  std::size_t Read(char* buf, std::size_t n) override {
    const std::size_t k = std::min({n, max_chunk_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  const std::string& name() const override { return name_; }
  std::int64_t size_hint() const override { return static_cast<std::int64_t>(data_.size()); }

 private:
  std::string data_;
  std::size_t pos_ = 0;
  std::size_t max_chunk_;
  std::string name_;
};

// Streams |raw| through iconv into the caller's buffer. Input is staged in a fixed buffer; a
// multibyte sequence split by a raw read stays at the front of it until the next refill, so memory
// is bounded whatever the file size.
//
// An invalid byte sequence is reported only after every byte before it has been returned: a
// Read that converts some text and then meets one returns that text, and the next Read throws
// (and so does every later one). A reader therefore meets a malformed record before the
// sequence as it would in a UTF-8 file, whatever the buffer sizes, and the parallel pass over
// the stream, which cuts blocks from the same bytes, reports the same first error.
class TranscodingInput final : public InputStream {
 public:
  TranscodingInput(std::unique_ptr<InputStream> raw, Encoding encoding)
      : raw_(std::move(raw)), encoding_(std::move(encoding)), in_(kInputBufferSize) {
    // UTF-16 picks its iconv decoder only after seeing the first two bytes (BOM or not).
    if (!encoding_.is_utf16()) OpenConverter(encoding_.iconv_name().c_str());
  }
  ~TranscodingInput() override {
    if (cd_ != kNoConverter) iconv_close(cd_);
  }
  TranscodingInput(const TranscodingInput&) = delete;
  TranscodingInput& operator=(const TranscodingInput&) = delete;

  std::size_t Read(char* buf, std::size_t n) override {
    if (n == 0) return 0;
    if (stage_pos_ < stage_len_) {
      const std::size_t k = std::min(n, stage_len_ - stage_pos_);
      std::memcpy(buf, stage_ + stage_pos_, k);
      stage_pos_ += k;
      return k;
    }
    if (n >= sizeof stage_) return Convert(buf, n);
    // One UTF-8 character may need 4 bytes, more than a tiny caller buffer holds; convert into
    // the stage instead so that every Read makes progress.
    stage_len_ = Convert(stage_, sizeof stage_);
    stage_pos_ = 0;
    if (stage_len_ == 0) return 0;
    return Read(buf, n);  // served from the stage: no further recursion
  }

  const std::string& name() const override { return raw_->name(); }
  std::int64_t size_hint() const override { return raw_->size_hint(); }
  bool regular_file() const override { return raw_->regular_file(); }

 private:
  static constexpr std::size_t kInputBufferSize = 256 * 1024;
  // iconv_open's failure value, also used for "decoder not chosen yet".
  static inline const iconv_t kNoConverter = reinterpret_cast<iconv_t>(-1);

  void OpenConverter(const char* from) {
    cd_ = iconv_open("UTF-8", from);
    if (cd_ == kNoConverter) {
      throw Error::Input(fmt::format("cannot convert from {}: {}", from, ErrnoText(errno)),
                         {raw_->name()});
    }
  }

  // Fills |out| (cap >= 4) with at least one converted byte; returns 0 only at end of input.
  std::size_t Convert(char* out, std::size_t cap) {
    if (failed_) throw *failed_;
    char* outp = out;
    std::size_t out_left = cap;
    for (;;) {
      if (in_begin_ < in_end_ && cd_ != kNoConverter) {
        char* inp = in_.data() + in_begin_;
        std::size_t in_left = in_end_ - in_begin_;
        const std::size_t rc = iconv(cd_, &inp, &in_left, &outp, &out_left);
        const int err = errno;
        const auto consumed = static_cast<std::size_t>(inp - (in_.data() + in_begin_));
        in_begin_ += consumed;
        source_offset_ += consumed;
        if (rc == static_cast<std::size_t>(-1)) {
          if (err == E2BIG) break;
          if (err == EILSEQ) {
            // Located after the text converted before it; thrown once that text is returned.
            CountLines(out, outp);
            failed_ = Error::Input(
                fmt::format("invalid {} byte sequence at byte offset {}{}", DisplayEncoding(),
                            source_offset_, WrongEncodingHint()),
                {raw_->name(), lines_ + 1, column_ + 1});
            if (outp == out) throw *failed_;
            return static_cast<std::size_t>(outp - out);
          }
          if (err != EINVAL) {
            throw Error::Input(fmt::format("conversion from {} failed: {}",
                                           DisplayEncoding(), ErrnoText(err)),
                               {raw_->name()});
          }
          // EINVAL: the buffer ends inside a sequence; its bytes wait for the refill below.
        }
      }
      // Hand over what is converted rather than block on the source (matters for pipes).
      if (outp != out) break;
      if (raw_eof_) {
        if (in_begin_ < in_end_) {
          Fail(fmt::format("truncated {} byte sequence at end of input (byte offset {})",
                           DisplayEncoding(), source_offset_));
        }
        if (cd_ != kNoConverter && !flushed_) {
          flushed_ = true;
          iconv(cd_, nullptr, nullptr, &outp, &out_left);  // emit any shift-state reset
        }
        break;
      }
      Refill();
    }
    CountLines(out, outp);
    return static_cast<std::size_t>(outp - out);
  }

  void Refill() {
    // Only a partial sequence (< 4 bytes) can be left over, so the move is cheap.
    std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
    const std::size_t got = raw_->Read(in_.data() + in_end_, in_.size() - in_end_);
    if (got == 0) {
      raw_eof_ = true;
    } else {
      in_end_ += got;
    }
    if (cd_ == kNoConverter && (in_end_ >= 2 || raw_eof_)) {
      // glibc's "UTF-16" consumes a BOM and honours its byte order, but assumes big-endian
      // without one; Windows tools write little-endian, so that is the BOM-less default.
      OpenConverter(IsUtf16Bom(in_.data(), in_end_) ? "UTF-16" : "UTF-16LE");
    }
  }

  // Counts lines and the characters after the last line break (the column of a bad byte).
  void CountLines(const char* begin, const char* end) {
    const auto* last = static_cast<const char*>(
        begin == end ? nullptr : memrchr(begin, '\n', static_cast<std::size_t>(end - begin)));
    if (last != nullptr) {
      lines_ += static_cast<std::uint64_t>(std::count(begin, last + 1, '\n'));
      column_ = 0;
      begin = last + 1;
    }
    for (const char* c = begin; c < end; ++c) {
      if ((static_cast<unsigned char>(*c) & 0xC0) != 0x80) ++column_;
    }
  }

  std::string DisplayEncoding() const { return EncodingName(encoding_); }

  std::string WrongEncodingHint() const {
    return fmt::format(
        " (the input is read as {}{}): is it in another encoding? Name it with --encoding "
        "(windows-1252, euc-jp, cp932, utf-8, …; `iconv -l` lists every name)",
        DisplayEncoding(), encoding_.detected() ? ", detected from its first bytes" : "");
  }

  // The line is 1-based and counted in the converted text, which is what an editor shows.
  [[noreturn]] void Fail(std::string message) const {
    throw Error::Input(std::move(message), {raw_->name(), lines_ + 1, 0});
  }

  std::unique_ptr<InputStream> raw_;
  Encoding encoding_;
  iconv_t cd_ = kNoConverter;
  std::vector<char> in_;
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  bool raw_eof_ = false;
  bool flushed_ = false;
  std::uint64_t source_offset_ = 0;  // source bytes consumed before in_[in_begin_]
  std::uint64_t lines_ = 0;          // '\n' in the UTF-8 produced so far
  std::uint64_t column_ = 0;         // characters produced after the last '\n'
  std::optional<Error> failed_;      // an invalid sequence met: every later Read throws it
  char stage_[16];
  std::size_t stage_len_ = 0;
  std::size_t stage_pos_ = 0;
};

// The bytes DetectEncoding judges: the input's first 64 KiB and, for a regular file, 15 more
// blocks of 64 KiB spread evenly through it (1 MiB at most, read with pread: the stream does
// not move). Each block is cut to whole lines, so that no character is cut in two.
Encoding Detect(FileInput& file) {
  constexpr std::size_t kBlock = 64 * 1024;
  constexpr int kFurther = 15;
  bool eof = false;
  const std::string_view head = file.Peek(kBlock, &eof);
  const bool whole = eof || (file.regular_file() && file.size_hint() >= 0 &&
                             static_cast<std::uint64_t>(file.size_hint()) <= head.size());
  std::vector<std::string> further;
  std::vector<std::string_view> samples;
  auto whole_lines = [](std::string_view b, bool from_start) {
    if (!from_start) {
      const std::size_t nl = b.find('\n');
      b = nl == std::string_view::npos ? std::string_view() : b.substr(nl + 1);
    }
    const std::size_t last = b.rfind('\n');
    return last == std::string_view::npos ? b : b.substr(0, last + 1);
  };
  samples.push_back(whole ? head : whole_lines(head, true));
  if (!whole && file.regular_file() && file.size_hint() > 0) {
    const auto size = static_cast<std::uint64_t>(file.size_hint());
    if (size > kBlock) {
      further.reserve(kFurther);
      for (int i = 1; i <= kFurther; ++i) {
        const std::uint64_t at = kBlock + (size - kBlock) * static_cast<std::uint64_t>(i - 1) /
                                              kFurther;
        further.push_back(file.ReadAt(at, kBlock));
        samples.push_back(whole_lines(further.back(), false));
      }
    }
  }
  return DetectEncoding(samples);
}

}  // namespace

std::unique_ptr<InputStream> OpenInput(const std::string& path, Encoding encoding,
                                       Encoding* used) {
  Replays& replays = TheReplays();
  std::shared_ptr<FileInput> file;
  for (auto it = replays.parked.begin(); it != replays.parked.end(); ++it) {
    if (it->first == path) {
      file = std::move(it->second);
      replays.parked.erase(it);
      break;
    }
  }
  if (file) {
    // read ahead and rewound: the same stream again
  } else if (path == "-") {
    file = std::make_shared<FileInput>(STDIN_FILENO, "<stdin>");
  } else {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error::Input(fmt::format("cannot open: {}", ErrnoText(errno)), {path});
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      close(fd);
      throw Error::Input("is a directory, not a CSV file; name a file in it", {path});
    }
    file = std::make_shared<FileInput>(fd, path);
  }
  const auto record = std::find(replays.to_record.begin(), replays.to_record.end(), path);
  if (record != replays.to_record.end()) {
    replays.to_record.erase(record);
    // A regular file is simply opened again; standard input is one descriptor, whatever it is.
    if (path == "-" || !file->regular_file()) {
      file->Record();
      replays.recording.emplace_back(path, file);
    }
  }
  // FF FE / FE FF cannot start valid UTF-8 or CP932 text, so a UTF-16 BOM overrides |encoding|.
  // Likewise a UTF-8 BOM: EF BB BF is valid CP932, so reading a BOM'd UTF-8 export as CP932
  // would turn every non-ASCII character into silent mojibake instead of an error.
  const std::string_view head = file->Peek(3);
  if (IsUtf16Bom(head.data(), head.size())) {
    encoding = encoding.is_auto() ? Encoding::kUtf16.Detected() : Encoding::kUtf16;
  } else if (head.size() == 3 && head == "\xEF\xBB\xBF") {
    encoding = encoding.is_auto() ? Encoding::kUtf8.Detected() : Encoding::kUtf8;
  } else if (encoding.is_auto()) {
    encoding = Detect(*file);
  }
  if (used != nullptr) *used = encoding;
  return TranscodeToUtf8(std::make_unique<SharedFileInput>(std::move(file)), encoding);
}

void RecordInput(const std::string& path) { TheReplays().to_record.push_back(path); }

void RewindInput(const std::string& path) {
  Replays& replays = TheReplays();
  std::erase(replays.to_record, path);
  for (auto it = replays.recording.begin(); it != replays.recording.end(); ++it) {
    if (it->first == path) {
      it->second->Rewind();
      replays.parked.push_back(std::move(*it));
      replays.recording.erase(it);
      return;
    }
  }
}

std::unique_ptr<InputStream> OpenFileRange(const std::string& path, std::uint64_t begin,
                                           std::uint64_t end) {
  // O_NONBLOCK: should |path| have been replaced by a FIFO, open must not wait for a writer
  // (reads of a regular file ignore the flag).
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error::Input(fmt::format("cannot open: {}", ErrnoText(errno)), {path});
  struct stat st;
  const std::int64_t size = fstat(fd, &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
  return std::make_unique<FileRangeInput>(fd, path, begin, std::max(begin, end), size);
}

std::unique_ptr<InputStream> TranscodeToUtf8(std::unique_ptr<InputStream> raw, Encoding encoding) {
  if (encoding.is_utf8() || encoding.is_auto()) return raw;
  return std::make_unique<TranscodingInput>(std::move(raw), encoding);
}

std::unique_ptr<InputStream> MemoryInput(std::string data, std::size_t max_chunk,
                                         std::string name) {
  return std::make_unique<MemoryStream>(std::move(data), max_chunk, std::move(name));
}

std::unique_ptr<InputStream> OpenDefinedInput(const std::string& path, Encoding encoding,
                                              Encoding* used, const SourceLoc& file_loc,
                                              const std::string& what) {
  try {
    return OpenInput(path, encoding, used);
  } catch (const Error& e) {
    if (file_loc.line == 0 || e.loc().line != 0) throw;  // no INI line, or a line of the file
    throw Error(e.code(), fmt::format("{}: {}", what, e.Formatted()), file_loc);
  }
}

}  // namespace crmkpi
