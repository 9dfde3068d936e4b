#include "crmkpi/read/input_stream.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "temp_dir.h"

namespace crmkpi {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(InputStream& in, std::size_t chunk) {
  std::string out;
  std::vector<char> buf(chunk);
  for (;;) {
    const std::size_t got = in.Read(buf.data(), buf.size());
    REQUIRE(got <= chunk);
    if (got == 0) break;
    out.append(buf.data(), got);
  }
  CHECK(in.Read(buf.data(), buf.size()) == 0);  // end of input is sticky
  return out;
}

std::string RandomBytes(std::size_t n) {
  std::mt19937 rng(42);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

// 株式会社,１２３\n in CP932 and in UTF-8.
const std::string kCp932Text = "\x8A\x94\x8E\xAE\x89\xEF\x8E\xD0,\x82\x50\x82\x51\x82\x52\n";
const std::string kUtf8Text = "株式会社,１２３\n";

// "名前,a\n" in UTF-16 (without BOM).
const std::string kUtf16LeBody = std::string("\x0D\x54\x4D\x52,\x00" "a\x00\n\x00", 10);
const std::string kUtf16BeBody = std::string("\x54\x0D\x52\x4D\x00,\x00" "a\x00\n", 10);
const std::string kUtf16Text = "名前,a\n";

// Catches the Error that |fn| throws, failing the test when it doesn't throw one.
template <typename Fn>
Error CatchError(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no crmkpi::Error thrown");
  return Error::Usage("unreachable");
}

TEST_CASE("ParseEncoding and EncodingName", "[input]") {
  CHECK(ParseEncoding("utf-8") == Encoding::kUtf8);
  CHECK(ParseEncoding("UTF8") == Encoding::kUtf8);
  CHECK(ParseEncoding("cp932") == Encoding::kCp932);
  CHECK(ParseEncoding("Shift_JIS") == Encoding::kCp932);
  CHECK(ParseEncoding("SJIS") == Encoding::kCp932);
  CHECK(ParseEncoding("Windows-31J") == Encoding::kCp932);
  CHECK(ParseEncoding("MS932") == Encoding::kCp932);
  CHECK(ParseEncoding("utf-16") == Encoding::kUtf16);
  CHECK(ParseEncoding("UTF16") == Encoding::kUtf16);
  CHECK(ParseEncoding("auto") == Encoding::kAuto);
  CHECK(ParseEncoding("latin1") == Encoding::Iconv("ISO-8859-1"));
  CHECK(ParseEncoding("CP1252") == Encoding::Iconv("WINDOWS-1252"));
  CHECK(EncodingName(ParseEncoding("windows-1252")) == "windows-1252");
  CHECK(EncodingName(ParseEncoding("euc-jp")) == "euc-jp");
  CHECK(EncodingName(ParseEncoding("IBM037")) == "ibm037");  // any name iconv knows
  const Error e = CatchError([] { ParseEncoding("klingon"); });
  CHECK(e.code() == ExitCode::kUsage);
  CHECK_THAT(e.message(), Catch::Contains("klingon") && Catch::Contains("iconv -l"));
  CHECK_THROWS_AS(ParseEncoding(""), Error);
  CHECK_THROWS_AS(ParseEncoding("utf-8x"), Error);

  for (Encoding enc : {Encoding::kUtf8, Encoding::kCp932, Encoding::kUtf16}) {
    CHECK(ParseEncoding(EncodingName(enc)) == enc);
  }
  CHECK(EncodingName(Encoding::kUtf8) == "utf-8");
  CHECK(EncodingName(Encoding::kCp932) == "cp932");
  CHECK(EncodingName(Encoding::kUtf16) == "utf-16");
}

TEST_CASE("MemoryInput returns at most max_chunk bytes per read", "[input]") {
  const std::string data = "id,amount\n1,100\n2,200\n";
  for (std::size_t max_chunk : {std::size_t{1}, std::size_t{3}, std::size_t{7}, SIZE_MAX}) {
    auto in = MemoryInput(data, max_chunk, "mem.csv");
    CHECK(in->name() == "mem.csv");
    CHECK(in->size_hint() == static_cast<std::int64_t>(data.size()));
    std::string out;
    char buf[5];
    while (const std::size_t got = in->Read(buf, sizeof buf)) {
      CHECK(got <= std::min(max_chunk, sizeof buf));
      out.append(buf, got);
    }
    CHECK(out == data);
  }
  CHECK(MemoryInput("")->name() == "<memory>");
  CHECK(ReadAll(*MemoryInput(""), 16).empty());
}

TEST_CASE("OpenInput reads a file in small and large reads", "[input]") {
  TempDir dir;
  const std::string data = RandomBytes(700 * 1024 + 13);
  const std::string path = dir.Write("big.bin", data);
  for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{64} * 1024, std::size_t{4093}}) {
    INFO(chunk);
    auto in = OpenInput(path, Encoding::kUtf8);
    CHECK(in->name() == path);
    CHECK(in->size_hint() == static_cast<std::int64_t>(data.size()));
    CHECK(ReadAll(*in, chunk) == data);
  }

  const std::string small = "a,b\r\n1,2\r\n";
  const std::string small_path = dir.Write("small.csv", small);
  for (std::size_t chunk = 1; chunk <= 4; ++chunk) {
    auto in = OpenInput(small_path, Encoding::kUtf8);
    CHECK(ReadAll(*in, chunk) == small);
  }
}

TEST_CASE("OpenInput handles empty and one-byte files and keeps a UTF-8 BOM", "[input]") {
  TempDir dir;
  CHECK(ReadAll(*OpenInput(dir.Write("empty", ""), Encoding::kUtf8), 8).empty());
  CHECK(ReadAll(*OpenInput(dir.Write("one", "x"), Encoding::kUtf8), 8) == "x");
  CHECK(ReadAll(*OpenInput(dir.Write("empty16", ""), Encoding::kUtf16), 8).empty());
  CHECK(ReadAll(*OpenInput(dir.Write("emptysj", ""), Encoding::kCp932), 8).empty());
  const std::string bom = "\xEF\xBB\xBF" "a,b\n";
  CHECK(ReadAll(*OpenInput(dir.Write("bom.csv", bom), Encoding::kUtf8), 2) == bom);
}

TEST_CASE("OpenInput errors: missing file and directory", "[input]") {
  TempDir dir;
  const std::string missing = dir.path() + "/no-such.csv";
  const Error e = CatchError([&] { OpenInput(missing, Encoding::kUtf8); });
  CHECK(e.code() == ExitCode::kInput);
  CHECK(e.loc().file == missing);
  CHECK_THAT(e.message(), Catch::StartsWith("cannot open: ") && Catch::Contains("No such file"));

  for (Encoding enc : {Encoding::kUtf8, Encoding::kCp932}) {
    const Error d = CatchError([&] {
      auto in = OpenInput(dir.path(), enc);
      ReadAll(*in, 64);
    });
    CHECK(d.code() == ExitCode::kInput);
    CHECK(d.loc().file == dir.path());
  }
}

TEST_CASE("CP932 converts identically whatever the read sizes", "[input][cp932]") {
  std::string many;
  for (int i = 0; i < 20000; ++i) many += kCp932Text;  // > 256 KiB: crosses buffer refills
  std::string many_utf8;
  for (int i = 0; i < 20000; ++i) many_utf8 += kUtf8Text;

  CHECK(ReadAll(*TranscodeToUtf8(MemoryInput(kCp932Text), Encoding::kCp932), 4096) == kUtf8Text);
  // max_chunk 1 splits every double-byte character across two source reads.
  for (std::size_t out_chunk : {1, 2, 3, 5, 16, 17, 4096}) {
    INFO(out_chunk);
    auto in = TranscodeToUtf8(MemoryInput(kCp932Text, 1), Encoding::kCp932);
    CHECK(ReadAll(*in, out_chunk) == kUtf8Text);
  }
  CHECK(ReadAll(*TranscodeToUtf8(MemoryInput(many, 7), Encoding::kCp932), 1000) == many_utf8);
  CHECK(ReadAll(*TranscodeToUtf8(MemoryInput(many), Encoding::kCp932), 1 << 20) == many_utf8);

  TempDir dir;
  auto file = OpenInput(dir.Write("sjis.csv", many), Encoding::kCp932);
  CHECK(file->size_hint() == static_cast<std::int64_t>(many.size()));
  CHECK(ReadAll(*file, 65536) == many_utf8);
}

TEST_CASE("CP932 invalid bytes name the source offset and the line", "[input][cp932]") {
  // Line 4 starts at source byte 6 + 16; the bad lead byte 0x81 (followed by a space, which is
  // no trail byte) is 4 bytes further.
  const std::string data = "a,b\nc\n" + kCp932Text + "abc,\x81 x\n";
  for (std::size_t max_chunk : {std::size_t{1}, std::size_t{2}, SIZE_MAX}) {
    for (std::size_t out_chunk : {std::size_t{1}, std::size_t{4096}}) {
      INFO(max_chunk << " " << out_chunk);
      const Error e = CatchError([&] {
        auto in = TranscodeToUtf8(MemoryInput(data, max_chunk, "x.csv"), Encoding::kCp932);
        ReadAll(*in, out_chunk);
      });
      CHECK(e.code() == ExitCode::kInput);
      CHECK_THAT(e.message(), Catch::StartsWith("invalid cp932 byte sequence at byte offset 26 "
                                                "(the input is read as cp932): is it in "
                                                "another encoding? Name it with --encoding"));
      CHECK(e.loc().file == "x.csv");
      CHECK(e.loc().line == 4);
      CHECK(e.loc().column == 5);  // after "abc,"
    }
  }

  // The text before the bad sequence is returned first, whatever the read sizes; the error
  // comes with the next Read, and again with every later one.
  for (std::size_t max_chunk : {std::size_t{1}, SIZE_MAX}) {
    INFO(max_chunk);
    auto in = TranscodeToUtf8(MemoryInput(data, max_chunk, "x.csv"), Encoding::kCp932);
    std::string got;
    char buf[4096];
    const Error e = CatchError([&] {
      for (std::size_t k; (k = in->Read(buf, sizeof buf)) > 0;) got.append(buf, k);
    });
    CHECK(got == "a,b\nc\n" + kUtf8Text + "abc,");
    CHECK_THAT(e.message(), Catch::StartsWith("invalid cp932 byte sequence at byte offset 26"));
    CHECK(e.loc().line == 4);
    const Error again = CatchError([&] { in->Read(buf, sizeof buf); });
    CHECK(again.message() == e.message());
  }

  const Error single = CatchError([] {
    ReadAll(*TranscodeToUtf8(MemoryInput("\x80"), Encoding::kCp932), 64);
  });
  CHECK_THAT(single.message(), Catch::StartsWith("invalid cp932 byte sequence at byte offset 0"));
  CHECK(single.loc().column == 1);
  CHECK(single.loc().line == 1);

  const Error truncated = CatchError([] {
    ReadAll(*TranscodeToUtf8(MemoryInput("ok\n\x8A", 1), Encoding::kCp932), 64);
  });
  CHECK_THAT(truncated.message(),
             Catch::StartsWith("truncated cp932 byte sequence") && Catch::Contains("offset 3"));
  CHECK(truncated.loc().line == 2);
}

TEST_CASE("UTF-16 with a BOM is detected by OpenInput", "[input][utf16]") {
  TempDir dir;
  const std::string le = dir.Write("le.txt", "\xFF\xFE" + kUtf16LeBody);
  const std::string be = dir.Write("be.txt", "\xFE\xFF" + kUtf16BeBody);
  for (Encoding enc : {Encoding::kUtf8, Encoding::kUtf16, Encoding::kCp932}) {
    INFO(EncodingName(enc));
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{4096}}) {
      CHECK(ReadAll(*OpenInput(le, enc), chunk) == kUtf16Text);
      CHECK(ReadAll(*OpenInput(be, enc), chunk) == kUtf16Text);
    }
  }
}

TEST_CASE("UTF-16 without a BOM is little-endian", "[input][utf16]") {
  TempDir dir;
  const std::string path = dir.Write("nobom.txt", kUtf16LeBody);
  CHECK(ReadAll(*OpenInput(path, Encoding::kUtf16), 4096) == kUtf16Text);
  for (std::size_t max_chunk : {std::size_t{1}, std::size_t{3}, SIZE_MAX}) {
    auto in = TranscodeToUtf8(MemoryInput(kUtf16LeBody, max_chunk), Encoding::kUtf16);
    CHECK(ReadAll(*in, 2) == kUtf16Text);
    auto bom = TranscodeToUtf8(MemoryInput("\xFE\xFF" + kUtf16BeBody, max_chunk), Encoding::kUtf16);
    CHECK(ReadAll(*bom, 4096) == kUtf16Text);
  }
}

TEST_CASE("UTF-16 errors: odd length and unpaired surrogate", "[input][utf16]") {
  const Error odd = CatchError([] {
    ReadAll(*TranscodeToUtf8(MemoryInput(kUtf16LeBody + "x", 1), Encoding::kUtf16), 64);
  });
  CHECK(odd.code() == ExitCode::kInput);
  CHECK_THAT(odd.message(), Catch::StartsWith("truncated utf-16") && Catch::Contains("offset 10"));
  CHECK(odd.loc().line == 2);

  const std::string lone = "\xFF\xFE" + kUtf16LeBody + std::string("\x00\xDC" "a\x00", 4);
  const Error surrogate = CatchError([&] {
    ReadAll(*TranscodeToUtf8(MemoryInput(lone), Encoding::kUtf16), 64);
  });
  CHECK_THAT(surrogate.message(),
             Catch::StartsWith("invalid utf-16 byte sequence at byte offset 12"));
  CHECK(surrogate.loc().line == 2);
}

}  // namespace
}  // namespace crmkpi
