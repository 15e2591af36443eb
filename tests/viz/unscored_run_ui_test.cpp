// A CPython run whose recording saw too little of its jobs is "not scored" in the viewer as
// on the command line (cpython::too_little_seen decides for both): no error in its header,
// its Numbers row or the real-runs list, and the header says why.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "headless_viewer.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "viz/run_caveats.hpp"
#include "viz/ui/panels.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// The measured run of `records` (a CPython recording's lines between its head and its end).
trace::Trace recorded(const scenario::Scenario& s, const std::string& records, int lines) {
  const std::string text = "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording 50 250\n"
                           "machine 2 0.50 1000\n" + records + fmt::format("end {}\n", lines);
  return cpython::cpython_trace(s, s.runs[0], cpython::parse_cpython_recording(text, "t.txt"));
}

}  // namespace

TEST_CASE("a CPython run its recording saw too little of is not scored, and its header says why") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "tests/viz/data/unseen_updates.toml"));
  // Thread 8 runs `unsafe` from 0 to 900 with nothing recorded; thread 9 computes from 900 to 1000.
  const std::string records = "run 0 1000 7 7 2\njob 7.1 0 7 8 0 0 900\njob 7.2 1 7 9 0 900 1000\n"
                              "step 7.2 0 cpu 7 9 0 900 1000 1000\ncounter counter 1\n";
  trace::Trace m = recorded(v.app.session.scenario(), records, 11);
  REQUIRE(cpython::unseen_note(m));  // what `gilsim run --cpython` says of it
  v.app.session.add_measured(std::move(m));
  refresh_derived(v.app);
  for (int i = 0; i < 4; ++i) v.frame(0);
  const auto r = static_cast<std::uint32_t>(v.app.session.runs().size() - 1);
  REQUIRE(v.app.runs[r].predicted_by == 0);
  CHECK_FALSE(prediction_error_of(v.app, r));  // no "-90.0%" beside "not scored"
  REQUIRE(v.app.runs[r].unseen);  // found once, as the run was indexed
  CHECK(v.app.runs[r].unseen->unseen_jobs == 1);
  REQUIRE(not_scored(v.app, r));
  CHECK(*not_scored(v.app, r) == "not scored: the recording saw nothing of 1 of its 2 jobs");
  const ui::RealRunsView view = ui::real_runs_view(v.app);
  CHECK_FALSE(view.errors[r]);
  CHECK(view.not_scored[r] == not_scored(v.app, r));
  // The header flags it as it flags a busy machine's run: drawn whole.
  const TimelineFrame& t = v.app.timeline;
  REQUIRE(r < t.headers.size());
  const HeaderDrawn& h = t.headers[r];
  REQUIRE(h.right > 0);
  CHECK(h.flag_left > 0);
  CHECK(h.flag_right > h.flag_left);
}
