#include "crmkpi/read/parallel_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CRMKPI_X86 1
#endif

#include "crmkpi/base/error.h"
#include "crmkpi/base/large_alloc.h"

namespace crmkpi {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

#ifdef CRMKPI_X86
// Line breaks: every LF, and every CR not followed by LF (a classic Mac line end; CRLF counts
// once, at its LF). The CR test loads the vector one byte further on, so the loops stop one
// byte before the end and the scalar tail (which knows |after|) finishes.
__attribute__((target("avx2,popcnt"))) void CountAvx2(const char* p, std::size_t n,
                                                     std::uint64_t* quotes,
                                                     std::uint64_t* newlines, int after) {
  const __m256i vq = _mm256_set1_epi8('"');
  const __m256i vn = _mm256_set1_epi8('\n');
  const __m256i vr = _mm256_set1_epi8('\r');
  std::uint64_t q = 0, nl = 0;
  std::size_t i = 0;
  for (; i + 33 <= n; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 1));
    q += static_cast<std::uint64_t>(
        _mm_popcnt_u32(static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vq)))));
    nl += static_cast<std::uint64_t>(
        _mm_popcnt_u32(static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vn)))));
    const auto cr = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vr)));
    if (cr != 0) {
      const auto lf_next =
          static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(next, vn)));
      nl += static_cast<std::uint64_t>(_mm_popcnt_u32(cr & ~lf_next));
    }
  }
  *quotes += q;
  *newlines += nl;
  CountQuotesAndNewlinesScalar(p + i, n - i, quotes, newlines, after);
}

void CountSse2(const char* p, std::size_t n, std::uint64_t* quotes, std::uint64_t* newlines,
               int after) {
  const __m128i vq = _mm_set1_epi8('"');
  const __m128i vn = _mm_set1_epi8('\n');
  const __m128i vr = _mm_set1_epi8('\r');
  std::uint64_t q = 0, nl = 0;
  std::size_t i = 0;
  for (; i + 17 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    q += static_cast<std::uint64_t>(
        __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)))));
    nl += static_cast<std::uint64_t>(
        __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn)))));
    const auto cr = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vr)));
    if (cr != 0) {
      const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
      const auto lf_next = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(next, vn)));
      nl += static_cast<std::uint64_t>(__builtin_popcount(cr & ~lf_next));
    }
  }
  *quotes += q;
  *newlines += nl;
  CountQuotesAndNewlinesScalar(p + i, n - i, quotes, newlines, after);
}

using CountFn = void (*)(const char*, std::size_t, std::uint64_t*, std::uint64_t*, int);
CountFn ChooseCount() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return CountAvx2;
  return CountSse2;
}
#endif

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// A read-only descriptor of the file, closed on destruction.
class File {
 public:
  explicit File(const std::string& path) : path_(path) {
    // O_NONBLOCK: a path replaced by a FIFO since it was read must not block here; Size()
    // then says it is not a regular file (reads of a regular file ignore the flag).
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw Error::Input(fmt::format("cannot open: {}", ErrnoText(errno)), {path});
  }
  ~File() { close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Reads up to |n| bytes at |offset|; fewer only at the end of the file.
  std::size_t ReadAt(char* buf, std::size_t n, std::uint64_t offset) const {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = pread(fd_, buf + done, n - done, static_cast<off_t>(offset + done));
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        throw Error::Input(fmt::format("cannot read: {}", ErrnoText(errno)), {path_});
      }
      done += static_cast<std::size_t>(got);
    }
    return done;
  }
  std::int64_t Size() const {
    struct stat st;
    if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    return static_cast<std::int64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_ = -1;
};

struct Counts {
  std::uint64_t quotes = 0, newlines = 0;
};

// Quotes and line breaks in [begin, end). Each block is read with the byte after it, which
// decides whether a CR in its last byte is a line break of its own or the first half of a CRLF.
Counts CountRange(const File& file, std::uint64_t begin, std::uint64_t end) {
  Counts c;
  std::unique_ptr<char[]> block(new char[kBlockBytes + 1]);
  for (std::uint64_t at = begin; at < end;) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockBytes, end - at));
    const std::size_t got = file.ReadAt(block.get(), want + 1, at);
    if (got == 0) break;
    const std::size_t n = std::min(got, want);
    const int after = got > n ? static_cast<unsigned char>(block[n]) : kNoByte;
    CountQuotesAndNewlines(block.get(), n, &c.quotes, &c.newlines, after);
    at += n;
  }
  return c;
}

// Bytes read from a stream: grown without zero-filling (read(2) fills them), from
// LargeAllocator so that a freed block's pages go back to the system.
class ByteBuffer {
 public:
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return data_.get_deleter().count; }  // the array's length
  // Room for |n| bytes, keeping the contents.
  void Reserve(std::size_t n) {
    if (n <= capacity()) return;
    LargeArray<char> bigger = MakeLargeArray<char>(n);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
  }
  void Resize(std::size_t n) {  // n <= capacity(); new bytes are not initialised
    size_ = n;
  }
  void Assign(const char* p, std::size_t n) {
    Reserve(n);
    if (n > 0) std::memcpy(data_.get(), p, n);
    size_ = n;
  }

 private:
  LargeArray<char> data_;
  std::size_t size_ = 0;
};

// Buffers of blocks already merged, handed back for the next blocks: a stream's blocks then
// cost no allocation, page faults or zero-filling after the first few.
class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  std::unique_ptr<ByteBuffer> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<ByteBuffer>();
    std::unique_ptr<ByteBuffer> b = std::move(free_.back());
    free_.pop_back();
    b->Resize(0);
    return b;
  }
  // Shares |b|; its last holder hands it back here (kept at most kKeep: the rest are freed).
  std::shared_ptr<const ByteBuffer> Share(std::unique_ptr<ByteBuffer> b) {
    std::weak_ptr<BufferPool> pool = weak_from_this();
    return std::shared_ptr<const ByteBuffer>(b.release(), [pool](const ByteBuffer* p) {
      std::unique_ptr<ByteBuffer> owned(const_cast<ByteBuffer*>(p));
      if (std::shared_ptr<BufferPool> alive = pool.lock()) alive->Give(std::move(owned));
    });
  }

 private:
  static constexpr std::size_t kKeep = 16;
  void Give(std::unique_ptr<ByteBuffer> b) {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < kKeep) free_.push_back(std::move(b));
  }
  std::mutex mu_;
  std::vector<std::unique_ptr<ByteBuffer>> free_;
};

// Bytes of some blocks held in memory, then (optionally) the rest of a stream: what the serial
// pass reads after a failed block of the parallel pass over a stream.
// The end of a stream whose read failed while it was being cut into blocks: every Read throws
// that failure again, so the serial read of the rest meets it after the same bytes.
class FailedInput final : public InputStream {
 public:
  FailedInput(std::string name, std::int64_t size_hint, std::exception_ptr error)
      : name_(std::move(name)), size_hint_(size_hint), error_(std::move(error)) {}
  std::size_t Read(char*, std::size_t) override { std::rethrow_exception(error_); }
  const std::string& name() const override { return name_; }
  std::int64_t size_hint() const override { return size_hint_; }

 private:
  std::string name_;
  std::int64_t size_hint_;
  std::exception_ptr error_;
};

class BlocksInput final : public InputStream {
 public:
  BlocksInput(std::string name, std::int64_t size_hint,
              std::vector<std::shared_ptr<const ByteBuffer>> blocks,
              std::unique_ptr<InputStream> rest)
      : name_(std::move(name)),
        size_hint_(size_hint),
        blocks_(std::move(blocks)),
        rest_(std::move(rest)) {}

  std::size_t Read(char* buf, std::size_t n) override {
    while (next_ < blocks_.size()) {
      const ByteBuffer& b = *blocks_[next_];
      if (pos_ < b.size()) {
        const std::size_t k = std::min(n, b.size() - pos_);
        std::memcpy(buf, b.data() + pos_, k);
        pos_ += k;
        return k;
      }
      blocks_[next_++].reset();
      pos_ = 0;
    }
    return rest_ ? rest_->Read(buf, n) : 0;
  }
  const std::string& name() const override { return name_; }
  std::int64_t size_hint() const override { return size_hint_; }

 private:
  std::string name_;
  std::int64_t size_hint_;
  std::vector<std::shared_ptr<const ByteBuffer>> blocks_;
  std::size_t next_ = 0, pos_ = 0;
  std::unique_ptr<InputStream> rest_;
};

// Cuts a stream into blocks of whole records (see ScanStream). A block is the buffer it was
// read into (no copy): only the partial record after the cut moves to the next buffer.
class BlockCutter {
 public:
  BlockCutter(std::unique_ptr<InputStream> input, const std::string& buffered,
              std::size_t block_bytes, std::uint64_t offset, std::uint64_t line)
      : input_(std::move(input)),
        pool_(std::make_shared<BufferPool>()),
        pending_(pool_->Take()),
        block_bytes_(std::max<std::size_t>(block_bytes, 1)),
        offset_(offset),
        line_(line) {
    pending_->Assign(buffered.data(), buffered.size());
  }

  struct Block {
    std::shared_ptr<const ByteBuffer> bytes;
    std::uint64_t offset = 0, line = 1;
    bool last = false;         // ends where the input does
    bool after_blank = false;  // the line before it is blank
  };

  // The next block, or false at the end of the input.
  bool Next(Block* block) {
    std::size_t cut = 0;
    std::uint64_t newlines = 0;  // in the block
    std::size_t want = block_bytes_;
    bool last = false;
    for (;;) {
      Fill(want);
      if (pending_->size() == 0) return false;
      if (eof_ && pending_->size() <= want) {
        cut = pending_->size();  // the last block: whatever is left
        last = true;
        std::uint64_t quotes = 0;
        CountQuotesAndNewlines(pending_->data(), cut, &quotes, &newlines);
        break;
      }
      cut = LastBoundary(std::min(want, pending_->size()), &newlines);
      if (cut > 0) break;
      want *= 2;  // one record longer than a block: read on
    }
    std::unique_ptr<ByteBuffer> next = pool_->Take();
    next->Assign(pending_->data() + cut, pending_->size() - cut);
    pending_->Resize(cut);
    block->offset = offset_;
    block->line = line_;
    block->last = last;
    block->after_blank = after_blank_;
    after_blank_ = ChunkAfterBlank(std::string_view(pending_->data(), cut), true);
    block->bytes = pool_->Share(std::move(pending_));
    pending_ = std::move(next);
    offset_ += cut;
    line_ += newlines;
    return true;
  }

  // Where the bytes not yet cut start in the input.
  std::uint64_t offset() const { return offset_; }
  std::uint64_t line() const { return line_; }
  bool after_blank() const { return after_blank_; }

  // What has not been cut into blocks: the pending bytes and the stream.
  std::unique_ptr<InputStream> TakeRest(std::shared_ptr<const ByteBuffer>* pending) {
    *pending = pool_->Share(std::move(pending_));
    pending_ = pool_->Take();
    return std::move(input_);
  }

 private:
  void Fill(std::size_t want) {
    if (eof_ || pending_->size() >= want) return;
    std::size_t have = pending_->size();
    pending_->Reserve(want);
    try {
      while (have < want) {
        const std::size_t got = input_->Read(pending_->data() + have, want - have);
        if (got == 0) {
          eof_ = true;
          break;
        }
        have += got;
      }
    } catch (...) {
      pending_->Resize(have);  // the bytes before the failure stay pending (TakeRest)
      throw;
    }
    pending_->Resize(have);
  }

  // One past the last line break (an LF, or a CR not followed by an LF) in the first |limit|
  // bytes of pending_ after which the quote count (from the block's start, where no quote is
  // open) is even; 0 when there is none. A CR in the last pending byte, whose follower is not
  // read yet, is no boundary. |newlines| receives the line breaks before that point.
  std::size_t LastBoundary(std::size_t limit, std::uint64_t* newlines) const {
    const char* p = pending_->data();
    const int after = limit < pending_->size() ? static_cast<unsigned char>(p[limit]) : kNoByte;
    const bool follower_known = limit < pending_->size() || eof_;
    std::uint64_t quotes = 0, lines = 0;
    CountQuotesAndNewlines(p, limit, &quotes, &lines, after);
    // Walk back; |quotes| and |lines| count [0, k + 1) on entry, decided as above.
    for (std::size_t k = limit; k-- > 0;) {
      const char c = p[k];
      if (c == '"') {
        --quotes;
        continue;
      }
      if (c != '\n' && c != '\r') continue;
      const int next = k + 1 < limit ? static_cast<unsigned char>(p[k + 1]) : after;
      if (c == '\r' && next == '\n') continue;  // the LF after it is the break
      --lines;  // now [0, k)
      if ((quotes & 1) != 0) continue;
      if (c == '\r' && k + 1 == limit && !follower_known) continue;
      *newlines = lines + 1;  // [0, k] holds the break at k too
      return k + 1;
    }
    return 0;
  }

  std::unique_ptr<InputStream> input_;
  std::shared_ptr<BufferPool> pool_;
  std::unique_ptr<ByteBuffer> pending_;
  std::size_t block_bytes_;
  std::uint64_t offset_, line_;
  bool after_blank_ = false;  // the next block's: its first line follows a blank one
  bool eof_ = false;
};

}  // namespace

std::unique_ptr<CsvReader> ScanStreamTasks(CsvReader& header, const ParallelOptions& options,
                                           const StreamTasks& tasks) {
  const unsigned threads = ResolveThreads(options.threads);
  const std::string name = header.name();
  const std::int64_t size_hint = header.size_hint();
  const std::uint64_t offset = header.bytes_consumed();
  const std::uint64_t line = header.next_line();
  std::string buffered;
  std::unique_ptr<InputStream> input = header.TakeRest(&buffered);
  BlockCutter cutter(std::move(input), buffered,
                     static_cast<std::size_t>(std::max<std::uint64_t>(options.min_chunk_bytes / 4, 1)),
                     offset, line);

  // Blocks from the first not yet merged; their parts' handles and states.
  enum class State { kRunning, kDone, kFailed };
  std::vector<BlockCutter::Block> blocks;
  std::vector<State> states;
  std::size_t first = 0;  // the block index of blocks[0]
  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::pair<std::size_t, void*>> queue;  // blocks waiting for a thread
  bool closing = false;
  SharedProgress shared;

  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (;;) {
        std::pair<std::size_t, void*> task;
        BlockCutter::Block block;
        {
          std::unique_lock<std::mutex> lock(mu);
          changed.wait(lock, [&] { return closing || !queue.empty(); });
          if (queue.empty()) return;
          task = queue.front();
          queue.pop_front();
          block = blocks[task.first - first];
        }
        bool ok = true;
        try {
          CsvReader reader(std::make_unique<BlocksInput>(
                               name, size_hint,
                               std::vector<std::shared_ptr<const ByteBuffer>>{block.bytes},
                               nullptr),
                           header, block.offset, block.line,
                           block.last ? CsvReader::ChunkEnd::kAtEnd
                                      : CsvReader::ChunkEnd::kBeforeEnd,
                           block.after_blank);
          reader.set_shared_progress(&shared);
          tasks.scan(task.second, reader);
        } catch (...) {
          ok = false;
        }
        std::lock_guard<std::mutex> lock(mu);
        states[task.first - first] = ok ? State::kDone : State::kFailed;
        changed.notify_all();
      }
    });
  }
  auto stop = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      closing = true;
      queue.clear();
    }
    changed.notify_all();
    for (std::thread& t : pool) t.join();
  };

  std::unique_ptr<Progress> progress;
  if (ProgressWanted()) progress = std::make_unique<Progress>(name, size_hint);
  std::size_t next = 0;  // blocks cut so far
  bool at_end = false;
  std::optional<std::size_t> failed;
  std::exception_ptr cut_error;
  try {
    for (;;) {
      // Keep every thread busy, with one block ready besides.
      while (!at_end && next - first < threads + 1) {
        BlockCutter::Block b;
        bool got = false;
        try {
          got = cutter.Next(&b);
        } catch (const Error&) {
          // The input failed (an invalid CP932 sequence, a read error): the blocks cut before
          // it are read and merged, and what follows them is read serially, so that an error
          // in those earlier bytes is still reported first, as a serial pass reports it.
          cut_error = std::current_exception();
        }
        if (!got) {
          at_end = true;
          break;
        }
        void* handle = tasks.begin(next);
        std::lock_guard<std::mutex> lock(mu);
        blocks.push_back(std::move(b));
        states.push_back(State::kRunning);
        queue.emplace_back(next, handle);
        ++next;
        changed.notify_all();
      }
      if (first == next) break;  // everything merged
      State s;
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait_for(lock, std::chrono::milliseconds(100),
                         [&] { return states.front() != State::kRunning; });
        s = states.front();
      }
      if (progress) progress->Update(shared.bytes.load(), shared.records.load());
      if (s == State::kRunning) continue;
      if (s == State::kFailed || !tasks.merge(first)) {
        failed = first;
        break;
      }
      std::lock_guard<std::mutex> lock(mu);
      blocks.erase(blocks.begin());
      states.erase(states.begin());
      ++first;
    }
  } catch (...) {
    stop();  // a failed merge (or allocation): the threads end, the error goes to the caller
    throw;
  }
  stop();
  if (!failed && !cut_error) return nullptr;

  // Serially from the failed block: its bytes and the later blocks', then the rest (from where
  // cutting stopped, when every block merged).
  for (std::size_t i = first; i < next; ++i) tasks.discard(i);
  const std::uint64_t rest_offset = blocks.empty() ? cutter.offset() : blocks.front().offset;
  const std::uint64_t rest_line = blocks.empty() ? cutter.line() : blocks.front().line;
  const bool rest_after_blank =
      blocks.empty() ? cutter.after_blank() : blocks.front().after_blank;
  std::vector<std::shared_ptr<const ByteBuffer>> rest_blocks;
  for (const BlockCutter::Block& b : blocks) rest_blocks.push_back(b.bytes);
  std::shared_ptr<const ByteBuffer> pending;
  std::unique_ptr<InputStream> rest = cutter.TakeRest(&pending);
  rest_blocks.push_back(std::move(pending));
  if (cut_error) rest = std::make_unique<FailedInput>(name, size_hint, cut_error);
  return std::make_unique<CsvReader>(
      std::make_unique<BlocksInput>(name, size_hint, std::move(rest_blocks), std::move(rest)),
      header, rest_offset, rest_line, CsvReader::ChunkEnd::kRest, rest_after_blank);
}

void CountQuotesAndNewlinesScalar(const char* p, std::size_t n, std::uint64_t* quotes,
                                  std::uint64_t* newlines, int after) {
  std::uint64_t q = 0, nl = 0;
  for (std::size_t i = 0; i < n; ++i) {
    q += p[i] == '"' ? 1 : 0;
    nl += p[i] == '\n' ? 1 : 0;
    if (p[i] == '\r') {
      const int next = i + 1 < n ? static_cast<unsigned char>(p[i + 1]) : after;
      nl += next != '\n' ? 1 : 0;
    }
  }
  *quotes += q;
  *newlines += nl;
}

void CountQuotesAndNewlines(const char* p, std::size_t n, std::uint64_t* quotes,
                            std::uint64_t* newlines, int after) {
#ifdef CRMKPI_X86
  static const CountFn count = ChooseCount();
  count(p, n, quotes, newlines, after);
#else
  CountQuotesAndNewlinesScalar(p, n, quotes, newlines, after);
#endif
}

unsigned ResolveThreads(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<ScanChunk> PlanChunks(const std::string& path, const CsvReader& header,
                                  Encoding used, const ParallelOptions& options) {
  const unsigned threads = ResolveThreads(options.threads);
  if (threads < 2 || path == "-" || !header.regular_file() || used != Encoding::kUtf8) {
    return {};
  }
  const File file(path);
  const std::int64_t size = file.Size();
  const std::uint64_t data_begin = header.bytes_consumed();
  if (size < 0 || static_cast<std::uint64_t>(size) <= data_begin) return {};
  const std::uint64_t data = static_cast<std::uint64_t>(size) - data_begin;
  const std::uint64_t min_chunk = std::max<std::uint64_t>(options.min_chunk_bytes, 1);
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(threads, data / min_chunk));
  if (n < 2) return {};

  // Nominal cut points, and the quotes and newlines before each (segment by segment, each
  // segment split across the threads).
  std::vector<std::uint64_t> cuts(n + 1);
  for (std::size_t i = 0; i <= n; ++i) cuts[i] = data_begin + data * i / n;
  const std::size_t segments = n - 1;  // [cuts[i], cuts[i+1]) for i < n - 1; the last chunk's
                                       // own contents need no counting
  const std::size_t parts = (threads + segments - 1) / segments;
  std::vector<Counts> part_counts(segments * parts);
  OnThreads(segments * parts, [&](std::size_t k) {
    const std::size_t seg = k / parts, part = k % parts;
    const std::uint64_t b = cuts[seg], len = cuts[seg + 1] - cuts[seg];
    part_counts[k] = CountRange(file, b + len * part / parts, b + len * (part + 1) / parts);
  });

  std::vector<ScanChunk> chunks;
  ScanChunk current{data_begin, 0, header.next_line()};
  Counts before;  // in [data_begin, cuts[i])
  std::unique_ptr<char[]> block(new char[kBlockBytes + 1]);
  for (std::size_t i = 1; i < n; ++i) {
    for (std::size_t k = (i - 1) * parts; k < i * parts; ++k) {
      before.quotes += part_counts[k].quotes;
      before.newlines += part_counts[k].newlines;
    }
    // From the cut, the first line break after which the quote count is even: an LF, or a CR
    // not followed by an LF (each block is read with the byte after it, to tell). Only up to
    // the next cut: a boundary beyond it is not used.
    bool inside = (before.quotes & 1) != 0;
    std::uint64_t newlines = before.newlines;
    std::uint64_t boundary = 0;
    for (std::uint64_t at = cuts[i]; boundary == 0 && at < cuts[i + 1];) {
      const std::size_t got = file.ReadAt(block.get(), kBlockBytes + 1, at);
      if (got == 0) break;
      const std::size_t scan = std::min(got, kBlockBytes);
      for (std::size_t j = 0; j < scan; ++j) {
        const char c = block[j];
        if (c == '"') {
          inside = !inside;
        } else if (c == '\n' || (c == '\r' && (j + 1 == got || block[j + 1] != '\n'))) {
          ++newlines;
          if (!inside) {
            boundary = at + j + 1;
            break;
          }
        }
      }
      at += scan;
    }
    // None before the next cut (a huge quoted field) or the end: one chunk fewer.
    if (boundary == 0 || boundary >= cuts[i + 1] || boundary <= current.begin) continue;
    current.end = boundary;
    chunks.push_back(current);
    current = ScanChunk{boundary, 0, header.next_line() + newlines};
    char tail[3];  // the bytes before the cut: does the chunk start after a blank line?
    const std::uint64_t from = std::max(data_begin, boundary - 3);
    const std::size_t tail_size =
        file.ReadAt(tail, static_cast<std::size_t>(boundary - from), from);
    current.after_blank = ChunkAfterBlank(std::string_view(tail, tail_size), from == data_begin);
  }
  if (chunks.empty()) return {};
  current.end = static_cast<std::uint64_t>(size);
  current.last = true;
  chunks.push_back(current);
  return chunks;
}

bool StreamInParallel(const std::string& path, const CsvReader& header, Encoding used,
                      const ParallelOptions& options) {
  return ResolveThreads(options.threads) > 1 &&
         (path == "-" || !header.regular_file() || used != Encoding::kUtf8);
}

std::unique_ptr<CsvReader> OpenChunk(const std::string& path, const CsvReader& header,
                                     const ScanChunk& chunk) {
  return std::make_unique<CsvReader>(OpenFileRange(path, chunk.begin, chunk.end), header,
                                     chunk.begin, chunk.line,
                                     chunk.last ? CsvReader::ChunkEnd::kAtEnd
                                                : CsvReader::ChunkEnd::kBeforeEnd,
                                     chunk.after_blank);
}

bool RunChunks(std::size_t count, const std::string& name, std::int64_t total_bytes,
               const std::function<void(std::size_t, SharedProgress*)>& work) {
  SharedProgress shared;
  std::atomic<std::size_t> running{count};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable finished;
  std::vector<std::thread> threads;
  threads.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      try {
        work(i, &shared);
      } catch (...) {
        failed = true;
      }
      std::lock_guard<std::mutex> lock(mu);
      --running;
      finished.notify_one();
    });
  }
  {
    std::unique_ptr<Progress> progress;
    if (ProgressWanted()) progress = std::make_unique<Progress>(name, total_bytes);
    std::unique_lock<std::mutex> lock(mu);
    while (running > 0) {
      finished.wait_for(lock, std::chrono::milliseconds(100));
      if (progress) progress->Update(shared.bytes.load(), shared.records.load());
    }
  }
  for (std::thread& t : threads) t.join();
  return !failed;
}

}  // namespace crmkpi
