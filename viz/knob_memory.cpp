// glibc's malloc settings for the viewer's knob changes.
#include "viz/knob_memory.hpp"

#include "sim/trace/store.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
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
    trace::storage::fault_in(block + at, std::min(bytes - at, kPagesBetweenLooks * page));
  }
  std::free(block);
  return at < bytes ? at : bytes;
}

HeapBlock next_heap_block(std::size_t bytes) {
  void* const block = std::malloc(bytes);
  if (block == nullptr) return {};
  const HeapBlock out{reinterpret_cast<std::uintptr_t>(block), bytes};
  std::free(block);
  return out;
}

std::size_t populate_heap_block(HeapBlock block) {
  std::size_t done = 0;
#ifdef MADV_POPULATE_WRITE
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = (block.from + page - 1) / page * page;  // whole pages only
  const std::uintptr_t end = (block.from + block.bytes) / page * page;
  const std::uintptr_t chunk = 64 * page;
  for (std::uintptr_t at = first; at < end; at += chunk) {
    const std::uintptr_t bytes = std::min(chunk, end - at);
    if (madvise(reinterpret_cast<void*>(at), bytes, MADV_POPULATE_WRITE) != 0) break;
    done += bytes;
  }
#else
  (void)block;
#endif
  return done;
}

}  // namespace gilsim::viz
