// A measured run that ends past the axis and is not scored says both where a class sees
// them: first in its open header (never cut off its end, as "... GIL ne…" cut "(past the
// axis)" at 1280 wide), on its collapsed line, presented too, and with an arrow at the edge.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "headless_viewer.hpp"
#include "viz/app_state.hpp"
#include "viz/measuring.hpp"
#include "viz/ui/timeline_rows.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// Lesson 14 with its sequential run measured: starved (a third of the CPU it needed) and
/// 1.6 times as long as predicted, so past the axis where the axis ends with the predictions
/// ("time axis ends with the predictions" ticked, as `clip` asks; else as the viewer opens).
void add_slow_measured(HeadlessViewer& v, bool clip = true) {
  if (clip) v.app.clip_measured = true;
  trace::Trace m = v.app.session.runs()[0];
  REQUIRE(m.run_name == "sequential");
  m.origin = trace::Origin::Measured;
  m.cpu_check.checked = true;
  m.cpu_check.cpus = m.cpu_check.machine_cpus = 2;
  m.cpu_check.needed = Time{90'000'000};
  m.cpu_check.got = Time{30'000'000};
  m.end = m.end * 8 / 5;
  v.app.session.add_measured(std::move(m));
  refresh_derived(v.app);
  for (int i = 0; i < 4; ++i) v.frame(0);
}

std::uint32_t measured_index(const AppState& app) {
  const auto& runs = app.session.runs();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin == trace::Origin::Measured) return r;
  }
  FAIL("no measured run");
  return 0;
}

}  // namespace

TEST_CASE("lesson 14 measured at 1280x720: the header says not scored and past the axis, whole, before the marker") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("14-two-locks.toml")));
  add_slow_measured(v);
  const std::uint32_t r = measured_index(v.app);
  const TimelineFrame& t = v.app.timeline;
  REQUIRE(r < t.headers.size());
  const HeaderDrawn& h = t.headers[r];
  CAPTURE(h.shown);
  CHECK(h.shown.find("busy machine") != std::string::npos);
  CHECK(h.shown.find("past the axis \u2192") != std::string::npos);  // whole, arrow and all
  // The arrow at the right edge, down the run's rows, and the text stops short of it.
  REQUIRE(t.past_axis.size() == 1);
  CHECK(h.text_right <= t.past_axis[0].left);
  // A simulated run says nothing of the kind.
  CHECK(t.headers[0].shown.find("past the axis") == std::string::npos);
}

TEST_CASE("lesson 14 measured, presented at 1280x720 and 1920x1080: the measured run's line says past the axis and not scored") {
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1920, 1080)}) {
    CAPTURE(size.x);
    HeadlessViewer v(size);
    v.present(gilsim::viz::testing::bundled_lesson("14-two-locks.toml"));
    add_slow_measured(v);
    const std::uint32_t r = measured_index(v.app);
    const TimelineFrame& t = v.app.timeline;
    REQUIRE(r < t.summaries.size());
    // Open or collapsed, whatever the fit chose: what it says is on screen.
    const std::string said = t.headers[r].shown + t.summaries[r];
    CAPTURE(said);
    CHECK(said.find("past the axis") != std::string::npos);
    CHECK(said.find("not scored") != std::string::npos);
    CHECK(t.past_axis.size() == 1);
  }
}

TEST_CASE("a collapsed line's texts: the flag in full then in brief, past the axis after the end, counters last") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("14-two-locks.toml")));
  add_slow_measured(v);
  const std::uint32_t r = measured_index(v.app);
  const auto texts = ui::summary_texts(v.app.session.runs()[r], v.app.runs[r], nullptr, {}, true);
  REQUIRE(texts.size() == 4);
  CHECK(texts[0] == "new GIL, 4 cores, done at 141 ms, past the axis \u2192, busy machine: got 33% of the CPU it needed; not scored");
  // The brief flag with the settings first, as the other collapsed lines say them (lesson 17's measured pool).
  CHECK(texts[2] == "new GIL, 4 cores, done at 141 ms, past the axis \u2192, busy machine: not scored");
  CHECK(texts[3] == "done at 141 ms, past the axis \u2192, busy machine: not scored");
}

namespace {

/// Lesson 7 presented at 1280x720 with each run measured 6% slower than predicted: the
/// measured runs end past the simulated ones, which the axis ends with before the fit leaves
/// room after the runs' figures.
HeadlessViewer& present_07_measured(HeadlessViewer& v, int percent = 106, bool starved = false) {
  v.present(gilsim::viz::testing::bundled_lesson("07-convoy.toml"));
  const std::vector<trace::Trace> predictions = v.app.session.runs();
  for (const trace::Trace& run : predictions) {
    trace::Trace m = run;
    m.origin = trace::Origin::Measured;
    m.end = m.end * percent / 100;
    // Checked for the CPU it got: all it needed, or a third of it on a busy machine.
    m.cpu_check.checked = true;
    m.cpu_check.cpus = m.cpu_check.machine_cpus = 2;
    m.cpu_check.needed = Time{900'000'000};
    m.cpu_check.got = starved ? Time{300'000'000} : m.cpu_check.needed;
    v.app.session.add_measured(std::move(m));
  }
  refresh_derived(v.app);
  for (int i = 0; i < 4; ++i) v.frame(0);
  return v;
}

}  // namespace

TEST_CASE("lesson 07 measured, presented at 1280x720: past the axis only where the run ends past the axis as drawn") {
  // The fit's axis reached about 1.13 s; headers said "done at 1.028 s, past the axis" with
  // the red arrow at the edge: the claim followed the axis before the fit left room.
  HeadlessViewer v(ImVec2(1280, 720));
  present_07_measured(v);
  const auto& runs = v.app.session.runs();
  const TimelineFrame& t = v.app.timeline;
  const Time drawn_end = v.app.view.end();
  Time simulated_end = Time::zero();
  for (const trace::Trace& run : runs) {
    if (run.origin == trace::Origin::Simulated) simulated_end = max(simulated_end, run.end);
  }
  std::size_t past = 0, past_simulated = 0;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const std::string said = t.headers[r].shown + t.summaries[r];
    CAPTURE(said);
    CAPTURE(runs[r].end);
    CAPTURE(drawn_end);
    CHECK((said.find("past the axis") != std::string::npos) == (runs[r].end > drawn_end));
    past += runs[r].end > drawn_end;
    past_simulated += runs[r].end > simulated_end;
  }
  CHECK(t.past_axis.size() == past);
  REQUIRE(past_simulated > past);  // a measured run ends after the simulated ones, on screen
}

TEST_CASE("lesson 07 measured, presented at 1280x720: an open measured header says whether the prediction was below or above") {
  // Its header was cut to "predicted 823 ms, 6.0%...": whether the model was faster or slower went.
  HeadlessViewer v(ImVec2(1280, 720));
  present_07_measured(v, 106);
  const auto& runs = v.app.session.runs();
  std::size_t predicted = 0;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin != trace::Origin::Measured) continue;
    v.app.focus = r;  // its header open
    for (int i = 0; i < 3; ++i) v.frame(0);
    const HeaderDrawn& h = v.app.timeline.headers[r];
    CAPTURE(h.shown);
    if (h.shown.find("predicted") == std::string::npos) continue;
    ++predicted;
    CHECK((h.shown.find("% below") != std::string::npos || h.shown.find("% above") != std::string::npos));
  }
  CHECK(predicted == 3);
}

TEST_CASE("a collapsed line keeps the job the note names when a busy-machine flag comes in brief") {
  // Lesson 7 measured on a busy machine: "done at 962 ms, busy machine: not scored" took the
  // place of "reader done at 125 ms", the lesson's figure.
  HeadlessViewer v(ImVec2(1280, 720));
  present_07_measured(v, 106, true);
  const auto& runs = v.app.session.runs();
  bool checked = false;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin != trace::Origin::Measured || runs[r].run_name != "hog in a process") continue;
    const auto judged = judge_run(runs, v.app.runs, r);
    const auto texts = ui::summary_texts(runs[r], v.app.runs[r], judged ? &*judged : nullptr, v.app.session.scenario().note);
    std::string all;
    for (const std::string& text : texts) all += text + " | ";
    CAPTURE(all);
    // The flag in brief comes with the reader's finish before any text without it.
    const auto brief_with_reader = std::find_if(texts.begin(), texts.end(), [](const std::string& t) {
      return t.find("busy machine: not scored; reader done at") != std::string::npos;
    });
    const auto first_without = std::find_if(texts.begin(), texts.end(), [](const std::string& t) {
      return t.find("reader done at") == std::string::npos;
    });
    CHECK(brief_with_reader < first_without);
    checked = true;
  }
  CHECK(checked);
}

TEST_CASE("lesson 14 measured, opened and presented at 1280x720 and 1920x1080: the view fits every run, the measured one whole and named in bold") {
  // gilviz 14 --real opened on the predictions' axis: every measured run ended "past the axis".
  for (const bool presenting : {false, true}) {
    for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1920, 1080)}) {
      CAPTURE(presenting);
      CAPTURE(size.x);
      HeadlessViewer v(size);
      if (presenting) {
        v.present(gilsim::viz::testing::bundled_lesson("14-two-locks.toml"));
      } else {
        REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("14-two-locks.toml")));
      }
      add_slow_measured(v, false);
      const std::uint32_t r = measured_index(v.app);
      const TimelineFrame& t = v.app.timeline;
      CHECK(v.app.view.end() >= v.app.session.runs()[r].end);
      CHECK(t.past_axis.empty());
      REQUIRE(r < t.summaries.size());
      const std::string said = t.headers[r].shown + t.summaries[r];
      CAPTURE(said);
      CHECK(said.find("past the axis") == std::string::npos);
      // Open, its bold name says it is the measurement: "sequential" twice read as two predictions.
      if (!t.options.folding[r].collapsed) CHECK(t.headers[r].shown.starts_with("sequential (measured)"));
    }
  }
}

TEST_CASE("a measured run's open header names it measured in its bold name, not only in the grey settings after") {
  HeadlessViewer v(ImVec2(1600, 900));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("14-two-locks.toml")));
  add_slow_measured(v, false);
  const std::uint32_t r = measured_index(v.app);
  const TimelineFrame& t = v.app.timeline;
  REQUIRE(!t.options.folding[r].collapsed);
  CAPTURE(t.headers[r].shown);
  CHECK(t.headers[r].shown.starts_with("sequential (measured)  "));
  CHECK(t.headers[r].shown.find("(measured)", 12) == std::string::npos);  // once
  CHECK(t.headers[0].shown.starts_with("sequential  "));
}
