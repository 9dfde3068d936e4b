// The CSV reader (csv_reader.h) and the parallel pass's splitting (parallel_scan.h).
//
// Input: one control byte, then the CSV bytes. The control byte picks the delimiter (bits 0-1:
// ',' ';' tab or auto), the small buffer (bits 2-4: 4 << k bytes) and the read size of the
// stream (bits 5-7). The same bytes are read
//   A. serially, 1 MiB buffer, whole reads: the reference;
//   B. serially, the small buffer, reads of a few bytes (every refill boundary);
//   C. as the parallel pass over a file reads them: PlanChunks on a copy in a scratch file
//      (bit 5: 2 or 3 threads; bit 7: the small or the 1 MiB buffer), then each chunk by
//      OpenChunk (in order, on this thread);
//   D. as the parallel pass over a stream reads them: ScanStream (two threads, small blocks),
//      then whatever it hands back serially.
// Checked: B and D give A's outcome exactly (header, every record's fields, line and field
// locations, or the same error message); C, when every chunk succeeds, gives A's records
// (and A succeeded: a malformed file must make some chunk fail, so that the caller reads it
// serially and reports the error); FieldCountMessage points inside the record.
//
// CRMKPI_FUZZ_SKIP_NUL=1 (for local runs only) ignores disagreements that involve the NUL-byte
// check, so that a long run gets past the open findings in tests/fuzz/open/csv/; CI runs strict.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/input_stream.h"
#include "crmkpi/read/parallel_scan.h"
#include "fuzz_common.h"

namespace crmkpi::fuzz {
namespace {

struct Record {
  std::vector<std::string> fields;
  std::vector<std::uint64_t> where;  // line and column of each field and of the record's end
  std::string raw;
  std::uint64_t line = 0;
  bool operator==(const Record&) const = default;
};

struct Outcome {
  bool header_ok = false;
  std::vector<std::string> header;
  char delimiter = 0;
  std::vector<Record> records;
  std::optional<std::string> error;  // the first Error, formatted
};

Record Capture(const CsvReader& reader, const CsvRow& row) {
  Record r;
  r.line = row.line;
  r.raw = std::string(reader.raw_record());
  for (std::size_t i = 0; i <= row.fields.size(); ++i) {
    if (i < row.fields.size()) r.fields.emplace_back(row.fields[i]);
    const SourceLoc loc = reader.Locate(i);
    r.where.push_back(loc.line);
    r.where.push_back(loc.column);
  }
  return r;
}

void ReadRecords(CsvReader& reader, Outcome* out) {
  CsvRow row;
  while (reader.Next(&row)) {
    FUZZ_CHECK(row.line >= 1, "line %llu", static_cast<unsigned long long>(row.line));
    out->records.push_back(Capture(reader, row));
    // The width message and the field it points at, as the commands build them.
    if (row.fields.size() != reader.header().size()) {
      std::size_t at = SIZE_MAX;
      const std::string message = FieldCountMessage(reader.header(), row.fields.size(), &at);
      FUZZ_CHECK(!message.empty() && at <= row.fields.size() && at <= reader.header().size(),
                 "FieldCountMessage: at %zu of %zu fields, header %zu", at, row.fields.size(),
                 reader.header().size());
      (void)reader.Locate(at);
    }
  }
}

Outcome ReadSerially(std::unique_ptr<InputStream> input, const CsvOptions& options) {
  Outcome out;
  try {
    CsvReader reader(std::move(input), options);
    out.header = reader.ReadHeader();
    out.header_ok = true;
    out.delimiter = reader.delimiter();
    ReadRecords(reader, &out);
  } catch (const Error& e) {
    out.error = e.Formatted();
  }
  return out;
}

std::string Describe(const Outcome& o) {
  std::string s = o.header_ok ? "header ok" : "no header";
  s += ", " + std::to_string(o.records.size()) + " records";
  if (o.error) s += ", error: " + *o.error;
  return s;
}

// CRMKPI_FUZZ_SKIP_NUL (see the top): an outcome that a NUL-byte error decided.
bool SkipNul(const Outcome& o) {
  return std::getenv("CRMKPI_FUZZ_SKIP_NUL") != nullptr && o.error &&
         o.error->find("NUL byte") != std::string::npos;
}

void CheckSame(const Outcome& a, const Outcome& b, const char* what) {
  if (a.error != b.error && (SkipNul(a) || SkipNul(b))) return;
  FUZZ_CHECK(a.header_ok == b.header_ok && a.header == b.header && a.delimiter == b.delimiter,
             "%s: header differs (%s / %s)", what, Describe(a).c_str(), Describe(b).c_str());
  FUZZ_CHECK(a.error == b.error, "%s: outcome differs (%s / %s)", what, Describe(a).c_str(),
             Describe(b).c_str());
  FUZZ_CHECK(a.records.size() == b.records.size(), "%s: record count differs (%s / %s)", what,
             Describe(a).c_str(), Describe(b).c_str());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    FUZZ_CHECK(a.records[i] == b.records[i], "%s: record %zu (line %llu / %llu) differs", what,
               i + 1, static_cast<unsigned long long>(a.records[i].line),
               static_cast<unsigned long long>(b.records[i].line));
  }
}

// C: the chunks of the file pass.
void CheckFileChunks(const std::string& path, const CsvOptions& options, unsigned threads,
                     std::uint64_t min_chunk, const Outcome& serial) {
  Encoding used = Encoding::kUtf8;
  std::unique_ptr<CsvReader> header;
  std::vector<ScanChunk> chunks;
  try {
    header = std::make_unique<CsvReader>(OpenInput(path, Encoding::kUtf8, &used), options);
    header->ReadHeader();
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = min_chunk;
    chunks = PlanChunks(path, *header, used, parallel);
  } catch (const Error&) {
    return;  // the header failed: the serial outcome says so (A), and no chunk is read
  }
  if (chunks.empty()) return;
  FUZZ_CHECK(used == Encoding::kUtf8, "PlanChunks split a converted file");
  if (SkipNul(serial)) return;
  FUZZ_CHECK(serial.header_ok, "the file pass split a file whose header failed serially: %s",
             serial.error ? serial.error->c_str() : "");
  std::uint64_t expect_begin = header->bytes_consumed();
  std::vector<Record> records;
  for (const ScanChunk& chunk : chunks) {
    FUZZ_CHECK(chunk.begin == expect_begin && chunk.end > chunk.begin,
               "chunks not contiguous: [%llu, %llu) after %llu",
               static_cast<unsigned long long>(chunk.begin),
               static_cast<unsigned long long>(chunk.end),
               static_cast<unsigned long long>(expect_begin));
    expect_begin = chunk.end;
    try {
      std::unique_ptr<CsvReader> reader = OpenChunk(path, *header, chunk);
      Outcome part;
      ReadRecords(*reader, &part);
      for (Record& r : part.records) records.push_back(std::move(r));
    } catch (const Error&) {
      return;  // a failed chunk: the caller reads the whole file serially (A)
    }
  }
  if (SkipNul(serial)) return;
  FUZZ_CHECK(!serial.error, "every chunk read, but the serial pass fails: %s",
             serial.error->c_str());
  Outcome chunked = serial;
  chunked.records = std::move(records);
  CheckSame(serial, chunked, "file chunks");
}

// D: the stream pass (standard input, converted encodings).
Outcome ReadStreamParallel(std::string_view bytes, const CsvOptions& options,
                           std::size_t read_size, std::uint64_t min_chunk, const std::string& name) {
  Outcome out;
  try {
    CsvReader reader(MemoryInput(std::string(bytes), read_size, name), options);
    out.header = reader.ReadHeader();
    out.header_ok = true;
    out.delimiter = reader.delimiter();
    ParallelOptions parallel;
    parallel.threads = 2;
    parallel.min_chunk_bytes = min_chunk;
    using Part = std::vector<Record>;
    const std::unique_ptr<CsvReader> rest = ScanStream<Part>(
        reader, parallel, [] { return std::make_unique<Part>(); },
        [](Part& part, CsvReader& r) {
          Outcome o;
          ReadRecords(r, &o);
          part = std::move(o.records);
        },
        [&](Part& part) {
          for (Record& r : part) out.records.push_back(std::move(r));
          return true;
        });
    if (rest) ReadRecords(*rest, &out);
  } catch (const Error& e) {
    out.error = e.Formatted();
  }
  return out;
}

}  // namespace
}  // namespace crmkpi::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  crmkpi::SetWarningsQuiet(true);  // duplicate header names: thousands of lines otherwise
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crmkpi;
  using namespace crmkpi::fuzz;
  if (size < 1) return 0;
  static ScratchFile scratch;
  const unsigned control = data[0];
  const std::string_view bytes = AsText(data + 1, size - 1);

  CsvOptions options;
  switch (control & 3) {
    case 0: options.delimiter = ','; break;
    case 1: options.delimiter = ';'; break;
    case 2: options.delimiter = '\t'; break;
    default: options.auto_delimiter = true; break;
  }
  const std::string& path = scratch.Write(bytes);

  // A: the reference.
  const Outcome serial = ReadSerially(MemoryInput(std::string(bytes), SIZE_MAX, path), options);

  // B: tiny buffer, short reads.
  CsvOptions small = options;
  small.buffer_size = std::size_t{4} << ((control >> 2) & 7);
  const std::size_t read_size = 1 + ((control >> 5) & 7) * 5;
  CheckSame(serial, ReadSerially(MemoryInput(std::string(bytes), read_size, path), small),
            "small buffer");

  // C: chunks of the file, 2 or 3 of them, as small as the input allows, read with the small
  // or the large buffer.
  const unsigned threads = 2 + ((control >> 5) & 1);
  if (control & 0x80) {
    CheckFileChunks(path, small, threads, 1 + bytes.size() / (threads + 2), serial);
  } else {
    CheckFileChunks(path, options, threads, 1, serial);
  }

  // D: the stream pass, blocks of a few bytes.
  CheckSame(serial, ReadStreamParallel(bytes, small, read_size, 4 * (1 + (control & 15)), path),
            "stream blocks");
  return 0;
}
