// The memory a knob change frees stays with the process for the next change.
#include "viz/knob_memory.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>

#include <cstdlib>
#include <cstring>

namespace {

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

/// Minor page faults while a fresh block of `bytes` is written through.
long faults_writing(std::size_t bytes) {
  const long before = minor_faults();
  auto* block = static_cast<char*>(std::malloc(bytes));
  REQUIRE(block != nullptr);
  std::memset(block, 1, bytes);
  const long faults = minor_faults() - before;
  std::free(block);
  return faults;
}

}  // namespace

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// A sanitizer's allocator takes no mallopt() settings.
TEST_CASE("a knob change's freed memory is kept (not under a sanitizer's allocator)") {}
#else
TEST_CASE("memory freed after the settings is written again without faulting its pages in anew") {
  REQUIRE(gilsim::viz::keep_freed_memory_for_knob_changes());
  // 8 MiB, as a lane's or an index's largest blocks: glibc would map it on its own by default
  // and unmap it when freed, or trim the heap's free top, so every such block faulted in anew.
  constexpr std::size_t kBytes = std::size_t{8} << 20;
  constexpr long kPages = static_cast<long>(kBytes >> 12);  // 2,048 pages of 4 KiB
  const long first = faults_writing(kBytes);  // none when the heap holds that much free already
  const long again = faults_writing(kBytes);
  INFO("faults writing 8 MiB the first time: " << first << ", again: " << again);
  CHECK(again < kPages / 8);  // a few, where the heap's top moved, may fault
}
#endif
