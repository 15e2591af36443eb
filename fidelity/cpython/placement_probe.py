"""Where Linux runs busy processes forked at once: a probe of the machine, not a row of the
suite (docs/model.md S1a-S1d). Run it as the suite runs its programs (`nice -n -20` in a
session of its own).

The parent forks N processes at once (default 3), each a pure-Python busy loop for D seconds
(default 1.0), and reads every 2 ms the CPU each child is on (field 39 of /proc/PID/stat).
It prints, for each child, its migrations (se.nr_migrations of /proc/PID/sched), its time on
a CPU and its time runnable but waiting for one (/proc/PID/schedstat), and the CPU it was on
in each 10 ms ('.' when it was not seen): where the kernel placed each new process, and how
long a split such as 2 against 1 held before its load balancer moved one.

With --spawn-pool, it starts a spawned multiprocessing.Pool(4) (the suite's pool_startup.py
workload) instead, and a forked sampler reads every 1 ms the CPU of each child of the
pool's parent (the resource tracker first, then the workers) for 250 ms: where the kernel
placed each new interpreter and whether one moved while they started. The sampler is one
more busy process on the CPUs, which the pool would not have.

    placement_probe.py [N [D]]      placement_probe.py --quick (2 processes, 0.1 s)
    placement_probe.py --spawn-pool
"""

import os
import sys
import time


def busy(seconds):
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x += 1
    os._exit(0)


def cpu_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2:].split()[36])


def read_sched(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/sched") as f:
            for line in f:
                if ":" in line:
                    key, value = line.split(":", 1)
                    fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def read_schedstat(pid):
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            run, wait, _ = f.read().split()
        return int(run) / 1e6, int(wait) / 1e6
    except (OSError, ValueError):
        return None


def sample_children(parent, seconds):
    start = time.monotonic()
    rows = []
    while time.monotonic() - start < seconds:
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as f:
                kids = f.read().split()
        except OSError:
            break
        rows.append((time.monotonic() - start, {k: cpu_of(k) for k in kids}))
        time.sleep(0.001)
    order = []
    for _, cpus in rows:
        order += [k for k in cpus if k not in order and k != str(os.getpid())]
    for k in order:
        line = ""
        for w in range(0, int(seconds * 1000), 5):
            seen = [cpus[k] for t, cpus in rows if w <= t * 1000 < w + 5 and cpus.get(k) is not None]
            line += str(max(set(seen), key=seen.count)) if seen else " "
        print(f"pid {k:>7} {line}", flush=True)


def nothing(x):
    return x


def spawn_pool():
    import multiprocessing
    multiprocessing.set_start_method("spawn")
    parent = os.getpid()
    sampler = os.fork()
    if sampler == 0:
        sample_children(parent, 0.25)
        os._exit(0)
    time.sleep(0.02)
    start = time.perf_counter()
    with multiprocessing.Pool(4) as pool:
        pool.map(nothing, range(4), chunksize=1)
        first = time.perf_counter() - start
    os.waitpid(sampler, 0)
    print(f"spawned Pool(4): 4 results {first * 1e3:.1f} ms after Pool(); load average {os.getloadavg()[0]:.2f}")


def main(argv):
    if argv[1:2] == ["--spawn-pool"]:
        spawn_pool()
        return
    if argv[1:2] == ["--quick"]:
        count, seconds = 2, 0.1
    else:
        count = int(argv[1]) if len(argv) > 1 else 3
        seconds = float(argv[2]) if len(argv) > 2 else 1.0
    start = time.monotonic()
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            busy(seconds)
        pids.append(pid)
    samples = []
    while time.monotonic() - start < seconds - 0.02:
        samples.append((time.monotonic() - start, [cpu_of(p) for p in pids]))
        time.sleep(0.002)
    sched = [read_sched(p) for p in pids]
    stats = [read_schedstat(p) for p in pids]
    for p in pids:
        os.waitpid(p, 0)
    print(f"{count} busy processes for {seconds} s; load average {os.getloadavg()[0]:.2f}")
    for i in range(count):
        row = ""
        for w in range(int(seconds * 100)):
            seen = [cpus[i] for t, cpus in samples if w * 0.01 <= t < (w + 1) * 0.01 and cpus[i] is not None]
            row += str(max(set(seen), key=seen.count)) if seen else "."
        run_wait = f"on a CPU {stats[i][0]:.0f} ms, waiting {stats[i][1]:.0f} ms" if stats[i] else "no schedstat"
        print(f"child {i}: migrations {sched[i].get('se.nr_migrations', '?')}, {run_wait}")
        print(f"  {row}")


if __name__ == "__main__":
    main(sys.argv)
