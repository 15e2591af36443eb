// Running a scenario for real on this machine: threads on a real GIL, a real event loop,
// forked or spawned worker processes. The result is a measured Trace in the model's terms.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::real {

/// Caps that keep a real run on a shared machine sane, whatever the file asks.
inline constexpr int kMaxRealThreads = 256;    ///< OS threads one real run may start
inline constexpr int kMaxRealProcesses = 64;   ///< worker processes one real run may start
inline constexpr Time kMaxRealCpuWork = Time{60'000'000'000};     ///< cpu + native + block, summed
inline constexpr Time kMaxRealDuration = Time{120'000'000'000};   ///< lower bound of the makespan
inline constexpr int kMaxRealJobs = 20'000;
inline constexpr std::int64_t kMaxRealSteps = 1'000'000;          ///< all jobs' steps together
inline constexpr std::int64_t kMaxRealPayloadBytes = 256LL << 20;  ///< arg + result bytes, summed

struct ExecuteOptions {
  /// The run is stopped (every thread and process ended) and RealRunError thrown after this.
  Time timeout = Time{120'000'000'000};
  /// Called on the calling thread about every 100 ms and once at the end.
  std::function<void(int jobs_done, int jobs_total)> progress;
  /// When it becomes true the run stops promptly; see interrupt_flag().
  const std::atomic<bool>* cancel = nullptr;
};

/// Why a real run failed. One type; reason() tells which way.
class RealRunError : public std::runtime_error {
 public:
  enum class Reason { NotRunnable, TimedOut, Cancelled, WorkerFailed, SystemError };
  RealRunError(Reason reason, const std::string& message)
      : std::runtime_error(message), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

/// Why `run` of `scenario` cannot run for real here (too many threads or processes, too
/// much CPU work...), with the limit; nullopt when it can.
std::optional<std::string> why_not_runnable(const scenario::Scenario& scenario,
                                            const scenario::Run& run);

/// Runs `run` of `scenario` for real and returns its measured Trace (Origin::Measured).
/// Blocks the calling thread until the run ends. Throws RealRunError when the run is not
/// runnable, times out, is cancelled or a worker fails; no thread or child process is left.
trace::Trace execute(const scenario::Scenario& scenario, const scenario::Run& run,
                     const ExecuteOptions& options = {});

/// CPUs this process may run on; a real run uses min(its cores, this).
int available_cpus();

/// Set by the handler of an InterruptScope; pass it as ExecuteOptions::cancel.
std::atomic<bool>& interrupt_flag();

/// While it lives, SIGINT only sets interrupt_flag() (cleared on entry); a second Ctrl-C
/// while the flag is still set takes the default action, so the program ends. On exit the
/// previous SIGINT disposition comes back, so Ctrl-C stops the program between runs.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  struct sigaction previous_ {};
};

}  // namespace gilsim::real
