#include "crmkpi/write/output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/terminal.h"
#include "crmkpi/write/output_text.h"

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

bool WriteOutput(const std::string& path, std::string_view text) {
  const bool to_stdout = path.empty() || path == "-";
  // On a terminal (Terminal().width set, text tables only), no line is wider than it; wrapped
  // before the encoding below, while the text is still UTF-8.
  const std::string wrapped = to_stdout ? WrapLines(text, Terminal().width) : std::string();
  if (to_stdout) text = wrapped;
  // --bom / --output-encoding (output_text.h): converted before anything is written, so an
  // unconvertible character leaves no partial output.
  const OutputText& how = GetOutputText();
  const std::string encoded = how.Plain() ? std::string() : EncodeOutput(text, how);
  const std::string_view data = how.Plain() ? text : std::string_view(encoded);
  if (to_stdout) {
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

void NoteWritten(const std::string& path, bool quiet, std::string_view summary) {
  if (quiet || path.empty() || path == "-") return;
  const std::string line = fmt::format("crmkpi: {} (report written to {})\n", summary, path);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string StatusSummary(const std::vector<std::string>& statuses, std::string_view noun) {
  std::size_t off = 0, on = 0;
  for (const std::string& s : statuses) {
    off += s == "off track";
    on += s == "on track";
  }
  std::string out = fmt::format("{} {}{}", statuses.size(), noun, statuses.size() == 1 ? "" : "s");
  if (off + on > 0) out += fmt::format(", {} off track, {} on track", off, on);
  return out;
}

namespace {

// The file a rename must replace for |path|: |path| itself, or what its chain of symbolic links
// points at (a relative link is relative to its own folder), so `-o link` writes the link's
// target and keeps the link. Gives up after 40 links, as the kernel does (ELOOP).
std::string ResolveLinks(std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return path;
    target.resize(static_cast<std::size_t>(n));
    if (!target.empty() && target[0] != '/') {
      const std::size_t slash = path.rfind('/');
      if (slash != std::string::npos) target = path.substr(0, slash + 1) + target;
    }
    path = std::move(target);
  }
  throw Error::Input("too many levels of symbolic links", {path, 0, 0});
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  const std::string target = ResolveLinks(path_);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      throw Error::Input("is a directory; give a file name for the output", {path_, 0, 0});
    }
    // A device, a FIFO or a socket (/dev/null, /dev/stdout, /dev/full, a named pipe): written
    // to directly. Renaming a temporary file over it would replace the node with a file.
    direct_ = true;
    fd_ = ::open(target.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) {
      throw Error::Input(fmt::format("cannot open for writing: {}", std::strerror(errno)),
                         {path_, 0, 0});
    }
    return;
  }
  tmp_ = target + ".tmp.XXXXXX";
  fd_ = ::mkstemp(tmp_.data());
  if (fd_ < 0) {
    throw Error::Input(fmt::format("cannot create a temporary file beside it: {}",
                                   std::strerror(errno)),
                       {path_, 0, 0});
  }
  target_ = target;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (!direct_) ::unlink(tmp_.c_str());
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
  if (direct_) {
    const int closed = ::close(fd_);
    fd_ = -1;
    if (closed != 0 && errno != EINTR) {
      throw Error::Input(fmt::format("cannot write: {}", std::strerror(errno)), {path_, 0, 0});
    }
    return;
  }
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
  if (::rename(tmp_.c_str(), target_.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp_.c_str());
    throw Error::Input(fmt::format("cannot rename the temporary file into place: {}",
                                   std::strerror(e)),
                       {path_, 0, 0});
  }
}

}  // namespace crmkpi
