#include "crmkpi/large_alloc.h"

#include <sys/mman.h>

namespace crmkpi {

void* MapBytes(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

void UnmapBytes(void* p, std::size_t bytes) { munmap(p, bytes); }

}  // namespace crmkpi
