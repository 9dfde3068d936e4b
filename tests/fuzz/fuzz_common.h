// Helpers shared by the libFuzzer targets of tests/fuzz (docs/design.md, "Fuzzing").
//
// A target fails (and libFuzzer saves the input as crash-*) on a sanitizer report, an uncaught
// exception (only crmkpi::Error, and FormulaError from Formula::Parse, are expected from bad
// input), or a FUZZ_CHECK: a property the code promises, such as "the parallel pass reads the
// records the serial pass reads".
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, ...)                                                        \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                             \
      std::fputc('\n', stderr);                                                      \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

namespace crmkpi::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits |*rest| at its first '\n': returns the part before it and leaves the part after it in
// *rest (all of it, and *rest empty, when there is no '\n').
inline std::string_view TakeLine(std::string_view* rest) {
  const std::size_t nl = rest->find('\n');
  std::string_view line = rest->substr(0, nl);
  *rest = nl == std::string_view::npos ? std::string_view() : rest->substr(nl + 1);
  return line;
}

// A file of this process's own (one per fuzzing process, also under -jobs/-fork), rewritten
// with each input, for the APIs that read a path. Removed at exit.
class ScratchFile {
 public:
  ScratchFile() {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/crmkpi_fuzz_XXXXXX";
    fd_ = mkstemp(path_.data());
    if (fd_ < 0) {
      std::perror("crmkpi fuzz: mkstemp");
      std::abort();
    }
  }
  ~ScratchFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Replaces the file's contents with |bytes|; returns its path.
  const std::string& Write(std::string_view bytes) {
    if (ftruncate(fd_, 0) != 0 ||
        pwrite(fd_, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
      std::perror("crmkpi fuzz: writing the scratch file");
      std::abort();
    }
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace crmkpi::fuzz
