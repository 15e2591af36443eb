// The mappings behind large Stores: 2 MiB aligned, grown by moving pages, and kept in a
// small cache between runs.
#include "sim/trace/store.hpp"

#include "sim/trace/populator.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <mutex>
#include <vector>

namespace gilsim::trace::storage {

namespace {

struct Cached {
  Region region;
  bool warmed = false;  ///< made by warm_cache(), not taken since
};

struct Cache {
  std::mutex mutex;
  std::vector<Cached> regions;
  std::size_t bytes = 0;
  std::size_t warmed_bytes = 0;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: stores may outlive static destruction
  return *c;
}

std::size_t round_up(std::size_t min_bytes) { return std::bit_ceil(std::max(min_bytes, kHugePage)); }

/// An inaccessible, kHugePage-aligned reservation of `bytes`; the caller maps over it.
void* reserve_aligned(std::size_t bytes) {
  void* raw = mmap(nullptr, bytes + kHugePage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const std::uintptr_t tail = aligned + bytes;
  const std::uintptr_t raw_end = start + bytes + kHugePage;
  if (raw_end > tail) munmap(reinterpret_cast<void*>(tail), raw_end - tail);
  return reinterpret_cast<void*>(aligned);
}

/// The smallest cached region of at least `bytes`, removed from the cache.
Region take_cached(std::size_t bytes) {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  auto best = c.regions.end();
  for (auto it = c.regions.begin(); it != c.regions.end(); ++it) {
    if (it->region.bytes >= bytes && (best == c.regions.end() || it->region.bytes < best->region.bytes)) best = it;
  }
  if (best == c.regions.end()) return {};
  const Region r = best->region;
  if (best->warmed) c.warmed_bytes -= r.bytes;
  c.regions.erase(best);
  c.bytes -= r.bytes;
  return r;
}

/// A fresh mapping of `bytes` (a power of two, at least kHugePage).
Region map_fresh(std::size_t bytes) {
  void* at = reserve_aligned(bytes);
  void* data = mmap(at, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (data == MAP_FAILED) {
    munmap(at, bytes);
    throw std::bad_alloc();
  }
  return {data, bytes};
}

/// Puts `r` in the cache, or returns false when it is full.
bool cache_region(Region r, bool warmed) {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  if (c.bytes + r.bytes > kCacheLimit) return false;
  c.regions.push_back({r, warmed});
  c.bytes += r.bytes;
  if (warmed) c.warmed_bytes += r.bytes;
  return true;
}

}  // namespace

Region map_region(std::size_t min_bytes) {
  const std::size_t bytes = round_up(min_bytes);
  if (Region cached = take_cached(bytes); cached.data != nullptr) return cached;
  return map_fresh(bytes);
}

Region grow_region(Region r, std::size_t min_bytes) {
  const std::size_t bytes = round_up(min_bytes);
  if (bytes <= r.bytes) return r;
  ahead::forget(r.data);  // no populate of the old addresses once the pages have moved
  void* at = reserve_aligned(bytes);
  void* moved = mremap(r.data, r.bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, at);
  if (moved == MAP_FAILED) {
    munmap(at, bytes);
    throw std::bad_alloc();
  }
  return {moved, bytes};
}

std::size_t commit(Region r, std::size_t committed, std::size_t needed) {
  constexpr std::size_t kPage = std::size_t{4} << 10;
  const std::size_t stretch = std::clamp<std::size_t>(std::bit_floor(std::max<std::size_t>(needed / 64, 1)),
                                                      std::size_t{64} << 10, kHugePage);
  const std::size_t from = committed / kPage * kPage;
  const std::size_t to = std::min(r.bytes, (needed + stretch + kPage - 1) / kPage * kPage);
  if (to <= from) return std::max(committed, to);
  // In a large mapping the pages past `to` are asked of the populating worker (populator.hpp);
  // this thread populates only the part of [from, to) the worker has not reached (all of it
  // when off). A small one stays this thread's: the worker's pages cost its writer more cache
  // misses than a run of a few tens of MiB saves (docs/performance.md, "Pages populated ahead
  // of the writer").
  const std::size_t own_from = r.bytes >= kPopulatedAheadFrom ? ahead::post(r.data, r.bytes, from, to, stretch) : from;
#ifdef MADV_POPULATE_WRITE
  // Advice: where the kernel lacks it (before Linux 5.14), the pages fault in as written.
  if (own_from < to) madvise(static_cast<char*>(r.data) + own_from, to - own_from, MADV_POPULATE_WRITE);
#else
  (void)own_from;
#endif
  return to;
}

void release_region(Region r) {
  if (r.data == nullptr) return;
  ahead::forget(r.data);  // cached or unmapped, the mapping is no longer its writer's
  if (!cache_region(r, false)) munmap(r.data, r.bytes);
}

std::size_t cached_bytes() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.bytes;
}

void drop_cache() {
  Cache& c = cache();
  std::vector<Cached> regions;
  {
    std::lock_guard lock(c.mutex);
    regions.swap(c.regions);
    c.bytes = 0;
    c.warmed_bytes = 0;
  }
  for (const Cached& r : regions) munmap(r.region.data, r.region.bytes);
}

bool fault_in(char* from, std::size_t bytes) {
  if (bytes == 0) return true;
  static const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  bool advised = false;
#ifdef MADV_POPULATE_WRITE
  const auto address = reinterpret_cast<std::uintptr_t>(from);
  const std::uintptr_t first = (address + page - 1) / page * page;
  const std::uintptr_t end = (address + bytes) / page * page;
  advised = end <= first || madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE) == 0;
#endif
  for (std::size_t at = 0; at < bytes; at += page) static_cast<volatile char*>(from)[at] = 0;
  static_cast<volatile char*>(from)[bytes - 1] = 0;  // the page the range ends in
  return advised;
}

std::size_t warm_cache(const std::vector<Extent>& wanted, const std::atomic<bool>& stop) {
  std::size_t populated = 0;
#ifdef MADV_POPULATE_WRITE
  // A chunk at a time, so that a stop (a knob change that begins meanwhile) is seen soon: 64
  // pages, about half a millisecond of the kernel's zeroing on a host that backs pages anew.
  constexpr std::size_t kChunk = std::size_t{256} << 10;
  constexpr std::size_t kPage = std::size_t{4} << 10;
  for (const Extent& e : wanted) {
    if (stop.load(std::memory_order_relaxed)) break;
    const std::size_t bytes = round_up(e.bytes);
    if (e.used == 0) continue;
    {
      Cache& c = cache();
      std::lock_guard lock(c.mutex);
      if (c.bytes + bytes > kCacheLimit) break;
    }
    Region r;
    try {
      r = map_fresh(bytes);
    } catch (const std::bad_alloc&) {
      break;  // the kernel refuses: what is made stays
    }
    const std::size_t used = std::min(bytes, (e.used + kPage - 1) / kPage * kPage);
    std::size_t done = 0;
    while (done < used && !stop.load(std::memory_order_relaxed)) {
      const std::size_t chunk = std::min(kChunk, used - done);
      if (!fault_in(static_cast<char*>(r.data) + done, chunk)) break;  // EINVAL: an older kernel
      done += chunk;
    }
    populated += done;
    if (done == 0 || !cache_region(r, true)) {
      munmap(r.data, r.bytes);
      if (done == 0) break;
    }
  }
#else
  (void)wanted;
  (void)stop;
#endif
  return populated;
}

std::size_t drop_warmed() {
  Cache& c = cache();
  std::vector<Region> warmed;
  {
    std::lock_guard lock(c.mutex);
    std::erase_if(c.regions, [&](const Cached& r) {
      if (r.warmed) warmed.push_back(r.region);
      return r.warmed;
    });
    c.bytes -= c.warmed_bytes;
    c.warmed_bytes = 0;
  }
  std::size_t bytes = 0;
  for (const Region& r : warmed) {
    munmap(r.data, r.bytes);
    bytes += r.bytes;
  }
  return bytes;
}

std::size_t warmed_bytes() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.warmed_bytes;
}

}  // namespace gilsim::trace::storage
