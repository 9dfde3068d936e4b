// Differential test of CsvReader against an independent parser, fast-cpp-csv-parser
// (io::CSVReader with double_quote_escape), on files without quoted line breaks (which that
// parser does not support). Both must yield the same fields, row for row.
//
// Sources: (a) a file generated here (deterministic, so the test means something in a fresh
// clone): commas, doubled quotes, empty cells, quoted empty cells, UTF-8 Japanese text, spaces,
// some CRLF line ends, no final newline; (b) ../shared/bench/gen_deals.py output, when that
// checkout exists next to the repository.
#include "crmkpi/read/csv_reader.h"

#include <catch2/catch.hpp>

// fast-cpp-csv-parser is not written for -Wconversion -Wshadow; its warnings are not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <csv.h>
#pragma GCC diagnostic pop

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kColumns = 10;
const std::array<const char*, kColumns> kNames = {"deal_id", "account",    "owner",
                                                  "source",  "stage",      "amount",
                                                  "created_at", "closed_at", "email",
                                                  "notes"};

using Row = std::array<std::string, kColumns>;

// splitmix64: fully specified, so the generated file is the same on every platform (unlike
// std::uniform_int_distribution).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t Below(std::size_t n) { return static_cast<std::size_t>(Next() % n); }
  bool Chance(unsigned percent) { return Below(100) < percent; }

 private:
  std::uint64_t state_;
};

// Pieces a field is built from (UTF-8). No CR or LF anywhere.
const std::vector<std::string> kPieces = {
    "Acme",   "Globex",     "Initech",        "won",          "lost",
    "lead",   "12345",      "2024-03-01",     "a@example.com", " ",
    ",",      ", ",         "\"",             "\"\"",         "'",
    ";",      "\t",         "株式会社",       "サンプル商事", "佐藤\u3000花子",
    "見積提出済み、来週回答予定", "￥1,200,000", "受注",       "ü",
    "€",      "😀",         "x",              "Budget approved", "-",
};

std::string RandomField(Rng& rng) {
  if (rng.Chance(12)) return "";
  std::string f;
  const std::size_t n = 1 + rng.Below(6);
  for (std::size_t i = 0; i < n; ++i) f += kPieces[rng.Below(kPieces.size())];
  return f;
}

// RFC 4180 quoting: needed for a delimiter or quote; also applied at random to plain fields
// (including empty ones, written "").
std::string Render(const std::string& field, Rng& rng) {
  const bool needs = field.find_first_of(",\"") != std::string::npos;
  if (!needs && !rng.Chance(10)) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// Writes the generated file and returns the rows it holds.
std::vector<Row> WriteGenerated(const fs::path& path, std::size_t rows) {
  Rng rng(20240917);
  std::vector<Row> expected;
  expected.reserve(rows);
  std::ofstream out(path, std::ios::binary);
  for (std::size_t c = 0; c < kColumns; ++c) out << (c ? "," : "") << kNames[c];
  out << "\n";
  for (std::size_t r = 0; r < rows; ++r) {
    Row row;
    for (std::size_t c = 0; c < kColumns; ++c) {
      row[c] = RandomField(rng);
      if (c) out << ',';
      out << Render(row[c], rng);
    }
    // No final newline on the last record; some CRLF line ends.
    if (r + 1 < rows) out << (rng.Chance(5) ? "\r\n" : "\n");
    expected.push_back(std::move(row));
  }
  REQUIRE(out.good());
  return expected;
}

std::vector<Row> ReadOurs(const fs::path& path) {
  crmkpi::CsvReader reader(crmkpi::OpenInput(path.string(), crmkpi::Encoding::kUtf8),
                           crmkpi::CsvOptions{});
  const std::vector<std::string>& header = reader.ReadHeader();
  REQUIRE(header == std::vector<std::string>(kNames.begin(), kNames.end()));
  std::vector<Row> rows;
  crmkpi::CsvRow row;
  while (reader.Next(&row)) {
    if (row.fields.size() != kColumns) {
      FAIL("CsvReader record " << row.number << " at line " << row.line << " has "
                               << row.fields.size() << " fields");
    }
    Row r;
    for (std::size_t c = 0; c < kColumns; ++c) r[c] = std::string(row.fields[c]);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<Row> ReadOracle(const fs::path& path) {
  io::CSVReader<kColumns, io::trim_chars<>, io::double_quote_escape<',', '"'>> in(path.string());
  in.read_header(io::ignore_no_column, kNames[0], kNames[1], kNames[2], kNames[3], kNames[4],
                 kNames[5], kNames[6], kNames[7], kNames[8], kNames[9]);
  std::vector<Row> rows;
  Row r;
  while (in.read_row(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])) {
    rows.push_back(r);
  }
  return rows;
}

std::string Show(const Row& r) {
  std::ostringstream s;
  for (std::size_t c = 0; c < kColumns; ++c) s << (c ? " | " : "") << '[' << r[c] << ']';
  return s.str();
}

// Compares row for row; reports the first difference (one assertion, not one per field).
void CompareRows(const std::vector<Row>& ours, const std::vector<Row>& oracle,
                 const char* ours_name = "CsvReader", const char* oracle_name = "oracle") {
  CHECK(ours.size() == oracle.size());
  const std::size_t n = std::min(ours.size(), oracle.size());
  std::size_t mismatches = 0, first = n;
  for (std::size_t i = 0; i < n; ++i) {
    if (ours[i] != oracle[i]) {
      if (mismatches++ == 0) first = i;
    }
  }
  if (first < n) {
    INFO("first differing data record: " << first + 1);
    INFO(ours_name << ": " << Show(ours[first]));
    INFO(oracle_name << ": " << Show(oracle[first]));
    CHECK(mismatches == 0);
    return;
  }
  CHECK(mismatches == 0);
}

// A temporary directory removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("crmkpi_oracle_" + std::to_string(::getpid()) + "_" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The integer after "key": in a small JSON file (gen_deals' truth), or -1.
long long JsonInt(const fs::path& path, const std::string& key) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const std::string needle = "\"" + key + "\":";
  std::size_t p = text.find(needle);
  if (p == std::string::npos) return -1;
  p += needle.size();
  while (p < text.size() && text[p] == ' ') ++p;
  return std::strtoll(text.c_str() + p, nullptr, 10);
}

}  // namespace

TEST_CASE("CsvReader agrees with fast-cpp-csv-parser on files without quoted newlines",
          "[oracle][csv]") {
  TempDir tmp;

  SECTION("generated file: commas, doubled quotes, empty cells, Japanese text") {
    const fs::path file = tmp.path / "generated.csv";
    constexpr std::size_t kRows = 20000;
    const std::vector<Row> expected = WriteGenerated(file, kRows);
    const std::vector<Row> ours = ReadOurs(file);
    const std::vector<Row> oracle = ReadOracle(file);
    REQUIRE(oracle.size() == kRows);
    // The oracle must itself read back what was written, or the comparison proves nothing.
    CompareRows(oracle, expected, "oracle", "generator");
    CompareRows(ours, oracle);
  }

  SECTION("../shared/bench/gen_deals.py output") {
    const fs::path gen = fs::path(CRMKPI_SOURCE_DIR) / ".." / "shared" / "bench" / "gen_deals.py";
    if (!fs::exists(gen)) {
      WARN("skipped: ../shared not found");
      return;
    }
    const fs::path file = tmp.path / "gen_deals.csv";
    const std::string cmd = "python3 " + ShellQuote(gen.string()) + " --bytes 5000000 --out " +
                            ShellQuote(file.string()) + " 2>/dev/null";
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
    const std::vector<Row> ours = ReadOurs(file);
    const std::vector<Row> oracle = ReadOracle(file);
    const long long truth_rows = JsonInt(fs::path(file.string() + ".truth.json"), "rows");
    REQUIRE(truth_rows > 0);
    CHECK(oracle.size() == static_cast<std::size_t>(truth_rows));
    CompareRows(ours, oracle);
  }
}
