// The machine's probes, in Python, as the teaching program has them for `gilsim run --cpython`'s
// calibration: its process start, which gilsim_fidelity's fork probe runs too (one definition,
// docs/model.md P4e), and a pool's result's way back (P7c).
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

/// P7c: what a pool's result of `size` bytes costs, as the model splits it: pickle.dumps in the
/// worker (CPU time), the pipe to the parent (send_bytes() while a forked reader takes it with
/// recv_bytes(), as a pool's result handler does), pickle.loads in the parent (CPU time);
/// in seconds, each the median of `tries`.
inline constexpr std::string_view kSendBackFunction = R"(def send_back(size, tries=3):
    """What a pool's result of `size` bytes costs here, in seconds, each the median of `tries`:
    pickle.dumps in the worker (CPU), the pipe to the parent, pickle.loads there (CPU)."""
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the parent's end of a pool's result pipe, in a process of its own
        for _ in range(tries):
            reader.recv_bytes()
        os._exit(0)
    parts = []
    for _ in range(tries):
        result = bytes(size)
        start = time.thread_time()
        message = pickle.dumps(result)
        dumps = time.thread_time() - start
        start = time.perf_counter()
        writer.send_bytes(message)  # returns once the reader has taken most of it
        pipe = time.perf_counter() - start
        start = time.thread_time()
        pickle.loads(message)
        parts.append((dumps, pipe, time.thread_time() - start))
    os.waitpid(pid, 0)
    return [sorted(part)[tries // 2] for part in zip(*parts)]
)";

}  // namespace gilsim::cpython
