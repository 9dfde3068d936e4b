// --encoding auto: DetectEncoding on samples, and OpenInput detecting a file's encoding from
// its start and from samples further in.
#include "crmkpi/read/encoding.h"

#include <iconv.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/read/input_stream.h"
#include "temp_dir.h"

namespace crmkpi {
namespace {

// |utf8| converted to |to| with iconv (the test's own conversion, not the code under test's).
std::string Encode(const std::string& utf8, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t out_left = out.size();
  REQUIRE(iconv(cd, &in, &in_left, &o, &out_left) != static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

std::string Detected(const std::string& bytes) {
  const Encoding e = DetectEncoding({bytes});
  CHECK(e.detected());
  return EncodingName(e);
}

const std::string kJapanese =
    "商談名,取引先名,フェーズ,金額,完了予定日\n"
    "新規導入,株式会社テスト,受注,1000,2024/04/15\n"
    "追加契約,山田商事,失注,2000,2024/05/01\n";
const std::string kSpanish =
    "Id,Nombre,Etapa,Importe,Propietario\n"
    "1,Señor Pérez Compañía,Cerrada ganada,100,José Núñez\n"
    "2,Niño Ltda,Perdida,200,María Ángeles\n";

TEST_CASE("DetectEncoding picks the encoding of each kind of export", "[encoding]") {
  CHECK(Detected(kJapanese) == "utf-8");
  CHECK(Detected("id,amount\n1,100\n") == "utf-8");  // ASCII is UTF-8
  CHECK(Detected("") == "utf-8");
  CHECK(Detected(Encode(kJapanese, "CP932")) == "cp932");
  CHECK(Detected(Encode(kJapanese, "EUC-JP")) == "euc-jp");
  CHECK(Detected(Encode(kSpanish, "WINDOWS-1252")) == "windows-1252");
  CHECK(Detected(Encode("Name;Phase;Betrag\nMüller GmbH;Gewonnen;1.234,50\n", "WINDOWS-1252")) ==
        "windows-1252");
  CHECK(Detected(Encode(kJapanese, "UTF-16LE")) == "utf-16le");
  CHECK(Detected(Encode(kSpanish, "UTF-16BE")) == "utf-16be");
  // A byte that Windows-1252 leaves undefined (0x81): Latin-1 reads every byte.
  CHECK(Detected("id,name\n1,Caf\xE9 cr\xE8me \x81 Ltd\n") == "iso-8859-1");
  // One short Japanese word is enough (libuchardet alone calls it Latin-1).
  CHECK(Detected("id,name\n1,\x8A\x94\x8E\xAE\n") == "cp932");  // 株式
}

TEST_CASE("DetectEncoding keeps UTF-8 for a UTF-8 file with a stray byte", "[encoding]") {
  // Read as UTF-8, the stray byte is an error at its line and column, not silent mojibake of
  // every Japanese name.
  CHECK(Detected(kJapanese + "3,M\xFCller GmbH,won,700,2024/05/02\n") == "utf-8");
  // Binary input (a PNG) stays UTF-8 too: the CSV reader then names what it is.
  CHECK(Detected(std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16)) == "utf-8");
}

TEST_CASE("GuessLegacyEncoding names what invalid UTF-8 looks like", "[encoding]") {
  CHECK(GuessLegacyEncoding(Encode("Señor", "WINDOWS-1252")) == "windows-1252");
  CHECK(GuessLegacyEncoding(Encode("株式会社テスト", "CP932")) == "cp932");
  CHECK(GuessLegacyEncoding(Encode("株式会社テスト", "EUC-JP")) == "euc-jp");
  CHECK(GuessLegacyEncoding("").empty());
}

TEST_CASE("OpenInput with kAuto detects, samples beyond the start, honours a BOM", "[encoding]") {
  TempDir dir;
  Encoding used;
  auto read_all = [](InputStream& in) {
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = in.Read(buf, sizeof buf)) > 0;) out.append(buf, n);
    return out;
  };

  const std::string sjis = dir.Write("sjis.csv", Encode(kJapanese, "CP932"));
  CHECK(read_all(*OpenInput(sjis, Encoding::kAuto, &used)) == kJapanese);
  CHECK(used == Encoding::kCp932);
  CHECK(used.detected());
  CHECK(EncodingLabel(used) == "cp932 (detected)");

  // Named, not detected: the label says so.
  OpenInput(sjis, Encoding::kCp932, &used);
  CHECK(EncodingLabel(used) == "cp932");

  // ASCII for the first 2 MB, then a Windows-1252 name every 100 lines: the samples further
  // into the file find them, so the file is not read as UTF-8 (which would stop there).
  std::string ascii, mixed;
  const std::string tail = "2,Señor Pérez,lost,200\n";
  while (ascii.size() < 2'000'000) ascii += "1,Smith Ltd,won,100\n";
  for (int i = 0; mixed.size() < 2'000'000; ++i) {
    mixed += i % 100 == 99 ? Encode(tail, "WINDOWS-1252") : "1,Smith Ltd,won,100\n";
  }
  const std::string path = dir.Write("big.csv", "id,name,stage,amount\n" + ascii + mixed);
  const std::string text = read_all(*OpenInput(path, Encoding::kAuto, &used));
  CHECK(EncodingName(used) == "windows-1252");
  CHECK(text.find(tail) != std::string::npos);

  // A UTF-8 BOM decides, whatever follows.
  const std::string bom = dir.Write("bom.csv", "\xEF\xBB\xBF" + kSpanish);
  OpenInput(bom, Encoding::kAuto, &used);
  CHECK(used == Encoding::kUtf8);
  CHECK(used.detected());
}

TEST_CASE("Bytes invalid in the detected encoding are an error at line and column",
          "[encoding]") {
  TempDir dir;
  // CP932 text, then a lead byte with no trail byte on line 3.
  const std::string path =
      dir.Write("bad.csv", Encode(kJapanese.substr(0, kJapanese.rfind('\n', kJapanese.size() - 2) + 1),
                                  "CP932") +
                               "x,\x81 y\n");
  Encoding used;
  auto in = OpenInput(path, Encoding::kAuto, &used);
  CHECK(used == Encoding::kCp932);
  try {
    char buf[4096];
    while (in->Read(buf, sizeof buf) > 0) {
    }
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.loc().line == 3);
    CHECK(e.loc().column == 3);
    CHECK_THAT(e.message(), Catch::Contains("invalid cp932 byte sequence") &&
                                Catch::Contains("read as cp932, detected from its first bytes"));
  }
}

}  // namespace
}  // namespace crmkpi
