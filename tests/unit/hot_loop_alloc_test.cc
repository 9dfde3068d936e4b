// The hot loop allocates nothing per row or field: the number of heap allocations of a whole
// report run must not grow with the number of rows (only with the number of distinct groups and,
// logarithmically, with vector growth).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <string>

#include <catch2/catch.hpp>

#include "builtin_report.h"

namespace {
std::atomic<long> g_allocations{0};
}

// Every non-aligned form is replaced, so that new and delete always pair malloc with free
// (AddressSanitizer checks that pairing; the aligned forms stay the library's, as a pair).
namespace {
void* CountedAlloc(std::size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }

// The replacement new above allocates with malloc, so free is the matching release; GCC's
// -Wmismatched-new-delete cannot see that once the two are inlined into one caller.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

// Writes |rows| deals cycling through 7 owners, 5 stages, quoted notes with commas and doubled
// quotes, amounts with separators, invalid amounts and dates; returns the path.
// |japanese|: owners in 7 spellings of 3 names (U+3000, full-width, tab), which group keys
// merge after normalising (issue 20): each raw spelling is normalised once, not per row.
std::string WriteDeals(long rows, bool japanese = false) {
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/crmkpi_alloc_" + std::to_string(rows) + (japanese ? "_ja" : "") +
                           ".csv";
  const char* japanese_owners[] = {"佐藤 花子", "佐藤　花子", "\"佐藤\t花子\"", "ＡＢＣ商事",
                                   "ABC商事", "ｲﾄｳ", "イトウ"};
  std::ofstream out(path, std::ios::binary);
  out << "deal_id,owner,stage,amount,created_at,closed_at,notes\n";
  const char* stages[] = {"lead", "qualified", "won", "lost", "Closed Won"};
  for (long i = 0; i < rows; ++i) {
    const char* stage = stages[i % 5];
    const bool closed = i % 5 >= 2;
    // Odd rows: a valid amount; even rows: an invalid one ("1996,000"), which takes the
    // warnings path on every such row.
    if (japanese) {
      out << i << "," << japanese_owners[i % 7] << "," << stage;
    } else {
      out << i << ",Owner " << i % 7 << "," << stage;
    }
    out << ",\"" << (i % 2 ? 1 : 1000 + i % 997)
        << ",000\","
        << "2024-0" << 1 + i % 9 << "-1" << i % 10 << "," << (closed ? "2024-11-20" : "")
        << ",\"note, with \"\"quotes\"\" " << i << "\"\n";
  }
  return path;
}

long AllocationsOfRun(const std::string& path) {
  crmkpi::testing::BuiltInOptions o;
  o.files = {path};
  o.by = {{"owner"}, {"stage"}};
  o.period = crmkpi::Period::kMonth;
  const long before = g_allocations.load();
  const crmkpi::Report report = crmkpi::testing::BuiltInReport(o);
  const long used = g_allocations.load() - before;
  REQUIRE(report.inputs.at(0).rows > 0);
  return used;
}

}  // namespace

TEST_CASE("a report run's allocations do not grow with the row count", "[alloc]") {
  const std::string small = WriteDeals(2000);
  const std::string large = WriteDeals(200000);
  const long a = AllocationsOfRun(small);
  const long b = AllocationsOfRun(large);
  std::remove(small.c_str());
  std::remove(large.c_str());
  INFO("allocations: 2,000 rows " << a << ", 200,000 rows " << b);
  // 198,000 more rows; a single allocation per row would add 198,000. Vector growth of the
  // kept cycle lengths adds a few dozen.
  CHECK(b - a < 500);
}

TEST_CASE("normalised group keys allocate per distinct spelling, not per row", "[alloc]") {
  const std::string small = WriteDeals(2000, true);
  const std::string large = WriteDeals(200000, true);
  const long a = AllocationsOfRun(small);
  const long b = AllocationsOfRun(large);
  std::remove(small.c_str());
  std::remove(large.c_str());
  INFO("allocations: 2,000 rows " << a << ", 200,000 rows " << b);
  CHECK(b - a < 500);
}
