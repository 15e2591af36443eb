// glibc's malloc settings for the viewer's knob changes.
#include "viz/knob_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <thread>

namespace gilsim::viz {

bool keep_freed_memory_for_knob_changes() {
  // A free top of any heap up to 1 GiB stays (glibc trims a heap's free top above 128 KiB by
  // default, and more as large blocks are freed); blocks up to 32 MiB come from the heaps,
  // not from mappings of their own that free() unmaps (glibc's largest threshold on 64-bit).
  const bool trim = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  const bool mmap = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  return trim && mmap;
}

namespace {

/// Faults in the pages of [from, from + bytes): the whole pages inside in one call where the
/// kernel has it (Linux 5.14), then each page written once (a read maps the shared zero page).
/// On this virtual machine a page faulted in by its first write cost a trap of 11 to 21 us,
/// and a page populated in a call still cost about 4 us at its first write, which the indexing
/// this heap is warmed for paid instead (docs/performance.md, "A knob change on lesson 15,
/// round 8").
void populate(char* from, std::size_t bytes, std::size_t page) {
#ifdef MADV_POPULATE_WRITE
  const auto address = reinterpret_cast<std::uintptr_t>(from);
  const std::uintptr_t first = (address + page - 1) / page * page, end = (address + bytes) / page * page;
  if (end > first) madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);  // advice
#endif
  for (std::size_t at = 0; at < bytes; at += page) static_cast<volatile char*>(from)[at] = 0;
  static_cast<volatile char*>(from)[bytes - 1] = 0;  // the page the range ends in
}

}  // namespace

std::size_t warm_this_threads_heap(std::size_t bytes, const std::atomic<bool>& stop,
                                   const std::function<std::size_t()>& allowance) {
  auto* const block = static_cast<char*>(std::malloc(bytes));
  if (block == nullptr) return 0;
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  constexpr std::size_t kPagesBetweenLooks = 16;  // between looks at `stop` and the allowance
  constexpr auto kPause = std::chrono::microseconds(200);
  std::size_t at = 0;
  for (; at < bytes; at += kPagesBetweenLooks * page) {
    if (stop.load(std::memory_order_relaxed)) break;
    if (allowance) {
      while (at >= allowance() && !stop.load(std::memory_order_relaxed)) std::this_thread::sleep_for(kPause);
      if (stop.load(std::memory_order_relaxed)) break;
    }
    populate(block + at, std::min(bytes - at, kPagesBetweenLooks * page), page);
  }
  std::free(block);
  return at < bytes ? at : bytes;
}

}  // namespace gilsim::viz
