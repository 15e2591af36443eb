// The trace's mappings populated ahead of their writer on a worker thread (populator.hpp):
// the pages past what the writer needs become resident, within the bound asked, with the
// writer's bytes unchanged, and a mapping released while its populate is pending waits for
// it, gets no more work, and leaves no thread behind.
#include "sim/trace/populator.hpp"

#include <doctest/doctest.h>

#include <dirent.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "sim/trace/store.hpp"

using gilsim::trace::Store;
namespace storage = gilsim::trace::storage;
namespace ahead = gilsim::trace::storage::ahead;

namespace {

constexpr std::size_t kPage = 4096;

/// Which of the pages of [from, to) of `r` are resident (mincore), one per page.
std::vector<bool> resident(const storage::Region& r, std::size_t from, std::size_t to) {
  std::vector<unsigned char> in((to - from) / kPage);
  REQUIRE(mincore(static_cast<char*>(r.data) + from, to - from, in.data()) == 0);
  std::vector<bool> out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = (in[i] & 1) != 0;
  return out;
}

bool all_in(const std::vector<bool>& pages) { return std::all_of(pages.begin(), pages.end(), [](bool b) { return b; }); }
bool none_in(const std::vector<bool>& pages) { return std::none_of(pages.begin(), pages.end(), [](bool b) { return b; }); }

/// The stretch commit() takes for a writer that needs `needed` bytes (store.cpp).
std::size_t stretch_for(std::size_t needed) {
  return std::clamp<std::size_t>(std::bit_floor(std::max<std::size_t>(needed / 64, 1)), std::size_t{64} << 10,
                                 storage::kHugePage);
}

/// The process's threads now (/proc/self/task).
int thread_count() {
  DIR* dir = opendir("/proc/self/task");
  REQUIRE(dir != nullptr);
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

/// The process's threads once there are no more than `expected` (or a second has gone).
int threads_after(int expected) {
  int count = thread_count();
  for (int i = 0; i < 1000 && count > expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    count = thread_count();
  }
  return count;
}

struct Item {
  std::uint64_t a, b, c;
};

/// Turns populating ahead on for a test (it is off where the machine has one CPU) and back
/// to what it was.
struct AheadOn {
  bool was = ahead::enabled();
  AheadOn() { ahead::set_enabled(true); }
  ~AheadOn() { ahead::set_enabled(was); }
};

}  // namespace

TEST_CASE("the pages past what the writer needs are populated ahead by the worker, and no further") {
  AheadOn on;
  storage::drop_cache();  // a fresh mapping: a cached one is resident from its last use
  const storage::Region r = storage::map_region(std::size_t{32} << 20);
  const std::size_t needed = std::size_t{8} << 20;
  const std::size_t to = storage::commit(r, 0, needed);
  const std::size_t ahead_to = to + ahead::stretches_ahead() * stretch_for(needed);
  REQUIRE(ahead_to < r.bytes);
  ahead::drain();
  CHECK(all_in(resident(r, 0, to)));         // the writer's own
  CHECK(all_in(resident(r, to, ahead_to)));  // the worker's, ahead of it
  CHECK(none_in(resident(r, ahead_to, r.bytes)));
  // The writer goes on into the region populated ahead: the next one is asked for.
  const std::size_t next_needed = ahead_to - kPage;
  const std::size_t next_to = storage::commit(r, to, next_needed);
  const std::size_t next_ahead_to = std::min(r.bytes, next_to + ahead::stretches_ahead() * stretch_for(next_needed));
  ahead::drain();
  CHECK(all_in(resident(r, 0, next_ahead_to)));
  CHECK(none_in(resident(r, next_ahead_to, r.bytes)));
  // What the worker populated is zeroes, as a fresh page the writer faulted in would be.
  const auto* bytes = static_cast<const unsigned char*>(r.data);
  CHECK(std::all_of(bytes, bytes + next_ahead_to, [](unsigned char b) { return b == 0; }));
  storage::release_region(r);
  storage::drop_cache();
}

TEST_CASE("a page the writer wrote before the worker reached it keeps its bytes") {
  AheadOn on;
  storage::drop_cache();
  const storage::Region r = storage::map_region(std::size_t{32} << 20);
  const std::size_t needed = std::size_t{4} << 20;
  // The writer is ahead of its commits: it writes every third page of the region the
  // worker will be asked for, and a byte mid-page, before it commits the region before it.
  auto* bytes = static_cast<unsigned char*>(r.data);
  const std::size_t region_end = std::size_t{8} << 20;
  for (std::size_t at = needed; at < region_end; at += 3 * kPage) {
    bytes[at] = static_cast<unsigned char>(at / kPage);
    bytes[at + kPage / 2] = 0xA5;
  }
  const std::size_t to = storage::commit(r, 0, needed);
  const std::size_t ahead_to = to + ahead::stretches_ahead() * stretch_for(needed);
  REQUIRE(ahead_to <= region_end);
  ahead::drain();
  CHECK(all_in(resident(r, to, ahead_to)));
  std::size_t wrong = 0;
  for (std::size_t at = needed; at < region_end; at += kPage) {
    const bool written = (at - needed) % (3 * kPage) == 0;
    const unsigned char first = written ? static_cast<unsigned char>(at / kPage) : 0;
    const unsigned char middle = written ? 0xA5 : 0;
    if (bytes[at] != first || bytes[at + kPage / 2] != middle) ++wrong;
  }
  CHECK(wrong == 0);
  storage::release_region(r);
  storage::drop_cache();
}

TEST_CASE("a store filled while the worker populates ahead holds what was written") {
  AheadOn on;
  storage::drop_cache();
  Store<Item> s;
  const std::size_t count = (std::size_t{48} << 20) / sizeof(Item);
  for (std::size_t i = 0; i < count; ++i) s.push_back(Item{i, i * 7, ~i});
  REQUIRE(s.mapped());
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (s[i].a != i || s[i].b != i * 7 || s[i].c != ~i) ++wrong;
  }
  CHECK(wrong == 0);
}

TEST_CASE("a mapping released while its populate is pending waits for it, and gets no more work") {
  AheadOn on;
  storage::drop_cache();
  const storage::Region first = storage::map_region(std::size_t{256} << 20);
  const storage::Region r = storage::map_region(std::size_t{256} << 20);
  // Writers far in: their stretch is 2 MiB and the worker is asked for several of them,
  // the first mapping's first, so that the second's is pending when it is released.
  const std::size_t needed = std::size_t{128} << 20;
  storage::commit(first, needed - kPage, needed);
  const std::size_t to = storage::commit(r, needed - kPage, needed);
  REQUIRE(ahead::worker_running());
  storage::release_region(r);  // to the cache, with its populate cut short or done
  CHECK(storage::cached_bytes() == r.bytes);
  const std::vector<bool> in = resident(r, to, r.bytes);
  MESSAGE("pages populated ahead of the released mapping before it went: ",
          std::count(in.begin(), in.end(), true), " of ", ahead::stretches_ahead() * stretch_for(needed) / kPage);
  // The worker goes on with the first mapping's work, and does none of the second's.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(resident(r, to, r.bytes) == in);
  storage::release_region(first);
  const std::size_t worked = ahead::worker_bytes();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(ahead::worker_bytes() == worked);  // nothing done for either once both went
  CHECK(!ahead::worker_running());  // no mapping left to serve
  storage::drop_cache();            // unmapped, with nothing of them pending
}

TEST_CASE("a store that goes leaves no populating thread behind") {
  AheadOn on;
  storage::drop_cache();
  const int threads_before = threads_after(1);  // any thread an earlier test joined gone
  {
    Store<Item> s;
    for (std::size_t i = 0; i < (std::size_t{40} << 20) / sizeof(Item); ++i) s.push_back(Item{i, i, i});
    REQUIRE(s.mapped());
    CHECK(ahead::worker_running());
    CHECK(thread_count() == threads_before + 1);
  }  // destroyed at once, its populate perhaps pending
  CHECK(!ahead::worker_running());
  // Joined; the kernel lists a thread it has let go of a little after its join returns.
  CHECK(threads_after(threads_before) == threads_before);
  storage::drop_cache();
}

TEST_CASE("a mapping under the size populated ahead is populated by its writer alone") {
  AheadOn on;
  storage::drop_cache();
  const storage::Region r = storage::map_region(storage::kPopulatedAheadFrom / 2);
  const std::size_t to = storage::commit(r, 0, r.bytes / 4);
  ahead::drain();
  CHECK(all_in(resident(r, 0, to)));
  CHECK(none_in(resident(r, to, r.bytes)));
  CHECK(!ahead::worker_running());
  storage::release_region(r);
  storage::drop_cache();
}

TEST_CASE("a child of fork() has none of its parent's populating and starts its own worker") {
#ifdef __SANITIZE_THREAD__
  MESSAGE("not under TSan: it does not start threads in the child of a process with threads");
#else
  AheadOn on;
  storage::drop_cache();
  const storage::Region parent_region = storage::map_region(std::size_t{64} << 20);
  storage::commit(parent_region, 0, std::size_t{8} << 20);
  REQUIRE(ahead::worker_running());
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // No doctest checks in the child: its verdict is its exit status.
    bool ok = !ahead::worker_running();  // the parent's worker is not the child's
    const storage::Region r = storage::map_region(std::size_t{64} << 20);
    const std::size_t needed = std::size_t{8} << 20;
    const std::size_t to = storage::commit(r, 0, needed);
    const std::size_t ahead_to = to + ahead::stretches_ahead() * stretch_for(needed);
    ok = ok && ahead::worker_running();
    ahead::drain();
    std::vector<unsigned char> in((ahead_to - to) / kPage);
    ok = ok && mincore(static_cast<char*>(r.data) + to, ahead_to - to, in.data()) == 0;
    ok = ok && std::all_of(in.begin(), in.end(), [](unsigned char b) { return (b & 1) != 0; });
    storage::release_region(r);
    ok = ok && !ahead::worker_running();  // the parent's mapping is not one the child serves
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(ahead::worker_running());  // the parent's, still serving its mapping
  storage::release_region(parent_region);
  CHECK(!ahead::worker_running());
  storage::drop_cache();
#endif
}

TEST_CASE("with populating ahead off, the writer populates what it needs alone and no thread starts") {
  const bool was = ahead::enabled();
  ahead::set_enabled(false);
  storage::drop_cache();
  const int threads_before = threads_after(1);  // any thread an earlier test joined gone
  const std::size_t worked = ahead::worker_bytes();
  const storage::Region r = storage::map_region(std::size_t{32} << 20);
  const std::size_t to = storage::commit(r, 0, std::size_t{8} << 20);
  CHECK(all_in(resident(r, 0, to)));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(none_in(resident(r, to, r.bytes)));
  CHECK(!ahead::worker_running());
  CHECK(thread_count() <= threads_before);
  CHECK(ahead::worker_bytes() == worked);
  storage::release_region(r);
  storage::drop_cache();
  ahead::set_enabled(was);
}
