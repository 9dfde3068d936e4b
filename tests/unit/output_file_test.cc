// Where -o writes (output_file.h): a regular file through a temporary file and a rename; a
// symbolic link's target, keeping the link; devices and FIFOs in place, with their errors.
#include "crmkpi/write/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "temp_dir.h"

using namespace crmkpi;
namespace fs = std::filesystem;

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The names in |dir| (to see that no temporary file is left behind).
std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ErrorOf(const std::string& path, const std::string& data) {
  try {
    WriteOutput(path, data);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kInput);
    return e.Formatted();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("output: -o on a regular file replaces it whole", "[output]") {
  TempDir dir;
  const std::string out = dir.Write("r.json", "old");
  CHECK(WriteOutput(out, "new\n"));
  CHECK(Read(out) == "new\n");
  CHECK(Names(dir.path()) == std::vector<std::string>{"r.json"});
}

TEST_CASE("output: -o on a symbolic link writes its target and keeps the link", "[output]") {
  TempDir dir;
  fs::create_directory(dir.path() + "/reports");
  const std::string target = dir.Write("reports/r.json", "old");
  const std::string link = dir.path() + "/latest.json";
  fs::create_symlink("reports/r.json", link);  // relative to the link's folder
  CHECK(WriteOutput(link, "new\n"));
  CHECK(fs::is_symlink(link));
  CHECK(fs::read_symlink(link) == "reports/r.json");
  CHECK(Read(target) == "new\n");
  CHECK(Names(dir.path() + "/reports") == std::vector<std::string>{"r.json"});
  // A link to a link, and a dangling link (its target is created).
  const std::string link2 = dir.path() + "/l2";
  fs::create_symlink(link, link2);
  CHECK(WriteOutput(link2, "newer\n"));
  CHECK(Read(target) == "newer\n");
  CHECK(fs::is_symlink(link2));
  const std::string dangling = dir.path() + "/d";
  fs::create_symlink("made.json", dangling);
  CHECK(WriteOutput(dangling, "x"));
  CHECK(fs::is_symlink(dangling));
  CHECK(Read(dir.path() + "/made.json") == "x");
  // A loop is an error, not a hang.
  fs::create_symlink(dir.path() + "/loop2", dir.path() + "/loop1");
  fs::create_symlink(dir.path() + "/loop1", dir.path() + "/loop2");
  CHECK(ErrorOf(dir.path() + "/loop1", "x").find("too many levels of symbolic links") !=
        std::string::npos);
}

TEST_CASE("output: -o on a device or FIFO writes in place; its errors are errors", "[output]") {
  // Through links in a temporary folder, so that a regression renames over the link, never
  // over the machine's /dev/full or /dev/null (the bug did that to -o /dev/full as root).
  TempDir dir;
  const std::string full = dir.path() + "/full", null = dir.path() + "/null";
  fs::create_symlink("/dev/full", full);
  fs::create_symlink("/dev/null", null);
  // /dev/full: every write fails with ENOSPC; it was replaced by a regular file and exit 0.
  CHECK(ErrorOf(full, "data") == full + ": cannot write: No space left on device");
  CHECK(fs::is_symlink(full));
  // /dev/null takes it; the link stays a link to the device.
  CHECK(WriteOutput(null, "data"));
  CHECK(fs::is_symlink(null));
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(Names(dir.path()) == std::vector<std::string>{"full", "null"});
  // A FIFO: the reader gets the bytes; the FIFO stays a FIFO.
  const std::string fifo = dir.path() + "/p";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string got;
  std::thread reader([&] { got = Read(fifo); });
  CHECK(WriteOutput(fifo, "through the pipe\n"));
  reader.join();
  CHECK(got == "through the pipe\n");
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  // A directory is an error that says so.
  CHECK(ErrorOf(dir.path(), "x") == dir.path() + ": is a directory; give a file name for the output");
}

TEST_CASE("AtomicFile destroyed without Commit leaves nothing behind", "[output]") {
  TempDir dir;
  const std::string out = dir.path() + "/q.csv";
  {
    AtomicFile f(out);
    f.Write("partial");
  }
  CHECK(Names(dir.path()).empty());
}
