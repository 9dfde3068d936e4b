// The progress line (progress.h): its text, and that it is drawn only for large inputs and
// erased at the end. stderr is swapped for a pipe while a Progress draws.
#include "crmkpi/read/progress.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

using namespace crmkpi;

namespace {

// Runs |f| with fd 2 redirected to a pipe; returns what was written there.
template <typename F>
std::string CaptureStderr(F&& f) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(fds[1], STDERR_FILENO);
  f();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return out;
}

}  // namespace

TEST_CASE("progress line text: bytes, rows, rate, ETA", "[progress]") {
  // 512 MB of 1,000 MB in 1 s → 512 MB/s; (1000 − 512) / 512 = 0.95 s → "ETA 1 s".
  CHECK(ProgressLine("deals.csv", 512'000'000, 1'000'000'000, 3'812'345, 1.0) ==
        "crmkpi: deals.csv  512.0 / 1000.0 MB  3,812,345 rows  512 MB/s  ETA 1 s");
  // stdin: no total, no ETA.
  CHECK(ProgressLine("<stdin>", 150'000'000, -1, 10, 2.0) ==
        "crmkpi: <stdin>  150.0 MB  10 rows  75 MB/s");
}

TEST_CASE("progress is drawn only for large inputs, and erased at the end", "[progress]") {
  const std::string small = CaptureStderr([] {
    Progress p("small.csv", 50'000'000);
    p.Update(40'000'000, 1000);
  });
  CHECK(small.empty());  // under 100 MB: nothing

  const std::string large = CaptureStderr([] {
    Progress p("big.csv", 1'000'000'000);
    p.Update(10'000'000, 1000);
    p.Update(20'000'000, 2000);  // within 250 ms of the first draw: not redrawn
  });
  REQUIRE(!large.empty());
  CHECK(large.rfind("\rcrmkpi: big.csv  10.0 / 1000.0 MB  1,000 rows", 0) == 0);
  CHECK(large.find("2,000 rows") == std::string::npos);
  // Each draw clears the rest of the line (ESC[K); Finish (in the destructor) returns to
  // column 0 and clears the whole line, so nothing stays behind.
  CHECK(large.find(" rows  ") < large.find("\x1b[K"));
  CHECK(large.size() >= 4);
  CHECK(large.compare(large.size() - 4, 4, "\r\x1b[K") == 0);

  const std::string stdin_grows = CaptureStderr([] {
    Progress p("<stdin>", -1);
    p.Update(99'000'000, 1);   // not yet 100 MB read
    p.Update(101'000'000, 2);  // now it is
  });
  CHECK(stdin_grows.find("99.0 MB") == std::string::npos);
  CHECK(stdin_grows.find("101.0 MB") != std::string::npos);
}
