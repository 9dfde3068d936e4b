// The parallel pass: a large UTF-8 file is split after its header into chunks that each hold
// whole records, every chunk is read and accumulated on its own thread, and the per-thread
// accumulators are merged in file order. The results are the serial pass's, byte for byte.
//
// Chunk boundaries. A record ends at a newline outside quotes, and a quoted field may hold
// newlines, so a boundary cannot be picked by looking near it. PlanChunks counts the quotes and
// newlines before each nominal cut point (a vectorised pre-pass, on all threads) and moves each
// cut to the first newline after it where the quote count is even: a record boundary when every
// quote is a field quote. A quote inside an unquoted field (`5" pipe`, which the reader accepts
// as data) breaks that assumption, so every boundary is also verified: the chunk before it must
// end outside quotes, and its reader fails with an unclosed quote otherwise. When any chunk
// fails, for that reason or any other (a malformed record, a bad width without --lenient), the
// caller discards every chunk's results and reads the file serially, which reports the first
// error in file order exactly as a single-threaded run does.
//
// Line numbers: the pre-pass counts newlines too, so every chunk's reader starts on its true
// physical line and messages name the same FILE:LINE:COL as the serial pass. Record numbers
// (CsvRow::number) restart at 1 in each chunk; a caller that keeps them adds the earlier chunks'
// record counts when merging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/progress.h"

namespace crmkpi {

struct ParallelOptions {
  unsigned threads = 0;  // 0 = one per core
  // A file is split only into chunks of at least this many bytes: below that, starting threads
  // and merging costs more than it saves. Tests lower it to split small files.
  std::uint64_t min_chunk_bytes = std::uint64_t{16} << 20;
};

// |requested|, or the number of cores when it is 0 (at least 1).
unsigned ResolveThreads(unsigned requested);

// Runs fn(i) for i in [0, n) on n threads (the last on the calling thread) and rethrows the
// first exception.
template <typename Fn>
void OnThreads(std::size_t n, Fn&& fn) {
  if (n == 0) return;
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

// Data records [begin, end) of a file, starting on physical line |line|. For report footers
// (csv_reader.h): |last|, the chunk ends where the file does; |after_blank|, the line before
// it is blank.
struct ScanChunk {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t line = 1;
  bool last = false;
  bool after_blank = false;
};

// The chunks of the file |path| that |header| has just read the header of (decoded as |used|),
// or an empty list when the file is not split: one thread, standard input or any other input
// that is not a regular file (a named pipe, a character device: CsvReader::regular_file, from
// fstat on the descriptor already open — re-opening a FIFO would block), an encoding other
// than UTF-8 (converted while streaming), or a file too small to split. Throws Error(kInput)
// when the file cannot be read.
std::vector<ScanChunk> PlanChunks(const std::string& path, const CsvReader& header,
                                  Encoding used, const ParallelOptions& options);

// Whether an input that PlanChunks does not split is read by ScanStream: standard input, a
// named pipe or other non-regular input, or a converted encoding, with more than one thread.
bool StreamInParallel(const std::string& path, const CsvReader& header, Encoding used,
                      const ParallelOptions& options);

// A reader of |chunk| of |path|: |header|'s header, delimiter and options; true lines and offsets.
std::unique_ptr<CsvReader> OpenChunk(const std::string& path, const CsvReader& header,
                                     const ScanChunk& chunk);

// Runs work(i, progress) for i in [0, count) on |count| threads; |progress| is to be given to
// each chunk's reader (CsvReader::set_shared_progress), and the calling thread draws the progress
// line from it (see progress.h) for the file |name| of |total_bytes|. Returns true when every
// call returned, false when any threw (the caller then reads serially; see above).
bool RunChunks(std::size_t count, const std::string& name, std::int64_t total_bytes,
               const std::function<void(std::size_t, SharedProgress*)>& work);

// The parallel pass over a stream — standard input, or a file converted from CP932/UTF-16 —
// where there is no seeking: the data after |header|'s header is read in blocks (a quarter
// of options.min_chunk_bytes) cut at the last newline with an even quote count, so each block holds
// whole records and knows its first line; each block is read on a free thread into its own part
// (make, then scan) and the parts are merged in input order. At most threads + 1 blocks are in
// memory. Returns null when every record was read. When a block fails (a malformed record, or a
// cut misplaced by a stray quote, as for files above) or merge declines its part, the parts from
// it on are dropped and a reader of the records from that block onwards (its bytes, then the
// rest of the stream) is returned for the caller to read serially: it reports the first error
// in input order exactly as a serial pass does. When the stream itself fails while being cut (an
// invalid CP932 sequence, a read error), the blocks cut before the failure are still read and
// merged, and the returned reader holds the bytes after them, then the failure: a malformed
// record before the bad bytes is reported first, as serially. |header| is spent afterwards.
template <typename Part>
std::unique_ptr<CsvReader> ScanStream(CsvReader& header, const ParallelOptions& options,
                                      const std::function<std::unique_ptr<Part>()>& make,
                                      const std::function<void(Part&, CsvReader&)>& scan,
                                      const std::function<bool(Part&)>& merge);

struct StreamTasks {
  std::function<void*(std::size_t)> begin;         // calling thread: make part i, its handle
  std::function<void(void*, CsvReader&)> scan;     // a worker thread: read a block into a part
  // Calling thread, in order: part i is done; false = it cannot be merged exactly, so read
  // serially from its block on (as if it had failed).
  std::function<bool(std::size_t)> merge;
  std::function<void(std::size_t)> discard;        // calling thread: part i is not wanted
};
std::unique_ptr<CsvReader> ScanStreamTasks(CsvReader& header, const ParallelOptions& options,
                                           const StreamTasks& tasks);

template <typename Part>
std::unique_ptr<CsvReader> ScanStream(CsvReader& header, const ParallelOptions& options,
                                      const std::function<std::unique_ptr<Part>()>& make,
                                      const std::function<void(Part&, CsvReader&)>& scan,
                                      const std::function<bool(Part&)>& merge) {
  std::map<std::size_t, std::unique_ptr<Part>> parts;  // touched by the calling thread only
  StreamTasks tasks;
  tasks.begin = [&](std::size_t i) -> void* {
    std::unique_ptr<Part> p = make();
    void* handle = p.get();
    parts.emplace(i, std::move(p));
    return handle;
  };
  tasks.scan = [&](void* handle, CsvReader& r) { scan(*static_cast<Part*>(handle), r); };
  tasks.merge = [&](std::size_t i) {
    auto it = parts.find(i);
    if (!merge(*it->second)) return false;
    parts.erase(it);
    return true;
  };
  tasks.discard = [&](std::size_t i) { parts.erase(i); };
  return ScanStreamTasks(header, options, tasks);
}

// Reads the records after |reader|'s header (the input |path|, decoded as |used|) in parts
// merged in file order, the way most commands read: a large UTF-8 file in chunks on all threads
// (PlanChunks; when a chunk fails, everything again serially, which reports the first error as a
// serial pass does), standard input and converted encodings in blocks as they arrive
// (ScanStream; what a failed block leaves is read serially into one more part), anything else
// serially into one part. make() makes an empty part, read(part, r) reads r's records into it,
// merge(part) adds it to the result; parts are made in file order.
template <typename Part>
void ReadInParts(const std::string& path, CsvReader& reader, Encoding used,
                 const ParallelOptions& options,
                 const std::function<std::unique_ptr<Part>()>& make,
                 const std::function<void(Part&, CsvReader&)>& read,
                 const std::function<void(Part&)>& merge) {
  const std::vector<ScanChunk> chunks = PlanChunks(path, reader, used, options);
  if (!chunks.empty()) {
    std::vector<std::unique_ptr<Part>> parts;
    std::vector<std::unique_ptr<CsvReader>> readers;
    for (const ScanChunk& chunk : chunks) {
      parts.push_back(make());
      readers.push_back(OpenChunk(path, reader, chunk));
    }
    const bool done = RunChunks(chunks.size(), reader.name(), reader.size_hint(),
                                [&](std::size_t i, SharedProgress* progress) {
                                  readers[i]->set_shared_progress(progress);
                                  read(*parts[i], *readers[i]);
                                });
    if (done) {
      for (std::unique_ptr<Part>& part : parts) {
        merge(*part);
        part.reset();  // its memory back before the next merge
      }
      return;
    }
  } else if (StreamInParallel(path, reader, used, options)) {
    const std::unique_ptr<CsvReader> rest =
        ScanStream<Part>(reader, options, make, read, [&](Part& part) {
          merge(part);
          return true;
        });
    if (rest) {
      const std::unique_ptr<Part> tail = make();
      read(*tail, *rest);
      merge(*tail);
    }
    return;
  }
  const std::unique_ptr<Part> all = make();
  read(*all, reader);
  merge(*all);
}

// The number of '"' bytes and of line breaks in [p, p + n), added to *quotes and *newlines. A
// line break is an LF, or a CR not followed by an LF (a classic Mac line end, as CsvReader reads
// it; CRLF counts once). |after| is the byte after p[n - 1] (-1: none, the end of the input),
// which decides a CR in the last byte. Uses AVX2 when the CPU has it (checked at run time), SSE2
// otherwise on x86-64, and plain C++ elsewhere.
inline constexpr int kNoByte = -1;
void CountQuotesAndNewlines(const char* p, std::size_t n, std::uint64_t* quotes,
                            std::uint64_t* newlines, int after = kNoByte);
// The plain C++ version, for tests to compare the vectorised ones with.
void CountQuotesAndNewlinesScalar(const char* p, std::size_t n, std::uint64_t* quotes,
                                  std::uint64_t* newlines, int after = kNoByte);

}  // namespace crmkpi
