#include "text_table.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"

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
      // Two decimals at most, and none when they are zero (a yen average of 300,000 is not
      // "300,000.00" beside a revenue of 300,000).
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

std::string Table::RenderRaw(bool markdown) const {
  std::vector<std::size_t> w(head.size(), 0);
  for (std::size_t c = 0; c < head.size(); ++c) w[c] = DisplayWidth(head[c]);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], DisplayWidth(r[c]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l = markdown ? "| " : "";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      l += right[c] ? PadLeft(cells[c], w[c]) : PadRight(cells[c], w[c]);
      if (c + 1 < cells.size()) l += markdown ? " | " : "  ";
    }
    if (markdown) l += " |";
    while (!markdown && !l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(head);
  if (markdown) {
    std::string sep = "|";
    for (std::size_t c = 0; c < head.size(); ++c) {
      sep += right[c] ? std::string(w[c] + 1, '-') + ":|" : std::string(w[c] + 2, '-') + "|";
    }
    out += sep + "\n";
  } else {
    std::vector<std::string> rule;
    for (std::size_t c = 0; c < head.size(); ++c) rule.push_back(std::string(w[c], '-'));
    line(rule);
  }
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace crmkpi
