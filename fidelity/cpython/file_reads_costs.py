"""What a reading thread pays per read that the loop and two processes do not: a probe, not a
row of the suite (docs/model.md, the file-reads section at the end). The reads of
file_reads.py (eight files of 32 MiB in the page cache, each read four times over in 1 MiB
pieces by `readinto` of a reused buffer), every read timed on its own thread's CPU clock
(`time.thread_time` before and after, so a read's CPU time holds the kernel's copy and the
GIL's release and retake), by these arrangements in turns, in one program:

  sequential   the loop (the row's denominator), one buffer
  sequential8  the loop with a buffer per file, as the eight threads have: the caches'
               share of a thread's cost, with no thread
  one_process  one forked process pinned to a CPU (each turn the other): the copies alone
  processes    two forked processes pinned one to each CPU, half of the files each
  two_threads  two threads pinned one to each CPU, half of the files each
  started      the row's eight threads, started before the clock
  threads      the row's eight threads started in the section (the row itself)
  memcpy_one   the control of one_process: the same bytes copied by memcpy from memory
               (`memoryview(buffer)[:] = view[a:b]`, 1 MiB at a time, from a 256 MiB bytes
               object made before the fork) with no file and no kernel
  memcpy_two   the control of processes: two such processes pinned one to each CPU

For each it prints, against the loop: the wall time, the CPU time, the bytes copied a second
(GB/s), the CPUs used, and per read the CPU time inside `readinto` and outside it (Python,
the GIL's waits' CPU), its wall time, and per turn the voluntary and involuntary context
switches, minor page faults and the wait for a CPU (schedstat), summed over the section's
threads or processes. For `threads` it splits the eight starts (eight_threads) and gives
the CPUs the process used while starting and after. Medians over the rounds; each round
runs the sections in that order and back in the reverse order.

    flock /work/cpython.lock setsid sh -c 'echo -20 > /proc/self/autogroup; \
        exec nice -n -20 /usr/bin/python3 file_reads_costs.py [--rounds N] [--json]'

--quick: tiny files and one round, for tests.
"""

import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time

import suite

FILES = 8
PIECE = 1 << 20
PASSES = 4


def counters():
    """The calling thread's CPU time, wait for a CPU, voluntary and involuntary switches and
    minor faults so far."""
    r = resource.getrusage(resource.RUSAGE_THREAD)
    return [time.thread_time(), suite.run_queue_wait(), r.ru_nvcsw, r.ru_nivcsw, r.ru_minflt]


def read_timed(path, passes, buffer, acc):
    """file_reads.read_file, adding to `acc` [reads, CPU in readinto, wall in readinto]."""
    with open(path, "rb", buffering=0) as f:
        for _ in range(passes):
            f.seek(0)
            while True:
                w = time.perf_counter()
                c = time.thread_time()
                n = f.readinto(buffer)
                acc[1] += time.thread_time() - c
                acc[2] += time.perf_counter() - w
                if not n:
                    break
                acc[0] += 1


def worker(files_in_order, out):
    """Reads `files_in_order` (each with its buffer) and appends this thread's figures to
    `out`: counters' differences and the read accumulators."""
    acc = [0, 0.0, 0.0]
    before = counters()
    for path, buffer in files_in_order:
        read_timed(path, 1, buffer, acc)
    after = counters()
    out.append([a - b for a, b in zip(after, before)] + acc)


def order(paths, buffers, passes):
    """Pass after pass over the files, as the loop reads them."""
    return [(p, b) for _ in range(passes) for p, b in zip(paths, buffers)]


FIELDS = ["cpu", "cpu_wait", "voluntary", "involuntary", "minflt", "reads", "read_cpu", "read_wall"]


class Sections:
    def __init__(self):
        self.s = {}

    def add(self, name, wall, figures, extra=None):
        x = self.s.setdefault(name, {"wall": 0.0, "turns": 0, **{f: 0.0 for f in FIELDS}})
        x["wall"] += wall
        x["turns"] += 1
        for f in figures:
            for k, v in zip(FIELDS, f):
                x[k] += v
        for k, v in (extra or {}).items():
            x[k] = x.get(k, 0.0) + v


def sequential(sections, paths, passes, per_file):
    buffers = [bytearray(PIECE) for _ in paths] if per_file else [bytearray(PIECE)] * len(paths)
    out = []
    t = time.perf_counter()
    worker(order(paths, buffers, passes), out)
    sections.add("sequential8" if per_file else "sequential", time.perf_counter() - t, out)


def run_forked(sections, name, halves, cpus, prepare):
    """One child pinned to each CPU of `cpus`, all started together once forked: each calls
    `prepare(half)` (its buffers allocated before the clock), waits for the start signal, runs
    the function it returned and sends back the figures that returns; the section's wall time
    is from the start signal to the last child's figures."""
    go_read, go_write = os.pipe()
    done_read, done_write = os.pipe()
    children = []
    for half, cpu in zip(halves, cpus):
        pid = os.fork()
        if pid == 0:
            try:
                os.sched_setaffinity(0, {cpu})
                os.close(go_write)
                run = prepare(half)
                os.read(go_read, 1)
                os.write(done_write, (json.dumps(run()) + "\n").encode())
            finally:
                os._exit(0)
        children.append(pid)
    os.close(go_read)
    os.close(done_write)
    t = time.perf_counter()
    os.write(go_write, b"g" * len(halves))
    with os.fdopen(done_read) as done:
        figures = [json.loads(line) for line in done]
    wall = time.perf_counter() - t
    os.close(go_write)
    for pid in children:
        os.waitpid(pid, 0)
    sections.add(name, wall, figures)


def forked(sections, name, halves, cpus, passes):
    def read_half(half):
        buffer = bytearray(PIECE)

        def run():
            out = []
            worker(order(half, [buffer] * len(half), passes), out)
            return out[0]

        return run

    run_forked(sections, name, halves, cpus, read_half)


def copy_timed(view, passes_of_slices, buffer, acc):
    """The reads' copies with no file and no kernel: `memoryview(buffer)[:] = view[a:b]` (one
    memcpy; a bytearray's own slice assignment would copy the piece into a new bytearray
    first) for each 1 MiB piece of each slice (a file's bytes), adding to `acc` as
    read_timed does."""
    buffer = memoryview(buffer)
    for start, end in passes_of_slices:
        for at in range(start, end, PIECE):
            w = time.perf_counter()
            c = time.thread_time()
            buffer[:] = view[at:at + PIECE]
            acc[1] += time.thread_time() - c
            acc[2] += time.perf_counter() - w
            acc[0] += 1


def forked_copies(sections, name, source, size, cpus, passes):
    """The control of `one_process` and `processes`: the same bytes copied by memcpy from
    `source` (made before the fork, eight slices of `size` standing for the files) by one
    process or two pinned one to each CPU, half of the slices each."""
    slices = [(i * size, (i + 1) * size) for i in range(FILES)]
    halves = [slices] if len(cpus) == 1 else [slices[0::2], slices[1::2]]

    def copy_half(half):
        buffer = bytearray(PIECE)
        view = memoryview(source)

        def run():
            acc = [0, 0.0, 0.0]
            before = counters()
            copy_timed(view, half * passes, buffer, acc)
            after = counters()
            return [a - b for a, b in zip(after, before)] + acc

        return run

    run_forked(sections, name, halves, cpus, copy_half)


def two_threads(sections, paths, passes, cpus):
    out = []

    def reader(half, cpu):
        with suite.pinned(cpu):
            buffer = bytearray(PIECE)
            worker(order(half, [buffer] * len(half), passes), out)

    t = time.perf_counter()
    workers = [threading.Thread(target=reader, args=(h, c)) for h, c in zip((paths[0::2], paths[1::2]), cpus)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    sections.add("two_threads", time.perf_counter() - t, out)


class Timed(threading.Thread):
    """A thread that notes when its bootstrap began (it has a CPU and the GIL) and its wait
    for a CPU until then (schedstat: from its creation)."""

    def _bootstrap(self):
        self.began = time.perf_counter()
        self.waited = suite.run_queue_wait()
        super()._bootstrap()


_start_new_thread = threading._start_new_thread
_created = {}


def _timed_start_new_thread(function, args):
    """threading's _start_new_thread, noting when pthread_create returned (the starter still
    holds the GIL) and the starter's wait for a CPU so far."""
    ident = _start_new_thread(function, args)
    _created["at"] = time.perf_counter()
    _created["waited"] = suite.run_queue_wait()
    return ident


threading._start_new_thread = _timed_start_new_thread


def eight_threads(sections, paths, passes, started):
    """The row's eight threads. Started in the section (`threads`), each start() is split in
    `create` (pthread_create, the GIL held), `to_new` (the new thread's wait for a CPU and
    the GIL until its bootstrap), `back` (its bootstrap, the starter's wake-up, its wait for
    a CPU, `starter_cpu_wait`, and for the GIL); and the section in its starts and the rest,
    with the CPUs the process used in each (its CPU time over the wall time)."""
    out = []
    go = threading.Event()

    def reader(path):
        buffer = bytearray(PIECE)
        if started:
            go.wait()
        worker([(path, buffer)] * passes, out)

    workers = [Timed(target=reader, args=(p,)) for p in paths]
    if started:
        for w in workers:
            w.start()
        time.sleep(0.005)
    phases = {"create": 0.0, "to_new": 0.0, "back": 0.0, "starter_cpu_wait": 0.0, "new_cpu_wait": 0.0}
    cpu0 = time.process_time()
    t = time.perf_counter()
    if started:
        go.set()
    else:
        for w in workers:
            s = time.perf_counter()
            w.start()
            e = time.perf_counter()
            waited = suite.run_queue_wait()
            phases["create"] += _created["at"] - s
            phases["to_new"] += w.began - _created["at"]
            phases["back"] += e - w.began
            phases["starter_cpu_wait"] += waited - _created["waited"]
            phases["new_cpu_wait"] += w.waited
    starting = time.perf_counter() - t
    cpu1 = time.process_time()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t
    cpu2 = time.process_time()
    extra = {"starting": starting, "cpus_starting": (cpu1 - cpu0) / starting if starting > 1e-4 else 0.0,
             "cpus_after": (cpu2 - cpu1) / (wall - starting)}
    sections.add("started" if started else "threads", wall, out, extra if started else {**extra, **phases})


SECTIONS = ["sequential", "sequential8", "one_process", "processes", "two_threads", "started", "threads",
            "memcpy_one", "memcpy_two"]


def one_round(paths, passes, source, size):
    sections = Sections()
    cpus = suite.two_cpus()
    halves = [paths[0::2], paths[1::2]]
    measures = {
        "sequential": lambda: sequential(sections, paths, passes, False),
        "sequential8": lambda: sequential(sections, paths, passes, True),
        "one_process": lambda: forked(sections, "one_process", [paths],
                                      [cpus[sections.s.get("one_process", {}).get("turns", 0) % 2]], passes),
        "processes": lambda: forked(sections, "processes", halves, cpus, passes),
        "two_threads": lambda: two_threads(sections, paths, passes, cpus),
        "started": lambda: eight_threads(sections, paths, passes, True),
        "threads": lambda: eight_threads(sections, paths, passes, False),
        "memcpy_one": lambda: forked_copies(sections, "memcpy_one", source, size,
                                            [cpus[sections.s.get("memcpy_one", {}).get("turns", 0) % 2]], passes),
        "memcpy_two": lambda: forked_copies(sections, "memcpy_two", source, size, cpus, passes),
    }
    load = suite.load_average()[0]
    for name in SECTIONS + SECTIONS[::-1]:
        measures[name]()
        time.sleep(0.01)
    return summary(sections.s, load)


def summary(s, load):
    base = s["sequential"]
    out = {"load": load, "sequential_ms": 1e3 * base["wall"] / base["turns"]}
    for name in SECTIONS:
        x = s[name]
        reads = max(x["reads"], 1)
        out[name] = {"wall": x["wall"] / base["wall"], "cpu": x["cpu"] / base["cpu"],
                     "gb_s": x["reads"] * PIECE / x["wall"] / 1e9,
                     "cpus_used": x["cpu"] / x["wall"],
                     "read_cpu_us": 1e6 * x["read_cpu"] / reads,
                     "outside_us": 1e6 * (x["cpu"] - x["read_cpu"]) / reads,
                     "read_wall_us": 1e6 * x["read_wall"] / reads,
                     **{k: x[k] / x["turns"] for k in ("voluntary", "involuntary", "minflt")},
                     "cpu_wait_ms": 1e3 * x["cpu_wait"] / x["turns"],
                     "starting_ms": 1e3 * x.get("starting", 0.0) / x["turns"],
                     **{k + "_ms": 1e3 * x.get(k, 0.0) / x["turns"] for k in PHASES},
                     "cpus_starting": x.get("cpus_starting", 0.0) / x["turns"],
                     "cpus_after": x.get("cpus_after", 0.0) / x["turns"]}
    return out


PHASES = ["create", "to_new", "back", "starter_cpu_wait", "new_cpu_wait"]


COLUMNS = ["wall", "cpu", "gb_s", "cpus_used", "read_cpu_us", "outside_us", "read_wall_us", "voluntary", "involuntary",
           "minflt", "cpu_wait_ms", "starting_ms"]


def print_table(rounds):
    print("medians of", len(rounds), "rounds; load at the rounds' starts:",
          ", ".join(f"{r['load']:.2f}" for r in rounds), "; the loop's turn:",
          ", ".join(f"{r['sequential_ms']:.1f}" for r in rounds), "ms")
    print(f"{'section':<12}" + "".join(f"{c:>13}" for c in COLUMNS))
    for name in SECTIONS:
        print(f"{name:<12}" + "".join(f"{statistics.median(r[name][c] for r in rounds):13.3f}" for c in COLUMNS))
    x = [r["threads"] for r in rounds]
    print("threads' eight starts a turn (ms, medians): " + ", ".join(
        f"{k} {statistics.median(y[k + '_ms'] for y in x):.2f}" for k in ["starting"] + PHASES)
          + f"; CPUs used while starting {statistics.median(y['cpus_starting'] for y in x):.2f},"
          f" after {statistics.median(y['cpus_after'] for y in x):.2f}"
          f" (started before the clock: {statistics.median(r['started']['cpus_after'] for r in rounds):.2f})")
    print("each round's wall (cpu) against the loop's, GB/s copied:")
    for name in SECTIONS:
        print(f"  {name:<12}" + " ".join(f"{r[name]['wall']:.2f}({r[name]['cpu']:.2f}){r[name]['gb_s']:5.1f}"
                                         for r in rounds))


def main():
    quick, as_json, rounds = suite.probe_options("file_reads_costs", sys.argv[1:])
    suite.own_autogroup()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, f"{i}.bin") for i in range(FILES)]
        for path in paths:
            with open(path, "wb") as f:
                f.write(os.urandom(PIECE) * (1 if quick else 32))
        for path in paths:
            read_timed(path, 1, bytearray(PIECE), [0, 0.0, 0.0])
        size = PIECE * (1 if quick else 32)
        source = os.urandom(size) * FILES  # the memcpy control's "files", shared by the forks
        for _ in range(rounds):
            results.append(one_round(paths, PASSES, source, size))
    if as_json:
        json.dump(results, sys.stdout)
        print()
    else:
        print_table(results)


if __name__ == "__main__":
    main()
