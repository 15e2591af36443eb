// The kernel's count of a thread's waits for a core: run_delay, the second field of
// /proc/thread-self/schedstat (the time it was ready to run but had no core), added up over
// a run's threads and processes so that a busy machine's late wake-ups are measured, not
// guessed from the CPU time the run did not get.
#pragma once

#include <optional>
#include <string_view>

#include "sim/real/run_context.hpp"

namespace gilsim::real {

/// run_delay from the text of a schedstat file ("<on cpu ns> <run delay ns> <slices>"), or
/// nullopt when it has no such field.
std::optional<Time> parse_schedstat(std::string_view text);

/// The calling thread's run_delay: its waits for a core since it started (a new thread or a
/// forked process starts at zero), or nullopt where the kernel keeps no count. System calls
/// only, no allocation: a forked child of a threaded process may call it.
std::optional<Time> thread_run_delay();

/// Counts the calling thread's waits for a core into its run (RunContext::count_waits_for_core)
/// when it is destroyed: those since the thread started (Since::ThreadStart, a thread the run
/// started) or since it was made (Since::Now, a thread that lived before the run).
class CoreWaitCount {
 public:
  enum class Since { ThreadStart, Now };
  CoreWaitCount(RunContext& ctx, Since since)
      : ctx_(ctx), before_(since == Since::Now ? thread_run_delay() : std::optional<Time>(Time::zero())) {}
  ~CoreWaitCount();
  CoreWaitCount(const CoreWaitCount&) = delete;
  CoreWaitCount& operator=(const CoreWaitCount&) = delete;

 private:
  RunContext& ctx_;
  std::optional<Time> before_;
};

}  // namespace gilsim::real
