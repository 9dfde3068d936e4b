// Internal: the charts of the HTML dashboards as inline SVG, drawn here (no script, no font,
// no image): horizontal bars, columns, lines with a target line, a funnel, a waterfall and step
// curves, each with axes and labels. Charts only place what they are given; the numbers shown
// beside them come from the writers (the same figures are in a table next to every chart).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace crmkpi::svg {

// Formats an axis tick or a value label.
using Formatter = std::function<std::string(double)>;

// Horizontal bars, one per label (values may be negative: bars go left of zero). |shown| is the
// text at the end of each bar; |classes| an optional CSS class per bar ("good", "bad", ...).
std::string HBars(const std::string& title, const std::vector<std::string>& labels,
                  const std::vector<std::optional<double>>& values,
                  const std::vector<std::string>& shown, const Formatter& tick,
                  const std::vector<std::string>& classes = {}, std::optional<double> target = {});

struct Series {
  std::string name;
  std::vector<std::optional<double>> values;  // one per x label; nullopt: a gap
};

// Lines over categories (periods), one per series, with an optional dashed target line.
std::string Lines(const std::string& title, const std::vector<std::string>& x,
                  const std::vector<Series>& series, const Formatter& tick,
                  std::optional<double> target = {});

// Grouped columns over categories (forecast beside actual per period).
std::string Columns(const std::string& title, const std::vector<std::string>& x,
                    const std::vector<Series>& series, const Formatter& tick);

// A funnel: one centred bar per stage, widths by value, with the conversion between stages.
std::string Funnel(const std::string& title, const std::vector<std::string>& stages,
                   const std::vector<double>& values, const std::vector<std::string>& shown,
                   const std::vector<std::string>& conversions);

// A waterfall from |start| through each step's change to |end|: floating bars, up in "good",
// down in "bad" (|lower_is_better| swaps them), start and end as full bars.
struct Step {
  std::string label;
  double change = 0;
  std::string shown;
};
std::string Waterfall(const std::string& title, const std::string& start_label, double start,
                      const std::string& start_shown, const std::vector<Step>& steps,
                      const std::string& end_label, double end, const std::string& end_shown,
                      const Formatter& tick);

// Step curves over a numeric x (Kaplan–Meier survival: y from 1 down), one per series.
struct Curve {
  std::string name;
  std::vector<double> x, y;  // the value after each x (x ascending; the first point is the start)
};
std::string Steps(const std::string& title, const std::string& x_label,
                  const std::vector<Curve>& curves, const Formatter& y_tick);

// A line of cumulative values over numbered periods with a vertical marker where it crosses
// zero (the payback point), bars of the per-period net below.
std::string CashFlow(const std::string& title, const std::vector<std::string>& x,
                     const std::vector<double>& net, const std::vector<double>& cumulative,
                     std::optional<double> payback_x, const std::string& payback_text,
                     const Formatter& tick);

}  // namespace crmkpi::svg
