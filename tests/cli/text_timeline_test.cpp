// The text timeline of tiny hand-built traces, row by row.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sim/cli/terminal_width.hpp"
#include "sim/cli/text_timeline.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;
using gilsim::cli::render_text_timeline;
using gilsim::cli::TimelineOptions;

namespace {

/// `text` with the legend's wrapped entries joined again: each line that hangs under the one
/// before it (two spaces in) back on that line.
std::string unwrapped(const std::string& text) {
  std::string out;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const bool hangs = text.compare(at, 3, "\n  ") == 0 && at + 3 < text.size() && text[at + 3] != ' ';
    out += hangs ? ' ' : text[at];
    if (hangs) at += 2;
  }
  return out;
}

/// A threads run on one core, its GIL, and threads T1 and T2 to fill in.
struct TwoThreadsOnOneCore {
  TraceBuilder b{"threads", "threads", "new", Origin::Simulated, 1, 5_ms};
  ProcessId p = (b.add_cores(1), b.add_process("main", true));
  LaneId gil = b.gil_lane(p);
  LaneId core = b.core_lane(0);
  LaneId t1 = b.add_lane("T1", LaneKind::Thread, p);
  LaneId t2 = b.add_lane("T2", LaneKind::Thread, p);
};

// 10 ms on one core: T1 and T2 take turns with the GIL; T2 starts on I/O and ends asleep.
Trace two_threads() {
  TwoThreadsOnOneCore run;
  auto& [b, p, gil, core, t1, t2] = run;
  auto hold = [&](LaneId thread, Time from, Time to) {
    b.set_state(core, from, SpanState::Running, thread);
    b.set_state(gil, from, SpanState::Held, thread);
    b.set_state(thread, from, SpanState::Running, 0, 0);
    b.clear_state(core, to);
    b.clear_state(gil, to);
  };
  b.set_state(t2, 0_ms, SpanState::BlockedIo, 1, 0);
  hold(t1, 0_ms, 3_ms);
  b.set_state(t2, 2_ms, SpanState::WaitingGil, 1, 1);
  b.set_state(t1, 3_ms, SpanState::WaitingGil, 0, 0);
  hold(t2, 3_ms, 6_ms);
  b.set_state(t2, 6_ms, SpanState::Sleeping, 1, 2);
  hold(t1, 6_ms, 8_ms);
  b.clear_state(t1, 8_ms);
  return b.finish(10_ms);
}

}  // namespace

TEST_CASE("one character per millisecond: the dominant state, the GIL's holder, idle as blank") {
  const std::string text = render_text_timeline(two_threads(), TimelineOptions{19, 16});
  CHECK(text ==
        "core 0 |########  |\n"
        "GIL    |11122211  |\n"
        "T1     |###...##  |\n"
        "T2     |~~.###zzzz|\n"
        "        +---------+\n"
        "            10.0 ms\n"
        "# running  . waiting for GIL\n"
        "~ blocked on I/O  z sleeping\n"
        "GIL held by:  1 T1  2 T2\n");
}

TEST_CASE("a run recorded in CPython shows '?' on its GIL row where threads waited and no holder was seen") {
  // T1 holds 0-3 ms; from 3 to 5 ms T1 and T2 both wait with nobody seen running Python (the
  // OS had the holder's core); T2 holds 5-8 ms. The GIL is inferred: the gap is not "free".
  TraceBuilder b("threads", "threads", "new", Origin::Measured, 1, 5_ms);
  b.add_cores(1);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(gil, 0_ms, SpanState::Held, t1);
  b.set_state(t1, 0_ms, SpanState::Running, 0, 0);
  b.set_state(t2, 0_ms, SpanState::WaitingGil, 1, 0);
  b.clear_state(gil, 3_ms);
  b.set_state(t1, 3_ms, SpanState::WaitingGil, 0, 0);
  b.set_state(gil, 5_ms, SpanState::Held, t2);
  b.set_state(t2, 5_ms, SpanState::Running, 1, 0);
  b.clear_state(gil, 8_ms);
  b.clear_state(t2, 8_ms);
  b.set_state(t1, 8_ms, SpanState::Running, 0, 0);
  b.clear_state(t1, 10_ms);
  Trace recorded = b.finish(10_ms);
  recorded.measured_by = "CPython 3.11";
  const std::string text = render_text_timeline(recorded, TimelineOptions{19, 16});
  CHECK(text.find("GIL    |111??222  |\n") != std::string::npos);
  // The legend says what '?' means, after the holders (on lines of its own at 40 columns).
  CHECK(text.find("GIL held by:  1 T1  2 T2\n? holder not seen (threads waited, none\n  seen running)\n") !=
        std::string::npos);
  // Gilsim's own real executors see their GIL's holder: a gap there is a free GIL.
  recorded.measured_by.clear();
  const std::string seen = render_text_timeline(recorded, TimelineOptions{19, 16});
  CHECK(seen.find("GIL    |111  222  |\n") != std::string::npos);
  CHECK(seen.find('?') == std::string::npos);
}

TEST_CASE("a bucket shows what covers most of it, idle included") {
  TraceBuilder b("r", "sequential", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto t = b.add_lane("main", LaneKind::Thread, p);
  // Buckets of 0.4 ms: running, then mostly I/O, I/O, mostly idle, idle, native.
  b.set_state(t, 0_us, SpanState::Running, 0, 0);
  b.set_state(t, 500_us, SpanState::BlockedIo, 0, 1);
  b.clear_state(t, 1300_us);
  b.set_state(t, 2000_us, SpanState::Native, 0, 2);
  const std::string text = render_text_timeline(b.finish(4_ms), TimelineOptions{4 + 3 + 10, 16});
  CHECK(text.substr(0, 18) == "GIL  |          |\n");
  CHECK(text.substr(18, 18) == "main |#~~  =====|\n");
}

TEST_CASE("the axis puts round times at their columns and ends with the run's end") {
  const auto running_until = [](Time end) {
    TraceBuilder b("r", "sequential", "new", Origin::Simulated, 1, 5_ms);
    const auto p = b.add_process("main", false);
    const auto t = b.add_lane("main", LaneKind::Thread, p);
    b.set_state(t, 0_ms, SpanState::Running, 0, 0);
    return b.finish(end);
  };
  const std::string text = render_text_timeline(running_until(100_ms), TimelineOptions{4 + 3 + 50, 16});
  const auto axis_at = text.find("      +");
  REQUIRE(axis_at != std::string::npos);
  CHECK(text.substr(axis_at) ==
        "      +---------+---------+---------+---------+---------+\n"
        "      0 s       20.0 ms   40.0 ms   60.0 ms        100 ms\n"
        "# running\n");
  // Lesson 1's sequential run, 1 s: it ends at "1.000 s", not at the last round tick's "800 ms".
  const std::string one_second = render_text_timeline(running_until(1000_ms), TimelineOptions{4 + 3 + 91, 16});
  CHECK(one_second.find("0 s               200 ms            400 ms            600 ms            800 ms"
                        "       1.000 s\n") != std::string::npos);
  // A round tick too near the end leaves its label, and its '+' beside the end's, out.
  const std::string near_end = render_text_timeline(running_until(121_ms), TimelineOptions{4 + 3 + 50, 16});
  CHECK(near_end.find("------+\n") != std::string::npos);
  CHECK(near_end.find(" 121 ms\n") != std::string::npos);
  CHECK(near_end.find("120 ms") == std::string::npos);
}

TEST_CASE("huge traces show the first lanes of each kind and count the rest") {
  TraceBuilder b("many", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", true);
  for (int i = 0; i < 1000; ++i) {
    const auto lane = b.add_lane(fmt::format("T{}", i + 1), LaneKind::Thread, p);
    b.set_state(lane, 0_ms, SpanState::WaitingGil, 0, 0);
  }
  const std::string text = render_text_timeline(b.finish(1_ms), TimelineOptions{80, 10});
  CHECK(text.find("T10 ") != std::string::npos);
  CHECK(text.find("T11 ") == std::string::npos);
  CHECK(text.find("... 990 more threads\n") != std::string::npos);
  CHECK(text.find("more cores") == std::string::npos);
}

TEST_CASE("symbols for states and GIL holders") {
  using namespace gilsim::cli;
  CHECK(state_symbol(SpanState::Running) == '#');
  CHECK(state_symbol(SpanState::WaitingGil) == '.');
  CHECK(state_symbol(SpanState::Stalled) == '!');
  CHECK(holder_symbol(0) == '1');
  CHECK(holder_symbol(8) == '9');
  CHECK(holder_symbol(9) == 'a');
  CHECK(holder_symbol(34) == 'z');
  CHECK(holder_symbol(35) == 'A');
  CHECK(holder_symbol(60) == 'Z');
  CHECK(holder_symbol(61) == '*');
}

TEST_CASE("terminal width: $COLUMNS, then the terminal, then 100") {
  using gilsim::cli::choose_terminal_width;
  CHECK(choose_terminal_width("120", 80) == 120);
  CHECK(choose_terminal_width("wide", 80) == 80);
  CHECK(choose_terminal_width("0", 0) == 100);
  CHECK(choose_terminal_width("", 50) == 50);
  CHECK(choose_terminal_width(nullptr, 0) == 100);
}

TEST_CASE("GIL holders beyond the 61st share '*' and one legend entry") {
  TraceBuilder b("many", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  LaneId last = 0;
  for (int i = 0; i < 62; ++i) last = b.add_lane(fmt::format("T{}", i + 1), LaneKind::Thread, p);
  b.set_state(b.gil_lane(p), 0_ms, SpanState::Held, last);
  b.set_state(last, 0_ms, SpanState::Running, 0, 0);
  const std::string text = render_text_timeline(b.finish(1_ms), TimelineOptions{4 + 3 + 10, 16});
  CHECK(text.starts_with("GIL  |**********|\n"));
  CHECK(text.ends_with("GIL held by:  * another thread\n"));
}

// Six threads: the third, the fifth and the sixth ran; the other three never did.
Trace six_threads_three_busy() {
  TraceBuilder b("pool", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  for (int i = 1; i <= 6; ++i) {
    const auto lane = b.add_lane(fmt::format("T{}", i), LaneKind::Thread, p);
    if (i == 3 || i == 5 || i == 6) b.set_state(lane, 0_ms, SpanState::Running, 0, 0);
  }
  return b.finish(1_ms);
}

TEST_CASE("over the cap, rows that show something come first; the note counts in the singular too") {
  const Trace t = six_threads_three_busy();
  const auto rows = [&t](int cap) { return render_text_timeline(t, TimelineOptions{4 + 3 + 10, cap}); };
  // A cap of three: trace order alone would show T1..T3, two blank rows, and hide two busy ones.
  CHECK(rows(3).find("T3   |##########|\nT5   |##########|\nT6   |##########|\n... 3 more threads, all idle\n") !=
        std::string::npos);
  // A cap of four: the busy three, then the first blank row; two blank rows hidden.
  CHECK(rows(4).find("T1   |          |\nT3   |##########|\nT5   |##########|\nT6   |##########|\n"
                     "... 2 more threads, all idle\n") != std::string::npos);
  // A cap of two: a busy row is hidden with the blank ones, so the note does not say idle.
  CHECK(rows(2).find("T3   |##########|\nT5   |##########|\n... 4 more threads\n") != std::string::npos);
  // One hidden lane is named in the singular.
  CHECK(rows(5).find("... 1 more thread, idle\n") != std::string::npos);
}

TEST_CASE("a name longer than the name column ends in '...', so it does not read as whole") {
  TraceBuilder b("r", "sequential", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", false);
  // 22 characters, lesson 10's "GIL (resource tracker)": whole.
  const auto t = b.add_lane("the resource tracker 1", LaneKind::Thread, p);
  b.add_lane("the resource tracker's", LaneKind::Thread, p);
  b.add_lane("the resource tracker 10", LaneKind::Thread, p);
  b.set_state(t, 0_ms, SpanState::Running, 0, 0);
  const std::string text = render_text_timeline(b.finish(1_ms), TimelineOptions{22 + 3 + 10, 16});
  CHECK(text.starts_with("the resource tracker 1 |##########|\nthe resource tracker's |          |\n"
                         "the resource tracke... |          |\n"));
  // Cut between characters, in terminal columns: a cut by bytes printed half of a character.
  TraceBuilder c("r", "sequential", "new", Origin::Simulated, 1, 5_ms);
  const auto q = c.add_process("main", false);
  c.set_state(c.add_lane("T1 下载网页并解析结果下载网页", LaneKind::Thread, q), 0_ms, SpanState::Running, 0, 0);
  c.add_lane("T2 ab", LaneKind::Thread, q);
  const std::string chinese = render_text_timeline(c.finish(1_ms), TimelineOptions{22 + 3 + 10, 16});
  CHECK_MESSAGE(chinese.starts_with("T1 下载网页并解析结... |##########|\nT2 ab                  |          |\n"), chinese);
}

TEST_CASE("a GIL row's digit names its thread: T<n> is n, main is 0, other holders take what is left") {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  // In trace order: main, T2, a pool worker, T1, the tenth, T3, a second T3 and a task. The
  // worker, the second T3 and the task take the first symbols nobody has: '4', '5', '6'.
  std::vector<LaneId> holders;
  for (const char* name : {"main", "T2", "worker 1", "T1", "T10", "T3", "T3"}) {
    holders.push_back(b.add_lane(name, LaneKind::Thread, p));
  }
  holders.push_back(b.add_lane("task 1", LaneKind::Task, p));
  for (std::size_t i = 0; i < holders.size(); ++i) {
    const Time from = 1_ms * static_cast<std::int64_t>(i);
    b.set_state(gil, from, SpanState::Held, holders[i]);
    b.clear_state(gil, from + 1_ms);
  }
  const std::string text = render_text_timeline(b.finish(10_ms), TimelineOptions{8 + 3 + 10, 16});
  CHECK(text.starts_with("GIL      |0241a356  |\n"));
  // The legend in symbol order, each symbol shown once.
  CHECK(text.ends_with("GIL held by:  0 main  1 T1  2 T2  3 T3\n4 worker 1  5 T3  6 task 1  a T10\n"));
}

TEST_CASE("an asyncio run's holders: the event loop is 0 and task <n> is n") {
  TraceBuilder b("r", "asyncio", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  const auto lock = b.add_lane("lock l", LaneKind::Lock, p);
  const auto loop = b.add_lane("event loop", LaneKind::Thread, p);
  // Tasks in trace order 2, 1, 3: each keeps its own number.
  std::vector<LaneId> tasks;
  for (const char* name : {"task 2", "task 1", "task 3"}) tasks.push_back(b.add_lane(name, LaneKind::Task, p));
  b.set_state(gil, 0_ms, SpanState::Held, loop);
  b.clear_state(gil, 8_ms);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Time from = 2_ms * static_cast<std::int64_t>(i);
    b.set_state(lock, from, SpanState::Held, tasks[i]);
    b.clear_state(lock, from + 2_ms);
  }
  const std::string text = render_text_timeline(b.finish(8_ms), TimelineOptions{11 + 3 + 10, 16});
  CHECK(text.find("lock l     |22211133   |\n") != std::string::npos);
  CHECK(text.ends_with("GIL or lock held by:  0 event loop\n1 task 1  2 task 2  3 task 3\n"));
}

TEST_CASE("a busy row under the cores counts the cores in use, even when no core row shows a thread") {
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const std::vector<LaneId> cores{b.add_lane("core 0", LaneKind::Core, p), b.add_lane("core 1", LaneKind::Core, p),
                                  b.add_lane("core 2", LaneKind::Core, p)};
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  // One thread moves from core to core every 250 us over 10 ms, one character per 1.25 ms:
  // no core covers most of any character, yet one core is always busy. Then two cores for
  // 5 ms, then none.
  for (int i = 0; i < 40; ++i) {
    b.set_state(cores[static_cast<std::size_t>(i % 3)], 250_us * i, SpanState::Running, t1);
    b.clear_state(cores[static_cast<std::size_t>(i % 3)], 250_us * (i + 1));
  }
  for (const LaneId core : {cores[0], cores[1]}) {
    b.set_state(core, 10_ms, SpanState::Running, t1);
    b.clear_state(core, 15_ms);
  }
  const std::string text = render_text_timeline(b.finish(20_ms), TimelineOptions{6 + 3 + 16, 16});
  CHECK(text.starts_with("core 0 |        ####    |\ncore 1 |        ####    |\ncore 2 |                |\n"
                         "busy   |111111112222    |\n"));
  CHECK(text.find("busy: cores in use, on average") != std::string::npos);
  // One core: no such row.
  TraceBuilder one("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto q = one.add_process("main", true);
  one.add_lane("core 0", LaneKind::Core, q);
  one.set_state(one.add_lane("T1", LaneKind::Thread, q), 0_ms, SpanState::Running);
  CHECK(render_text_timeline(one.finish(1_ms), TimelineOptions{40, 16}).find("busy") == std::string::npos);
}

namespace {

/// 10 ms on two cores, one character a millisecond. From 0 to 5 ms, the four threads take the GIL in
/// turn for 0.1 ms each, then run native code 0.15 ms (GIL free), each on its core: the GIL is
/// held 40% of each millisecond, by four holders. From 5 to 10 ms T1 alone holds it 40%.
Trace passed_around() {
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  std::vector<LaneId> threads;
  for (const char* name : {"T1", "T2", "T3", "T4"}) threads.push_back(b.add_lane(name, LaneKind::Thread, p));
  Time at = 0_ms;
  for (int k = 0; at < 10_ms; ++k) {
    const LaneId t = at < 5_ms ? threads[static_cast<std::size_t>(k % 4)] : threads[0];
    const LaneId core = b.core_lane(k % 2);
    b.set_state(gil, at, SpanState::Held, t);
    b.set_state(core, at, SpanState::Running, t);
    b.clear_state(gil, at + Time{100'000});
    b.clear_state(core, at + Time{250'000});
    at += Time{250'000};
  }
  return b.finish(10_ms);
}

}  // namespace

namespace {

/// 10 ms on one core, a column a millisecond: T1 takes the GIL from `first` every `every`, for
/// `held(at)`, then is `after` until its next turn; with `waiter`, T2 waits for the GIL all along.
std::string one_holder_turns(Origin origin, Time first, Time every, const std::function<Time(Time)>& held,
                             SpanState after, bool waiter = false) {
  TraceBuilder b("threads", "threads", "new", origin, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  const LaneId t1 = b.add_lane("T1", LaneKind::Thread, p);
  if (waiter) b.set_state(b.add_lane("T2", LaneKind::Thread, p), 0_ms, SpanState::WaitingGil);
  for (Time at = first; at < 10_ms; at += every) {
    b.set_state(gil, at, SpanState::Held, t1);
    b.set_state(t1, at, SpanState::Running);
    b.clear_state(gil, at + held(at));
    b.set_state(t1, at + held(at), after);
  }
  Trace t = b.finish(10_ms);
  if (origin == Origin::Measured) t.measured_by = "CPython 3.11";  // its GIL inferred
  return render_text_timeline(t, TimelineOptions{17, 16});
}

}  // namespace

TEST_CASE("one holder taking the GIL in three short turns or more, for a quarter of a column, is named there") {
  // 28% of each millisecond in 0.25 ms turns, then 20%: T1 where it held a quarter, blank below.
  const std::string alone = one_holder_turns(Origin::Simulated, 0_ms, Time{250'000},
                                             [](Time at) { return at < 5_ms ? Time{70'000} : Time{50'000}; },
                                             SpanState::BlockedIo);
  CHECK_MESSAGE(alone.find("GIL  |11111     |\n") != std::string::npos, alone);
  // One turn alone in a column is no "again and again": 0.4 ms every 2.5 ms showed where it fell
  // inside a column and not where it straddled two, a beat of the columns (lesson 5's UI thread
  // at 300 columns).
  const std::string single = one_holder_turns(Origin::Simulated, Time{300'000}, Time{2'500'000},
                                              [](Time) { return Time{400'000}; }, SpanState::Sleeping);
  CHECK_MESSAGE(single.find("GIL  |          |\n") != std::string::npos, single);
  // Over an inferred GIL, where nobody was seen holding it most of the column, '?' stays: T1 seen
  // running 30% of each 0.25 ms, T1 and T2 waiting the rest; T1 takes turns, ':'.
  const std::string inferred = one_holder_turns(Origin::Measured, 0_ms, Time{250'000}, [](Time) { return Time{75'000}; },
                                                SpanState::WaitingGil, true);
  CHECK_MESSAGE(inferred.find("GIL  |??????????|\n") != std::string::npos, inferred);
  CHECK_MESSAGE(inferred.find("T1   |::::::::::|\n") != std::string::npos, inferred);
}

TEST_CASE("a GIL passed between several holders, none for most of a column, shows '&', explained in the legend") {
  const std::string text = render_text_timeline(passed_around(), TimelineOptions{19, 16});
  // Lesson 15's GIL row was blank for 30 ms while the busy row read 1.
  // Held 40% by four; then 40% by T1 alone, in turns of 0.1 ms: T1, not a blank that read as
  // a GIL nobody took (lesson 15's asyncio lock, each task's 20,000 turns, was blank).
  CHECK(text.find("GIL    |&&&&&11111|\n") != std::string::npos);
  // Held, by several: "none for most of the column" read as "nobody held it" (lesson 15's GIL,
  // held 43%); wrapped at 40 columns under its words.
  CHECK(text.find("\n& held by several in turn, each for a\n  part of the column\n") != std::string::npos);
  // Each core ran half of each millisecond, the busy row says one: a line says why the core rows are blank.
  CHECK(text.find("busy   |1111111111|\n") != std::string::npos);
  std::string flat = text;  // the legend wraps at 40 columns
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  CHECK(flat.find("(a core's row shows # only where it ran most of the column)") != std::string::npos);
  // The plain two-thread run has neither.
  const std::string plain = render_text_timeline(two_threads(), TimelineOptions{19, 16});
  CHECK(plain.find('&') == std::string::npos);
  CHECK(plain.find("a core's row") == std::string::npos);
}

TEST_CASE("a thread that ran shows it in the column it was busiest in, where every column would be blank") {
  // Lesson 15's unsafe threads, done in the first 8 ms of a 3 s run (39 ms a column), printed as
  // rows of blanks beside their names: never run. A core's row keeps its rule.
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const LaneId core = b.add_lane("core 0", LaneKind::Core, p);
  const LaneId quick = b.add_lane("T1", LaneKind::Thread, p);
  const LaneId waiter = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(quick, Time{1'000'000}, SpanState::Running);  // 0.2 ms in column 1 (1 ms to 2 ms)
  b.set_state(core, Time{1'000'000}, SpanState::Running, quick);
  b.clear_state(quick, Time{1'200'000});
  b.clear_state(core, Time{1'200'000});
  b.set_state(waiter, Time{6'000'000}, SpanState::WaitingGil);  // 0.1 ms, then 0.05 ms of it in column 7
  b.clear_state(waiter, Time{6'100'000});
  b.set_state(waiter, Time{7'000'000}, SpanState::WaitingGil);
  b.clear_state(waiter, Time{7'050'000});
  const std::string text = render_text_timeline(b.finish(10_ms), TimelineOptions{19, 16});
  CHECK(text.find("core 0 |          |\n") != std::string::npos);
  CHECK(text.find("T1     | #        |\n") != std::string::npos);
  CHECK(text.find("T2     |      .   |\n") != std::string::npos);
}

TEST_CASE("waits for the GIL shorter than a column add up along the row, a '.' for each column of them") {
  // Lesson 5's UI thread at the default interval: it sleeps 8 ms and then waits 2 ms for the
  // GIL, ten times. Sleep takes most of every 10 ms column, so no column is the wait's own:
  // the 20 ms of waits show as two '.', where they have made half a column and more.
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto ui = b.add_lane("T1", LaneKind::Thread, p);
  for (int i = 0; i < 10; ++i) {
    const Time at = 10_ms * i;
    b.set_state(ui, at, SpanState::Sleeping, 0, 0);
    b.set_state(ui, at + 8_ms, SpanState::WaitingGil, 0, 0);
  }
  b.clear_state(ui, 100_ms);
  const std::string text = render_text_timeline(b.finish(100_ms), TimelineOptions{4 + 3 + 10, 16});
  CHECK(text.find("T1   |zz.zzzz.zz|\n") != std::string::npos);
  CHECK(text.find("(waits for the GIL shorter than a column\nadd up along the row: each . among sleep\nor I/O stands for "
                  "about one column of\nthem)\n") != std::string::npos);
}

TEST_CASE("runs shorter than a column add up along the row too: a thread's last run is not lost beside its I/O") {
  // Lesson 14's T3 at 40 columns: after its I/O it runs 1.7 ms and ends, in two columns of
  // 3.3 ms that I/O and idle time won, and its row ended "~~~    " as if it never ran again.
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  b.set_state(t1, 0_ms, SpanState::BlockedIo, 0, 0);
  b.set_state(t1, 86_ms, SpanState::Running, 0, 0);  // 4 ms of column 8, 3 ms of column 9
  b.clear_state(t1, 93_ms);
  const std::string text = render_text_timeline(b.finish(100_ms), TimelineOptions{4 + 3 + 10, 16});
  CHECK(text.find("T1   |~~~~~~~~~#|\n") != std::string::npos);
  CHECK(text.find("(runs shorter than a column add up along\nthe row: each # among sleep or I/O\nstands for about one "
                  "column of them)\n") != std::string::npos);
}

TEST_CASE("a task that ran shows a '#' where it ran most, though its run is under half a column") {
  // Lesson 2's asyncio tasks at 40 columns: each parses its reply for 2 ms in columns of
  // 4.9 ms, after a column it was ready in, and no row showed a '#'.
  TraceBuilder b("r", "asyncio", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto task = b.add_lane("task 1", LaneKind::Task, p);
  b.set_state(task, 0_ms, SpanState::Awaiting, 0, 0);
  b.set_state(task, 72_ms, SpanState::Ready, 0, 0);
  b.set_state(task, 81_ms, SpanState::Running, 0, 0);  // 3 ms of column 8, idle most of it
  b.clear_state(task, 84_ms);
  const std::string text = render_text_timeline(b.finish(100_ms), TimelineOptions{4 + 3 + 10, 16});
  INFO(text);
  CHECK(text.find("task 1 |-------r# |\n") != std::string::npos);
}

TEST_CASE("a thread that ran shows a '#' where it ran most, though it waited more there, and the legend says why") {
  // Lesson 15's threads: each unsafe thread ran 1.3 ms and waited 3.7 ms for the GIL, all in
  // the first of 80 columns, and its row read '.' alone, as if it never ran; each locked
  // thread ran 3 ms in 3.1 s of waiting for the lock, and its row read 'L' from end to end.
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto unsafe = b.add_lane("T1", LaneKind::Thread, p);
  const auto locked = b.add_lane("T2", LaneKind::Thread, p);
  b.set_state(unsafe, 0_ms, SpanState::WaitingGil, 0, 0);
  b.set_state(unsafe, 3_ms, SpanState::Running, 0, 0);
  b.clear_state(unsafe, 4_ms);
  b.set_state(locked, 0_ms, SpanState::WaitingLock, 1, 0);
  b.set_state(locked, 52_ms, SpanState::Running, 1, 0);
  b.set_state(locked, 53_ms, SpanState::WaitingLock, 1, 0);
  b.clear_state(locked, 100_ms);
  const std::string text = render_text_timeline(b.finish(100_ms), TimelineOptions{4 + 3 + 10, 16});
  INFO(text);
  CHECK(text.find("T1   |#         |\n") != std::string::npos);
  CHECK(text.find("T2   |LLLLL#LLLL|\n") != std::string::npos);
  CHECK(text.find("(a row's only # is where it ran most:\nits runs fill no column)\n") != std::string::npos);
}

TEST_CASE("brief runs in several columns among sleeps show as ticks, one in each column they fall in") {
  // Lesson 4's heartbeat: 100 us of Python every 100 ms, asleep between, twelve ticks whose
  // runs together fill no column, read as one '#', as if it had ticked once; a handler that ran
  // once, 1 ms among its I/O, keeps the lone '#'.
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto beat = b.add_lane("T1", LaneKind::Thread, p);
  const auto once = b.add_lane("T2", LaneKind::Thread, p);
  for (int k = 0; k < 10; ++k) {
    const Time at = Time{k * 100'000'000};
    b.set_state(beat, at, SpanState::Running, 0, 0);
    b.set_state(beat, at + 100_us, SpanState::Sleeping, 0, 0);
  }
  b.clear_state(beat, 1'000_ms);
  b.set_state(once, 0_ms, SpanState::BlockedIo, 1, 0);
  b.set_state(once, 420_ms, SpanState::Running, 1, 0);
  b.set_state(once, 421_ms, SpanState::BlockedIo, 1, 0);
  b.clear_state(once, 1'000_ms);
  const std::string text = render_text_timeline(b.finish(1'000_ms), TimelineOptions{4 + 3 + 20, 16});
  INFO(text);
  CHECK(text.find("T1   |'z'z'z'z'z'z'z'z'z'z|\n") != std::string::npos);
  CHECK(text.find("T2   |~~~~~~~~#~~~~~~~~~~~|\n") != std::string::npos);
  std::string flat = text;
  std::ranges::replace(flat, '\n', ' ');
  CHECK(flat.find("(' marks each column a row ran in briefly, among its waits: its runs together fill no column)") !=
        std::string::npos);
  CHECK(flat.find("(a row's only # is where it ran most: its runs fill no column)") != std::string::npos);
}

TEST_CASE("a GIL held only a moment at a time reads blank, and the legend says its holds fill no column") {
  // Lesson 7's hog in a process: the reader holds its own process's GIL 0.1 ms of every 1.1 ms,
  // its row a '#' where its runs add up, its GIL's row blank end to end, read as a GIL never held.
  TraceBuilder b("r", "process_pool", "new", Origin::Simulated, 2, 5_ms);
  const auto main = b.add_process("main", true);
  const auto worker = b.add_process("worker 1", true);
  const auto gil = b.gil_lane(worker);
  const auto reader = b.add_lane("worker 1", LaneKind::Thread, worker);
  const auto hog = b.add_lane("main", LaneKind::Thread, main);
  b.set_state(b.gil_lane(main), 0_ms, SpanState::Held, hog);
  b.set_state(hog, 0_ms, SpanState::Running, 1, 0);
  for (int i = 0; i < 90; ++i) {
    const Time at = Time{i * 1'100'000};
    b.set_state(reader, at, SpanState::BlockedIo, 0, 0);
    b.set_state(reader, at + 1_ms, SpanState::Running, 0, 1);
    b.set_state(gil, at + 1_ms, SpanState::Held, reader);
    b.clear_state(gil, at + 1_ms + 100_us);
  }
  b.clear_state(reader, 99_ms);
  b.clear_state(hog, 100_ms);
  b.clear_state(b.gil_lane(main), 100_ms);
  const std::string text = render_text_timeline(b.finish(100_ms), TimelineOptions{20 + 3 + 10, 16});
  INFO(text);
  CHECK(text.find("GIL (worker 1) |                |\n") != std::string::npos);
  std::string flat = text;
  std::ranges::replace(flat, '\n', ' ');
  CHECK(flat.find("(a GIL's row names who held it most of each column; on the row GIL (worker 1) each hold "
                  "lasted a moment, filling no column, so it reads blank) ") != std::string::npos);
}

TEST_CASE("a deadlocked thread whose only run shares the last column with its wait keeps it beside the 'L'") {
  // Lesson 16 with a moment of Python before each second acquire: the 'L' the deadlock puts in
  // the last column took the row's only '#', and the legend still said where it was.
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto lock = b.add_lane("lock L", LaneKind::Lock, p);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  b.set_state(lock, 0_ms, SpanState::Held, 0);
  b.set_state(t1, 0_ms, SpanState::BlockedIo, 0, 0);
  b.set_state(t1, 90_ms, SpanState::Running, 0, 0);  // 6 ms of the last column
  b.set_state(t1, 96_ms, SpanState::WaitingLock, 0, 0);
  b.mark(100_ms, MarkKind::Deadlock, t1, lock);
  const std::string text = render_text_timeline(b.finish(100_ms), TimelineOptions{4 + 3 + 10, 16});
  INFO(text);
  CHECK(text.find("T1     |~~~~~~~~:L|\n") != std::string::npos);  // ran and waited in turn, then waits for good
}

TEST_CASE("the edges of runs longer than a column do not add up: a block of them keeps its length") {
  // The default scenario's sequential run: parses of 40 ms between downloads, each block's
  // edges in columns that I/O won. Added up, they drew one block a column too long.
  TraceBuilder b("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  for (int i = 0; i < 3; ++i) {
    b.set_state(t1, 30_ms * i, SpanState::BlockedIo, 0, 0);
    b.set_state(t1, 30_ms * i + 16_ms, SpanState::Running, 0, 0);  // 4 ms in a column I/O wins, then 8 ms
    b.clear_state(t1, 30_ms * i + 28_ms);
  }
  b.set_state(t1, 90_ms, SpanState::BlockedIo, 0, 0);
  b.clear_state(t1, 100_ms);
  const std::string text = render_text_timeline(b.finish(100_ms), TimelineOptions{4 + 3 + 10, 16});
  CHECK(text.find("T1   |~~#~~#~~#~|\n") != std::string::npos);  // not "~~#~##~~#~"
  CHECK(text.find("add up along") == std::string::npos);
}

TEST_CASE("a pool's rows: the parent, its helpers, then the workers; never-used workers in one line; holders by name, then without gaps") {
  // Lesson 10's spawned pool started worker 1, then the resource tracker, then worker 2 and 3;
  // worker 3 never got a job. The tracker held its GIL, and the task handler the parent's, for
  // too short a time to show: the result handler, which shows, is 3, after the workers' own
  // numbers (worker n is n; worker 3, folded as never used, keeps none), not 5 after the task
  // handler's.
  TraceBuilder b("r", "process_pool", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto parent = b.add_process("main", true);
  const auto main = b.add_lane("main", LaneKind::Thread, parent);
  const auto task_handler = b.add_lane("task handler", LaneKind::Thread, parent);
  const auto result_handler = b.add_lane("result handler", LaneKind::Thread, parent);
  std::vector<LaneId> threads;
  std::vector<ProcessId> processes;
  for (const char* name : {"worker 1", "resource tracker", "worker 2", "worker 3"}) {
    processes.push_back(b.add_process(name, true));
    threads.push_back(b.add_lane(name, LaneKind::Thread, processes.back()));
  }
  const std::uint32_t job = b.add_job("crunch 1", b.add_template("crunch", {}));
  b.set_state(b.gil_lane(parent), 0_ms, SpanState::Held, main);
  b.set_state(main, 0_ms, SpanState::Running);
  b.set_state(b.gil_lane(parent), 2_ms, SpanState::Held, task_handler);
  b.clear_state(main, 2_ms);
  b.set_state(b.gil_lane(parent), 2_ms + 10_us, SpanState::Held, result_handler);
  b.clear_state(b.gil_lane(parent), 5_ms);
  b.set_state(b.gil_lane(processes[1]), 2_ms, SpanState::Held, threads[1]);
  b.clear_state(b.gil_lane(processes[1]), 2_ms + 10_us);
  for (const std::size_t w : {0u, 2u}) {
    b.set_state(b.gil_lane(processes[w]), 2_ms, SpanState::Held, threads[w]);
    b.set_state(threads[w], 2_ms, SpanState::Running, job, 0);
    b.clear_state(b.gil_lane(processes[w]), 10_ms);
    b.clear_state(threads[w], 10_ms);
  }
  b.set_state(threads[3], 9_ms, SpanState::Native);
  b.clear_state(threads[3], 9_ms + 10_us);
  const std::string text = render_text_timeline(b.finish(10_ms), TimelineOptions{22 + 3 + 10, 16});
  const auto row = [&](const std::string& name) { return text.find("\n" + name + " "); };
  CHECK(row("GIL") < row("GIL (resource tracker)"));
  CHECK(row("GIL (resource tracker)") < row("GIL (worker 1)"));
  CHECK(row("resource tracker") < row("worker 1"));
  CHECK(text.find("GIL (worker 3)") == std::string::npos);
  CHECK(text.find("\nworker 3 ") == std::string::npos);
  CHECK(unwrapped(text).find("\n+ 1 worker never used, it started and stopped without a job (rows folded)\n") !=
        std::string::npos);
  CHECK(text.find("GIL                    |00333     |\n") != std::string::npos);
  CHECK(text.find("GIL held by:  0 main  1 worker 1\n2 worker 2  3 result handler\n") != std::string::npos);
}

TEST_CASE("a worker that never ran Python is folded with the never-used, whatever its rows show of its start and exit") {
  // Lesson 9's Pool(16) with eight jobs: worker 11 ran no job, but waited for a core for 1.5 ms
  // while the pool shut down (it lost its core to worker 3), enough for a '+' in the last
  // column at 160 columns. It was shown, with an empty GIL row, and the note said "+ 7 workers
  // never used" although eight never ran a job. Here worker 1 runs a job for 10 ms; worker 2
  // starts, waits for a core, and exits; worker 3 starts and exits, shown at any width.
  TraceBuilder b("r", "process_pool", "new", Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto parent = b.add_process("main", true);
  b.add_lane("main", LaneKind::Thread, parent);
  std::vector<ProcessId> processes;
  std::vector<LaneId> threads;
  for (const char* name : {"worker 1", "worker 2", "worker 3"}) {
    processes.push_back(b.add_process(name, true));
    threads.push_back(b.add_lane(name, LaneKind::Thread, processes.back()));
  }
  const std::uint32_t job = b.add_job("crunch 1", b.add_template("crunch", {}));
  b.set_state(b.gil_lane(processes[0]), 0_ms, SpanState::Held, threads[0]);
  b.set_state(threads[0], 0_ms, SpanState::Running, job, 0);
  b.clear_state(b.gil_lane(processes[0]), 10_ms);
  b.clear_state(threads[0], 10_ms);
  b.set_state(threads[1], 0_ms, SpanState::Starting);
  b.set_state(threads[1], 6_ms, SpanState::Runnable);  // a '+' column or two at any width
  b.set_state(threads[1], 8_ms, SpanState::Native);    // its exit
  b.clear_state(threads[1], 9_ms);
  b.set_state(threads[2], 0_ms, SpanState::Starting);
  b.clear_state(threads[2], 10_us);
  const Trace t = b.finish(10_ms);
  for (const int width : {10 + 3 + 10, 10 + 3 + 100}) {
    CAPTURE(width);
    const std::string text = render_text_timeline(t, TimelineOptions{width, 16});
    CHECK(text.find("GIL (worker 2)") == std::string::npos);
    CHECK(text.find("\nworker 2 ") == std::string::npos);
    CHECK(text.find("GIL (worker 3)") == std::string::npos);
    CHECK(unwrapped(text).find("\n+ 2 workers never used, each started and stopped without a job (rows folded)\n") !=
          std::string::npos);
    CHECK(text.find("+ waiting for a core") == std::string::npos);  // nothing shown needs it
  }
}

TEST_CASE("an event loop's select() is one wait, one symbol, whether a timer or I/O ends it") {
  TraceBuilder b("r", "asyncio", "new", Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto loop = b.add_lane("event loop", LaneKind::Thread, p);
  b.set_state(loop, 0_ms, SpanState::BlockedIo);
  b.set_state(loop, 5_ms, SpanState::Sleeping);
  b.clear_state(loop, 10_ms);
  const std::string text = render_text_timeline(b.finish(10_ms), TimelineOptions{10 + 3 + 10, 16});
  CHECK(text.find("event loop |~~~~~~~~~~|\n") != std::string::npos);
  CHECK(text.find("z sleeping") == std::string::npos);
  CHECK(text.find("(the event loop's ~ is its select(): it\nwaits there for I/O and for timers\nalike)\n") != std::string::npos);
}

namespace {
/// 10 ms on one core, every millisecond: T1 holds the GIL until `t1_until`, in `t1_states` from
/// their offsets, then waits for it; T2 waits until then, holds it and runs until `t2_until`,
/// and waits again. Shown 10 columns wide, a column a millisecond.
std::string taking_turns(Time t1_until, Time t2_until, std::initializer_list<std::pair<Time, SpanState>> t1_states) {
  TwoThreadsOnOneCore run;
  auto& [b, p, gil, core, t1, t2] = run;
  for (Time at = 0_ms; at < 10_ms; at += 1_ms) {
    b.set_state(gil, at, SpanState::Held, t1);
    b.set_state(core, at, SpanState::Running, t1);
    for (const auto& [offset, state] : t1_states) b.set_state(t1, at + offset, state, 0, 0);
    b.set_state(t2, at, SpanState::WaitingGil, 1, 0);
    b.set_state(gil, at + t1_until, SpanState::Held, t2);
    b.set_state(core, at + t1_until, SpanState::Running, t2);
    b.set_state(t1, at + t1_until, SpanState::WaitingGil, 0, 0);
    b.set_state(t2, at + t1_until, SpanState::Running, 1, 0);
    b.clear_state(gil, at + t2_until);
    b.clear_state(core, at + t2_until);
    b.set_state(t2, at + t2_until, SpanState::WaitingGil, 1, 0);
  }
  return render_text_timeline(b.finish(10_ms), TimelineOptions{19, 16});
}
}  // namespace

TEST_CASE("a thread the GIL's row names as a column's holder is not shown waiting for it there") {
  // Lesson 15's T1 held the GIL in some columns and its row read all '.': never running. Here,
  // every millisecond T1 holds the GIL 0.6 ms, in three states of 0.2 ms (Python, pickling,
  // starting a thread), then waits 0.4 ms while T2 runs 0.1 ms: the GIL's row names T1 (6/7 of
  // the time held), and T1's row shows what it did most while it held it, not its wait (which
  // beats each state) nor the mark of a column part run, part waited.
  const std::string text = taking_turns(
      600_us, 700_us, {{0_us, SpanState::Running}, {200_us, SpanState::Pickling}, {400_us, SpanState::Starting}});
  CHECK(text.find("GIL    |1111111111|\n") != std::string::npos);
  CHECK(text.find("T1     |##########|\n") != std::string::npos);  // was all '.'
  CHECK(text.find("T2     |..........|\n") != std::string::npos);  // not the holder: its wait shows
}

TEST_CASE("a GIL's or lock's row names no holder where none held it half the column") {
  // Every millisecond T1 holds the GIL 0.4 ms, T2 0.3 ms: neither kept it. The row said '1' in
  // every column, as if T1 had kept the GIL; each thread ran a part of every column and waited
  // the rest, which its row says with ':'.
  const std::string text = taking_turns(400_us, 700_us, {{0_us, SpanState::Running}});
  CHECK(text.find("GIL    |&&&&&&&&&&|\n") != std::string::npos);
  CHECK(text.find("T1     |::::::::::|\n") != std::string::npos);
  CHECK(text.find("T2     |::::::::::|\n") != std::string::npos);
  CHECK(text.find("& held by several in turn") != std::string::npos);
  CHECK(text.find("fill no column") == std::string::npos);  // a GIL row that shows its holders
}

TEST_CASE("a column whose GIL holder has less than 80% of the time held shows '&', and its threads ':'") {
  // T1 holds the GIL 0.6 ms of every millisecond, T2 the other 0.4 ms: T1 has the GIL most of
  // each column, yet a row of '1' and a T1 row of '#' would read as T1 keeping the GIL.
  const std::string shared = taking_turns(600_us, 1000_us, {{0_us, SpanState::Running}});
  CHECK(shared.find("GIL    |&&&&&&&&&&|\n") != std::string::npos);
  CHECK(shared.find("T1     |::::::::::|\n") != std::string::npos);
  CHECK(shared.find("T2     |::::::::::|\n") != std::string::npos);
  CHECK(shared.find(": running and waiting for GIL in turn") != std::string::npos);
  // At 0.85 ms against 0.15 ms the column is T1's: its symbol, T1 running, T2 waiting.
  const std::string kept = taking_turns(850_us, 1000_us, {{0_us, SpanState::Running}});
  CHECK(kept.find("GIL    |1111111111|\n") != std::string::npos);
  CHECK(kept.find("T1     |##########|\n") != std::string::npos);
  CHECK(kept.find("T2     |..........|\n") != std::string::npos);
  CHECK(kept.find("in turn") == std::string::npos);
  CHECK(kept.find('&') == std::string::npos);
}

namespace {
/// 10 ms on one core, a column a millisecond: T1 and T2 take the GIL in turns of `turn`, one
/// running while the other waits, T1 first, until `until`; then T1 runs alone, T2 waiting.
std::string alternating(Time turn, Time until) {
  TwoThreadsOnOneCore run;
  auto& [b, p, gil, core, t1, t2] = run;
  const auto hold = [&](LaneId thread, LaneId other, Time from) {
    b.set_state(gil, from, SpanState::Held, thread);
    b.set_state(core, from, SpanState::Running, thread);
    b.set_state(thread, from, SpanState::Running, 0, 0);
    b.set_state(other, from, SpanState::WaitingGil, 0, 0);
  };
  int k = 0;
  for (Time at = 0_ms; at < until; at += turn, ++k) hold(k % 2 == 0 ? t1 : t2, k % 2 == 0 ? t2 : t1, at);
  if (until < 10_ms) hold(t1, t2, until);
  return render_text_timeline(b.finish(10_ms), TimelineOptions{19, 16});
}
}  // namespace

TEST_CASE("turns shorter than a column do not read as blocks of one holder (lesson 11's old GIL on one core)") {
  // For 6 ms, turns of 0.3 ms; then T1 runs alone for 4 ms. A column holds three turns and
  // more, and each showed its larger share: the rows read "1221221111" and "#..#..####",
  // turns of 1 and 2 ms that never were, a pattern that changed with the width.
  const std::string text = alternating(300_us, 6_ms);
  CHECK(text.find("GIL    |&&&&&&1111|\n") != std::string::npos);
  CHECK(text.find("T1     |::::::####|\n") != std::string::npos);
  CHECK(text.find("T2     |::::::....|\n") != std::string::npos);
  // The legend says what ':' means as it says what '&' means (an entry wider than 40 columns
  // hangs under its words on the lines after).
  CHECK(unwrapped(text).find("# running  . waiting for GIL\n"
                             ": running and waiting for GIL in turn, each for a part of the column\n") != std::string::npos);
  CHECK(unwrapped(text).find("& held by several in turn, each for a part of the column") != std::string::npos);
}

TEST_CASE("a worker that takes turns with another for a core shows ':', its GIL held all along") {
  // Lesson 9's Pool(8): eight workers on four cores, the OS giving each a core in slices of
  // 3 ms, at 5.4 ms a column: the rows read "#####+++++####+++++" as slices of ~27 ms. Here a
  // worker runs 0.3 ms and waits 0.3 ms for its core, in turn, holding its own GIL all along
  // (P1): its GIL's row names it in every column, and its row still says it waited in turns.
  TraceBuilder b("r", "process_pool", "new", Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  b.add_process("main", true);
  const auto worker = b.add_process("worker 1", true);
  const auto w = b.add_lane("worker 1", LaneKind::Thread, worker);
  const std::uint32_t job = b.add_job("crunch 1", b.add_template("crunch", {}));
  b.set_state(b.gil_lane(worker), 0_ms, SpanState::Held, w);
  for (int k = 0; k < 34; ++k) b.set_state(w, 300_us * k, k % 2 == 0 ? SpanState::Running : SpanState::Runnable, job, 0);
  const std::string text = render_text_timeline(b.finish(10_ms), TimelineOptions{17 + 3 + 10, 16});
  CHECK(text.find("GIL (worker 1)    |1111111111|\n") != std::string::npos);
  CHECK(text.find("worker 1 crunch 1 |::::::::::|\n") != std::string::npos);
  CHECK(unwrapped(text).find(": running and waiting for a core in turn, each for a part of the column\n") !=
        std::string::npos);
}

TEST_CASE("a hand-off between turns longer than a column shows the larger share, not a mark") {
  // Turns of 2.6 ms: the column from 2 to 3 ms is T1's for 0.6 ms and T2's for 0.4 ms, and
  // neither turn fits in a column, so nothing aliases: the column is T1's, as before, rather
  // than a mark at every hand-off of a row of long turns (lesson 14's lock, lesson 17's GIL).
  const std::string text = alternating(2600_us, 10_ms);
  CHECK(text.find("GIL    |1112211122|\n") != std::string::npos);
  CHECK(text.find("T1     |###..###..|\n") != std::string::npos);
  CHECK(text.find("T2     |...##...##|\n") != std::string::npos);
  CHECK(text.find("in turn") == std::string::npos);
}

TEST_CASE("the legend's '=' says what the '=' shown are: C code, letting the GIL go, a process ending") {
  TraceBuilder b("r", "processes", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto main = b.add_process("main", true);
  const auto worker = b.add_process("worker 1", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, main);
  const auto w = b.add_lane("worker 1", LaneKind::Thread, worker);
  const auto kind = b.add_template("transfer", StepLabels{"native 3 ms", "acquire lock_a"});
  const auto job = b.add_job("transfer 1", kind);
  b.job_started(job, t1, 0_ms);
  b.set_state(t1, 0_ms, SpanState::Native, job, 0);  // a native step: C code
  b.set_state(t1, 3_ms, SpanState::Native, job, 1);  // drop_gil's wake-up before a lock wait (G8b)
  b.set_state(t1, 6_ms, SpanState::WaitingLock, job, 1);
  b.clear_state(t1, 10_ms);
  // The worker runs a job, then exits: its last span, no job (P8). (A worker that never ran
  // Python is folded with the never-used, its exit with it.)
  b.set_state(w, 0_ms, SpanState::Running, b.add_job("crunch 1", b.add_template("crunch", {})), 0);
  b.set_state(w, 6_ms, SpanState::Native);
  b.clear_state(w, 10_ms);
  const Trace t = b.finish(10_ms);
  const std::string text = render_text_timeline(t, TimelineOptions{200, 16});
  CHECK(text.find("= without the GIL: C code, letting the GIL go to a thread that waits for it, the process ending") !=
        std::string::npos);
  CHECK(text.find("native (no GIL)") == std::string::npos);
  // Only what a row shows is named: the C code alone, once the run is cut to its first 3 ms.
  TraceBuilder c("r", "threads", "new", Origin::Simulated, 1, 5_ms);
  const auto p = c.add_process("main", true);
  const auto only = c.add_lane("T1", LaneKind::Thread, p);
  const auto step = c.add_template("hash", StepLabels{"native 3 ms"});
  const auto hash = c.add_job("hash 1", step);
  c.set_state(only, 0_ms, SpanState::Native, hash, 0);
  c.clear_state(only, 3_ms);
  const std::string alone = render_text_timeline(c.finish(3_ms), TimelineOptions{200, 16});
  CHECK(alone.find("= without the GIL: C code\n") != std::string::npos);
}

TEST_CASE("workers folded as never used keep no number from the threads the legend names") {
  // A pool of 4 with 2 jobs read "2 worker 2  5 worker handler": 3 and 4 kept for the two
  // folded workers, whose rows and holds show nowhere.
  const scenario::Scenario s = scenario::load_string(R"(
title = "Pool"
[machine]
cores = 4
[[job]]
name = "a"
count = 2
steps = [ { cpu = "1ms" } ]
[[run]]
executor = "process_pool"
workers = 4
)",
                                                     "pool.toml");
  const std::string text = render_text_timeline(model::simulate(s, s.runs.front()), TimelineOptions{80, 16});
  REQUIRE(text.find("+ 2 workers never used") != std::string::npos);
  CHECK(text.find("\nGIL held by:  0 main  1 worker 1  2 worker 2  3 worker handler\n") != std::string::npos);
}

TEST_CASE("the legend names a peer's '=' as its answer, not a system call nor the process ending (S9)") {
  // An echo server answering three requests: its first two answers were "a system call", its
  // last "the process ending", and the legend read "a system call, the process ending".
  const scenario::Scenario s = scenario::load_string(R"(
title = "Echo"
[machine]
cores = 2
[[job]]
name = "client"
steps = [ { repeat = 3, steps = [ { io = "1ms", answer = "2ms" }, { cpu = "1ms" } ] } ]
[[run]]
executor = "threads"
)",
                                                     "echo.toml");
  const std::string text = render_text_timeline(model::simulate(s, s.runs.front()), TimelineOptions{80, 16});
  CHECK(text.find("\n# running  = without the GIL: the peer computing its answer  ~ blocked on I/O\n") != std::string::npos);
}
