// The OS run queue and the choice of an idle core (S1, S4).
#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "sim/model/run_queue.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using gilsim::model::choose_idle_core;
using gilsim::model::CoreView;
using gilsim::model::IdleCores;
using gilsim::model::RunQueue;

namespace {
/// No entry comes before another: the pick is the first queued.
constexpr auto kInOrder = [](std::uint32_t, std::uint32_t) { return false; };
}  // namespace

TEST_CASE("with no entry before another, the run queue is first in, first out, and skips threads that left it") {
  RunQueue q;
  std::set<std::uint32_t> queued{3, 1, 4};
  const auto still = [&queued](std::uint32_t t) { return queued.count(t) == 1; };
  q.push(3);
  q.push(1);
  q.push(4);
  queued.erase(1);  // it blocked while queued: it stays in the vector until looked at
  CHECK(q.has_entries());
  CHECK(q.pop_best(still, kInOrder) == 3);
  queued.erase(3);
  CHECK(q.pop_best(still, kInOrder) == 4);  // 1 skipped
  CHECK(!q.has_entries());
  CHECK(q.pop_best(still, kInOrder) == RunQueue::kEmpty);
}

TEST_CASE("the run queue's pick is the first entry no other comes before, and the others keep their order") {
  RunQueue q;
  const auto always = [](std::uint32_t) { return true; };
  const auto smaller = [](std::uint32_t a, std::uint32_t b) { return a < b; };
  for (const std::uint32_t t : {5U, 2U, 9U, 2U, 7U}) q.push(t);
  CHECK(q.pop_best(always, smaller) == 2);  // the first 2
  CHECK(q.pop_best(always, kInOrder) == 5);
  CHECK(q.pop_best(always, smaller) == 2);
  CHECK(q.pop_best(always, kInOrder) == 9);
  CHECK(q.pop_best(always, kInOrder) == 7);
  CHECK(!q.has_entries());
}

TEST_CASE("a drained run queue starts again from the front") {
  RunQueue q;
  const auto always = [](std::uint32_t) { return true; };
  q.push(7);
  CHECK(q.pop_best(always, kInOrder) == 7);
  CHECK(!q.has_entries());
  q.push(8);
  q.push(9);
  CHECK(q.pop_best(always, kInOrder) == 8);
  CHECK(q.has_entries());
  CHECK(q.pop_best(always, kInOrder) == 9);
}

TEST_CASE("a thread goes back to its previous core if idle, else to the core idle the longest") {
  std::vector<CoreView> cores{
      {.idle = true, .last = 5, .idle_since = 2_ms},
      {.idle = true, .last = 6, .idle_since = 1_ms},
      {.idle = false, .last = 7, .idle_since = 0_ms},
      {.idle = true, .last = 8, .idle_since = 1_ms},
  };
  const auto view = [&cores](int c) { return cores[static_cast<std::size_t>(c)]; };
  CHECK(choose_idle_core(4, 8, view) == 3);  // warm cache wins over a longer idle
  CHECK(choose_idle_core(4, 9, view) == 1);  // idle the longest; core 3 ties later
  CHECK(choose_idle_core(4, 7, view) == 1);  // its previous core is busy
  for (auto& c : cores) c.idle = false;
  CHECK(choose_idle_core(4, 5, view) == -1);
}

TEST_CASE("the idle-core mask makes the same choice as a pass over every core") {
  // Every machine of 1 to 4 cores, each core idle or busy, its last thread one of three
  // (or none), its idle time one of three (ties included): the mask's choice for each
  // thread is the full pass's.
  const std::uint32_t lasts[] = {0, 1, 2, CoreView{}.last};
  const Time sinces[] = {1_ms, 2_ms, 3_ms};
  for (int n = 1; n <= 4; ++n) {
    std::vector<CoreView> cores(static_cast<std::size_t>(n));
    const auto view = [&cores](int c) { return cores[static_cast<std::size_t>(c)]; };
    int combos = 1;
    for (int c = 0; c < n; ++c) combos *= 2 * 4 * 3;
    for (int k = 0; k < combos; ++k) {
      IdleCores mask(n);
      int rest = k;
      for (int c = 0; c < n; ++c) {
        auto& v = cores[static_cast<std::size_t>(c)];
        v.idle = rest % 2 == 0;
        v.last = lasts[(rest / 2) % 4];
        v.idle_since = sinces[(rest / 8) % 3];
        rest /= 24;
        if (!v.idle) mask.busy(c);
      }
      for (const std::uint32_t t : {0U, 1U, 2U, 3U}) {
        REQUIRE(mask.choose(t, view) == choose_idle_core(n, t, view));
        if (mask.lone() != IdleCores::kSeveral) REQUIRE(mask.lone() == choose_idle_core(n, t, view));
      }
    }
  }
}

TEST_CASE("the idle-core mask follows cores given and left, up to 64 cores") {
  IdleCores mask(64);
  CHECK(mask.usable());
  CHECK(mask.mask() == ~IdleCores::Mask{0});
  mask.busy(63);
  mask.busy(0);
  CHECK(mask.mask() == (~IdleCores::Mask{0} & ~IdleCores::bit(63) & ~IdleCores::bit(0)));
  mask.idle(63);
  CHECK(mask.mask() == ~IdleCores::bit(0));
  const auto since = [](int) { return CoreView{.idle = true, .last = 7, .idle_since = 1_ms}; };
  CHECK(mask.choose(9, since) == 1);  // all tie: the first idle one
  CHECK(mask.choose(7, since) == 1);  // its previous core, the first of them
  IdleCores two(2);
  two.busy(0);
  two.busy(1);
  CHECK(two.choose(7, since) == -1);
  CHECK(!IdleCores(65).usable());
}
