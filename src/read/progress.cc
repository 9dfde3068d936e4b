#include "crmkpi/read/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

bool g_wanted = false;

std::size_t DisplayWidth(const std::string& s) {  // the line is ASCII but for the file name
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

void ConfigureProgress(bool quiet) {
  const char* env = std::getenv("CRMKPI_PROGRESS");
  g_wanted = !quiet && ::isatty(STDERR_FILENO) == 1 && !(env != nullptr && std::strcmp(env, "0") == 0);
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
  const bool large = (total_ >= 0 && static_cast<std::uint64_t>(total_) > kProgressMinBytes) ||
                     bytes > kProgressMinBytes;
  if (!large || bytes == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ > 0 && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const std::string line = ProgressLine(name_, bytes, total_, rows, seconds);
  const std::size_t width = DisplayWidth(line);
  // Pad over a longer previous line, then return to the start of the line.
  const std::string out =
      "\r" + line + std::string(drawn_ > width ? drawn_ - width : 0, ' ') + "\r";
  (void)!::write(STDERR_FILENO, out.data(), out.size());
  drawn_ = width;
}

void Progress::Finish() {
  if (drawn_ == 0) return;
  const std::string out = "\r" + std::string(drawn_, ' ') + "\r";
  (void)!::write(STDERR_FILENO, out.data(), out.size());
  drawn_ = 0;
}

}  // namespace crmkpi
