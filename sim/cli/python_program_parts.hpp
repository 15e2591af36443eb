// The fixed parts of every generated Python program: calibration, the function for each
// kind of step, one function per executor, and the timing of a run (python_program.cpp
// puts them together with the scenario's jobs and runs).
#pragma once

#include <string_view>

namespace gilsim::cli::python_parts {

inline constexpr std::string_view kCalibration = R"PY(
# ---- calibration: how much work is one second on this machine ------------------------

CALIBRATION = {"loops_per_second": 0.0, "bytes_per_second": 0.0}
BUFFER = memoryview(bytes(4 * 1024 * 1024))  # hashed by native_work, 4 MiB at a time


def countdown(n):
    """Beazley's countdown: pure Python bytecode, holding the GIL throughout."""
    while n > 0:
        n -= 1


def hash_bytes(count):
    """sha256 over `count` bytes; hashlib releases the GIL for buffers over 2 KiB."""
    digest = hashlib.sha256()
    while count > 0:
        chunk = min(count, len(BUFFER))
        digest.update(BUFFER[:chunk])
        count -= chunk


def rate(work):
    """Units of `work` per second of CPU time: grow the amount until it takes 50 ms,
    then keep the fastest of three. CPU time, not wall time, so that other programs
    sharing the cores during calibration do not make the work too short."""
    amount = 10_000
    while cpu_seconds(work, amount) < 0.05:
        amount *= 2
    return amount / min(cpu_seconds(work, amount) for _ in range(3))


def cpu_seconds(work, amount):
    start = time.thread_time()
    work(amount)
    return time.thread_time() - start


def calibrate():
    CALIBRATION["loops_per_second"] = rate(countdown)
    CALIBRATION["bytes_per_second"] = rate(hash_bytes)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"calibrated: {CALIBRATION['loops_per_second'] / 1e6:.1f} M loops/s, "
          f"sha256 {CALIBRATION['bytes_per_second'] / 1e9:.2f} GB/s; "
          f"load average {load:.1f} on {os.cpu_count()} cores", flush=True)


def set_calibration(calibration):
    """Pool initializer: a spawned worker does not inherit the parent's globals, nor
    its warmed-up loop (CPython 3.11+ specialises a function after a few calls)."""
    CALIBRATION.update(calibration)
    for _ in range(10):
        countdown(1000)


# ---- the kinds of step ------------------------------------------------------------------

def python_work(seconds):
    """cpu: pure Python for `seconds`; it holds the GIL and drops it when asked."""
    countdown(int(seconds * CALIBRATION["loops_per_second"]))


def native_work(seconds):
    """native: C code that releases the GIL for `seconds` (hashlib, zlib, NumPy)."""
    hash_bytes(int(seconds * CALIBRATION["bytes_per_second"]))


def blocking_wait(seconds):
    """io: a blocking system call that releases the GIL, like a socket read waiting
    for a reply. select() on no sockets waits in the kernel for its timeout."""
    if sys.platform == "win32":  # Windows' select() refuses three empty lists
        time.sleep(seconds)
    else:
        select.select([], [], [], seconds)
)PY";

inline constexpr std::string_view kSequential = R"PY(
def run_sequential():
    """The jobs one after another on the main thread."""
    for job in JOBS:
        job()
)PY";

inline constexpr std::string_view kThreads = R"PY(
def run_threads():
    """One threading.Thread per job, all started, then all joined."""
    threads = [threading.Thread(target=job) for job in JOBS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
)PY";

inline constexpr std::string_view kThreadPool = R"PY(
def run_thread_pool(max_workers=None):
    """A ThreadPoolExecutor; None means min(32, os.cpu_count() + 4) workers."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(job) for job in JOBS]
        for future in futures:
            future.result()  # re-raises a job's exception
)PY";

inline constexpr std::string_view kAsyncio = R"PY(
def run_asyncio(executor_workers=None):
    """One event loop; every job is a task. to_thread work goes to the loop's default
    executor, a ThreadPoolExecutor (min(32, os.cpu_count() + 4) workers unless given)."""
    asyncio.run(asyncio_main(executor_workers))


async def asyncio_main(executor_workers):
    if executor_workers is not None:
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=executor_workers)
        asyncio.get_running_loop().set_default_executor(executor)
    await asyncio.gather(*(job() for job in ASYNC_JOBS))
)PY";

inline constexpr std::string_view kProcessPool = R"PY(
def call(job):
    """Runs one job in a worker process; the job function is pickled by name."""
    return job()


def run_process_pool(processes=None, chunksize=None, start_method=None, method="map"):
    """multiprocessing.Pool: `processes` None means os.cpu_count(); chunksize None means
    Pool.map's own choice (imap's is 1); start_method None means the platform's default.
    Every result is collected before the with-block terminates the workers."""
    context = multiprocessing.get_context(start_method)
    with context.Pool(processes, initializer=set_calibration, initargs=(CALIBRATION,)) as pool:
        if method == "map":
            pool.map(call, JOBS, chunksize)
        elif method == "imap":
            list(pool.imap(call, JOBS, chunksize or 1))
        elif method == "imap_unordered":
            list(pool.imap_unordered(call, JOBS, chunksize or 1))
        else:
            for result in [pool.apply_async(call, (job,)) for job in JOBS]:
                result.get()
)PY";

inline constexpr std::string_view kProcesses = R"PY(
def calibrated(job, calibration):
    """A Process's target: a spawned child gets the parent's calibration, then runs the job."""
    set_calibration(calibration)
    job()


def run_processes(start_method=None):
    """One multiprocessing.Process per job, all started, then all joined. A Process hands
    back no result: that would take a Queue (a Pool collects results for you)."""
    context = multiprocessing.get_context(start_method)
    processes = [context.Process(target=calibrated, args=(job, CALIBRATION)) for job in JOBS]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
)PY";

inline constexpr std::string_view kTiming = R"PY(
# ---- timing each run --------------------------------------------------------------------

def gil_enabled():
    """False only on a free-threaded build (3.13t and later) running without its GIL."""
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_gil_enabled is None else is_gil_enabled()


def skip(name, reason):
    print(f"run {name}: skipped ({reason})", flush=True)


def timed(name, run, *, needs_gil=True, switch_interval=None, cores=None, **options):
    """Runs `run(**options)` and prints its wall time as "run NAME: X.XXX s".
    Calibrates first: a machine's speed drifts (turbo, a virtual CPU moving hosts)."""
    if needs_gil and not gil_enabled():
        return skip(name, "the run needs a GIL; this interpreter runs without one")
    if not needs_gil and gil_enabled():
        return skip(name, "the run needs a free-threaded build without its GIL, such as 3.13t")
    default_interval = sys.getswitchinterval()
    allowed_cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    try:
        if switch_interval is not None:
            sys.setswitchinterval(switch_interval)
        if cores is not None and allowed_cpus is not None:
            os.sched_setaffinity(0, sorted(allowed_cpus)[:cores])
        calibrate()
        start = time.perf_counter()
        run(**options)
        elapsed = time.perf_counter() - start
    finally:
        sys.setswitchinterval(default_interval)
        if cores is not None and allowed_cpus is not None:
            os.sched_setaffinity(0, allowed_cpus)
    print(f"run {name}: {elapsed:.3f} s", flush=True)
)PY";

}  // namespace gilsim::cli::python_parts
