// Unit tests of the streaming CSV reader: every RFC 4180 case, every refill boundary, and the
// exact error messages and locations a user sees.
#include "crmkpi/read/csv_reader.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using crmkpi::CsvOptions;
using crmkpi::CsvReader;
using crmkpi::CsvRow;
using crmkpi::Error;
using crmkpi::ExitCode;
using crmkpi::MemoryInput;

namespace {

using Rows = std::vector<std::vector<std::string>>;

struct Parsed {
  std::vector<std::string> header;
  Rows rows;
  std::vector<std::uint64_t> lines;
};

Parsed Parse(const std::string& data, std::size_t chunk = SIZE_MAX, std::size_t buffer = 1 << 16,
             CsvOptions options = {}) {
  options.buffer_size = buffer;
  CsvReader reader(MemoryInput(data, chunk, "t.csv"), options);
  Parsed p;
  p.header = reader.ReadHeader();
  CsvRow row;
  while (reader.Next(&row)) {
    p.rows.emplace_back(row.fields.begin(), row.fields.end());
    p.lines.push_back(row.line);
  }
  return p;
}

std::string ErrorOf(const std::string& data, CsvOptions options = {},
                    std::size_t buffer = 1 << 16) {
  try {
    Parse(data, SIZE_MAX, buffer, options);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kInput);
    return e.Formatted();
  }
  return "no error";
}

}  // namespace

TEST_CASE("plain records", "[csv]") {
  const Parsed p = Parse("a,b,c\n1,2,3\n4,,6\n");
  CHECK(p.header == std::vector<std::string>{"a", "b", "c"});
  CHECK(p.rows == Rows{{"1", "2", "3"}, {"4", "", "6"}});
  CHECK(p.lines == std::vector<std::uint64_t>{2, 3});
}

TEST_CASE("quoted fields: delimiters, doubled quotes, newlines", "[csv]") {
  const Parsed p = Parse(
      "id,note\n"
      "1,\"Called, no answer\"\n"
      "2,\"Said \"\"maybe\"\", later\"\n"
      "3,\"line one\nline two\"\n"
      "4,\"\"\n"
      "5,5\" pipe\n");
  CHECK(p.rows == Rows{{"1", "Called, no answer"},
                       {"2", "Said \"maybe\", later"},
                       {"3", "line one\nline two"},
                       {"4", ""},
                       {"5", "5\" pipe"}});
  // Record 4 starts on physical line 6 because record 3 spans two lines.
  CHECK(p.lines == std::vector<std::uint64_t>{2, 3, 4, 6, 7});
}

TEST_CASE("CRLF, BOM, missing final newline, blank lines", "[csv]") {
  CHECK(Parse("\xEF\xBB\xBFh1,h2\r\nx,y\r\n").header == std::vector<std::string>{"h1", "h2"});
  CHECK(Parse("h1,h2\r\nx,y\r\n").rows == Rows{{"x", "y"}});
  CHECK(Parse("h1,h2\r\nx,\"y\r\nz\"\r\n").rows == Rows{{"x", "y\r\nz"}});
  CHECK(Parse("h1,h2\nx,y").rows == Rows{{"x", "y"}});
  CHECK(Parse("h1,h2\nx,\"y\"").rows == Rows{{"x", "y"}});
  CHECK(Parse("h1,h2\nx,y\n\n").rows == Rows{{"x", "y"}});
  CHECK(Parse("h1,h2\nx,y\r\n\r\n").rows == Rows{{"x", "y"}});
  const Parsed blank = Parse("h1,h2\n\nx,y\n");
  CHECK(blank.rows == Rows{{"x", "y"}});
  CHECK(blank.lines == std::vector<std::uint64_t>{3});
  CHECK(Parse("h1,h2\nx,").rows == Rows{{"x", ""}});
  CHECK(Parse("h\n").rows.empty());
}

TEST_CASE("a header row is required", "[csv]") {
  CHECK(ErrorOf("") == "t.csv: empty input: a header row is required");
  CHECK(ErrorOf("\n\n") == "t.csv: empty input: a header row is required");
}

TEST_CASE("unclosed quote is reported where it opened", "[csv]") {
  CHECK(ErrorOf("id,note\n1,ok\n2,\"never closed\n3,x\n") ==
        "t.csv:3:3: unclosed quote: field 2 ('note') opens a quote here that is never closed "
        "before the end of the input");
}

TEST_CASE("text after a closing quote is an error with its location", "[csv]") {
  CHECK(ErrorOf("id,note\n1,\"a\"b\n") ==
        "t.csv:2:6: unexpected 'b' after the closing quote of field 2 ('note'); a quote inside "
        "a quoted field must be doubled (\"\")");
}

TEST_CASE("a quote left open and closed by a later field's quote points back", "[csv]") {
  CHECK(ErrorOf("id,note,x\n1,\"open,a\n2,\"b\",c\n") ==
        "t.csv:3:4: unexpected 'b' after the closing quote of field 2 ('note'); a quote inside "
        "a quoted field must be doubled (\"\"); this quoted field starts at line 2, column 3: "
        "is a closing quote missing there?");
}

TEST_CASE("invalid UTF-8 names the line and byte offset", "[csv]") {
  CHECK(ErrorOf("id,name\n1,ok\n2,\x8a\x94\x8e\xae\n") ==
        "t.csv:3:3: invalid UTF-8 at byte offset 15 (the input is read as utf-8): these bytes "
        "read as cp932: re-run with --encoding cp932");
  // A Latin-1 line in a file read as UTF-8: the hint names the encoding of the bytes.
  CHECK(ErrorOf("id,name\n1,Se\xF1or P\xE9rez\n") ==
        "t.csv:2:5: invalid UTF-8 at byte offset 12 (the input is read as utf-8): these bytes "
        "read as windows-1252: re-run with --encoding windows-1252");
  CHECK(ErrorOf("id,name\n1,\xE6\xA0") ==
        "t.csv:2: invalid UTF-8: truncated sequence at byte offset 10 (end of input)");
  CHECK(Parse("id,name\n1,株式会社\n").rows == Rows{{"1", "株式会社"}});
}

TEST_CASE("delimiters", "[csv]") {
  CsvOptions semi;
  semi.delimiter = ';';
  CHECK(Parse("a;b\n1,5;\"x;y\"\n", SIZE_MAX, 1 << 16, semi).rows == Rows{{"1,5", "x;y"}});
  CsvOptions sniff;
  sniff.auto_delimiter = true;
  CHECK(Parse("a\tb\tc\n1\t2\t3\n", SIZE_MAX, 1 << 16, sniff).rows == Rows{{"1", "2", "3"}});
  CHECK(Parse("\"a;b\",c,d\n1,2,3\n", SIZE_MAX, 1 << 16, sniff).rows == Rows{{"1", "2", "3"}});
  CHECK(Parse("a;b;c\n1;2;3\n", SIZE_MAX, 1 << 16, sniff).rows == Rows{{"1", "2", "3"}});
}

TEST_CASE("locations of fields count characters, not bytes", "[csv]") {
  CsvReader reader(MemoryInput("a,b,c\n\"x\ny\",株式,z\n"), {});
  reader.ReadHeader();
  CsvRow row;
  REQUIRE(reader.Next(&row));
  CHECK(reader.Locate(0).ToString() == "<memory>:2:1");
  CHECK(reader.Locate(1).ToString() == "<memory>:3:4");
  CHECK(reader.Locate(2).ToString() == "<memory>:3:7");
  CHECK(reader.Locate(3).ToString() == "<memory>:3:8");  // end of record
}

TEST_CASE("every refill boundary gives the same records", "[csv]") {
  const std::string data =
      "\xEF\xBB\xBF"
      "id,account,note\r\n"
      "1,\"株式会社サンプル, 東京\",\"Said \"\"yes\"\",\r\nthen \"\"no\"\"\"\r\n"
      "2,Acme,plain\r\n"
      "\r\n"
      "3,\"\",\"\"\"\"\r\n"
      "4,x,\"a\nb\nc\"\n"
      "5,y,last";
  const Parsed want = Parse(data);
  REQUIRE(want.rows.size() == 5);
  CHECK(want.rows[0] == std::vector<std::string>{"1", "株式会社サンプル, 東京",
                                                 "Said \"yes\",\r\nthen \"no\""});
  CHECK(want.rows[2] == std::vector<std::string>{"3", "", "\""});
  CHECK(want.lines == std::vector<std::uint64_t>{2, 4, 6, 7, 10});
  // Chunk sizes make the input arrive a few bytes at a time, so every record, quote, CRLF and
  // multibyte character is cut at every offset; tiny buffers force moves and growth.
  for (std::size_t chunk = 1; chunk <= data.size(); ++chunk) {
    for (std::size_t buffer : {4, 5, 7, 16, 64, 4096}) {
      const Parsed got = Parse(data, chunk, buffer);
      INFO("chunk " << chunk << " buffer " << buffer);
      REQUIRE(got.header == want.header);
      REQUIRE(got.rows == want.rows);
      REQUIRE(got.lines == want.lines);
    }
  }
}

TEST_CASE("a record larger than the limit is an error, not unbounded memory", "[csv]") {
  CsvOptions o;
  o.max_record_bytes = 64;
  const std::string data = "a,b\n1,\"" + std::string(200, 'x') + "\"\n";
  CHECK(ErrorOf(data, o, 16) ==
        "t.csv:2: the record starting on this line is larger than 64 bytes; is a quote left "
        "open?");
}

TEST_CASE("raw_record: a record's bytes as read, without its terminator", "[csv]") {
  const std::string data =
      "\xEF\xBB\xBFid,\"note\"\r\n1,\"two\r\nlines, \"\"q\"\"\"\r\n\r\n2,plain\n3,\"end\"";
  // Every refill boundary (chunk sizes 1..7 and a small buffer) gives the same raw bytes.
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{7}, SIZE_MAX}) {
    CsvOptions options;
    options.buffer_size = 16;
    CsvReader reader(MemoryInput(data, chunk, "t.csv"), options);
    reader.ReadHeader();
    CHECK(reader.raw_header() == "id,\"note\"");  // BOM stripped
    std::vector<std::string> raw;
    CsvRow row;
    while (reader.Next(&row)) raw.emplace_back(reader.raw_record());
    CHECK(raw == std::vector<std::string>{"1,\"two\r\nlines, \"\"q\"\"\"", "2,plain",
                                          "3,\"end\""});
  }
}

TEST_CASE("CR alone ends a line (classic Mac), also mixed with LF and CRLF", "[csv]") {
  // Excel's "CSV (Macintosh)": every line ends in CR alone. It used to be one header line.
  const Parsed mac = Parse("id,stage\r1,won\r2,\"two\rlines\"\r\r3,lost\r");
  CHECK(mac.header == std::vector<std::string>{"id", "stage"});
  CHECK(mac.rows == Rows{{"1", "won"}, {"2", "two\rlines"}, {"3", "lost"}});
  CHECK(mac.lines == std::vector<std::uint64_t>{2, 3, 6});  // the quoted CR and the blank line
  CHECK(Parse("a,b\r1,2").rows == Rows{{"1", "2"}});
  CHECK(Parse("a,b\r1,\"2\"\r3,4").rows == Rows{{"1", "2"}, {"3", "4"}});
  const Parsed mixed = Parse("a,b\r1,2\n3,4\r\n5,6\r7,8");
  CHECK(mixed.rows == Rows{{"1", "2"}, {"3", "4"}, {"5", "6"}, {"7", "8"}});
  CHECK(mixed.lines == std::vector<std::uint64_t>{2, 3, 4, 5});
}

TEST_CASE("CR line ends at every refill boundary; errors count CR lines", "[csv]") {
  // A CR at the end of one read and its LF at the start of the next is one line end.
  const std::string data = "id,note\r1,\"a\r\nb\"\r\n2,x\r\r3,\"\"\"q\"\r4,y\r\n5,z";
  const Parsed want = Parse(data);
  CHECK(want.rows == Rows{{"1", "a\r\nb"}, {"2", "x"}, {"3", "\"q"}, {"4", "y"}, {"5", "z"}});
  CHECK(want.lines == std::vector<std::uint64_t>{2, 4, 6, 7, 8});
  for (std::size_t chunk = 1; chunk <= data.size(); ++chunk) {
    for (std::size_t buffer : {4, 5, 7, 16, 4096}) {
      const Parsed got = Parse(data, chunk, buffer);
      INFO("chunk " << chunk << " buffer " << buffer);
      REQUIRE(got.rows == want.rows);
      REQUIRE(got.lines == want.lines);
    }
  }
  CHECK(ErrorOf("id,note\r1,ok\r2,\"a\"b\r") ==
        "t.csv:3:6: unexpected 'b' after the closing quote of field 2 ('note'); a quote inside "
        "a quoted field must be doubled (\"\")");
  CHECK(ErrorOf("id,name\r1,ok\r\r2,\x8a\x94\x8e\xae\r") ==
        "t.csv:4:3: invalid UTF-8 at byte offset 16 (the input is read as utf-8): these bytes "
        "read as cp932: re-run with --encoding cp932");
}

TEST_CASE("the earliest error is reported: a malformed record before an invalid byte", "[csv]") {
  // The whole input arrives in one read; the invalid byte on line 4 must not hide line 2.
  const std::string data = "id,note\n1,\"a\"b\n2,ok\n3,\xff\n";
  const std::string want =
      "t.csv:2:6: unexpected 'b' after the closing quote of field 2 ('note'); a quote inside a "
      "quoted field must be doubled (\"\")";
  CHECK(ErrorOf(data) == want);
  CHECK(ErrorOf(data, {}, 4) == want);
  // And the records before the invalid byte are all read first.
  CsvReader reader(MemoryInput("id\n1\n2\n\xff\n", SIZE_MAX, "t.csv"));
  reader.ReadHeader();
  CsvRow row;
  CHECK(reader.Next(&row));
  CHECK(reader.Next(&row));
  CHECK_THROWS_WITH(reader.Next(&row), Catch::Contains("t.csv:4:1: invalid UTF-8 at byte offset 7"));
}

TEST_CASE("the delimiter sniff (-d auto) reads only the header line, quote-aware", "[csv]") {
  CsvOptions sniff;
  sniff.auto_delimiter = true;
  // A quote inside an unquoted header field is data: it opened a "quoted" stretch that ran
  // into the data lines, whose commas then won, or not, depending on the first read's size.
  const std::string data = "Size 5\" pipe;Stage;Amount\n1,5;won;10\n2,5;lost;\"2,0\"\n";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{30},
                            SIZE_MAX}) {
    INFO("chunk " << chunk);
    const Parsed p = Parse(data, chunk, 1 << 16, sniff);
    CHECK(p.header == std::vector<std::string>{"Size 5\" pipe", "Stage", "Amount"});
    CHECK(p.rows == Rows{{"1,5", "won", "10"}, {"2,5", "lost", "2,0"}});
  }
  // A quoted header field with the other delimiters and a line break inside.
  CHECK(Parse("\"a;b\nc\";d;e\n1;2;3\n", 3, 1 << 16, sniff).rows == Rows{{"1", "2", "3"}});
  // CR-only header line: the sniff stops at the CR.
  CHECK(Parse("a;b\r1,5;2\r", SIZE_MAX, 1 << 16, sniff).rows == Rows{{"1,5", "2"}});
}

TEST_CASE("inputs that are not CSV text are named for what they look like", "[csv]") {
  auto error = [](const std::string& data, std::size_t chunk) {
    try {
      Parse(data, chunk);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kInput);
      return e.Formatted();
    }
    return std::string("no error");
  };
  for (std::size_t chunk : {std::size_t{3}, SIZE_MAX}) {
    INFO("chunk " << chunk);
    CHECK(error(std::string("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5\xe3", 16), chunk) ==
          "t.csv: this looks like an Excel workbook (.xlsx, a ZIP file), not CSV text: open it "
          "in Excel and save it as CSV (File > Save As > CSV UTF-8), or export CSV from the CRM");
    CHECK(error("\x89PNG\r\n\x1a\n", chunk) == "t.csv: this looks like a PNG image, not CSV text");
    std::string utf16;
    for (char c : std::string("Stage,Amount\nwon,5\n")) utf16 += std::string{c, '\0'};
    CHECK(error(utf16, chunk) ==
          "t.csv: this looks like UTF-16 text without a byte-order mark (a NUL byte after "
          "every ASCII character): read it with --encoding utf-16");
    std::string utf16be;
    for (char c : std::string("Stage,Amount\nwon,5\n")) utf16be += std::string{'\0', c};
    CHECK(error(utf16be, chunk) ==
          "t.csv: this looks like big-endian UTF-16 text without a byte-order mark (a NUL byte "
          "before every ASCII character): read it with --encoding utf-16be");
    CHECK(error(std::string("Sta\0ge,Amount\nwon,5\n", 20), chunk) ==
          "t.csv:1:4: the input holds a NUL byte (\\x00), which CSV text never does: is it a "
          "binary file, or text in another encoding? crmkpi reads UTF-8 CSV (or --encoding "
          "cp932 / utf-16)");
  }
  // UTF-16 with Japanese text (not valid UTF-8 either) is named too, not "needs cp932".
  std::string japanese;
  for (char16_t c : std::u16string(u"商談名,金額\n株式会社,5\n")) {
    japanese += static_cast<char>(c & 0xFF);
    japanese += static_cast<char>(c >> 8);
  }
  CHECK(error(japanese, SIZE_MAX).find("UTF-16 text without a byte-order mark") !=
        std::string::npos);
}

TEST_CASE("control characters in messages are escaped, not printed or cut", "[csv]") {
  // A NUL cut the printed message (printf %s) and raw control bytes garble a terminal.
  const std::string message = ErrorOf("a,b\x01\x7f\x1b[31m\n1,\"x");
  CHECK(message ==
        "t.csv:2:3: unclosed quote: field 2 ('b\\x01\\x7f\\x1b[31m') opens a quote here that is "
        "never closed before the end of the input");
  const Error e(ExitCode::kInput, std::string("value 'a\0b\tc\r\n' here", 20),
                {std::string("f\x02.csv"), 3, 0});
  CHECK(e.Formatted() == "f\\x02.csv:3: value 'a\\x00b\\tc\\r\\n' here");
  CHECK(std::string(e.what()) == e.Formatted());
  CHECK(crmkpi::EscapeControls("株式会社 ok") == "株式会社 ok");
}

namespace {

// Header, records (line: fields) and the first error, as one string.
std::string Outcome(const std::string& data, std::size_t chunk, std::size_t buffer,
                    CsvOptions options = {}) {
  options.buffer_size = buffer;
  std::string out;
  try {
    CsvReader reader(MemoryInput(data, chunk, "t.csv"), options);
    for (const std::string& h : reader.ReadHeader()) out += h + "|";
    out += "\n";
    CsvRow row;
    while (reader.Next(&row)) {
      out += std::to_string(row.line) + ":";
      for (std::string_view f : row.fields) out += std::string(f) + "|";
      out += "\n";
    }
  } catch (const Error& e) {
    out += "error " + e.Formatted();
  }
  return out;
}

}  // namespace

TEST_CASE("bad inputs give the same outcome for every read and buffer size", "[csv]") {
  // Found by the CSV fuzzer (tests/fuzz/regressions/csv/): the head sniffs (NUL bytes, UTF-16,
  // signatures) decided on the first read only; a NUL on a later line failed the header; an
  // incomplete UTF-8 sequence at the end of a read was parsed (as "a byte after the closing
  // quote") before it was validated; a record ended by a CR before an invalid byte was lost.
  const std::string nul = "the input holds a NUL byte";
  struct Case {
    std::string data, want;  // want: a part of the whole-read outcome
  };
  const std::vector<Case> cases = {
      {std::string("a,b\r1,\0a,b\r1,2\r3,4\r", 20), "a|b|\nerror t.csv:2:3: " + nul},
      {std::string("d\xFF\xFF,\0", 5), "error t.csv:1:2: invalid UTF-8 at byte offset 1"},
      {std::string("\0\0\n\0\n", 5), "error t.csv:1:1: " + nul},
      {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "error t.csv: this looks like an Excel 97-2003"},
      {"\xFD" "7zXZ\0\0", "error t.csv: this looks like an xz-compressed file"},
      {"a,b\n1,\"x\"\xC6z\n", "error t.csv:2:6: invalid UTF-8 at byte offset 9"},
      {"a,b\n1,\"x\"\xC3\x86\n", "error t.csv:2:6: unexpected byte 0xc3 after the closing quote"},
      {"2\n\xCE\xF5<N\n", "2|\nerror t.csv:2:1: invalid UTF-8 at byte offset 2"},
      {"a\n1\r\xFF\n", "a|\n2:1|\nerror t.csv:3:1: invalid UTF-8 at byte offset 4"},
      {std::string("hdr\n21\r\0x\n", 10), "hdr|\n2:21|\nerror t.csv:3:1: " + nul},
  };
  for (const Case& c : cases) {
    const std::string want = Outcome(c.data, SIZE_MAX, 1 << 20);
    INFO("input " << Catch::Detail::stringify(c.data) << "\nwhole read: " << want);
    CHECK(want.find(c.want) != std::string::npos);
    for (std::size_t chunk = 1; chunk <= c.data.size(); ++chunk) {
      for (std::size_t buffer : {4, 5, 8, 64}) {
        INFO("chunk " << chunk << " buffer " << buffer);
        REQUIRE(Outcome(c.data, chunk, buffer) == want);
      }
    }
  }
}

namespace {

// Outcome(), then the report footer the reader left out: "footer LINE:RECORDS:FIRST".
std::string FooterOutcome(const std::string& data, std::size_t chunk, std::size_t buffer,
                          CsvOptions options = {}) {
  options.buffer_size = buffer;
  std::string out;
  try {
    CsvReader reader(MemoryInput(data, chunk, "t.csv"), options);
    reader.ReadHeader();
    CsvRow row;
    while (reader.Next(&row)) {
      out += std::to_string(row.line) + ":";
      for (std::string_view f : row.fields) out += std::string(f) + "|";
      out += "\n";
    }
    if (reader.footer()) {
      out += "footer " + std::to_string(reader.footer()->line) + ":" +
             std::to_string(reader.footer()->records) + ":" + reader.footer()->first;
    }
  } catch (const Error& e) {
    out += "error " + e.Formatted();
  }
  return out;
}

// FooterOutcome for every read size and a few buffer sizes (moves, growth) must equal the
// whole read's; returns that.
std::string SameForEveryReadSize(const std::string& data, CsvOptions options = {}) {
  const std::string want = FooterOutcome(data, SIZE_MAX, 1 << 20, options);
  INFO("input " << Catch::Detail::stringify(data) << "\nwhole read: " << want);
  for (std::size_t chunk = 1; chunk <= data.size(); ++chunk) {
    for (std::size_t buffer : {4, 5, 8, 64}) {
      INFO("chunk " << chunk << " buffer " << buffer);
      REQUIRE(FooterOutcome(data, chunk, buffer, options) == want);
    }
  }
  return want;
}

}  // namespace

TEST_CASE("a report footer is left out, at every read and buffer size", "[csv][footer]") {
  // Salesforce's report export: CRLF, a blank line, then one quoted field per line (a comma
  // inside the quotes is no delimiter).
  const std::string sf =
      "\xEF\xBB\xBF\"Name\",\"Stage\",\"Amount\"\r\n"
      "\"A\",\"Won\",\"100\"\r\n"
      "\"B, Inc.\",\"Open\",\"\"\r\n"
      "\r\n"
      "\"機密情報 - 配布禁止\"\r\n"
      "\"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved.\"\r\n";
  CHECK(SameForEveryReadSize(sf) ==
        "2:A|Won|100|\n3:B, Inc.|Open||\nfooter 5:2:機密情報 - 配布禁止");
  // Unquoted, several blank lines before, among and after, no final newline, CR-only lines.
  CHECK(SameForEveryReadSize("a,b\n1,2\n\n\nConfidential\n\nGenerated By: X\n\n") ==
        "2:1|2|\nfooter 5:2:Confidential");
  CHECK(SameForEveryReadSize("a,b\r1,2\r\r\"Report, Q3\"\rCompany") ==
        "2:1|2|\nfooter 4:2:Report, Q3");
  // A footer after the header alone (a report with no rows), and a quoted line break in it.
  CHECK(SameForEveryReadSize("a,b\n\n\"two\nlines\"\n") == "footer 3:1:two\nlines");
  // Blank lines in the data look ahead and read on.
  CHECK(SameForEveryReadSize("a,b\n1,2\n\n3,4\n\n\nx\n") == "2:1|2|\n4:3|4|\nfooter 7:1:x");
  // The bounds: 20 records, and 64 KiB from the first one's start to the end.
  std::string twenty = "a,b\n1,2\n\n";
  for (int i = 0; i < 20; ++i) twenty += "line " + std::to_string(i) + "\n";
  CHECK(FooterOutcome(twenty, SIZE_MAX, 1 << 20) == "2:1|2|\nfooter 4:20:line 0");
  CHECK(FooterOutcome(twenty, 7, 4) == "2:1|2|\nfooter 4:20:line 0");
  const std::string big = "a,b\n1,2\n\n" + std::string(crmkpi::kMaxFooterBytes - 1, 'x') + "\n";
  CHECK(FooterOutcome(big, 1000, 64).substr(0, 19) == "2:1|2|\nfooter 4:1:x");
}

TEST_CASE("one-field records that are not a footer stay records (a field-count error)",
          "[csv][footer]") {
  // No blank line before it: a truncated row.
  CHECK(SameForEveryReadSize("a,b\n1,2\nx\n") == "2:1|2|\n3:x|\n");
  // A record of the header's width after it: the data goes on; the first one-field line is
  // the first record handed out (the caller's error points at it).
  CHECK(SameForEveryReadSize("a,b\n1,2\n\nx\n\ny\n3,4\n") == "2:1|2|\n4:x|\n6:y|\n7:3|4|\n");
  // A wider or narrower record than one field, after the blank line.
  CHECK(SameForEveryReadSize("a,b,c\n1,2,3\n\nx,y\n") == "2:1|2|3|\n4:x|y|\n");
  // Too long a tail: 21 records, or one byte over 64 KiB.
  std::string tail = "a,b\n1,2\n\n";
  for (int i = 0; i < 21; ++i) tail += "line " + std::to_string(i) + "\n";
  const std::string got = FooterOutcome(tail, SIZE_MAX, 1 << 20);
  CHECK(got.find("footer") == std::string::npos);
  CHECK(got.substr(0, 18) == "2:1|2|\n4:line 0|\n5");
  CHECK(FooterOutcome(tail, 5, 4) == got);
  const std::string big = "a,b\n1,2\n\n" + std::string(crmkpi::kMaxFooterBytes, 'x') + "\n";
  CHECK(FooterOutcome(big, 1000, 64).substr(0, 9) == "2:1|2|\n4:");
  // A one-column file has one field in every record: no footer.
  CHECK(SameForEveryReadSize("a\n1\n\nx\n") == "2:1|\n4:x|\n");
  // Blank lines alone at the end are no footer either (and nothing to say).
  CHECK(SameForEveryReadSize("a,b\n1,2\n\n\r\n\n") == "2:1|2|\n");
}

TEST_CASE("errors after a blank line come in file order, at every read size", "[csv][footer]") {
  // A one-field record, then a malformed one: the record is handed out first.
  CHECK(SameForEveryReadSize("a,b\n1,2\n\nx\n\"y\"z\n") ==
        "2:1|2|\n4:x|\nerror t.csv:5:4: unexpected 'z' after the closing quote of field 1 "
        "('a'); a quote inside a quoted field must be doubled (\"\")");
  // An invalid byte in the would-be footer: the records before it, then the error.
  const std::string bad = SameForEveryReadSize("a,b\n1,2\n\nx\n\xff\n");
  CHECK(bad.substr(0, 12) == "2:1|2|\n4:x|\n");
  CHECK(bad.find("error t.csv:5:1: invalid UTF-8 at byte offset 11") != std::string::npos);
  // A truncated UTF-8 sequence at the very end.
  CHECK(SameForEveryReadSize("a,b\n1,2\n\nx\n\xC3") ==
        "2:1|2|\n4:x|\nerror t.csv:5: invalid UTF-8: truncated sequence at byte offset 11 (end "
        "of input)");
  // An unclosed quote in the footer.
  CHECK(SameForEveryReadSize("a,b\n1,2\n\n\"x\n").find("error t.csv:4:1: unclosed quote") !=
        std::string::npos);
}

TEST_CASE("chunk readers: only the last can tell a footer; one after a blank line looks ahead",
          "[csv][footer]") {
  using End = CsvReader::ChunkEnd;
  CsvReader whole(MemoryInput("a,b\n1,2\n", SIZE_MAX, "t.csv"));
  whole.ReadHeader();
  auto rows = [&](const std::string& chunk, End end, bool after_blank) {
    CsvReader r(MemoryInput(chunk, 3, "t.csv"), whole, 4, 2, end, after_blank);
    std::string out;
    try {
      CsvRow row;
      while (r.Next(&row)) out += std::to_string(row.line) + ":" + std::string(row.fields[0]) + " ";
      if (r.footer()) out += "footer " + std::to_string(r.footer()->line);
    } catch (const Error&) {
      out += "fails";
    }
    return out;
  };
  // One-field records after a blank line up to the chunk's end: a footer only at the end.
  CHECK(rows("1,2\n\nx\n", End::kAtEnd, false) == "2:1 footer 4");
  CHECK(rows("1,2\n\nx\n", End::kBeforeEnd, false) == "2:1 fails");
  // Blank lines alone at a chunk's end: the next chunk (after_blank) looks ahead itself.
  CHECK(rows("1,2\n\n\n", End::kBeforeEnd, false) == "2:1 ");
  // A footer from the chunk's start: the chunk before may hold its first lines, unless it was
  // read already (the serial rest of a stream).
  CHECK(rows("\nx\ny\n", End::kAtEnd, true) == "fails");
  CHECK(rows("\nx\ny\n", End::kRest, true) == "footer 3");
  CHECK(rows("x\ny\n", End::kAtEnd, true) == "fails");
  CHECK(rows("x\ny\n", End::kRest, true) == "footer 2");
  CHECK(rows("x\ny\n", End::kRest, false) == "2:x 3:y ");
  CHECK(rows("x\n3,4\n", End::kBeforeEnd, true) == "2:x 3:3 ");
  // Data after the blank line decides in any chunk.
  CHECK(rows("1,2\n\nx\n3,4\n", End::kBeforeEnd, false) == "2:1 4:x 5:3 ");
}

TEST_CASE("ChunkAfterBlank: the line before a chunk is blank", "[csv][footer]") {
  using crmkpi::ChunkAfterBlank;
  CHECK(ChunkAfterBlank("x\n\n", false));
  CHECK(ChunkAfterBlank("\r\n\r\n", false));
  CHECK(ChunkAfterBlank("\r\r\n", false));
  CHECK(ChunkAfterBlank("x\r\r", false));
  CHECK(ChunkAfterBlank("\n", true));      // a block of one blank line
  CHECK(ChunkAfterBlank("\r\n", true));
  CHECK_FALSE(ChunkAfterBlank("xy\n", false));
  CHECK_FALSE(ChunkAfterBlank("y\r\n", false));
  CHECK_FALSE(ChunkAfterBlank("\"\r", false));
  CHECK_FALSE(ChunkAfterBlank("", true));
}
