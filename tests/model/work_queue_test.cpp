// WorkQueue::try_get(), get() without waiting: what it takes and when it leaves get() to wait.
#include <doctest/doctest.h>

#include <optional>

#include "sim/model/engine.hpp"
#include "sim/model/workload.hpp"
#include "sim/trace/trace_builder.hpp"

using gilsim::model::Engine;
using gilsim::model::EngineConfig;
using gilsim::model::WorkQueue;

namespace {

struct Bench {
  EngineConfig config{};
  gilsim::trace::TraceBuilder builder{"run", "threads", "new", gilsim::trace::Origin::Simulated, 1,
                                       gilsim::Time::zero()};
  Engine engine{config, builder};
};

}  // namespace

TEST_CASE("try_get takes the items there in order, then leaves an open queue to get()'s wait") {
  Bench b;
  WorkQueue<int> q;
  q.push(b.engine, 1);
  q.push(b.engine, 2);
  std::optional<int> out = 7;
  REQUIRE(q.try_get(out));
  CHECK(out == 1);
  REQUIRE(q.try_get(out));
  CHECK(out == 2);
  CHECK_FALSE(q.try_get(out));  // empty and open: the caller must wait in get()
  CHECK_FALSE(out.has_value());
  CHECK(q.empty());
}

TEST_CASE("try_get drains a closed queue, then answers with nothing as get() does") {
  Bench b;
  WorkQueue<int> q;
  q.push(b.engine, 5);
  q.close(b.engine);
  std::optional<int> out;
  REQUIRE(q.try_get(out));
  CHECK(out == 5);
  REQUIRE(q.try_get(out));  // closed and drained: done, no wait
  CHECK_FALSE(out.has_value());
}
