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
  AtomicFile file(path);
  file.Write(data);
  file.Commit();
  return true;
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp.XXXXXX") {
  fd_ = ::mkstemp(tmp_.data());
  if (fd_ < 0) {
    throw Error::Input(fmt::format("cannot create a temporary file beside it: {}",
                                   std::strerror(errno)),
                       {path_, 0, 0});
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void AtomicFile::Write(std::string_view data) {
  buffer_.append(data);
  if (buffer_.size() >= (std::size_t{1} << 20)) Flush();
}

void AtomicFile::Flush() {
  if (!WriteAll(fd_, buffer_)) {
    throw Error::Input(fmt::format("cannot write: {}", std::strerror(errno)), {path_, 0, 0});
  }
  buffer_.clear();
}

void AtomicFile::Commit() {
  Flush();
  // mkstemp creates 0600; give the file the permissions a plain create would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd_, 0666 & ~mask);
  const bool synced = ::fsync(fd_) == 0;
  const int saved = errno;
  ::close(fd_);
  fd_ = -1;
  if (!synced) {
    ::unlink(tmp_.c_str());
    throw Error::Input(fmt::format("cannot write: {}", std::strerror(saved)), {path_, 0, 0});
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp_.c_str());
    throw Error::Input(fmt::format("cannot rename the temporary file into place: {}",
                                   std::strerror(e)),
                       {path_, 0, 0});
  }
}

}  // namespace crmkpi
