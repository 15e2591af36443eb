// The keys each part of a scenario file accepts, in the order the docs list them.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace gilsim::scenario {

inline constexpr std::array<std::string_view, 10> kTopKeys{"title", "note",  "seed",     "machine", "python",
                                                           "costs", "locks", "counters", "job",     "run"};
/// The top-level keys that hold a value rather than a table.
inline constexpr std::array<std::string_view, 3> kTopValueKeys{"title", "note", "seed"};
inline constexpr std::array<std::string_view, 5> kMachineKeys{"cores", "quantum", "context_switch", "core_speeds",
                                                               "placement"};
inline constexpr std::array<std::string_view, 5> kPythonKeys{"version", "gil", "switch_interval", "check_interval",
                                                             "free_threading_overhead"};
inline constexpr std::array<std::string_view, 68> kCostKeys{
    "timer_slack",       "timer_wake_min",   "timer_wake_window", "timer_wake_per_doubling", "wake_poll_window", "wake_poll_min", "wake_poll_max", "wake_per_doubling",
    "gil_mutex_take",    "gil_mutex_signal",
    "cross_halt_short", "cross_halt_long", "cross_wake_short", "cross_wake_short_p10", "cross_wake_mid", "cross_wake_mid_p10", "cross_wake_long", "cross_wake_long_p10", "cross_signal_short", "cross_signal_short_p10", "cross_signal_mid", "cross_signal_mid_p10", "cross_signal_long", "cross_signal_long_p10", "cross_spread",
    "handoff_refill",    "check_period",     "old_gil_handoff_probability",    "old_gil_release_cost",
    "old_gil_release_cost_one_core",         "thread_start",  "thread_bootstrap", "thread_start_tail", "fork_start",    "fork_call",     "fork_child_start",
    "fork_first_extra", "fork_first_call_extra", "fork_first_child_extra",
    "spawn_call",        "spawn_exec",       "spawn_start",      "tracker_start", "forkserver_start", "forkserver_request", "pool_setup",
    "pool_wakeup",       "pool_first_loop",  "pool_map_call",   "process_exit",
    "ipc_message",       "ipc_syscall",      "ipc_first_syscall", "ipc_first_pickle", "ipc_bandwidth", "ipc_task_bytes", "ipc_result_bytes",
    "ipc_apply_task_bytes", "ipc_apply_result_bytes", "ipc_executor_call_bytes", "ipc_executor_result_bytes",
    "pipe_capacity",     "loop_callback",    "lock_wake_latency", "lock_woken_try", "lock_release_wake",
    "increment",         "lock_with"};
/// Keys whose value is a list of numbers ([machine] core_speeds, a [[job]]'s cpus), set whole.
inline constexpr std::array<std::string_view, 3> kNumberListKeys{"core_speeds", "cpus", "peer_cpus"};
inline constexpr std::array<std::string_view, 7> kJobKeys{"name",         "count", "steps",    "arg_bytes",
                                                          "result_bytes", "cpus",  "peer_cpus"};
inline constexpr std::array<std::string_view, 15> kStepKeys{"cpu",     "native",  "io",      "block",     "sleep",
                                                            "offload", "disk",    "work",    "acquire",   "release",
                                                            "increment", "call",  "repeat",  "steps",   "answer"};
inline constexpr std::array<std::string_view, 10> kRunKeys{"name",      "executor", "workers",         "start_method", "method",
                                                           "chunksize", "gil",      "switch_interval", "cores",        "featured"};

/// Where a key misplaced in another table belongs: "[machine] or [[run]]" for "cores".
std::optional<std::string> home_of_key(std::string_view key);
/// The error for a top-level key (`key`) that TOML read into a table because it came after the
/// table's header: "'seed' does not belong in [machine]; it is a top-level key: ...".
std::string top_level_key_written_under(std::string_view key, std::string_view table_label);

}  // namespace gilsim::scenario
