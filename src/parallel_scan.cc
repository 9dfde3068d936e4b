#include "crmkpi/parallel_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CRMKPI_X86 1
#endif

#include "crmkpi/error.h"

namespace crmkpi {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

#ifdef CRMKPI_X86
__attribute__((target("avx2,popcnt"))) void CountAvx2(const char* p, std::size_t n,
                                                     std::uint64_t* quotes,
                                                     std::uint64_t* newlines) {
  const __m256i vq = _mm256_set1_epi8('"');
  const __m256i vn = _mm256_set1_epi8('\n');
  std::uint64_t q = 0, nl = 0;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    q += static_cast<std::uint64_t>(
        _mm_popcnt_u32(static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vq)))));
    nl += static_cast<std::uint64_t>(
        _mm_popcnt_u32(static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vn)))));
  }
  *quotes += q;
  *newlines += nl;
  CountQuotesAndNewlinesScalar(p + i, n - i, quotes, newlines);
}

void CountSse2(const char* p, std::size_t n, std::uint64_t* quotes, std::uint64_t* newlines) {
  const __m128i vq = _mm_set1_epi8('"');
  const __m128i vn = _mm_set1_epi8('\n');
  std::uint64_t q = 0, nl = 0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    q += static_cast<std::uint64_t>(
        __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)))));
    nl += static_cast<std::uint64_t>(
        __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn)))));
  }
  *quotes += q;
  *newlines += nl;
  CountQuotesAndNewlinesScalar(p + i, n - i, quotes, newlines);
}

using CountFn = void (*)(const char*, std::size_t, std::uint64_t*, std::uint64_t*);
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
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
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

Counts CountRange(const File& file, std::uint64_t begin, std::uint64_t end) {
  Counts c;
  std::unique_ptr<char[]> block(new char[kBlockBytes]);
  for (std::uint64_t at = begin; at < end;) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockBytes, end - at));
    const std::size_t got = file.ReadAt(block.get(), want, at);
    if (got == 0) break;
    CountQuotesAndNewlines(block.get(), got, &c.quotes, &c.newlines);
    at += got;
  }
  return c;
}

// Runs fn(i) for i in [0, n) on n threads (the last on the calling thread) and rethrows the
// first exception.
template <typename Fn>
void OnThreads(std::size_t n, Fn&& fn) {
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    threads.emplace_back([&, i] {
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  try {
    fn(n - 1);
  } catch (...) {
    errors[n - 1] = std::current_exception();
  }
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace

void CountQuotesAndNewlinesScalar(const char* p, std::size_t n, std::uint64_t* quotes,
                                  std::uint64_t* newlines) {
  std::uint64_t q = 0, nl = 0;
  for (std::size_t i = 0; i < n; ++i) {
    q += p[i] == '"' ? 1 : 0;
    nl += p[i] == '\n' ? 1 : 0;
  }
  *quotes += q;
  *newlines += nl;
}

void CountQuotesAndNewlines(const char* p, std::size_t n, std::uint64_t* quotes,
                            std::uint64_t* newlines) {
#ifdef CRMKPI_X86
  static const CountFn count = ChooseCount();
  count(p, n, quotes, newlines);
#else
  CountQuotesAndNewlinesScalar(p, n, quotes, newlines);
#endif
}

unsigned ResolveThreads(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<ScanChunk> PlanChunks(const std::string& path, const CsvReader& header,
                                  Encoding used, const ParallelOptions& options) {
  const unsigned threads = ResolveThreads(options.threads);
  if (threads < 2 || path == "-" || used != Encoding::kUtf8) return {};
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
  std::unique_ptr<char[]> block(new char[kBlockBytes]);
  for (std::size_t i = 1; i < n; ++i) {
    for (std::size_t k = (i - 1) * parts; k < i * parts; ++k) {
      before.quotes += part_counts[k].quotes;
      before.newlines += part_counts[k].newlines;
    }
    // From the cut, the first newline after which the quote count is even.
    bool inside = (before.quotes & 1) != 0;
    std::uint64_t newlines = before.newlines;
    std::uint64_t boundary = 0;
    for (std::uint64_t at = cuts[i]; boundary == 0 && at < static_cast<std::uint64_t>(size);) {
      const std::size_t got = file.ReadAt(block.get(), kBlockBytes, at);
      if (got == 0) break;
      for (std::size_t j = 0; j < got; ++j) {
        const char c = block[j];
        if (c == '"') {
          inside = !inside;
        } else if (c == '\n') {
          ++newlines;
          if (!inside) {
            boundary = at + j + 1;
            break;
          }
        }
      }
      at += got;
    }
    // None before the next cut (a huge quoted field) or the end: one chunk fewer.
    if (boundary == 0 || boundary >= cuts[i + 1] || boundary <= current.begin) continue;
    current.end = boundary;
    chunks.push_back(current);
    current = ScanChunk{boundary, 0, header.next_line() + newlines};
  }
  if (chunks.empty()) return {};
  current.end = static_cast<std::uint64_t>(size);
  chunks.push_back(current);
  return chunks;
}

std::unique_ptr<CsvReader> OpenChunk(const std::string& path, const CsvReader& header,
                                     const ScanChunk& chunk) {
  return std::make_unique<CsvReader>(OpenFileRange(path, chunk.begin, chunk.end), header,
                                     chunk.begin, chunk.line);
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
