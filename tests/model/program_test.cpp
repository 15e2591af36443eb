// Program, the coroutine type of thread programs, and the pool its frames come from.
#include <doctest/doctest.h>

#include <vector>

#include "sim/model/program.hpp"

using gilsim::model::FramePool;
using gilsim::model::Program;

namespace {

Program leaf(std::vector<int>& log, int n) {
  log.push_back(n);
  co_return;
}

Program steps(std::vector<int>& log, int count) {
  for (int i = 0; i < count; ++i) co_await leaf(log, i);
}

}  // namespace

TEST_CASE("a frame given back is the next one taken of its size, in this thread") {
  void* a = FramePool::take(200);
  void* b = FramePool::take(200);
  CHECK(a != b);
  FramePool::give(a, 200);
  void* c = FramePool::take(230);  // the same size class: 193 to 256 bytes
  if (FramePool::kPooled) CHECK(c == a);
  void* big = FramePool::take(4096);  // too big to pool: plain new and delete
  FramePool::give(big, 4096);
  FramePool::give(b, 200);
  FramePool::give(c, 230);
}

TEST_CASE("programs made and ended by the thousand run in order on recycled frames") {
  std::vector<int> log;
  for (int round = 0; round < 3; ++round) {
    log.clear();
    Program p = steps(log, 1000);
    p.handle().resume();  // lazily started: runs to its end, each step a frame of its own
    CHECK(p.done());
    REQUIRE(log.size() == 1000);
    for (int i = 0; i < 1000; ++i) CHECK(log[static_cast<std::size_t>(i)] == i);
  }
}
