#include "crmkpi/write/json_writer.h"

#include <cmath>
#include <iterator>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#ifndef CRMKPI_VERSION
#error "CRMKPI_VERSION is set by CMakeLists.txt (project VERSION)"
#endif

namespace crmkpi {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kHex[] = "0123456789abcdef";

void AppendEscape(unsigned cp, std::string* out) {  // \uXXXX, cp <= 0xFFFF
  out->append("\\u");
  out->push_back(kHex[(cp >> 12) & 0xF]);
  out->push_back(kHex[(cp >> 8) & 0xF]);
  out->push_back(kHex[(cp >> 4) & 0xF]);
  out->push_back(kHex[cp & 0xF]);
}

// Length of the well-formed UTF-8 sequence at p[0] (>= 0x80) per Unicode table 3-7, or, when
// it is ill-formed, minus the length of its maximal subpart (the longest prefix that could
// begin a well-formed sequence; at least 1).
int Sequence(const unsigned char* p, std::size_t avail) {
  const unsigned char c = p[0];
  int len;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c < 0xC2) {
    return -1;  // a continuation byte without a lead, or C0/C1 (always overlong)
  } else if (c < 0xE0) {
    len = 2;
  } else if (c < 0xF0) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c < 0xF5) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    if (static_cast<std::size_t>(k) >= avail) return -k;  // cut off by the end
    const unsigned char b = p[k];
    if (b < lo || b > hi) return -k;
    lo = 0x80;
    hi = 0xBF;
  }
  return len;
}

}  // namespace

void JsonWriter::AppendQuoted(std::string_view s, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  out->reserve(out->size() + n + 2);
  out->push_back('"');
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c >= 0x80) {
      const int len = Sequence(p + i, n - i);
      if (len < 0) {
        out->append(kReplacement);
        i += static_cast<std::size_t>(-len);
        continue;
      }
      if (c == 0xC2 && p[i + 1] <= 0x9F) {
        AppendEscape(p[i + 1], out);  // C1 control U+0080..U+009F
      } else if (c == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
        AppendEscape(p[i + 2] == 0xA8 ? 0x2028 : 0x2029, out);
      } else {
        out->append(s.substr(i, static_cast<std::size_t>(len)));
      }
      i += static_cast<std::size_t>(len);
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          AppendEscape(c, out);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string JsonWriter::Quote(std::string_view s) {
  std::string out;
  AppendQuoted(s, &out);
  return out;
}

bool JsonWriter::IsNumber(std::string_view t) {
  // -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (i >= t.size() || t[i] < '1' || t[i] > '9' || digits() == 0) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == t.size();
}

void JsonWriter::Flush() {
  if (pending_indent_ < 0) return;
  out_.push_back('\n');
  out_.append(static_cast<std::size_t>(pending_indent_), ' ');
  pending_indent_ = -1;
}

void JsonWriter::BeforeValue() {
  if (stack_.empty()) {
    if (done_) throw std::logic_error("JsonWriter: a second top-level value");
    done_ = true;  // this value is the document (complete once its containers are closed)
    Flush();
    return;
  }
  Level& top = stack_.back();
  if (top.object) {
    if (!top.after_key) throw std::logic_error("JsonWriter: a value without a key");
    top.after_key = false;
    return;  // the key wrote the comma and the line break
  }
  if (!top.empty) out_.push_back(',');
  top.empty = false;
  Flush();
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  if (stack_.empty() || !stack_.back().object || stack_.back().after_key) {
    throw std::logic_error("JsonWriter: a key outside an object or where a value is due");
  }
  Level& top = stack_.back();
  if (!top.empty) out_.push_back(',');
  top.empty = false;
  top.after_key = true;
  Flush();
  AppendQuoted(key, &out_);
  out_.push_back(':');
  return *this;
}

void JsonWriter::Open(char bracket, bool object) {
  BeforeValue();
  out_.push_back(bracket);
  stack_.push_back(Level{object, true, false});
}

void JsonWriter::Close(char bracket, bool object) {
  if (stack_.empty() || stack_.back().object != object || stack_.back().after_key) {
    throw std::logic_error("JsonWriter: unbalanced End or a key without a value");
  }
  stack_.pop_back();
  Flush();
  out_.push_back(bracket);
}

JsonWriter& JsonWriter::BeginObject() {
  Open('{', true);
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  Close('}', true);
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Open('[', false);
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  Close(']', false);
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendQuoted(s, &out_);
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  while (!json.empty() && (json.back() == '\n' || json.back() == '\r')) json.remove_suffix(1);
  BeforeValue();
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::StringOrNull(std::string_view s) {
  return s.empty() ? Null() : String(s);
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Bool(bool b) {
  BeforeValue();
  out_.append(b ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Signed(std::int64_t v) {
  BeforeValue();
  fmt::format_to(std::back_inserter(out_), "{}", v);
  return *this;
}

JsonWriter& JsonWriter::Unsigned(std::uint64_t v) {
  BeforeValue();
  fmt::format_to(std::back_inserter(out_), "{}", v);
  return *this;
}

JsonWriter& JsonWriter::Double(double v) {
  if (!std::isfinite(v)) return Null();
  if (v == 0) v = 0;  // no "-0"
  BeforeValue();
  fmt::format_to(std::back_inserter(out_), "{}", v);  // shortest round-trip
  return *this;
}

JsonWriter& JsonWriter::Double(const std::optional<double>& v) {
  return v ? Double(*v) : Null();
}

JsonWriter& JsonWriter::Number(std::string_view text) {
  if (!IsNumber(text)) return Null();
  BeforeValue();
  out_.append(text);
  return *this;
}

JsonWriter& JsonWriter::VersionKeys(int schema_version) {
  Key("schema_version").Int(schema_version);
  Key("crmkpi_version").String(CRMKPI_VERSION);
  return *this;
}

JsonWriter& JsonWriter::Newline(int indent) {
  pending_indent_ = indent < 0 ? 0 : indent;
  return *this;
}

std::string JsonWriter::Take() {
  if (!done_ || !stack_.empty()) throw std::logic_error("JsonWriter: the document is not complete");
  Flush();
  std::string out = std::move(out_);
  out_.clear();
  done_ = false;
  return out;
}

}  // namespace crmkpi
