// Writing a scenario as the Python a class reads: each step the call that does that kind of
// work in CPython, each run the executor code its documentation recommends, one comment per
// idea. Sections: names and literals · steps folded back into loops · jobs · executors · main.
#include "sim/cpython/python_program.hpp"

#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

namespace gilsim::cpython {

using scenario::Executor;
using scenario::GilMode;
using scenario::Step;
using scenario::StepKind;

namespace {

// ---- names and literals -----------------------------------------------------------------

std::string python_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
      continue;
    }
    quoted += c;
  }
  return quoted + "\"";
}

/// A number without trailing zeros: 0.25 -> "0.25", 250 -> "250".
std::string decimal(double value) {
  std::string text = fmt::format("{:.6f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string milliseconds(Time t) { return decimal(static_cast<double>(t.ns()) / 1e6); }
std::string seconds(Time t) { return decimal(static_cast<double>(t.ns()) / 1e9); }

/// A duration as an expression in `unit` (milliseconds or seconds), drawn when random.
std::string duration_expression(const scenario::Duration& d, std::string (*unit)(Time)) {
  using Kind = scenario::Duration::Kind;
  switch (d.kind) {
    case Kind::Fixed: return unit(d.a);
    case Kind::Uniform: return fmt::format("random.uniform({}, {})", unit(d.a), unit(d.b));
    case Kind::Exponential: return fmt::format("random.expovariate(1 / {})", unit(d.a));
    case Kind::Normal: return fmt::format("max(0, random.gauss({}, {}))", unit(d.a), unit(d.b));
  }
  return unit(d.a);
}

/// "4 threads" -> "4_threads", "Pool(2)" -> "pool_2".
std::string identifier(std::string_view text) {
  std::string name;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name;
}

/// One distinct Python identifier per job template: "python work" -> python_work.
std::vector<std::string> job_function_names(const scenario::Scenario& s) {
  static const std::set<std::string> taken{
      // the program's own names, its modules and Python's keywords
      "compute", "hash_data", "timed", "call", "work", "gather_jobs", "in_sequence", "with_threads",
      "with_thread_pool", "with_asyncio", "with_process_pool", "asyncio", "hashlib", "multiprocessing", "random",
      "sys", "sysconfig", "threading", "time", "Pool", "ThreadPoolExecutor", "False", "None", "True", "and", "as",
      "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally",
      "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
      "return", "try", "while", "with", "yield", "print", "range", "len", "list", "max", "min"};
  std::vector<std::string> names;
  std::set<std::string> used;
  for (const auto& job : s.jobs) {
    std::string name = identifier(job.name);
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) name = "job_" + name;
    if (taken.count(name) > 0) name += "_job";
    std::string unique = name;
    for (int n = 2; used.count(unique) > 0; ++n) unique = fmt::format("{}_{}", name, n);
    used.insert(unique);
    used.insert(unique + "_async");
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
         a.duration.a == b.duration.a && a.duration.b == b.duration.b;
}

bool same_sequence(const std::vector<Step>& steps, std::size_t a, std::size_t b, std::size_t length) {
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
      while (i + (times + 1) * length <= end && same_sequence(steps, i, i + times * length, length)) ++times;
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

// ---- jobs -------------------------------------------------------------------------------

/// Writes the program, adding a comment the first time each idea appears.
class Writer {
 public:
  /// A comment goes after the code, or above it when the line would be too long for a slide.
  void line(int indent, const std::string& code, std::string_view idea = {}, std::string_view comment = {}) {
    constexpr std::size_t kSlideWidth = 100;
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    if (!idea.empty() && explained_.insert(std::string(idea)).second) {
      if (pad.size() + code.size() + comment.size() + 4 <= kSlideWidth) {
        text_ += fmt::format("{}{}  # {}\n", pad, code, comment);
        return;
      }
      text_ += fmt::format("{}# {}\n", pad, comment);
    }
    text_ += pad + code + '\n';
  }
  void blank(int count = 1) { text_ += std::string(static_cast<std::size_t>(count), '\n'); }
  std::string& text() { return text_; }

 private:
  std::string text_;
  std::set<std::string> explained_;
};

/// The call a step makes, and whether its value is worth returning.
struct StepCall {
  std::string code;
  std::string idea;
  std::string comment;
  bool has_value = false;
};

std::string work_function(StepKind kind) { return kind == StepKind::Native ? "hash_data" : "compute"; }

StepCall step_call(const Step& step, bool in_coroutine) {
  const std::string ms = duration_expression(step.duration, milliseconds);
  const std::string s = duration_expression(step.duration, seconds);
  switch (step.kind) {
    case StepKind::Cpu: return {fmt::format("compute({})", ms), "", "", true};
    case StepKind::Native: return {fmt::format("hash_data({})", ms), "", "", true};
    case StepKind::Io:
      if (in_coroutine) return {fmt::format("await asyncio.sleep({})", s), "await io", "awaiting: the loop runs other tasks", false};
      return {fmt::format("time.sleep({})", s), "io", "waiting for a reply from the network: the GIL is free meanwhile", false};
    case StepKind::Sleep:
      if (in_coroutine) return {fmt::format("await asyncio.sleep({})", s), "await io", "awaiting: the loop runs other tasks", false};
      return {fmt::format("time.sleep({})", s), "sleep", "sleeping releases the GIL", false};
    case StepKind::Disk:
      if (in_coroutine) {
        return {fmt::format("time.sleep({})", s), "block async",
                "a file read: asyncio cannot await it, so the whole loop waits", false};
      }
      return {fmt::format("time.sleep({})", s), "io", "a plain file read: the GIL is free meanwhile", false};
    case StepKind::Block:
      if (in_coroutine) return {fmt::format("time.sleep({})", s), "block async", "a blocking call in a coroutine: the whole loop waits", false};
      return {fmt::format("time.sleep({})", s), "block", "a blocking call (requests.get, a database driver)", false};
    case StepKind::Offload:
      if (in_coroutine) {
        return {fmt::format("await asyncio.to_thread({}, {})", work_function(step.offload_work), ms), "to_thread",
                "runs in a thread of the loop's default executor", true};
      }
      return {fmt::format("{}({})", work_function(step.offload_work), ms), "", "", true};
  }
  return {"pass", "", "", false};
}

void write_blocks(Writer& w, const std::vector<StepBlock>& blocks, int indent, bool in_coroutine, bool top) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const StepBlock& block = blocks[i];
    if (block.step == nullptr) {
      w.line(indent, fmt::format("for _ in range({}):", block.times));
      write_blocks(w, block.body, indent + 4, in_coroutine, false);
      continue;
    }
    StepCall call = step_call(*block.step, in_coroutine);
    if (top && i + 1 == blocks.size() && call.has_value) call.code = "return " + call.code;
    w.line(indent, call.code, call.idea, call.comment);
  }
}

/// How the jobs are listed and called: a single kind of job is a function of its number,
/// mapped over range(count); several kinds are a list of functions.
struct JobShape {
  bool single = true;
  std::string items;          ///< "range(4)" or "JOBS"
  std::string variable;       ///< "n" or "job"
  std::string map_function;   ///< "crunch" or "call"

  std::string call(const std::string& function) const {
    return single ? fmt::format("{}({})", function, variable) : fmt::format("{}()", variable);
  }
};

void write_jobs(Writer& w, const scenario::Scenario& s, const std::vector<std::string>& names, bool coroutines,
                const JobShape& shape) {
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    w.blank(2);
    const std::string parameter = shape.single ? "n" : "";
    w.line(0, coroutines ? fmt::format("async def {}_async({}):", names[i], parameter)
                         : fmt::format("def {}({}):", names[i], parameter));
    write_blocks(w, fold_steps(s.jobs[i].steps, 0, s.jobs[i].steps.size()), 4, coroutines, true);
  }
}

std::string job_list(const scenario::Scenario& s, const std::vector<std::string>& names, std::string_view suffix) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    const std::string name = names[i] + std::string(suffix);
    parts.push_back(s.jobs[i].count == 1 ? fmt::format("[{}]", name) : fmt::format("[{}] * {}", name, s.jobs[i].count));
  }
  return fmt::format("{}", fmt::join(parts, " + "));
}

// ---- executors --------------------------------------------------------------------------

struct ExecutorUse {
  bool used = false;
  bool workers = false;       ///< some run sets `workers`
  bool chunksize = false;
  bool start_method = false;
};

void write_executor(Writer& w, Executor e, const ExecutorUse& use, const JobShape& shape, const std::string& async_items,
                    const std::string& async_call) {
  w.blank(2);
  switch (e) {
    case Executor::Sequential:
      w.line(0, "def in_sequence():");
      w.line(4, fmt::format("return [{} for {} in {}]", shape.call(shape.map_function),
                            shape.variable, shape.items));
      break;
    case Executor::Threads:
      w.line(0, "def with_threads():");
      w.line(4, "results = []");
      w.line(4, fmt::format("def work({}):", shape.variable));
      w.line(8, fmt::format("results.append({})", shape.call(shape.map_function)), "append", "list.append is thread-safe");
      w.line(4, fmt::format("threads = [threading.Thread(target=work, args=({},)) for {} in {}]", shape.variable,
                            shape.variable, shape.items));
      w.line(4, "for thread in threads:");
      w.line(8, "thread.start()");
      w.line(4, "for thread in threads:");
      w.line(8, "thread.join()", "join", "one GIL: only one thread runs Python at a time");
      w.line(4, "return results");
      break;
    case Executor::ThreadPool:
      w.line(0, use.workers ? "def with_thread_pool(workers=None):" : "def with_thread_pool():");
      w.line(4, use.workers ? "with ThreadPoolExecutor(workers) as pool:" : "with ThreadPoolExecutor() as pool:",
             "pool", "None: min(32, os.cpu_count() + 4) threads");
      w.line(8, fmt::format("return list(pool.map({}, {}))", shape.map_function, shape.items));
      break;
    case Executor::Asyncio:
      w.line(0, use.workers ? "async def gather_jobs(workers):" : "async def gather_jobs():");
      if (use.workers) {
        w.line(4, "if workers:", "executor", "asyncio.to_thread uses the loop's default executor");
        w.line(8, "asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(workers))");
      }
      w.line(4, fmt::format("return await asyncio.gather(*({} for {} in {}))", async_call, shape.variable, async_items),
             "gather", "every job a task on one thread");
      w.blank(2);
      w.line(0, use.workers ? "def with_asyncio(workers=None):" : "def with_asyncio():");
      w.line(4, use.workers ? "return asyncio.run(gather_jobs(workers))" : "return asyncio.run(gather_jobs())");
      break;
    case Executor::ProcessPool: {
      std::vector<std::string> parameters;
      if (use.workers) parameters.push_back("processes=None");
      if (use.chunksize) parameters.push_back("chunksize=None");
      if (use.start_method) parameters.push_back("start_method=None");
      w.line(0, fmt::format("def with_process_pool({}):", fmt::join(parameters, ", ")));
      const std::string processes = use.workers ? "processes" : "";
      w.line(4, use.start_method ? fmt::format("with multiprocessing.get_context(start_method).Pool({}) as pool:", processes)
                                 : fmt::format("with Pool({}) as pool:", processes),
             "processes", "one worker process per core (None), each with its own GIL");
      w.line(8, fmt::format("return pool.map({}, {}{})", shape.map_function, shape.items, use.chunksize ? ", chunksize" : ""),
             use.chunksize ? "chunksize" : "", "chunksize None: Pool.map's own choice");
      break;
    }
  }
}

std::string executor_function(Executor e) {
  switch (e) {
    case Executor::Sequential: return "in_sequence";
    case Executor::Threads: return "with_threads";
    case Executor::ThreadPool: return "with_thread_pool";
    case Executor::Asyncio: return "with_asyncio";
    case Executor::ProcessPool: return "with_process_pool";
  }
  return "in_sequence";
}

ProgramRun program_run(const scenario::Scenario& s, const scenario::Run& run) {
  ProgramRun out{&run, executor_function(run.executor), {}, std::nullopt};
  if (scenario::effective_gil(s, run) == GilMode::Old) {
    out.skipped = "needs the old GIL of Python 3.1, which no interpreter since 3.2 has";
  }
  const auto add = [&](std::string_view name, const std::optional<int>& value) {
    if (value) out.arguments.emplace_back(name, std::to_string(*value));
  };
  if (run.executor == Executor::ThreadPool || run.executor == Executor::Asyncio) add("workers", run.workers);
  if (run.executor == Executor::ProcessPool) {
    add("processes", run.workers);
    add("chunksize", run.chunksize);
    if (run.start_method) out.arguments.emplace_back("start_method", python_string(scenario::to_string(*run.start_method)));
  }
  return out;
}

// ---- main -------------------------------------------------------------------------------

void write_main(Writer& w, const scenario::Scenario& s, const std::vector<ProgramRun>& runs, bool random) {
  w.blank(2);
  w.line(0, "def timed(name, run, **options):");
  w.line(4, "start = time.perf_counter()");
  w.line(4, "results = run(**options)");
  w.line(4, "print(f\"{name}: {len(results)} jobs in {time.perf_counter() - start:.2f} s\")");
  w.blank(2);
  w.line(0, "if __name__ == \"__main__\":");
  if (random) w.line(4, fmt::format("random.seed({})", s.seed), "seed", "the same durations every time");
  Time interval = s.python.switch_interval;
  for (const ProgramRun& r : runs) {
    std::vector<std::string> args{python_string(r.run->name), r.function};
    for (const auto& [name, value] : r.arguments) args.push_back(fmt::format("{}={}", name, value));
    const std::string call = fmt::format("timed({})", fmt::join(args, ", "));
    if (r.skipped) {
      w.line(4, fmt::format("# {}: {}", python_string(r.run->name), *r.skipped));
      continue;
    }
    const Time wanted = scenario::effective_switch_interval(s, *r.run);
    if (wanted != interval) {
      w.line(4, fmt::format("sys.setswitchinterval({})", seconds(wanted)), "interval",
             "how long a thread waits before asking for the GIL");
      interval = wanted;
    }
    if (r.run->cores) w.line(4, fmt::format("# {} ran on {} core(s): taskset -c 0-{}", python_string(r.run->name),
                                            *r.run->cores, *r.run->cores - 1));
    if (scenario::effective_gil(s, *r.run) == GilMode::None) {
      w.line(4, "if sysconfig.get_config_var(\"Py_GIL_DISABLED\"):", "nogil", "a free-threaded build, such as python3.13t");
      w.line(8, call);
      continue;
    }
    w.line(4, call);
  }
}

bool uses_random_durations(const scenario::Scenario& s) {
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (!step.duration.is_fixed()) return true;
    }
  }
  return false;
}

bool uses_step(const scenario::Scenario& s, StepKind kind) {
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (step.kind == kind || (step.kind == StepKind::Offload && step.offload_work == kind)) return true;
    }
  }
  return false;
}

std::string docstring(const scenario::Scenario& s) {
  std::string body = s.title;
  if (!s.note.empty()) body += "\n\n" + s.note;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  std::string out = "\"\"\"";
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\') out += '\\';
    if (body.compare(i, 3, "\"\"\"") == 0) {
      out += "'''";
      i += 2;
      continue;
    }
    out += body[i];
  }
  return out + "\n\"\"\"";
}

}  // namespace

PythonProgram python_program(const scenario::Scenario& s, const std::vector<const scenario::Run*>& chosen) {
  std::vector<const scenario::Run*> runs = chosen;
  if (runs.empty()) {
    for (const auto& run : s.runs) runs.push_back(&run);
  }
  std::map<Executor, ExecutorUse> use;
  for (const scenario::Run* run : runs) {
    if (scenario::effective_gil(s, *run) == GilMode::Old) continue;
    ExecutorUse& u = use[run->executor];
    u.used = true;
    u.workers = u.workers || run->workers.has_value();
    u.chunksize = u.chunksize || run->chunksize.has_value();
    u.start_method = u.start_method || run->start_method.has_value();
  }
  const auto uses = [&](Executor e) { return use.count(e) > 0; };
  const bool coroutines = uses(Executor::Asyncio);
  const bool functions = use.size() > (coroutines ? 1U : 0U);
  const bool random = uses_random_durations(s);
  const auto names = job_function_names(s);

  JobShape shape;
  shape.single = s.jobs.size() == 1;
  shape.items = shape.single ? fmt::format("range({})", s.jobs[0].count) : "JOBS";
  shape.variable = shape.single ? "n" : "job";
  shape.map_function = shape.single ? names[0] : "call";
  const std::string async_items = shape.single ? shape.items : "ASYNC_JOBS";
  const std::string async_call = shape.single ? fmt::format("{}_async(n)", names[0]) : "job()";

  Writer w;
  w.line(0, docstring(s));
  const bool gil_free = [&] {
    for (const scenario::Run* run : runs) {
      if (scenario::effective_gil(s, *run) == GilMode::None) return true;
    }
    return false;
  }();
  bool interval_changes = false;
  for (const scenario::Run* run : runs) {
    interval_changes = interval_changes || scenario::effective_switch_interval(s, *run) != s.python.switch_interval;
  }
  if (coroutines) w.line(0, "import asyncio");
  if (uses_step(s, StepKind::Native)) w.line(0, "import hashlib");
  if (uses(Executor::ProcessPool) && use[Executor::ProcessPool].start_method) w.line(0, "import multiprocessing");
  if (random) w.line(0, "import random");
  if (interval_changes) w.line(0, "import sys");
  if (gil_free) w.line(0, "import sysconfig");
  if (uses(Executor::Threads)) w.line(0, "import threading");
  w.line(0, "import time");
  if (uses(Executor::ThreadPool) || (coroutines && use[Executor::Asyncio].workers)) {
    w.line(0, "from concurrent.futures import ThreadPoolExecutor");
  }
  if (uses(Executor::ProcessPool) && !use[Executor::ProcessPool].start_method) w.line(0, "from multiprocessing import Pool");

  const bool cpu = uses_step(s, StepKind::Cpu);
  const bool native = uses_step(s, StepKind::Native);
  if (cpu || native) w.blank();
  if (cpu) w.line(0, "LOOPS_PER_MS = 20_000", "loops", "about a millisecond of pure Python on a laptop");
  if (native) w.line(0, "BYTES_PER_MS = 1_000_000", "bytes", "about a millisecond of sha256");
  if (cpu) {
    w.blank(2);
    w.line(0, "def compute(ms):");
    w.line(4, "\"\"\"Pure Python: the thread holds the GIL while it loops.\"\"\"");
    w.line(4, "count = 0");
    w.line(4, "for _ in range(int(ms * LOOPS_PER_MS)):");
    w.line(8, "count += 1");
    w.line(4, "return count");
  }
  if (native) {
    w.blank(2);
    w.line(0, "def hash_data(ms):");
    w.line(4, "\"\"\"C code: hashlib releases the GIL while it hashes a large buffer.\"\"\"");
    w.line(4, "return hashlib.sha256(bytes(int(ms * BYTES_PER_MS))).hexdigest()");
  }

  if (functions) write_jobs(w, s, names, false, shape);
  if (coroutines) write_jobs(w, s, names, true, shape);
  if (!shape.single) {
    w.blank(2);
    if (functions) w.line(0, fmt::format("JOBS = {}", job_list(s, names, "")));
    if (coroutines) w.line(0, fmt::format("ASYNC_JOBS = {}", job_list(s, names, "_async")));
    if (uses(Executor::ProcessPool) || uses(Executor::ThreadPool)) {
      w.blank(2);
      w.line(0, "def call(job):");
      w.line(4, "return job()", "by name", "pickle sends a function by its name");
    }
  }
  for (const auto& [executor, u] : use) write_executor(w, executor, u, shape, async_items, async_call);

  PythonProgram program;
  for (const scenario::Run* run : runs) program.runs.push_back(program_run(s, *run));
  write_main(w, s, program.runs, random);
  program.text = std::move(w.text());
  for (const auto& name : names) {
    program.job_functions.push_back(functions ? name : std::string());
    program.async_job_functions.push_back(coroutines ? name + "_async" : std::string());
  }
  program.job_list = shape.single ? "" : "JOBS";
  return program;
}

}  // namespace gilsim::cpython
