#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/trace/room_populated.hpp"

using gilsim::trace::RoomPopulated;

namespace {

/// Resident pages among those wholly inside [from, to) (mincore: a page is in memory).
std::size_t resident_pages(const void* from, const void* to) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(from) + page - 1) / page * page;
  const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(to) / page * page;
  if (last <= first) return 0;
  std::vector<unsigned char> in_memory((last - first) / page);
  REQUIRE(mincore(reinterpret_cast<void*>(first), last - first, in_memory.data()) == 0);
  std::size_t resident = 0;
  for (const unsigned char p : in_memory) resident += p & 1;
  return resident;
}

}  // namespace

TEST_CASE("a reserve is made resident up to where its writer will reach, and no further") {
  constexpr std::size_t kRoom = std::size_t{8} << 20;  // 64 MiB of int64: mapped, untouched
  std::vector<std::int64_t> v;
  v.reserve(kRoom);
  const std::int64_t* base = v.data();
  // Past its first pages, which an allocator may write (ASan's fills the first 4 KiB).
  REQUIRE(resident_pages(base + kRoom / 4, base + kRoom) == 0);

  RoomPopulated<std::int64_t> room;
  room.up_to(v, kRoom / 4);
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t quarter_pages = kRoom / 4 * sizeof(std::int64_t) / page;
  CHECK(resident_pages(base, base + kRoom / 4) >= quarter_pages - 1);
  CHECK(resident_pages(base + kRoom / 2, base + kRoom) == 0);

  for (std::int64_t i = 0; i < 1000; ++i) v.push_back(i * 3);
  room.up_to(v, 10);  // behind the items: nothing to do, and the items stay
  room.up_to(v, kRoom * 2);  // past the capacity: up to it
  CHECK(resident_pages(base + kRoom / 2, base + kRoom) >= quarter_pages * 2 - 1);
  CHECK(v.size() == 1000);
  for (std::int64_t i = 0; i < 1000; ++i) CHECK(v[static_cast<std::size_t>(i)] == i * 3);
}

TEST_CASE("a vector moved to a new allocation keeps its items and is populated there from them on") {
  constexpr std::size_t kFirst = std::size_t{1} << 20;
  std::vector<std::int64_t> v{5, 6, 7};
  v.reserve(kFirst);
  RoomPopulated<std::int64_t> room;
  room.up_to(v, kFirst);                // the first allocation populated to its end
  v.reserve(kFirst * 4);                // a new allocation: the three items moved, the rest untouched
  // Read from 4 MiB on: the items' write may have brought in a whole huge page of 2 MiB.
  const std::int64_t* past_huge_page = v.data() + kFirst / 2;
  REQUIRE(resident_pages(past_huge_page, v.data() + kFirst) == 0);
  room.up_to(v, kFirst);                // not "done up to kFirst already": that was the old allocation
  CHECK(resident_pages(past_huge_page, v.data() + kFirst) > 0);
  CHECK(v == std::vector<std::int64_t>{5, 6, 7});
}
