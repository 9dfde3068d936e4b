// JsonWriter: the one place crmkpi writes JSON (every command's --format json). A small
// streaming writer of objects, arrays, keys, strings, integers and numbers whose output is
// always valid JSON (RFC 8259) in valid UTF-8, whatever bytes it is given:
//   - invalid UTF-8 in a key or string (a Shift_JIS file name, a truncated sequence, an overlong,
//     a surrogate, 0xFF) becomes U+FFFD, one per maximal subpart of an ill-formed sequence
//     (Unicode 15 §3.9 "U+FFFD substitution of maximal subparts", as Python's
//     bytes.decode("utf-8", "replace") and the WHATWG Encoding Standard do);
//   - control characters are escaped: \" \\ \n \r \t, other C0 controls, DEL and the C1 controls
//     U+0080..U+009F as \u00XX (lower-case hex), and U+2028/U+2029 as \u2028/\u2029, so the
//     output shows nothing invisible on a terminal and is also valid JavaScript;
//   - doubles are the shortest text that reads back as the same double ("5", "0.1",
//     "33.333333333333336", "1e+20"), never "-0"; NaN and infinities are null;
//   - a number given as text (an exact decimal such as "1234.5") is written as is when it
//     matches the JSON number grammar, and as null otherwise (an empty text is n/a → null).
// Misuse that would make the structure invalid (a value where a key is due, an unbalanced End*,
// Take() before the document is complete) throws std::logic_error: a programming error.
//
// Layout: no whitespace except where the caller asks for a line break with Newline(), which is
// written just before the next key, value or closing bracket (after the comma, if one is due).
// The writers use it to keep one KPI / check / row per line.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace crmkpi {

// The "schema_version" every crmkpi JSON document carries as its first key (docs/cli.md, JSON
// output; the schemas are docs/schema/*.json). Bumped for a document whose shape changes
// incompatibly; fields are only ever added otherwise.
inline constexpr int kJsonSchemaVersion = 1;

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The key of the next member; only inside an object, before each value.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  // null for an empty |s| (the writers' "none").
  JsonWriter& StringOrNull(std::string_view s);
  JsonWriter& Null();
  JsonWriter& Bool(bool b);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  JsonWriter& Int(T v) {
    if constexpr (std::is_signed_v<T>) {
      return Signed(static_cast<std::int64_t>(v));
    } else {
      return Unsigned(static_cast<std::uint64_t>(v));
    }
  }
  // Shortest round-trip text; null when not finite; -0 as 0.
  JsonWriter& Double(double v);
  JsonWriter& Double(const std::optional<double>& v);  // nullopt → null
  // |json|, a complete JSON value written by another writer (a document nested in another),
  // as it is; its trailing newline is dropped.
  JsonWriter& Raw(std::string_view json);
  // |text| when it is a JSON number ("12", "-0.5", "1e+20"), else null ("" = n/a).
  JsonWriter& Number(std::string_view text);

  // "schema_version":|schema_version|,"crmkpi_version":"<CRMKPI_VERSION>" — the first two
  // members of every document.
  JsonWriter& VersionKeys(int schema_version = kJsonSchemaVersion);

  // A line break, plus |indent| spaces, before the next token.
  JsonWriter& Newline(int indent = 0);

  // The document so far / the finished document (throws unless every container is closed).
  const std::string& str() const { return out_; }
  std::string Take();

  // |s| as a JSON string literal with quotes: valid UTF-8, escaped as above.
  static std::string Quote(std::string_view s);
  // Appends Quote(s) to |*out|.
  static void AppendQuoted(std::string_view s, std::string* out);
  // Whether |text| matches the JSON number grammar (RFC 8259 §6).
  static bool IsNumber(std::string_view text);

 private:
  JsonWriter& Signed(std::int64_t v);
  JsonWriter& Unsigned(std::uint64_t v);
  // Before a value: the comma, pending line break, and state checks.
  void BeforeValue();
  void Flush();  // the pending line break
  void Open(char bracket, bool object);
  void Close(char bracket, bool object);

  struct Level {
    bool object = false;
    bool empty = true;
    bool after_key = false;  // objects: a key was written, its value is due
  };
  std::string out_;
  std::vector<Level> stack_;
  int pending_indent_ = -1;  // -1: no line break pending
  bool done_ = false;        // a top-level value is complete
};

}  // namespace crmkpi
