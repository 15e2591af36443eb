"""What the new holder of the GIL pays, before its first bytecode, to wake the thread that
dropped it (docs/model.md G6, G8b): not a row of the suite, a probe run by hand.

CPython 3.11's take_gil, with FORCE_SWITCHING, signals switch_cond once it holds the GIL; after
a forced switch the dropper sleeps there, so the signal is a futex wake-up of a thread that
blocked a few microseconds before on the other CPU, made by the new holder before it returns to
its bytecode.

Two processes pinned one to each CPU (processes, so that no GIL of their own stands between
them) play the forced switch in turns: the holder computes for INTERVAL, posts the other's
"gil" semaphore (drop_gil's signal of the waiter) and blocks on its own "switch" semaphore (the
dropper on switch_cond); the other, blocked on its "gil" semaphore, wakes, stamps the clock,
posts the dropper's "switch" semaphore (take_gil's signal: a POSIX semaphore's sem_post makes
a futex wake-up system call when a waiter sleeps on it, as pthread_cond_signal does), stamps
the clock, posts a semaphore nobody waits on (no system call: the same Python call, for the
baseline), stamps the clock, then computes in its turn. Per sample:

- `signal`: the post that wakes the sleeping dropper, stamp to stamp;
- `base`: the post nobody waits for, stamp to stamp; `signal` less `base` is the wake-up's
  own cost to the new holder;
- `dropper`: from the new holder's first stamp to the dropper's return from its wait (where
  CPython's dropper goes on to its next timed wait for the GIL);
- `drop_signal`: the holder's post that wakes the waiter blocked since the interval began
  (drop_gil's signal of gil->cond, G8b's `gil_mutex_signal`).

Medians with 10th and 90th percentiles, in seconds, per interval (1, 5 and 20 ms, in turns);
`signal_less_base` is the median of the per-sample differences.

    flock /work/cpython.lock setsid sh -c 'echo -20 > /proc/self/autogroup; exec nice -n -20 /usr/bin/python3 switch_signal.py'
"""

import mmap
import multiprocessing
import os
import struct
import time

import suite
from wake_latency import collect, percentile, send_all

INTERVALS = (0.001, 0.005, 0.02)  # seconds, the switch intervals gil_tenure.py runs at
SAMPLES = 60  # per interval and side


def play(side, cpu, plan, sems, stamps, results_w):
    """One side: takes the GIL when its "gil" semaphore is posted; side 0 holds it first."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    clock = time.perf_counter_ns
    gil, switch, nobody = sems["gil"][side], sems["switch"], sems["nobody"][side]
    other = 1 - side
    out = []
    for turn, interval in enumerate(plan):
        if turn % 2 != side:
            continue
        gil.acquire()  # the waiter, signalled by the dropper's drop_gil
        first = clock()
        stamps[other * 8:other * 8 + 8] = struct.pack("q", first)
        if turn > 0:
            switch[other].release()  # take_gil's signal of switch_cond: the dropper sleeps there
        signalled = clock()
        nobody.release()  # the same call with nobody waiting
        based = clock()
        nobody.acquire()  # back to 0, no system call
        until = clock() + int(interval * 1e9)
        while clock() < until:  # the tenure
            pass
        if turn == len(plan) - 1:
            break  # nobody takes the GIL after the last turn
        dropping = clock()
        sems["gil"][other].release()  # drop_gil's signal of the waiter
        dropped = clock()
        switch[side].acquire()  # the dropper waits on switch_cond until the other takes the GIL
        ran = clock()
        taker = struct.unpack("q", stamps[side * 8:side * 8 + 8])[0]
        if turn > 0:  # the first turn signalled nobody
            out.append(struct.pack("qqqqq", round(interval * 1e9), signalled - first, based - signalled,
                                   ran - taker, dropped - dropping))
    send_all(results_w, b"".join(out))


def main():
    report = suite.Report("switch_signal")
    samples = report.size(SAMPLES, 2)
    plan = [interval for _ in range(samples) for interval in INTERVALS for _ in range(2)]
    context = multiprocessing.get_context("fork")
    sems = {"gil": [context.Semaphore(0), context.Semaphore(0)],
            "switch": [context.Semaphore(0), context.Semaphore(0)],
            "nobody": [context.Semaphore(0), context.Semaphore(0)]}
    stamps = mmap.mmap(-1, 16)  # shared with the child: MAP_SHARED
    cpus = suite.two_cpus()
    results_r, results_w = os.pipe()
    with report.section("probe", cores=2, busy=1) as s:
        child = os.fork()
        if child == 0:
            try:
                os.close(results_r)
                play(1, cpus[1], plan, sems, stamps, results_w)
                os._exit(0)
            finally:
                os._exit(1)
        with suite.pinned(cpus[0]):
            sems["gil"][0].release()  # this side holds first
            play(0, cpus[0], plan, sems, stamps, results_w)
        os.close(results_w)
        data = collect(results_r, child, "switch_signal: the other side")
        s.update(samples=samples, pinned=int(cpus[0] is not None))
    rows = [struct.unpack_from("qqqqq", data, 40 * i) for i in range(len(data) // 40)]
    for interval in INTERVALS:
        picked = [r[1:] for r in rows if r[0] == round(interval * 1e9)]
        section = {"cores": 2, "busy": 1, "wall": 0.0, "cpu": 0.0, "interval": interval, "samples": len(picked)}
        for index, name in enumerate(("signal", "base", "dropper", "drop_signal")):
            values = [r[index] / 1e9 for r in picked]
            section[name] = suite.median(values)
            section[name + "_low"] = percentile(values, 0.1)
            section[name + "_high"] = percentile(values, 0.9)
        section["signal_less_base"] = suite.median([(r[0] - r[1]) / 1e9 for r in picked])
        report.sections[f"switch_{round(interval * 1e3)}ms"] = section
    report.print()


if __name__ == "__main__":
    main()
