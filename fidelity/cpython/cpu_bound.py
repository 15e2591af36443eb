"""CPU-bound threads against sequential and a process pool: four jobs of pure Python on
two cores. Paired with fidelity/scenarios/cpu-bound.toml.

The classic demonstration: four threads are no faster than a loop (CPython: a little
slower, the GIL changing hands across cores); Pool(2) is about twice as fast. Jobs of 100 ms
of Python, in two rounds: the whole program takes about 4 s.
Figures compared as ratios (threads / sequential, pool / sequential): the machine's speed
drifts, so the sections run in turns, sequential, threads, pool, pool, threads, sequential,
twice, and each section's wall time is the sum of its turns (a steady drift cancels out).

The two CPUs of a virtual machine need not run at one speed: on the development machine the
same loop took 50 ms on one and 80 ms on the other, and which was faster changed within
seconds (the host's other work). Threads that hand the GIL across both CPUs run at about
their mean speed, while a loop left alone stays on one CPU: whichever it landed on decided
the ratio. The loop's turns are therefore pinned, half of them to each CPU.

A shared machine favours the threads: the kernel shares the CPUs fairly between busy
programs, and a thread that sleeps while it waits for the GIL is given its turn back sooner
than a loop that never sleeps, so on a busy machine the loop got less of a CPU than the
threads and the threads looked faster than the loop (0.62x to 1.21x). Each job therefore
reads how long it waited for a CPU (the kernel's schedstat), and the runner does not score the
loop or the pool when their jobs waited more than 5 % of the section's busy time.

The host's Python speed also jumps between levels within seconds (docs/cpython-traces.md,
"Off pace"), which taking turns does not cancel. Each section therefore keeps its jobs' CPU
time (`jobs_cpu`) and the loops they were planned (`loops`), and gives its `pace`, CPU
seconds per loop: the runner leaves out a run whose compared sections' paces differ by more
than trace::CpuCheck::kPaceTolerance.
"""

import multiprocessing
import os
import threading
import time

import suite

JOBS = 4
JOB_SECONDS = 0.1  # of Python, per job
ROUNDS = 2


def crunch(loops):
    """One job; returns how long it was runnable but waiting for a CPU and how much CPU time
    it took, in seconds, and the process that ran it."""
    waited = suite.run_queue_wait()
    cpu = time.thread_time()
    suite.countdown(loops)
    return suite.run_queue_wait() - waited, time.thread_time() - cpu, os.getpid()


def add_jobs(section, jobs, loops):
    """The jobs' CPU time and the loops they were planned, for the section's pace."""
    section["jobs_cpu"] = section.get("jobs_cpu", 0.0) + sum(job[1] for job in jobs)
    section["loops"] = section.get("loops", 0) + loops * len(jobs)


def sequential(report, loops, cpu, index):
    """The loop, pinned to `cpu` (None: where the kernel puts it), the `index`th of the two.
    Each CPU's share of the wall time is kept too (`wall_cpu0`, `wall_cpu1`), and of the jobs'
    CPU time (`jobs_cpu0`, `jobs_cpu1`: each CPU's speed while the loop ran there), to compare
    with what cpu_speeds.py measured before the program (docs/model.md S7)."""
    with suite.pinned(cpu), report.section("sequential", cores=1, busy=1) as s:
        start = time.perf_counter()
        jobs = [crunch(loops) for _ in range(JOBS)]
        wall = time.perf_counter() - start
    s["cpu_wait"] = s.get("cpu_wait", 0.0) + sum(job[0] for job in jobs)
    add_jobs(s, jobs, loops)
    s[f"wall_cpu{index}"] = s.get(f"wall_cpu{index}", 0.0) + wall
    s[f"jobs_cpu{index}"] = s.get(f"jobs_cpu{index}", 0.0) + sum(job[1] for job in jobs)


def threads(report, loops, cpu=None, index=None):
    """No wait for a CPU is checked here beyond the CPU time: the threads waiting for the GIL
    wait for a CPU too when their timed wait runs out, which costs the holder nothing. Each
    thread's CPU time (thread_time) is its own job's: the GIL's waits are off the CPU."""
    jobs = []
    with report.section("threads", cores=2, busy=1) as s:
        workers = [threading.Thread(target=lambda: jobs.append(crunch(loops))) for _ in range(JOBS)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
    add_jobs(s, jobs, loops)


def pool(report, loops, cpu=None, index=None):
    """Besides the wall time, what decided it (in --raw): `started`, the time Pool() took,
    and `slower_worker` and `faster_worker`, each worker's CPU time for its jobs (the map
    waits for the slower one: how far the two CPUs' speeds differed while it ran)."""
    with report.section("pool", cores=2, busy=2) as s:
        start = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(2) as workers:
            started = time.perf_counter() - start
            jobs = workers.map(crunch, [loops] * JOBS, chunksize=1)
    s["cpu_wait"] = s.get("cpu_wait", 0.0) + sum(job[0] for job in jobs)
    add_jobs(s, jobs, loops)
    per_worker = {}
    for _, cpu_time, pid in jobs:
        per_worker[pid] = per_worker.get(pid, 0.0) + cpu_time
    s["started"] = s.get("started", 0.0) + started
    s["slower_worker"] = s.get("slower_worker", 0.0) + max(per_worker.values())
    s["faster_worker"] = s.get("faster_worker", 0.0) + (min(per_worker.values()) if len(per_worker) > 1 else 0.0)


def main():
    report = suite.Report("cpu_bound")
    suite.import_pool_modules()
    loops = int(suite.loops_per_second() * report.size(JOB_SECONDS, 0.005))
    crunch(1000)  # warm the loop up (3.11 specialises a function after a few calls)
    cpus = suite.two_cpus()
    for round_ in range(report.size(ROUNDS, 1)):
        first, second = (0, 1) if round_ % 2 == 0 else (1, 0)
        for measure, index in ((sequential, first), (threads, None), (pool, None), (pool, None), (threads, None),
                               (sequential, second)):
            measure(report, loops, None if index is None else cpus[index], index)
    for name in ("sequential", "pool"):
        s = report.sections[name]
        s["cpu_wait_limit"] = 0.05 * s["wall"] * s["busy"]
    for s in report.sections.values():
        s["pace"] = s["jobs_cpu"] / s["loops"]
    report.print()


if __name__ == "__main__":
    main()
