#include "crmkpi/base/large_alloc.h"

#include <sys/mman.h>

namespace crmkpi {
namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}  // namespace

void* MapBytes(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (bytes >= kHugePage) madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

void UnmapBytes(void* p, std::size_t bytes) { munmap(p, bytes); }

}  // namespace crmkpi
