#include "crmkpi/read/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "crmkpi/base/terminal.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"

namespace crmkpi {
namespace {

bool g_wanted = false;
std::uint64_t g_min_bytes = kProgressMinBytes;

}  // namespace

void ConfigureProgress(bool quiet) {
  const char* env = std::getenv("CRMKPI_PROGRESS");
  g_wanted = !quiet && ::isatty(STDERR_FILENO) == 1 && !(env != nullptr && std::strcmp(env, "0") == 0);
  // Tests draw the line on small inputs (tests/integration/terminal_test.py).
  if (const char* min = std::getenv("CRMKPI_PROGRESS_MIN_BYTES"); min != nullptr && *min != '\0') {
    g_min_bytes = std::strtoull(min, nullptr, 10);
  }
}

bool ProgressWanted() { return g_wanted; }

std::string ProgressLine(const std::string& name, std::uint64_t bytes, std::int64_t total,
                         std::uint64_t rows, double seconds) {
  const double mb = static_cast<double>(bytes) / 1e6;
  const double rate = seconds > 0 ? mb / seconds : 0;
  std::string line = total >= 0 ? fmt::format("crmkpi: {}  {:.1f} / {:.1f} MB", name, mb,
                                              static_cast<double>(total) / 1e6)
                                : fmt::format("crmkpi: {}  {:.1f} MB", name, mb);
  line += fmt::format("  {} rows  {:.0f} MB/s", GroupThousands(std::to_string(rows)), rate);
  if (total >= 0 && rate > 0 && static_cast<double>(total) >= static_cast<double>(bytes)) {
    const double eta = (static_cast<double>(total) - static_cast<double>(bytes)) / 1e6 / rate;
    line += fmt::format("  ETA {:.0f} s", eta);
  }
  return line;
}

void Progress::Update(std::uint64_t bytes, std::uint64_t rows) {
  const bool large = (total_ >= 0 && static_cast<std::uint64_t>(total_) > g_min_bytes) ||
                     bytes > g_min_bytes;
  if (!large || bytes == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ > 0 && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::string line = ProgressLine(name_, bytes, total_, rows, seconds);
  // Never wider than the terminal (a wrapped line cannot be redrawn in place: each redraw
  // would leave one line behind); the last column stays free, some terminals wrap on it. The
  // file name gives way first (its end kept), then the numbers' tail.
  const std::size_t cols = TerminalWidth(STDERR_FILENO);
  if (cols > 1 && DisplayWidth(line) > cols - 1) {
    const std::size_t others = DisplayWidth(line) - DisplayWidth(name_);
    if (others + 12 <= cols - 1) {
      line = ProgressLine(TruncateFront(name_, cols - 1 - others), bytes, total_, rows, seconds);
    }
    line = TruncateToWidth(line, cols - 1);
  }
  // Draw from the start of the line and clear what a longer previous line left.
  const std::string out = "\r" + line + "\x1b[K";
  (void)!::write(STDERR_FILENO, out.data(), out.size());
  drawn_ = std::max<std::size_t>(DisplayWidth(line), 1);
}

void Progress::Finish() {
  if (drawn_ == 0) return;
  const std::string out = "\r\x1b[K";
  (void)!::write(STDERR_FILENO, out.data(), out.size());
  drawn_ = 0;
}

}  // namespace crmkpi
