// The life of one process-pool worker: read the config, then chunks; run their jobs on the
// worker's own GIL; send results, and at the end every record it made.
#pragma once

namespace gilsim::real::pool {

/// Set in a spawned worker's environment: "<task fd>,<result fd>". A program that links
/// gilsim_real and finds it at start-up becomes a worker before main() runs.
inline constexpr const char* kWorkerEnvironment = "GILSIM_REAL_WORKER";
/// argv[1] of a spawned worker, so `ps` shows what it is.
inline constexpr const char* kWorkerArgument = "--gilsim-real-worker";

/// The worker's body; returns its exit status. Never returns to the caller's program logic:
/// a forked or spawned child calls it and then _exit()s with the result.
int run_pool_worker(int task_fd, int result_fd);

}  // namespace gilsim::real::pool
