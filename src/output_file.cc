#include "crmkpi/output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "crmkpi/error.h"

namespace crmkpi {
namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

bool WriteOutput(const std::string& path, std::string_view data) {
  if (path.empty() || path == "-") {
    std::fflush(stdout);
    if (WriteAll(STDOUT_FILENO, data)) return true;
    if (errno == EPIPE) return false;
    throw Error::Input(fmt::format("cannot write to standard output: {}", std::strerror(errno)));
  }
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    throw Error::Input(fmt::format("cannot create a temporary file beside it: {}",
                                   std::strerror(errno)),
                       {path, 0, 0});
  }
  bool ok = WriteAll(fd, data);
  int saved = errno;
  if (ok) {
    // mkstemp creates 0600; give the report the permissions a plain create would.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    if (::fsync(fd) != 0) {
      ok = false;
      saved = errno;
    }
  }
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    throw Error::Input(fmt::format("cannot write: {}", std::strerror(saved)), {path, 0, 0});
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw Error::Input(fmt::format("cannot rename the temporary file into place: {}",
                                   std::strerror(e)),
                       {path, 0, 0});
  }
  return true;
}

}  // namespace crmkpi
