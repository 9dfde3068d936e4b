#include "crmkpi/definition/ini_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"

namespace crmkpi {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
}

bool IsWord(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsWordChar(c)) return false;
  }
  return true;
}

// 1-based character column of byte offset |at| in |line|.
std::uint64_t ColumnOf(std::string_view line, std::size_t at) {
  std::uint64_t col = 1;
  for (std::size_t i = 0; i < at && i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++col;
  }
  return col;
}

std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

}  // namespace

const IniEntry* IniSection::Find(std::string_view key) const {
  for (const IniEntry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string IniFile::dir() const {
  const auto slash = name_.rfind('/');
  return slash == std::string::npos ? std::string() : name_.substr(0, slash + 1);
}

IniFile IniFile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ExitCode::kUsage, "cannot open the KPI definition", {path, 0, 0});
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

IniFile IniFile::Parse(std::string_view text, const std::string& name) {
  IniFile ini;
  ini.name_ = name;
  auto fail = [&](std::uint64_t line, std::uint64_t col, const std::string& message) {
    throw Error(ExitCode::kUsage, message, {name, line, col});
  };
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t tail = 0;
  const std::size_t bad = FindInvalidUtf8(text.data(), text.size(), &tail);
  if (bad != text.size() || tail != 0) {
    const std::size_t at = bad != text.size() ? bad : text.size() - tail;
    const auto line = static_cast<std::uint64_t>(
        std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1);
    fail(line, 0, fmt::format("invalid UTF-8 at byte offset {}; save the file as UTF-8", at));
  }

  IniEntry* last = nullptr;  // the entry an indented line continues
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view body = TrimSpace(line);
    if (body.empty()) {
      last = nullptr;
      continue;
    }
    if (body[0] == ';' || body[0] == '#') continue;
    const std::size_t indent = static_cast<std::size_t>(body.data() - line.data());

    if (indent > 0 && last != nullptr) {  // continuation of the previous value
      last->value += "\n" + Unquote(body);
      continue;
    }
    if (body[0] == '[') {
      if (body.back() != ']') {
        fail(line_no, ColumnOf(line, indent + body.size()), "expected ']' to close the section name");
      }
      const std::string_view inner = TrimSpace(body.substr(1, body.size() - 2));
      const std::size_t space = inner.find_first_of(" \t");
      IniSection s;
      s.type = std::string(inner.substr(0, space));
      if (space != std::string_view::npos) s.id = std::string(TrimSpace(inner.substr(space)));
      if (!IsWord(s.type) || (!s.id.empty() && !IsWord(s.id))) {
        fail(line_no, ColumnOf(line, indent + 1),
             fmt::format("bad section name '[{}]': expected [type] or [type id], where a name "
                         "has letters, digits, '_', '-' or '.'",
                         inner));
      }
      s.loc = {name, line_no, ColumnOf(line, indent)};
      ini.sections_.push_back(std::move(s));
      last = nullptr;
      continue;
    }
    const std::size_t eq = body.find('=');
    if (eq == std::string_view::npos) {
      fail(line_no, ColumnOf(line, indent), "expected 'key = value', '[section]' or a comment");
    }
    if (ini.sections_.empty()) {
      fail(line_no, ColumnOf(line, indent), "an entry before the first [section]");
    }
    const std::string_view key = TrimSpace(body.substr(0, eq));
    if (!IsWord(key)) {
      fail(line_no, ColumnOf(line, indent),
           fmt::format("bad key '{}': a key has letters, digits, '_', '-' or '.'", key));
    }
    IniSection& section = ini.sections_.back();
    // A [source] may name several files of one layout: `file =` is the one repeatable key.
    const bool repeatable = section.type == "source" && key == "file";
    if (const IniEntry* prev = section.Find(key); prev != nullptr && !repeatable) {
      fail(line_no, ColumnOf(line, indent),
           fmt::format("duplicate key '{}' in [{}{}{}] (first set at line {})", key,
                       section.type, section.id.empty() ? "" : " ", section.id,
                       prev->key_loc.line));
    }
    const std::string_view raw_value = body.substr(eq + 1);
    const std::string_view value = TrimSpace(raw_value);
    IniEntry e;
    e.key = std::string(key);
    e.value = Unquote(value);
    e.raw = std::string(value);
    e.key_loc = {name, line_no, ColumnOf(line, indent)};
    const std::size_t value_at =
        value.empty() ? indent + body.size() : static_cast<std::size_t>(value.data() - line.data());
    e.value_loc = {name, line_no, ColumnOf(line, value_at)};
    section.entries.push_back(std::move(e));
    last = &section.entries.back();
  }
  return ini;
}

}  // namespace crmkpi
