#!/usr/bin/env python3
"""The timeline probes' reading of the scheduler's trace (fidelity/cpython/file_reads_timeline.py:
parse_trace and scheduling), on a hand-written trace whose figures are worked out below.
Exits 1 and says what differs.

    timeline_scheduling_check.py SOURCE_DIR
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(sys.argv[1]) / "fidelity" / "cpython"))
import file_reads_timeline  # noqa: E402

MS = 1_000_000


def switch(t, cpu, prev, state, following):
    return f"[{cpu:03d}] {t // 10**9}.{t % 10**9:09d}: sched:sched_switch: prev_comm=x prev_pid={prev} " \
           f"prev_prio=120 prev_state={state} ==> next_comm=y next_pid={following} next_prio=120"


def waking(t, cpu, pid):
    return f"[{cpu:03d}] {t // 10**9}.{t % 10**9:09d}: sched:sched_waking: comm=x pid={pid} prio=120 target_cpu=000"


def migrate(t, cpu, pid, dest):
    return f"[{cpu:03d}] {t // 10**9}.{t % 10**9:09d}: sched:sched_migrate_task: comm=x pid={pid} prio=120 " \
           f"orig_cpu=0 dest_cpu={dest}"


# Measured threads 10 and 11, another program's task 99, idle 0; two CPUs; the section is
# [1000 s, 1000 s + 100 ms]:
#   cpu0:   0-20 thread 10, which blocks; 20-64 idle; 10 woken at 60, runs from 64 (4 ms, the
#           CPU idle before it) to the end.
#   cpu1:   0-50 task 99; 11 placed on cpu1 at 25 and woken at 30, so 30-50 is the other
#           task's time while a measured thread waits on that CPU; 11 runs 50-80 (20 ms after
#           its wake-up, the other task before it) and is preempted by 99, which runs 80-100
#           while 11 waits there.
#   So cpu0: measured 56, idle 44; cpu1: other 30, other while measured waiting 40,
#   measured 30; of 200 ms of the two CPUs.
BASE = 1000 * 10**9
LINES = [
    "header lines are skipped",
    switch(BASE, 0, 0, "R", 10),
    switch(BASE, 1, 0, "R", 99),
    switch(BASE + 20 * MS, 0, 10, "S", 0),
    migrate(BASE + 25 * MS, 1, 11, 1),
    waking(BASE + 30 * MS, 1, 11),
    switch(BASE + 50 * MS, 1, 99, "R", 11),
    waking(BASE + 60 * MS, 1, 10),
    switch(BASE + 64 * MS, 0, 0, "R", 10),
    switch(BASE + 80 * MS, 1, 11, "R", 99),
]

EXPECTED = {
    "wall_ms": 100.0,
    "cpu_share": {"idle": 0.22, "measured": 0.43, "other": 0.15, "other, measured waiting": 0.2},
    "measured_cpu_ms": 86.0,
    "cpu_ms_by_thread": {"10": 56.0, "11": 30.0},
    "switches_out": {"blocked": 1, "preempted": 1},
    "switches_out_by_thread": {"10": {"blocked": 1, "preempted": 0}, "11": {"blocked": 0, "preempted": 1}},
    "run_us_deciles": {"blocked": [20000.0] * 9, "preempted": [30000.0] * 9},
    "wake_us_deciles_by_cpu_before": {"idle": [1] + [4000.0] * 9, "other": [1] + [20000.0] * 9},
}


def main():
    events = file_reads_timeline.parse_trace("\n".join(LINES))
    problems = []
    if events[0] != (BASE, 0, "sched_switch", {"prev_comm": "x", "prev_pid": "0", "prev_prio": "120",
                                               "prev_state": "R", "next_comm": "y", "next_pid": "10",
                                               "next_prio": "120"}):
        problems.append(f"parse_trace: first event {events[0]}")
    if len(events) != len(LINES) - 1:
        problems.append(f"parse_trace: {len(events)} events of {len(LINES) - 1} lines")
    got = file_reads_timeline.scheduling(events, BASE, BASE + 100 * MS, {"10", "11"})
    for key, want in EXPECTED.items():
        if got.get(key) != want:
            problems.append(f"scheduling: {key} is {got.get(key)}, expected {want}")
    for problem in problems:
        print(problem)
    print(f"{len(EXPECTED) + 2} figures checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
