// Reading a CPython recording and laying it out as lanes. Sections: parsing · lanes and
// jobs · steps as spans · the inferred GIL · assembling the trace.
#include "sim/cpython/cpython_trace.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/name_suggestions.hpp"
#include "sim/real/run_record.hpp"
#include "sim/real/trace_merge.hpp"

namespace gilsim::cpython {

using real::merge_records;
using scenario::PlannedJob;
using real::Record;
using real::RecordKind;
using trace::SpanState;

namespace {

// ---- parsing ----------------------------------------------------------------------------

class LineReader {
 public:
  LineReader(const std::string& name, std::size_t number, std::string_view line) : name_(name), number_(number) {
    std::size_t i = 0;
    while (i < line.size()) {
      const std::size_t next = std::min(line.find(' ', i), line.size());
      if (next > i) words_.emplace_back(line.substr(i, next - i));
      i = next + 1;
    }
  }
  std::size_t size() const { return words_.size(); }
  std::string_view word(std::size_t i) const { return words_.at(i); }
  [[noreturn]] void fail(std::string_view what) const {
    throw CPythonTraceError(fmt::format("{}:{}: {}", name_, number_, what));
  }
  void expect(std::size_t count) const {
    if (words_.size() != count) fail(fmt::format("'{}' takes {} fields, found {}", words_.at(0), count - 1, words_.size() - 1));
  }
  std::int64_t integer(std::size_t i) const {
    std::int64_t value = 0;
    const std::string_view w = words_.at(i);
    const auto [end, error] = std::from_chars(w.data(), w.data() + w.size(), value);
    if (error != std::errc{} || end != w.data() + w.size()) fail(fmt::format("expected an integer, found '{}'", w));
    return value;
  }
  /// An index (a template's, a step's, a lock's): 0 to 2^32 - 1.
  std::uint32_t index(std::size_t i) const {
    const std::int64_t value = integer(i);
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) fail(fmt::format("expected an index, found '{}'", words_.at(i)));
    return static_cast<std::uint32_t>(value);
  }
  /// A time of the run: every record of a run lies within it.
  std::int64_t time_within(std::size_t i, std::int64_t begin, std::int64_t end) const {
    const std::int64_t t = integer(i);
    if (t < begin || t > end) fail(fmt::format("expected a time within the run, from {} to {}; found {}", begin, end, t));
    return t;
  }
  /// A figure of the run's length or less: 0 to `longest`.
  std::int64_t duration(std::size_t i, std::int64_t longest) const {
    const std::int64_t d = integer(i);
    if (d < 0 || d > longest) fail(fmt::format("expected a duration from 0 to {} ns, found {}", longest, d));
    return d;
  }
  double number(std::size_t i) const {
    try {
      return std::stod(std::string(words_.at(i)));
    } catch (const std::exception&) {
      fail(fmt::format("expected a number, found '{}'", words_.at(i)));
    }
  }

 private:
  const std::string& name_;
  std::size_t number_;
  std::vector<std::string_view> words_;
};

/// The longest run a recording may hold, a day: far past any run a class waits for, and short
/// enough that a trace's readers add up its spans (lanes x the run) in nanoseconds without
/// overflowing.
constexpr std::int64_t kLongestRun = 86'400'000'000'000;

}  // namespace

CPythonRecording parse_cpython_recording(std::string_view text, const std::string& name) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string_view::npos) {
      throw CPythonTraceError(fmt::format("{}:{}: truncated: the last line has no end", name, lines.size() + 1));
    }
    lines.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  if (lines.empty() || lines.front() != "gilsim-cpython-trace 1") {
    throw CPythonTraceError(fmt::format("{}:1: not a gilsim CPython recording (expected 'gilsim-cpython-trace 1')", name));
  }
  CPythonRecording r;
  bool ended = false;
  bool has_run = false;
  for (std::size_t n = 1; n < lines.size(); ++n) {
    const LineReader line(name, n + 1, lines[n]);
    // The recorder writes ASCII: another byte (in a version, a key) would reach the trace's
    // names and the exports, whose JSON takes UTF-8 only.
    const auto unprintable = std::find_if(lines[n].begin(), lines[n].end(), [](char c) { return c < ' ' || c > '~'; });
    if (unprintable != lines[n].end()) {
      line.fail(fmt::format("byte 0x{:02x} is not printable ASCII, which the recorder writes", static_cast<unsigned char>(*unprintable)));
    }
    if (line.size() == 0) line.fail("an empty line");
    if (ended) line.fail("a line after 'end'");
    const std::string_view kind = line.word(0);
    // The recorder writes the run first, then its records, each within it.
    const auto at = [&](std::size_t i) {
      if (!has_run) line.fail(fmt::format("a '{}' line before the 'run' line", kind));
      return line.time_within(i, r.begin, r.end);
    };
    const auto no_earlier_than = [&](std::int64_t begin, std::int64_t end) {
      if (end < begin) line.fail(fmt::format("a '{}' that ends before it begins", kind));
    };
    if (kind == "python") {
      line.expect(3);
      r.version = std::string(line.word(1));
      r.gil = line.integer(2) != 0;
    } else if (kind == "calibration") {
      line.expect(3);
    } else if (kind == "recording") {
      line.expect(3);
      r.slice_ns = line.duration(1, kLongestRun);
      r.gap_ns = line.duration(2, kLongestRun);
      if (r.slice_ns == 0 || r.gap_ns < r.slice_ns) line.fail("expected a slice of 1 ns or more and a gap of at least one slice");
    } else if (kind == "machine") {
      line.expect(4);
      r.cpus = static_cast<int>(line.integer(1));
      r.load = line.number(2);
      r.cpu_ns = line.integer(3);
    } else if (kind == "run") {
      line.expect(6);
      if (has_run) line.fail("a second 'run' line");
      r.begin = line.integer(1);
      r.end = line.integer(2);
      r.main_pid = line.integer(3);
      r.main_tid = line.integer(4);
      if (r.begin < 0) line.fail("the run begins at a negative time (perf_counter_ns never is)");
      if (r.end < r.begin) line.fail("the run ends before it begins");
      if (r.end - r.begin > kLongestRun) line.fail(fmt::format("the run lasts {} ns; a recording holds a day at most", r.end - r.begin));
      has_run = true;
    } else if (kind == "job") {
      if (line.size() != 9) line.expect(8);  // without its CPU time: an older recording
      r.jobs.push_back({std::string(line.word(1)), line.index(2), line.integer(3), line.integer(4), line.integer(5), at(6),
                        at(7), line.size() == 9 ? line.integer(8) : -1});
      no_earlier_than(r.jobs.back().begin, r.jobs.back().end);
      if (r.jobs.back().cpu < -1) line.fail(fmt::format("a job's CPU time of {} ns", r.jobs.back().cpu));
    } else if (kind == "step") {
      line.expect(10);
      // Its `due` is not checked: it is clamped to the step where it is read.
      r.steps.push_back({std::string(line.word(1)), line.index(2), std::string(line.word(3)), line.integer(4),
                         line.integer(5), line.integer(6), at(7), at(8), line.integer(9)});
      no_earlier_than(r.steps.back().begin, r.steps.back().end);
      const std::string& k = r.steps.back().kind;
      if (k != "cpu" && k != "native" && k != "wait" && k != "await" && k != "offload" && k != "lock") {
        line.fail(fmt::format("unknown step kind '{}'", k));
      }
    } else if (kind == "pace") {
      line.expect(3);
      r.compute_planned_ns += line.duration(1, kLongestRun);
      r.compute_cpu_ns += line.duration(2, kLongestRun);
    } else if (kind == "native-pace") {
      line.expect(3);
      r.native_planned_ns += line.duration(1, kLongestRun);
      r.native_cpu_ns += line.duration(2, kLongestRun);
    } else if (kind == "gap") {
      line.expect(5);
      r.gaps.push_back({line.integer(1), line.integer(2), at(3), at(4)});
      no_earlier_than(r.gaps.back().begin, r.gaps.back().end);
    } else if (kind == "hold") {
      line.expect(7);
      if (line.integer(1) < 0) line.fail("a hold of an unknown lock");
      r.holds.push_back({line.index(1), line.integer(2), line.integer(3), line.integer(4), at(5), at(6)});
      no_earlier_than(r.holds.back().begin, r.holds.back().end);
    } else if (kind == "counter") {
      line.expect(3);
      r.counters.push_back({std::string(line.word(1)), line.integer(2)});
    } else if (kind == "peer") {
      line.expect(3);
      r.peers.push_back({line.integer(1), std::string(line.word(2))});
    } else if (kind == "answer") {
      line.expect(5);
      r.answers.push_back({line.integer(1), line.integer(2), at(3), at(4)});
      if (r.answers.back().end < r.answers.back().begin) line.fail("an answer ends before it begins");
    } else if (kind == "task") {
      line.expect(3);
      r.tasks.push_back({line.integer(1), at(2)});
    } else if (kind == "end") {
      line.expect(2);
      if (line.integer(1) != static_cast<std::int64_t>(lines.size())) {
        line.fail(fmt::format("truncated: 'end' counts {} lines, the file has {}", line.integer(1), lines.size()));
      }
      ended = true;
    } else {
      line.fail(fmt::format("unknown record '{}'", kind));
    }
  }
  if (!ended) throw CPythonTraceError(fmt::format("{}:{}: truncated: no 'end' line", name, lines.size()));
  if (!has_run || r.version.empty()) throw CPythonTraceError(fmt::format("{}: no 'python' or 'run' line", name));
  return r;
}

namespace {

// ---- lanes and jobs ---------------------------------------------------------------------

struct Piece {
  std::int64_t begin = 0, end = 0;
  SpanState state = SpanState::Running;
  std::uint32_t job = trace::kNone;
  std::uint16_t step = trace::kNoStep;
  std::size_t call = 0;  ///< which recorded compute() call a Running piece came from (1-based)
};

struct LaneInfo {
  trace::LaneId lane = trace::kNone;
  trace::ProcessId process = 0;
  std::vector<Piece> pieces;
};

struct Layout {
  trace::TraceBuilder& builder;
  std::map<std::int64_t, trace::ProcessId> processes;  ///< pid -> process
  std::map<std::pair<std::int64_t, std::int64_t>, LaneInfo> threads;  ///< (pid, tid)
  std::map<std::int64_t, LaneInfo> tasks;               ///< task id
  std::map<std::int64_t, LaneInfo> peers;               ///< a peer process's pid
  std::map<std::string, std::uint32_t> job_of_key;
  std::int64_t origin = 0;
  /// Per event loop thread, when one of its tasks was ready (its await done) for longer than
  /// a gap: the loop could not run it then (add_loop_waits).
  std::map<LaneInfo*, std::vector<std::pair<std::int64_t, std::int64_t>>> loop_ready = {};
};

std::int64_t first_time(const CPythonRecording& r, std::int64_t pid) {
  std::int64_t first = INT64_MAX;
  for (const auto& j : r.jobs) {
    if (j.pid == pid) first = std::min(first, j.begin);
  }
  return first;
}

void add_lanes(Layout& layout, const CPythonRecording& r) {
  const bool gil = r.gil;
  layout.processes[r.main_pid] = layout.builder.add_process("main", gil);
  std::vector<std::int64_t> workers;
  const auto note_pid = [&](std::int64_t pid) {
    if (pid != r.main_pid && std::find(workers.begin(), workers.end(), pid) == workers.end()) workers.push_back(pid);
  };
  for (const auto& j : r.jobs) note_pid(j.pid);
  for (const auto& s : r.steps) note_pid(s.pid);
  std::sort(workers.begin(), workers.end(), [&](auto a, auto b) { return first_time(r, a) < first_time(r, b); });
  for (std::size_t k = 0; k < workers.size(); ++k) {
    layout.processes[workers[k]] = layout.builder.add_process(fmt::format("worker {}", k + 1), gil);
  }
  // Threads in the order they first did something; the main thread first.
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> seen;  // (first, pid, tid)
  const auto note_thread = [&](std::int64_t at, std::int64_t pid, std::int64_t tid) {
    for (auto& [first, p, t] : seen) {
      if (p == pid && t == tid) {
        first = std::min(first, at);
        return;
      }
    }
    seen.emplace_back(at, pid, tid);
  };
  note_thread(INT64_MIN, r.main_pid, r.main_tid);
  for (const auto& j : r.jobs) note_thread(j.begin, j.pid, j.tid);
  for (const auto& s : r.steps) note_thread(s.begin, s.pid, s.tid);
  std::sort(seen.begin(), seen.end());
  int others = 0;
  std::map<std::int64_t, int> per_worker;
  for (const auto& [first, pid, tid] : seen) {
    std::string name;
    if (pid == r.main_pid) {
      name = tid == r.main_tid ? std::string("main") : fmt::format("T{}", ++others);
    } else {
      const int n = ++per_worker[pid];
      name = layout.builder.peek().processes.at(layout.processes.at(pid)).name;
      if (n > 1) name += fmt::format(" T{}", n);
    }
    const trace::ProcessId process = layout.processes.at(pid);
    layout.threads[{pid, tid}] = {layout.builder.add_lane(name, trace::LaneKind::Thread, process), process, {}};
  }
  // Tasks that ran a job: asyncio.run makes a few of its own at shutdown.
  std::vector<CPythonRecording::Task> tasks;
  for (const auto& t : r.tasks) {
    const bool ran_a_job = std::any_of(r.jobs.begin(), r.jobs.end(), [&](const auto& j) { return j.task == t.id; });
    if (ran_a_job) tasks.push_back(t);
  }
  std::sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const auto& t : tasks) {
    const trace::ProcessId process = layout.processes.at(r.main_pid);
    layout.tasks[t.id] = {layout.builder.add_lane(fmt::format("task {}", t.id), trace::LaneKind::Task, process), process, {}};
  }
}

/// Recorded jobs to the plan's job indexes: the n-th job of a template to start is its n-th job.
void assign_jobs(Layout& layout, const CPythonRecording& r, const std::vector<PlannedJob>& plan) {
  std::vector<const CPythonRecording::Job*> jobs;
  for (const auto& j : r.jobs) jobs.push_back(&j);
  std::stable_sort(jobs.begin(), jobs.end(), [](auto a, auto b) { return a->begin < b->begin; });
  std::vector<bool> taken(plan.size(), false);
  for (const auto* j : jobs) {
    std::optional<std::uint32_t> index;
    for (const PlannedJob& p : plan) {
      if (!taken[p.index] && p.template_index == j->template_index) {
        index = p.index;
        break;
      }
    }
    if (!index) {
      throw CPythonTraceError(fmt::format("the recording has more jobs of template {} than the scenario", j->template_index));
    }
    taken[*index] = true;
    if (!layout.job_of_key.emplace(j->key, *index).second) {
      throw CPythonTraceError(fmt::format("the recording has job '{}' twice", j->key));
    }
  }
}

LaneInfo& thread_of(Layout& layout, std::int64_t pid, std::int64_t tid) {
  const auto found = layout.threads.find({pid, tid});
  if (found == layout.threads.end()) throw CPythonTraceError(fmt::format("a step of an unknown thread {}/{}", pid, tid));
  return found->second;
}

/// Each job's peer process, in the jobs' order, named as the model names it (docs/model.md
/// S9): a process of its own with no GIL lane (its GIL is never contended).
void add_peer_lanes(Layout& layout, const CPythonRecording& r, const std::vector<PlannedJob>& plan) {
  std::vector<std::pair<std::uint32_t, std::int64_t>> peers;  // (job, pid)
  for (const auto& p : r.peers) {
    const auto job = layout.job_of_key.find(p.key);
    if (job == layout.job_of_key.end()) {
      throw CPythonTraceError(fmt::format("a peer of job '{}', which the recording does not have", p.key));
    }
    peers.emplace_back(job->second, p.pid);
  }
  std::sort(peers.begin(), peers.end());
  for (const auto& [job, pid] : peers) {
    if (layout.peers.count(pid) > 0) throw CPythonTraceError(fmt::format("peer process {} answers two jobs", pid));
    const trace::ProcessId process = layout.builder.add_process(fmt::format("{}{}", trace::kPeerOf, plan.at(job).name), false);
    layout.peers[pid] = {layout.builder.add_lane("peer", trace::LaneKind::Thread, process), process, {}};
  }
}

// ---- steps as spans ---------------------------------------------------------------------

/// Where the slices of compute() between `begin` and `end` on a thread show a pause.
std::vector<std::pair<std::int64_t, std::int64_t>> pauses_in(const CPythonRecording& r, std::int64_t pid,
                                                             std::int64_t tid, std::int64_t begin, std::int64_t end) {
  std::vector<std::pair<std::int64_t, std::int64_t>> pauses;
  for (const auto& g : r.gaps) {
    if (g.pid != pid || g.tid != tid || g.end <= begin || g.begin >= end) continue;
    // The slice that ended at g.end ran for about one slice length at its end.
    const std::int64_t until = std::max(g.begin, g.end - r.slice_ns);
    if (until > g.begin) pauses.emplace_back(g.begin, until);
  }
  std::sort(pauses.begin(), pauses.end());
  return pauses;
}

void add_piece(LaneInfo& lane, std::int64_t begin, std::int64_t end, SpanState state, std::uint32_t job,
               std::uint16_t step) {
  if (end > begin) lane.pieces.push_back({begin, end, state, job, step});
}

/// A CPU step on its thread: Running, cut where the slices show a pause (kept as Runnable
/// for now; the GIL pass below tells which pauses were waits for the GIL).
void add_cpu_step(LaneInfo& lane, const CPythonRecording& r, const CPythonRecording::Step& s, std::uint32_t job,
                  std::uint16_t step, std::size_t call) {
  const auto pauses = pauses_in(r, s.pid, s.tid, s.begin, s.end);
  std::int64_t at = s.begin;
  const auto running = [&](std::int64_t begin, std::int64_t end) {
    if (end > begin) lane.pieces.push_back({begin, end, SpanState::Running, job, step, call});
  };
  for (const auto& [begin, end] : pauses) {
    running(at, begin);
    add_piece(lane, std::max(at, begin), end, SpanState::Runnable, job, step);
    at = std::max(at, end);
  }
  running(at, s.end);
}

/// A peer's answers: Native (not the job's Python: no GIL of the job's process), a pause in
/// its slices a wait for a core.
void add_answers(Layout& layout, const CPythonRecording& r) {
  for (const auto& a : r.answers) {
    const auto peer = layout.peers.find(a.pid);
    if (peer == layout.peers.end()) throw CPythonTraceError(fmt::format("answers of peer process {}, which no job asked", a.pid));
    LaneInfo& lane = peer->second;
    std::int64_t at = a.begin;
    for (const auto& [begin, end] : pauses_in(r, a.pid, a.tid, a.begin, a.end)) {
      add_piece(lane, at, begin, SpanState::Native, trace::kNone, trace::kNoStep);
      add_piece(lane, std::max(at, begin), end, SpanState::Runnable, trace::kNone, trace::kNoStep);
      at = std::max(at, end);
    }
    add_piece(lane, at, a.end, SpanState::Native, trace::kNone, trace::kNoStep);
  }
}

SpanState waiting_state(scenario::StepKind kind) {
  switch (kind) {
    case scenario::StepKind::Sleep: return SpanState::Sleeping;
    default: return SpanState::BlockedIo;
  }
}

void add_steps(Layout& layout, const CPythonRecording& r, const scenario::Scenario& s,
               const std::vector<PlannedJob>& plan) {
  for (std::size_t n = 0; n < r.steps.size(); ++n) {
    const auto& st = r.steps[n];
    const auto found = layout.job_of_key.find(st.key);
    if (found == layout.job_of_key.end()) {
      throw CPythonTraceError(fmt::format("a step of job '{}', which the recording does not have", st.key));
    }
    const std::uint32_t job = found->second;
    const auto& steps = s.jobs.at(plan.at(job).template_index).steps;
    if (st.index >= steps.size()) {
      throw CPythonTraceError(fmt::format("job '{}' ran step {}; its template has {} steps", st.key, st.index + 1, steps.size()));
    }
    const auto kind = steps[st.index].kind;
    const auto step = static_cast<std::uint16_t>(st.index);
    LaneInfo& thread = thread_of(layout, st.pid, st.tid);
    LaneInfo* task = nullptr;
    if (st.task != 0) {
      const auto t = layout.tasks.find(st.task);
      if (t == layout.tasks.end()) throw CPythonTraceError(fmt::format("a step of an unknown task {}", st.task));
      task = &t->second;
    }
    const std::int64_t due = std::clamp(st.due, st.begin, st.end);
    if (st.kind == "cpu") {
      add_cpu_step(thread, r, st, job, step, n + 1);
      if (task != nullptr) add_piece(*task, st.begin, st.end, SpanState::Running, job, step);
    } else if (st.kind == "native") {
      add_piece(thread, st.begin, st.end, SpanState::Native, job, step);
    } else if (st.kind == "lock") {
      // L2, L5: a thread waits for a lock without the GIL; a task awaits it on the loop.
      // The thread's wait ends once it has the GIL back, as time.sleep's does.
      if (task != nullptr) {
        add_piece(*task, st.begin, st.end, SpanState::WaitingLock, job, step);
      } else {
        add_piece(thread, st.begin, st.end, SpanState::WaitingLock, job, step);
      }
    } else if (st.kind == "wait") {
      // time.sleep returns once its thread has the GIL back: a long tail after the wait is
      // a wait for the GIL or a core, told apart like a pause in compute().
      const bool stalls_loop = kind == scenario::StepKind::Block || kind == scenario::StepKind::Disk;  // A5
      const SpanState state = task != nullptr && stalls_loop ? SpanState::Stalled : waiting_state(kind);
      const std::int64_t waited = st.end - due > r.gap_ns - r.slice_ns ? due : st.end;
      add_piece(thread, st.begin, waited, state, job, step);
      add_piece(thread, waited, st.end, SpanState::Runnable, job, step);
      if (task != nullptr) add_piece(*task, st.begin, st.end, SpanState::Stalled, job, step);
    } else if (task != nullptr) {  // await, offload: the task waits, then waits for its turn
      add_piece(*task, st.begin, due, SpanState::Awaiting, job, step);
      add_piece(*task, due, st.end, SpanState::Ready, job, step);
      if (st.end - due > r.gap_ns - r.slice_ns) layout.loop_ready[&thread].emplace_back(due, st.end);
    }
  }
  for (const auto& j : r.jobs) {
    if (j.task == 0) continue;
    const auto t = layout.tasks.find(j.task);
    if (t == layout.tasks.end()) continue;
    for (const auto& created : r.tasks) {
      if (created.id == j.task) add_piece(t->second, created.created, j.begin, SpanState::Ready, layout.job_of_key.at(j.key), trace::kNoStep);
    }
  }
}

/// A thread's job the recording saw no step of (lesson 15's `counter += one()` loop), drawn
/// running from its start to its end when its thread's CPU time in it (`cpu`, the recorder's
/// thread_time_ns) covers all but a pause shorter than a gap: then it ran throughout, the
/// GIL its own (only its thread ran Python then). Otherwise nothing is drawn: it waited for
/// the GIL or a core for longer, and the recording cannot tell when. Such a span has no step
/// (jobs_seen does not count it: the recorder saw its thread run, not what it ran).
void add_unseen_jobs(Layout& layout, const CPythonRecording& r) {
  for (std::size_t n = 0; n < r.jobs.size(); ++n) {
    const auto& j = r.jobs[n];
    if (j.task != 0 || j.cpu < 0 || j.cpu < j.end - j.begin - r.gap_ns) continue;
    LaneInfo& lane = thread_of(layout, j.pid, j.tid);
    const bool seen = std::any_of(lane.pieces.begin(), lane.pieces.end(),
                                  [&](const Piece& p) { return p.begin < j.end && j.begin < p.end; });
    if (seen) continue;
    // A call number of its own, after the steps': the GIL pass keeps it one holder's span.
    lane.pieces.push_back({j.begin, j.end, SpanState::Running, layout.job_of_key.at(j.key), trace::kNoStep,
                           r.steps.size() + 1 + n});
  }
}

/// An event loop whose task was ready while the loop ran nothing the recording saw wanted
/// to run it: such a stretch of its thread is Runnable, told apart below as a wait for the
/// GIL or a core like a pause in compute(). Lesson 13's heartbeat, due while a to_thread
/// worker held the GIL, waited about a switch interval each time: the loop thread's lane
/// was empty there and the measured GIL wait left it out (A4).
void add_loop_waits(Layout& layout, const CPythonRecording& r) {
  // Gaps between the tasks the loop ran are its own Python, which the recorder does not see
  // (its pauses shorter than a gap count as running): 2,000 tasks of 0.1 ms each drew 2,000
  // waits for a core of 7.6 us in median between them.
  const std::int64_t shortest = r.gap_ns - r.slice_ns;
  for (auto& [thread, ready] : layout.loop_ready) {
    std::sort(ready.begin(), ready.end());
    std::vector<Piece> busy = thread->pieces;
    std::sort(busy.begin(), busy.end(), [](const Piece& a, const Piece& b) { return a.begin < b.begin; });
    std::size_t next = 0;
    std::int64_t at = INT64_MIN;  // ready stretches merged: nothing before `at` is added twice
    for (const auto& [from, to] : ready) {
      std::int64_t begin = std::max(from, at);
      while (begin < to) {
        while (next < busy.size() && busy[next].end <= begin) ++next;
        // The loop's own pieces that began before `begin` and still go on cover it.
        bool covered = false;
        for (std::size_t i = next; i < busy.size() && busy[i].begin <= begin; ++i) {
          if (busy[i].end > begin) {
            begin = busy[i].end;
            covered = true;
          }
        }
        if (covered) continue;
        const std::int64_t end = next < busy.size() ? std::min(to, busy[next].begin) : to;
        if (end - begin > shortest) add_piece(*thread, begin, end, SpanState::Runnable, trace::kNone, trace::kNoStep);
        begin = end;
      }
      at = std::max(at, to);
    }
  }
}

// ---- the inferred GIL -------------------------------------------------------------------

struct Held {
  std::int64_t begin = 0, end = 0;
  trace::LaneId holder = trace::kNone;
  std::size_t call = 0;
};

/// `pieces` (Running, in order of their beginnings) as one holder at a time: the piece that
/// began last holds the GIL while it runs, and a piece it began inside holds it again after
/// it, up to its own end (lesson 7's hog, whose one slice the reader's short runs lay inside:
/// cut at the reader's first run and never resumed, it was drawn waiting for a GIL nobody
/// held). A compute() call's pieces with nobody else's in between are one holding.
std::vector<Held> one_holder_at_a_time(const std::vector<Held>& pieces) {
  std::vector<Held> cut;
  const auto hold = [&](const Held& h, std::int64_t begin, std::int64_t end) {
    if (end <= begin) return;
    // The same call's last holding, nobody else's since: it kept the GIL through the pause.
    if (!cut.empty() && cut.back().holder == h.holder && cut.back().call == h.call) {
      cut.back().end = std::max(cut.back().end, end);
      return;
    }
    cut.push_back({begin, end, h.holder, h.call});
  };
  struct Open {
    Held piece;
    std::int64_t from;  ///< where its holding goes on, after the pieces begun inside it
  };
  std::vector<Open> open;  // each begun inside the one below it
  const auto close_until = [&](std::int64_t t) {
    while (!open.empty() && open.back().piece.end <= t) {
      const Open done = open.back();
      open.pop_back();
      hold(done.piece, done.from, done.piece.end);
      // Below it, held from where it and the pieces above it were done: a piece begun inside
      // it may have outlived it (three deep, T3 begun inside T2 inside T1, T3 the last).
      if (!open.empty()) open.back().from = std::max({open.back().from, done.from, done.piece.end});
    }
  };
  for (const Held& h : pieces) {
    close_until(h.begin);
    if (!open.empty() && open.back().piece.holder == h.holder && open.back().piece.call == h.call) {
      open.back().piece.end = std::max(open.back().piece.end, h.end);
      continue;
    }
    if (!open.empty()) {
      hold(open.back().piece, open.back().from, h.begin);
      open.back().from = h.begin;
    }
    open.push_back({h, h.begin});
  }
  close_until(std::numeric_limits<std::int64_t>::max());
  return cut;
}

/// Per process, who ran Python when: the Running pieces of its threads, one holder at a time
/// (one_holder_at_a_time). A compute() call whose slices stop and start again with nobody
/// else's in between kept the GIL through the pause (the OS took its core, not the GIL);
/// between two holders the GIL is shown free.
std::map<trace::ProcessId, std::vector<Held>> infer_gil(const Layout& layout) {
  std::map<trace::ProcessId, std::vector<Held>> held;
  for (const auto& [key, lane] : layout.threads) {
    for (const Piece& p : lane.pieces) {
      if (p.state == SpanState::Running) held[lane.process].push_back({p.begin, p.end, lane.lane, p.call});
    }
  }
  for (auto& [process, spans] : held) {
    // Of pieces that begin together, the longer first: the shorter lies inside it, and the
    // longer holds the GIL again after it (not the shorter drawn waiting all along).
    std::sort(spans.begin(), spans.end(), [](const Held& a, const Held& b) {
      return std::tuple{a.begin, -a.end, a.holder, a.call} < std::tuple{b.begin, -b.end, b.holder, b.call};
    });
    spans = one_holder_at_a_time(spans);
  }
  return held;
}

/// Where two threads' slices overlap by a few microseconds (a slice's time is noted at its
/// end), the GIL went to the later one: the earlier thread's overlap becomes a GIL wait, so
/// every Running span lies inside a Held span of its own thread.
void fit_running_to_gil(Layout& layout, const std::map<trace::ProcessId, std::vector<Held>>& held) {
  for (auto& [key, lane] : layout.threads) {
    const auto spans = held.find(lane.process);
    if (spans == held.end()) continue;
    std::vector<Piece> fitted;
    for (const Piece& p : lane.pieces) {
      if (p.state != SpanState::Running) {
        fitted.push_back(p);
        continue;
      }
      std::int64_t at = p.begin;
      auto it = std::lower_bound(spans->second.begin(), spans->second.end(), p.begin,
                                 [](const Held& h, std::int64_t t) { return h.end <= t; });
      for (; it != spans->second.end() && it->begin < p.end; ++it) {
        if (it->holder != lane.lane) continue;
        const std::int64_t begin = std::max(it->begin, p.begin);
        const std::int64_t end = std::min(it->end, p.end);
        if (begin > at) fitted.push_back({at, begin, SpanState::WaitingGil, p.job, p.step});
        fitted.push_back({begin, end, SpanState::Running, p.job, p.step});
        at = end;
      }
      if (p.end > at) fitted.push_back({at, p.end, SpanState::WaitingGil, p.job, p.step});
    }
    lane.pieces = std::move(fitted);
  }
}

/// Time `lane` spent wanting the GIL (paused in compute() or after a wait) within [from, to).
std::int64_t wanting_gil(const std::vector<Piece>& pieces, std::int64_t from, std::int64_t to) {
  std::int64_t total = 0;
  for (const Piece& p : pieces) {
    if (p.state == SpanState::Runnable && p.begin < to && from < p.end) total += std::min(p.end, to) - std::max(p.begin, from);
  }
  return total;
}

/// Why a thread paused. While another thread of its process held the GIL, it waited for the
/// GIL. While nobody held it: if the last holder still wanted it (it dropped the GIL on a
/// request and waits to run again) and the next holder is another thread, the GIL was being
/// handed to that thread, so this one still waited for the GIL; otherwise (the GIL was let
/// go by a thread that went to sleep, to a system call or to C code, or the next holder is
/// this thread) it waited for a core.
void classify_pauses(Layout& layout, const std::map<trace::ProcessId, std::vector<Held>>& held) {
  std::map<trace::LaneId, std::vector<Piece>> before;  // every thread's pieces, unclassified
  for (const auto& [key, lane] : layout.threads) before[lane.lane] = lane.pieces;
  for (auto& entry : layout.threads) {
    LaneInfo& lane = entry.second;  // not a structured binding: clang 14's lambdas cannot capture one
    const auto spans = held.find(lane.process);
    if (spans == held.end()) continue;
    const std::vector<Held>& gil = spans->second;
    std::vector<Piece> classified;
    const auto add = [&](const Piece& p, std::int64_t begin, std::int64_t end, SpanState state) {
      if (end > begin) classified.push_back({begin, end, state, p.job, p.step});
    };
    const auto free_segment = [&](const Piece& p, std::int64_t begin, std::int64_t end, std::size_t next) {
      if (end <= begin) return;
      // The last holder (this thread, or another) dropped the GIL on a request when it still
      // wanted it right after.
      const bool dropped_on_request = next > 0 && wanting_gil(before[gil[next - 1].holder], begin, begin + 1) > 0;
      const bool handed_to_other = dropped_on_request && next < gil.size() && gil[next].holder != lane.lane &&
                                   2 * wanting_gil(before[gil[next].holder], begin, end) >= end - begin;
      add(p, begin, end, handed_to_other ? SpanState::WaitingGil : SpanState::Runnable);
    };
    for (const Piece& p : lane.pieces) {
      if (p.state != SpanState::Runnable) {
        classified.push_back(p);
        continue;
      }
      std::int64_t at = p.begin;
      auto it = std::lower_bound(gil.begin(), gil.end(), p.begin, [](const Held& h, std::int64_t t) { return h.end <= t; });
      for (; it != gil.end() && it->begin < p.end; ++it) {
        if (it->holder == lane.lane) continue;
        free_segment(p, at, std::min(it->begin, p.end), static_cast<std::size_t>(it - gil.begin()));
        add(p, std::max(at, it->begin), std::min(it->end, p.end), SpanState::WaitingGil);
        at = std::max(at, std::min(it->end, p.end));
      }
      free_segment(p, at, p.end, static_cast<std::size_t>(it - gil.begin()));
    }
    lane.pieces = std::move(classified);
  }
}

// ---- assembling the trace ---------------------------------------------------------------

void emit(std::vector<Record>& records, const LaneInfo& lane, std::int64_t origin) {
  std::vector<Piece> pieces = lane.pieces;
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.begin < b.begin; });
  std::int64_t last_end = INT64_MIN;
  for (const Piece& p : pieces) {
    const std::int64_t begin = std::max(p.begin, last_end);  // no overlap on a lane
    if (p.end <= begin) continue;
    records.push_back(Record{begin - origin, 0, lane.lane, p.job, p.step, RecordKind::State,
                             static_cast<std::uint8_t>(p.state), 0});
    records.push_back(Record{p.end - origin, 0, lane.lane, trace::kNone, trace::kNoStep, RecordKind::Clear, 0, 0});
    last_end = p.end;
  }
}

/// One lane per lock of the scenario, in the main process: who held it when (L1-L3).
void add_lock_lanes(trace::TraceBuilder& builder, Layout& layout, const scenario::Scenario& s,
                    const CPythonRecording& r, std::vector<Record>& records) {
  std::vector<trace::LaneId> lanes;
  for (const auto& lock : s.locks) {
    lanes.push_back(builder.add_lane("lock " + lock.name, trace::LaneKind::Lock, layout.processes.at(r.main_pid)));
  }
  std::vector<CPythonRecording::Hold> holds = r.holds;
  std::stable_sort(holds.begin(), holds.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  std::vector<std::int64_t> free_from(lanes.size(), INT64_MIN);
  for (const auto& h : holds) {
    if (h.lock >= lanes.size()) throw CPythonTraceError(fmt::format("a hold of lock {}; the scenario has {}", h.lock, lanes.size()));
    const auto task = layout.tasks.find(h.task);
    const trace::LaneId holder = h.task != 0 && task != layout.tasks.end() ? task->second.lane : thread_of(layout, h.pid, h.tid).lane;
    // The times are taken just after acquire() and just before release(): never overlapping.
    const std::int64_t begin = std::max(h.begin, free_from[h.lock]);
    if (h.end <= begin) continue;
    records.push_back(Record{begin - r.begin, 0, lanes[h.lock], holder, trace::kNoStep, RecordKind::State,
                             static_cast<std::uint8_t>(SpanState::Held), 0});
    records.push_back(Record{h.end - r.begin, 0, lanes[h.lock], trace::kNone, trace::kNoStep, RecordKind::Clear, 0, 0});
    free_from[h.lock] = h.end;
  }
}

/// Each counter's value after the run against the increments the jobs made (U2).
std::vector<trace::Counter> counters_after(const scenario::Scenario& s, const std::vector<PlannedJob>& plan,
                                           const CPythonRecording& r) {
  std::vector<trace::Counter> out;
  for (const auto& c : s.counters) out.push_back(trace::Counter{c.name, c.initial, c.initial, 0});
  for (const PlannedJob& job : plan) {
    for (const auto& step : job.steps) {
      if (step.kind == scenario::StepKind::Increment && step.target < out.size()) ++out[step.target].updates;
    }
  }
  if (r.counters.size() != out.size()) {
    throw CPythonTraceError(fmt::format("the recording has {} counter(s); the scenario has {}", r.counters.size(), out.size()));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    // Each update adds one to a value it read, which is the initial value or more: a lost update
    // only loses. So the counter ends between its initial value and every update kept.
    const std::int64_t value = r.counters[i].value;
    const auto& c = out[i];
    if (value < c.initial || value > c.expected()) {
      throw CPythonTraceError(fmt::format("counter {} is {} after the run; its {} updates from {} leave it from {} to {}", c.name,
                                          value, c.updates, c.initial, c.initial, c.expected()));
    }
    out[i].final_value = value;
  }
  return out;
}

}  // namespace

trace::Trace cpython_trace(const scenario::Scenario& s, const scenario::Run& run, const CPythonRecording& r) {
  const scenario::JobPlan plan = scenario::plan_jobs(s);
  const auto cores = run.cores.value_or(s.machine.cores);
  trace::TraceBuilder builder(run.name, std::string(scenario::to_string(run.executor)), r.gil ? "new" : "none",
                              trace::Origin::Measured, cores, scenario::effective_switch_interval(s, run));
  // The program draws random durations with Python's random, not the plan's: the jobs
  // are the plan's, their durations are not recorded as the plan's.
  scenario::register_jobs(s, plan, builder, scenario::WithDurations::No);

  Layout layout{builder, {}, {}, {}, {}, {}, r.begin};
  add_lanes(layout, r);
  assign_jobs(layout, r, plan);
  add_peer_lanes(layout, r, plan);
  add_steps(layout, r, s, plan);
  add_unseen_jobs(layout, r);
  add_answers(layout, r);
  add_loop_waits(layout, r);
  const auto held = r.gil ? infer_gil(layout) : std::map<trace::ProcessId, std::vector<Held>>{};
  classify_pauses(layout, held);
  fit_running_to_gil(layout, held);

  std::vector<Record> records;
  for (const auto& [key, lane] : layout.threads) emit(records, lane, r.begin);
  for (const auto& [id, lane] : layout.tasks) emit(records, lane, r.begin);
  for (const auto& [pid, lane] : layout.peers) emit(records, lane, r.begin);
  for (const auto& [process, spans] : held) {
    const trace::LaneId gil = builder.gil_lane(process);
    for (const Held& h : spans) {
      records.push_back(Record{h.begin - r.begin, 0, gil, h.holder, trace::kNoStep, RecordKind::State,
                               static_cast<std::uint8_t>(SpanState::Held), 0});
      records.push_back(Record{h.end - r.begin, 0, gil, trace::kNone, trace::kNoStep, RecordKind::Clear, 0, 0});
    }
  }
  for (const auto& j : r.jobs) {
    const std::uint32_t job = layout.job_of_key.at(j.key);
    const trace::LaneId lane = j.task != 0 && layout.tasks.count(j.task) > 0 ? layout.tasks.at(j.task).lane
                                                                            : thread_of(layout, j.pid, j.tid).lane;
    records.push_back(Record{j.begin - r.begin, 0, lane, job, trace::kNoStep, RecordKind::JobStart, 0, 0});
    records.push_back(Record{j.end - r.begin, 0, lane, job, trace::kNoStep, RecordKind::JobEnd, 0, 0});
  }
  add_lock_lanes(builder, layout, s, r, records);
  for (Record& record : records) record.at_ns = std::max<std::int64_t>(0, record.at_ns);
  trace::Trace t = merge_records(builder, std::move(records), Time{r.end - r.begin});
  const auto dot = r.version.find('.', r.version.find('.') + 1);
  t.measured_by = fmt::format("CPython {}", r.version.substr(0, dot));
  t.counters = counters_after(s, plan, r);
  // Whether its CPU ran at the calibrated speed; the other busy checks of a CPython run are
  // its threads' waits for a core (real::starved_note).
  t.cpu_check.planned_compute = Time{r.compute_planned_ns};
  t.cpu_check.compute_took = Time{r.compute_cpu_ns};
  t.cpu_check.planned_native = Time{r.native_planned_ns};
  t.cpu_check.native_took = Time{r.native_cpu_ns};
  for (std::size_t p = 0; p < t.processes.size(); ++p) {
    const trace::LaneId gil = t.processes[p].gil_lane;
    if (gil != trace::kNone) t.lanes[gil].name = p == 0 ? "GIL, inferred" : fmt::format("GIL w{}, inferred", p);
  }
  return t;
}

JobsSeen jobs_seen(const trace::Trace& t) {
  JobsSeen out;
  if (!t.counters.empty()) out.counter = t.counters.front().name;
  out.locks = std::any_of(t.lanes.begin(), t.lanes.end(), [](const trace::Lane& l) { return l.kind == trace::LaneKind::Lock; });
  for (std::uint32_t j = 0; j < t.jobs.size(); ++j) {
    const trace::Job& job = t.jobs[j];
    if (job.lane == trace::kNone || job.end == Time::max() || job.end <= job.begin) continue;
    out.total += job.end - job.begin;
    ++out.jobs;
    const Time before = out.seen;
    for (const trace::Span& span : t.lanes[job.lane].spans) {
      if (span.subject != j || span.step == trace::kNoStep || span.end <= job.begin || span.begin >= job.end) continue;
      out.seen += min(span.end, job.end) - max(span.begin, job.begin);
    }
    if (out.seen == before) ++out.unseen_jobs;
  }
  return out;
}

std::optional<JobsSeen> too_little_seen(const trace::Trace& t) {
  const JobsSeen s = jobs_seen(t);
  if (s.total.ns() <= 0) return std::nullopt;
  const double share = static_cast<double>(s.seen.ns()) / static_cast<double>(s.total.ns());
  if (s.unseen_jobs == 0 && share >= kSeenEnough) return std::nullopt;
  return s;
}

std::optional<std::string> unseen_note(const trace::Trace& t) {
  const auto seen = too_little_seen(t);
  if (!seen) return std::nullopt;
  return unseen_note(*seen);
}

std::string unseen_note(const JobsSeen& s) {
  const double share = static_cast<double>(s.seen.ns()) / static_cast<double>(std::max<std::int64_t>(1, s.total.ns()));
  const std::string unseen =
      s.unseen_jobs == 0 ? std::string() : fmt::format("nothing of {} of its {} jobs, and ", s.unseen_jobs, s.jobs);
  // What of the jobs' time the recorder does not trace: only what this scenario has.
  std::vector<std::string> untraced;
  if (!s.counter.empty()) untraced.push_back(fmt::format("`{} += ...`", s.counter));
  if (s.locks) untraced.emplace_back("a lock had without a wait");
  untraced.emplace_back("each job's own Python around its steps");
  const Time average{s.total.ns() / std::max<std::int64_t>(1, s.jobs)};
  const std::string cost =
      average < kShortJob ? fmt::format("; its jobs last {} on average, so the recorder's own cost at each job's start and "
                                        "end is much of their time",
                                        format_time(average))
                          : std::string(", and the recorder's own cost is in it");
  return fmt::format("not scored: the recording saw {}{:.0f}% of its jobs' time ({} of {}); the rest is {}, which the "
                     "recorder does not trace, so the lanes do not show where the time went{} (docs/cpython-traces.md)",
                     unseen, 100.0 * share, format_time(s.seen), format_time(s.total),
                     untraced.size() == 1 ? untraced[0]
                                          : fmt::format("{} and {}", fmt::join(untraced.begin(), untraced.end() - 1, ", "),
                                                        untraced.back()),
                     cost);
}

bool figures_not_seen(const trace::Trace& t) {
  if (t.origin != trace::Origin::Measured || t.measured_by.empty()) return false;  // CPython's recordings only
  return too_little_seen(t).has_value() || 2 * outside_jobs(t).ns() > t.end.ns();
}

std::string figures_not_seen_note(const std::vector<std::string>& runs) {
  return fmt::format("'-' for {}: not seen. The recorder sees compute(), hash_data(), the waits and a lock's waits; "
                     "most of {} time went to Python it does not trace (its lines below say which), so how busy the "
                     "cores were, who held the GIL and how often it changed hands are not measured.",
                     scenario::quoted_and_list(runs), runs.size() == 1 ? "its" : "their");
}

Time outside_jobs(const trace::Trace& t) {
  std::vector<std::pair<Time, Time>> jobs;
  for (const trace::Job& job : t.jobs) {
    if (job.end != Time::max() && job.end > job.begin) jobs.emplace_back(job.begin, min(job.end, t.end));
  }
  std::sort(jobs.begin(), jobs.end());
  Time covered = Time::zero(), at = Time::zero();
  for (const auto& [begin, end] : jobs) {
    if (end <= at) continue;
    covered += end - max(begin, at);
    at = end;
  }
  return t.end - covered;
}

std::optional<std::string> outside_jobs_note(const trace::Trace& t, Time cpu) {
  const Time outside = outside_jobs(t);
  if (2 * outside.ns() <= t.end.ns()) return std::nullopt;
  const bool pool = t.executor == "process_pool" || t.executor == "process_pool_executor" || t.executor == "processes";
  return fmt::format("{} of its {} passed with no job running, before, between and after its jobs: {}, which the "
                     "recorder does not trace; its processes used {} of CPU in all",
                     format_time(outside), format_time(t.end),
                     pool ? "starting the workers and passing tasks and results between processes (each pickled, sent "
                            "through a pipe, read and unpickled: for results of megabytes, most of the time)"
                          : "starting and ending its threads or event loop, and its own Python between the jobs",
                     format_time(cpu));
}

}  // namespace gilsim::cpython
