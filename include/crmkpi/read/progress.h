// Progress: a one-line progress report on stderr while a large input is read — bytes, rows,
// rate and ETA (from the file size; for stdin, bytes so far) — redrawn in place at most four
// times a second (never wider than the terminal, so it never wraps) and erased when the input
// ends. Only when stderr is a terminal, the command was not given --quiet, and the input is
// larger than ~100 MB (or, for stdin, once 100 MB have been
// read): never on stdout, never into a log file. The CSV reader updates it once per buffer
// refill (1 MiB), so it costs nothing per row.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace crmkpi {

// Called by each command before it reads: progress lines are wanted unless |quiet| (and only
// when stderr is a terminal; CRMKPI_PROGRESS=0 in the environment turns them off too).
void ConfigureProgress(bool quiet);
bool ProgressWanted();

// CRMKPI_PROGRESS_MIN_BYTES in the environment lowers it (tests draw the line on small files).
inline constexpr std::uint64_t kProgressMinBytes = 100'000'000;

// The line for |bytes| of |total| (total < 0: unknown, stdin), |rows| and |seconds| elapsed:
// "crmkpi: deals.csv  512.0 / 1000.0 MB  3,812,345 rows  520 MB/s  ETA 1 s".
std::string ProgressLine(const std::string& name, std::uint64_t bytes, std::int64_t total,
                         std::uint64_t rows, double seconds);

// Bytes and records read so far by the threads of a parallel pass, added by each thread's CSV
// reader once per buffer refill and drawn by the thread that waits for them.
struct SharedProgress {
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> records{0};
};

class Progress {
 public:
  Progress(std::string name, std::int64_t total) : name_(std::move(name)), total_(total) {}
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress() { Finish(); }

  // Redraws when 250 ms have passed since the last draw and the input is large enough.
  void Update(std::uint64_t bytes, std::uint64_t rows);
  // Erases the line (if one was drawn).
  void Finish();

 private:
  std::string name_;
  std::int64_t total_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
  std::size_t drawn_ = 0;  // width of the line on screen, 0 = none
};

}  // namespace crmkpi
