#include "crmkpi/base/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "crmkpi/base/utf8.h"

namespace crmkpi {
namespace {

TerminalSettings& Settings() {
  static TerminalSettings settings;
  return settings;
}

// The byte length of the UTF-8 sequence led by |c| (1 for ASCII and for a stray byte).
std::size_t SeqLen(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// |word| cut into pieces of at most |width| columns (at character boundaries).
std::vector<std::string> CutWord(std::string_view word, std::size_t width) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t cur_w = 0;
  for (std::size_t i = 0; i < word.size();) {
    std::size_t len = SeqLen(static_cast<unsigned char>(word[i]));
    if (i + len > word.size()) len = word.size() - i;
    const std::string ch(word.substr(i, len));
    const std::size_t w = DisplayWidth(ch);
    if (cur_w + w > width && !cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
      cur_w = 0;
    }
    cur += ch;
    cur_w += w;
    i += len;
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

const TerminalSettings& Terminal() { return Settings(); }
void SetTerminal(TerminalSettings settings) { Settings() = std::move(settings); }

bool Shown(std::string_view id) {
  const std::vector<std::string>& k = Settings().kpis;
  return k.empty() || std::find(k.begin(), k.end(), id) != k.end();
}

std::size_t TerminalWidth(int fd) {
  if (::isatty(fd) != 1) return 0;
  if (const char* env = std::getenv("COLUMNS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (*end == '\0' && v > 0) return static_cast<std::size_t>(v);
  }
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

std::string TruncateToWidth(std::string_view text, std::size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  const std::string ellipsis = "…";  // ambiguous: 1 or 2 columns
  const std::size_t ew = DisplayWidth(ellipsis);
  if (width <= ew) return CutWord(text, std::max<std::size_t>(width, 1)).front();
  return CutWord(text, width - ew).front() + ellipsis;
}

std::vector<std::string> WrapText(std::string_view text, std::size_t width,
                                  std::size_t rest_width) {
  if (width == 0) width = 1;
  if (rest_width == 0) rest_width = width;
  std::vector<std::string> lines;
  std::string cur;
  std::size_t cur_w = 0;
  auto room = [&] { return lines.empty() ? width : rest_width; };
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view word = text.substr(i, j - i);
    i = j;
    const std::size_t w = DisplayWidth(word);
    if (!cur.empty() && cur_w + 1 + w <= room()) {
      cur += ' ';
      cur += word;
      cur_w += 1 + w;
      continue;
    }
    if (!cur.empty()) lines.push_back(std::move(cur));
    cur.clear();
    cur_w = 0;
    if (w <= room()) {
      cur = std::string(word);
      cur_w = w;
      continue;
    }
    // A word wider than a line: cut at character boundaries.
    std::string_view left = word;
    while (!left.empty()) {
      std::string piece = CutWord(left, room()).front();
      left.remove_prefix(piece.size());
      if (left.empty()) {
        cur_w = DisplayWidth(piece);
        cur = std::move(piece);
      } else {
        lines.push_back(std::move(piece));
      }
    }
  }
  if (!cur.empty() || lines.empty()) lines.push_back(std::move(cur));
  return lines;
}

namespace {

// The byte offset in |line| at which at most |width| columns end, at a space when there is one
// after |min_at| (a word wider than the line is cut at a character).
std::size_t BreakAt(std::string_view line, std::size_t width, std::size_t min_at) {
  std::size_t w = 0;
  std::size_t i = 0;
  std::size_t last_space = std::string_view::npos;
  while (i < line.size()) {
    std::size_t len = SeqLen(static_cast<unsigned char>(line[i]));
    if (i + len > line.size()) len = line.size() - i;
    const std::size_t cw = DisplayWidth(line.substr(i, len));
    if (w + cw > width) break;
    if (line[i] == ' ' && i > min_at) last_space = i;
    w += cw;
    i += len;
  }
  if (i >= line.size()) return line.size();
  if (line[i] == ' ') return i;
  if (last_space != std::string_view::npos) return last_space;
  return i > 0 ? i : SeqLen(static_cast<unsigned char>(line[0]));
}

}  // namespace

std::string WrapLines(std::string_view text, std::size_t width) {
  if (width == 0) return std::string(text);
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    const bool nl = end != std::string_view::npos;
    if (!nl) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = nl ? end + 1 : end;
    if (DisplayWidth(line) <= width) {
      out += line;
      if (nl) out += '\n';
      continue;
    }
    // The continuation lines hang under the value of a "key   value" line (after its first
    // run of two spaces), else 2 columns in from the line's own indentation; the spacing
    // inside the line is kept.
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) indent = 0;
    std::size_t hang = indent + 2;
    std::size_t first_min = indent;  // the first line breaks at a space after this byte
    if (const std::size_t gap = line.find("  ", indent); gap != std::string_view::npos) {
      const std::size_t value = line.find_first_not_of(' ', gap);
      if (value != std::string_view::npos) {
        const std::size_t value_col = DisplayWidth(line.substr(0, value));
        if (value_col + 20 <= width) {
          hang = value_col;
          first_min = value;  // not between the key and its value
        }
      }
    }
    if (hang + 20 > width) hang = 0;
    const std::string lead(hang, ' ');
    bool first = true;
    while (!line.empty()) {
      const std::size_t room = first ? width : width - hang;
      if (DisplayWidth(line) <= room) {
        out += (first ? "" : lead) + std::string(line);
        break;
      }
      std::size_t cut = BreakAt(line, room, first ? first_min : 0);
      std::string_view piece = line.substr(0, cut);
      while (!piece.empty() && piece.back() == ' ') piece.remove_suffix(1);
      out += (first ? "" : lead) + std::string(piece) + "\n";
      line.remove_prefix(cut);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      first = false;
    }
    if (nl) out += '\n';
  }
  return out;
}

std::string TruncateFront(std::string_view text, std::size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  const std::string ellipsis = "…";
  const std::size_t ew = DisplayWidth(ellipsis);
  std::size_t start = text.size();
  std::size_t w = 0;
  while (start > 0) {
    std::size_t k = start - 1;
    while (k > 0 && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) --k;
    const std::size_t cw = DisplayWidth(text.substr(k, start - k));
    if (w + cw + ew > width) break;
    w += cw;
    start = k;
  }
  return ellipsis + std::string(text.substr(start));
}

std::string PaintStatus(const std::string& cell) {
  if (!Terminal().color) return cell;
  const char* code = nullptr;
  if (cell == "on track" || cell == "PASS" || cell == "ok" || cell == "達成") {
    code = "32";
  } else if (cell == "off track" || cell == "error" || cell == "未達") {
    code = "31";
  } else if (cell == "FAIL") {
    code = "1;31";
  } else if (cell == "WARN" || cell == "warning") {
    code = "33";
  } else if (cell == "n/a" || cell.rfind("n/a (", 0) == 0 || cell == "no target" ||
             cell == "目標なし") {
    code = "2";
  }
  if (code == nullptr) return cell;
  return std::string("\x1b[") + code + "m" + cell + "\x1b[0m";
}

}  // namespace crmkpi
