#include "text_table.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>

#include <fmt/format.h>

#include "crmkpi/base/terminal.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"
#include "labels.h"

namespace crmkpi {

std::string Fixed(double v, int decimals) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  // No "-0.0": -0.0 itself, and a small negative value that rounds to zero (-0.04 at 1 decimal).
  if (!s.empty() && s[0] == '-' && s.find_first_not_of("0.", 1) == std::string::npos) s.erase(0, 1);
  return GroupThousands(s);
}

std::string Human(const Num& n, Unit unit) {
  switch (unit) {
    case Unit::kCount: {
      if (n.fixed) return GroupThousands(n.ToString());
      // A count computed by a formula (what-if, averages) need not be whole: two decimals.
      std::string s = Fixed(n.real, 2);
      if (s.size() > 3 && s.compare(s.size() - 3, 3, ".00") == 0) s.resize(s.size() - 3);
      return s;
    }
    case Unit::kRatio:
      return Fixed(n.ToDouble() * 100.0, 1) + " %";
    case Unit::kAmount: {
      // Money without decimals (an average of 2,848,571.43 beside a revenue of 1,992,500 reads
      // 2,848,571), but for small amounts, where cents count: two decimals at most, none when
      // they are zero (12.5 → 12.50, 300 → 300).
      if (std::fabs(n.ToDouble()) >= 100) return Fixed(std::round(n.ToDouble()), 0);
      std::string s = Fixed(n.ToDouble(), 2);
      if (s.size() > 3 && s.compare(s.size() - 3, 3, ".00") == 0) s.resize(s.size() - 3);
      return s;
    }
    case Unit::kDays:
      return Fixed(n.ToDouble(), 1) + " d";
    case Unit::kHours:
      return Fixed(n.ToDouble(), 1) + " h";
    case Unit::kNumber: {
      std::string s = Fixed(n.ToDouble(), 2);
      if (s.size() > 3 && s.compare(s.size() - 3, 3, ".00") == 0) s.resize(s.size() - 3);
      return s;
    }
  }
  return n.ToString();
}

std::string MoneyIn(double v, std::string_view currency) {
  // ISO 4217 currencies with 2 minor digits that exports commonly carry; the others (JPY, KRW,
  // VND, …) have none, and an unknown code is shown as any amount.
  static constexpr std::string_view kCents[] = {"AUD", "CAD", "CHF", "CNY", "EUR", "GBP", "HKD",
                                                "INR", "NZD", "SGD", "THB", "TWD", "USD"};
  if (std::find(std::begin(kCents), std::end(kCents), currency) != std::end(kCents)) {
    return Fixed(v, 2);
  }
  return Human(Num::Real(v), Unit::kAmount);
}

std::string PointsSuffix() { return Terminal().ja ? " ポイント" : " pt"; }

std::string NumberCell(const std::string& cell, std::optional<Unit> unit) {
  if (cell.empty()) return cell;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end == cell.c_str() || *end != '\0' || !std::isfinite(v)) return cell;
  const bool whole = std::floor(v) == v && std::fabs(v) < 1e15;
  if (!unit) unit = Unit::kNumber;
  switch (*unit) {
    case Unit::kCount:
      return Fixed(v, 0);
    case Unit::kRatio:
      return Fixed(v * 100.0, 1) + " %";
    case Unit::kAmount:
      return Human(Num::Real(v), Unit::kAmount);
    case Unit::kDays:
    case Unit::kHours:
      return Fixed(v, 1);
    case Unit::kNumber:
      if (whole) return Fixed(v, 0);
      {
        // Up to 4 decimals below 1 (a discount factor 0.9921, a rate 0.1), 2 above; no
        // trailing zeros.
        std::string t = Fixed(v, std::fabs(v) < 1 ? 4 : 2);
        while (t.back() == '0') t.pop_back();
        if (t.back() == '.') t.pop_back();
        return t;
      }
  }
  return cell;
}

// Markdown cells escape '|' before anything is measured, so widths stay right.
std::string Table::Escape(const std::string& cell) {
  std::string esc;
  for (char ch : cell) {
    if (ch == '|') esc += '\\';
    esc += ch;
  }
  return esc;
}

std::string Table::Render(bool markdown) const {
  if (markdown) {
    Table escaped = *this;
    for (auto& h : escaped.head) h = Escape(h);
    for (auto& r : escaped.rows) {
      for (auto& cell : r) cell = Escape(cell);
    }
    return escaped.RenderRaw(true);
  }
  return RenderRaw(false);
}

namespace {

constexpr std::size_t kSep = 2;           // spaces between two columns
constexpr std::size_t kMinWrap = 20;      // a text column is not wrapped narrower than this
constexpr std::size_t kUnderIndent = 4;   // a column moved under its row

std::size_t Total(const std::vector<std::size_t>& w, const std::vector<std::size_t>& cols) {
  std::size_t t = 0;
  for (std::size_t c : cols) t += w[c];
  return cols.empty() ? 0 : t + kSep * (cols.size() - 1);
}

// Narrows the widest of |cols| until they fit |limit|, none below its |min|; false (|w|
// unchanged) when they cannot.
bool ShrinkToFit(std::vector<std::size_t>* w, const std::vector<std::size_t>& cols,
                 const std::vector<std::size_t>& min, std::size_t limit) {
  std::vector<std::size_t> t = *w;
  while (Total(t, cols) > limit) {
    std::size_t best = t.size();
    for (std::size_t c : cols) {
      if (t[c] > min[c] && (best == t.size() || t[c] > t[best])) best = c;
    }
    if (best == t.size()) return false;
    --t[best];
  }
  *w = std::move(t);
  return true;
}

// A tree's lead at the start of |cell| ("│  ├─ "), and how it continues on the lines below
// ("│  │  "); |*rest| = where the text starts.
std::string TreeLead(const std::string& cell, std::string* cont, std::size_t* rest) {
  std::string lead;
  std::size_t i = 0;
  while (i < cell.size()) {
    if (cell[i] == ' ') {
      lead += ' ';
      *cont += ' ';
      ++i;
      continue;
    }
    const std::string_view ch = std::string_view(cell).substr(i, 3);
    if (ch == "│" || ch == "├") {
      *cont += "│";
    } else if (ch == "└" || ch == "─") {
      *cont += ' ';
    } else {
      break;
    }
    lead += ch;
    i += 3;
  }
  *rest = i;
  return lead;
}

// A cell wrapped to |width|. A tree's lead stays in front of the first line and continues in
// front of the others, so the tree still reads.
std::vector<std::string> WrapCell(const std::string& cell, std::size_t width) {
  std::string cont;
  std::size_t rest = 0;
  const std::string lead = TreeLead(cell, &cont, &rest);
  const std::size_t lead_w = DisplayWidth(lead);
  if (lead_w + 8 > width) return WrapText(cell, width);
  std::vector<std::string> lines = WrapText(std::string_view(cell).substr(rest), width - lead_w);
  for (std::size_t k = 0; k < lines.size(); ++k) lines[k] = (k == 0 ? lead : cont) + lines[k];
  return lines;
}

bool Contains(const std::vector<std::size_t>& v, std::size_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string Lower(std::string s) {
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return s;
}

}  // namespace

std::string Table::RenderRaw(bool markdown) const {
  std::vector<std::size_t> w(head.size(), 0);
  for (std::size_t c = 0; c < head.size(); ++c) w[c] = DisplayWidth(head[c]);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size() && c < w.size(); ++c) {
      w[c] = std::max(w[c], DisplayWidth(r[c]));
    }
  }
  // The columns shown: --columns names them (by head, case-insensitive), else all.
  std::vector<std::size_t> cols;
  if (!markdown && !Terminal().columns.empty()) {
    for (std::size_t c = 0; c < head.size(); ++c) {
      for (const std::string& name : Terminal().columns) {
        if (Lower(name) == Lower(head[c]) || name == Localized(head[c])) cols.push_back(c);
      }
    }
  }
  if (cols.empty()) {
    for (std::size_t c = 0; c < head.size(); ++c) cols.push_back(c);
  }
  // Fit the terminal: first wrap the long text columns within their cells; when that is not
  // enough, move them (then the rightmost columns) under their row, as "head: value" lines.
  std::vector<std::size_t> under;
  const std::size_t limit = markdown ? 0 : Terminal().width;
  if (limit > 0 && Total(w, cols) > limit) {
    std::vector<std::size_t> wrap;
    for (std::size_t c : cols) {
      if (!right[c] && w[c] > kMinWrap) wrap.push_back(c);
    }
    std::sort(wrap.begin(), wrap.end(), [&](std::size_t a, std::size_t b) { return w[a] > w[b]; });
    std::vector<std::size_t> order;  // what moves under, in turn: long text, then from the right
    for (std::size_t c : wrap) {
      if (c != cols.front()) order.push_back(c);
    }
    for (auto it = cols.rbegin(); it != cols.rend(); ++it) {
      if (*it != cols.front() && !Contains(order, *it)) order.push_back(*it);
    }
    // How narrow each column may get: a long text column kMinWrap; a number column its
    // widest value (its heading wraps, down to its longest word); other text columns as is.
    std::vector<std::size_t> min = w;
    for (std::size_t c : wrap) min[c] = kMinWrap;
    for (std::size_t c = 0; c < head.size(); ++c) {
      if (!right[c]) continue;
      std::size_t m = 0;
      for (const auto& r : rows) {
        if (c < r.size()) m = std::max(m, DisplayWidth(r[c]));
      }
      std::size_t longest_word = 0;
      for (std::size_t i = 0; i < head[c].size();) {
        std::size_t j = head[c].find(' ', i);
        if (j == std::string::npos) j = head[c].size();
        longest_word = std::max(longest_word, DisplayWidth(head[c].substr(i, j - i)));
        i = j + 1;
      }
      min[c] = std::max(m, longest_word);
    }
    std::vector<std::size_t> kept = cols;
    std::size_t next = 0;
    while (!ShrinkToFit(&w, kept, min, limit) && next < order.size()) {
      const std::size_t c = order[next++];
      under.push_back(c);
      kept.erase(std::find(kept.begin(), kept.end(), c));
    }
    // The first column alone too wide: it wraps.
    if (Total(w, kept) > limit) w[kept.front()] = limit;
    cols = kept;
    std::sort(under.begin(), under.end());
  }

  std::string out;
  // --lang ja: headings and statuses in Japanese (labels.cc), measured as shown.
  std::vector<std::string> shown_head = head;
  if (Terminal().ja) {
    for (std::size_t c = 0; c < head.size(); ++c) {
      shown_head[c] = Localized(head[c]);
      w[c] = std::max(w[c], DisplayWidth(shown_head[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool paint) {
    // Each cell wrapped to its column's width (only a narrowed column has more than one line).
    std::vector<std::vector<std::string>> parts;
    std::size_t height = 1;
    for (std::size_t c : cols) {
      const std::string& cell = c < cells.size() ? cells[c] : std::string();
      parts.push_back(DisplayWidth(cell) <= w[c] || markdown ? std::vector<std::string>{cell}
                                                             : WrapCell(cell, w[c]));
      height = std::max(height, parts.back().size());
    }
    for (std::size_t h = 0; h < height; ++h) {
      std::string l = markdown ? "| " : "";
      for (std::size_t k = 0; k < cols.size(); ++k) {
        const std::size_t c = cols[k];
        std::string cell = h < parts[k].size() ? parts[k][h] : std::string();
        if (paint) cell = PaintStatus(Localized(cell));
        l += right[c] ? PadLeft(cell, w[c]) : PadRight(cell, w[c]);
        if (k + 1 < cols.size()) l += markdown ? " | " : "  ";
      }
      if (markdown) l += " |";
      while (!markdown && !l.empty() && l.back() == ' ') l.pop_back();
      out += l + "\n";
    }
    if (!paint) return;
    // The moved columns on one line (wrapped) under the row: "head: value | head: value".
    std::string moved;
    for (std::size_t c : under) {
      if (c >= cells.size() || cells[c].empty()) continue;
      moved += (moved.empty() ? "" : " | ") + shown_head[c] + ": " +
               PaintStatus(Localized(cells[c]));
    }
    if (moved.empty()) return;
    // Indented under the row (in a tree, under its node).
    std::string indent;
    std::size_t rest = 0;
    if (!cells.empty()) TreeLead(cells[0], &indent, &rest);
    indent += std::string(kUnderIndent, ' ');
    if (DisplayWidth(indent) + 20 > limit) indent = std::string(kUnderIndent, ' ');
    const std::size_t iw = DisplayWidth(indent);
    const std::size_t room = limit > iw + 10 ? limit - iw - 2 : 10;
    bool first = true;
    for (const std::string& l : WrapText(moved, room)) {
      out += (first ? indent : indent + "  ") + l + "\n";  // wrapped: 2 more
      first = false;
    }
  };
  line(shown_head, false);
  if (markdown) {
    std::string sep = "|";
    for (std::size_t c : cols) {
      sep += right[c] ? std::string(w[c] + 1, '-') + ":|" : std::string(w[c] + 2, '-') + "|";
    }
    out += sep + "\n";
  } else {
    std::vector<std::string> rule(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) rule[c] = std::string(w[c], '-');
    line(rule, false);
  }
  for (const auto& r : rows) line(r, true);
  return out;
}

}  // namespace crmkpi
