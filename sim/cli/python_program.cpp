// Writing a scenario as a Python program: each step becomes the call that does that kind of
// work in CPython, each run the executor code its documentation recommends.
// Sections: names and literals · steps folded back into loops · assembling the program
// (its fixed parts are in python_program_parts.hpp) · reading timings.
#include "sim/cli/python_program.hpp"
#include "sim/cli/python_program_parts.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace gilsim::cli {

using scenario::Executor;
using scenario::GilMode;
using scenario::Step;
using scenario::StepKind;
using namespace python_parts;

namespace {

// ---- names and literals -----------------------------------------------------------------

std::string python_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          quoted += c;
        }
    }
  }
  return quoted + "\"";
}

/// Seconds as a short exact decimal: 100 ms -> "0.1", 250 us -> "0.00025".
std::string seconds(Time t) {
  std::string text = fmt::format("{:.9f}", static_cast<double>(t.ns()) / 1e9);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text += '0';
  return text;
}

std::string seconds_expression(const scenario::Duration& d) {
  using Kind = scenario::Duration::Kind;
  switch (d.kind) {
    case Kind::Fixed: return seconds(d.a);
    case Kind::Uniform: return fmt::format("random.uniform({}, {})", seconds(d.a), seconds(d.b));
    case Kind::Exponential: return fmt::format("random.expovariate(1 / {})", seconds(d.a));
    case Kind::Normal: return fmt::format("max(0.0, random.gauss({}, {}))", seconds(d.a), seconds(d.b));
  }
  return seconds(d.a);
}

bool is_python_keyword(const std::string& word) {
  static const std::set<std::string> keywords{
      "False", "None",   "True",    "and",      "as",   "assert", "async",  "await", "break",
      "class", "continue", "def",   "del",      "elif", "else",   "except", "finally", "for",
      "from",  "global", "if",      "import",   "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",   "raise",   "return",   "try",  "while",  "with",   "yield"};
  return keywords.count(word) > 0;
}

/// The program's own functions, its modules and the builtins it calls.
bool taken_by_program(const std::string& name) {
  static const std::set<std::string> taken{
      "countdown", "hash_bytes", "rate", "cpu_seconds", "calibrate", "set_calibration", "python_work",
      "native_work", "blocking_wait", "call", "main", "timed", "skip", "gil_enabled", "run_sequential",
      "run_threads", "run_thread_pool", "run_asyncio", "run_process_pool", "run_processes", "calibrated", "asyncio_main", "asyncio",
      "concurrent", "hashlib", "multiprocessing", "os", "random", "select", "sys", "threading", "time",
      "print", "range", "min", "max", "len", "int", "float", "getattr", "hasattr", "sorted", "memoryview",
      "bytes", "one", "take", "take_async", "new_shared", "timed_shared", "globals"};
  return taken.count(name) > 0 || is_python_keyword(name);
}

/// A lock's or counter's name as a module global of the program (the loader keeps them
/// identifiers); one that the program already uses gets a suffix.
std::string shared_name(const std::string& name) {
  return taken_by_program(name) || name == "LOCK_TIMEOUT" || name == "EXPECTED" || name == "DEADLOCKS" ||
                 name == "ASYNC_LOCKS"
             ? name + "_shared"
             : name;
}

std::vector<std::string> shared_names(const scenario::Scenario& s) {
  std::vector<std::string> names;
  for (const auto& lock : s.locks) names.push_back(shared_name(lock.name));
  for (const auto& c : s.counters) names.push_back(shared_name(c.name));
  return names;
}

/// One distinct Python identifier per job template: "python work" -> python_work.
std::vector<std::string> job_function_names(const scenario::Scenario& s) {
  std::vector<std::string> names;
  std::set<std::string> used;
  for (const auto& job : s.jobs) {
    std::string name;
    for (const char c : job.name) {
      const bool word = std::isalnum(static_cast<unsigned char>(c)) != 0;
      if (word) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      else if (!name.empty() && name.back() != '_') name += '_';
    }
    while (!name.empty() && name.back() == '_') name.pop_back();
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) name = "job_" + name;
    if (taken_by_program(name)) name += "_job";
    for (const auto& shared : shared_names(s)) {
      if (shared == name) name += "_job";
    }
    std::string unique = name;
    for (int n = 2; used.count(unique) > 0 || used.count(unique + "_async") > 0; ++n) unique = fmt::format("{}_{}", name, n);
    used.insert(unique);
    names.push_back(unique);
  }
  return names;
}

// ---- steps folded back into loops -------------------------------------------------------

/// The loader expands `repeat`; a program reads better with the loop back.
struct StepBlock {
  const Step* step = nullptr;  ///< a single step, or nullptr for a loop
  int times = 1;
  std::vector<StepBlock> body;
};

bool same_step(const Step& a, const Step& b) {
  return a.kind == b.kind && a.offload_work == b.offload_work && a.duration.kind == b.duration.kind &&
         a.duration.a == b.duration.a && a.duration.b == b.duration.b && a.target == b.target &&
         a.has_call == b.has_call;
}

bool same_run(const std::vector<Step>& steps, std::size_t a, std::size_t b, std::size_t length) {
  for (std::size_t i = 0; i < length; ++i) {
    if (!same_step(steps[a + i], steps[b + i])) return false;
  }
  return true;
}

std::vector<StepBlock> fold_steps(const std::vector<Step>& steps, std::size_t begin, std::size_t end) {
  constexpr std::size_t kLongestLoopBody = 32;
  std::vector<StepBlock> blocks;
  std::size_t i = begin;
  while (i < end) {
    std::size_t best_length = 0;
    std::size_t best_times = 1;
    for (std::size_t length = 1; length <= kLongestLoopBody && i + 2 * length <= end; ++length) {
      std::size_t times = 1;
      while (i + (times + 1) * length <= end && same_run(steps, i, i + times * length, length)) ++times;
      if (times >= 2 && times * length > best_times * best_length) {
        best_length = length;
        best_times = times;
      }
    }
    if (best_length == 0) {
      blocks.push_back({&steps[i], 1, {}});
      ++i;
      continue;
    }
    blocks.push_back({nullptr, static_cast<int>(best_times), fold_steps(steps, i, i + best_length)});
    i += best_times * best_length;
  }
  return blocks;
}

std::string_view work_function(StepKind work) {
  switch (work) {
    case StepKind::Cpu: return "python_work";
    case StepKind::Native: return "native_work";
    case StepKind::Io: return "blocking_wait";
    default: return "time.sleep";
  }
}

/// One line of Python for a step, in a plain function or in a coroutine.
std::string step_line(const scenario::Scenario& sc, const Step& step, bool in_coroutine) {
  const std::string s = seconds_expression(step.duration);
  switch (step.kind) {
    case StepKind::Acquire: {
      const auto name = shared_name(sc.locks[step.target].name);
      return in_coroutine ? fmt::format("if not await take_async({}):\n    return  # a deadlock: give up", python_string(name))
                          : fmt::format("if not take({}, {}):\n    return  # a deadlock: give up", name, python_string(name));
    }
    case StepKind::Release: {
      const auto name = shared_name(sc.locks[step.target].name);
      return in_coroutine ? fmt::format("ASYNC_LOCKS[{}].release()", python_string(name)) : fmt::format("{}.release()", name);
    }
    case StepKind::Increment: {
      const auto name = shared_name(sc.counters[step.target].name);
      return step.has_call ? fmt::format("{} += one()", name) : fmt::format("{} += 1", name);
    }
    case StepKind::Cpu: return fmt::format("python_work({})", s);
    case StepKind::Native: return fmt::format("native_work({})", s);
    case StepKind::Io:
      return in_coroutine ? fmt::format("await asyncio.sleep({})  # an awaited network wait", s)
                          : fmt::format("blocking_wait({})", s);
    case StepKind::Sleep: return in_coroutine ? fmt::format("await asyncio.sleep({})", s) : fmt::format("time.sleep({})", s);
    case StepKind::Block:
      return in_coroutine ? fmt::format("time.sleep({})  # a blocking call: the whole loop waits", s)
                          : fmt::format("time.sleep({})  # a blocking call", s);
    case StepKind::Offload:
      return in_coroutine ? fmt::format("await asyncio.to_thread({}, {})", work_function(step.offload_work), s)
                          : fmt::format("{}({})  # asyncio.to_thread outside asyncio: inline", work_function(step.offload_work), s);
  }
  return "pass";
}

void write_blocks(std::string& out, const scenario::Scenario& sc, const std::vector<StepBlock>& blocks, int indent,
                  bool in_coroutine) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const auto& block : blocks) {
    if (block.step != nullptr) {
      std::string line = step_line(sc, *block.step, in_coroutine);
      for (std::size_t at = line.find('\n'); at != std::string::npos; at = line.find('\n', at + 1 + pad.size())) {
        line.insert(at + 1, pad);
      }
      out += pad + line + "\n";
      continue;
    }
    out += fmt::format("{}for _ in range({}):\n", pad, block.times);
    write_blocks(out, sc, block.body, indent + 4, in_coroutine);
  }
}

// ---- assembling the program -------------------------------------------------------------

bool uses_random_durations(const scenario::Scenario& s) {
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (!step.duration.is_fixed()) return true;
    }
  }
  return false;
}

std::string job_list(const scenario::Scenario& s, const std::vector<std::string>& names, std::string_view suffix) {
  std::vector<std::string> parts;
  std::vector<std::string> singles;  // consecutive templates of one job share a list
  const auto flush_singles = [&] {
    if (!singles.empty()) parts.push_back(fmt::format("[{}]", fmt::join(singles, ", ")));
    singles.clear();
  };
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    if (s.jobs[i].count == 1) {
      singles.push_back(names[i] + std::string(suffix));
      continue;
    }
    flush_singles();
    parts.push_back(fmt::format("[{}{}] * {}", names[i], suffix, s.jobs[i].count));
  }
  flush_singles();
  return fmt::format("{}", fmt::join(parts, " + "));
}

std::string job_functions(const scenario::Scenario& s, const std::vector<std::string>& names, bool coroutines) {
  std::string out;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    const auto& job = s.jobs[i];
    const auto blocks = fold_steps(job.steps, 0, job.steps.size());
    out += "\n\n";
    out += coroutines ? fmt::format("async def {}_async():\n", names[i]) : fmt::format("def {}():\n", names[i]);
    out += fmt::format("    \"\"\"One {} job{}.\"\"\"\n", job.name, coroutines ? ", as an asyncio task" : "");
    std::set<std::string> counters;
    for (const auto& step : job.steps) {
      if (step.kind == StepKind::Increment) counters.insert(shared_name(s.counters[step.target].name));
    }
    if (!counters.empty()) out += fmt::format("    global {}\n", fmt::join(counters, ", "));
    write_blocks(out, s, blocks, 4, coroutines);
  }
  return out;
}

/// The keyword arguments of timed() and of the executor function for one run.
std::string timed_call(const scenario::Scenario& s, const scenario::Run& run) {
  std::vector<std::string> args{python_string(run.name)};
  switch (run.executor) {
    case Executor::Sequential: args.push_back("run_sequential"); break;
    case Executor::Threads: args.push_back("run_threads"); break;
    case Executor::ThreadPool:
      args.push_back("run_thread_pool");
      if (run.workers) {
        args.push_back(fmt::format("max_workers={}", *run.workers));
      } else if (s.python.version < scenario::PythonVersion{3, 8, false}) {
        args.push_back("max_workers=(os.cpu_count() or 1) * 5");  // the default before 3.8 (T2)
      }
      break;
    case Executor::Asyncio:
      args.push_back("run_asyncio");
      if (run.workers) args.push_back(fmt::format("executor_workers={}", *run.workers));
      break;
    case Executor::ProcessPool:
      args.push_back("run_process_pool");
      if (run.workers) args.push_back(fmt::format("processes={}", *run.workers));
      if (run.chunksize) args.push_back(fmt::format("chunksize={}", *run.chunksize));
      if (run.method != scenario::PoolMethod::Map) {
        args.push_back(fmt::format("method=\"{}\"", scenario::to_string(run.method)));
      }
      if (run.start_method) args.push_back(fmt::format("start_method=\"{}\"", scenario::to_string(*run.start_method)));
      break;
    case Executor::Processes:
      args.push_back("run_processes");
      if (run.start_method) args.push_back(fmt::format("start_method=\"{}\"", scenario::to_string(*run.start_method)));
      break;
  }
  if (scenario::effective_gil(s, run) == GilMode::None) args.push_back("needs_gil=False");
  const Time interval = scenario::effective_switch_interval(s, run);
  if (interval != Time{5'000'000}) args.push_back(fmt::format("switch_interval={}", seconds(interval)));
  if (run.cores) args.push_back(fmt::format("cores={}", *run.cores));
  return fmt::format("timed({})", fmt::join(args, ", "));
}

std::string main_function(const scenario::Scenario& s, const std::vector<const scenario::Run*>& runs) {
  std::string out = "\n\ndef main():\n";
  if (uses_random_durations(s)) out += fmt::format("    random.seed({})  # durations are drawn, not the model's draws\n", s.seed);
  for (const scenario::Run* run : runs) {
    if (scenario::effective_gil(s, *run) == GilMode::Old) {
      out += fmt::format("    # {}: the old GIL of Python 3.1 and before; no interpreter since 3.2 has it.\n",
                         run->name);
      out += fmt::format("    skip({}, \"needs the old GIL of Python 3.1, which no current interpreter has\")\n",
                         python_string(run->name));
      continue;
    }
    const bool shared = !s.locks.empty() || !s.counters.empty();
    if (shared && (run->executor == Executor::ProcessPool || run->executor == Executor::Processes)) {
      out += fmt::format("    skip({}, \"locks and counters across processes need multiprocessing.Lock and Value, "
                         "which this program does not write\")\n", python_string(run->name));
      continue;
    }
    std::string call = timed_call(s, *run);
    if (shared) call.replace(0, 6, "timed_shared(");
    out += "    " + call + "\n";
  }
  return out;
}

/// Locks, counters and their helpers, for a scenario that has any: fresh ones before each
/// run, a lock not had within LOCK_TIMEOUT reported as a deadlock, each counter's final value.
std::string shared_section(const scenario::Scenario& s, bool asyncio) {
  if (s.locks.empty() && s.counters.empty()) return "";
  std::map<std::string, std::int64_t> expected;
  for (const auto& c : s.counters) expected[shared_name(c.name)] = c.initial;
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (step.kind == StepKind::Increment) expected[shared_name(s.counters[step.target].name)] += job.count;
    }
  }
  std::vector<std::string> names;
  std::vector<std::string> resets;
  for (const auto& lock : s.locks) {
    names.push_back(shared_name(lock.name));
    resets.push_back(fmt::format("    {} = threading.{}()\n", names.back(), lock.reentrant ? "RLock" : "Lock"));
  }
  std::vector<std::string> expected_items;
  for (const auto& c : s.counters) {
    names.push_back(shared_name(c.name));
    resets.push_back(fmt::format("    {} = {}\n", names.back(), c.initial));
    expected_items.push_back(fmt::format("{}: {}", python_string(names.back()), expected[names.back()]));
  }
  std::string out = "\n\n# ---- what the jobs share -----------------------------------------------------------------\n\n";
  out += "LOCK_TIMEOUT = 10.0  # seconds: a lock not had by then is taken for a deadlock\n";
  out += fmt::format("EXPECTED = {{{}}}  # each counter's value if no update is lost\n", fmt::join(expected_items, ", "));
  out += "DEADLOCKS = []\nASYNC_LOCKS = {}\n\n\n";
  out += "def new_shared():\n    \"\"\"Fresh locks and counters before each run.\"\"\"\n";
  if (!names.empty()) out += fmt::format("    global {}\n", fmt::join(names, ", "));
  for (const auto& r : resets) out += r;
  out += "    DEADLOCKS.clear()\n    ASYNC_LOCKS.clear()\n\n\n";
  out += "def take(lock, name):\n"
         "    \"\"\"lock.acquire(), giving up after LOCK_TIMEOUT: False means a deadlock.\"\"\"\n"
         "    if lock.acquire(timeout=LOCK_TIMEOUT):\n        return True\n"
         "    DEADLOCKS.append(name)\n    return False\n\n\n";
  if (asyncio) {
    out += "async def take_async(name):\n"
           "    \"\"\"An asyncio.Lock per name, created in the running loop; False after LOCK_TIMEOUT.\"\"\"\n"
           "    lock = ASYNC_LOCKS.setdefault(name, asyncio.Lock())\n"
           "    if not lock.locked():\n        await lock.acquire()  # free: no timer needed\n        return True\n"
           "    try:\n        await asyncio.wait_for(lock.acquire(), LOCK_TIMEOUT)\n        return True\n"
           "    except asyncio.TimeoutError:\n        DEADLOCKS.append(name)\n        return False\n\n\n";
  }
  out += "def one():\n"
         "    \"\"\"The f() of `counter += f()`: a Python call, whose RESUME checks for a GIL drop request.\"\"\"\n"
         "    return 1\n\n\n";
  out += "def timed_shared(name, run, **options):\n"
         "    \"\"\"timed() with fresh locks and counters, then what they came to.\"\"\"\n"
         "    new_shared()\n    timed(name, run, **options)\n"
         "    if DEADLOCKS:\n"
         "        print(f\"run {name}: deadlock: gave up waiting for {', '.join(DEADLOCKS)} after {LOCK_TIMEOUT:g} s\", "
         "flush=True)\n"
         "    for counter, expected in EXPECTED.items():\n"
         "        value = globals()[counter]\n"
         "        print(f\"run {name}: {counter} = {value} of {expected} (lost {expected - value})\", flush=True)\n";
  return out;
}

std::string header(const scenario::Scenario& s, std::string_view command) {
  std::string out = "#!/usr/bin/env python3\n\"\"\"";
  for (const char c : s.title) out += c == '"' ? '\'' : c;
  out += fmt::format(
      "\n\nMade by `{}` from the scenario's jobs and runs. Run it with\n"
      "python3 on a quiet machine; it prints each run's wall time as \"run NAME: X.XXX s\".\n"
      "Each step is one call: cpu -> python_work (a calibrated pure-Python loop), native ->\n"
      "native_work (hashlib over a buffer, GIL released), io -> blocking_wait (select() with a\n"
      "timeout) or `await asyncio.sleep` in a task, sleep -> time.sleep / asyncio.sleep,\n"
      "block -> time.sleep inside a coroutine, offload -> asyncio.to_thread.\n\"\"\"\n",
      command);
  return out;
}

}  // namespace

std::string python_program(const scenario::Scenario& s, const std::vector<const scenario::Run*>& chosen,
                           std::string_view command) {
  std::vector<const scenario::Run*> runs = chosen;
  if (runs.empty()) {
    for (const auto& run : s.runs) runs.push_back(&run);
  }
  std::set<Executor> executors;
  for (const scenario::Run* run : runs) {
    if (scenario::effective_gil(s, *run) != GilMode::Old) executors.insert(run->executor);
  }
  const bool asyncio = executors.count(Executor::Asyncio) > 0;
  const bool plain = executors.size() > (asyncio ? 1U : 0U);
  const auto names = job_function_names(s);

  std::string out = header(s, command);
  const auto uses = [&](Executor e) { return executors.count(e) > 0; };
  if (asyncio) out += "import asyncio\n";
  if (asyncio || uses(Executor::ThreadPool)) out += "import concurrent.futures\n";
  out += "import hashlib\n";
  if (uses(Executor::ProcessPool) || uses(Executor::Processes)) out += "import multiprocessing\n";
  out += "import os\n";
  if (uses_random_durations(s)) out += "import random\n";
  out += "import select\nimport sys\n";
  if (uses(Executor::Threads) || !s.locks.empty() || !s.counters.empty()) out += "import threading\n";
  out += "import time\n\n";
  out += "if sys.version_info < (3, 9):\n    sys.exit(\"this program needs Python 3.9 or later (asyncio.to_thread)\")\n";
  out += kCalibration;
  out += shared_section(s, asyncio);
  out += "\n\n# ---- the jobs ----------------------------------------------------------------------------";
  if (plain) out += job_functions(s, names, false);
  if (asyncio) out += job_functions(s, names, true);
  out += "\n\n";
  if (plain) out += fmt::format("JOBS = {}\n", job_list(s, names, ""));
  if (asyncio) out += fmt::format("ASYNC_JOBS = {}\n", job_list(s, names, "_async"));
  out += "\n\n# ---- the executors -----------------------------------------------------------------------\n";
  const std::array<std::pair<Executor, std::string_view>, 6> parts{{{Executor::Sequential, kSequential},
                                                                     {Executor::Threads, kThreads},
                                                                     {Executor::ThreadPool, kThreadPool},
                                                                     {Executor::Asyncio, kAsyncio},
                                                                     {Executor::ProcessPool, kProcessPool},
                                                                     {Executor::Processes, kProcesses}}};
  bool first = true;
  for (const auto& [executor, code] : parts) {
    if (executors.count(executor) == 0) continue;
    if (!first) out += '\n';
    out += code;
    first = false;
  }
  out += "\n";
  out += kTiming;
  out += main_function(s, runs);
  out += "\n\nif __name__ == \"__main__\":\n    main()\n";
  return out;
}

std::map<std::string, double> parse_run_timings(std::string_view output) {
  std::map<std::string, double> timings;
  std::istringstream lines{std::string(output)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("run ", 0) != 0 || line.size() < 8 || line.compare(line.size() - 2, 2, " s") != 0) continue;
    const auto colon = line.rfind(": ");
    if (colon == std::string::npos || colon < 4) continue;
    const std::string number = line.substr(colon + 2, line.size() - 2 - (colon + 2));
    double value = 0.0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (error != std::errc{} || end != number.data() + number.size()) continue;
    timings[line.substr(4, colon - 4)] = value;
  }
  return timings;
}

}  // namespace gilsim::cli
