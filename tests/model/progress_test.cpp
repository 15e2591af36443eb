// Runs watched while they are simulated (model::Progress): each answer is exactly the first
// part of the run, the whole trace cut at the model's clock, and a watched run ends with the
// trace it has unwatched.
#include <doctest/doctest.h>

#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/csv_export.hpp"
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
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(i);
      CHECK(same_span(got[i], expected[i]));
    }
  }
  std::size_t before = 0;
  for (const trace::Mark m : whole.marks) before += m.at < at ? 1 : 0;
  REQUIRE(prefix.marks.size() == before);
  for (std::size_t i = 0; i < before; ++i) {
    const trace::Mark a = prefix.marks[i], b = whole.marks[i];
    CHECK((a.at == b.at && a.kind == b.kind && a.lane == b.lane && a.other == b.other && a.value == b.value));
  }
  for (std::size_t j = 0; j < whole.jobs.size(); ++j) {
    const trace::Job& w = whole.jobs[j];
    const Time begin = w.begin < at ? w.begin : Time::max();
    const Time end = w.end < at ? w.end : Time::max();
    if (j >= prefix.jobs.size()) {
      CHECK(begin == Time::max());
      continue;
    }
    CHECK(prefix.jobs[j].begin == begin);
    CHECK(prefix.jobs[j].end == end);
  }
}

/// Every span and mark of the runs, with their ends and counters (as simulate_all_test.cpp).
std::string everything(const std::vector<trace::Trace>& runs) {
  std::vector<const trace::Trace*> pointers;
  std::ostringstream out;
  for (const trace::Trace& t : runs) {
    pointers.push_back(&t);
    out << t.run_name << ' ' << t.end.ns() << ' ' << t.marks.size() << ' ' << t.partial();
    for (const trace::Counter& c : t.counters) out << ' ' << c.name << '=' << c.final_value << '/' << c.updates;
    out << '\n';
  }
  trace::write_events_csv(out, pointers);
  return out.str();
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

TEST_CASE("runs watched while simulated answer with their first parts, and end as unwatched") {
  for (const char* name : {"01-cpu-bound.toml", "07-convoy.toml", "15-lost-update.toml"}) {
    CAPTURE(std::string(name));
    const scenario::Scenario s = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/" + name);
    const std::vector<trace::Trace> unwatched = model::simulate_all(s, 2);

    // A check every 64 events, so that the short lessons answer before their ends too: asked
    // before they begin and again by each answer, every run answers at every check (a
    // dozen answers each are enough).
    std::mutex answers_mutex;
    std::vector<trace::Trace> answers;
    std::vector<int> count(s.runs.size(), 0);
    model::Progress* asking = nullptr;
    model::Progress progress(64, [&](std::size_t run, const trace::Trace& answer) {
      if (!answer.partial()) return;
      const std::lock_guard lock(answers_mutex);
      if (++count[run] > 12) return;
      answers.push_back(answer);
      asking->ask();
    });
    asking = &progress;
    progress.ask();
    const std::vector<trace::Trace> watched = model::simulate_all(s, 8, nullptr, &progress);
    CHECK(everything(watched) == everything(unwatched));
    // Each run of these lessons takes many checks: answers come before its end.
    for (std::size_t r = 0; r < s.runs.size(); ++r) {
      // A run of fewer events than two checks (lesson 01's sequential one) may answer once or never.
      model::SimulationStats stats;
      model::simulate(s, s.runs[r], &stats);
      CAPTURE(s.runs[r].name);
      if (stats.events > 2 * 64) CHECK(count[r] > 1);
    }
    for (const trace::Trace& prefix : answers) {
      std::size_t r = 0;
      while (r < watched.size() && watched[r].run_name != prefix.run_name) ++r;
      REQUIRE(r < watched.size());
      CAPTURE(prefix.run_name);
      check_is_cut_of(prefix, watched[r]);
    }
  }
}

TEST_CASE("a watcher stops waiting when the simulation is over") {
  model::Progress progress;
  progress.ask();
  progress.begin(2);
  std::jthread watcher([&](std::stop_token stop) { CHECK_FALSE(progress.wait_for_answers(stop)); });
  progress.end();
}
