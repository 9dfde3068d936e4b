// Internal: number formatting for people and an aligned text/Markdown table, shared by the
// report and tree writers.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/results/report.h"

namespace crmkpi {

// |v| with |decimals| decimals and thousands separators; never "-0.0".
std::string Fixed(double v, int decimals);
// A value as a person reads it: "1,234", "42.2 %", "2,449,814.81", "34.5 d".
std::string Human(const Num& n, Unit unit);

// A KPI's row label: an INI KPI's own label, else the built-in one ("win rate 受注率").
std::string KpiLabel(const KpiValue& v);

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
