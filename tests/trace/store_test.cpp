// The trace's storage: reads like a vector, grows without losing or moving contents by
// copy past the mapping threshold, and gives its mappings back for the next run.
#include "sim/trace/store.hpp"

#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
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
