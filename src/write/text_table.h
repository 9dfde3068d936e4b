// Internal: number formatting for people and an aligned text/Markdown table, shared by the
// report and tree writers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/results/report.h"

namespace crmkpi {

// |v| with |decimals| decimals and thousands separators; never "-0.0".
std::string Fixed(double v, int decimals);
// A value as a person reads it: "1,234", "42.2 %", "2,449,814.81", "34.5 d".
std::string Human(const Num& n, Unit unit);

// A KPI's row label: an INI KPI's own label, else the built-in one ("win rate 受注率").
std::string KpiLabel(const KpiValue& v);
// An amount in |currency| (ISO 4217): with its minor unit's 2 decimals where it has one
// ("1,500.50 USD", "1,200.00 USD"), none where it has none (JPY, KRW, …, "1,500,000 JPY"); an
// unknown or empty currency as Human(kAmount).
std::string MoneyIn(double v, std::string_view currency);

// " pt" after a difference of rates in percentage points; " ポイント" with --lang ja.
std::string PointsSuffix();

// A numeric cell of a list (a JSON-ready number such as "0.16666666666666666") as people read
// it in |unit|: money without decimals (2 below 100), ratios as "16.7 %", days and hours with
// one decimal, counts grouped, other numbers with up to 2 decimals (4 below 1); without a unit
// by its value. Text that is not a number is returned as is.
std::string NumberCell(const std::string& cell, std::optional<Unit> unit);

// Columns aligned by display width (CJK counts 2); Markdown escapes '|' before measuring.
struct Table {
  std::vector<std::string> head;
  std::vector<bool> right;  // right-align column
  std::vector<std::vector<std::string>> rows;

  std::string Render(bool markdown) const;

 private:
  std::string RenderRaw(bool markdown) const;
  static std::string Escape(const std::string& cell);
};

}  // namespace crmkpi
