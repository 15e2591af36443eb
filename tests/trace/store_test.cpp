// The trace's storage: reads like a vector, grows without losing or moving contents by
// copy past the mapping threshold, and gives its mappings back for the next run.
#include "sim/trace/store.hpp"

#include "sim/trace/group_store.hpp"

#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>
#include <cstdint>
#include <span>

#include "sim/trace/trace.hpp"

using gilsim::trace::Span;
using gilsim::trace::Store;
namespace storage = gilsim::trace::storage;

namespace {

struct Item {
  std::uint64_t a;
  std::uint64_t b;
  std::uint64_t c;
};

/// Enough 24-byte items to cross into a mapping and grow it twice.
constexpr std::size_t kMany = 3 * (std::size_t{2} << 20) / sizeof(Item);

void fill(Store<Item>& s, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) s.push_back(Item{i, i * 3, ~i});
}

/// The VmFlags of the mapping that begins at `start`, from /proc/self/smaps ("" if none).
std::string vm_flags_at(const void* start) {
  std::ifstream smaps("/proc/self/smaps");
  std::ostringstream head;
  head << std::hex << reinterpret_cast<std::uintptr_t>(start) << '-';
  bool in_it = false;
  for (std::string line; std::getline(smaps, line);) {
    // A mapping's first line is "start-end perms ...", in hex without 0x.
    if (line.rfind(head.str(), 0) == 0) {
      in_it = true;
    } else if (in_it && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool holds_sequence(const Store<Item>& s, std::size_t count) {
  if (s.size() != count) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (s[i].a != i || s[i].b != i * 3 || s[i].c != ~i) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a small store reads like a vector and stays in malloc") {
  Store<Item> s;
  CHECK(s.empty());
  CHECK(s.begin() == s.end());
  fill(s, 100);
  CHECK(s.size() == 100);
  CHECK(!s.mapped());
  CHECK(s.front().a == 0);
  CHECK(s.back().a == 99);
  CHECK(s.end() - s.begin() == 100);
  const auto it = std::lower_bound(s.begin(), s.end(), std::uint64_t{42},
                                   [](const Item& x, std::uint64_t v) { return x.a < v; });
  CHECK(it - s.begin() == 42);
  const std::span<const Item> view = s;
  CHECK(view.size() == 100);
  s.back().a = 7;
  s.pop_back();
  CHECK(s.size() == 99);
  s.clear();
  CHECK(s.empty());
  CHECK(s.capacity() >= 100);
}

TEST_CASE("a large store moves into a mapping and keeps every item as it grows") {
  Store<Item> s;
  fill(s, kMany);
  CHECK(s.mapped());
  CHECK(holds_sequence(s, kMany));
  CHECK(s.capacity() >= kMany);
  CHECK(reinterpret_cast<std::uintptr_t>(s.data()) % storage::kHugePage == 0);
}

TEST_CASE("appending a run of items keeps their order, in malloc and into a mapping") {
  std::vector<Item> items;
  for (std::uint64_t i = 0; i < kMany; ++i) items.push_back(Item{i, i * 3, ~i});
  Store<Item> s;
  s.append(items.data(), 0);
  CHECK(s.empty());
  s.append(items.data(), 5);
  CHECK(s.size() == 5);
  CHECK(!s.mapped());
  s.append(items.data() + 5, kMany - 5);
  CHECK(s.mapped());
  CHECK(holds_sequence(s, kMany));
}

TEST_CASE("extending in room writes in place, in malloc and in a mapping, and leaves the room as it was") {
  Store<Item> s;
  s.reserve(4);
  for (std::uint64_t i = 0; i < 4; ++i) *s.extend_in_room() = Item{i, i * 3, ~i};
  CHECK(s.capacity() == 4);
  CHECK(holds_sequence(s, 4));
  // Into a mapping: in room where there is room, else pushed (which grows it).
  Store<Item> t;
  for (std::uint64_t i = 0; i < kMany; ++i) {
    if (t.size() < t.capacity()) {
      *t.extend_in_room() = Item{i, i * 3, ~i};
    } else {
      t.push_back(Item{i, i * 3, ~i});
    }
  }
  CHECK(t.mapped());
  CHECK(holds_sequence(t, kMany));
}

TEST_CASE("reserving in malloc makes room for exactly that many; appending grows by half again") {
  Store<Item> s;
  s.reserve(3);
  CHECK(s.capacity() == 3);
  fill(s, 3);
  CHECK(s.capacity() == 3);
  s.push_back(Item{3, 9, ~std::uint64_t{3}});
  CHECK(s.capacity() == 8);  // the smallest geometric step
  fill(s, 4);
  CHECK(s.capacity() == 8);
  s.push_back(Item{});
  CHECK(s.capacity() == 12);
  s.reserve(5);  // never shrinks
  CHECK(s.capacity() == 12);
}

TEST_CASE("copies are deep and moves take the storage") {
  Store<Item> big;
  fill(big, kMany);
  Store<Item> copy = big;
  CHECK(holds_sequence(copy, kMany));
  copy[0].a = 12345;
  CHECK(big[0].a == 0);
  const Item* data = big.data();
  Store<Item> moved = std::move(big);
  CHECK(moved.data() == data);
  CHECK(holds_sequence(moved, kMany));
  CHECK(big.empty());  // NOLINT(bugprone-use-after-move): a moved-from store is empty
  Store<Item> small{Item{1, 2, 3}, Item{4, 5, 6}};
  small = moved;
  CHECK(holds_sequence(small, kMany));
  moved = Store<Item>{Item{9, 9, 9}};
  CHECK(moved.size() == 1);
  CHECK(!moved.mapped());
}

TEST_CASE("a released mapping is reused by the next store, contents and all pages") {
  storage::drop_cache();
  CHECK(storage::cached_bytes() == 0);
  const void* first = nullptr;
  {
    Store<Item> s;
    fill(s, kMany);
    first = s.data();
  }
  const std::size_t cached = storage::cached_bytes();
  CHECK(cached >= kMany * sizeof(Item));
  Store<Item> again;
  fill(again, kMany);
  CHECK(again.data() == first);
  CHECK(holds_sequence(again, kMany));
  CHECK(storage::cached_bytes() == 0);
  storage::drop_cache();
}

TEST_CASE("a mapping is committed a stretch ahead of what its store needs, never past its end") {
  const storage::Region r = storage::map_region(std::size_t{4} << 20);
  const std::size_t first = storage::commit(r, 0, 100);
  CHECK(first >= 100 + (std::size_t{64} << 10));
  CHECK(first % 4096 == 0);
  const std::size_t later = storage::commit(r, first, std::size_t{3} << 20);
  CHECK(later >= (std::size_t{3} << 20) + (std::size_t{64} << 10));
  CHECK(later <= r.bytes);
  CHECK(storage::commit(r, later, r.bytes) == r.bytes);
  // The committed pages hold what is written to them.
  std::memset(r.data, 0xAB, later);
  CHECK(static_cast<const unsigned char*>(r.data)[later - 1] == 0xAB);
  storage::release_region(r);
  storage::drop_cache();
}

TEST_CASE("a mapped store keeps at most a stretch resident past its last item") {
  storage::drop_cache();  // a fresh mapping: a cached one is resident from its last use
  Store<Item> s;
  fill(s, kMany);
  REQUIRE(s.mapped());
  const long page = sysconf(_SC_PAGESIZE);
  const std::size_t mapped_pages = (s.capacity() * sizeof(Item) + static_cast<std::size_t>(page) - 1) /
                                   static_cast<std::size_t>(page);
  // Only the committed part is asked about: it must be resident; the capacity ends there.
  std::vector<unsigned char> resident(mapped_pages);
  REQUIRE(mincore(s.data(), mapped_pages * static_cast<std::size_t>(page), resident.data()) == 0);
  CHECK(std::all_of(resident.begin(), resident.end(), [](unsigned char r) { return (r & 1) != 0; }));
  // What is committed past the items is at most one stretch: a 64th of the store, at
  // least 64 KiB (2 MiB at most).
  const std::size_t stretch = std::max(kMany * sizeof(Item) / 64, std::size_t{64} << 10);
  CHECK(s.capacity() * sizeof(Item) <= kMany * sizeof(Item) + stretch + static_cast<std::size_t>(page));
}

TEST_CASE("a large mapping is not advised for huge pages") {
  // Faulting in a fresh huge page cost 6 to 8 times what its 4 KiB pages cost on the
  // machine measured (docs/performance.md, "Huge pages on a fresh machine").
  storage::drop_cache();
  const storage::Region r = storage::map_region(std::size_t{128} << 20);
  const std::string flags = vm_flags_at(r.data);
  REQUIRE(!flags.empty());
  CHECK(flags.find(" hg") == std::string::npos);
  storage::release_region(r);
  storage::drop_cache();
}

TEST_CASE("the cache keeps at most its limit and gives the rest back") {
  storage::drop_cache();
  std::vector<storage::Region> regions;
  std::size_t total = 0;
  while (total <= storage::kCacheLimit) {
    regions.push_back(storage::map_region(std::size_t{32} << 20));
    total += regions.back().bytes;
  }
  for (const auto& r : regions) storage::release_region(r);
  CHECK(storage::cached_bytes() <= storage::kCacheLimit);
  CHECK(storage::cached_bytes() >= storage::kCacheLimit - (std::size_t{32} << 20));
  storage::drop_cache();
  CHECK(storage::cached_bytes() == 0);
}

TEST_CASE("spans and marks are 24 bytes, and a mark keeps a 56-bit value and its kind") {
  CHECK(sizeof(Span) == 24);
  CHECK(sizeof(gilsim::trace::Mark) == 24);
  gilsim::trace::Mark m{gilsim::Time{5}, 1, 2, -(std::int64_t{1} << 54), gilsim::trace::MarkKind::Dispatch};
  const auto& read = m;  // bit-fields bind to const references only
  CHECK(read.value == -(std::int64_t{1} << 54));
  CHECK(read.kind == gilsim::trace::MarkKind::Dispatch);
  m.value = (std::int64_t{1} << 55) - 1;
  CHECK(read.value == (std::int64_t{1} << 55) - 1);
  CHECK(read.kind == gilsim::trace::MarkKind::Dispatch);
}

TEST_CASE("a group store grows a group at a time: the first from 8 by three times up to a group, the rest whole, none moved") {
  using Groups = gilsim::trace::GroupStore<std::uint32_t, 10>;
  Groups groups;
  CHECK(groups.groups() == 0);
  CHECK(groups.capacity() == 0);
  // The first group: as asked, then at least 8, then three times as much, up to a whole group.
  std::uint32_t* first = groups.make_room(0, 2);
  CHECK(groups.capacity() == 2);
  first[0] = 100;
  first[1] = 101;
  groups.make_room(0, 2);  // room enough: nothing changes
  CHECK(groups.capacity() == 2);
  std::vector<std::size_t> ladder;
  for (std::size_t items = 3; items <= 10; ++items) {
    first = groups.make_room(0, items);
    first[items - 1] = static_cast<std::uint32_t>(100 + items - 1);
    if (ladder.empty() || ladder.back() != groups.capacity()) ladder.push_back(groups.capacity());
  }
  CHECK(ladder == std::vector<std::size_t>{8, 10});
  // Later groups are whole at once, and growing never moves a group before them.
  std::vector<std::uint32_t*> where;
  for (std::size_t g = 0; g < 40; ++g) {
    std::uint32_t* group = groups.make_room(g, 1);
    if (g > 0) {
      CHECK(groups.room(g) == 10);
      for (std::uint32_t i = 0; i < 10; ++i) group[i] = static_cast<std::uint32_t>(g * 1000 + i);
    }
    where.push_back(group);
  }
  CHECK(groups.groups() == 40);
  CHECK(groups.capacity() == 400);
  for (std::size_t g = 0; g < 40; ++g) {
    CAPTURE(g);
    CHECK(groups.group(g) == where[g]);
    for (std::uint32_t i = 0; i < 10; ++i) {
      CHECK(groups.group(g)[i] == (g == 0 ? 100 + i : static_cast<std::uint32_t>(g * 1000 + i)));
    }
  }

  // Moved and swapped, the groups stay where they were (one-group stores keep their table inline).
  Groups one;
  one.make_room(0, 3, true)[2] = 7;
  CHECK(one.capacity() == 3);
  Groups moved(std::move(groups));
  CHECK(groups.groups() == 0);  // NOLINT(bugprone-use-after-move): a moved-from store is empty
  CHECK(moved.group(39) == where[39]);
  moved.swap(one);
  CHECK(one.group(39) == where[39]);
  REQUIRE(moved.groups() == 1);
  CHECK(moved.group(0)[2] == 7);
  Groups inline_moved(std::move(moved));
  CHECK(inline_moved.group(0)[2] == 7);
  inline_moved.make_room(1, 1);  // the table leaves the store: the first group is made whole first
  CHECK(inline_moved.room(0) == 10);
  CHECK(inline_moved.group(0)[2] == 7);
  CHECK(inline_moved.capacity() == 20);
}

TEST_CASE("a group store's last group grows exactly when asked, and a table reserved moves no group") {
  gilsim::trace::GroupStore<std::uint64_t, 65> groups;
  groups.reserve_groups(1'000);
  CHECK(groups.groups() == 0);
  groups.make_room(0, 65);
  std::uint64_t* last = groups.make_room(1, 5, true);  // a copy's last group, made to its size
  CHECK(groups.capacity() == 70);
  for (std::uint64_t i = 0; i < 5; ++i) last[i] = i;
  last = groups.make_room(1, 6);  // pushed past it: half as much again
  CHECK(groups.room(1) == 8);
  last = groups.make_room(1, 9, true);
  CHECK(groups.room(1) == 9);
  for (std::uint64_t i = 0; i < 5; ++i) CHECK(last[i] == i);
  groups.make_room(2, 1);
  CHECK(groups.room(1) == 65);  // made whole before the group after it
  for (std::uint64_t i = 0; i < 5; ++i) CHECK(groups.group(1)[i] == i);
  std::uint64_t* const second = groups.group(1);
  for (std::size_t g = 3; g < 1'000; ++g) groups.make_room(g, 1);
  CHECK(groups.group(1) == second);
  CHECK(groups.capacity() == 65'000);
}

TEST_CASE("a run's stores take whole groups from its arena, which lives while one of them holds it") {
  using Groups = gilsim::trace::GroupStore<std::uint32_t, 100>;
  auto arena = std::make_shared<gilsim::trace::GroupArena>(100 * sizeof(std::uint32_t));
  std::vector<Groups> lanes(3);
  for (Groups& lane : lanes) lane.use_arena(arena);
  // Lanes grow in step; each one's groups read back as written.
  const auto fill = [](Groups& lane, std::size_t g, std::uint32_t from) {
    std::uint32_t* group = lane.make_room(g, 100);
    for (std::uint32_t i = 0; i < 100; ++i) group[i] = from + i;
  };
  for (std::size_t l = 0; l < lanes.size(); ++l) {
    std::uint32_t* first = lanes[l].make_room(0, 2);
    first[0] = static_cast<std::uint32_t>(l);
    first[1] = 7;
    CHECK(lanes[l].room(0) == 2);  // a first group starts small, in malloc
  }
  const std::size_t before = arena->block_bytes();
  for (std::size_t g = 0; g < 30; ++g) {
    for (std::size_t l = 0; l < lanes.size(); ++l) {
      if (g == 0) {
        lanes[l].make_room(0, 100);  // made whole: moved to the arena, its two items with it
        CHECK(lanes[l].group(0)[0] == l);
        CHECK(lanes[l].group(0)[1] == 7);
      } else {
        fill(lanes[l], g, static_cast<std::uint32_t>(l * 100'000 + g * 100));
      }
    }
  }
  CHECK(before == 0);
  CHECK(arena->block_bytes() >= 90 * 400);
  CHECK(arena->block_bytes() < 90 * 400 + (std::size_t{64} << 10));
  for (std::size_t l = 0; l < lanes.size(); ++l) {
    CHECK(lanes[l].capacity() == 3'000);
    for (std::size_t g = 1; g < 30; ++g) {
      CHECK(lanes[l].group(g)[99] == static_cast<std::uint32_t>(l * 100'000 + g * 100 + 99));
    }
  }
  // Sealed, the arena hands out no more: later groups come from malloc, and each is freed
  // with its store (run under ASan, a group freed twice or not at all is an error).
  arena->seal();
  fill(lanes[0], 30, 5);
  CHECK(lanes[0].group(30)[99] == 104);
  CHECK(lanes[0].room(30) == 100);
  std::weak_ptr<gilsim::trace::GroupArena> watch = arena;
  arena.reset();
  Groups moved(std::move(lanes[1]));
  lanes.erase(lanes.begin(), lanes.begin() + 2);
  CHECK(!watch.expired());  // the moved lane and the third still hold it
  CHECK(moved.group(29)[0] == static_cast<std::uint32_t>(100'000 + 2'900));
  lanes.clear();
  CHECK(!watch.expired());
  moved = Groups();
  CHECK(watch.expired());
}

TEST_CASE("an arena's blocks after its first 124 KiB are mappings, faulted in as groups are handed out, cached when it goes") {
  storage::drop_cache();
  constexpr std::size_t kGroupBytes = 780;
  std::vector<std::uint32_t*> groups;  // a group is 4-byte aligned: its records' words are 32-bit
  {
    gilsim::trace::GroupArena arena(kGroupBytes);
    // 4 MiB of groups: the malloc blocks (4 to 64 KiB), then a 2 MiB mapping and a larger one.
    for (std::size_t i = 0; i < (std::size_t{4} << 20) / kGroupBytes; ++i) {
      auto* group = static_cast<std::uint32_t*>(arena.take());
      REQUIRE(group != nullptr);
      for (std::size_t w = 0; w < 2; ++w) group[w] = static_cast<std::uint32_t>(i * 2 + w);  // the group's bytes are there to write
      groups.push_back(group);
    }
    CHECK(arena.mapped_blocks() == 2);
    for (std::size_t i = 0; i < groups.size(); ++i) CHECK(groups[i][1] == i * 2 + 1);
    // Groups do not overlap: each one's end is at or before the next one's start in its block.
    std::vector<std::uint32_t*> sorted = groups;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      CHECK(reinterpret_cast<char*>(sorted[i]) - reinterpret_cast<char*>(sorted[i - 1]) >= static_cast<std::ptrdiff_t>(kGroupBytes));
    }
    arena.seal();
    CHECK(arena.take() == nullptr);
  }
  CHECK(storage::cached_bytes() >= (std::size_t{4} << 20));  // its two mappings, for the next run
  storage::drop_cache();
}
