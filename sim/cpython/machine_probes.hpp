// The machine's process start, in Python, as the teaching program (for `gilsim run --cpython`'s
// calibration) and gilsim_fidelity's fork probe both run it: one definition (docs/model.md P4e).
#pragma once

#include <string_view>

namespace gilsim::cpython {

/// One process start: the parent's os.fork(), the child's os._exit(0), the parent's waitpid(),
/// in seconds of perf_counter(). The probe runs it once to warm up, then kProcessStartTries
/// times, and takes the fastest: a busy machine only adds to a start.
inline constexpr std::string_view kStartProcessFunction = R"(def start_process():
    """One process start: os.fork(), the child's os._exit(0) and the parent's waitpid()."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return time.perf_counter() - start
)";

/// How many process starts the probe times after the one that warms up.
inline constexpr int kProcessStartTries = 20;

}  // namespace gilsim::cpython
