#include "long_result_json.h"

#include <fmt/format.h>

#include "crmkpi/base/utf8.h"

namespace crmkpi::engine_detail {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : s_(text), file_(file) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = counted_ = 3;  // a UTF-8 BOM
  }

  LongDocument Document() {
    LongDocument doc;
    Expect('{', "the long result as a JSON object");
    bool first = true;
    while (!Peek('}')) {
      if (!first) Expect(',', "',' or '}'");
      first = false;
      const std::string key = String();
      Expect(':', "':'");
      if (key == "as_of") {
        const SourceLoc at = Here();
        doc.as_of_loc = at;
        if (Literal("null")) continue;
        if (!Peek('"')) Fail(at, "\"as_of\" must be a date-time text or null");
        doc.as_of = String();
      } else if (key == "key_columns") {
        Expect('[', "an array of key column names");
        while (!Peek(']')) {
          if (!doc.key_columns.empty()) Expect(',', "',' or ']'");
          doc.key_columns.push_back(String());
        }
        ++pos_;
      } else if (key == "rows") {
        Expect('[', "an array of row objects");
        while (!Peek(']')) {
          if (!doc.records.empty()) Expect(',', "',' or ']'");
          doc.records.push_back(Row());
        }
        ++pos_;
      } else {
        SkipValue();
      }
    }
    ++pos_;
    SkipSpace();
    if (pos_ != s_.size()) Fail(Here(), "text after the JSON document");
    return doc;
  }

 private:
  LongRecord Row() {
    LongRecord r;
    r.loc = Here();
    Expect('{', "a row object");
    bool first = true;
    while (!Peek('}')) {
      if (!first) Expect(',', "',' or '}'");
      first = false;
      const SourceLoc key_loc = Here();
      const std::string key = String();
      Expect(':', "':'");
      LongField f;
      f.loc = Here();
      if (Peek('"')) {
        f.text = String();
      } else if (Literal("null")) {
      } else if (Peek('{') && key == "excluded") {
        f.text = Excluded();
      } else if (Literal("true") || Literal("false")) {
        Fail(f.loc, fmt::format("\"{}\": a true/false value; expected a number, text or null", key));
      } else if (Peek('{') || Peek('[')) {
        Fail(f.loc, fmt::format("\"{}\": an object or array; expected a number, text or null", key));
      } else {
        f.text = Number();
        f.is_number = true;
      }
      if (!r.fields.emplace(key, std::move(f)).second) {
        Fail(key_loc, fmt::format("\"{}\" twice in one row", key));
      }
    }
    ++pos_;
    return r;
  }

  // {"missing_value": 3, …} → "missing_value=3;…"
  std::string Excluded() {
    std::string out;
    Expect('{', "an object");
    bool first = true;
    while (!Peek('}')) {
      if (!first) Expect(',', "',' or '}'");
      first = false;
      const std::string reason = String();
      Expect(':', "':'");
      SkipSpace();
      const SourceLoc at = Here();
      if (Peek('"') || Peek('{') || Peek('[') || Peek('n') || Peek('t') || Peek('f')) {
        Fail(at, fmt::format("\"excluded\": the count of '{}' must be a number", reason));
      }
      out += (out.empty() ? "" : ";") + reason + "=" + Number();
    }
    ++pos_;
    return out;
  }

  void SkipValue() {
    SkipSpace();
    if (Peek('"')) {
      String();
    } else if (Peek('{') || Peek('[')) {
      const char close = s_[pos_] == '{' ? '}' : ']';
      const bool object = close == '}';
      ++pos_;
      bool first = true;
      while (!Peek(close)) {
        if (!first) Expect(',', "','");
        first = false;
        if (object) {
          String();
          Expect(':', "':'");
        }
        SkipValue();
      }
      ++pos_;
    } else if (!Literal("null") && !Literal("true") && !Literal("false")) {
      Number();
    }
  }

  std::string Number() {
    SkipSpace();
    const std::size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    bool ok = digits();
    if (ok && pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      ok = digits();
    }
    if (ok && pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      ok = digits();
    }
    if (!ok) {
      pos_ = start;
      Fail(Here(), "expected a JSON value");
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  std::string String() {
    SkipSpace();
    if (!Peek('"')) Fail(Here(), "expected a string");
    const SourceLoc open = Here();
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) Fail(open, "unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) Fail(open, "a control character in a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) Fail(open, "unterminated string");
      const char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out.push_back(e); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned cp = Hex4(open);
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            const unsigned low = Hex4(open);
            if (low < 0xDC00 || low > 0xDFFF) Fail(open, "an unpaired surrogate escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            Fail(open, "an unpaired surrogate escape");
          }
          AppendUtf8(cp, &out);
          break;
        }
        default: Fail(open, fmt::format("an unknown escape '\\{}'", e));
      }
    }
  }

  unsigned Hex4(const SourceLoc& open) {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      if (pos_ >= s_.size()) Fail(open, "a short \\u escape");
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else Fail(open, "a bad \\u escape");
    }
    return v;
  }



  bool Literal(std::string_view word) {
    SkipSpace();
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool Peek(char c) {
    SkipSpace();
    if (pos_ >= s_.size()) Fail(Here(), "unexpected end of the JSON document");
    return s_[pos_] == c;
  }

  void Expect(char c, std::string_view what) {
    if (!Peek(c)) Fail(Here(), fmt::format("expected {}", what));
    ++pos_;
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // The line and column (characters, 1-based) of pos_, counted from the last position asked.
  SourceLoc Here() {
    for (; counted_ < pos_ && counted_ < s_.size(); ++counted_) {
      const auto b = static_cast<unsigned char>(s_[counted_]);
      if (b == '\n') {
        ++line_;
        column_ = 1;
      } else if ((b & 0xC0) != 0x80) {
        ++column_;
      }
    }
    return {file_, line_, column_};
  }

  [[noreturn]] void Fail(const SourceLoc& at, const std::string& message) {
    throw Error(ExitCode::kInput,
                message + " (the long result's JSON form: docs/scale.md, \"The long result\")",
                at);
  }

  std::string_view s_;
  std::string file_;
  std::size_t pos_ = 0;
  std::size_t counted_ = 0;
  std::uint64_t line_ = 1, column_ = 1;
};

}  // namespace

LongDocument ParseLongJson(std::string_view text, const std::string& file) {
  return Parser(text, file).Document();
}

}  // namespace crmkpi::engine_detail
