// Mappings made ready in the storage cache before a run takes them (storage::warm_cache), and
// the arena's mappings foreseen from the groups a run took (GroupArena::mappings_for).
#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

#include "sim/trace/group_store.hpp"
#include "sim/trace/store.hpp"

using namespace gilsim::trace;

namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kMiB = std::size_t{1} << 20;

/// How many of the pages of [from, to) at `data` are resident (mincore).
std::size_t resident_pages(void* data, std::size_t from, std::size_t to) {
  std::vector<unsigned char> in((to - from) / kPage);
  REQUIRE(mincore(static_cast<char*>(data) + from, to - from, in.data()) == 0);
  return static_cast<std::size_t>(std::count_if(in.begin(), in.end(), [](unsigned char b) { return (b & 1) != 0; }));
}

}  // namespace

TEST_CASE("warmed mappings wait in the cache with their used pages resident, and a run takes them") {
#ifndef MADV_POPULATE_WRITE
  return;  // nothing is warmed without the advice
#endif
  storage::drop_cache();
  std::atomic<bool> stop{false};
  const std::size_t populated = storage::warm_cache({{2 * kMiB, 2 * kMiB}, {4 * kMiB, kMiB + 100}}, stop);
  if (populated == 0) return;  // a kernel before 5.14: EINVAL, nothing made
  CHECK(populated == 2 * kMiB + kMiB + kPage);
  CHECK(storage::cached_bytes() == 6 * kMiB);
  CHECK(storage::warmed_bytes() == 6 * kMiB);
  // The smallest that fits: the 2 MiB one, whole.
  const storage::Region first = storage::map_region(kMiB);
  CHECK(first.bytes == 2 * kMiB);
  CHECK(resident_pages(first.data, 0, first.bytes) == first.bytes / kPage);
  CHECK(storage::warmed_bytes() == 4 * kMiB);
  // The 4 MiB one up to its used bytes (a page rounded up), and nothing past them.
  const storage::Region second = storage::map_region(3 * kMiB);
  CHECK(second.bytes == 4 * kMiB);
  CHECK(resident_pages(second.data, 0, kMiB + kPage) == (kMiB + kPage) / kPage);
  CHECK(resident_pages(second.data, kMiB + kPage, second.bytes) == 0);
  CHECK(storage::warmed_bytes() == 0);
  CHECK(storage::cached_bytes() == 0);
  // Taken, they are a run's like any other: released, they are cached and not warmed ones.
  storage::release_region(first);
  storage::release_region(second);
  CHECK(storage::cached_bytes() == 6 * kMiB);
  CHECK(storage::drop_warmed() == 0);
  CHECK(storage::cached_bytes() == 6 * kMiB);
  storage::drop_cache();
}

TEST_CASE("dropping the warmed mappings gives back those no run took and keeps the cache's others") {
  storage::drop_cache();
  const storage::Region released = storage::map_region(2 * kMiB);
  storage::release_region(released);
  std::atomic<bool> stop{false};
  if (storage::warm_cache({{2 * kMiB, kMiB}, {2 * kMiB, kMiB}}, stop) == 0) {
    storage::drop_cache();
    return;  // a kernel without the advice
  }
  CHECK(storage::cached_bytes() == 6 * kMiB);
  CHECK(storage::drop_warmed() == 4 * kMiB);
  CHECK(storage::warmed_bytes() == 0);
  CHECK(storage::cached_bytes() == 2 * kMiB);
  const storage::Region again = storage::map_region(2 * kMiB);
  CHECK(again.data == released.data);  // the run's own, kept
  storage::release_region(again);
  storage::drop_cache();
}

TEST_CASE("a stop before warming makes nothing, and nothing past the cache's limit is made") {
  storage::drop_cache();
  std::atomic<bool> stop{true};
  CHECK(storage::warm_cache({{2 * kMiB, 2 * kMiB}}, stop) == 0);
  CHECK(storage::cached_bytes() == 0);
  stop = false;
  const std::size_t populated = storage::warm_cache({{storage::kCacheLimit, kPage}, {2 * kMiB, kPage}}, stop);
  CHECK(storage::cached_bytes() <= storage::kCacheLimit);
  CHECK(populated <= kPage);
  storage::drop_cache();
  CHECK(storage::warmed_bytes() == 0);
}

TEST_CASE("an arena's mappings are foreseen from the groups it handed out") {
  for (const std::size_t groups : {std::size_t{10}, std::size_t{200}, std::size_t{3000}, std::size_t{9000},
                                   std::size_t{40000}}) {
    CAPTURE(groups);
    constexpr std::size_t kGroupBytes = 780;  // a span group's: 65 records of 12 bytes
    GroupArena arena(kGroupBytes);
    char* last = nullptr;
    for (std::size_t g = 0; g < groups; ++g) {
      last = static_cast<char*>(arena.take());
      last[0] = 1;
    }
    const std::vector<storage::Extent> foreseen = GroupArena::mappings_for(kGroupBytes, groups);
    CHECK(foreseen.size() == arena.mapped_blocks());
    std::size_t mapped = 0;
    for (const storage::Extent& e : foreseen) {
      CHECK(e.used <= e.bytes);
      CHECK(e.used > 0);
      mapped += e.bytes;
    }
    // The mapped blocks' bytes are the arena's blocks' but for the first few, in malloc
    // (4 to 64 KiB: 124 KiB in all).
    if (!foreseen.empty()) {
      CHECK(arena.block_bytes() - mapped == std::size_t{124} << 10);
      // The last mapping is used up to the group handed out last.
      CHECK(foreseen.back().used % kGroupBytes == 0);
    } else {
      CHECK(arena.block_bytes() <= std::size_t{124} << 10);
    }
  }
}
