"""The convoy with two releases per operation, operation by operation: which call lost an
interval and when each call and each of the CPU-bound thread's turns began and ended
(docs/model.md G8d).

As convoy.py's two_* sections and convoy_probe.py: an I/O thread makes `sendall()` of one
byte, then `recv()` of the answer of a forked single-threaded echo process, beside a
CPU-bound thread, the three pinned to CPUs ("io,hog,echo", e.g. "0,1,0": the CPU-bound thread
alone). The I/O thread stamps the clock (perf_counter_ns, CLOCK_MONOTONIC) before `sendall`,
between the calls and after `recv`; the CPU-bound thread runs Python that stamps the clock
in a loop and records every pause of its loop over `PAUSE` (20 us): it was then without the
GIL (or without its CPU), so its first stamp after a pause is when it ran Python again, its
GIL taken. Each operation is printed as one JSON line:

    {"op": i, "send": us, "recv": us, "lost": ["sendall", "recv"], "wake": {"sendall": us},
     "t0": ns, "hog": [[start, end], ...]}

`send` and `recv` are the calls' durations; `lost` the calls during which the CPU-bound
thread took the GIL (a turn of it began inside the call), and `wake`, for each, how long
after the call began it ran Python; `t0` the operation's start (perf_counter_ns, to match a
`perf record -k CLOCK_MONOTONIC` trace); `hog` the CPU-bound thread's turns that began within
the operation, in microseconds from `t0`. A summary line per run follows, `"summary": true`:
calls lost of calls by what the call before did (`sendall_after_kept`: [lost, of]), the 10th
percentile, median and 90th of the kept calls' durations and of the lost calls' `wake`, the
load, the threads' ids (`tids`: `io`, `hog`, `echo_pid`), the CPU-bound thread's wait for its
CPU over the run (`hog_cpu_wait_us`, schedstat) and each CPU's busy share (`cpu_busy`,
/proc/stat: the probe's own threads included).

    flock /work/cpython.lock setsid sh -c 'echo -20 > /proc/self/autogroup; exec nice -n -20 \
        /usr/bin/python3 convoy_ops.py OPS INTERVAL[,INTERVAL...] PLACEMENT[ PLACEMENT...]'

`--summary` prints only the summary lines. Standard library only.

    python3 convoy_ops.py --from FILE [--halt-poll US]

reads such output back (its `##` lines, as a run's header with its load, are printed as
they are) and prints, for each run, what decided its calls (docs/model.md G8d, "On a quiet
machine"): each call that follows a lost call is the first after a forced switch, and its
`idle` is how long the CPU-bound thread had been off its CPU's Python when the call began
(from its last stamp before it was forced out to the call's start: its drop, the I/O
thread's wake-up and take). `first` counts those calls lost by whether `idle` was under
`--halt-poll` (200 us by default: KVM's default `halt_poll_ns`, how long the host keeps
polling a halted virtual CPU, docs/model.md G8) or not (`sendall_under`: [lost, of]), and
`second` the call after a kept first one, by the same split (`recv_under`: the `recv`
after a kept first `sendall`); `idle_us` the 10th percentile, median and 90th of `idle`;
`first_wake_us` and `first_kept_us` the lost first calls' `wake` and the kept ones'
durations; `streaks` each run of at least 10 kept calls (calls, microseconds, the median
`sendall` inside: about 2 us when the I/O thread's `drop_gil` found no waiter to signal;
and the idle before its first call).
"""

import json
import os
import statistics
import sys
import threading
import time

import suite
from convoy_probe import forked_echo

PAUSE = 20_000  # ns: a longer pause of the CPU-bound thread's loop is a turn without the GIL


def cpu_busy():
    """Each CPU's busy and total jiffies so far (/proc/stat)."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                v = [int(x) for x in line.split()[1:]]
                out[line.split()[0]] = (sum(v) - v[3] - v[4], sum(v))
    return out


def run(sock, interval, ops, io_cpu, hog_cpu):
    sys.setswitchinterval(interval)
    stop = threading.Event()
    stamps = []
    turns = []  # (start, end) of each turn of the CPU-bound thread's Python
    tids = {}

    def io_thread():
        os.sched_setaffinity(0, {io_cpu})
        tids["io"] = threading.get_native_id()
        clock = time.perf_counter_ns
        for _ in range(ops):
            t0 = clock()
            sock.sendall(b"x")
            t1 = clock()
            sock.recv(64)
            t2 = clock()
            stamps.append((t0, t1, t2))
        stop.set()

    def cpu_bound():
        os.sched_setaffinity(0, {hog_cpu})
        tids["hog"] = threading.get_native_id()
        waited = suite.run_queue_wait()
        clock = time.perf_counter_ns
        start = last = clock()
        is_set = stop.is_set
        n = 0
        while True:
            now = clock()
            if now - last > PAUSE:
                turns.append((start, last))
                start = now
            last = now
            n += 1
            if n & 255 == 0 and is_set():
                break
        turns.append((start, last))
        tids["hog_cpu_wait_us"] = (suite.run_queue_wait() - waited) * 1e6

    threads = [threading.Thread(target=cpu_bound), threading.Thread(target=io_thread)]
    busy0 = cpu_busy()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    busy1 = cpu_busy()
    tids["cpu_busy"] = {c: round((busy1[c][0] - busy0[c][0]) / max(1, busy1[c][1] - busy0[c][1]), 3) for c in busy1}
    return stamps, turns, tids


def analyse(stamps, turns, interval):
    starts = [s for s, _ in turns]
    ops = []
    j = 0
    for i, (t0, t1, t2) in enumerate(stamps):
        while j < len(turns) and turns[j][0] < t0:
            j += 1
        mine = []
        k = j
        while k < len(turns) and turns[k][0] < t2:
            mine.append(turns[k])
            k += 1
        lost = []
        wake = {}
        for name, (a, b) in (("sendall", (t0, t1)), ("recv", (t1, t2))):
            won = [s for s, _ in mine if a <= s < b]
            if won:
                lost.append(name)
                wake[name] = (won[0] - a) / 1e3
        ops.append({
            "op": i, "send": round((t1 - t0) / 1e3, 1), "recv": round((t2 - t1) / 1e3, 1),
            "lost": lost, "wake": wake,
            "t0": t0, "hog": [[round((s - t0) / 1e3, 1), round((e - t0) / 1e3, 1)] for s, e in mine]})
    return ops


def summarise(ops, interval, placement):
    counts = {}
    kept = {"sendall": [], "recv": []}
    wakes = {"sendall": [], "recv": []}
    before = False  # the call before the first sendall: the run begins with the hog's turn
    for op in ops:
        for name, took in (("sendall", op["send"]), ("recv", op["recv"])):
            lost = name in op["lost"]
            key = f"{name}_after_{'lost' if before else 'kept'}"
            pair = counts.setdefault(key, [0, 0])
            pair[0] += lost
            pair[1] += 1
            if lost:
                wakes[name].append(op["wake"][name])
            else:
                kept[name].append(took)
            before = lost
    with open("/proc/loadavg") as f:
        load = [float(x) for x in f.read().split()[:3]]
    per_op = statistics.mean(op["send"] + op["recv"] for op in ops) * 1e-6
    med = lambda xs: round(statistics.median(xs), 1) if xs else None
    q = lambda xs, p: round(sorted(xs)[int(p * (len(xs) - 1))], 1) if xs else None
    return {"summary": True, "placement": placement, "interval": interval, "ops": len(ops),
            "intervals_per_op": round(per_op / interval, 3), "lost_of": counts,
            "kept_us": {k: [q(v, 0.1), med(v), q(v, 0.9)] for k, v in kept.items()},
            "wake_us": {k: [q(v, 0.1), med(v), q(v, 0.9)] for k, v in wakes.items()},
            "load": load}


def quantiles(xs):
    """The 10th percentile, median and 90th of `xs`, rounded to 0.1 (None if empty)."""
    if not xs:
        return None
    xs = sorted(xs)
    return [round(xs[int(p * (len(xs) - 1))], 1) for p in (0.1, 0.5, 0.9)]


def decided(ops, halt_poll):
    """What decided one run's calls (see the module's `--from`)."""
    return summarise_decided(decided_lists(ops, halt_poll), halt_poll)


def decided_lists(ops, halt_poll):
    """decided()'s counts and samples before their quantiles: a dict that `pooled()` adds
    up over runs (fidelity/convoy_model_ops.py pools the model's seeds so)."""
    calls = []  # (name, start in ns, duration in us, lost, wake in us, end of the hog's last turn before it)
    for op in ops:
        t0 = op["t0"]
        turns = [(t0 + a * 1e3, t0 + b * 1e3) for a, b in op["hog"]]
        for name, start, took in (("sendall", t0, op["send"]), ("recv", t0 + op["send"] * 1e3, op["recv"])):
            before = [b for a, b in turns if a < start]
            calls.append((name, start, took, name in op["lost"], op["wake"].get(name), before[-1] if before else None))
    first = {f"{n}_{k}": [0, 0] for n in ("sendall", "recv") for k in ("under", "over")}
    second = {f"{n}_{k}": [0, 0] for n in ("recv", "sendall") for k in ("under", "over")}
    idles, wakes, kept = [], {"under": [], "over": []}, {"under": [], "over": []}
    idle_of = {}  # call index: the idle before it, for a first call
    by_call = {n: {"wake": [], "kept": []} for n in ("sendall", "recv")}  # first calls under the window
    last_end = None
    for i, (name, start, took, lost, wake, end) in enumerate(calls):
        if i > 0 and calls[i - 1][3] and last_end is not None:
            idle = (start - last_end) / 1e3
            idle_of[i] = idle
            side = "under" if idle < halt_poll else "over"
            idles.append(idle)
            first[f"{name}_{side}"][0] += lost
            first[f"{name}_{side}"][1] += 1
            (wakes if lost else kept)[side].append(wake if lost else took)
            if side == "under":
                by_call[name]["wake" if lost else "kept"].append(wake if lost else took)
            if not lost and i + 1 < len(calls):
                second[f"{calls[i + 1][0]}_{side}"][0] += calls[i + 1][3]
                second[f"{calls[i + 1][0]}_{side}"][1] += 1
        if lost:
            # the CPU-bound thread's turns that began in the lost call: its last one ends where it was forced out
            nxt = calls[i + 1][1] if i + 1 < len(calls) else float("inf")
            op_turns = [b for a, b in ((a, b) for op in ops for a, b in ((op["t0"] + x * 1e3, op["t0"] + y * 1e3) for x, y in op["hog"])) if start <= a < nxt]
            last_end = op_turns[-1] if op_turns else None
    streaks, run = [], []
    for i, c in enumerate(calls + [(None, None, None, True, None, None)]):
        if not c[3]:
            run.append(i)
            continue
        if len(run) >= 10:
            sends = [calls[j][2] for j in run if calls[j][0] == "sendall"]
            span = (c[1] - calls[run[0]][1]) / 1e3 if c[1] is not None else None
            before = idle_of.get(run[0])
            streaks.append([len(run), round(span, 1) if span is not None else None, round(statistics.median(sends), 1),
                            round(before, 1) if before is not None else None])
        run = []
    return {"first": first, "second": second, "idles": idles, "wakes": wakes, "kept": kept, "streaks": streaks,
            "by_call": by_call}


def pooled(runs):
    """decided_lists() of several runs as one: counts added, samples and streaks joined."""
    out = {"first": {}, "second": {}, "idles": [], "wakes": {}, "kept": {}, "streaks": [],
           "by_call": {n: {"wake": [], "kept": []} for n in ("sendall", "recv")}}
    for r in runs:
        for part in ("first", "second"):
            for k, (lost, of) in r[part].items():
                pair = out[part].setdefault(k, [0, 0])
                pair[0] += lost
                pair[1] += of
        for part in ("wakes", "kept"):
            for k, v in r[part].items():
                out[part].setdefault(k, []).extend(v)
        for name, parts in r["by_call"].items():
            for k, v in parts.items():
                out["by_call"][name][k].extend(v)
        out["idles"].extend(r["idles"])
        out["streaks"].extend(r["streaks"])
    return out


def summarise_decided(lists, halt_poll):
    """decided()'s printed form of decided_lists(): quantiles of the samples."""
    return {"halt_poll_us": halt_poll, "first": lists["first"], "second": lists["second"],
            "idle_us": quantiles(lists["idles"]),
            "first_wake_us": {k: quantiles(v) for k, v in lists["wakes"].items()},
            "first_kept_us": {k: quantiles(v) for k, v in lists["kept"].items()}, "streaks": lists["streaks"],
            "first_under_by_call": {n: {"wake_us": quantiles(v["wake"]), "kept_us": quantiles(v["kept"])}
                                    for n, v in lists["by_call"].items()}}


def read_back(path, halt_poll):
    """Prints what decided each run of a file of this program's output."""
    ops = []
    with open(path) as f:
        for line in f:
            if line.startswith("##"):
                print(line.rstrip())
                continue
            d = json.loads(line)
            if not d.get("summary"):
                ops.append(d)
                continue
            out = {"placement": d["placement"], "interval": d["interval"], "ops": d["ops"],
                   "intervals_per_op": d["intervals_per_op"], "load": d["load"]}
            out.update(decided(ops, halt_poll))
            print(json.dumps(out))
            ops = []


def main():
    if "--from" in sys.argv:
        i = sys.argv.index("--from")
        halt_poll = float(sys.argv[sys.argv.index("--halt-poll") + 1]) if "--halt-poll" in sys.argv else 200.0
        read_back(sys.argv[i + 1], halt_poll)
        return
    suite.own_autogroup()
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    only_summary = "--summary" in sys.argv
    ops = int(args[0])
    intervals = [float(x) for x in args[1].split(",")]
    for placement in args[2:]:
        io_cpu, hog_cpu, echo_cpu = (int(x) for x in placement.split(","))
        mine, child = forked_echo(echo_cpu)
        for interval in intervals:
            stamps, turns, tids = run(mine, interval, ops, io_cpu, hog_cpu)
            ops_seen = analyse(stamps, turns, interval)
            if not only_summary:
                for op in ops_seen:
                    print(json.dumps(op))
            summary = summarise(ops_seen, interval, placement)
            summary.update(tids=tids, echo_pid=child)
            print(json.dumps(summary), flush=True)
        mine.close()
        os.waitpid(child, 0)


if __name__ == "__main__":
    main()
