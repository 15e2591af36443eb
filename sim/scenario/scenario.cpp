// Effective values of a run (CPython's version-dependent defaults) and names of enums.
#include "sim/scenario/scenario.hpp"

#include <algorithm>

namespace gilsim::scenario {

Time Duration::mean() const {
  switch (kind) {
    case Kind::Fixed: return a;
    case Kind::Uniform: return Time{(a.ns() + b.ns()) / 2};
    case Kind::Exponential: return a;
    case Kind::Normal: return a;
  }
  return a;
}

int Scenario::total_jobs() const {
  int n = 0;
  for (const auto& j : jobs) n += j.count;
  return n;
}

int effective_cores(const Scenario& s, const Run& r) { return r.cores.value_or(s.machine.cores); }

GilMode effective_gil(const Scenario& s, const Run& r) { return r.gil.value_or(s.python.gil); }

Time effective_switch_interval(const Scenario& s, const Run& r) {
  return r.switch_interval.value_or(s.python.switch_interval);
}

int effective_workers(const Scenario& s, const Run& r) {
  if (r.workers) return *r.workers;
  const int cores = effective_cores(s, r);
  switch (r.executor) {
    case Executor::ThreadPool:
    case Executor::Asyncio:  // the loop's default executor, used by to_thread (A7)
      if (s.python.version < PythonVersion{3, 8, false}) return cores * 5;
      return std::min(32, cores + 4);
    case Executor::ProcessPool:
    case Executor::ProcessPoolExecutor: return cores;  // os.cpu_count() (P2, P9)
    case Executor::Processes: return std::max(1, s.total_jobs());
    case Executor::Sequential: return 1;
    case Executor::Threads: return std::max(1, s.total_jobs());
  }
  return 1;
}

StartMethod effective_start_method(const Scenario& s, const Run& r) {
  if (r.start_method) return *r.start_method;
  // Linux: fork up to 3.13, forkserver from 3.14 (P3).
  return s.python.version >= PythonVersion{3, 14, false} ? StartMethod::Forkserver : StartMethod::Fork;
}

Time effective_check_period(const Scenario& s) {
  return std::max(Time{1}, Time{s.costs.check_period.ns() * s.python.check_interval / 100});
}

int pool_map_chunksize(int jobs, int workers) {
  if (jobs <= 0 || workers <= 0) return 0;
  int chunksize = jobs / (workers * 4);
  if (jobs % (workers * 4) != 0) chunksize += 1;
  return chunksize;
}

int effective_chunksize(const Scenario& s, const Run& r) {
  if (r.chunksize) return *r.chunksize;
  if (r.executor == Executor::ProcessPoolExecutor) return 1;  // Executor.map(chunksize=1) (P9)
  // imap and imap_unordered default to chunksize=1; apply_async sends one task per call.
  if (r.method != PoolMethod::Map) return 1;
  return pool_map_chunksize(s.total_jobs(), effective_workers(s, r));
}

std::string_view to_string(PoolMethod m) {
  switch (m) {
    case PoolMethod::Map: return "map";
    case PoolMethod::Imap: return "imap";
    case PoolMethod::ImapUnordered: return "imap_unordered";
    case PoolMethod::ApplyAsync: return "apply_async";
  }
  return "?";
}

std::string_view to_string(StepKind k) {
  switch (k) {
    case StepKind::Cpu: return "cpu";
    case StepKind::Native: return "native";
    case StepKind::Io: return "io";
    case StepKind::Block: return "block";
    case StepKind::Sleep: return "sleep";
    case StepKind::Offload: return "offload";
    case StepKind::Disk: return "disk";
    case StepKind::Acquire: return "acquire";
    case StepKind::Release: return "release";
    case StepKind::Increment: return "increment";
  }
  return "?";
}

std::string_view to_string(GilMode m) {
  switch (m) {
    case GilMode::New: return "new";
    case GilMode::Old: return "old";
    case GilMode::None: return "none";
  }
  return "?";
}

std::string_view to_string(Executor e) {
  switch (e) {
    case Executor::Sequential: return "sequential";
    case Executor::Threads: return "threads";
    case Executor::ThreadPool: return "thread_pool";
    case Executor::Asyncio: return "asyncio";
    case Executor::ProcessPool: return "process_pool";
    case Executor::Processes: return "processes";
    case Executor::ProcessPoolExecutor: return "process_pool_executor";
  }
  return "?";
}

std::string_view to_string(StartMethod m) {
  switch (m) {
    case StartMethod::Fork: return "fork";
    case StartMethod::Spawn: return "spawn";
    case StartMethod::Forkserver: return "forkserver";
  }
  return "?";
}

namespace {
// Durations in the file syntax: "100ms", "12us", "1.5s".
std::string compact(Time t) {
  const std::int64_t ns = t.ns();
  if (ns != 0 && ns % 1'000'000'000 == 0) return fmt::format("{}s", ns / 1'000'000'000);
  if (ns != 0 && ns % 1'000'000 == 0) return fmt::format("{}ms", ns / 1'000'000);
  if (ns != 0 && ns % 1'000 == 0) return fmt::format("{}us", ns / 1'000);
  return fmt::format("{}ns", ns);
}
}  // namespace

std::string to_string(const Duration& d) {
  switch (d.kind) {
    case Duration::Kind::Fixed: return compact(d.a);
    case Duration::Kind::Uniform: return fmt::format("{}..{}", compact(d.a), compact(d.b));
    case Duration::Kind::Exponential: return fmt::format("exp({})", compact(d.a));
    case Duration::Kind::Normal: return fmt::format("normal({}, {})", compact(d.a), compact(d.b));
  }
  return "?";
}

std::string to_string(const PythonVersion& v) {
  return fmt::format("{}.{}{}", v.major, v.minor, v.free_threaded ? "t" : "");
}

std::string step_label(const Scenario& scenario, const Step& s) {
  switch (s.kind) {
    case StepKind::Acquire:
    case StepKind::Release:
      return fmt::format("{} {}", to_string(s.kind), scenario.locks.at(s.target).name);
    case StepKind::Increment: {
      const auto& name = scenario.counters.at(s.target).name;
      if (!s.has_call) return fmt::format("{} += 1", name);
      return fmt::format("{} += f(), f {}", name, to_string(s.duration));
    }
    default: break;
  }
  if (s.kind == StepKind::Offload) {
    return fmt::format("offload {} {}", to_string(s.offload_work), to_string(s.duration));
  }
  return fmt::format("{} {}", to_string(s.kind), to_string(s.duration));
}

}  // namespace gilsim::scenario
