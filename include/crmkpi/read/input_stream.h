// InputStream: where the CSV bytes come from. A file or stdin read in large chunks, optionally
// converted to UTF-8 on the fly (CP932/Shift_JIS, UTF-16 with BOM) so that everything downstream
// sees UTF-8 only. Memory is bounded by the chunk size, whatever the input size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crmkpi/base/error.h"  // SourceLoc
#include "crmkpi/read/encoding.h"

namespace crmkpi {

class InputStream {
 public:
  virtual ~InputStream() = default;

  // Reads up to |n| bytes into |buf|. Returns the number of bytes read; 0 only at end of input.
  // May return fewer than |n| bytes before the end. Throws Error(kInput) on I/O failure or on
  // bytes that are invalid in the source encoding (message names the byte offset in the source
  // and the line, counted in the converted text).
  virtual std::size_t Read(char* buf, std::size_t n) = 0;

  // Name used in messages: the path as given, or "<stdin>" for "-".
  virtual const std::string& name() const = 0;

  // Size of the underlying file in bytes when known (regular files), otherwise -1.
  virtual std::int64_t size_hint() const { return -1; }

  // Whether the bytes come from a regular file (decided with fstat on the open descriptor), so
  // that the file can be opened again and read in ranges (parallel_scan.h). False for standard
  // input, named pipes (FIFOs), character devices, sockets and memory: those are streamed, and
  // re-opening a FIFO would block until another writer appeared.
  virtual bool regular_file() const { return false; }
};

// Opens |path| ("-" = standard input) for reading. Non-UTF-8 encodings are converted to UTF-8
// while streaming. A UTF-16 byte-order mark is honoured whatever |encoding| says, because it is
// unambiguous (Excel's "Unicode text" export); so does a UTF-8 BOM. Encoding::kAuto detects the
// encoding from the input's first bytes (and, for a regular file, samples further in; see
// encoding.h). *used (optional) receives the encoding actually decoded. Throws Error(kInput) when the file cannot be opened or is a
// directory.
std::unique_ptr<InputStream> OpenInput(const std::string& path, Encoding encoding,
                                       Encoding* used = nullptr);

// Standard input and named pipes can be read only once. A command that must see a header before
// the pass that reads the file (`crmkpi report FILE` builds its definition from the header)
// calls RecordInput(path) before opening it to read the header and RewindInput(path) after:
// the next OpenInput(path) gets the same stream, which returns the recorded bytes again, then
// the rest. Only the bytes read while recording are kept (the header's first buffer), freed
// once read again, so memory stays bounded whatever the input size. A regular file named by
// its path is not recorded: it is opened again.
void RecordInput(const std::string& path);
void RewindInput(const std::string& path);

// Bytes [begin, end) of the regular file |path|, as they are (no BOM or encoding handling): one
// chunk of the parallel pass. Named |path| in messages. Throws Error(kInput) when it cannot be
// opened or read.
std::unique_ptr<InputStream> OpenFileRange(const std::string& path, std::uint64_t begin,
                                           std::uint64_t end);

// Wraps |raw| so that reads return UTF-8 converted from |encoding| (kUtf8 returns |raw| itself).
std::unique_ptr<InputStream> TranscodeToUtf8(std::unique_ptr<InputStream> raw, Encoding encoding);

// For tests: a stream over |data| that returns at most |max_chunk| bytes per Read, so that
// records and line endings can be split at every possible refill boundary.
std::unique_ptr<InputStream> MemoryInput(std::string data, std::size_t max_chunk = SIZE_MAX,
                                         std::string name = "<memory>");

// OpenInput for a file that a definition's line names (|file_loc|, e.g. `file = deals.csv` of
// [source deals]; |what|: "source 'deals'"): an error about the file as a whole (missing,
// unreadable, a directory) points at that line — "kpi.ini:2:8: source 'deals': /data/deals.csv:
// cannot open: No such file or directory" — instead of the file alone. Without a line (a
// --source override) it is OpenInput.
std::unique_ptr<InputStream> OpenDefinedInput(const std::string& path, Encoding encoding,
                                              Encoding* used, const SourceLoc& file_loc,
                                              const std::string& what);

}  // namespace crmkpi
