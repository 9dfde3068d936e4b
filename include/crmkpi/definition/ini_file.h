// IniFile: the INI text of a KPI definition, parsed into sections of key = value entries, each
// remembering where it was written so that any later error can say file:line:col.
//
// Grammar (docs/ini.md):
//   [type]  or  [type id]       a section; type and id are words ([A-Za-z0-9_.-] and non-ASCII)
//   key = value                 value runs to the end of the line, trimmed; "…" quotes are
//                               removed (to keep leading/trailing spaces)
//     continued text            an indented line right after an entry continues its value
//                               (joined with a newline)
//   ; comment   # comment       whole-line comments only: ';' and '#' inside values are data
// A key may appear once per section, except `file` in a [source] (several files, one layout).
// UTF-8 (a BOM is skipped), LF or CRLF. No line-length limit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/base/error.h"

namespace crmkpi {

struct IniEntry {
  std::string key;
  std::string value;
  SourceLoc key_loc;    // where the key starts
  SourceLoc value_loc;  // where the value starts (first line)
  // The value as written on the key's line (trimmed, outer quotes kept): for keys whose value
  // is a list of quotable names (`by = owner, "Lead Source"`), where |value|'s unquoting of
  // the whole line would join two quoted names.
  std::string raw;
};

struct IniSection {
  std::string type;  // "source", "metric", "kpi", ...
  std::string id;    // may be empty ("[tree]")
  SourceLoc loc;
  std::vector<IniEntry> entries;

  // The entry for |key|, or nullptr.
  const IniEntry* Find(std::string_view key) const;
};

class IniFile {
 public:
  // Reads and parses |path|. Throws Error(kUsage) for a missing file or a syntax error, with
  // the location ("kpi.ini:12:1: expected 'key = value' or '[section]'").
  static IniFile Load(const std::string& path);
  // Parses |text|; |name| is used in locations.
  static IniFile Parse(std::string_view text, const std::string& name);

  const std::vector<IniSection>& sections() const { return sections_; }
  const std::string& name() const { return name_; }
  // Directory of the file, for paths written relative to it ("" for the current directory).
  std::string dir() const;

 private:
  std::string name_;
  std::vector<IniSection> sections_;
};

}  // namespace crmkpi
