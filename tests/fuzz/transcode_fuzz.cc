// Transcoding to UTF-8 (input_stream.h): CP932 and UTF-16 as exported by Japanese Excel and
// Salesforce, and OpenInput's byte-order-mark handling.
//
// Input: a control byte, then the raw bytes. Bit 0 picks CP932 or UTF-16 as the declared
// encoding; bits 1-3 the raw read size (1 to 8 bytes, or everything); bits 4-7 the size of the
// caller's reads.
//
// Checked: the converted text is valid UTF-8 (the CSV reader sees nothing else); converting
// with any read sizes, raw or caller's, gives the same text and then the same error (message,
// line) as one large read; OpenInput on a file holding the bytes gives the same again (after
// its BOM rule), and says which encoding it decoded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crmkpi/base/error.h"
#include "crmkpi/base/utf8.h"
#include "crmkpi/read/encoding.h"
#include "crmkpi/read/input_stream.h"
#include "fuzz_common.h"

namespace crmkpi::fuzz {
namespace {

struct Converted {
  std::string text;
  std::optional<std::string> error;
  bool operator==(const Converted&) const = default;
};

Converted ReadAll(InputStream& in, std::size_t read_size) {
  Converted out;
  std::string buf(read_size, '\0');
  try {
    for (;;) {
      const std::size_t got = in.Read(buf.data(), buf.size());
      FUZZ_CHECK(got <= buf.size(), "Read returned %zu of %zu", got, buf.size());
      if (got == 0) break;
      out.text.append(buf.data(), got);
      FUZZ_CHECK(out.text.size() < (std::size_t{64} << 20), "conversion does not end");
    }
    // After the end (or an error), a stream stays where it is.
    FUZZ_CHECK(in.Read(buf.data(), buf.size()) == 0, "Read after the end returned bytes");
  } catch (const Error& e) {
    FUZZ_CHECK(e.code() == ExitCode::kInput, "%s", e.Formatted().c_str());
    out.error = e.Formatted();
  }
  return out;
}

Converted Convert(std::string_view raw, Encoding encoding, std::size_t raw_chunk,
                  std::size_t read_size) {
  auto in = TranscodeToUtf8(MemoryInput(std::string(raw), raw_chunk, "fuzz.csv"), encoding);
  return ReadAll(*in, read_size);
}

}  // namespace
}  // namespace crmkpi::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crmkpi;
  using namespace crmkpi::fuzz;
  if (size < 1) return 0;
  static ScratchFile scratch;
  const unsigned control = data[0];
  const std::string_view raw = AsText(data + 1, size - 1);
  const Encoding encoding = (control & 1) ? Encoding::kUtf16 : Encoding::kCp932;
  const std::size_t raw_chunk = ((control >> 1) & 7) == 7 ? SIZE_MAX : 1 + ((control >> 1) & 7);
  const std::size_t read_size = 1 + (control >> 4) * 3;

  // --encoding auto on any bytes: an encoding that can be read, never kAuto, no crash; and
  // the invalid-UTF-8 hint on any bytes.
  const Encoding detected = DetectEncoding({raw});
  FUZZ_CHECK(!detected.is_auto() && detected.detected(), "DetectEncoding returned auto");
  (void)GuessLegacyEncoding(raw.substr(0, 130));

  const Converted whole = Convert(raw, encoding, SIZE_MAX, std::size_t{1} << 16);
  std::size_t tail = 0;
  FUZZ_CHECK(FindInvalidUtf8(whole.text.data(), whole.text.size(), &tail) == whole.text.size() &&
                 tail == 0,
             "the %s conversion is not valid UTF-8", std::string(EncodingName(encoding)).c_str());
  const Converted pieces = Convert(raw, encoding, raw_chunk, read_size);
  FUZZ_CHECK(pieces == whole, "reads of %zu/%zu bytes differ: %zu bytes%s%s / %zu bytes%s%s",
             raw_chunk, read_size, whole.text.size(), whole.error ? ", " : "",
             whole.error ? whole.error->c_str() : "", pieces.text.size(),
             pieces.error ? ", " : "", pieces.error ? pieces.error->c_str() : "");

  // OpenInput: a UTF-16 BOM wins over the declared encoding, a UTF-8 BOM means UTF-8.
  const std::string& path = scratch.Write(raw);
  Encoding used = encoding;
  Converted opened;
  try {
    auto in = OpenInput(path, encoding, &used);
    opened = ReadAll(*in, read_size);
  } catch (const Error& e) {
    opened.error = e.Formatted();
  }
  const bool utf16_bom =
      raw.size() >= 2 && (raw.substr(0, 2) == "\xFF\xFE" || raw.substr(0, 2) == "\xFE\xFF");
  const bool utf8_bom = raw.substr(0, 3) == "\xEF\xBB\xBF";
  const Encoding expected = utf16_bom ? Encoding::kUtf16 : utf8_bom ? Encoding::kUtf8 : encoding;
  FUZZ_CHECK(used == expected, "OpenInput decoded %s, expected %s",
             std::string(EncodingName(used)).c_str(), std::string(EncodingName(expected)).c_str());
  Converted direct;
  if (expected == Encoding::kUtf8) {
    direct.text = std::string(raw);
  } else {
    direct = Convert(raw, expected, SIZE_MAX, std::size_t{1} << 16);
  }
  // Messages name the path: compare them with the path in place of the memory stream's name.
  if (direct.error) {
    const std::size_t at = direct.error->find("fuzz.csv");
    if (at != std::string::npos) direct.error->replace(at, 8, path);
  }
  FUZZ_CHECK(opened == direct, "OpenInput differs from the direct conversion (%s / %s)",
             opened.error ? opened.error->c_str() : "ok",
             direct.error ? direct.error->c_str() : "ok");
  return 0;
}
