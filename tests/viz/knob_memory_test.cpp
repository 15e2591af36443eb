// The memory a knob change frees stays with the process for the next change.
#include "viz/knob_memory.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>

namespace {

long minor_faults(int who = RUSAGE_SELF) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_minflt;
}

/// Minor page faults (of this process, or with RUSAGE_THREAD this thread) while a fresh block
/// of `bytes` is written through; -1 when it cannot be had.
long faults_writing(std::size_t bytes, int who = RUSAGE_SELF) {
  const long before = minor_faults(who);
  auto* block = static_cast<char*>(std::malloc(bytes));
  if (block == nullptr) return -1;
  std::memset(block, 1, bytes);
  asm volatile("" : : "r"(block) : "memory");  // the writes kept: GCC drops a block written and freed unread
  const long faults = minor_faults(who) - before;
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
  REQUIRE(first >= 0);
  INFO("faults writing 8 MiB the first time: " << first << ", again: " << again);
  CHECK(again < kPages / 8);  // a few, where the heap's top moved, may fault
}

/// In a child process of its own (whose heap, the parent's copied, faults every page written
/// in again: copied on write, or fresh), `before()` (its exit status when not 0), then this
/// thread's minor faults writing a fresh block of 20 MiB: the exit status is the faults in
/// thousands, so 0 means under 1,000 of the block's 5,120 pages.
int child_faults_writing_20_mib(const std::function<int()>& before) {
  const pid_t child = fork();
  if (child == 0) {
    if (const int failed = before(); failed != 0) _exit(failed);
    const long faults = faults_writing(std::size_t{20} << 20, RUSAGE_THREAD);
    _exit(faults < 0 ? 98 : static_cast<int>(std::min(faults / 1000, 90L)));
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

/// The same after warming the child's heap by 21 MiB first, or not.
int child_faults_writing_20_mib(bool warm) {
  return child_faults_writing_20_mib([warm] {
    const std::atomic<bool> stop{false};
    return warm && gilsim::viz::warm_this_threads_heap(std::size_t{21} << 20, stop) != std::size_t{21} << 20 ? 99 : 0;
  });
}

TEST_CASE("a thread's heap warmed ahead is written without faulting its pages in") {
  REQUIRE(gilsim::viz::keep_freed_memory_for_knob_changes());
  const int warmed = child_faults_writing_20_mib(true);
  const int not_warmed = child_faults_writing_20_mib(false);
  INFO("thousands of faults writing 20 MiB (5,120 pages) after warming: " << warmed << "; not warmed: " << not_warmed);
  CHECK(warmed == 0);
  CHECK(not_warmed >= 4);  // the check above tells the two apart
}

/// The same after the block its heap will give next was faulted in by another thread
/// (`beside`), or not. 99: too few bytes populated.
int child_faults_writing_20_mib_populated_beside(bool beside) {
  return child_faults_writing_20_mib([beside] {
    constexpr std::size_t kBytes = std::size_t{20} << 20;
    const gilsim::viz::HeapBlock block = gilsim::viz::next_heap_block(kBytes);
    if (block.bytes != kBytes) return 97;
    std::size_t populated = 0;
    if (beside) std::thread([&] { populated = gilsim::viz::populate_heap_block(block); }).join();
    return beside && populated + 2 * 4096 < kBytes ? 99 : 0;  // whole pages only
  });
}

TEST_CASE("the block a thread's heap gives next, faulted in by another thread, is written without faults") {
  REQUIRE(gilsim::viz::keep_freed_memory_for_knob_changes());
  const int populated = child_faults_writing_20_mib_populated_beside(true);
  const int not_populated = child_faults_writing_20_mib_populated_beside(false);
  INFO("thousands of faults writing 20 MiB (5,120 pages) after another thread populated them: " << populated
       << "; not populated: " << not_populated);
  CHECK(populated == 0);
  CHECK(not_populated >= 4);  // the check above tells the two apart
}

TEST_CASE("a heap's warming goes as far as its allowance lets it, then waits there until stopped") {
  REQUIRE(gilsim::viz::keep_freed_memory_for_knob_changes());
  std::atomic<bool> stop{false};
  std::atomic<int> asked{0};
  // 1 MiB allowed at first; once asked a few times waiting there, 2 MiB; then stopped.
  const auto allowance = [&]() -> std::size_t {
    const int n = asked.fetch_add(1);
    if (n > 400) stop = true;
    return (n > 200 ? std::size_t{2} : std::size_t{1}) << 20;
  };
  const std::size_t warmed = gilsim::viz::warm_this_threads_heap(std::size_t{8} << 20, stop, allowance);
  CHECK(warmed == std::size_t{2} << 20);
}

TEST_CASE("a heap's warming asked to stop before it starts faults nothing in") {
  const std::atomic<bool> stop{true};
  CHECK(gilsim::viz::warm_this_threads_heap(std::size_t{4} << 20, stop) == 0);
}
#endif
