"""Timelines of the suite's file reads (fidelity/cpython/file_reads.py), to be read beside the
kernel's scheduler trace. No row of its own: it says where the eight threads' time goes
(docs/model.md, Known simplifications). Run as root, in a session of its own at nice -20
(it gives its session's autogroup its nice value), one measurement at a time:

    flock /work/cpython.lock setsid nice -n -20 perf sched record -k CLOCK_MONOTONIC \
        -o sched.data -- /usr/bin/python3 file_reads_timeline.py reads.json
    python3 file_reads_timeline.py --analyse reads.json sched.data

and, for where the threads blocked (glibc's frames under each switch; the call graphs slow
the run, so its times are not figures):

    flock /work/cpython.lock setsid nice -n -20 perf record -e sched:sched_switch \
        --call-graph dwarf,8192 -k CLOCK_MONOTONIC -o stacks.data -- \
        /usr/bin/python3 file_reads_timeline.py reads.json
    python3 file_reads_timeline.py --analyse reads.json stacks.data --stacks

`--quick` (before OUT.json) reads 2 MiB files once, to check that the program runs.

Measured: the loop (`sequential`, one 1 MiB buffer), the eight threads of the row
(`threads`, started in the section, a buffer each) and two threads reading four files each
(`2 threads`: no more threads than CPUs), and the loop and the two threads again with
reads of 32 MiB (a file a read, four GIL releases a pass: the copies side by side with
almost no GIL), in turns. Each read's start and end
(time.perf_counter_ns, the same clock as the trace's with -k CLOCK_MONOTONIC), each
thread's native id and the CPU time of each read (time.thread_time_ns), each start()'s call
and return. The analysis gives, per section, what the two CPUs did (the measured threads,
other tasks, idle), the threads' waits for the GIL (sleeps outside the kernel's copy), how
long a woken thread took to run, and how long each read and each copy took.

Standard library only, so that Debian's /usr/bin/python3 runs it as it is.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import suite

FILES = 8
PIECE = 1 << 20
PASSES = 4
TURNS = 3


PIECES = 32  # of 1 MiB a file


def read_file(path, passes, buffer, log):
    clock, cpu = time.perf_counter_ns, time.thread_time_ns
    with open(path, "rb", buffering=0) as f:
        for _ in range(passes):
            f.seek(0)
            while True:
                t0, c0 = clock(), cpu()
                n = f.readinto(buffer)
                log.append((t0, clock(), cpu() - c0))
                if not n:
                    break


def name(base, piece):
    return base if piece == PIECE else f"{base}, {piece >> 20} MiB reads"


def sequential(paths, piece=PIECE):
    buffer = bytearray(piece)
    log = []
    start = time.perf_counter_ns()
    for _ in range(PASSES):
        for path in paths:
            read_file(path, 1, buffer, log)
    return {"name": name("sequential", piece), "start": start, "end": time.perf_counter_ns(),
            "threads": [{"tid": threading.get_native_id(), "reads": log}]}


def threads(paths, count=FILES, piece=PIECE):
    """`count` threads started in the section, each reading FILES / count of the files in
    pieces of `piece` bytes."""
    records = []

    def target(mine, buffer, record):
        record["tid"] = threading.get_native_id()
        record["begin"] = time.perf_counter_ns()
        for _ in range(PASSES):
            for path in mine:
                read_file(path, 1, buffer, record["reads"])
        record["finish"] = time.perf_counter_ns()

    buffers = [bytearray(piece) for _ in range(count)]  # before the clock, as the loop's
    start = time.perf_counter_ns()
    starts = []
    workers = []
    for i in range(count):
        record = {"reads": []}
        records.append(record)
        t = threading.Thread(target=target, args=(paths[i::count], buffers[i], record))
        t0 = time.perf_counter_ns()
        t.start()
        starts.append((t0, time.perf_counter_ns()))
        workers.append(t)
    for t in workers:
        t.join()
    return {"name": name("threads" if count == FILES else f"{count} threads", piece), "start": start, "end": time.perf_counter_ns(), "starts": starts,
            "main": threading.get_native_id(), "threads": records}


def measure(out, quick=False):
    suite.own_autogroup()
    sections = []
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, f"{i}.bin") for i in range(FILES)]
        for path in paths:
            with open(path, "wb") as f:
                f.write(os.urandom(PIECE) * (2 if quick else PIECES))
        for path in paths:
            read_file(path, 1, bytearray(PIECE), [])
        for _ in range(1 if quick else TURNS):
            sections.append(sequential(paths))
            time.sleep(0.02)
            sections.append(threads(paths))
            time.sleep(0.02)
            sections.append(threads(paths, 2))
            time.sleep(0.02)
            if not quick:  # 32 MiB reads: four GIL releases a pass, two threads copying
                sections.append(sequential(paths, 32 * PIECE))
                time.sleep(0.02)
                sections.append(threads(paths, 2, 32 * PIECE))
                time.sleep(0.02)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    with open(out, "w") as f:
        json.dump({"pid": os.getpid(), "load_end": load, "sections": sections}, f)
    for section in sections:
        print(f"{section['name']}: {(section['end'] - section['start']) / 1e6:.2f} ms,",
              f"{sum(len(t['reads']) for t in section['threads'])} reads")
    print("load average at the end:", " ".join(load))


def trace_events(data):
    """The scheduler's events of `perf script` on `data` (parse_trace)."""
    return parse_trace(subprocess.run(["perf", "script", "-i", data, "-F", "cpu,time,event,trace", "--ns"],
                                      capture_output=True, text=True, check=True).stdout)


def parse_trace(text):
    """Lines of `perf script -F cpu,time,event,trace --ns` as (time ns, cpu, kind, fields):
    `[001] 64161.161698837: sched:sched_switch: prev_pid=15704 ...` gives (64161161698837, 1,
    "sched_switch", {"prev_pid": "15704", ...})."""
    events = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 4 or not parts[0].startswith("["):
            continue
        seconds, _, fraction = parts[1].rstrip(":").partition(".")
        t = int(seconds) * 1_000_000_000 + int(fraction.ljust(9, "0")[:9])
        kind = parts[2].rstrip(":").split(":")[-1]
        fields = dict(p.split("=", 1) for p in parts[3:] if "=" in p and not p.startswith("="))
        events.append((t, int(parts[0].strip("[]")), kind, fields))
    return events


def blocking_sites(data, tids, by_thread=False):
    """Where the measured threads blocked, from a trace recorded with call graphs (`perf record
    -e sched:sched_switch --call-graph dwarf`): the user-space frames under the kernel's, counted
    (for each thread with `by_thread`)."""
    text = subprocess.run(["perf", "script", "-i", data, "-F", "tid,trace,ip,sym"],
                          capture_output=True, text=True, check=True).stdout
    kernel = ("__schedule", "schedule", "futex", "do_futex", "__x64", "do_syscall", "entry_SYSCALL",
              "__futex", "x64_sys", "syscall")
    sites = {}
    for block in text.split("\n\n"):
        lines = block.strip().split("\n")
        tid = lines[0].split()[0] if lines[0].strip() else None
        if tid not in tids:
            continue
        if "prev_state=S" not in lines[0] and "prev_state=D" not in lines[0]:
            key = "preempted"
        else:
            frames = [l.split()[1] for l in lines[1:] if len(l.split()) > 1]
            key = " < ".join([f for f in frames if not f.startswith(kernel)][:3])
        counts = sites.setdefault(tid, {}) if by_thread else sites
        counts[key] = counts.get(key, 0) + 1
    top = lambda counts: dict(sorted(counts.items(), key=lambda kv: -kv[1])[:8])
    return {t: top(c) for t, c in sites.items()} if by_thread else top(sites)


def deciles(values):
    values = sorted(values)
    return [round(values[len(values) * i // 10] / 1e3, 1) for i in range(1, 10)] if values else []


def scheduling(events, start, end, tids):
    """What the kernel's trace says of the threads `tids` (native ids, as strings) between
    `start` and `end` (ns, CLOCK_MONOTONIC): the CPUs' time (the measured threads, other
    tasks, idle; and other tasks while measured threads were queued on that CPU), each
    measured thread's time on a CPU, their blocks and preemptions, how long a thread ran
    between taking a CPU and leaving it, and how long a woken thread waited for a CPU (by
    what the CPU ran before it)."""
    running, runnable, cpu_of, waking, switched_in = {}, set(), {}, {}, {}
    spent, on_cpu = {}, {}
    last = [start]
    wakes = {}
    runs = {"blocked": [], "preempted": []}
    switches = {"blocked": 0, "preempted": 0}
    by_thread = {}

    def account(t):
        for cpu, who in running.items():
            kind = "idle" if who == "0" else ("measured" if who in tids else "other")
            if kind == "other" and any(cpu_of.get(x) == cpu for x in runnable):
                kind = "other, measured waiting"
            spent[kind] = spent.get(kind, 0) + t - last[0]
            if kind == "measured":
                on_cpu[who] = on_cpu.get(who, 0) + t - last[0]
        last[0] = t

    for t, cpu, kind, f in events:
        if t > end:
            break
        if kind == "sched_migrate_task" and f["pid"] in tids:
            cpu_of[f["pid"]] = int(f["dest_cpu"])
        elif kind == "sched_waking" and f["pid"] in tids:
            if t >= start:
                account(t)
            waking[f["pid"]] = t
            runnable.add(f["pid"])
        elif kind == "sched_switch":
            if t >= start:
                account(t)
            prev, following = f["prev_pid"], f["next_pid"]
            blocked = f["prev_state"].startswith(("S", "D"))
            how = "blocked" if blocked else "preempted"
            if prev in tids:
                (runnable.discard if blocked else runnable.add)(prev)
                if t >= start:
                    switches[how] += 1
                    counts = by_thread.setdefault(prev, {"blocked": 0, "preempted": 0})
                    counts[how] += 1
                    if prev in switched_in:
                        runs[how].append(t - switched_in[prev])
            runnable.discard(following)
            running[cpu] = following
            if following in tids:
                cpu_of[following] = cpu
                switched_in[following] = t
                if following in waking:
                    woke = waking.pop(following)
                    if t >= start:
                        before = ("measured, " + how) if prev in tids else ("idle" if prev == "0" else "other")
                        wakes.setdefault(before, []).append(t - woke)
    if last[0] < end:
        account(end)
    wall = end - start
    cpus = len(running) or 1
    return {"wall_ms": round(wall / 1e6, 2),
            "cpu_share": {k: round(v / (cpus * wall), 3) for k, v in sorted(spent.items())},
            "measured_cpu_ms": round(spent.get("measured", 0) / 1e6, 1),
            "cpu_ms_by_thread": {k: round(v / 1e6, 2) for k, v in sorted(on_cpu.items())},
            "switches_out": switches,
            "switches_out_by_thread": dict(sorted(by_thread.items())),
            "run_us_deciles": {k: deciles(v) for k, v in runs.items()},
            "wake_us_deciles_by_cpu_before": {k: [len(v)] + deciles(v) for k, v in sorted(wakes.items())}}


def analyse(out, data, stacks=False):
    """Per section: scheduling()'s figures and the reads' times."""
    report = json.load(open(out))
    events = trace_events(data)
    for section in report["sections"]:
        start = section["start"]
        tids = {str(t["tid"]) for t in section["threads"]}
        if "main" in section:
            tids.add(str(section["main"]))
        reads = [r for th in section["threads"] for r in th["reads"]]
        line = {"section": section["name"], **scheduling(events, start, section["end"], tids),
                "read_us_deciles": deciles([r[1] - r[0] for r in reads]),
                "read_cpu_us_deciles": deciles([r[2] for r in reads]),
                "read_cpu_ms": round(sum(r[2] for r in reads) / 1e6, 1)}
        if "starts" in section:
            line["starting_ms"] = round((section["starts"][-1][1] - start) / 1e6, 2)
            line["first_read_ms"] = [round((th["reads"][0][0] - start) / 1e6, 2) for th in section["threads"]]
        if stacks and not section["name"].startswith("sequential"):
            line["blocked_in"] = blocking_sites(data, tids)
        print(json.dumps(line))


def command_line(measure, analyse):
    """`--analyse OUT.json TRACE [--stacks]`, `--quick OUT.json` or `OUT.json`."""
    if sys.argv[1] == "--analyse":
        analyse(sys.argv[2], sys.argv[3], stacks="--stacks" in sys.argv[4:])
    elif sys.argv[1] == "--quick":
        measure(sys.argv[2], quick=True)
    else:
        measure(sys.argv[1])


if __name__ == "__main__":
    command_line(measure, analyse)
