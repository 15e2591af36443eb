// Runs watched while they are simulated (model::Progress): each answer is exactly the first
// part of the run, the whole trace cut at the model's clock, and a watched run ends with the
// trace it has unwatched.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/same_runs.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using trace::Span;
using trace::SpanState;

namespace {

Time ns(std::int64_t n) { return Time{n}; }

bool same_span(const Span& a, const Span& b) {
  return a.begin == b.begin && a.end == b.end && a.subject == b.subject && a.step == b.step && a.state == b.state;
}

/// Checks that `prefix` is `whole` cut at its simulated_until: span by span, mark by mark,
/// job by job. Lanes, processes and jobs made after that time are in `whole` alone, with
/// nothing before it.
void check_is_cut_of(const trace::Trace& prefix, const trace::Trace& whole) {
  REQUIRE(prefix.partial());
  const Time at = prefix.simulated_until;
  CAPTURE(at.ns());
  CHECK(prefix.end == at);
  CHECK(prefix.run_name == whole.run_name);
  REQUIRE(prefix.lanes.size() <= whole.lanes.size());
  REQUIRE(prefix.processes.size() <= whole.processes.size());
  REQUIRE(prefix.jobs.size() <= whole.jobs.size());
  for (std::size_t l = 0; l < whole.lanes.size(); ++l) {
    CAPTURE(l);
    std::vector<Span> expected;
    for (Span s : whole.lanes[l].spans) {
      if (s.begin >= at) break;
      s.end = min(s.end, at);
      expected.push_back(s);
    }
    if (l >= prefix.lanes.size()) {
      CHECK(expected.empty());
      continue;
    }
    CHECK(prefix.lanes[l].name == whole.lanes[l].name);
    const trace::SpanStore& got = prefix.lanes[l].spans;
    REQUIRE(got.size() == expected.size());
    // One check per lane (a big lesson's prefixes hold millions of spans): the first that differs.
    std::size_t i = 0;
    while (i < expected.size() && same_span(got[i], expected[i])) ++i;
    CHECK_MESSAGE(i == expected.size(), "span " << i << " differs");
  }
  std::vector<trace::Mark> marks;
  for (trace::Mark m : whole.marks) {
    if (m.at >= at) continue;
    // Races lost one every `value` ns from the mark on: those before `at` have happened.
    if (m.kind == trace::MarkKind::RacesLost) {
      const std::int64_t so_far = (at - m.at - Time{1}).ns() / m.value + 1;
      m.other = static_cast<std::uint32_t>(std::min<std::int64_t>(m.other, so_far));
    }
    marks.push_back(m);
  }
  REQUIRE(prefix.marks.size() == marks.size());
  std::size_t i = 0;
  for (; i < marks.size(); ++i) {
    const trace::Mark a = prefix.marks[i], b = marks[i];
    if (!(a.at == b.at && a.kind == b.kind && a.lane == b.lane && a.other == b.other && a.value == b.value)) break;
  }
  CHECK_MESSAGE(i == marks.size(), "mark " << i << " differs");
  std::size_t j = 0;
  for (; j < whole.jobs.size(); ++j) {
    const trace::Job& w = whole.jobs[j];
    const Time begin = w.begin < at ? w.begin : Time::max();
    const Time end = w.end < at ? w.end : Time::max();
    if (j >= prefix.jobs.size() ? begin != Time::max() : prefix.jobs[j].begin != begin || prefix.jobs[j].end != end) break;
  }
  CHECK_MESSAGE(j == whole.jobs.size(), "job " << j << " differs");
}


/// Each run of `s` simulated alone, unwatched; `events` gets each run's count of events.
std::vector<trace::Trace> simulated_unwatched(const scenario::Scenario& s, std::vector<std::uint64_t>& events) {
  std::vector<trace::Trace> runs;
  for (const scenario::Run& run : s.runs) {
    model::SimulationStats stats;
    runs.push_back(model::simulate(s, run, &stats));
    events.push_back(stats.events);
  }
  return runs;
}

/// Simulates `s` watched, with a prefix asked for at checks spread over each run (or at every
/// event), and checks that each prefix is its whole run cut at its time and that the runs end
/// as unwatched.
void check_watched(const scenario::Scenario& s, bool every_event = false) {
  std::vector<std::uint64_t> events;
  const std::vector<trace::Trace> unwatched = simulated_unwatched(s, events);

  // Asked before they begin and again by each answer, every run answers at every check:
  // a check every 64 events, so that the short lessons answer before their ends too, and
  // on big lessons a sixteenth of the longest run (a prefix copies the trace so far).
  const std::uint64_t longest = *std::max_element(events.begin(), events.end());
  const std::uint64_t between_checks = every_event ? 1 : std::max<std::uint64_t>(64, longest / 16);
  const int most_answers = every_event ? std::numeric_limits<int>::max() : 16;
  std::mutex answers_mutex;
  std::vector<trace::Trace> answers;
  std::vector<int> count(s.runs.size(), 0);
  model::Progress* asking = nullptr;
  model::Progress progress(between_checks, [&](std::size_t run, const trace::Trace& answer) {
    if (!answer.partial()) return;
    const std::lock_guard lock(answers_mutex);
    if (++count[run] > most_answers) return;
    answers.push_back(answer);
    asking->ask();
  });
  asking = &progress;
  progress.ask();
  const std::vector<trace::Trace> watched = model::simulate_all(s, 8, nullptr, &progress);
  CHECK(gilsim::test::first_difference(watched, unwatched) == "");
  for (std::size_t r = 0; r < s.runs.size(); ++r) {
    // A run of fewer events than two checks (lesson 01's sequential one) may answer once or never.
    CAPTURE(s.runs[r].name);
    if (events[r] > 2 * between_checks) CHECK(count[r] > 1);
  }
  for (const trace::Trace& prefix : answers) {
    std::size_t r = 0;
    while (r < watched.size() && watched[r].run_name != prefix.run_name) ++r;
    REQUIRE(r < watched.size());
    CAPTURE(prefix.run_name);
    check_is_cut_of(prefix, watched[r]);
  }
}

}  // namespace

TEST_CASE("a builder's prefix is what finish() gives, cut at that time") {
  // Hand-written: lane 0 runs job 3 from 0 to 5, stops, runs it again from 5 (the same span,
  // merged at finish) until 12, then sleeps from 12 to 20. Lane 1 holds from 2 to 4 and
  // from 9 on. A mark at 4 and one at 9.
  trace::TraceBuilder b("run", "threads", "new", trace::Origin::Simulated, 1, ns(100));
  const trace::LaneId l0 = b.add_lane("T1", trace::LaneKind::Thread, trace::kNone);
  const trace::LaneId l1 = b.add_lane("GIL", trace::LaneKind::Gil, trace::kNone);
  b.set_state(l0, ns(0), SpanState::Running, 3);
  b.set_state(l1, ns(2), SpanState::Held, l0);
  b.clear_state(l1, ns(4));
  b.mark(ns(4), trace::MarkKind::GilHandoff, l0);
  b.clear_state(l0, ns(5));
  b.set_state(l0, ns(5), SpanState::Running, 3);
  b.set_state(l1, ns(9), SpanState::Held, l0);
  b.mark(ns(9), trace::MarkKind::GilHandoff, l0);

  // At 9: lane 0 ran from 0 (one span, as finish() will merge it); lane 1's second span
  // begins at 9 and is not there yet, nor the mark at 9.
  const trace::Trace at9 = b.prefix(ns(9));
  CHECK(at9.simulated_until == ns(9));
  CHECK(at9.end == ns(9));
  REQUIRE(at9.lanes[l0].spans.size() == 1);
  CHECK(same_span(at9.lanes[l0].spans[0], Span{ns(0), ns(9), 3, trace::kNoStep, SpanState::Running, 0}));
  REQUIRE(at9.lanes[l1].spans.size() == 1);
  CHECK(same_span(at9.lanes[l1].spans[0], Span{ns(2), ns(4), l0, trace::kNoStep, SpanState::Held, 0}));
  REQUIRE(at9.marks.size() == 1);
  CHECK(at9.marks[0].at == ns(4));

  b.set_state(l0, ns(12), SpanState::Sleeping);
  const trace::Trace at15 = b.prefix(ns(15));
  REQUIRE(at15.lanes[l0].spans.size() == 2);
  CHECK(same_span(at15.lanes[l0].spans[0], Span{ns(0), ns(12), 3, trace::kNoStep, SpanState::Running, 0}));
  CHECK(same_span(at15.lanes[l0].spans[1], Span{ns(12), ns(15), trace::kNone, trace::kNoStep, SpanState::Sleeping, 0}));
  REQUIRE(at15.lanes[l1].spans.size() == 2);
  CHECK(same_span(at15.lanes[l1].spans[1], Span{ns(9), ns(15), l0, trace::kNoStep, SpanState::Held, 0}));
  CHECK(at15.marks.size() == 2);

  b.clear_state(l0, ns(20));
  const trace::Trace whole = b.finish(ns(20));
  CHECK_FALSE(whole.partial());
  check_is_cut_of(at9, whole);
  check_is_cut_of(at15, whole);
}

TEST_CASE("a builder's repeating mark is in its prefixes with the repeats so far") {
  // Hand-written: lane 0 loses a race every 10 from 15 until 47 (at 15, 25, 35 and 45), and
  // a handoff is marked at 15 before the repeating mark ends.
  trace::TraceBuilder b("run", "threads", "old", trace::Origin::Simulated, 2, ns(100));
  const trace::LaneId l0 = b.add_lane("T1", trace::LaneKind::Thread, trace::kNone);
  b.begin_repeating(ns(15), trace::MarkKind::RacesLost, l0, ns(10));
  CHECK(b.prefix(ns(15)).marks.size() == 0);
  b.mark(ns(15), trace::MarkKind::GilHandoff, l0);
  const trace::Trace at16 = b.prefix(ns(16));
  REQUIRE(at16.marks.size() == 2);
  CHECK(at16.marks[0].kind == trace::MarkKind::GilHandoff);
  CHECK(at16.marks[1].kind == trace::MarkKind::RacesLost);
  CHECK(at16.marks[1].at == ns(15));
  CHECK(at16.marks[1].other == 1);
  CHECK(at16.marks[1].value == 10);
  const trace::Trace at35 = b.prefix(ns(35));
  REQUIRE(at35.marks.size() == 2);
  CHECK(at35.marks[1].other == 2);
  b.mark(ns(40), trace::MarkKind::GilRequest, l0);
  const trace::Trace at45 = b.prefix(ns(45));
  REQUIRE(at45.marks.size() == 3);
  CHECK(at45.marks[1].other == 3);
  CHECK(at45.marks[2].kind == trace::MarkKind::GilRequest);
  b.end_repeating(l0, ns(47));
  // A stretch that ends before its first repeat leaves no mark.
  b.begin_repeating(ns(60), trace::MarkKind::RacesLost, l0, ns(10));
  b.end_repeating(l0, ns(60));
  const trace::Trace whole = b.finish(ns(70));
  REQUIRE(whole.marks.size() == 3);
  CHECK(whole.marks[1].kind == trace::MarkKind::RacesLost);
  CHECK(whole.marks[1].other == 4);
  for (const trace::Trace* prefix : {&at16, &at35, &at45}) check_is_cut_of(*prefix, whole);
}

TEST_CASE("runs watched while simulated answer with their first parts, and end as unwatched") {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(GILSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 20);
  for (const std::filesystem::path& file : files) {
    CAPTURE(file.filename().string());
    check_watched(scenario::load_file(file));
  }
}

TEST_CASE("an old GIL's races lost are in a prefix taken while its holder still runs") {
  // Threads woken from I/O while another holds the old GIL make events in the middle of its
  // slowed-down stretch, where a prefix shows the races it lost so far (O3); a process pool's
  // parent has its handler threads race too. In lesson 11 no event falls inside a stretch:
  // each ends at the next event.
  check_watched(scenario::load_string(R"(
title = "Old GIL, threads woken from I/O"
[machine]
cores = 4
[[job]]
name = "mixed"
count = 3
steps = [ { cpu = "30ms" }, { io = "1ms" }, { cpu = "30ms" } ]
[[job]]
name = "io"
count = 2
steps = [ { io = "3ms" }, { cpu = "1ms" }, { io = "3ms" }, { cpu = "1ms" } ]
[[run]]
name = "old GIL, 4 cores"
executor = "threads"
gil = "old"
[[run]]
name = "old GIL, process pool"
executor = "process_pool"
workers = 3
gil = "old"
)", "old-gil-io"), true);
}

TEST_CASE("a watcher stops waiting when the simulation is over") {
  model::Progress progress;
  progress.ask();
  progress.begin(2);
  std::jthread watcher([&](std::stop_token stop) { CHECK_FALSE(progress.wait_for_answers(stop)); });
  progress.end();
}

TEST_CASE("a run's whole answer is shared with its run, copied for the watcher, and taken back at the end") {
  const auto whole = [](const char* lane) {
    auto t = std::make_shared<trace::Trace>();
    t->lanes.emplace_back().name = lane;
    t->lanes.back().spans.push_back(Span{.begin = ns(0), .end = ns(5), .state = SpanState::Running});
    return t;
  };
  model::Progress progress;
  progress.begin(2);
  auto first = whole("T1");
  const trace::Lane* first_lane = &first->lanes[0];
  progress.answer(0, first);
  CHECK(progress.answers().empty());  // until every run answered
  progress.answer(1, whole("T2"));
  const std::vector<trace::Trace> preview = progress.answers();
  REQUIRE(preview.size() == 2);
  CHECK(preview[1].lanes.at(0).name == "T2");
  REQUIRE(preview[0].lanes.size() == 1);
  CHECK(&preview[0].lanes[0] != first_lane);  // a copy: the watcher holds no part of the run's trace
  CHECK(same_span(preview[0].lanes[0].spans[0], Span{.begin = ns(0), .end = ns(5), .state = SpanState::Running}));
  progress.end();
  CHECK(progress.answers().empty());  // nothing to preview once the simulation is over
  const trace::Trace back = progress.take_back(0, std::move(first));
  REQUIRE(back.lanes.size() == 1);
  CHECK(&back.lanes[0] == first_lane);  // moved, not copied
  CHECK(same_span(back.lanes[0].spans[0], Span{.begin = ns(0), .end = ns(5), .state = SpanState::Running}));
}

namespace {

scenario::Scenario convoy_lesson() {
  return scenario::load_file(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/07-convoy.toml");
}

}  // namespace

TEST_CASE("held runs answer at every check, whatever the pace of the watcher, and end as unwatched") {
  const scenario::Scenario s = convoy_lesson();
  std::vector<std::uint64_t> events;
  const std::vector<trace::Trace> unwatched = simulated_unwatched(s, events);
  constexpr std::uint64_t kBetweenChecks = 256;
  model::Progress progress(kBetweenChecks);
  progress.hold_runs_between_answers();
  progress.ask();
  std::vector<int> partial_answers(s.runs.size(), 0);
  std::jthread watcher([&](std::stop_token stop) {
    // A slow watcher: the runs wait for it at each check.
    while (progress.wait_for_answers(stop)) {
      const std::vector<trace::Trace> answers = progress.answers();
      for (std::size_t r = 0; r < answers.size(); ++r) partial_answers[r] += answers[r].partial() ? 1 : 0;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      progress.ask();
    }
  });
  const std::vector<trace::Trace> watched = model::simulate_all(s, 2, nullptr, &progress);
  watcher.join();
  CHECK(gilsim::test::first_difference(watched, unwatched) == "");
  for (std::size_t r = 0; r < s.runs.size(); ++r) {
    CAPTURE(s.runs[r].name);
    CAPTURE(events[r]);
    // One answer at each check the run passed before it ended: a check each 256 events.
    const auto checks = static_cast<int>((events[r] - 1) / kBetweenChecks);
    CHECK(partial_answers[r] == checks);
  }
}

TEST_CASE("held runs go on once released, with no watcher left to ask") {
  const scenario::Scenario s = convoy_lesson();
  std::vector<trace::Trace> unwatched;
  for (const scenario::Run& run : s.runs) unwatched.push_back(model::simulate(s, run));
  model::Progress progress(256);
  progress.hold_runs_between_answers();
  progress.ask();
  std::jthread watcher([&](std::stop_token stop) {
    if (progress.wait_for_answers(stop)) progress.release();  // takes one preview and leaves
  });
  const std::vector<trace::Trace> watched = model::simulate_all(s, 2, nullptr, &progress);
  CHECK(gilsim::test::first_difference(watched, unwatched) == "");
}
