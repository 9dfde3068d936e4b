#include "svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "crmkpi/base/utf8.h"
#include "html_page.h"

namespace crmkpi::svg {
namespace {

using html::Esc;

// A "nice" axis from |lo| to |hi| (zero included) with about |count| ticks.
struct Axis {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> ticks;
};
Axis NiceAxis(double lo, double hi, int count = 5) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  Axis a;
  a.step = step;
  a.lo = std::floor(lo / step) * step;
  a.hi = std::ceil(hi / step) * step;
  for (double t = a.lo; t <= a.hi + step / 2; t += step)
    a.ticks.push_back(std::fabs(t) < step / 1e6 ? 0 : t);
  return a;
}

std::string Open(const std::string& title, int w, int h) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "height=\"{}\" role=\"img\" aria-label=\"{}\"><title>{}</title>\n",
      w, h, w, h, Esc(title), Esc(title));
}

std::string Text(double x, double y, const std::string& s, const char* anchor = "start",
                 const char* extra = "") {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\"{}>{}</text>\n", x, y,
                     anchor, extra, Esc(s));
}

// |s| cut to about |width| display columns, with an ellipsis.
std::string Clip(const std::string& s, std::size_t width) {
  if (DisplayWidth(s) <= width) return s;
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 1;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    if (DisplayWidth(out + s.substr(i, len)) + 1 > width) break;
    out += s.substr(i, len);
    i += len;
  }
  return out + "…";
}

// The y axis (horizontal grid lines and tick labels) of a chart area.
std::string YAxis(const Axis& a, double left, double right, double top, double bottom,
                  const Formatter& tick) {
  std::string out;
  for (double t : a.ticks) {
    const double y = bottom - (t - a.lo) / (a.hi - a.lo) * (bottom - top);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", left,
        right, y, y);
    out += Text(left - 4, y + 4, tick(t), "end");
  }
  out +=
      fmt::format("<line class=\"ax\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n",
                  left, left, top, bottom);
  return out;
}

std::string Legend(const std::vector<std::string>& names, double x, double y, bool target) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out +=
        fmt::format("<rect class=\"dot{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"10\" height=\"10\"/>",
                    i % 4, x, y - 9);
    out += Text(x + 14, y, names[i]);
    x += 24 + 7.0 * static_cast<double>(DisplayWidth(names[i]));
  }
  if (target) {
    out +=
        fmt::format("<line class=\"tgt\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>",
                    x, x + 18, y - 4, y - 4);
    out += Text(x + 22, y, "target");
  }
  return out;
}

}  // namespace

std::string HBars(const std::string& title, const std::vector<std::string>& labels,
                  const std::vector<std::optional<double>>& values,
                  const std::vector<std::string>& shown, const Formatter& tick,
                  const std::vector<std::string>& classes, std::optional<double> target) {
  const int row = 24, left = 150, right = 90, top = 8;
  const int plot = 360;
  const int w = left + plot + right;
  const int h = top + row * static_cast<int>(labels.size()) + 28;
  double lo = 0, hi = 0;
  for (const auto& v : values) {
    if (v) lo = std::min(lo, *v), hi = std::max(hi, *v);
  }
  if (target) lo = std::min(lo, *target), hi = std::max(hi, *target);
  const Axis a = NiceAxis(lo, hi, 4);
  auto X = [&](double v) { return left + (v - a.lo) / (a.hi - a.lo) * plot; };
  std::string out = Open(title, w, h);
  const double bottom = top + row * static_cast<double>(labels.size());
  for (double t : a.ticks) {
    out +=
        fmt::format("<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/>\n",
                    X(t), X(t), top, bottom);
    out += Text(X(t), bottom + 14, tick(t), "middle");
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double y = top + row * static_cast<double>(i);
    out += Text(left - 6, y + 16, Clip(labels[i], 20), "end");
    if (values[i]) {
      const double x0 = X(std::min(0.0, *values[i])), x1 = X(std::max(0.0, *values[i]));
      const std::string cls = i < classes.size() && !classes[i].empty() ? classes[i] : "bar";
      out += fmt::format(
          "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
          "height=\"{}\"/>\n",
          cls, x0, y + 4, std::max(x1 - x0, 1.0), row - 8);
    }
    const double tx = values[i] ? X(std::max(0.0, *values[i])) + 4 : X(0) + 4;
    out += Text(tx, y + 16, i < shown.size() ? shown[i] : "");
  }
  out += fmt::format("<line class=\"ax\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/>\n",
                     X(0), X(0), top, bottom);
  if (target) {
    out +=
        fmt::format("<line class=\"tgt\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/>\n",
                    X(*target), X(*target), top, bottom);
  }
  return out + "</svg>";
}

std::string Lines(const std::string& title, const std::vector<std::string>& x,
                  const std::vector<Series>& series, const Formatter& tick,
                  std::optional<double> target) {
  const int left = 80, right = 20, top = 24, plot_h = 200, w = 640;
  const double bottom = top + plot_h;
  double lo = 0, hi = 0;
  for (const Series& s : series) {
    for (const auto& v : s.values) {
      if (v) lo = std::min(lo, *v), hi = std::max(hi, *v);
    }
  }
  if (target) lo = std::min(lo, *target), hi = std::max(hi, *target);
  const Axis a = NiceAxis(lo, hi);
  const double plot_w = w - left - right;
  const double n = static_cast<double>(std::max<std::size_t>(x.size(), 1));
  auto X = [&](std::size_t i) { return left + plot_w * (static_cast<double>(i) + 0.5) / n; };
  auto Y = [&](double v) { return bottom - (v - a.lo) / (a.hi - a.lo) * plot_h; };
  std::string out = Open(title, w, top + plot_h + 40);
  out += YAxis(a, left, w - right, top, bottom, tick);
  for (std::size_t i = 0; i < x.size(); ++i)
    out += Text(X(i), bottom + 16, Clip(x[i], 12), "middle");
  if (target) {
    out += fmt::format("<line class=\"tgt\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n",
                       left, w - right, Y(*target), Y(*target));
  }
  for (std::size_t s = 0; s < series.size(); ++s) {
    std::string path;
    for (std::size_t i = 0; i < series[s].values.size() && i < x.size(); ++i) {
      const auto& v = series[s].values[i];
      if (!v) {
        if (!path.empty()) path += " ";
        continue;
      }
      const bool move = path.empty() || path.back() == ' ';
      path += fmt::format("{}{:.1f},{:.1f}", move ? "M" : " L", X(i), Y(*v));
      out += fmt::format("<circle class=\"dot{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\"/>\n", s % 4,
                         X(i), Y(*v));
    }
    if (!path.empty()) out += fmt::format("<path class=\"ln{}\" d=\"{}\"/>\n", s % 4, path);
  }
  std::vector<std::string> names;
  for (const Series& s : series) names.push_back(s.name);
  out += Legend(names, left, 14, target.has_value());
  return out + "</svg>";
}

std::string Columns(const std::string& title, const std::vector<std::string>& x,
                    const std::vector<Series>& series, const Formatter& tick) {
  const int left = 80, right = 20, top = 24, plot_h = 200;
  const int w = std::max(420, left + right + static_cast<int>(x.size()) * 84);
  const double bottom = top + plot_h;
  double lo = 0, hi = 0;
  for (const Series& s : series) {
    for (const auto& v : s.values) {
      if (v) lo = std::min(lo, *v), hi = std::max(hi, *v);
    }
  }
  const Axis a = NiceAxis(lo, hi);
  const double slot = static_cast<double>(w - left - right) /
                      static_cast<double>(std::max<std::size_t>(x.size(), 1));
  const double bw =
      std::min(24.0, (slot - 12) / static_cast<double>(std::max<std::size_t>(series.size(), 1)));
  auto Y = [&](double v) { return bottom - (v - a.lo) / (a.hi - a.lo) * plot_h; };
  std::string out = Open(title, w, top + plot_h + 44);
  out += YAxis(a, left, w - right, top, bottom, tick);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double x0 =
        left + slot * static_cast<double>(i) + (slot - bw * static_cast<double>(series.size())) / 2;
    for (std::size_t s = 0; s < series.size(); ++s) {
      if (i >= series[s].values.size() || !series[s].values[i]) continue;
      const double v = *series[s].values[i];
      const double y0 = Y(std::max(0.0, v)), y1 = Y(std::min(0.0, v));
      out += fmt::format(
          "<rect class=\"dot{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/>\n",
          s % 4, x0 + bw * static_cast<double>(s), y0, bw - 2, std::max(y1 - y0, 1.0));
    }
    // "2024-01 Aoki": the period over the group, on two lines.
    const double cx = left + slot * (static_cast<double>(i) + 0.5);
    const std::size_t space = x[i].find(' ');
    if (space == std::string::npos) {
      out += Text(cx, bottom + 16, Clip(x[i], 14), "middle");
    } else {
      out += Text(cx, bottom + 16, Clip(x[i].substr(0, space), 14), "middle");
      out += Text(cx, bottom + 30, Clip(x[i].substr(space + 1), 14), "middle");
    }
  }
  out += fmt::format("<line class=\"ax\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", left,
                     w - right, Y(0), Y(0));
  std::vector<std::string> names;
  for (const Series& s : series) names.push_back(s.name);
  out += Legend(names, left, 14, false);
  return out + "</svg>";
}

std::string Funnel(const std::string& title, const std::vector<std::string>& stages,
                   const std::vector<double>& values, const std::vector<std::string>& shown,
                   const std::vector<std::string>& conversions) {
  const int w = 640, row = 30, gap = 18, left = 150, plot = 330;
  const int h = static_cast<int>(stages.size()) * (row + gap) + 8;
  double hi = 0;
  for (double v : values) hi = std::max(hi, v);
  if (hi <= 0) hi = 1;
  std::string out = Open(title, w, h);
  const double mid = left + plot / 2.0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const double y = 4 + static_cast<double>(i) * (row + gap);
    const double bw = std::max(2.0, values[i] / hi * plot);
    out += Text(left - 8, y + row / 2.0 + 4, Clip(stages[i], 20), "end");
    out += fmt::format(
        "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" rx=\"3\"/>\n",
        mid - bw / 2, y, bw, row);
    out += Text(left + plot + 8, y + row / 2.0 + 4, i < shown.size() ? shown[i] : "");
    if (i + 1 < stages.size() && i < conversions.size() && !conversions[i].empty()) {
      out += Text(mid, y + row + gap / 2.0 + 5, "↓ " + conversions[i], "middle",
                  " style=\"font-size:10.5px\"");
    }
  }
  return out + "</svg>";
}

std::string Waterfall(const std::string& title, const std::string& start_label, double start,
                      const std::string& start_shown, const std::vector<Step>& steps,
                      const std::string& end_label, double end, const std::string& end_shown,
                      const Formatter& tick) {
  const int left = 90, right = 20, top = 12, plot_h = 220;
  const std::size_t bars = steps.size() + 2;
  const int w = std::max(480, left + right + static_cast<int>(bars) * 84);
  const double bottom = top + plot_h;
  double lo = std::min(start, end), hi = std::max(start, end), run = start;
  for (const Step& s : steps) {
    run += s.change;
    lo = std::min(lo, run), hi = std::max(hi, run);
  }
  const Axis a = NiceAxis(lo, hi);
  const double slot = static_cast<double>(w - left - right) / static_cast<double>(bars);
  auto Y = [&](double v) { return bottom - (v - a.lo) / (a.hi - a.lo) * plot_h; };
  std::string out = Open(title, w, top + plot_h + 56);
  out += YAxis(a, left, w - right, top, bottom, tick);
  auto bar = [&](std::size_t i, double from, double to, const char* cls, const std::string& label,
                 const std::string& shown) {
    const double x = left + slot * static_cast<double>(i) + 8;
    const double y0 = Y(std::max(from, to)), y1 = Y(std::min(from, to));
    out += fmt::format(
        "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/>\n", cls,
        x, y0, slot - 16, std::max(y1 - y0, 1.0));
    out += Text(x + (slot - 16) / 2, y0 - 3, shown, "middle", " style=\"font-size:10px\"");
    out += Text(x + (slot - 16) / 2, bottom + 14, Clip(label, 12), "middle");
  };
  bar(0, 0 > a.lo ? 0 : a.lo, start, "bar2", start_label, start_shown);
  run = start;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double next = run + steps[i].change;
    bar(i + 1, run, next, steps[i].change >= 0 ? "good" : "bad",
        (steps[i].change >= 0 ? "▲ " : "▼ ") + steps[i].label, steps[i].shown);
    run = next;
  }
  bar(bars - 1, 0 > a.lo ? 0 : a.lo, end, "bar", end_label, end_shown);
  return out + "</svg>";
}

std::string Steps(const std::string& title, const std::string& x_label,
                  const std::vector<Curve>& curves, const Formatter& y_tick) {
  const int left = 60, right = 20, top = 24, plot_h = 200, w = 640;
  const double bottom = top + plot_h;
  double xmax = 1;
  for (const Curve& c : curves) {
    for (double v : c.x) xmax = std::max(xmax, v);
  }
  const Axis xa = NiceAxis(0, xmax, 6);
  Axis ya;
  ya.lo = 0, ya.hi = 1;
  ya.ticks = {0, 0.25, 0.5, 0.75, 1};
  const double plot_w = w - left - right;
  auto X = [&](double v) { return left + v / xa.hi * plot_w; };
  auto Y = [&](double v) { return bottom - v * plot_h; };
  std::string out = Open(title, w, top + plot_h + 44);
  out += YAxis(ya, left, w - right, top, bottom, y_tick);
  for (double t : xa.ticks) out += Text(X(t), bottom + 14, fmt::format("{}", t), "middle");
  out += Text(left + plot_w / 2, bottom + 32, x_label, "middle");
  out += fmt::format(
      "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" "
      "style=\"stroke:#8c959f;stroke-dasharray:2 3\"/>\n",
      left, w - right, Y(0.5), Y(0.5));
  for (std::size_t s = 0; s < curves.size(); ++s) {
    const Curve& c = curves[s];
    if (c.x.empty()) continue;
    std::string path = fmt::format("M{:.1f},{:.1f}", X(c.x[0]), Y(c.y[0]));
    for (std::size_t i = 1; i < c.x.size(); ++i) {
      path += fmt::format(" H{:.1f} V{:.1f}", X(c.x[i]), Y(c.y[i]));
    }
    out += fmt::format("<path class=\"ln{}\" d=\"{}\"/>\n", s % 4, path);
  }
  std::vector<std::string> names;
  for (const Curve& c : curves) names.push_back(c.name);
  out += Legend(names, left, 14, false);
  return out + "</svg>";
}

std::string CashFlow(const std::string& title, const std::vector<std::string>& x,
                     const std::vector<double>& net, const std::vector<double>& cumulative,
                     std::optional<double> payback_x, const std::string& payback_text,
                     const Formatter& tick) {
  const int left = 90, right = 20, top = 24, plot_h = 220, w = 680;
  const double bottom = top + plot_h;
  double lo = 0, hi = 0;
  for (double v : net) lo = std::min(lo, v), hi = std::max(hi, v);
  for (double v : cumulative) lo = std::min(lo, v), hi = std::max(hi, v);
  const Axis a = NiceAxis(lo, hi);
  const double n = static_cast<double>(std::max<std::size_t>(x.size(), 1));
  const double plot_w = w - left - right;
  const double slot = plot_w / n;
  auto X = [&](double i) { return left + slot * (i + 0.5); };
  auto Y = [&](double v) { return bottom - (v - a.lo) / (a.hi - a.lo) * plot_h; };
  std::string out = Open(title, w, top + plot_h + 40);
  out += YAxis(a, left, w - right, top, bottom, tick);
  const std::size_t every = std::max<std::size_t>(1, x.size() / 12);
  std::string path;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xi = static_cast<double>(i);
    if (i < net.size()) {
      const double y0 = Y(std::max(0.0, net[i])), y1 = Y(std::min(0.0, net[i]));
      out += fmt::format(
          "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/>\n",
          net[i] >= 0 ? "bar2" : "bad", X(xi) - slot * 0.35, y0, slot * 0.7,
          std::max(y1 - y0, 0.5));
    }
    if (i < cumulative.size()) {
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", X(xi), Y(cumulative[i]));
    }
    if (i % every == 0) out += Text(X(xi), bottom + 16, x[i], "middle");
  }
  out += fmt::format("<line class=\"ax\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", left,
                     w - right, Y(0), Y(0));
  out += fmt::format("<path class=\"ln0\" d=\"{}\"/>\n", path);
  if (payback_x) {
    const double px = X(*payback_x);
    out +=
        fmt::format("<line class=\"pay\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/>\n",
                    px, px, top, bottom);
    out += fmt::format("<circle class=\"good\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\"/>\n", px, Y(0));
    out += Text(px + 6, top + 12, "● " + payback_text);
  }
  out += Legend({"cumulative net"}, left, 14, false);
  return out + "</svg>";
}

}  // namespace crmkpi::svg
