// Writing a scenario as the Python a class reads: each step the call that does that kind of
// work in CPython, each run the executor code its documentation recommends, one comment per
// idea. Sections: names and literals · steps folded back into loops · jobs · executors · main.
#include "sim/cpython/python_program.hpp"

#include <algorithm>
#include <filesystem>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/cpython/machine_probes.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/time.hpp"

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

/// Names the program may not give a job, whatever this program's code: the names the
/// recorder looks up on its module whether or not this program defines them (`hasattr(PROGRAM,
/// "hash_data")` would wrap a job of that name), the names other programs define, the modules,
/// and Python's keywords and builtins (3.8 to 3.13: a job `def hash(n):` hid lesson 6's builtin
/// from any code after it). The names this program's own code uses are found in it
/// (code_identifiers).
bool taken_by_program(const std::string& name) {
  static const std::set<std::string> taken{
      "compute", "hash_data", "took", "DATA", "LOOPS_PER_MS", "BYTES_PER_MS", "LESSON_PACE", "timed", "call", "work",
      "one", "gather_jobs", "in_sequence", "with_threads",
      "with_thread_pool", "with_asyncio", "with_process_pool", "with_pool_imap", "with_pool_imap_unordered",
      "with_pool_apply_async", "with_processes", "DEADLOCK_AFTER", "STUCK", "ALL_HOLD", "stuck", "load", "asyncio",
      "hashlib", "multiprocessing", "random",
      "sys", "sysconfig", "threading", "time", "os", "select", "socket", "ask", "peer", "peer_process",
      "start_peer", "start_peers", "PEERS", "pool_size", "expect", "about", "Pool", "Process", "Pipe", "pickle", "start_process", "process_start", "send_back", "ThreadPoolExecutor", "TimeoutError", "JOBS", "ASYNC_JOBS",
      // Python's keywords, soft keywords and builtins.
      "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
      "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
      "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "type",
      "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes", "callable",
      "chr", "classmethod", "compile", "complex", "copyright", "credits", "delattr", "dict", "dir", "divmod",
      "enumerate", "eval", "exec", "exit", "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr",
      "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter", "len", "license", "list",
      "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open", "ord", "pow", "print", "property",
      "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum",
      "super", "tuple", "vars", "zip", "Ellipsis", "NotImplemented", "ArithmeticError", "AssertionError",
      "AttributeError", "BaseException", "BaseExceptionGroup", "BlockingIOError", "BrokenPipeError", "BufferError",
      "BytesWarning", "ChildProcessError", "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
      "ConnectionResetError", "DeprecationWarning", "EncodingWarning", "EnvironmentError", "EOFError", "Exception",
      "ExceptionGroup", "FileExistsError", "FileNotFoundError", "FloatingPointError", "FutureWarning",
      "GeneratorExit", "ImportError", "ImportWarning", "IndentationError", "IndexError", "InterruptedError",
      "IOError", "IsADirectoryError", "KeyboardInterrupt", "KeyError", "LookupError", "MemoryError",
      "ModuleNotFoundError", "NameError", "NotADirectoryError", "NotImplementedError", "OSError", "OverflowError",
      "PendingDeprecationWarning", "PermissionError", "ProcessLookupError", "PythonFinalizationError",
      "RecursionError", "ReferenceError", "ResourceWarning", "RuntimeError", "RuntimeWarning", "StopAsyncIteration",
      "StopIteration", "SyntaxError", "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TypeError",
      "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
      "UnicodeWarning", "UserWarning", "ValueError", "Warning", "ZeroDivisionError"};
  return taken.count(name) > 0;
}

bool identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool identifier_part(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

void add_code_identifiers(std::string_view text, std::set<std::string>& out);

/// Past the string literal that starts at `at` (its opening quote); an f-string's expressions
/// in braces are code, and their names go to `out`.
std::size_t past_string(std::string_view text, std::size_t at, bool formatted, std::set<std::string>& out) {
  const char quote = text[at];
  const bool triple = text.substr(at, 3) == std::string(3, quote);
  const std::string_view close = triple ? text.substr(at, 3) : text.substr(at, 1);
  std::size_t i = at + close.size();
  while (i < text.size() && text.substr(i, close.size()) != close) {
    if (text[i] == '\\') {
      i += 2;
      continue;
    }
    if (formatted && text[i] == '{') {
      if (i + 1 < text.size() && text[i + 1] == '{') {
        i += 2;  // a brace itself
        continue;
      }
      // The expression ends at its brace, past any string inside it (`", ".join(...)`).
      std::size_t end = i + 1;
      for (int depth = 1; end < text.size() && depth > 0; ++end) {
        if (text[end] == '{') ++depth;
        if (text[end] == '}') --depth;
        if ((text[end] == '"' || text[end] == '\'') && text[end] != quote) {
          end = text.find(text[end], end + 1);
          if (end == std::string_view::npos) end = text.size() - 1;
        }
      }
      add_code_identifiers(text.substr(i + 1, end - i - 2), out);
      i = end;
      continue;
    }
    ++i;
  }
  return std::min(text.size(), i + close.size());
}

/// The names `text`'s Python code uses (not those in its comments or strings, nor an
/// attribute after a dot), into `out`.
void add_code_identifiers(std::string_view text, std::set<std::string>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#') {
      i = std::min(text.size(), text.find('\n', i));
    } else if (c == '"' || c == '\'') {
      i = past_string(text, i, false, out);
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      while (i < text.size() && (identifier_part(text[i]) || text[i] == '.')) ++i;  // 1_000, 0.5, 1e9
    } else if (identifier_start(c)) {
      const std::size_t begin = i;
      while (i < text.size() && identifier_part(text[i])) ++i;
      const std::string_view word = text.substr(begin, i - begin);
      const bool prefix = word.size() <= 2 && word.find_first_not_of("rRbBfFuU") == std::string_view::npos;
      if (prefix && i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        i = past_string(text, i, word.find_first_of("fF") != std::string_view::npos, out);
        continue;
      }
      std::size_t before = begin;  // `pool.map`: an attribute binds no name of the program's
      while (before > 0 && text[before - 1] == ' ') --before;
      if (before == 0 || text[before - 1] != '.') out.insert(std::string(word));
    } else {
      ++i;
    }
  }
}

/// Every name a program's code binds, calls or reads (code_identifiers): a job's function must
/// take none of them. Lesson 6's job `hash` hid the builtin its executor then called, a job
/// `pool` the program's own names; so does any name the code uses, whichever it is.
std::set<std::string> code_identifiers(std::string_view program) {
  std::set<std::string> out;
  add_code_identifiers(program, out);
  return out;
}

/// A lock's or counter's module global (the loader keeps the names identifiers); one the
/// program already uses gets a suffix.
std::string shared_name(const std::string& name) {
  const bool async_taken = name.size() > 6 && name.compare(name.size() - 6, 6, "_async") == 0 &&
                           taken_by_program(name.substr(0, name.size() - 6));
  return taken_by_program(name) || async_taken ? name + "_shared" : name;
}

std::string lock_name(const scenario::Scenario& s, const Step& step, bool in_coroutine) {
  return shared_name(s.locks[step.target].name) + (in_coroutine ? "_async" : "");
}

/// One distinct Python identifier per job template: "python work" -> python_work; one the
/// program takes (taken_by_program) or its code uses (`in_code`, code_identifiers) gets "_job".
std::vector<std::string> job_function_names(const scenario::Scenario& s, const std::set<std::string>& in_code) {
  std::set<std::string> shared;
  for (const auto& lock : s.locks) {
    shared.insert(shared_name(lock.name));
    shared.insert(shared_name(lock.name) + "_async");
  }
  for (const auto& counter : s.counters) shared.insert(shared_name(counter.name));
  std::vector<std::string> names;
  std::set<std::string> used;
  for (const auto& job : s.jobs) {
    std::string name = identifier(job.name);
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) name = "job_" + name;
    const auto taken = [&](const std::string& n) {
      return taken_by_program(n) || shared.count(n) > 0 || shared.count(n + "_async") > 0 || in_code.count(n) > 0 ||
             in_code.count(n + "_async") > 0;
    };
    while (taken(name)) name += "_job";
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
         a.duration.a == b.duration.a && a.duration.b == b.duration.b && a.target == b.target &&
         a.has_call == b.has_call && a.answer == b.answer;
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

/// A lock taken and released at one level of a job reads as `with lock:` around the steps
/// between: blocks [begin, end) with each such pair turned into a block of its own.
std::vector<StepBlock> with_blocks(std::vector<StepBlock> blocks) {
  std::vector<StepBlock> out;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    StepBlock& block = blocks[i];
    if (block.step == nullptr) {
      block.body = with_blocks(std::move(block.body));
      out.push_back(std::move(block));
      continue;
    }
    std::size_t release = blocks.size();
    if (block.step->kind == StepKind::Acquire) {
      for (std::size_t j = i + 1; j < blocks.size() && release == blocks.size(); ++j) {
        const Step* other = blocks[j].step;
        if (other == nullptr || other->target != block.step->target) continue;
        if (other->kind == StepKind::Release) release = j;
        if (other->kind == StepKind::Acquire) break;  // taken again before: no with-block
      }
    }
    if (release == blocks.size()) {
      out.push_back(std::move(block));
      continue;
    }
    StepBlock with{block.step, 0, {}};  // times 0: `with lock:` around the body
    with.body = with_blocks(std::vector<StepBlock>(std::make_move_iterator(blocks.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                                                   std::make_move_iterator(blocks.begin() + static_cast<std::ptrdiff_t>(release))));
    out.push_back(std::move(with));
    i = release;
  }
  return out;
}

/// Whether some job may wait for a lock forever: it takes a Lock it holds or ends holding
/// one (so even one job at a time may deadlock), or, when `one_at_a_time` is false, takes one
/// while it holds another (two jobs running together may take them in opposite order).
bool can_deadlock(const scenario::Scenario& s, bool one_at_a_time = false) {
  for (const auto& job : s.jobs) {
    std::multiset<std::uint32_t> held;
    for (const auto& step : job.steps) {
      if (step.kind == StepKind::Acquire) {
        const bool again = held.count(step.target) > 0;
        if (again && !s.locks[step.target].reentrant) return true;
        if (held.size() > held.count(step.target) && !one_at_a_time) return true;
        held.insert(step.target);
      } else if (step.kind == StepKind::Release && held.count(step.target) > 0) {
        held.erase(held.find(step.target));
      }
    }
    if (!held.empty()) return true;
  }
  return false;
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

/// Whether an offloaded step's work is a wait (a file read, a reply, a sleep): its thread
/// waits in time.sleep with the GIL free, as the model's executor thread does.
bool offloads_a_wait(const Step& step) {
  return step.offload_work != StepKind::Cpu && step.offload_work != StepKind::Native;
}

/// A result this big (bytes) is part of the lesson: the job returns one of that size.
constexpr std::int64_t kBigResult = 1'000'000;

/// The largest result a job returns as bytes of its own (0: none).
std::int64_t big_result_bytes(const scenario::Scenario& s) {
  std::int64_t most = 0;
  for (const auto& job : s.jobs) {
    if (job.result_bytes >= kBigResult) most = std::max(most, job.result_bytes);
  }
  return most;
}

/// 20000000 -> "20_000_000".
std::string python_int(std::int64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '_';
    out += digits[i];
  }
  return out;
}

/// How the jobs share locks and counters.
struct Shared {
  const scenario::Scenario* scenario = nullptr;
  bool deadlock = false;  ///< acquire with a timeout (can_deadlock)
  // While one job is written (deadlock only):
  std::string job_label;                                    ///< "a_to_b", or "job {n}" (an f-string)
  const std::map<const Step*, std::vector<std::string>>* held = nullptr;  ///< the locks held before each acquire
  const Step* meet_before = nullptr;                        ///< the acquire ALL_HOLD.wait() goes before
  std::vector<const Step*> meet;  ///< per job, its meeting point (meeting_points), when the threads run meets
  bool lock_globals = false;      ///< the program has a module global per lock (timed() renews them)
  bool stuck_from_run = false;    ///< a run other than threads may deadlock: its TimeoutError reaches timed()
};

/// The locks a job holds before each of its acquires, by the step (a loop's body: its first time round).
std::map<const Step*, std::vector<std::string>> held_before_acquires(const scenario::Scenario& s, const scenario::JobTemplate& job) {
  std::map<const Step*, std::vector<std::string>> out;
  std::vector<std::uint32_t> held;
  for (const auto& step : job.steps) {
    if (step.kind == StepKind::Acquire) {
      std::vector<std::string>& names = out[&step];
      for (const auto lock : held) names.push_back(shared_name(s.locks[lock].name));
      held.push_back(step.target);
    } else if (step.kind == StepKind::Release) {
      const auto found = std::find(held.begin(), held.end(), step.target);
      if (found != held.end()) held.erase(found);
    }
  }
  return out;
}

/// Where each job waits for the others before it asks for a lock while holding one: its first
/// such acquire, when the threads run can hold all their first locks at once (each job that
/// reaches one runs once, they hold no lock in common, and none of them is in a loop); then
/// every run of the threads deadlocks as the model's does, not only when both threads start
/// together. Empty when there is no such meeting.
std::vector<const Step*> meeting_points(const scenario::Scenario& s) {
  std::vector<const Step*> points(s.jobs.size(), nullptr);
  std::set<std::uint32_t> taken;
  int parties = 0;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    const auto& job = s.jobs[i];
    std::vector<std::uint32_t> held;
    for (const auto& step : job.steps) {
      if (step.kind == StepKind::Acquire && !held.empty()) {
        points[i] = &step;
        break;
      }
      if (step.kind == StepKind::Acquire) held.push_back(step.target);
      if (step.kind == StepKind::Release) held.erase(std::remove(held.begin(), held.end(), step.target), held.end());
    }
    if (points[i] == nullptr) continue;
    if (job.count != 1) return {};
    for (const auto lock : held) {
      if (!taken.insert(lock).second) return {};
    }
    const std::vector<StepBlock> blocks = fold_steps(job.steps, 0, job.steps.size());
    if (std::none_of(blocks.begin(), blocks.end(), [&](const StepBlock& b) { return b.step == points[i]; })) return {};
    ++parties;
  }
  if (parties < 2) return {};
  return points;
}

int meeting_parties(const std::vector<const Step*>& points) {
  return static_cast<int>(std::count_if(points.begin(), points.end(), [](const Step* p) { return p != nullptr; }));
}

StepCall step_call(const Shared& shared, const Step& step, bool in_coroutine) {
  const std::string ms = duration_expression(step.duration, milliseconds);
  const std::string s = duration_expression(step.duration, seconds);
  switch (step.kind) {
    case StepKind::Acquire: {
      const std::string lock = lock_name(*shared.scenario, step, in_coroutine);
      if (!shared.deadlock) return {(in_coroutine ? "await " : "") + lock + ".acquire()", "", "", false};
      if (in_coroutine) {
        return {fmt::format("await asyncio.wait_for({}.acquire(), DEADLOCK_AFTER)", lock), "deadlock async",
                "raises TimeoutError if the lock never comes", false};
      }
      // What the job had and wanted when it gave up: timed() prints it.
      std::string stuck = shared.job_label;
      if (shared.held != nullptr) {
        const auto held = shared.held->find(&step);
        if (held != shared.held->end() && !held->second.empty()) {
          stuck += fmt::format(" holds {} and", fmt::join(held->second, " and "));
        }
      }
      stuck += " waits for " + shared_name(shared.scenario->locks[step.target].name);
      const bool formatted = stuck.find('{') != std::string::npos;
      return {fmt::format("if not {}.acquire(timeout=DEADLOCK_AFTER):\n    raise TimeoutError({}{})", lock,
                          formatted ? "f" : "", python_string(stuck)),
              "deadlock", "False when the lock did not come in time", false};
    }
    case StepKind::Release: return {fmt::format("{}.release()", lock_name(*shared.scenario, step, in_coroutine)), "", "", false};
    case StepKind::Increment: {
      const std::string counter = shared_name(shared.scenario->counters[step.target].name);
      if (!step.has_call) return {fmt::format("{} += 1", counter), "", "", false};
      return {fmt::format("{} += one()", counter), "one", "load, call, add, store: a switch may come between", false};
    }
    case StepKind::Cpu: return {fmt::format("compute({})", ms), "", "", true};
    case StepKind::Native: return {fmt::format("hash_data({})", ms), "", "", true};
    case StepKind::Io:
      if (in_coroutine) return {fmt::format("await asyncio.sleep({})", s), "await io", "awaiting: the loop runs other tasks", false};
      if (step.answer > Time::zero()) {
        return {fmt::format("ask(peer, {}, {})", milliseconds(step.answer), s), "ask",
                "its peer works, then replies: the GIL is free meanwhile", false};
      }
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
      if (offloads_a_wait(step)) {
        if (in_coroutine) {
          return {fmt::format("await asyncio.to_thread(time.sleep, {})", s), "to_thread wait",
                  "the wait runs in a thread of the loop's default executor: the loop goes on", false};
        }
        return {fmt::format("time.sleep({})", s), "io", "waiting (a file read, a reply): the GIL is free meanwhile", false};
      }
      if (in_coroutine) {
        return {fmt::format("await asyncio.to_thread({}, {})", work_function(step.offload_work), ms), "to_thread",
                "runs in a thread of the loop's default executor", true};
      }
      return {fmt::format("{}({})", work_function(step.offload_work), ms), "", "", true};
  }
  return {"pass", "", "", false};
}

void write_blocks(Writer& w, const Shared& shared, const std::vector<StepBlock>& blocks, int indent, bool in_coroutine,
                  bool top) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const StepBlock& block = blocks[i];
    if (block.step == nullptr) {
      w.line(indent, fmt::format("for _ in range({}):", block.times));
      write_blocks(w, shared, block.body, indent + 4, in_coroutine, false);
      continue;
    }
    if (block.times == 0) {
      const std::string lock = lock_name(*shared.scenario, *block.step, in_coroutine);
      if (in_coroutine) {
        // Not "the loop runs other tasks": the await under it says so (lesson 14's clerk_async
        // said it on two lines in a row).
        w.line(indent, fmt::format("async with {}:", lock), "async with", "one holder at a time; a task that finds it held awaits it");
      } else {
        w.line(indent, fmt::format("with {}:", lock), "with", "one holder at a time; a waiter does not hold the GIL");
      }
      write_blocks(w, shared, block.body, indent + 4, in_coroutine, false);
      continue;
    }
    if (block.step == shared.meet_before && !in_coroutine) {
      w.line(indent, "if ALL_HOLD:", "meet", "with threads: each job waits here, holding its first lock, for the others");
      w.line(indent + 4, "ALL_HOLD.wait()", "meet wait", "then all ask for their next lock at once: the deadlock, every run");
    }
    StepCall call = step_call(shared, *block.step, in_coroutine);
    if (top && i + 1 == blocks.size() && call.has_value) call.code = "return " + call.code;
    const auto newline = call.code.find('\n');
    if (newline == std::string::npos) {
      w.line(indent, call.code, call.idea, call.comment);
      continue;
    }
    w.line(indent, call.code.substr(0, newline), call.idea, call.comment);
    w.line(indent, call.code.substr(newline + 1));
  }
}

/// How the jobs are listed and called: a single kind of job is a function of its number,
/// mapped over range(count); several kinds are a list of functions.
/// With jobs of several kinds, the runs in this process note when each kind last finished,
/// and timed() prints it: lesson 7's reader done long before the hog, or long after.
constexpr std::string_view kNoteFinish = "FINISHED[job.__name__] = time.perf_counter()";
constexpr std::string_view kFinishedComment = "when this kind of job last finished";

/// Whether a run of executor `e` notes its jobs' finishes: jobs of several kinds, run in this
/// process one after another, on threads or as tasks (lesson 4's handlers done one after another). A lesson on locks or shared data is read by its
/// counters and its deadlock instead, and its program stays as short.
bool notes_job_finishes(const scenario::Scenario& s, Executor e) {
  return s.jobs.size() > 1 && s.locks.empty() && s.counters.empty() &&
         (e == Executor::Sequential || e == Executor::Threads || e == Executor::Asyncio);
}

struct JobShape {
  bool single = true;
  std::string items;          ///< "range(4)" or "JOBS"
  std::string variable;       ///< "n" or "job"
  std::string map_function;   ///< "crunch" or "call"

  std::string call(const std::string& function) const {
    return single ? fmt::format("{}({})", function, variable) : fmt::format("{}()", variable);
  }
};

/// A job that waits for nothing: its coroutine is the plain function, called from a task.
/// (A blocking call stays in the coroutine, where lesson 4 shows it.)
bool nothing_to_await(const scenario::JobTemplate& job) {
  return std::none_of(job.steps.begin(), job.steps.end(), [](const Step& step) {
    return step.kind == StepKind::Io || step.kind == StepKind::Sleep || step.kind == StepKind::Block ||
           step.kind == StepKind::Offload;
  });
}

/// What the jobs spend their time on, all of them together at their steps' mean durations:
/// Python (the GIL's), C code that drops the GIL, and waits.
struct WorkShares {
  double python = 0;
  double native = 0;
  double waits = 0;
  bool mostly_native() const { return native > python && native >= waits; }
  bool mostly_waits() const { return waits > python && waits > native; }
};

WorkShares work_shares(const scenario::Scenario& s) {
  WorkShares shares;
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      const double ms = static_cast<double>(job.count) * static_cast<double>(step.duration.mean().ns()) / 1e6;
      const StepKind kind = step.kind == StepKind::Offload ? step.offload_work : step.kind;
      if (kind == StepKind::Cpu || kind == StepKind::Increment) {
        shares.python += ms;
      } else if (kind == StepKind::Native) {
        shares.native += ms;
      } else if (kind != StepKind::Acquire && kind != StepKind::Release) {
        shares.waits += ms;
      }
    }
  }
  return shares;
}

/// What thread.join() waits for, true of every threads run the program makes: whether they
/// have a GIL, and what their jobs mostly do (lesson 6's hashing, lesson 2's downloads).
std::string threads_comment(const scenario::Scenario& s, bool with_gil, bool without_gil) {
  const WorkShares shares = work_shares(s);
  if (!with_gil) return "no GIL: the threads run Python at once, as many as there are cores";
  if (shares.mostly_native()) {
    return without_gil ? "the threads hash at once; with a GIL their Python takes turns"
                       : "hashlib drops the GIL: the threads hash at once, their Python takes turns";
  }
  if (shares.mostly_waits()) {
    // Not "the GIL is free" while they wait: lesson 05's calculation holds it through the
    // UI thread's sleeps.
    return without_gil ? "a thread that waits holds no GIL; with a GIL the Python takes turns"
                       : "a thread that waits holds no GIL; the Python takes turns";
  }
  return without_gil ? "with a GIL one thread runs Python at a time; without one, all at once"
                     : "one GIL: only one thread runs Python at a time";
}

bool has_peer(const scenario::JobTemplate& job) {
  return std::any_of(job.steps.begin(), job.steps.end(), [](const Step& step) { return step.answer > Time::zero(); });
}

bool has_peers(const scenario::Scenario& s) { return std::any_of(s.jobs.begin(), s.jobs.end(), has_peer); }

/// CPUs as a Python set: {0, 1}.
std::string cpu_set(const std::vector<int>& cpus) { return fmt::format("{{{}}}", fmt::join(cpus, ", ")); }

/// The plain functions (`functions`: some run calls them; else only those a coroutine calls),
/// or the coroutines.
void write_jobs(Writer& w, const Shared& shared, const std::vector<std::string>& names, bool coroutines,
                const JobShape& shape, bool functions) {
  const scenario::Scenario& s = *shared.scenario;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    if (!coroutines && !functions && !nothing_to_await(s.jobs[i])) continue;
    w.blank(2);
    const std::string parameter = shape.single ? "n" : "";
    w.line(0, coroutines ? fmt::format("async def {}_async({}):", names[i], parameter)
                         : fmt::format("def {}({}):", names[i], parameter));
    if (coroutines && nothing_to_await(s.jobs[i])) {
      w.line(4, fmt::format("return {}({})", names[i], parameter), "nothing to await",
             "nothing to await: no other task runs until it returns");
      continue;
    }
    const bool peer = !coroutines && has_peer(s.jobs[i]);
    if (!coroutines && !s.jobs[i].cpus.empty()) {
      w.line(4, fmt::format("os.sched_setaffinity(threading.get_native_id(), {})", cpu_set(s.jobs[i].cpus)), "pin",
             "first: only this thread, on these CPUs");
    }
    if (peer) w.line(4, fmt::format("peer = PEERS[{}].pop()", python_string(names[i])), "peer", "this job's own peer process");
    std::set<std::string> counters;
    for (const auto& step : s.jobs[i].steps) {
      if (step.kind == StepKind::Increment) counters.insert(shared_name(s.counters[step.target].name));
    }
    if (!counters.empty()) {
      w.line(4, fmt::format("global {}", fmt::join(counters, ", ")), "global", "the module's counter, not a local");
    }
    std::vector<StepBlock> blocks = fold_steps(s.jobs[i].steps, 0, s.jobs[i].steps.size());
    if (!shared.deadlock) blocks = with_blocks(std::move(blocks));
    const bool big_result = s.jobs[i].result_bytes >= kBigResult;
    Shared job = shared;
    const auto held = held_before_acquires(s, s.jobs[i]);
    if (shared.deadlock) {
      job.job_label = shape.single ? "job {n}" : names[i];
      job.held = &held;
      job.meet_before = shared.meet.empty() ? nullptr : shared.meet[i];
    }
    write_blocks(w, job, blocks, 4, coroutines, !big_result && !peer);
    if (peer) w.line(4, "peer.shutdown(socket.SHUT_WR)", "shutdown", "its recv() gets b\"\": the peer exits");
    if (big_result) {
      w.line(4, fmt::format("return bytes({})", python_int(s.jobs[i].result_bytes)), "big result",
             "a big result: a Pool pickles it back to the parent");
    }
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

/// The peer processes of docs/model.md S9: a forked process at the other end of each
/// answering job's socket, and the request that makes it work before it replies.
void write_peers(Writer& w, const scenario::Scenario& s, const std::vector<std::string>& names) {
  std::vector<std::string> kinds;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) {
    if (!has_peer(s.jobs[i])) continue;
    kinds.push_back(fmt::format("({}, {}, {})", python_string(names[i]), s.jobs[i].count,
                                s.jobs[i].peer_cpus.empty() ? "None" : cpu_set(s.jobs[i].peer_cpus)));
  }
  w.blank(2);
  w.line(0, "PEERS = {}", "peers", "per kind of job, a socket to each job's peer process");
  w.blank(2);
  w.line(0, "def peer_process(sock, cpus):");
  w.line(4, "\"\"\"The other end of a job's socket, e.g. an echo server: one thread, its own GIL.\"\"\"");
  w.line(4, "if cpus:");
  w.line(8, "os.sched_setaffinity(0, cpus)");
  w.line(4, "while request := sock.recv(64):", "request", "how long to work before replying; b\"\" at the end");
  w.line(8, "compute(float(request))");
  w.line(8, "sock.sendall(str(time.perf_counter()).encode())", "replied", "the reply says when it was sent");
  w.blank(2);
  w.line(0, "def start_peer(cpus):");
  w.line(4, "mine, theirs = socket.socketpair()");
  w.line(4, "pid = os.fork()");
  w.line(4, "if pid == 0:", "fork", "the child: the peer, with an interpreter of its own");
  w.line(8, "mine.close()");
  w.line(8, "peer_process(theirs, cpus)");
  w.line(8, "os._exit(0)");
  w.line(4, "theirs.close()");
  w.line(4, "return mine, pid");
  w.blank(2);
  w.line(0, "def start_peers():");
  w.line(4, "pids = []");
  w.line(4, fmt::format("for name, count, cpus in [{}]:", fmt::join(kinds, ", ")));
  w.line(8, "PEERS[name] = []");
  w.line(8, "for _ in range(count):");
  w.line(12, "sock, pid = start_peer(cpus)");
  w.line(12, "PEERS[name].append(sock)");
  w.line(12, "pids.append(pid)");
  w.line(4, "return pids");
  w.blank(2);
  w.line(0, "def ask(peer, answer_ms, reply_s):");
  w.line(4, "\"\"\"Its peer works answer_ms, then replies; the reply takes reply_s from then on.\"\"\"");
  w.line(4, "peer.sendall(str(answer_ms).encode())");
  w.line(4, "replied = float(peer.recv(64))", "recv", "blocks without the GIL until the reply");
  w.line(4, "left = replied + reply_s - time.perf_counter()");
  w.line(4, "if left > 0:");
  w.line(8, "select.select([], [], [], left)", "the rest", "the rest of the reply's way, also without the GIL");
}

// ---- executors --------------------------------------------------------------------------

/// A process_pool run's method is an executor function of its own; other executors have Map.
using ExecutorKey = std::pair<Executor, scenario::PoolMethod>;

ExecutorKey executor_key(const scenario::Run& run) {
  return {run.executor, run.executor == Executor::ProcessPool ? run.method : scenario::PoolMethod::Map};
}

struct ExecutorUse {
  bool used = false;
  bool workers = false;       ///< some run sets `workers`
  bool chunksize = false;
  bool start_method = false;
  bool with_gil = false;      ///< some run has a GIL (threads: what their join comment says)
  bool without_gil = false;   ///< some run has none
};

std::string executor_function(ExecutorKey key);

/// The lines that make the asyncio locks, inside the running loop (before Python 3.10 an
/// asyncio.Lock made outside it belongs to another loop).
void write_async_locks(Writer& w, const scenario::Scenario& s) {
  std::set<std::uint32_t> awaited;  // locks a coroutine takes (a plain function takes the threading one)
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (step.kind == StepKind::Acquire && !nothing_to_await(job)) awaited.insert(step.target);
    }
  }
  if (awaited.empty()) return;
  std::vector<std::string> names;
  for (const auto lock : awaited) names.push_back(shared_name(s.locks[lock].name) + "_async");
  w.line(4, fmt::format("global {}", fmt::join(names, ", ")));
  for (const auto& name : names) w.line(4, fmt::format("{} = asyncio.Lock()", name), "async lock", "made in the running loop");
}

/// Pool(...) or, with a start method, its context's Pool.
std::string pool_line(const ExecutorUse& use) {
  const std::string processes = use.workers ? "processes" : "";
  return use.start_method ? fmt::format("with multiprocessing.get_context(start_method).Pool({}) as pool:", processes)
                          : fmt::format("with Pool({}) as pool:", processes);
}

void write_executor(Writer& w, ExecutorKey key, const ExecutorUse& use, const JobShape& shape, const std::string& async_items,
                    const std::string& async_call, const Shared& shared) {
  const scenario::Scenario& s = *shared.scenario;
  w.blank(2);
  const Executor e = key.first;
  switch (e) {
    case Executor::Sequential:
      w.line(0, "def in_sequence():");
      if (!notes_job_finishes(s, e)) {
        w.line(4, fmt::format("return [{} for {} in {}]", shape.call(shape.map_function), shape.variable, shape.items));
        break;
      }
      w.line(4, "results = []");
      w.line(4, fmt::format("for {} in {}:", shape.variable, shape.items));
      w.line(8, fmt::format("results.append({})", shape.call(shape.map_function)));
      w.line(8, std::string(kNoteFinish), "finished", kFinishedComment);
      w.line(4, "return results");
      break;
    case Executor::Threads:
      w.line(0, "def with_threads():");
      if (!shared.meet.empty()) {
        w.line(4, "global ALL_HOLD");
        w.line(4, fmt::format("ALL_HOLD = threading.Barrier({})", meeting_parties(shared.meet)), "barrier",
               "lets all through once they are all there");
      }
      if (has_peers(s)) w.line(4, "pids = start_peers()", "start peers", "forked before any thread starts");
      w.line(4, "results = []");
      w.line(4, fmt::format("def work({}):", shape.variable));
      if (shared.deadlock) {
        w.line(8, "try:");
        w.line(12, fmt::format("results.append({})", shape.call(shape.map_function)), "append", "list.append is thread-safe");
        w.line(8, "except TimeoutError as stuck:", "gave up", "a deadlock: the job gave up its wait for a lock");
        w.line(12, "STUCK.append(str(stuck))");
      } else {
        w.line(8, fmt::format("results.append({})", shape.call(shape.map_function)), "append", "list.append is thread-safe");
      }
      if (notes_job_finishes(s, e)) w.line(8, std::string(kNoteFinish), "finished", kFinishedComment);
      w.line(4, fmt::format("threads = [threading.Thread(target=work, args=({},)) for {} in {}]", shape.variable,
                            shape.variable, shape.items));
      w.line(4, "for thread in threads:");
      w.line(8, "thread.start()");
      w.line(4, "for thread in threads:");
      w.line(8, "thread.join()", "join", threads_comment(s, use.with_gil, use.without_gil));
      if (has_peers(s)) {
        w.line(4, "for pid in pids:");
        w.line(8, "os.waitpid(pid, 0)", "reap", "each peer exits once its job shut its socket");
      }
      if (!shared.meet.empty()) w.line(4, "ALL_HOLD = None");
      w.line(4, "return results");
      break;
    case Executor::ThreadPool:
      w.line(0, use.workers ? "def with_thread_pool(workers=None):" : "def with_thread_pool():");
      w.line(4, use.workers ? "with ThreadPoolExecutor(workers) as pool:" : "with ThreadPoolExecutor() as pool:",
             "pool", "None: min(32, os.cpu_count() + 4) threads (os.process_cpu_count() from 3.13)");
      w.line(8, fmt::format("return list(pool.map({}, {}))", shape.map_function, shape.items));
      break;
    case Executor::Asyncio:
      w.line(0, use.workers ? "async def gather_jobs(workers):" : "async def gather_jobs():");
      write_async_locks(w, s);
      if (use.workers) {
        w.line(4, "if workers:", "executor", "asyncio.to_thread uses the loop's default executor");
        w.line(8, "asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(workers))");
      }
      if (notes_job_finishes(s, e)) {
        w.line(4, fmt::format("async def noted({}):", shape.variable));
        w.line(8, fmt::format("result = await {}", async_call));
        w.line(8, "FINISHED[job.__name__.removesuffix(\"_async\")] = time.perf_counter()", "finished", kFinishedComment);
        w.line(8, "return result");
        w.line(4, fmt::format("return await asyncio.gather(*(noted({}) for {} in {}))", shape.variable, shape.variable, async_items),
               "gather", "every job a task on one thread");
      } else {
        w.line(4, fmt::format("return await asyncio.gather(*({} for {} in {}))", async_call, shape.variable, async_items),
               "gather", "every job a task on one thread");
      }
      w.blank(2);
      w.line(0, use.workers ? "def with_asyncio(workers=None):" : "def with_asyncio():");
      w.line(4, use.workers ? "return asyncio.run(gather_jobs(workers))" : "return asyncio.run(gather_jobs())");
      break;
    case Executor::ProcessPool: {
      using scenario::PoolMethod;
      std::vector<std::string> parameters;
      if (use.workers) parameters.push_back("processes=None");
      if (use.chunksize) parameters.push_back("chunksize=None");
      if (use.start_method) parameters.push_back("start_method=None");
      w.line(0, fmt::format("def {}({}):", executor_function(key), fmt::join(parameters, ", ")));
      w.line(4, pool_line(use), "processes", "one worker process per core (None), each with its own GIL");
      const std::string f = shape.map_function;
      switch (key.second) {
        case PoolMethod::Map:
          w.line(8, fmt::format("return pool.map({}, {}{})", f, shape.items, use.chunksize ? ", chunksize" : ""),
                 use.chunksize ? "chunksize" : "", "chunksize None: Pool.map's own choice");
          break;
        case PoolMethod::Imap:
        case PoolMethod::ImapUnordered: {
          const bool ordered = key.second == PoolMethod::Imap;
          w.line(8, fmt::format("return list(pool.{}({}, {}{}))", ordered ? "imap" : "imap_unordered", f, shape.items,
                                use.chunksize ? ", chunksize or 1" : ""),
                 ordered ? "imap" : "imap_unordered",
                 ordered ? "each result as it comes, in order" : "each result as it comes, in any order");
          break;
        }
        case PoolMethod::ApplyAsync:
          w.line(8, shape.single ? fmt::format("waiting = [pool.apply_async({}, ({},)) for n in {}]", f, shape.variable, shape.items)
                                 : fmt::format("waiting = [pool.apply_async(job) for job in {}]", shape.items),
                 "apply_async", "one task per call, sent at once");
          w.line(8, "return [result.get() for result in waiting]");
          break;
      }
      break;
    }
    case Executor::ProcessPoolExecutor: {
      std::vector<std::string> parameters;
      if (use.workers) parameters.push_back("max_workers=None");
      if (use.chunksize) parameters.push_back("chunksize=1");
      if (use.start_method) parameters.push_back("start_method=None");
      w.line(0, fmt::format("def with_process_pool_executor({}):", fmt::join(parameters, ", ")));
      const std::string context = use.start_method ? "mp_context=multiprocessing.get_context(start_method)" : "";
      const std::string workers = use.workers ? "max_workers" : "";
      w.line(4, fmt::format("with ProcessPoolExecutor({}{}{}) as pool:", workers, !workers.empty() && !context.empty() ? ", " : "",
                            context),
             "executor", "None: os.cpu_count() processes, started as work arrives (fork: all at once)");
      w.line(8, fmt::format("return list(pool.map({}, {}{}))", shape.map_function, shape.items,
                            use.chunksize ? ", chunksize=chunksize" : ""),
             "executor map", "chunksize 1 by default: a message per job each way");
      break;
    }
    case Executor::Processes: {
      w.line(0, use.start_method ? "def with_processes(start_method=None):" : "def with_processes():");
      const std::string process = use.start_method ? "multiprocessing.get_context(start_method).Process" : "Process";
      w.line(4, shape.single ? fmt::format("processes = [{}(target={}, args=(n,)) for n in {}]", process,
                                           shape.map_function, shape.items)
                             : fmt::format("processes = [{}(target=job) for job in {}]", process, shape.items));
      w.line(4, "for process in processes:");
      w.line(8, "process.start()", "start", "one new process, interpreter and GIL per job");
      w.line(4, "for process in processes:");
      w.line(8, "process.join()", "process join", "a Process hands back no result (a Pool does)");
      w.line(4, "return processes");
      break;
    }
  }
}

std::string executor_function(ExecutorKey key) {
  switch (key.first) {
    case Executor::Sequential: return "in_sequence";
    case Executor::Threads: return "with_threads";
    case Executor::ThreadPool: return "with_thread_pool";
    case Executor::Asyncio: return "with_asyncio";
    case Executor::Processes: return "with_processes";
    case Executor::ProcessPoolExecutor: return "with_process_pool_executor";
    case Executor::ProcessPool:
      switch (key.second) {
        case scenario::PoolMethod::Map: return "with_process_pool";
        case scenario::PoolMethod::Imap: return "with_pool_imap";
        case scenario::PoolMethod::ImapUnordered: return "with_pool_imap_unordered";
        case scenario::PoolMethod::ApplyAsync: return "with_pool_apply_async";
      }
  }
  return "in_sequence";
}

bool shares_state(const scenario::Scenario& s) { return !s.locks.empty() || !s.counters.empty(); }

ProgramRun program_run(const scenario::Scenario& s, const scenario::Run& run) {
  ProgramRun out{&run, executor_function(executor_key(run)), {}, std::nullopt, {}, std::nullopt};
  const bool processes = run.executor == Executor::ProcessPool || run.executor == Executor::Processes ||
                         run.executor == Executor::ProcessPoolExecutor;
  if (scenario::effective_gil(s, run) == GilMode::Old) {
    out.skipped = "needs the old GIL of Python 3.1, which no interpreter since 3.2 has";
    out.skipped_said = "the old-GIL runs are skipped: the old GIL is CPython before 3.2";
  } else if (processes && shares_state(s)) {
    out.skipped = "shares locks or counters between processes, which takes multiprocessing.Lock and Value";
    out.skipped_said = "the process runs are skipped: they would need multiprocessing's Lock and Value";
  } else if (can_deadlock(s, run.executor == Executor::Sequential)) {  // in sequence, jobs never take turns
    out.not_recorded = "its jobs can deadlock, and CPython would sit out the program's 10 s timeout";
  }
  const auto add = [&](std::string_view name, const std::optional<int>& value) {
    if (value) out.arguments.emplace_back(name, std::to_string(*value));
  };
  if (run.executor == Executor::ThreadPool || run.executor == Executor::Asyncio) add("workers", run.workers);
  if (processes) {
    if (run.executor == Executor::ProcessPool) {
      add("processes", run.workers);
      add("chunksize", run.chunksize);
    }
    if (run.executor == Executor::ProcessPoolExecutor) {
      add("max_workers", run.workers);
      add("chunksize", run.chunksize);
    }
    if (run.start_method) out.arguments.emplace_back("start_method", python_string(scenario::to_string(*run.start_method)));
  }
  return out;
}

// ---- main -------------------------------------------------------------------------------

/// CPython's own switch interval: a scenario's other one is a sys.setswitchinterval line.
const Time kCPythonInterval = scenario::Python{}.switch_interval;

/// The counters' names, with their start values as one assignment: "counter = safe = 0".
std::string counters_start(const scenario::Scenario& s) {
  std::vector<std::string> names;
  std::vector<std::string> initial;
  for (const auto& c : s.counters) {
    names.push_back(shared_name(c.name));
    initial.push_back(std::to_string(c.initial));
  }
  const bool same = std::all_of(initial.begin(), initial.end(), [&](const std::string& v) { return v == initial[0]; });
  return same ? fmt::format("{} = {}", fmt::join(names, " = "), initial[0])
              : fmt::format("{} = {}", fmt::join(names, ", "), fmt::join(initial, ", "));
}

/// The line that shows each counter after a run, against its value if no update were lost.
std::string counters_line(const scenario::Scenario& s) {
  std::vector<std::int64_t> expected;
  for (const auto& c : s.counters) expected.push_back(c.initial);
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (step.kind == StepKind::Increment) expected[step.target] += job.count;
    }
  }
  std::vector<std::string> values;
  std::vector<std::string> wanted;
  for (std::size_t i = 0; i < s.counters.size(); ++i) {
    const std::string name = shared_name(s.counters[i].name);
    values.push_back(fmt::format("{} = {{{}}}", name, name));
    wanted.push_back(fmt::format("{} {}", name, expected[i]));
  }
  const bool alike = std::all_of(expected.begin(), expected.end(), [&](std::int64_t e) { return e == expected[0]; });
  const std::string none_lost = expected.size() == 1 ? fmt::format("{} if no update is lost", expected[0])
                                : alike ? fmt::format("{} each if no update is lost", expected[0])
                                        : fmt::format("if no update is lost: {}", fmt::join(wanted, ", "));
  return fmt::format("print(f\"  {} ({})\")", fmt::join(values, ", "), none_lost);
}

/// A predicted time as the program prints its own (its shown()): under a second, milliseconds
/// to one decimal; from a second, seconds to two decimals, grouped.
std::string as_printed(Time t) {
  // Rounded as format_time() rounds, from the same double: lesson 18's 57,150,000 ns is the
  // 57.1 ms `gilsim run` prints, not 57.2 ms.
  if (t.ns() < 1'000'000'000) return fmt::format("{:.1f} ms", t.ms());
  const std::string fixed = fmt::format("{:.2f}", t.seconds());
  const std::size_t point = fixed.find('.');
  return fmt::format("{}{} s", trace::group_digits(std::stoll(fixed.substr(0, point))), fixed.substr(point));
}

/// "about 21 min" for a run long enough that a class should know before it starts.
std::optional<std::string> how_long(Time makespan) {
  constexpr Time kWorthSaying = Time::from_seconds(60);
  if (makespan < kWorthSaying) return std::nullopt;
  const std::int64_t seconds = makespan.ns() / 1'000'000'000;
  if (seconds < 120) return fmt::format("about {} s", seconds);
  return fmt::format("about {} min", (seconds + 30) / 60);
}

/// The line that tells the class, before a long run starts, how long it will take.
std::optional<std::string> long_run_warning(const std::string& run_name, const trace::Trace& predicted) {
  if (trace::ended_in_deadlock(predicted)) return std::nullopt;
  const auto duration = how_long(predicted.end);
  if (!duration) return std::nullopt;
  return fmt::format("print({}, flush=True)", python_string(fmt::format("{}: expect {}", run_name, *duration)));
}

/// A run of a ThreadPoolExecutor() sized by this machine's cores whose jobs mostly wait: its
/// waits queue for the pool's threads, and it takes as long as there are fewer of them.
bool waits_in_a_default_thread_pool(const scenario::Scenario& s, const scenario::Run& run) {
  return run.executor == Executor::ThreadPool && !run.workers && s.python.version >= scenario::PythonVersion{3, 8, false} &&
         work_shares(s).mostly_waits();
}

/// When each kind of job last finished, as timed() prints it: "reader done at 0.60 s, hog done at 0.81 s".
std::string job_finishes(const trace::Trace& t, const std::vector<std::string>& function_names) {
  std::vector<Time> last(t.templates.size(), Time::zero());
  for (const auto& job : t.jobs) {
    if (job.end != Time::max()) last[job.template_index] = max(last[job.template_index], job.end);
  }
  std::vector<std::size_t> order(last.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return last[a] < last[b]; });
  std::vector<std::string> parts;
  for (const std::size_t i : order) {
    parts.push_back(fmt::format("{} done at {}", function_names.at(i), as_printed(last[i])));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

/// The docstring's last paragraph: what the model predicts for each run the program makes.
std::string predicted_paragraph(const scenario::Scenario& s, const std::vector<const scenario::Run*>& runs,
                                const std::vector<const trace::Trace*>& predicted, const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < runs.size() && i < predicted.size(); ++i) {
    const trace::Trace* t = predicted[i];
    if (t == nullptr || program_run(s, *runs[i]).skipped) continue;
    std::string line = fmt::format("- {}", runs[i]->name);
    if (t->cores != s.machine.cores) line += fmt::format(" ({} core{})", t->cores, t->cores == 1 ? "" : "s");
    if (trace::ended_in_deadlock(*t)) {
      line += fmt::format(": a deadlock at {}", format_time(t->end));
      if (can_deadlock(s)) line += " (the program gives up after DEADLOCK_AFTER seconds)";
    } else {
      line += ": " + as_printed(t->end);
      if (const auto duration = how_long(t->end)) line += fmt::format(" ({})", *duration);
      if (notes_job_finishes(s, runs[i]->executor)) line += "; " + job_finishes(*t, names);
    }
    out += line + "\n";
  }
  if (out.empty()) return out;
  // A class's machine is not the prediction's: its pace, cores and process starts differ.
  // The built-in default has no file ("<default>"): gilsim run with none opens it.
  const std::string file = std::filesystem::path(s.source).filename().string();
  const bool built_in = file.empty() || file.front() == '<';
  return fmt::format("gilsim predicts, on {} core{}:\n{}\n`gilsim run {}--cpython` (with any --set given here) runs this\n"
                     "program and fits the prediction to this machine (its pace, cores and process\n"
                     "starts) beside it.\n",
                     s.machine.cores, s.machine.cores == 1 ? "" : "s", out, built_in ? "" : file + " ");
}

/// What the program's main says about this machine before its runs: the pace of compute()
/// and hash_data() here (a program run by hand measures it; the recorder gives its own), and
/// its cores when they are not those the prediction assumed.
struct MachineLines {
  bool loops = false;       ///< the program has compute()
  bool bytes = false;       ///< the program has hash_data()
  bool spawns = false;      ///< worker processes may start afresh and import the program again
  bool pools = false;       ///< a pool sized by this machine's cores (Pool(), ProcessPoolExecutor())
  bool parallel = false;    ///< some run uses more than one thread or process
  bool process_start = false;       ///< the program has process_start(): some run starts processes (P4e)
  std::int64_t send_back_bytes = 0;  ///< the program has send_back(), and its main sends this many bytes (P7c)
  bool races = false;       ///< threads of some run race on a counter
  /// Whether the main looks for other programs keeping the CPUs busy (others_busy()).
  bool busy_checked() const { return loops || bytes || races; }
  std::string pace_names() const {
    return loops && bytes ? "LOOPS_PER_MS, BYTES_PER_MS" : loops ? "LOOPS_PER_MS" : "BYTES_PER_MS";
  }
};

/// took(): the CPU time of one call, for the pace the main measures at its start: the
/// fastest of three tries of 10 ms each at the laptop's pace (CPU time, as the recorder's
/// calibration: other programs take little of it, and the fastest try least).
void write_pace(Writer& w) {
  w.blank(2);
  w.line(0, "def took(work, ms):");
  w.line(4, "start = time.thread_time()", "thread time", "this thread's CPU time: other programs do not count");
  w.line(4, "work(ms)");
  w.line(4, "return time.thread_time() - start");
}

/// "2 MB", "1.5 MB".
std::string megabytes(std::int64_t bytes) { return decimal(static_cast<double>(bytes) / 1e6) + " MB"; }

/// process_start() (P4e, with gilsim_fidelity's start_process(): machine_probes.hpp) and
/// send_back() (P7c): what this machine's process starts and a pool's results cost, which
/// `gilsim run --cpython` fits the prediction to.
void write_machine_probes(Writer& w, const MachineLines& m) {
  if (m.busy_checked()) {
    // Not the load average: it counts this program's own work of the last minute (its pace,
    // its process starts, a run just before), which read as a busy machine on 2 idle cores.
    w.blank(2);
    w.line(0, "def others_busy():");
    w.line(4, "\"\"\"CPUs other programs kept busy while this one slept 0.2 s: Linux's /proc/stat, as top reads");
    w.line(4, "it (none where there is no /proc/stat, as on macOS: it cannot tell).\"\"\"");
    w.line(4, "if not os.path.exists(\"/proc/stat\"):");
    w.line(8, "return 0.0", "cannot tell", "the load average would count this program too");
    w.line(4, "def idle_and_all():");
    w.line(8, "with open(\"/proc/stat\") as stat:", "first line", "cpu user nice system idle iowait ...");
    w.line(12, "ticks = [int(tick) for tick in stat.readline().split()[1:]]");
    w.line(8, "return ticks[3] + ticks[4], sum(ticks[:8])", "guests", "guest time is counted in user time already");
    w.line(4, "idle, ticks = idle_and_all()");
    w.line(4, "time.sleep(0.2)");
    w.line(4, "idle_after, ticks_after = idle_and_all()");
    w.line(4, "return os.cpu_count() * (1 - (idle_after - idle) / max(ticks_after - ticks, 1))");
  }
  if (m.process_start) {
    w.blank(2);
    w.text() += kStartProcessFunction;
    w.blank(2);
    w.line(0, "def process_start():");
    w.line(4, fmt::format("\"\"\"A process start here, in seconds: the fastest of {} after one to warm up.\"\"\"",
                          kProcessStartTries));
    w.line(4, "start_process()");
    w.line(4, fmt::format("return min(start_process() for _ in range({}))", kProcessStartTries), "fastest",
           "a busy machine only adds to a start");
  }
  if (m.send_back_bytes > 0) {
    w.blank(2);
    w.text() += kSendBackFunction;
  }
}

void write_machine_lines(Writer& w, const scenario::Scenario& s, const MachineLines& m) {
  if (m.loops || m.bytes) {
    std::vector<std::string> printed;
    if (m.loops) printed.emplace_back("{LOOPS_PER_MS:_} loops");
    if (m.bytes) printed.emplace_back("{BYTES_PER_MS:_} bytes hashed");
    // The fastest of three tries of 10 ms at the laptop's pace: 0.01 s of CPU time.
    if (m.loops) w.line(4, "LOOPS_PER_MS = int(LOOPS_PER_MS * 0.01 / min(took(compute, 10) for _ in range(3)))");
    if (m.bytes) w.line(4, "BYTES_PER_MS = int(BYTES_PER_MS * 0.01 / min(took(hash_data, 10) for _ in range(3)))");
    if (m.spawns) {
      w.line(4, fmt::format("os.environ[\"LESSON_PACE\"] = f\"{}\"",
                            m.loops && m.bytes ? "{LOOPS_PER_MS} {BYTES_PER_MS}" : m.loops ? "{LOOPS_PER_MS}" : "{BYTES_PER_MS}"));
    }
    w.line(4, fmt::format("print(f\"pace here: {} a millisecond\")", fmt::join(printed, " and ")));
  }
  // Beside the probe the prediction's start costs were measured with (P4e): a slower start
  // here is why its pool runs come later than predicted (lesson 18's processes).
  if (m.process_start) {
    w.line(4, fmt::format("print(f\"a process start here: {{process_start() * 1000:.2f}} ms, against the {:.2f} ms \"",
                          scenario::kReferenceForkProbe.ms()));
    w.line(10, "\"the prediction is for (this program's docstring says how to fit it)\")");
  }
  if (m.send_back_bytes > 0) {
    w.line(4, fmt::format("dumps, pipe, loads = (f\"{{part * 1000:.1f}} ms\" for part in send_back({}))",
                          python_int(m.send_back_bytes)));
    // Beside what the prediction charges for the same bytes (P7c): pickling at ipc_bandwidth
    // on each side, and the pipe nothing unless fitted.
    const auto predicted_ms = [&](double bandwidth) {
      return bandwidth > 0.0 ? fmt::format("{:.1f}", static_cast<double>(m.send_back_bytes) / bandwidth * 1e3) : "0.0";
    };
    w.line(4, fmt::format("print(f\"a result of {} sent back here: pickle.dumps {{dumps}}, the pipe {{pipe}}, \"",
                          megabytes(m.send_back_bytes)));
    w.line(10, fmt::format("f\"pickle.loads {{loads}}, against the {}, {} and {} ms the prediction is for\")",
                           predicted_ms(s.costs.ipc_bandwidth), predicted_ms(s.costs.ipc_pipe_bandwidth),
                           predicted_ms(s.costs.ipc_bandwidth)));
  }
  if (!m.parallel) return;
  const int cores = s.machine.cores;
  w.line(4, fmt::format("if os.cpu_count() != {}:", cores));
  w.line(8, fmt::format("print(f\"{{os.cpu_count()}} cores here, {} in the prediction{}\")", cores,
                        m.pools ? "; Pool() starts a worker per core" : ""));
}

/// The lines that make each lock again: "lock_a, lock_b = threading.Lock(), threading.Lock()".
std::string locks_start(const scenario::Scenario& s) {
  std::vector<std::string> names;
  std::vector<std::string> made;
  for (const auto& lock : s.locks) {
    names.push_back(shared_name(lock.name));
    made.push_back(lock.reentrant ? "threading.RLock()" : "threading.Lock()");
  }
  return fmt::format("{} = {}", fmt::join(names, ", "), fmt::join(made, ", "));
}

/// Whether a run's time follows the CPU's pace: its prediction keeps a quarter of a core busy
/// or more on average, so that the pace's move of 25% which timed() reports moves its time by
/// 6% or more. Lesson 01's runs keep a core busy, the default's sequential baseline a third of
/// one (80 ms waits, 40 ms of Python), lesson 05's "switch 20 ms" half of one, like its other
/// runs; lesson 02's runs of waits, 2% and 17%, take about as long at any pace, and a pace
/// that moved says nothing of them. Without a prediction, any run of a program that computes.
bool paced_run(const trace::Trace* predicted) {
  if (predicted == nullptr || predicted->end <= Time::zero() || predicted->end == Time::max()) return true;
  std::int64_t busy = 0;
  bool cores = false;
  for (const trace::Lane& lane : predicted->lanes) {
    if (lane.kind != trace::LaneKind::Core) continue;
    cores = true;
    for (const trace::Span& span : lane.spans) busy += span.duration().ns();
  }
  return !cores || 4 * busy >= predicted->end.ns();
}

/// Whether a run the program makes has no GIL: each run then runs only where this Python
/// has its kind (gil_here).
bool program_has_runs_without_gil(const scenario::Scenario& s, const std::vector<ProgramRun>& runs) {
  return std::any_of(runs.begin(), runs.end(), [&](const ProgramRun& r) {
    return !r.skipped && scenario::effective_gil(s, *r.run) == GilMode::None;
  });
}

void write_main(Writer& w, const Shared& shared, const std::vector<ProgramRun>& runs,
                const std::vector<const trace::Trace*>& predicted, bool random, bool finishes, const MachineLines& machine) {
  const scenario::Scenario& s = *shared.scenario;
  const bool renew_locks = shared.deadlock && shared.lock_globals;
  // The pace before the run and after it, against the start's: this host's CPU speed may
  // change within seconds, and a run's time then compares with nothing (lesson 01's threads
  // read faster than sequential). 10 ms of compute took 0.01 s of CPU at the start.
  const bool pace_checked = machine.loops || machine.bytes;
  if (pace_checked) {
    w.blank(2);
    w.line(0, "def pace_off():");
    w.line(4, "\"\"\"How far the CPU's pace is from the start's (0.1: 10%), where 10 ms of work took 0.01 s.\"\"\"");
    w.line(4, fmt::format("return abs(min(took({}, 10) for _ in range(3)) - 0.01) / 0.01",
                          machine.loops ? "compute" : "hash_data"));
  }
  w.blank(2);
  w.line(0, "def shown(seconds):");
  w.line(4, "return f\"{seconds:.2f} s\" if seconds >= 1 else f\"{seconds * 1000:.1f} ms\"", "shown",
         "milliseconds under a second, as the prediction writes them");
  w.blank(2);
  std::string parameters = "name, run";
  if (shared.deadlock) parameters += ", deadlock_predicted=False";
  if (pace_checked) parameters += ", paced=False";
  w.line(0, fmt::format("def timed({}, **options):", parameters));
  std::vector<std::string> globals;
  for (const auto& c : s.counters) globals.push_back(shared_name(c.name));
  if (renew_locks) {
    for (const auto& lock : s.locks) globals.push_back(shared_name(lock.name));
  }
  if (!globals.empty()) w.line(4, fmt::format("global {}", fmt::join(globals, ", ")));
  if (!s.counters.empty()) w.line(4, counters_start(s), "fresh", "the module's counters, fresh for each run");
  if (renew_locks) w.line(4, locks_start(s), "fresh locks", "fresh: a deadlock leaves its locks held");
  if (finishes) w.line(4, "FINISHED.clear()");
  if (shared.deadlock) w.line(4, "STUCK.clear()");
  if (pace_checked) w.line(4, "before = pace_off() if paced else 0");
  w.line(4, "start = time.perf_counter()");
  if (shared.stuck_from_run) {
    w.line(4, "try:");
    w.line(8, "results = run(**options)");
    w.line(4, "except TimeoutError as stuck:", "stuck from run", "a pool or a loop hands on its first job's");
    w.line(8, "results = []");
    w.line(8, "STUCK.append(str(stuck) or \"a job gave up its wait for a lock\")");
  } else {
    w.line(4, "results = run(**options)");
  }
  if (shared.deadlock) {
    w.line(4, "if STUCK:");
    w.line(8, "said = \", as predicted\" if deadlock_predicted else \"\"");
    w.line(8, "print(f\"{name}: deadlock{said}: {'; '.join(sorted(STUCK))} (gave up after {DEADLOCK_AFTER} s)\")");
    w.line(8, "return");
  }
  w.line(4, "print(f\"{name}: {len(results)} jobs in {shown(time.perf_counter() - start)}\")");
  if (finishes) {
    w.line(4, "if FINISHED:");
    w.line(8, "print(\"  \" + \", \".join(f\"{job} done at {shown(at - start)}\" for job, at in FINISHED.items()))");
  }
  if (pace_checked) {
    w.line(4, "if paced and (off := max(before, pace_off())) > 0.25:", "pace moved",
           "the CPU's speed changed: the time compares with nothing");
    w.line(8, "print(f\"  the CPU's pace here moved {off:.0%} from the start's during this run: run again\")");
  }
  if (!s.counters.empty()) w.line(4, counters_line(s));
  w.blank(2);
  w.line(0, "if __name__ == \"__main__\":");
  if (random) w.line(4, fmt::format("random.seed({})", s.seed), "seed", "the same durations every time");
  write_machine_lines(w, s, machine);
  // Work slows on a busy machine; waits do not. Threads racing on a counter are switched
  // less there, and lose fewer updates or none (lesson 15's note).
  if (machine.busy_checked()) {
    // Fewer CPUs free than the prediction's cores (those this machine has): a browser on a
    // laptop of 16 leaves a lesson of 4 its cores.
    w.line(4, fmt::format("if (busy := others_busy()) > os.cpu_count() - min(os.cpu_count(), {}) + 0.5:", s.machine.cores),
           "busy", fmt::format("fewer CPUs free than the prediction's {}", s.machine.cores));
    if (machine.loops || machine.bytes) {
      w.line(8, "print(f\"busy machine: other programs kept {busy:.1f} of {os.cpu_count()} CPUs busy: times will be \"");
      w.line(14, machine.races ? "\"slower than predicted, and the race may not show\")" : "\"slower than predicted\")");
    } else {
      w.line(8, "print(f\"busy machine: other programs kept {busy:.1f} of {os.cpu_count()} CPUs busy: the race may \"");
      w.line(14, "\"not show, and the times differ from the prediction's\")");
    }
  }
  Time interval = kCPythonInterval;
  bool skip_said = false;  // which runs this Python skips
  std::set<std::string> skips_said;  // the lines that say why runs are skipped
  const bool runs_without_gil = program_has_runs_without_gil(s, runs);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const ProgramRun& r = runs[i];
    std::vector<std::string> args{python_string(r.run->name), r.function};
    for (const auto& [name, value] : r.arguments) args.push_back(fmt::format("{}={}", name, value));
    if (shared.deadlock && i < predicted.size() && predicted[i] != nullptr && trace::ended_in_deadlock(*predicted[i])) {
      args.emplace_back("deadlock_predicted=True");
    }
    if (pace_checked && paced_run(i < predicted.size() ? predicted[i] : nullptr)) args.emplace_back("paced=True");
    const std::string call = fmt::format("timed({})", fmt::join(args, ", "));
    if (r.skipped) {
      // Said once for all the runs skipped for one reason, as gil_here's line says it.
      if (skips_said.insert(r.skipped_said).second) w.line(4, fmt::format("print({})", python_string(r.skipped_said)));
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
    if (i < predicted.size() && predicted[i] != nullptr) {
      if (const auto warning = long_run_warning(r.run->name, *predicted[i])) {
        if (waits_in_a_default_thread_pool(s, *r.run)) {
          // Its waits take as long as they queue: its pool's size here, not the prediction's.
          const int workers = scenario::effective_workers(s, *r.run);
          // ThreadPoolExecutor()'s size in the Python running it: os.process_cpu_count() from 3.13.
          w.line(4, "pool_size = min(32, (getattr(os, \"process_cpu_count\", os.cpu_count)() or 1) + 4)", "pool size",
                 fmt::format("ThreadPoolExecutor()'s threads here, {} predicted", workers));
          // The jobs wait in rounds of one per thread: 8 waits of 70 s take two rounds on 6 threads.
          const auto jobs = static_cast<std::int64_t>(predicted[i]->jobs.size());
          const std::int64_t rounds = (jobs + workers - 1) / workers;
          w.line(4, fmt::format("rounds = ({} + pool_size - 1) // pool_size", jobs), "rounds",
                 fmt::format("the {} jobs wait in rounds of one per thread, {} predicted", trace::group_digits(jobs), trace::group_digits(rounds)));
          w.line(4, fmt::format("expect = rounds * {:.5g}", predicted[i]->end.seconds() / static_cast<double>(rounds)));
          // The unit chosen here, where the pool's size is known: 32 threads made "0 min" of 120 s.
          w.line(4, "about = f\"{expect / 60:.0f} min\" if expect >= 120 else f\"{expect:.0f} s\"");
          w.line(4, fmt::format("print(f{}, flush=True)",
                                python_string(fmt::format("{}: {{pool_size}} threads, expect about {{about}}", r.run->name))));
        } else {
          w.line(4, *warning);
        }
      }
    }
    // A program with runs of both kinds runs each kind only where this Python has it: a
    // free-threaded build (python3.13t) runs with its GIL off unless PYTHON_GIL=1, and a run
    // timed there is no run with a GIL, whatever its name says.
    if (!skip_said && runs_without_gil) {
      w.line(4, "gil_here = not sysconfig.get_config_var(\"Py_GIL_DISABLED\") or sys._is_gil_enabled()", "gil here",
             "a free-threaded build (python3.13t) runs without its GIL unless PYTHON_GIL=1");
      w.line(4, "print(\"this Python runs with a GIL: the no-GIL runs are skipped\" if gil_here else");
      w.line(10, "\"this Python runs without a GIL: the runs with one are skipped (PYTHON_GIL=1 runs them)\")");
      skip_said = true;
    }
    if (runs_without_gil) {
      w.line(4, scenario::effective_gil(s, *r.run) == GilMode::None ? "if not gil_here:" : "if gil_here:");
      w.line(8, call);
      continue;
    }
    w.line(4, call);
  }
}

bool uses_random_durations(const scenario::Scenario& s) {
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      // An increment's call costs what CPython makes it cost: no duration in the program.
      if (step.kind != StepKind::Increment && !step.duration.is_fixed()) return true;
    }
  }
  return false;
}

bool uses_step_call(const scenario::Scenario& s) {
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (step.kind == StepKind::Increment && step.has_call) return true;
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

std::string docstring(const scenario::Scenario& s, const std::string& predicted) {
  std::string body = s.title;
  if (!s.note.empty()) body += "\n\n" + s.note;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  if (!predicted.empty()) body += "\n\n" + predicted;
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

/// The program, its jobs' functions named `names` (job_function_names).
PythonProgram write_program(const scenario::Scenario& s, const std::vector<const scenario::Run*>& chosen,
                            const std::vector<const trace::Trace*>& predicted, const std::vector<std::string>& names) {
  std::vector<const scenario::Run*> runs = chosen;
  if (runs.empty()) {
    for (const auto& run : s.runs) runs.push_back(&run);
  }
  std::map<ExecutorKey, ExecutorUse> use;
  for (const scenario::Run* run : runs) {
    if (program_run(s, *run).skipped) continue;
    ExecutorUse& u = use[executor_key(*run)];
    u.used = true;
    u.workers = u.workers || run->workers.has_value();
    u.chunksize = u.chunksize || run->chunksize.has_value();
    u.start_method = u.start_method || run->start_method.has_value();
    (scenario::effective_gil(s, *run) == GilMode::None ? u.without_gil : u.with_gil) = true;
  }
  const auto uses = [&](Executor e) {
    return std::any_of(use.begin(), use.end(), [&](const auto& entry) { return entry.first.first == e; });
  };
  /// Whether a run of executor `e` names a start method.
  const auto start_method = [&](Executor e) {
    return std::any_of(use.begin(), use.end(), [&](const auto& entry) { return entry.first.first == e && entry.second.start_method; });
  };
  const auto plain = [&](Executor e) {
    return std::any_of(use.begin(), use.end(), [&](const auto& entry) { return entry.first.first == e && !entry.second.start_method; });
  };
  const bool coroutines = uses(Executor::Asyncio);
  const bool functions = use.size() > (coroutines ? 1U : 0U);
  Shared shared;
  shared.scenario = &s;
  shared.deadlock = can_deadlock(s);
  if (shared.deadlock && uses(Executor::Threads) && functions) shared.meet = meeting_points(s);
  for (const scenario::Run* run : runs) {
    shared.stuck_from_run = shared.stuck_from_run || (shared.deadlock && !program_run(s, *run).skipped &&
                                                      run->executor != Executor::Threads &&
                                                      can_deadlock(s, run->executor == Executor::Sequential));
  }
  const bool delegates = coroutines && std::any_of(s.jobs.begin(), s.jobs.end(), nothing_to_await);
  const bool locks = !s.locks.empty() && (functions || delegates);
  shared.lock_globals = locks;
  const bool random = uses_random_durations(s);

  JobShape shape;
  shape.single = s.jobs.size() == 1;
  shape.items = shape.single ? fmt::format("range({})", s.jobs[0].count) : "JOBS";
  shape.variable = shape.single ? "n" : "job";
  shape.map_function = shape.single ? names[0] : "call";
  const std::string async_items = shape.single ? shape.items : "ASYNC_JOBS";
  const std::string async_call = shape.single ? fmt::format("{}_async(n)", names[0]) : "job()";
  const bool finishes = std::ranges::any_of(std::array{Executor::Sequential, Executor::Threads, Executor::Asyncio},
                                            [&](Executor e) { return uses(e) && notes_job_finishes(s, e); });

  Writer w;
  w.line(0, docstring(s, predicted_paragraph(s, runs, predicted, names)));
  const bool gil_free = [&] {
    for (const scenario::Run* run : runs) {
      if (scenario::effective_gil(s, *run) == GilMode::None) return true;
    }
    return false;
  }();
  bool interval_changes = false;
  for (const scenario::Run* run : runs) {
    interval_changes = interval_changes || scenario::effective_switch_interval(s, *run) != kCPythonInterval;
  }
  if (coroutines) w.line(0, "import asyncio");
  if (uses_step(s, StepKind::Native)) w.line(0, "import hashlib");
  if (start_method(Executor::ProcessPool) || start_method(Executor::Processes) ||
      start_method(Executor::ProcessPoolExecutor)) {
    w.line(0, "import multiprocessing");
  }
  const bool peers = has_peers(s) && uses(Executor::Threads);
  const bool pinned = std::any_of(s.jobs.begin(), s.jobs.end(), [](const auto& job) { return !job.cpus.empty(); }) &&
                      uses(Executor::Threads);
  const bool cpu = uses_step(s, StepKind::Cpu) || peers;  // a peer computes its answers
  const bool native = uses_step(s, StepKind::Native);
  const bool increments = uses_step(s, StepKind::Increment);
  MachineLines machine;
  machine.loops = cpu;
  machine.bytes = native;
  machine.spawns = uses(Executor::ProcessPool) || uses(Executor::Processes) || uses(Executor::ProcessPoolExecutor);
  machine.process_start = machine.spawns;
  if (uses(Executor::ProcessPool) || uses(Executor::ProcessPoolExecutor)) {
    machine.send_back_bytes = std::min(big_result_bytes(s), scenario::kPicklingProbeBytes);
  }
  const bool offloads = uses_step(s, StepKind::Offload);
  for (const scenario::Run* run : runs) {
    if (program_run(s, *run).skipped) continue;
    machine.races = machine.races || (uses_step(s, StepKind::Increment) &&
                                      (run->executor == Executor::Threads || run->executor == Executor::ThreadPool));
    const bool pool = run->executor == Executor::ProcessPool || run->executor == Executor::ProcessPoolExecutor;
    machine.pools = machine.pools || (pool && !run->workers);
    // Cores matter to work, a counter's increments too (lesson 15's threads: 3.14 s on 4
    // cores, 1.15 s on 2): a run of waits alone is not faster on more of them.
    machine.parallel = machine.parallel || ((cpu || native || increments) && run->executor != Executor::Sequential &&
                                            (run->executor != Executor::Asyncio || offloads || run->workers));
  }
  bool long_thread_pool = false;  // the main says how long a ThreadPoolExecutor() takes with os.cpu_count()
  for (std::size_t i = 0; i < runs.size() && i < predicted.size(); ++i) {
    long_thread_pool = long_thread_pool || (predicted[i] != nullptr && !program_run(s, *runs[i]).skipped &&
                                            long_run_warning(runs[i]->name, *predicted[i]) &&
                                            waits_in_a_default_thread_pool(s, *runs[i]));
  }
  if (peers || pinned || machine.parallel || machine.process_start || cpu || native || long_thread_pool ||
      machine.races) {
    w.line(0, "import os");  // os.cpu_count()
  }
  if (machine.send_back_bytes > 0) w.line(0, "import pickle");
  if (random) w.line(0, "import random");
  if (peers) w.line(0, "import select");
  if (peers) w.line(0, "import socket");
  if (interval_changes || gil_free) w.line(0, "import sys");  // sys._is_gil_enabled()
  if (gil_free) w.line(0, "import sysconfig");
  if (uses(Executor::Threads) || locks) w.line(0, "import threading");
  w.line(0, "import time");
  if (uses(Executor::ThreadPool) || (coroutines && use[ExecutorKey{Executor::Asyncio, scenario::PoolMethod::Map}].workers)) {
    w.line(0, "from concurrent.futures import ThreadPoolExecutor");
  }
  if (uses(Executor::ProcessPoolExecutor)) w.line(0, "from concurrent.futures import ProcessPoolExecutor");
  std::vector<std::string> from_multiprocessing;
  if (machine.send_back_bytes > 0) from_multiprocessing.push_back("Pipe");
  if (plain(Executor::ProcessPool)) from_multiprocessing.push_back("Pool");
  if (plain(Executor::Processes)) from_multiprocessing.push_back("Process");
  if (!from_multiprocessing.empty()) w.line(0, fmt::format("from multiprocessing import {}", fmt::join(from_multiprocessing, ", ")));

  if (cpu || native) w.blank();
  if (cpu) w.line(0, "LOOPS_PER_MS = 20_000", "loops", "a millisecond of pure Python on a laptop: the main measures this machine's");
  if (native) w.line(0, "BYTES_PER_MS = 1_000_000", "bytes", "a millisecond of sha256 on a laptop");
  if (native) w.line(0, "DATA = memoryview(bytes(range(256)) * 16_384)", "data", "4 MiB, made once: jobs hash data already in memory");
  if ((cpu || native) && machine.spawns) {
    w.line(0, "if \"LESSON_PACE\" in os.environ:", "pace", "a worker process started afresh takes its parent's pace");
    w.line(4, cpu && native ? "LOOPS_PER_MS, BYTES_PER_MS = map(int, os.environ[\"LESSON_PACE\"].split())"
                            : fmt::format("{} = int(os.environ[\"LESSON_PACE\"])", machine.pace_names()));
  }
  if (shared.deadlock && !s.locks.empty()) {
    if (!cpu && !native) w.blank();
    w.line(0, "DEADLOCK_AFTER = 10", "deadlock after", "seconds: a lock still not had by then is a deadlock");
    w.line(0, "STUCK = []", "stuck", "what each job that gave up held and waited for, for timed()");
    if (!shared.meet.empty()) w.line(0, "ALL_HOLD = None", "all hold", "with_threads() makes it a Barrier");
  }
  if (locks) w.blank();
  if (locks) {
    for (const auto& lock : s.locks) {
      w.line(0, fmt::format("{} = threading.{}()", shared_name(lock.name), lock.reentrant ? "RLock" : "Lock"),
             lock.reentrant ? "rlock" : "lock",
             lock.reentrant ? "an RLock: its holder may take it again" : "protects your data; the GIL protects only CPython's");
    }
  }
  const bool calls = uses_step_call(s);
  if (calls) {
    w.blank(2);
    w.line(0, "def one():");
    w.line(4, "return 1", "call", "a call: CPython may switch threads as it starts");
  }
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
    w.line(4, "\"\"\"C code: hashlib releases the GIL while it hashes data in memory.\"\"\"");
    w.line(4, "digest, size = hashlib.sha256(), int(ms * BYTES_PER_MS)");
    w.line(4, "for start in range(0, size, len(DATA)):");
    w.line(8, "digest.update(DATA[:size - start])", "slice", "a slice of a memoryview copies nothing");
    w.line(4, "return digest.hexdigest()");
  }
  if (cpu || native) write_pace(w);
  write_machine_probes(w, machine);

  if (peers) write_peers(w, s, names);
  if (functions || delegates) write_jobs(w, shared, names, false, shape, functions);
  if (coroutines) write_jobs(w, shared, names, true, shape, functions);
  if (!shape.single) {
    w.blank(2);
    if (functions) w.line(0, fmt::format("JOBS = {}", job_list(s, names, "")));
    if (coroutines) w.line(0, fmt::format("ASYNC_JOBS = {}", job_list(s, names, "_async")));
    if (finishes) w.line(0, "FINISHED = {}", "finished", "each kind of job's last finish, by its name, for timed()");
    if (uses(Executor::ProcessPool) || uses(Executor::ThreadPool) || uses(Executor::ProcessPoolExecutor)) {  // Processes and apply_async call a job
      w.blank(2);
      w.line(0, "def call(job):");
      w.line(4, "return job()", "by name", "pickle sends a function by its name");
    }
  }
  for (const auto& [key, u] : use) write_executor(w, key, u, shape, async_items, async_call, shared);

  PythonProgram program;
  for (const scenario::Run* run : runs) program.runs.push_back(program_run(s, *run));
  write_main(w, shared, program.runs, predicted, random, finishes, machine);
  program.text = std::move(w.text());
  for (const auto& name : names) {
    program.job_functions.push_back(functions ? name : std::string());
    program.async_job_functions.push_back(coroutines ? name + "_async" : std::string());
  }
  program.job_list = shape.single ? "" : "JOBS";
  program.send_back_bytes = machine.send_back_bytes;
  for (const auto& lock : s.locks) program.lock_globals.push_back(shared_name(lock.name));
  for (const auto& counter : s.counters) program.counter_globals.push_back(shared_name(counter.name));
  for (const auto& job : s.jobs) {
    std::vector<int>& seen = program.seen_steps.emplace_back();
    for (std::size_t i = 0; i < job.steps.size(); ++i) {
      if (job.steps[i].kind != StepKind::Increment) seen.push_back(static_cast<int>(i));
    }
  }
  return program;
}

}  // namespace

PythonProgram python_program(const scenario::Scenario& s, const std::vector<const scenario::Run*>& chosen,
                             const std::vector<const trace::Trace*>& predicted) {
  // Written once with job names no code uses ("_job_0"), to read the names its code uses:
  // then no job can take one, whatever the code grows to use.
  std::vector<std::string> placeholders;
  for (std::size_t i = 0; i < s.jobs.size(); ++i) placeholders.push_back(fmt::format("_job_{}", i));
  std::set<std::string> used = code_identifiers(write_program(s, chosen, {}, placeholders).text);
  for (const std::string& name : placeholders) {
    used.erase(name);
    used.erase(name + "_async");
  }
  return write_program(s, chosen, predicted, job_function_names(s, used));
}

}  // namespace gilsim::cpython
