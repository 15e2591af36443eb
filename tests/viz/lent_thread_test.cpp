// A thread waiting for another lends itself to the other's work (the start-up load's indexing).
#include "viz/lent_thread.hpp"

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>
#include <functional>
#include <new>
#include <stdexcept>

using gilsim::viz::LentThread;

namespace {

/// The threads a work ran on, each call recorded.
struct Callers {
  std::mutex mutex;
  std::multiset<std::thread::id> ids;
  void add() {
    const std::lock_guard lock(mutex);
    ids.insert(std::this_thread::get_id());
  }
};

/// Waits until `flag` is set (by another thread), for at most a minute.
bool wait_for(const std::atomic<bool>& flag) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!flag.load() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return flag.load();
}

/// A thread serving `lent` from construction, with nothing to do meanwhile; finished and
/// joined on destruction.
struct Server {
  LentThread& lent;
  std::atomic<bool> serving{false};
  std::thread::id id;
  std::thread thread;
  explicit Server(LentThread& l) : lent(l), thread([this] {
    id = std::this_thread::get_id();
    lent.serve([this](const std::atomic<bool>&) { serving = true; });
  }) {}
  ~Server() {
    lent.finish();
    thread.join();
  }
};

}  // namespace

TEST_CASE("work lent while a thread serves runs on that thread and on the caller's, and serve ends at finish") {
  LentThread lent;
  std::atomic<bool> serving{false}, stopped_by_loan{false};
  std::thread::id server_id;
  std::thread server([&] {
    server_id = std::this_thread::get_id();
    lent.serve([&](const std::atomic<bool>& stop) {
      serving = true;
      // Its own work, until it is asked to stop (a minute at most: a test, not a hang).
      const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);
      while (!stop.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      stopped_by_loan = stop.load();
    });
  });
  REQUIRE(wait_for(serving));
  for (int round = 0; round < 3; ++round) {
    Callers callers;
    lent.run_beside([&] { callers.add(); });
    CHECK(callers.ids.size() == 2);
    CHECK(callers.ids.count(std::this_thread::get_id()) == 1);
    CHECK(callers.ids.count(server_id) == 1);
  }
  CHECK(stopped_by_loan.load());
  CHECK(lent.lent() == 3);
  lent.finish();
  server.join();
}

TEST_CASE("with no thread serving, lent work runs on the caller's and on a thread made for it") {
  LentThread lent;
  Callers callers;
  lent.run_beside([&] { callers.add(); });
  CHECK(callers.ids.size() == 2);
  CHECK(callers.ids.count(std::this_thread::get_id()) == 1);
  CHECK(lent.lent() == 0);
  // A thread that serves after finish() returns at once, without its own work.
  lent.finish();
  bool own_work = false;
  lent.serve([&](const std::atomic<bool>&) { own_work = true; });
  CHECK_FALSE(own_work);
  Callers after;
  lent.run_beside([&] { after.add(); });  // finished: a thread made for it again
  CHECK(after.ids.size() == 2);
}

TEST_CASE("the serving thread's own work is stopped by finish() when no work is lent") {
  LentThread lent;
  std::atomic<bool> serving{false}, stopped{false};
  std::thread server([&] {
    lent.serve([&](const std::atomic<bool>& stop) {
      serving = true;
      const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);
      while (!stop.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      stopped = stop.load();
    });
  });
  REQUIRE(wait_for(serving));
  lent.finish();
  server.join();
  CHECK(stopped.load());
  CHECK(lent.lent() == 0);
}

TEST_CASE("work shared out by the two threads is done once, whichever thread takes each part") {
  LentThread lent;
  std::atomic<bool> serving{false};
  std::thread server([&] { lent.serve([&](const std::atomic<bool>&) { serving = true; }); });
  REQUIRE(wait_for(serving));
  std::atomic<int> next{0};
  std::array<std::atomic<int>, 1000> done{};
  lent.run_beside([&] {
    for (int i; (i = next.fetch_add(1)) < static_cast<int>(done.size());) done[static_cast<std::size_t>(i)].fetch_add(1);
  });
  int once = 0;
  for (const auto& d : done) once += d.load() == 1 ? 1 : 0;
  CHECK(once == static_cast<int>(done.size()));
  lent.finish();
  server.join();
}

TEST_CASE("shared tasks: the serving thread takes the first, whichever thread starts first") {
  LentThread lent;
  Server server(lent);
  REQUIRE(wait_for(server.serving));
  constexpr std::size_t kTasks = 6;
  std::array<std::thread::id, kTasks> ran_on{};
  std::array<std::atomic<int>, kTasks> runs{};
  std::atomic<bool> first_taken{false};
  std::vector<std::function<void()>> tasks;
  for (std::size_t t = 0; t < kTasks; ++t) {
    tasks.emplace_back([&, t] {
      ran_on[t] = std::this_thread::get_id();
      runs[t].fetch_add(1);
      if (t == 0) first_taken = true;
      // The last task, this thread's first, holds it until the first task is taken: were the
      // tasks taken in one order by both, this thread would take the first too.
      if (t + 1 == kTasks) wait_for(first_taken);
    });
  }
  lent.share(tasks);
  for (std::size_t t = 0; t < kTasks; ++t) CHECK(runs[t].load() == 1);
  CHECK(ran_on[0] == server.id);  // the last may be the server's too, when it took them all first
}

TEST_CASE("shared tasks: the first is the serving thread's even when this thread could do them all first") {
  LentThread lent;
  Server server(lent);
  REQUIRE(wait_for(server.serving));
  // Tasks of no work: this thread is through the rest before the server wakes to the first.
  int firsts_served = 0;
  constexpr int kShares = 20;
  for (int round = 0; round < kShares; ++round) {
    std::array<std::thread::id, 4> ran_on{};
    std::vector<std::function<void()>> tasks;
    for (std::size_t t = 0; t < ran_on.size(); ++t) tasks.emplace_back([&ran_on, t] { ran_on[t] = std::this_thread::get_id(); });
    lent.share(tasks);
    firsts_served += ran_on[0] == server.id ? 1 : 0;
  }
  CHECK(firsts_served == kShares);
}

TEST_CASE("shared tasks with no thread serving are each done once") {
  LentThread lent;
  std::array<std::atomic<int>, 50> runs{};
  std::vector<std::function<void()>> tasks;
  for (std::size_t t = 0; t < runs.size(); ++t) tasks.emplace_back([&runs, t] { runs[t].fetch_add(1); });
  lent.share(tasks);
  for (const auto& r : runs) CHECK(r.load() == 1);
}

TEST_CASE("a throw in lent work on the other thread reaches the lender, as memory running out must") {
  // The indexing lent to the serving thread, or to a thread made for it, allocates: out of
  // memory there ended the program (std::terminate) where the viewer says what ran out.
  const auto throws_off_the_caller = [caller = std::this_thread::get_id()] {
    if (std::this_thread::get_id() != caller) throw std::bad_alloc();
  };
  SUBCASE("a thread serving") {
    LentThread lent;
    Server server(lent);
    REQUIRE(wait_for(server.serving));
    CHECK_THROWS_AS(lent.run_beside(throws_off_the_caller), std::bad_alloc);
    Callers callers;  // the serving thread goes on serving
    lent.run_beside([&] { callers.add(); });
    CHECK(callers.ids.size() == 2);
  }
  SUBCASE("a thread made for it") {
    LentThread lent;
    CHECK_THROWS_AS(lent.run_beside(throws_off_the_caller), std::bad_alloc);
  }
  SUBCASE("the lender's own throw waits for the other thread's part first") {
    LentThread lent;
    Server server(lent);
    REQUIRE(wait_for(server.serving));
    std::atomic<bool> other_done{false};
    const auto caller = std::this_thread::get_id();
    CHECK_THROWS_AS(lent.run_beside([&] {
      if (std::this_thread::get_id() == caller) throw std::runtime_error("lender");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      other_done = true;
    }), std::runtime_error);
    CHECK(other_done.load());
  }
}
