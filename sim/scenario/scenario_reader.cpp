// The top level of a scenario file and its three settings tables: [machine], [python],
// [costs]. Jobs and runs have their own readers (job_reader.cpp, run_reader.cpp).
#include "sim/scenario/scenario_reader.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/value_syntax.hpp"

namespace gilsim::scenario {

namespace {

using namespace gilsim::literals;

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();
constexpr std::array<std::string_view, 3> kGilNames{"new", "old", "none"};  // GilMode's order
constexpr std::array<std::string_view, 2> kPlacementNames{"shared", "per_cpu"};  // Placement's order

Machine read_machine(const TomlReader& reader, const toml::table* table) {
  Machine m;
  if (table == nullptr) return m;
  reader.check_keys(*table, kMachineKeys, "in [machine]");
  if (auto cores = reader.integer(*table, "cores", 1, kMaxCores)) m.cores = static_cast<int>(*cores);
  if (auto quantum = reader.fixed_duration(*table, "quantum", 1_ns)) m.quantum = *quantum;
  if (auto cost = reader.fixed_duration(*table, "context_switch", 0_ns)) m.context_switch = *cost;
  // A switch (S5) is paid out of the slice (S2): one that takes the whole slice leaves a
  // thread that shares its core no time to run, and the run would never end.
  if (m.context_switch >= m.quantum) {
    const toml::node* node = table->get("context_switch");
    reader.fail(node != nullptr ? *node : *table->get("quantum"),
                fmt::format("'context_switch' is {} and 'quantum' {}; expected a context switch shorter than the time "
                            "slice, which pays for it (docs/model.md S5)",
                            to_string(Duration::fixed(m.context_switch)), to_string(Duration::fixed(m.quantum))));
  }
  if (const toml::array* speeds = reader.array(*table, "core_speeds", "an array of relative speeds such as [1.0, 0.8]")) {
    if (speeds->size() > CoreSpeeds::kMax) {
      reader.fail(*speeds, fmt::format("'core_speeds' has {} speeds; expected at most {}, one per core from core 0",
                                       speeds->size(), CoreSpeeds::kMax));
    }
    for (const toml::node& speed : *speeds) m.core_speeds.push_back(reader.number(speed, "core_speeds", CoreSpeeds::kSlowest, CoreSpeeds::kFastest));
  }
  if (auto placement = reader.choice(*table, "placement", kPlacementNames)) m.placement = static_cast<Placement>(*placement);
  return m;
}

/// CPython's GIL by version: the old GIL up to 3.1, none in a free-threaded build, else new.
GilMode default_gil(const PythonVersion& v) {
  if (v.free_threaded) return GilMode::None;
  if (v <= PythonVersion{3, 1, false}) return GilMode::Old;
  return GilMode::New;
}

Python read_python(const TomlReader& reader, const toml::table* table) {
  Python p;
  if (table == nullptr) return p;
  reader.check_keys(*table, kPythonKeys, "in [python]");
  if (const toml::node* node = table->get("version")) {
    if (node->is_number() && !reader.from_override(*node)) {
      reader.fail(*node, "'version' is a number; expected a string in quotes such as \"3.12\" "
                         "(as a number, 3.10 would read as 3.1)");
    }
    const Parsed<PythonVersion> version = parse_python_version(reader.string(*node, "version"));
    if (!version.ok()) reader.fail(*node, version.error);
    p.version = version.value;
  }
  p.gil = default_gil(p.version);
  if (auto gil = reader.choice(*table, "gil", kGilNames)) p.gil = static_cast<GilMode>(*gil);
  if (auto interval = reader.fixed_duration(*table, "switch_interval", 1_us)) p.switch_interval = *interval;
  if (auto ticks = reader.integer(*table, "check_interval", 1, 1'000'000)) p.check_interval = static_cast<int>(*ticks);
  if (auto overhead = reader.number(*table, "free_threading_overhead", 0.0, 10.0)) p.free_threading_overhead = *overhead;
  return p;
}

struct CostDuration {
  std::string_view key;
  Time Costs::*field;
};
constexpr std::array<CostDuration, 58> kCostDurations{{
    {"timer_slack", &Costs::timer_slack},
    {"timer_wake_min", &Costs::timer_wake_min},
    {"timer_wake_window", &Costs::timer_wake_window},
    {"timer_wake_per_doubling", &Costs::timer_wake_per_doubling},
    {"wake_poll_window", &Costs::wake_poll_window},
    {"wake_poll_min", &Costs::wake_poll_min},
    {"wake_poll_max", &Costs::wake_poll_max},
    {"wake_per_doubling", &Costs::wake_per_doubling},
    {"gil_mutex_take", &Costs::gil_mutex_take},
    {"gil_mutex_signal", &Costs::gil_mutex_signal},
    {"cross_halt_short", &Costs::cross_halt_short},
    {"cross_halt_long", &Costs::cross_halt_long},
    {"cross_wake_short_p10", &Costs::cross_wake_short_p10},
    {"cross_wake_short", &Costs::cross_wake_short},
    {"cross_wake_mid_p10", &Costs::cross_wake_mid_p10},
    {"cross_wake_mid", &Costs::cross_wake_mid},
    {"cross_wake_long_p10", &Costs::cross_wake_long_p10},
    {"cross_wake_long", &Costs::cross_wake_long},
    {"cross_signal_short_p10", &Costs::cross_signal_short_p10},
    {"cross_signal_short", &Costs::cross_signal_short},
    {"cross_signal_mid_p10", &Costs::cross_signal_mid_p10},
    {"cross_signal_mid", &Costs::cross_signal_mid},
    {"cross_signal_long_p10", &Costs::cross_signal_long_p10},
    {"cross_signal_long", &Costs::cross_signal_long},
    {"handoff_refill", &Costs::handoff_refill},
    {"check_period", &Costs::check_period},
    {"old_gil_release_cost", &Costs::old_gil_release_cost},
    {"old_gil_release_cost_one_core", &Costs::old_gil_release_cost_one_core},
    {"thread_start", &Costs::thread_start},
    {"thread_bootstrap", &Costs::thread_bootstrap},
    {"thread_start_tail", &Costs::thread_start_tail},
    {"fork_start", &Costs::fork_start},
    {"fork_call", &Costs::fork_call},
    {"fork_child_start", &Costs::fork_child_start},
    {"fork_first_extra", &Costs::fork_first_extra},
    {"fork_first_call_extra", &Costs::fork_first_call_extra},
    {"fork_first_child_extra", &Costs::fork_first_child_extra},
    {"spawn_call", &Costs::spawn_call},
    {"spawn_exec", &Costs::spawn_exec},
    {"spawn_start", &Costs::spawn_start},
    {"tracker_start", &Costs::tracker_start},
    {"forkserver_start", &Costs::forkserver_start},
    {"forkserver_request", &Costs::forkserver_request},
    {"pool_setup", &Costs::pool_setup},
    {"pool_wakeup", &Costs::pool_wakeup},
    {"pool_first_loop", &Costs::pool_first_loop},
    {"pool_map_call", &Costs::pool_map_call},
    {"process_exit", &Costs::process_exit},
    {"ipc_message", &Costs::ipc_message},
    {"ipc_syscall", &Costs::ipc_syscall},
    {"ipc_first_syscall", &Costs::ipc_first_syscall},
    {"ipc_first_pickle", &Costs::ipc_first_pickle},
    {"loop_callback", &Costs::loop_callback},
    {"lock_wake_latency", &Costs::lock_wake_latency},
    {"lock_woken_try", &Costs::lock_woken_try},
    {"lock_release_wake", &Costs::lock_release_wake},
    {"increment", &Costs::increment},
    {"lock_with", &Costs::lock_with},
}};

/// G8d's law: the halt bands in order, and each band's 10th percentile no more than its median.
void check_cross_cpu_law(const TomlReader& reader, const toml::table& table, const Costs& c) {
  if (c.cross_wake_short <= 0_ns) return;  // the law off (G8/G8b's values)
  const auto fail_at = [&](std::string_view first, std::string_view second, Time a, Time b) {
    const toml::node* node = table.get(first);
    if (node == nullptr) node = table.get(second);
    reader.fail(*node, fmt::format("{} ({}) is more than {} ({}); expected them in order", first, format_time(a),
                                   second, format_time(b)));
  };
  if (c.cross_halt_short > c.cross_halt_long) {
    fail_at("cross_halt_short", "cross_halt_long", c.cross_halt_short, c.cross_halt_long);
  }
  struct Band {
    std::string_view p10, median;
    Time Costs::*low;
    Time Costs::*mid;
  };
  const std::array<Band, 6> bands{{
      {"cross_wake_short_p10", "cross_wake_short", &Costs::cross_wake_short_p10, &Costs::cross_wake_short},
      {"cross_wake_mid_p10", "cross_wake_mid", &Costs::cross_wake_mid_p10, &Costs::cross_wake_mid},
      {"cross_wake_long_p10", "cross_wake_long", &Costs::cross_wake_long_p10, &Costs::cross_wake_long},
      {"cross_signal_short_p10", "cross_signal_short", &Costs::cross_signal_short_p10, &Costs::cross_signal_short},
      {"cross_signal_mid_p10", "cross_signal_mid", &Costs::cross_signal_mid_p10, &Costs::cross_signal_mid},
      {"cross_signal_long_p10", "cross_signal_long", &Costs::cross_signal_long_p10, &Costs::cross_signal_long},
  }};
  for (const Band& b : bands) {
    if (c.*b.low > c.*b.mid) fail_at(b.p10, b.median, c.*b.low, c.*b.mid);
  }
}

Costs read_costs(const TomlReader& reader, const toml::table* table) {
  Costs c;
  if (table == nullptr) return c;
  reader.check_keys(*table, kCostKeys, "in [costs]");
  for (const CostDuration& d : kCostDurations) {
    const Time least = d.key == "wake_poll_window" || d.key == "timer_wake_window" ? 1_ns : 0_ns;  // a log2's base
    if (auto t = reader.fixed_duration(*table, d.key, least)) c.*d.field = *t;
  }
  if (c.wake_poll_min > c.wake_poll_max) {
    const toml::node* node = table->get("wake_poll_min");
    if (node == nullptr) node = table->get("wake_poll_max");
    reader.fail(*node, fmt::format("wake_poll_min ({}) is more than wake_poll_max ({}); expected min <= max",
                                   format_time(c.wake_poll_min), format_time(c.wake_poll_max)));
  }
  check_cross_cpu_law(reader, *table, c);
  if (auto spread = reader.number(*table, "cross_spread", 0.0, 1.0)) c.cross_spread = *spread;
  if (auto p = reader.number(*table, "old_gil_handoff_probability", 0.0, 1.0)) c.old_gil_handoff_probability = *p;
  if (auto bandwidth = reader.number(*table, "ipc_bandwidth", 1.0, 1e15)) c.ipc_bandwidth = *bandwidth;
  if (auto capacity = reader.integer(*table, "pipe_capacity", 1, std::int64_t{1} << 40)) c.pipe_capacity = *capacity;
  if (auto bytes = reader.integer(*table, "ipc_task_bytes", 0, std::int64_t{1} << 40)) c.ipc_task_bytes = *bytes;
  if (auto bytes = reader.integer(*table, "ipc_result_bytes", 0, std::int64_t{1} << 40)) c.ipc_result_bytes = *bytes;
  if (auto bytes = reader.integer(*table, "ipc_apply_task_bytes", 0, std::int64_t{1} << 40)) c.ipc_apply_task_bytes = *bytes;
  if (auto bytes = reader.integer(*table, "ipc_apply_result_bytes", 0, std::int64_t{1} << 40)) c.ipc_apply_result_bytes = *bytes;
  if (auto bytes = reader.integer(*table, "ipc_executor_call_bytes", 0, std::int64_t{1} << 40)) c.ipc_executor_call_bytes = *bytes;
  if (auto bytes = reader.integer(*table, "ipc_executor_result_bytes", 0, std::int64_t{1} << 40)) c.ipc_executor_result_bytes = *bytes;
  return c;
}

/// Whether a job talks to a peer process: a step with `answer` (S9).
bool talks_to_peer(const JobTemplate& job) {
  return std::any_of(job.steps.begin(), job.steps.end(), [](const Step& st) { return st.answer > Time::zero(); });
}

/// Pinned jobs and peers (docs/model.md S9) are threads of their own on named CPUs: every
/// run starts one thread per job, and a run's own core count keeps every named CPU.
void check_pinned_runs(const TomlReader& reader, const toml::table& root, const Scenario& s) {
  const JobTemplate* pinned = nullptr;
  int highest = -1;
  for (const JobTemplate& job : s.jobs) {
    if (job.cpus.empty() && !talks_to_peer(job)) continue;
    if (pinned == nullptr) pinned = &job;
    for (const auto* list : {&job.cpus, &job.peer_cpus}) {
      if (!list->empty()) highest = std::max(highest, list->back());
    }
  }
  if (pinned == nullptr) return;
  const toml::array& runs = *root.get("run")->as_array();
  for (std::size_t i = 0; i < s.runs.size(); ++i) {
    const Run& run = s.runs[i];
    const toml::table& t = *runs.get(i)->as_table();
    if (run.executor != Executor::Threads) {
      // Say which of the two it is: the student wrote one of them.
      const bool peer = talks_to_peer(*pinned);
      const std::string what = !pinned->cpus.empty() && peer
                                   ? "is pinned to CPUs (cpus) and talks to a peer process (a step with answer)"
                               : peer ? "talks to a peer process (a step with answer)"
                                      : "is pinned to CPUs (cpus)";
      reader.fail(*t.get("executor"), fmt::format("job '{}' (line {}) {}, which only a thread of its own does; expected "
                                                  "executor = \"threads\"",
                                                  pinned->name, pinned->where.line, what));
    }
    if (run.cores && *run.cores <= highest) {
      reader.fail(*t.get("cores"), fmt::format("run '{}' has {} core{} but a job names CPU {}; expected cores = {} or more",
                                               run.name, *run.cores, *run.cores == 1 ? "" : "s", highest, highest + 1));
    }
  }
}

/// A missing title written under a table header, where TOML put it: the error points there.
void check_title_under_a_table(const TomlReader& reader, const toml::table& root) {
  for (const auto& [key, node] : root) {
    const auto look = [&](const toml::node& element, std::string_view brackets_open, std::string_view brackets_close) {
      const toml::table* t = element.as_table();
      if (t == nullptr) return;
      for (const auto& [inner, value] : *t) {
        if (inner.str() != "title") continue;
        reader.fail(inner.source(), top_level_key_written_under(
                                        "title", fmt::format("in {}{}{}", brackets_open, key.str(), brackets_close)));
      }
    };
    look(node, "[", "]");
    if (const toml::array* array = node.as_array()) {
      for (const toml::node& element : *array) look(element, "[[", "]]");
    }
  }
}

}  // namespace

Scenario read_scenario(const TomlReader& reader, const toml::table& root, std::vector<JobTemplate>* jobs_read) {
  reader.check_keys(root, kTopKeys, "at the top level");
  Scenario s;
  const auto title = reader.one_line(root, "title", "a short title for the scenario");
  if (!title) check_title_under_a_table(reader, root);
  if (!title) reader.missing(root, "title", "at the top level", "a line such as title = \"Four downloads\"");
  s.title = *title;
  s.note = reader.string(root, "note").value_or("");
  if (auto seed = reader.integer(root, "seed", 0, kNoLimit)) s.seed = static_cast<std::uint64_t>(*seed);
  s.machine = read_machine(reader, reader.table(root, "machine"));
  s.python = read_python(reader, reader.table(root, "python"));
  s.costs = read_costs(reader, reader.table(root, "costs"));
  s.locks = read_locks(reader, reader.table(root, "locks"));
  s.counters = read_counters(reader, reader.table(root, "counters"));
  s.jobs = jobs_read != nullptr ? std::move(*jobs_read) : read_jobs(reader, root, shared_names(s), s.machine);
  s.runs = read_runs(reader, root);
  check_pinned_runs(reader, root, s);
  s.source = reader.source_name();
  return s;
}

}  // namespace gilsim::scenario
