"""Timelines of the suite's Pool(2) with chunksize 1 (fidelity/cpython/pool_chunks.py), to be
read beside the kernel's scheduler trace. No row of its own: it says where the pool's time
goes, thread by thread (docs/model.md P6). Run as root, in a session of its own at nice -20
(it gives its session's autogroup its nice value), one measurement at a time:

    flock /work/cpython.lock setsid nice -n -20 perf sched record -k CLOCK_MONOTONIC \\
        -o sched.data -- /usr/bin/python3 pool_chunks_timeline.py pool.json
    python3 pool_chunks_timeline.py --analyse pool.json sched.data

Measured in turns: the loop of 2,000 tasks of 50 us of Python (`sequential`, pinned to no
CPU) and Pool(2) (fork) mapping them with chunksize 1 (`chunksize_1`, from Pool() to map()'s
last result, as pool_chunks.py times it). The analysis gives, per section, the CPUs' time
(the measured threads: the main thread, the pool's three handler threads and its two
workers; other tasks; idle), each measured thread's time on a CPU, their blocks and
preemptions and how long a woken thread waited for a CPU (file_reads_timeline.scheduling).
With a trace recorded with call graphs (`perf record -e sched:sched_switch --call-graph
dwarf,8192 -k CLOCK_MONOTONIC`), `--analyse ... --stacks` adds where each thread blocked.
`--quick` (before OUT.json) maps 40 tasks once, to check that the program runs.

Standard library only, so that Debian's /usr/bin/python3 runs it as it is.
"""

import json
import multiprocessing
import sys
import threading
import time

import file_reads_timeline
import pool_chunks
import suite
from pool_chunks import TASKS, set_loops, task

TURNS = 3


def sequential(tasks):
    start = time.perf_counter_ns()
    for i in range(tasks):
        task(i)
    return {"name": "sequential", "start": start, "end": time.perf_counter_ns(),
            "threads": {"main": threading.get_native_id()}}


def chunksize_1(tasks):
    start = time.perf_counter_ns()
    pool = multiprocessing.get_context("fork").Pool(2, initializer=set_loops, initargs=pool_chunks.LOOPS)
    try:
        pool.map(task, range(tasks), 1)
        end = time.perf_counter_ns()
        threads = {"main": threading.get_native_id(), "worker handler": pool._worker_handler.native_id,
                   "task handler": pool._task_handler.native_id, "result handler": pool._result_handler.native_id}
        for i, worker in enumerate(pool._pool):
            threads[f"worker {i + 1}"] = worker.pid
    finally:
        pool.terminate()
        pool.join()
    return {"name": "chunksize_1", "start": start, "end": end, "threads": threads}


def measure(out, quick=False):
    suite.own_autogroup()
    suite.import_pool_modules()
    set_loops(int(suite.loops_per_second() * 50e-6))
    tasks = 40 if quick else TASKS
    sections = []
    for _ in range(1 if quick else TURNS):
        sections.append(sequential(tasks))
        time.sleep(0.02)
        sections.append(chunksize_1(tasks))
        time.sleep(0.02)
    load = suite.load_average()
    with open(out, "w") as f:
        json.dump({"load_end": load, "sections": sections}, f)
    for section in sections:
        print(f"{section['name']}: {(section['end'] - section['start']) / 1e6:.2f} ms, {tasks} tasks")
    print("load average at the end:", load)


def analyse(out, data, stacks=False):
    report = json.load(open(out))
    events = file_reads_timeline.trace_events(data)
    for section in report["sections"]:
        names = {str(tid): name for name, tid in section["threads"].items()}
        line = file_reads_timeline.scheduling(events, section["start"], section["end"], set(names))
        for field in ("cpu_ms_by_thread", "switches_out_by_thread"):
            line[field] = {names[k]: v for k, v in line[field].items()}
        if stacks and section["name"] != "sequential":
            sites = file_reads_timeline.blocking_sites(data, set(names), by_thread=True)
            line["blocked_in"] = {names[k]: v for k, v in sites.items()}
        print(json.dumps({"section": section["name"], **line}))


if __name__ == "__main__":
    file_reads_timeline.command_line(measure, analyse)
