"""How fast this machine wakes a blocked thread on an idle CPU, and how late a timed wait
runs out there, measured by `gilsim_fidelity --cpython` before each round of programs: not a
row of the suite, a characteristic of the machine that the model's runs of that round are
given (docs/model.md G8 and G2a, the `[costs] wake_*` and `timer_*` settings).

On a KVM guest an idle CPU halts, and the host polls a halted virtual CPU for a while before it
puts its thread to sleep: how long a waiter on an idle CPU takes to run depends on the host's
state, which the guest cannot read and which moves between runs minutes apart. So it is
measured, as the CPUs' speeds are (cpu_speeds.py).

A waiter process pinned to one CPU and a signaller pinned to the other (processes, so that no
GIL stands between the wake-up and the first bytecode). The signaller spins, as the GIL's holder
computes. Each sample, two ways:

- `handoff_IDLE`, the GIL hand-off's pattern (G2, G6): the waiter's timed wait of IDLE runs
  out (a lock's acquire with a timeout: a futex wait, as the GIL's COND_TIMED_WAIT); it runs,
  raises a flag in shared memory (the drop request) and blocks reading a pipe; the signaller,
  seeing the flag, stamps the clock, writes the stamp into the pipe and blocks reading a
  second one (as the GIL's dropper waits on switch_cond); the waiter stamps the clock when its
  read returns, writes into the second pipe (as take_gil signals switch_cond) and stamps it
  again. `latency` is from the signaller's stamp to the waiter's first (the wake-up, G8's);
  `gap`, to its second (the whole hand-off, as gil_tenure.py's gap: its signal of the
  sleeping dropper costs a system call and, on a virtual machine, an interrupt sent through
  the host); `idle`, how long the timed wait really lasted (the timer slack
  and the timer's own wake-up added); `timer_late`, by how much it outlasted IDLE.
- `blocked_IDLE`: the waiter blocks reading the pipe at once, and the signaller writes IDLE
  later (and waits for the answer alike): a waiter signalled after a plain idle of that length.
- `timer_IDLE` (1, 5 and 20 ms), the GIL waiter's own timed wait as it ends with nobody
  signalling (docs/model.md G2a): the waiter computes for IDLE (its turn holding the GIL, as
  two CPU-bound threads take turns), then waits IDLE in a timed wait that runs out, its CPU
  otherwise idle; `late` is how long after the nominal deadline it ran (perf_counter_ns just
  before the wait and just after it), `low` and `high` its 10th and 90th percentiles, nothing
  subtracted. `slack` is the waiter's timer slack, /proc/self/timerslack_ns (inherited at
  fork): the kernel may fire the wait's timer anywhere in [deadline, deadline + slack], so
  `late` less `slack` is what the timer's wake-up itself took when it fires at the end.
  Then it answers the signaller as a hand-off does, so that the two keep in step.

Idles of 0.1, 1, 5 and 20 ms in turns (so that a drift of the machine touches each alike);
`latency` is the median of the samples, `low` and `high` their 10th and 90th percentiles, all in
seconds. perf_counter_ns is CLOCK_MONOTONIC, one clock for both processes.
"""

import mmap
import os
import struct
import threading
import time

import suite

IDLES = (0.0001, 0.001, 0.005, 0.02)  # seconds
TIMER_IDLES = (0.001, 0.005, 0.02)  # the switch intervals gil_tenure.py runs at
SAMPLES = 30  # per idle and way


def name_of(idle):
    return f"{round(idle * 1e6)}us" if idle < 0.001 else f"{round(idle * 1e3)}ms"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def waiter(cpu, plan, flag, signal_r, reply_w, results_w):
    """The child: for each (way, idle) of the plan, one sample; then the samples, packed."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    clock = time.perf_counter_ns
    never = threading.Lock()
    never.acquire()  # held: each acquire(timeout) below runs out
    out = []
    for way, idle in plan:
        if way == "timer":
            until = clock() + int(idle * 1e9)
            while clock() < until:  # the waiter's turn holding the GIL
                pass
        if way in ("handoff", "timer"):
            began = clock()
            never.acquire(timeout=idle)  # a futex wait that times out, as the GIL's COND_TIMED_WAIT
            woke = clock()
        else:
            began = woke = clock()
        flag[0] = 1
        stamp = struct.unpack("q", os.read(signal_r, 8))[0]
        ran = clock()
        os.write(reply_w, b"x")  # as take_gil signals switch_cond, for the dropper waiting on it
        answered = clock()
        out.append(struct.pack("qqqq", woke - began, ran - stamp, answered - stamp, answered - began))
    send_all(results_w, b"".join(out))
    os._exit(0)


def send_all(fd, data):
    """Writes all of `data` into the pipe `fd` (a child's samples for its parent)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def fork_waiter(results_r, results_w, run_waiter):
    """Forks the waiter, a child that runs `run_waiter()` (which ends the child) and writes its
    samples into `results_w`; returns its pid, the parent's copy of `results_w` closed."""
    child = os.fork()
    if child == 0:
        try:
            os.close(results_r)
            run_waiter()
        finally:
            os._exit(1)
    os.close(results_w)
    return child


def collect(results_r, child, who):
    """All a child wrote into `results_r` until it closed it; exits if the child failed."""
    chunks = []
    while True:
        chunk = os.read(results_r, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(child, 0)
    if status != 0:
        raise SystemExit(f"{who} failed (status {status})")
    return b"".join(chunks)


def main():
    report = suite.Report("wake_latency")
    samples = report.size(SAMPLES, 2)
    plan = [(way, idle) for _ in range(samples) for idle in IDLES
            for way in ("handoff", "blocked") + (("timer",) if idle in TIMER_IDLES else ())]
    with open("/proc/self/timerslack_ns") as f:  # the waiter's too: fork keeps it
        slack = int(f.read()) / 1e9
    cpus = suite.two_cpus()
    flag = mmap.mmap(-1, 1)  # shared with the child: MAP_SHARED
    signal_r, signal_w = os.pipe()
    reply_r, reply_w = os.pipe()
    results_r, results_w = os.pipe()
    clock = time.perf_counter_ns
    with suite.pinned(cpus[0]), report.section("probe", cores=2, busy=1) as s:
        child = fork_waiter(results_r, results_w, lambda: waiter(cpus[1], plan, flag, signal_r, reply_w, results_w))
        for way, idle in plan:
            while flag[0] == 0:  # spin, as the GIL's holder computes
                pass
            flag[0] = 0
            if way == "blocked":
                until = clock() + int(idle * 1e9)
                while clock() < until:
                    pass
            os.write(signal_w, struct.pack("q", clock()))
            os.read(reply_r, 1)  # blocked until the waiter ran, as the GIL's dropper (FORCE_SWITCHING)
        data = collect(results_r, child, "wake_latency: the waiter")
        s.update(samples=samples, pinned=int(cpus[0] is not None))
    rows = [struct.unpack_from("qqqq", data, 32 * i) for i in range(len(data) // 32)]
    for way in ("handoff", "blocked"):
        for idle in IDLES:
            picked = [r for (w, i), r in zip(plan, rows) if w == way and i == idle]
            latency = [r[1] / 1e9 for r in picked]
            gap = [r[2] / 1e9 for r in picked]
            idles = [r[0] / 1e9 if way == "handoff" else idle for r in picked]
            section = {"cores": 2, "busy": 0, "wall": sum(r[3] for r in picked) / 1e9, "cpu": 0.0,
                       "idle_asked": idle, "idle": suite.median(idles), "latency": suite.median(latency),
                       "low": percentile(latency, 0.1), "high": percentile(latency, 0.9),
                       "gap": suite.median(gap), "gap_low": percentile(gap, 0.1), "gap_high": percentile(gap, 0.9),
                       "samples": len(picked)}
            if way == "handoff":
                section["timer_late"] = suite.median([i - idle for i in idles])
            report.sections[f"{way}_{name_of(idle)}"] = section
    for idle in TIMER_IDLES:
        picked = [r for (w, i), r in zip(plan, rows) if w == "timer" and i == idle]
        late = [r[0] / 1e9 - idle for r in picked]
        report.sections[f"timer_{name_of(idle)}"] = {
            "cores": 2, "busy": 0, "wall": sum(r[3] for r in picked) / 1e9 + idle * len(picked), "cpu": 0.0,
            "idle_asked": idle, "late": suite.median(late), "low": percentile(late, 0.1),
            "high": percentile(late, 0.9), "slack": slack, "samples": len(picked)}
    report.print()


if __name__ == "__main__":
    main()
