"""Shared helpers of the CPython ground-truth suite (fidelity/cpython/*.py).

Every program of the suite measures one classic effect of CPython's GIL, threads, asyncio
or multiprocessing, and prints one JSON object on stdout:

    {"program": "cpu_bound", "python": "3.11.2", "executable": "/usr/bin/python3",
     "cpu_count": 2, "quick": false, "load_start": [..3..], "load_end": [..3..],
     "sections": {"sequential": {"wall": 0.81, "cpu": 0.80, "cores": 1, ...}, ...}}

A section is one measured run: its wall time (perf_counter), the CPU time the process and
its reaped children got meanwhile (process_time, os.times), how many cores it needs to run as intended
(`cores`: a timer needs one core free to wake up on time, a GIL hand-off between threads
two), how many cores' worth of CPU it keeps busy from start to end (`busy`: its CPU time
must come near busy x wall), and any figures of its own (per-operation times, GIL
tenures...), all in seconds. A section whose figures a late wake-up would spoil also gives
`cpu_wait`, how long its threads were runnable but waiting for a CPU (the kernel's
schedstat), and `cpu_wait_limit`, the most it allows; or `disturbed`, the fraction the machine
disturbed (gil_tenure.py: of the time the GIL's holder held it, the part the kernel preempted
it), and `disturbed_limit`. `gilsim_fidelity --cpython` reads the sections, and flags a section that
did not get the cores it needed instead of scoring it. The two sections a CPU-bound ratio
divides each give `pace`, their jobs' CPU seconds per planned loop: a run whose two paces
differ by more than 10 % is left out of the ratio (the host's speed moved between them).

Standard library only, so that Debian's /usr/bin/python3 runs it as it is.
"""

import contextlib
import json
import os
import platform
import statistics
import sys
import threading
import time


def countdown(n):
    """Beazley's countdown: pure Python bytecode that holds the GIL throughout."""
    while n > 0:
        n -= 1


def loops_per_second():
    """countdown iterations per second of CPU time (thread_time, so that other programs
    sharing the cores do not shorten the work): the fastest of three 50 ms runs."""
    amount = 10_000
    while _cpu_seconds(amount) < 0.05:
        amount *= 2
    return amount / min(_cpu_seconds(amount) for _ in range(3))


def _cpu_seconds(amount):
    start = time.thread_time()
    countdown(amount)
    return time.thread_time() - start


@contextlib.contextmanager
def switch_interval(seconds):
    """sys.setswitchinterval(seconds) for the block; the previous interval after it."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def beside_hog(target, hog=True):
    """Runs `target` on a thread, beside a CPU-bound thread (when `hog`) that is started
    first, so that it holds the GIL, and computes until `target` returns."""
    stop = threading.Event()

    def run():
        try:
            target()
        finally:
            stop.set()

    def cpu_bound():
        while not stop.is_set():
            countdown(1000)

    threads = [threading.Thread(target=cpu_bound)] if hog else []
    threads.append(threading.Thread(target=run))
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_queue_wait():
    """The calling thread's wait for a CPU so far, in seconds: the time it was runnable but
    not running (/proc/thread-self/schedstat, Linux), or 0 where the kernel does not say."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_time_of(pid):
    """The CPU time so far of a live process's main thread, in seconds (/proc/PID/schedstat,
    in ns where os.times counts 10 ms ticks); 0 where the kernel does not say."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def two_cpus():
    """Two CPUs this process may run on, to pin two threads one to each; [None, None] where
    threads cannot be pinned (not Linux, or one CPU)."""
    if not hasattr(os, "sched_getaffinity"):
        return [None, None]
    allowed = sorted(os.sched_getaffinity(0))
    return allowed[:2] if len(allowed) >= 2 else [None, None]


@contextlib.contextmanager
def pinned(cpu):
    """The calling thread on `cpu` only for the block (None: left where it is), then back on
    the CPUs it had."""
    if cpu is None:
        yield
        return
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


def import_pool_modules():
    """Imports what multiprocessing imports on the first Pool() with each start method
    (tens of milliseconds), so that no timed section pays for it."""
    import multiprocessing.pool  # noqa: F401
    import multiprocessing.popen_fork  # noqa: F401
    import multiprocessing.popen_spawn_posix  # noqa: F401


def process_cpu():
    """CPU time of this process (process_time: nanoseconds, where os.times counts 10 ms
    ticks) and of its children that were waited for (os.times: pools' workers)."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def own_autogroup():
    """Gives the session's scheduler autogroup this process's nice value (Linux, as root; else
    nothing): setsid and nice alone leave the group at nice 0, sharing the CPUs equally with
    every other session on a busy machine. For the probes run by hand; the suite's runner
    does it for its programs."""
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(os.nice(0)))
    except OSError:
        pass


def probe_options(program, args):
    """A probe's options, --quick, --json and --rounds N (1 to 100; 1 with --quick, else 5):
    (quick, as_json, rounds), or the program exits with the options it takes."""
    args = list(args)
    quick = "--quick" in args
    rounds = 1 if quick else 5
    if "--rounds" in args:
        at = args.index("--rounds")
        try:
            rounds = int(args[at + 1])
        except (IndexError, ValueError):
            rounds = 0
        if not 1 <= rounds <= 100:
            sys.exit(f"{program}: --rounds needs a whole number from 1 to 100")
        del args[at:at + 2]
    unknown = [a for a in args if a not in ("--quick", "--json")]
    if unknown:
        sys.exit(f"{program}: unknown argument {unknown[0]!r}; options: --quick, --rounds N, --json")
    return quick, "--json" in args, rounds


def load_average():
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else []


class Section:
    """Times a block: `with report.section("threads", cores=2, busy=1) as s: ...; s["per_op"] = x`.
    A section entered again goes on: its wall and CPU times add up (`rounds` counts the
    blocks), so that sections measured in turns (A B B A) cancel the machine's drift."""

    def __init__(self, report, name, cores, busy):
        self.report = report
        self.fields = report.sections.get(name, {"cores": cores, "busy": busy, "wall": 0.0, "cpu": 0.0, "rounds": 0})
        self.name = name

    def __enter__(self):
        self.cpu = process_cpu()
        self.start = time.perf_counter()
        return self.fields

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.fields["wall"] += time.perf_counter() - self.start
            self.fields["cpu"] += process_cpu() - self.cpu
            self.fields["rounds"] += 1
            self.report.sections[self.name] = self.fields
        return False


class Report:
    def __init__(self, program):
        self.program = program
        self.quick = "--quick" in sys.argv[1:]
        unknown = [a for a in sys.argv[1:] if a != "--quick"]
        if unknown:
            sys.exit(f"{program}: unknown argument {unknown[0]!r}; the only option is --quick (tiny sizes, for tests)")
        self.sections = {}
        self.load_start = load_average()

    def section(self, name, cores, busy=0):
        return Section(self, name, cores, busy)

    def size(self, full, quick):
        return quick if self.quick else full

    def print(self):
        out = {
            "program": self.program,
            "python": platform.python_version(),
            "executable": sys.executable,
            "cpu_count": os.cpu_count(),
            "quick": self.quick,
            "load_start": self.load_start,
            "load_end": load_average(),
            "sections": self.sections,
        }
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        sys.stdout.flush()


def median(values):
    return statistics.median(values) if values else 0.0
