// The parallel pass: chunk boundaries are record boundaries with their true line numbers, the
// vectorised counts equal the plain ones, and a parallel report equals the serial one byte for
// byte, also when a boundary guess is wrong (a stray quote) or the input is malformed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/read/parallel_scan.h"
#include "crmkpi/read/warning_log.h"
#include "crmkpi/write/report_writer.h"
#include "../temp_dir.h"
#include "builtin_report.h"

namespace crmkpi {
namespace {

// Deals with quoted newlines (every 3rd row), doubled quotes, CRLF and blank lines sprinkled in,
// invalid amounts and dates (for warnings), several owners and stages.
std::string Deals(int rows, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const char* stages[] = {"lead", "qualified", "proposal", "won", "lost"};
  std::string s = "deal_id,owner,stage,amount,created_at,closed_at,notes\n";
  for (int i = 0; i < rows; ++i) {
    const char* stage = stages[rng() % 5];
    const bool closed = stage[0] == 'w' || stage[0] == 'l';
    s += std::to_string(i) + ",Owner " + std::to_string(rng() % 7) + "," + stage + ",";
    s += (rng() % 50 == 0) ? "n/a" : std::to_string(1000 + rng() % 90000);
    s += ",2024-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10) + ",";
    if (closed) s += (rng() % 40 == 0) ? "someday" : "2024-11-2" + std::to_string(rng() % 9);
    switch (i % 3) {
      case 0:
        s += ",\"line one\nline \"\"two\"\",\n\nand three\"";
        break;
      case 1:
        s += ",plain note";
        break;
      default:
        s += ",";
    }
    s += (rng() % 10 == 0) ? "\r\n" : "\n";
    if (rng() % 25 == 0) s += "\n";
  }
  return s;
}

using testing::BuiltInOptions;
using ReportOptions = BuiltInOptions;

std::string Json(const ReportOptions& o) {
  return WriteReport(testing::BuiltInReport(o), Format::kJson);
}

ReportOptions Options(const std::string& path, unsigned threads, std::uint64_t min_chunk) {
  ReportOptions o;
  o.files = {path};
  o.by = {{"owner"}, {"owner", "stage"}};
  o.period = Period::kMonth;
  o.stages.order = {"lead", "qualified", "proposal", "won"};
  o.parallel.threads = threads;
  o.parallel.min_chunk_bytes = min_chunk;
  return o;
}

}  // namespace

TEST_CASE("OnThreads runs every index once and rethrows a thread's exception") {
  std::vector<int> seen(5, 0);
  OnThreads(seen.size(), [&](std::size_t i) { ++seen[i]; });
  CHECK(seen == std::vector<int>(5, 1));
  OnThreads(0, [&](std::size_t) { FAIL("no index to run"); });
  CHECK_THROWS_WITH(OnThreads(3,
                              [](std::size_t i) {
                                if (i == 1) throw Error::Input("merge failed");
                              }),
                    Catch::Contains("merge failed"));
}

TEST_CASE("vectorised quote and newline counts equal the plain count") {
  std::mt19937 rng(7);
  std::string data(5000, 'x');
  for (char& c : data) {
    const unsigned r = rng() % 8;
    c = r == 0 ? '"' : r == 1 ? '\n' : static_cast<char>('a' + rng() % 26);
  }
  for (std::size_t offset : {0, 1, 7, 31, 33}) {
    for (std::size_t n : {0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 4000}) {
      std::uint64_t q1 = 0, n1 = 0, q2 = 0, n2 = 0;
      CountQuotesAndNewlines(data.data() + offset, n, &q1, &n1);
      CountQuotesAndNewlinesScalar(data.data() + offset, n, &q2, &n2);
      INFO("offset " << offset << " n " << n);
      CHECK(q1 == q2);
      CHECK(n1 == n2);
    }
  }
  std::uint64_t q = 0, nl = 0;
  CountQuotesAndNewlinesScalar("a\"b\n\"\"\n", 7, &q, &nl);
  CHECK(q == 3);
  CHECK(nl == 2);
}

TEST_CASE("line breaks: LF, CRLF once, CR alone; a CR before the range end asks |after|") {
  std::uint64_t q = 0, nl = 0;
  CountQuotesAndNewlinesScalar("a\rb\r\nc\n\r\r", 9, &q, &nl);
  CHECK(nl == 5);  // CR, CRLF, LF, CR, CR (the last: end of input)
  nl = 0;
  CountQuotesAndNewlinesScalar("a\r", 2, &q, &nl, '\n');  // its LF starts the next range
  CHECK(nl == 0);
  std::mt19937 rng(11);
  std::string data(5000, 'x');
  for (char& c : data) {
    const unsigned r = rng() % 8;
    c = r == 0 ? '"' : r == 1 ? '\n' : r <= 3 ? '\r' : static_cast<char>('a' + rng() % 26);
  }
  for (std::size_t offset : {0, 1, 7, 31, 33}) {
    for (std::size_t n : {0, 1, 15, 16, 17, 31, 32, 33, 34, 64, 100, 4000}) {
      for (int after : {kNoByte, int{'\n'}, int{'x'}}) {
        std::uint64_t q1 = 0, n1 = 0, q2 = 0, n2 = 0;
        CountQuotesAndNewlines(data.data() + offset, n, &q1, &n1, after);
        CountQuotesAndNewlinesScalar(data.data() + offset, n, &q2, &n2, after);
        INFO("offset " << offset << " n " << n << " after " << after);
        CHECK(q1 == q2);
        CHECK(n1 == n2);
      }
    }
  }
}

TEST_CASE("chunks start at record boundaries, on their true lines") {
  TempDir dir;
  const std::string text = Deals(3000, 1);
  const std::string path = dir.Write("deals.csv", text);

  // The serial reader's record starts: (byte offset, line).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> starts;
  {
    CsvReader r(OpenInput(path, Encoding::kUtf8));
    r.ReadHeader();
    CsvRow row;
    std::uint64_t before = r.bytes_consumed();
    std::uint64_t line = r.next_line();
    while (r.Next(&row)) {
      // Blank lines are skipped before a record: its start is where its line begins.
      starts.emplace_back(before, row.line);
      before = r.bytes_consumed();
      line = r.next_line();
    }
    (void)line;
  }

  CsvReader header(OpenInput(path, Encoding::kUtf8));
  header.ReadHeader();
  ParallelOptions p;
  p.threads = 8;
  p.min_chunk_bytes = 1000;
  const std::vector<ScanChunk> chunks = PlanChunks(path, header, Encoding::kUtf8, p);
  REQUIRE(chunks.size() == 8);
  CHECK(chunks.front().begin == header.bytes_consumed());
  CHECK(chunks.back().end == text.size());
  std::uint64_t records = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (i > 0) CHECK(chunks[i].begin == chunks[i - 1].end);
    // The chunk's first line: count the newlines before it.
    const auto newlines = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(chunks[i].begin), '\n');
    CHECK(chunks[i].line == static_cast<std::uint64_t>(newlines) + 1);
    // Reading the chunk gives exactly the serial records that start in it, on the same lines.
    std::unique_ptr<CsvReader> r = OpenChunk(path, header, chunks[i]);
    CsvRow row;
    while (r->Next(&row)) {
      REQUIRE(records < starts.size());
      CHECK(row.line == starts[records].second);
      ++records;
    }
  }
  CHECK(records == starts.size());
}

TEST_CASE("no chunks for one thread, small files, stdin or converted encodings") {
  TempDir dir;
  const std::string path = dir.Write("deals.csv", Deals(200, 2));
  CsvReader header(OpenInput(path, Encoding::kUtf8));
  header.ReadHeader();
  ParallelOptions p;
  p.threads = 1;
  p.min_chunk_bytes = 100;
  CHECK(PlanChunks(path, header, Encoding::kUtf8, p).empty());
  p.threads = 4;
  CHECK(PlanChunks(path, header, Encoding::kCp932, p).empty());
  CHECK(PlanChunks("-", header, Encoding::kUtf8, p).empty());
  p.min_chunk_bytes = std::uint64_t{1} << 30;
  CHECK(PlanChunks(path, header, Encoding::kUtf8, p).empty());
  p.min_chunk_bytes = 100;
  CHECK(PlanChunks(path, header, Encoding::kUtf8, p).size() == 4);
}

TEST_CASE("a parallel report equals the serial one byte for byte") {
  TempDir dir;
  for (std::uint32_t seed : {3u, 4u}) {
    const std::string path = dir.Write("deals" + std::to_string(seed) + ".csv", Deals(4000, seed));
    const std::string serial = Json(Options(path, 1, 1000));
    REQUIRE(serial.find("\"invalid_amount\"") != std::string::npos);  // warnings merged too
    for (unsigned threads : {2u, 3u, 7u}) {
      INFO("seed " << seed << " threads " << threads);
      CHECK(Json(Options(path, threads, 1000)) == serial);
    }
  }
}

TEST_CASE("a wrong boundary guess (a quote inside an unquoted field) falls back to serial") {
  TempDir dir;
  // `5" pipe` is data; it flips the quote parity, so every cut after it guesses wrong.
  std::string text = "deal_id,owner,stage,amount,created_at,closed_at,notes\n";
  text += "0,A,won,100,2024-01-01,2024-02-01,5\" pipe\n";
  const std::string rest = Deals(3000, 5);
  text += rest.substr(rest.find('\n') + 1);
  const std::string path = dir.Write("stray.csv", text);
  const std::string serial = Json(Options(path, 1, 1000));
  CHECK(Json(Options(path, 4, 1000)) == serial);
}

TEST_CASE("a malformed record fails the parallel pass exactly as the serial one") {
  TempDir dir;
  std::string text = Deals(3000, 6);
  text.insert(text.size() * 3 / 4, "\n1,B,won\n");  // too few fields, late in the file
  const std::string path = dir.Write("bad.csv", text);
  std::string serial_error, parallel_error;
  try {
    Json(Options(path, 1, 1000));
  } catch (const Error& e) {
    serial_error = e.Formatted();
  }
  try {
    Json(Options(path, 4, 1000));
  } catch (const Error& e) {
    parallel_error = e.Formatted();
  }
  CHECK(!serial_error.empty());
  CHECK(parallel_error == serial_error);

  // With --lenient the row is skipped and reported at the same place either way.
  ReportOptions lenient1 = Options(path, 1, 1000), lenient4 = Options(path, 4, 1000);
  lenient1.lenient = lenient4.lenient = true;
  CHECK(Json(lenient4) == Json(lenient1));
}

namespace {

// Every record of |text| as "line:first field:last field", read serially.
std::vector<std::string> SerialRows(const std::string& text) {
  CsvReader r(MemoryInput(text, 777));
  r.ReadHeader();
  std::vector<std::string> out;
  CsvRow row;
  while (r.Next(&row)) {
    out.push_back(std::to_string(row.line) + ":" + std::string(row.fields.front()) + ":" +
                  std::string(row.fields.back()));
  }
  return out;
}

// The same through ScanStream with blocks of |min_chunk| / 4 bytes, then the serial rest.
std::vector<std::string> StreamRows(const std::string& text, unsigned threads,
                                    std::uint64_t min_chunk, bool* had_rest) {
  using Rows = std::vector<std::string>;
  CsvReader header(MemoryInput(text, 777));
  header.ReadHeader();
  ParallelOptions p;
  p.threads = threads;
  p.min_chunk_bytes = min_chunk;
  Rows out;
  auto read = [](Rows& rows, CsvReader& r) {
    CsvRow row;
    while (r.Next(&row)) {
      rows.push_back(std::to_string(row.line) + ":" + std::string(row.fields.front()) + ":" +
                     std::string(row.fields.back()));
    }
  };
  const std::unique_ptr<CsvReader> rest = ScanStream<Rows>(
      header, p, [] { return std::make_unique<Rows>(); }, read,
      [&](Rows& part) {
        out.insert(out.end(), part.begin(), part.end());
        return true;
      });
  *had_rest = rest != nullptr;
  if (rest) read(out, *rest);
  return out;
}

}  // namespace

TEST_CASE("a stream is cut into blocks of whole records, in order, on their true lines") {
  const std::string text = Deals(800, 9);
  const std::vector<std::string> serial = SerialRows(text);
  REQUIRE(serial.size() == 800);
  for (unsigned threads : {2u, 3u}) {
    for (std::uint64_t min_chunk : {40u, 400u, 4000u, 1u << 20}) {
      INFO("threads " << threads << " min_chunk " << min_chunk);
      bool had_rest = true;
      CHECK(StreamRows(text, threads, min_chunk, &had_rest) == serial);
      CHECK_FALSE(had_rest);
    }
  }
}

// Deals(rows, seed) with each line break (also those inside quoted notes) replaced, at random,
// by LF, CRLF or a CR alone (classic Mac).
std::string MixedLineEnds(int rows, std::uint32_t seed) {
  const std::string lf = Deals(rows, seed);
  std::mt19937 rng(seed);
  std::string out;
  for (std::size_t i = 0; i < lf.size(); ++i) {
    const char c = lf[i];
    if (c == '\r' && i + 1 < lf.size() && lf[i + 1] == '\n') continue;  // re-chosen below
    if (c != '\n') {
      out += c;
      continue;
    }
    const auto r = rng() % 3;
    out += r == 0 ? "\n" : r == 1 ? "\r\n" : "\r";
  }
  return out;
}

TEST_CASE("CR-only and mixed line ends: chunks and stream blocks on their true lines") {
  TempDir dir;
  const std::string text = MixedLineEnds(3000, 12);
  REQUIRE(text.find("\r2") != std::string::npos);  // a record after a lone CR
  const std::vector<std::string> serial = SerialRows(text);
  REQUIRE(serial.size() == 3000);
  for (unsigned threads : {2u, 3u}) {
    for (std::uint64_t min_chunk : {40u, 4000u}) {
      INFO("threads " << threads << " min_chunk " << min_chunk);
      bool had_rest = true;
      CHECK(StreamRows(text, threads, min_chunk, &had_rest) == serial);
      CHECK_FALSE(had_rest);
    }
  }
  const std::string path = dir.Write("mixed.csv", text);
  CsvReader header(OpenInput(path, Encoding::kUtf8));
  header.ReadHeader();
  ParallelOptions p;
  p.threads = 6;
  p.min_chunk_bytes = 1000;
  const std::vector<ScanChunk> chunks = PlanChunks(path, header, Encoding::kUtf8, p);
  REQUIRE(chunks.size() == 6);
  std::vector<std::string> rows;
  for (const ScanChunk& chunk : chunks) {
    std::unique_ptr<CsvReader> r = OpenChunk(path, header, chunk);
    CsvRow row;
    while (r->Next(&row)) {
      rows.push_back(std::to_string(row.line) + ":" + std::string(row.fields.front()) + ":" +
                     std::string(row.fields.back()));
    }
  }
  CHECK(rows == serial);
  const std::string json = Json(Options(path, 1, 1000));
  CHECK(Json(Options(path, 4, 1000)) == json);

  // A file with CR line ends only is never cut in the middle of a CRLF, and a stream of it is
  // cut into blocks (not held whole) at its CRs.
  std::string mac = Deals(2000, 13);
  for (std::size_t i = mac.find("\r\n"); i != std::string::npos; i = mac.find("\r\n", i)) {
    mac.erase(i, 1);
  }
  for (char& c : mac) c = c == '\n' ? '\r' : c;
  const std::vector<std::string> mac_serial = SerialRows(mac);
  REQUIRE(mac_serial.size() == 2000);
  bool had_rest = true;
  CHECK(StreamRows(mac, 3, 400, &had_rest) == mac_serial);
  CHECK_FALSE(had_rest);
  const std::string mac_path = dir.Write("mac.csv", mac);
  CsvReader mac_header(OpenInput(mac_path, Encoding::kUtf8));
  mac_header.ReadHeader();
  CHECK(PlanChunks(mac_path, mac_header, Encoding::kUtf8, p).size() == 6);
  CHECK(Json(Options(mac_path, 4, 1000)) == Json(Options(mac_path, 1, 1000)));
}

TEST_CASE("an invalid byte in the stream's first read is reported after the rows before it") {
  // The header's reader reads (and validates) up to its buffer's size at once; the invalid byte
  // it found must reach the stream pass, not vanish with the reader handed over.
  std::string text = Deals(300, 15);
  const std::size_t at = text.size() / 2;
  text.insert(text.find('\n', at) + 1, "999,Owner 1,won,\xff\n");
  CsvReader serial(MemoryInput(text, SIZE_MAX, "s.csv"));
  serial.ReadHeader();
  CsvRow row;
  std::string serial_error;
  std::size_t serial_rows = 0;
  try {
    while (serial.Next(&row)) ++serial_rows;
  } catch (const Error& e) {
    serial_error = e.Formatted();
  }
  REQUIRE(serial_error.find("invalid UTF-8") != std::string::npos);
  for (std::uint64_t min_chunk : {400u, 4000u, 1u << 20}) {
    INFO("min_chunk " << min_chunk);
    CsvReader header(MemoryInput(text, SIZE_MAX, "s.csv"));
    header.ReadHeader();
    ParallelOptions p;
    p.threads = 3;
    p.min_chunk_bytes = min_chunk;
    std::size_t rows = 0;
    auto count = [](std::size_t& n, CsvReader& r) {
      CsvRow one;
      while (r.Next(&one)) ++n;
    };
    std::string error;
    try {
      const std::unique_ptr<CsvReader> rest = ScanStream<std::size_t>(
          header, p, [] { return std::make_unique<std::size_t>(0); }, count,
          [&](std::size_t& part) {
            rows += part;
            return true;
          });
      REQUIRE(rest != nullptr);
      count(rows, *rest);
    } catch (const Error& e) {
      error = e.Formatted();
    }
    CHECK(error == serial_error);
    CHECK(rows == serial_rows);
  }
}

TEST_CASE("a FIFO is not a regular file: never planned in chunks (a second open would block)") {
  TempDir dir;
  const std::string path = dir.Write("fifo_src.csv", Deals(200, 14));
  const std::string fifo = path + ".fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] {
    const int fd = open(fifo.c_str(), O_WRONLY);
    const std::string text = Deals(200, 14);
    for (std::size_t done = 0; fd >= 0 && done < text.size();) {
      const ssize_t n = write(fd, text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (fd >= 0) close(fd);
  });
  CsvReader header(OpenInput(fifo, Encoding::kUtf8));
  header.ReadHeader();
  CHECK_FALSE(header.regular_file());
  ParallelOptions p;
  p.threads = 4;
  p.min_chunk_bytes = 100;
  CHECK(PlanChunks(fifo, header, Encoding::kUtf8, p).empty());  // returns, does not block
  CHECK(StreamInParallel(fifo, header, Encoding::kUtf8, p));
  CsvRow row;
  std::size_t rows = 0;
  while (header.Next(&row)) ++rows;
  CHECK(rows == 200);
  writer.join();
  CsvReader regular(OpenInput(path, Encoding::kUtf8));
  regular.ReadHeader();
  CHECK(regular.regular_file());
  CHECK_FALSE(StreamInParallel(path, regular, Encoding::kUtf8, p));
}

TEST_CASE("a stream block that fails is read again serially from its start") {
  // A stray quote misplaces the cuts after it: the blocks from the failing one are dropped and
  // the rest reader continues from there, so the rows still equal the serial ones.
  std::string text = "deal_id,owner,stage,amount,created_at,closed_at,notes\n";
  const std::string rest = Deals(600, 10);
  text += rest.substr(rest.find('\n') + 1, 5000);
  text += "77,A,won,100,2024-01-01,2024-02-01,5\" pipe\n";
  text += rest.substr(rest.find('\n') + 1 + 5000);
  const std::vector<std::string> serial = SerialRows(text);
  bool had_rest = false;
  CHECK(StreamRows(text, 2, 800, &had_rest) == serial);
  CHECK(had_rest);

  // A malformed record: the rest reader fails with the serial error.
  std::string bad = Deals(600, 11);
  bad.insert(bad.size() / 2, "\n\"unclosed,1\n");
  std::string serial_error, stream_error;
  try {
    SerialRows(bad);
  } catch (const Error& e) {
    serial_error = e.Formatted();
  }
  try {
    StreamRows(bad, 2, 800, &had_rest);
  } catch (const Error& e) {
    stream_error = e.Formatted();
  }
  CHECK_FALSE(serial_error.empty());
  CHECK(stream_error == serial_error);
}

TEST_CASE("a CP932 file is read as a stream on all threads, with the serial result") {
  TempDir dir;
  // Japanese owners and stages in CP932 (converted while streaming, so not split by offset).
  std::string utf8 = "商談ID,担当者,フェーズ,金額,作成日,完了日,メモ\n";
  for (int i = 0; i < 3000; ++i) {
    utf8 += std::to_string(i) + ",担当" + std::to_string(i % 5) + "," +
            (i % 4 == 0 ? "受注" : i % 4 == 1 ? "失注" : "提案") + "," +
            std::to_string(1000 + i) + ",2024-01-" + std::to_string(10 + i % 19) + "," +
            (i % 4 < 2 ? "2024-03-01" : "") + "," + (i % 3 == 0 ? "\"一行目\n二行目\"" : "メモ") +
            "\n";
  }
  const std::string path = dir.Write("utf8.csv", utf8);
  // iconv is the oracle: convert the file to CP932 with it.
  const std::string cp932_path = dir.path() + "/cp932.csv";
  REQUIRE(std::system(("iconv -f UTF-8 -t CP932 " + path + " > " + cp932_path).c_str()) == 0);
  ReportOptions o = Options(cp932_path, 1, 1000);
  o.by = {{"担当者"}};
  o.period = Period::kNone;
  o.stages.order.clear();
  o.encoding = Encoding::kCp932;
  o.mappings = {};
  const std::string serial = Json(o);
  REQUIRE(serial.find("\"担当者\":\"担当3\"") != std::string::npos);
  for (unsigned threads : {2u, 3u}) {
    o.parallel.threads = threads;
    CHECK(Json(o) == serial);
  }
}

TEST_CASE("merged warning logs keep the first occurrence and add the counts") {
  WarningLog a, b;
  auto warning = [](std::uint64_t line) {
    DataWarning w;
    w.first.line = line;
    return w;
  };
  a.Add("invalid_date", 0, 3, [&] { return warning(10); });
  a.Add("invalid_date", 0, 3, [&] { return warning(11); });
  b.Add("invalid_amount", 0, 2, [&] { return warning(20); });
  b.Add("invalid_date", 0, 3, [&] { return warning(21); });
  a.Merge(b);
  const std::vector<DataWarning> w = a.Take();
  REQUIRE(w.size() == 2);
  CHECK(w[0].kind == "invalid_date");
  CHECK(w[0].first.line == 10);
  CHECK(w[0].count == 3);
  CHECK(w[1].kind == "invalid_amount");
  CHECK(w[1].first.line == 20);
  CHECK(w[1].count == 1);
}

TEST_CASE("a warning inserted into a log takes its place in the order, or adds its count") {
  WarningLog log;
  auto warning = [](std::uint64_t line, std::uint64_t count = 0) {
    DataWarning w;
    w.first.line = line;
    w.count = count;
    return w;
  };
  log.Add("invalid_date", 0, 3, [&] { return warning(10); });
  log.Add("unknown_stage", 0, 1, [&] { return warning(30); });
  REQUIRE(log.size() == 2);
  log.Insert(1, "out_of_order", 0, 3, warning(20, 4));  // between the two
  log.Insert(0, "invalid_date", 0, 3, warning(5, 2));   // known: the count only
  log.Insert(9, "missing_id", 0, 0, warning(40, 1));    // past the end: last
  const std::vector<DataWarning> w = log.Take();
  REQUIRE(w.size() == 4);
  CHECK(w[0].kind == "invalid_date");
  CHECK(w[0].first.line == 10);
  CHECK(w[0].count == 3);
  CHECK(w[1].kind == "out_of_order");
  CHECK(w[1].first.line == 20);
  CHECK(w[1].count == 4);
  CHECK(w[2].kind == "unknown_stage");
  CHECK(w[3].kind == "missing_id");
  CHECK(w[3].count == 1);
}

}  // namespace crmkpi

namespace crmkpi {
namespace {

// Header, records (line: fields) and the first error of |data| read serially (|stream|: false)
// or by ScanStream in blocks of |min_chunk| / 4 bytes, then the serial rest.
std::string BadOutcome(const std::string& data, char delimiter, std::size_t read_size,
                       std::size_t buffer, bool stream, std::uint64_t min_chunk) {
  CsvOptions options;
  options.delimiter = delimiter;
  options.buffer_size = buffer;
  std::string out;
  auto read = [&out](std::string& part, CsvReader& r) {
    CsvRow row;
    while (r.Next(&row)) {
      part += std::to_string(row.line) + ":";
      for (std::string_view f : row.fields) part += std::string(f) + "|";
      part += "\n";
    }
    (void)out;
  };
  try {
    CsvReader reader(MemoryInput(data, read_size, "t.csv"), options);
    for (const std::string& h : reader.ReadHeader()) out += h + "|";
    out += "\n";
    if (!stream) {
      read(out, reader);
    } else {
      ParallelOptions p;
      p.threads = 2;
      p.min_chunk_bytes = min_chunk;
      const std::unique_ptr<CsvReader> rest = ScanStream<std::string>(
          reader, p, [] { return std::make_unique<std::string>(); }, read,
          [&](std::string& part) {
            out += part;
            return true;
          });
      if (rest) read(out, *rest);
    }
  } catch (const Error& e) {
    out += "error " + e.Formatted();
  }
  return out;
}

}  // namespace
TEST_CASE("a report footer is left out by chunks and stream blocks, wherever they are cut") {
  // Deals (blank lines and quoted blank lines among them), then a Salesforce report footer.
  TempDir dir;
  const std::string text =
      Deals(300, 14) +
      "\r\n\"Confidential Information - Do Not Distribute\"\r\n\r\n"
      "\"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved.\"\r\n"
      "\"Generated By: A, B\"\r\n";
  const std::string path = dir.Write("report.csv", text);
  const std::vector<std::string> serial = SerialRows(text);
  REQUIRE(serial.size() == 300);

  // Two chunks cut at every line start of the tail: either both read, the last leaving the
  // footer out, or one fails (the parallel pass then reads serially) when the cut is at or in
  // the footer.
  CsvReader header(OpenInput(path, Encoding::kUtf8));
  header.ReadHeader();
  const std::uint64_t data_begin = header.bytes_consumed();
  int whole = 0, failed = 0;
  // From the last data record's start on (every line start there is a record's or a blank's).
  for (std::size_t cut = text.rfind("\n299,") + 1; cut < text.size(); ++cut) {
    if (text[cut - 1] != '\n') continue;
    INFO("cut at " << cut << ": " << text.substr(cut, 20));
    const auto line = static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + cut, '\n')) + 1;
    const bool after_blank =
        ChunkAfterBlank(std::string_view(text).substr(cut - 3, 3), false);
    const std::vector<ScanChunk> chunks = {{data_begin, cut, header.next_line(), false, false},
                                           {cut, text.size(), line, true, after_blank}};
    std::vector<std::string> rows;
    bool ok = true;
    for (const ScanChunk& chunk : chunks) {
      std::unique_ptr<CsvReader> r = OpenChunk(path, header, chunk);
      try {
        CsvRow row;
        while (r->Next(&row)) {
          rows.push_back(std::to_string(row.line) + ":" + std::string(row.fields.front()) +
                         ":" + std::string(row.fields.back()));
        }
        CHECK(r->footer().has_value() == chunk.last);
      } catch (const Error&) {
        ok = false;
        break;
      }
    }
    if (ok) {
      ++whole;
      CHECK(rows == serial);
    } else {
      ++failed;
      CHECK(cut > text.find("\r\n\"Confidential") - 2);  // at or in the footer only
    }
  }
  CHECK(whole > 0);
  CHECK(failed > 0);

  // The report, serial and parallel alike, with and without --lenient: no row skipped.
  const std::string json = Json(Options(path, 1, 16));
  CHECK(json.find("\"skipped_row\"") == std::string::npos);  // no warning of that kind
  for (unsigned threads : {2u, 3u, 5u, 8u, 13u, 32u}) {
    INFO("threads " << threads);
    CHECK(Json(Options(path, threads, 16)) == json);
    ReportOptions lenient = Options(path, threads, 16);
    lenient.lenient = true;
    CHECK(Json(lenient) == json);
  }

  // A stream in blocks of 1 to 1000 bytes: the same rows, the footer left out.
  for (std::uint64_t min_chunk : {4u, 40u, 400u, 4000u}) {
    for (unsigned threads : {2u, 3u}) {
      INFO("threads " << threads << " min_chunk " << min_chunk);
      bool had_rest = false;
      CHECK(StreamRows(text, threads, min_chunk, &had_rest) == serial);
    }
  }
}

}  // namespace crmkpi

TEST_CASE("the stream pass reports an invalid byte at a block's end as the serial pass does") {
  // Found by the CSV fuzzer (tests/fuzz/regressions/csv/stream_block_*): a record with an
  // invalid byte at the end of a block was returned, or dropped, without an error, and an
  // invalid byte cut the data before a CR that had ended the record before it.
  using crmkpi::BadOutcome;
  struct Case {
    std::string data;
    char delimiter;
    std::string want;
  };
  const std::vector<Case> cases = {
      {",,\n,\x81", ',', "||\nerror t.csv:2:2: invalid UTF-8 at byte offset 4"},
      {"J9\n\xFF", ';', "J9|\nerror t.csv:2:1: invalid UTF-8 at byte offset 3"},
      {"a,b\n1,2\n3,\xE2\x82\n5,6\n", ',', "a|b|\n2:1|2|\nerror t.csv:3:3: invalid UTF-8"},
      {"a\n1\n21\r\xFFx\n2\n", ',', "a|\n2:1|\n3:21|\nerror t.csv:4:1: invalid UTF-8 at byte offset 7"},
      {std::string("hdr\n1\n21\r\0x\n2\n", 14), ',', "hdr|\n2:1|\n3:21|\nerror t.csv:4:1: the input "
                                                        "holds a NUL byte"},
  };
  for (const Case& c : cases) {
    const std::string want = BadOutcome(c.data, c.delimiter, SIZE_MAX, 1 << 20, false, 0);
    INFO("input " << Catch::Detail::stringify(c.data) << "\nserial: " << want);
    CHECK(want.find(c.want) != std::string::npos);
    for (std::size_t read_size = 1; read_size <= c.data.size(); ++read_size) {
      for (std::size_t buffer : {8, 32, 256}) {
        INFO("reads of " << read_size << " buffer " << buffer);
        REQUIRE(BadOutcome(c.data, c.delimiter, read_size, buffer, false, 0) == want);
        for (std::uint64_t min_chunk : {4, 8, 12, 20, 40, 52}) {
          INFO("blocks of " << min_chunk / 4);
          REQUIRE(BadOutcome(c.data, c.delimiter, read_size, buffer, true, min_chunk) == want);
        }
      }
    }
  }
}
