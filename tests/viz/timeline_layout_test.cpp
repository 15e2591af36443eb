// Rows: runs stacked on one axis, each with cores, then GIL, threads and tasks per process.
#include <doctest/doctest.h>

#include "fake_runs.hpp"
#include "viz/timeline_layout.hpp"

using namespace gilsim;
using namespace gilsim::viz;

TEST_CASE("rows stack runs, each with cores then GIL then threads") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run()};
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.gap = 5;
  o.hide_idle_cores = false;
  const TimelineLayout layout = layout_rows(runs, o);
  // run 0: header + 2 cores + GIL + T1 + T2; run 1: header + core + GIL + loop + 3 tasks
  REQUIRE(layout.rows.size() == 6 + 7);
  CHECK(layout.rows[0].kind == Row::Kind::RunHeader);
  CHECK(runs[0].lanes[layout.rows[3].lane].kind == trace::LaneKind::Gil);
  CHECK(layout.rows[6].run == 1);
  CHECK(layout.rows[6].y == doctest::Approx(20 + 5 * 10 + 5));
  CHECK(layout.total_height == doctest::Approx(20 + 50 + 5 + 20 + 60 + 5));
  CHECK(layout.row_at(25)->lane == 0);
  CHECK(layout.row_at(72) == nullptr);  // the gap after run 0
  CHECK(layout.find(1, 2)->y == doctest::Approx(75 + 20 + 20));

  o.core_height = 4;  // thinner cores: run 0 has two, run 1 one
  CHECK(layout_rows(runs, o).total_height == doctest::Approx(layout.total_height - 3 * 6));

  o.show_cores = false;
  CHECK(layout_rows(runs, o).rows.size() == 4 + 6);

  o.show_cores = true;
  o.hide_idle_cores = true;  // the asyncio run's only core never ran a thread in this fake
  CHECK(idle_cores(runs[1]) == 1);
  CHECK(layout_rows(runs, o).rows.size() == 6 + 6);
}

TEST_CASE("a measured run is stacked right under its simulated namesake") {
  auto sim_threads = viz::testing::two_threads();
  auto sim_async = viz::testing::asyncio_run();
  auto measured_threads = viz::testing::two_threads();
  measured_threads.origin = trace::Origin::Measured;
  auto measured_other = viz::testing::asyncio_run();
  measured_other.origin = trace::Origin::Measured;
  measured_other.run_name = "only measured";
  const std::vector<trace::Trace> runs = {sim_threads, sim_async, measured_threads, measured_other};
  CHECK(stacking_order(runs) == std::vector<std::uint32_t>{0, 2, 1, 3});
  const TimelineLayout layout = layout_rows(runs, LayoutOptions{});
  std::vector<std::uint32_t> headers;
  for (const Row& r : layout.rows) {
    if (r.kind == Row::Kind::RunHeader) headers.push_back(r.run);
  }
  CHECK(headers == std::vector<std::uint32_t>{0, 2, 1, 3});
  CHECK(run_label(runs[0]) == runs[0].run_name);
  CHECK(run_label(runs[3]) == "only measured (measured)");
}
