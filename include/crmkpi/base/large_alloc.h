// LargeAllocator: a standard allocator that maps blocks of 1 MiB or more straight from the
// kernel (mmap) and unmaps them when freed; smaller blocks come from operator new.
//
// Why: the big tables of a run (key table arenas and slots, their per-key vectors) are built on
// the parallel pass's worker threads and merged on the main thread. Served by malloc, a
// worker's blocks live in that thread's arena, and once freed their pages stay in it, where
// the main thread cannot reuse them (glibc also raises its mmap threshold after the first large
// free). Merging two chunks' uniqueness tables then held both in full: 713 MiB peak on the
// 1 GB benchmark against 523 MiB for one thread. Mapped directly, a drained block's pages go
// back to the system at once.
//
// Mappings of 2 MiB or more are advised as transparent huge pages (MADV_HUGEPAGE; a no-op where
// the kernel has them off). A uniqueness check's slots are probed at random over hundreds of
// MiB, and with 4 KiB pages nearly every probe also missed the TLB: on the 1 GB benchmark the
// one-thread check's user time fell from 4.1 to 3.2 s (bench/check_uniqueness, design.md).
#pragma once

#include <cstddef>
#include <memory>
#include <new>

namespace crmkpi {

// The raw calls (large_alloc.cc): MapBytes throws std::bad_alloc when the kernel refuses.
void* MapBytes(std::size_t bytes);
void UnmapBytes(void* p, std::size_t bytes);

inline constexpr std::size_t kMapThreshold = std::size_t{1} << 20;

template <typename T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) {}  // NOLINT: allocators convert implicitly

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= kMapThreshold) return static_cast<T*>(MapBytes(bytes));
    return static_cast<T*>(::operator new(bytes));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= kMapThreshold) {
      UnmapBytes(p, bytes);
    } else {
      ::operator delete(p);
    }
  }
  template <typename U>
  bool operator==(const LargeAllocator<U>&) const {
    return true;
  }
};

// The deleter of a unique_ptr<T[]> to |count| elements from LargeAllocator<T>.
template <typename T>
struct LargeDelete {
  std::size_t count = 0;
  void operator()(T* p) const { LargeAllocator<T>().deallocate(p, count); }
};

// An array of |count| uninitialised elements from LargeAllocator (its deleter knows the count).
template <typename T>
using LargeArray = std::unique_ptr<T[], LargeDelete<T>>;
template <typename T>
LargeArray<T> MakeLargeArray(std::size_t count) {
  return LargeArray<T>(LargeAllocator<T>().allocate(count), LargeDelete<T>{count});
}

}  // namespace crmkpi
