#include "crmkpi/write/sheet.h"

#include <algorithm>

#include <fmt/format.h>

namespace crmkpi {
namespace {

// The first |n| code points of UTF-8 |s| (continuation bytes are not counted).
std::string FirstCodePoints(std::string_view s, std::size_t n) {
  std::size_t count = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == n) break;
      ++count;
    }
  }
  return std::string(s.substr(0, i));
}

std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool Taken(const std::string& name, const std::vector<std::string>& taken) {
  const std::string low = AsciiLower(name);
  return std::any_of(taken.begin(), taken.end(),
                     [&](const std::string& t) { return AsciiLower(t) == low; });
}

}  // namespace

CellKind KindOf(Unit unit) {
  switch (unit) {
    case Unit::kCount:
      return CellKind::kCount;
    case Unit::kRatio:
      return CellKind::kRatio;
    case Unit::kAmount:
      return CellKind::kAmount;
    case Unit::kDays:
    case Unit::kHours:
      return CellKind::kDays;
    case Unit::kNumber:
      break;
  }
  return CellKind::kNumber;
}

int CurrencyDecimals(std::string_view currency) {
  // ISO 4217 minor units of the currencies CRM exports carry; yen and won have none, and an
  // unknown or absent code shows none either (docs/cli.md: amounts without decimals).
  static constexpr std::string_view kTwo[] = {"USD", "EUR", "GBP", "CNY", "AUD", "CAD", "CHF",
                                              "HKD", "SGD", "TWD", "THB", "INR", "NZD", "SEK",
                                              "NOK", "DKK", "MXN", "BRL", "PHP", "MYR", "IDR"};
  for (const std::string_view c : kTwo) {
    if (c == currency) return 2;
  }
  return -1;
}

Cell Cell::Of(const std::optional<Num>& v, Unit unit, std::string_view currency) {
  if (!v) return Empty();
  return Of(std::optional<double>(v->ToDouble()), unit, currency);
}

Cell Cell::Of(const std::optional<double>& v, Unit unit, std::string_view currency) {
  if (!v) return Empty();
  Cell c = Number(*v, KindOf(unit));
  if (c.kind == CellKind::kAmount) c.decimals = CurrencyDecimals(currency);
  return c;
}

std::string SheetName(std::string_view wanted, const std::vector<std::string>& taken) {
  std::string name;
  for (const char ch : wanted) {
    const bool bad = std::string_view("[]:*?/\\").find(ch) != std::string_view::npos ||
                     static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F;
    name.push_back(bad ? '_' : ch);
  }
  // Excel refuses a name that starts or ends with an apostrophe.
  while (!name.empty() && name.front() == '\'') name.erase(name.begin());
  while (!name.empty() && name.back() == '\'') name.pop_back();
  if (name.empty()) name = "Sheet";
  name = FirstCodePoints(name, 31);
  while (!name.empty() && name.back() == '\'') name.pop_back();
  if (!Taken(name, taken)) return name;
  for (int i = 2;; ++i) {
    const std::string suffix = fmt::format(" ({})", i);
    const std::string candidate = FirstCodePoints(name, 31 - suffix.size()) + suffix;
    if (!Taken(candidate, taken)) return candidate;
  }
}

}  // namespace crmkpi
