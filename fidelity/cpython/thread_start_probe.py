"""A probe of threading.Thread.start() (not a row of the suite), for docs/model.md T1a.

    python3 fidelity/cpython/thread_start_probe.py [starts]
    python3 fidelity/cpython/thread_start_probe.py --beside-child [rounds] [busy_ms] [child_ms]
    python3 fidelity/cpython/thread_start_probe.py --parts [starts]
    python3 fidelity/cpython/thread_start_probe.py --from RUN.jsonl [--check sim/scenario/scenario.hpp]

Starts one thread at a time (200 by default, the first 20 left out as warm-up) and joins
it before the next. It prints the quartiles of two figures, in microseconds:

- `start_wall`: the wall time of start() in the starting thread: its own part, then its
  wait in `_started.wait()` until the new thread has set the Event and it has the GIL back;
- `bootstrap_cpu`: the new thread's CPU time (`time.thread_time_ns()`) when its target
  begins: taking the GIL and `_bootstrap_inner` up to `run()`.

With --parts, the start's parts (docs/model.md T1a), one JSON line a start (the first 20
left out), each in microseconds. Each start is made twice in turn, as the `threads`
executor makes it (`threading.Thread(target=..., args=...)`, then `start()`):

- plain (`plain`): the starter's CPU (`time.thread_time_ns()`) in the construction
  (`construct_cpu`) and in `start()` (`start_cpu`), `start()`'s wall (`start_wall`) and the
  new thread's CPU when its target begins (`bootstrap_cpu`);
- hooked (`hooked`, the probe's own Thread subclass and its own `_start_new_thread`,
  costing a little more): the same, with the starter's CPU in `start()` split where
  `_start_new_thread` returns (`spawn_cpu` before, of it `spawn_call_cpu` in the call
  itself, `wait_cpu` after: the Event wait's entry and, once woken, its return; of it
  `wait_in_cpu` until it blocks, `woken_cpu` from its Condition's taking its lock back); the new
  thread's CPU and the wall since `start()` began when it runs its first Python
  (`_bootstrap_inner`: `first_cpu`, `first_wall`) and when its target begins
  (`bootstrap_cpu`, `target_wall`); and the walls at `_start_new_thread`'s return
  (`spawned_wall`), as the starter blocks (`blocked_wall`), as it is back in the Condition
  (`woken_wall`) and at `start()`'s return (`start_wall`).

A `##` line before them gives the command and the load average, one after them the load
average again and the CPU time and wall time the run got (s).

`--from` reads kept runs of --parts (their JSON lines; `##` lines are left out) and prints
each figure's quartiles over every start and each run's median, then the starter's CPU
before it waits (the plain construction's `construct_cpu` and the hooked start's
`spawn_cpu`), its CPU after the new thread exists until it blocks (`wait_in_cpu`) and the
whole start (`construct_cpu` and `start_wall`), each as a ratio to the plain start's
`bootstrap_cpu` (the median over the pairs of starts); with `--check`, also
`thread_start`'s and `thread_start_tail`'s defaults in that header, failing when they are
not the first two ratios times `thread_bootstrap`'s default, rounded to the microsecond and
to a tenth of one (see read_back).

With --beside-child (docs/model.md S1a, P4), each round (10 by default) does what Pool(1)
does with fork: the main thread sleeps 250 ms (whatever utilization it had decays), runs
Python for `busy_ms` (5 by default; a fresh interpreter has run for tens of milliseconds
when it makes its pool, which leaves its CPU's utilization high), forks a child that runs
Python for `child_ms` (1 by default, a worker readying itself) and, as soon as os.fork()
returns, starts a thread. One JSON line a round: the CPU the parent ran on before the
fork, the child's CPU as the start began (where the kernel placed it), the CPU the new
thread ran its first Python on, start()'s wall time (ms), and whether the child was still
running when start() returned.
"""

import json
import os
import statistics
import sys
import threading
import time

WARM_UP = 20


def quartiles_us(values):
    return [round(v / 1000, 1) for v in statistics.quantiles(values, n=4)]


def main():
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    walls, cpus = [], []
    for _ in range(starts):
        seen = []
        t = threading.Thread(target=lambda: seen.append(time.thread_time_ns()))
        t0 = time.perf_counter_ns()
        t.start()
        walls.append(time.perf_counter_ns() - t0)
        t.join()
        cpus.append(seen[0])
    print(f"start_wall {quartiles_us(walls[WARM_UP:])} bootstrap_cpu {quartiles_us(cpus[WARM_UP:])} (us, quartiles)")


def target(index, seen):
    seen.append((time.perf_counter_ns(), time.thread_time_ns()))


class HookedThread(threading.Thread):
    """A Thread that notes the wall and its CPU as it runs its first Python (T1a), and the
    starter's as it blocks in `_started.wait()` (its Condition has released its lock: the
    waiter's acquire is next) and as it is back (the Condition takes its lock again)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cond = self._started._cond
        release_save, acquire_restore = cond._release_save, cond._acquire_restore
        self.blocked = self.woken = None

        def release_save_noted():
            saved = release_save()
            self.blocked = (time.perf_counter_ns(), time.thread_time_ns())
            return saved

        def acquire_restore_noted(saved):
            self.woken = (time.perf_counter_ns(), time.thread_time_ns())
            acquire_restore(saved)

        cond._release_save, cond._acquire_restore = release_save_noted, acquire_restore_noted

    def _bootstrap_inner(self):
        self.first = (time.perf_counter_ns(), time.thread_time_ns())
        super()._bootstrap_inner()


def us(ns):
    return round(ns / 1000, 3)


def timed_start(thread_class, index):
    """One start as the threads executor makes it, joined: the thread, what its target saw,
    and the starter's CPU (c0 before Thread(...), c1 after it, c2 after start()) and wall
    (w0, w1 around start())."""
    seen = []
    c0 = time.thread_time_ns()
    t = thread_class(target=target, args=(index, seen))
    c1 = time.thread_time_ns()
    w0 = time.perf_counter_ns()
    t.start()
    w1 = time.perf_counter_ns()
    c2 = time.thread_time_ns()
    t.join()
    return t, seen, c0, c1, c2, w0, w1


def plain_start(index):
    _, seen, c0, c1, c2, w0, w1 = timed_start(threading.Thread, index)
    return {"construct_cpu": us(c1 - c0), "start_cpu": us(c2 - c1), "start_wall": us(w1 - w0),
            "bootstrap_cpu": us(seen[0][1])}


def hooked_start(index, spawned):
    t, seen, c0, c1, c2, w0, w1 = timed_start(HookedThread, index)
    call_cpu0, call_cpu1, call_wall1 = spawned.pop()
    # The Event already set when the starter came to wait (a switch interval elapsed): no wait.
    blocked = t.blocked or (w1, c2)
    woken = t.woken or (w1, c2)
    return {"construct_cpu": us(c1 - c0), "start_cpu": us(c2 - c1), "spawn_cpu": us(call_cpu1 - c1),
            "spawn_call_cpu": us(call_cpu1 - call_cpu0), "wait_cpu": us(c2 - call_cpu1),
            "wait_in_cpu": us(blocked[1] - call_cpu1), "woken_cpu": us(c2 - woken[1]),
            "first_cpu": us(t.first[1]), "bootstrap_cpu": us(seen[0][1]),
            "spawned_wall": us(call_wall1 - w0),
            "blocked_wall": us(blocked[0] - w0), "first_wall": us(t.first[0] - w0),
            "target_wall": us(seen[0][0] - w0),
            "woken_wall": us(woken[0] - w0), "start_wall": us(w1 - w0)}


def parts(starts):
    print(f"## --parts {starts} load {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    real = threading._start_new_thread
    spawned = []

    def start_new_thread(function, args):
        cpu0 = time.thread_time_ns()
        ident = real(function, args)
        cpu1 = time.thread_time_ns()
        spawned.append((cpu0, cpu1, time.perf_counter_ns()))
        return ident

    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(starts):
        plain = plain_start(i)
        threading._start_new_thread = start_new_thread
        try:
            hooked = hooked_start(i, spawned)
        finally:
            threading._start_new_thread = real
        if i >= WARM_UP:
            print(json.dumps({"start": i, "plain": plain, "hooked": hooked}))
    print(f"## done load {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"cpu {time.process_time() - cpu0:.3f} wall {time.perf_counter() - wall0:.3f}", flush=True)


def read_runs(path):
    """[[start, ...], ...]: the kept --parts runs in `path`, each begun by its `## --parts` line."""
    runs = []
    with open(path) as f:
        for line in f:
            if line.startswith("## --parts"):
                runs.append([])
            elif line.strip() and not line.startswith("##"):
                runs[-1].append(json.loads(line))
    return runs


def defaults_us(header):
    """{name: us}: each `Time NAME = Time{NS};` default of sim/scenario/scenario.hpp."""
    import re
    with open(header) as f:
        code = f.read()
    return {name: int(ns.replace("'", "")) / 1000 for name, ns in re.findall(r"\bTime (\w+) = Time\{([\d']+)\};", code)}


def per_start(every, numerator):
    """The median over every start of `numerator(start)` / the plain start's bootstrap_cpu."""
    return statistics.median(numerator(s) / s["plain"]["bootstrap_cpu"] for s in every)


def read_back(path, header=None):
    """Print the kept runs' figures; with `header`, check thread_start's default against them.

    The model's costs are a quiet host's (thread_bootstrap, 13 us, was measured so), and this
    host runs the same code 1.2 to 2 times slower as other programs load it, every part of a
    start alike; so thread_start is the starter's CPU before it waits as a ratio to the new
    thread's bootstrap in the same pair of starts (their median), times thread_bootstrap."""
    runs = read_runs(path)
    every = [s for run in runs for s in run]
    print(f"{len(runs)} runs, {len(every)} starts")
    for kind in ("plain", "hooked"):
        for key in every[0][kind]:
            values = [s[kind][key] for s in every]
            per_run = [round(statistics.median(s[kind][key] for s in run), 1) for run in runs]
            print(f"{kind} {key}: quartiles {[round(q, 1) for q in statistics.quantiles(values, n=4)]} us, "
                  f"run medians {per_run}")
    before = lambda s: s["plain"]["construct_cpu"] + s["hooked"]["spawn_cpu"]  # noqa: E731
    whole = lambda s: s["plain"]["construct_cpu"] + s["plain"]["start_wall"]  # noqa: E731
    tail = lambda s: s["hooked"]["wait_in_cpu"]  # noqa: E731
    ratio = per_start(every, before)
    print(f"the starter's CPU before it waits (construct_cpu + spawn_cpu): {ratio:.3f} bootstraps "
          f"(median; runs {[round(per_start(run, before), 3) for run in runs]})")
    tail_ratio = per_start(every, tail)
    print(f"the starter's CPU after the new thread exists, until it blocks (wait_in_cpu): {tail_ratio:.3f} "
          f"bootstraps (median; runs {[round(per_start(run, tail), 3) for run in runs]})")
    whole_ratios = [whole(s) / s["plain"]["bootstrap_cpu"] for s in every]
    print(f"the whole start (construct_cpu + start_wall): {statistics.median(whole_ratios):.2f} bootstraps "
          f"(quartiles {[round(q, 2) for q in statistics.quantiles(whole_ratios, n=4)]}; "
          f"runs {[round(per_start(run, whole), 2) for run in runs]})")
    if header:
        defaults = defaults_us(header)
        bootstrap, start = defaults["thread_bootstrap"], defaults["thread_start"]
        measured = round(ratio * bootstrap)
        print(f"thread_bootstrap's default {bootstrap:g} us: thread_start {ratio:.3f} x {bootstrap:g} = {measured} us; "
              f"the model's default {start:g} us; the model's idle start (thread_start + thread_bootstrap) "
              f"{(start + bootstrap) / bootstrap:.2f} bootstraps")
        tail_default, tail_measured = defaults["thread_start_tail"], round(tail_ratio * bootstrap, 1)
        print(f"thread_start_tail {tail_ratio:.3f} x {bootstrap:g} = {tail_measured:g} us; the model's default "
              f"{tail_default:g} us")
        wrong = [f"{name} ({default:g} us, not {measured_us:g})"
                 for name, default, measured_us in (("thread_start", start, measured),
                                                    ("thread_start_tail", tail_default, tail_measured))
                 if default != measured_us]
        if wrong:
            print(f"defaults that are not the kept runs' medians: {', '.join(wrong)}")
            sys.exit(1)


def cpu_of(stat="/proc/thread-self/stat"):
    """The CPU a thread or process last ran on: field 39 (`processor`) of its stat."""
    with open(stat) as f:
        return int(f.read().rsplit(")", 1)[1].split()[36])


def spin(ms):
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


def beside_child(rounds, busy_ms, child_ms):
    for _ in range(rounds):
        time.sleep(0.25)  # the parent's utilization decays (PELT halves it every 32 ms)
        spin(busy_ms)
        parent_cpu = cpu_of()
        pid = os.fork()
        if pid == 0:
            spin(child_ms)
            os._exit(0)
        child_cpu = cpu_of(f"/proc/{pid}/stat")
        seen = []
        t = threading.Thread(target=lambda: seen.append(cpu_of()))
        t0 = time.perf_counter()
        t.start()
        wall = (time.perf_counter() - t0) * 1e3
        done, _ = os.waitpid(pid, os.WNOHANG)
        t.join()
        if done == 0:
            os.waitpid(pid, 0)
        print(json.dumps({"parent": parent_cpu, "child": child_cpu, "new": seen[0], "parent_after": cpu_of(),
                          "wall": round(wall, 3), "child_running": done == 0, "load": os.getloadavg()[0]}),
              flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--from":
        read_back(sys.argv[2], sys.argv[sys.argv.index("--check") + 1] if "--check" in sys.argv else None)
    elif len(sys.argv) > 1 and sys.argv[1] == "--parts":
        parts(int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    elif len(sys.argv) > 1 and sys.argv[1] == "--beside-child":
        given = sys.argv[2:]
        beside_child(int(given[0]) if len(given) > 0 else 10, float(given[1]) if len(given) > 1 else 5.0,
                     float(given[2]) if len(given) > 2 else 1.0)
    else:
        main()
