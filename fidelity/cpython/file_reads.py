"""File reads in threads: eight files of 32 MiB, already in the page cache, each read four
times over in 1 MiB pieces: one file after another, by one thread per file (eight threads
on two cores). A read() releases the GIL while the kernel copies, so threads overlap the
copying: a ratio (threads / sequential). Paired with fidelity/scenarios/file-reads.toml.

What holds the threads back is not the GIL's share of the time: each 1 MiB readinto() into a
reused buffer is one call of the unbuffered FileIO, about a microsecond of Python around
some 50 us of kernel copy without the GIL, so the GIL is held about 2 % of the time. It is
mostly the host's memory: two CPUs copy little faster than one, GIL or not (`processes`
below), and the threads pay their starts, switches and buffers on top (docs/model.md, the
file-reads section at the end). file_reads_parts.py runs these sections and more in turns
and prints each part against the loop; file_reads_costs.py times each read and each start.

`processes` is the same reads by two processes forked before the clock starts, each pinned
to a CPU of its own, with no GIL at all: processes.wall / sequential.wall says how far two
cores copy faster than one on this machine, and its CPU time against the loop's what copying
on two cores at once costs. `unpinned_processes` is the same two processes where the kernel
puts them. `started_threads` is the eight threads started before the clock, waiting on an
Event the section sets: the threads without their starts. `two_threads` is the same reads by
two threads, one pinned to each CPU, each reading half of the files: the GIL with no more
threads than cores.

The thread sections say what their threads waited for (in --raw): `gil_waits`, their
voluntary context switches (a read from the page cache never blocks, so each is a wait for
the GIL), `blocked`, the time they spent so (each thread's life less its CPU time and its
wait for a CPU), and `cpu_wait`, their wait for a CPU; `threads` and `started_threads` also
`last_begins`, when the last of them began reading, and `last_alone`, how long the last
read on after all the others had ended; `threads` also `starting`, how long the main thread
took to start them: Thread.start() returns only once the new thread has run
its bootstrap, under the GIL and on a CPU of its own, so each start waits behind the threads
already copying.

The loop reads pass after pass over all eight files, as the threads do together, so that
both stream the same 256 MiB. The sections run in turns, sequential, threads,
started_threads, two_threads, processes, unpinned_processes, and back in the reverse order,
and each section's wall time is the sum of its turns: about 50 ms a turn.

The ratio has no pace check (cpu_bound.py's): its work is the kernel's copies, not Python's
loop, and the threads' CPU time per byte is 1.25 to 1.31 of the loop's by the effect itself
(file_reads_parts.py), beyond the check's 10 %.
"""

import os
import tempfile
import threading
import time

try:
    import resource
except ImportError:  # not Unix: no per-thread context switches
    resource = None

import suite

FILES = 8
PIECE = 1 << 20
PASSES = 4


def read_file(path, passes, buffer):
    with open(path, "rb", buffering=0) as f:
        for _ in range(passes):
            f.seek(0)
            while f.readinto(buffer):
                pass


def sequential(report, paths, passes):
    buffer = bytearray(PIECE)
    with report.section("sequential", cores=1, busy=1):
        for _ in range(passes):
            for path in paths:
                read_file(path, 1, buffer)


def voluntary_switches():
    """The calling thread's voluntary context switches so far (0 where the OS does not say)."""
    if resource is None or not hasattr(resource, "RUSAGE_THREAD"):
        return 0
    return resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw


def read_file_counted(path, passes, buffer, waits):
    """read_file, adding to `waits` what the thread waited for: GIL waits, blocked time, CPU
    wait; then when its reading began and ended (perf_counter)."""
    start = time.perf_counter()
    cpu = time.thread_time()
    queued = suite.run_queue_wait()
    switches = voluntary_switches()
    read_file(path, passes, buffer)
    switches = voluntary_switches() - switches
    queued = suite.run_queue_wait() - queued
    cpu = time.thread_time() - cpu
    end = time.perf_counter()
    waits.append((switches, end - start - cpu - queued, queued, start, end))


def add_waits(s, waits, section_start):
    """Adds to section `s` its threads' waits (read_file_counted) and, since `section_start`,
    when the last thread began reading (`last_begins`) and how long the last thread read on
    after all the others had ended (`last_alone`)."""
    for field, index in (("gil_waits", 0), ("blocked", 1), ("cpu_wait", 2)):
        s[field] = s.get(field, 0) + sum(w[index] for w in waits)
    ends = sorted(w[4] for w in waits)
    s["last_begins"] = s.get("last_begins", 0.0) + max(w[3] for w in waits) - section_start
    s["last_alone"] = s.get("last_alone", 0.0) + (ends[-1] - ends[-2] if len(ends) > 1 else 0.0)


def threads(report, paths, passes):
    waits = []
    with report.section("threads", cores=2) as s:
        start = time.perf_counter()
        workers = [threading.Thread(target=read_file_counted, args=(path, passes, bytearray(PIECE), waits))
                   for path in paths]
        for t in workers:
            t.start()
        starting = time.perf_counter() - start
        for t in workers:
            t.join()
    s["starting"] = s.get("starting", 0.0) + starting
    add_waits(s, waits, start)


def started_threads(report, paths, passes):
    """The eight threads of `threads`, started before the clock and waiting on an Event that
    the section sets: the same reads without the starts."""
    go = threading.Event()
    waits = []

    def reader(path):
        buffer = bytearray(PIECE)
        go.wait()
        read_file_counted(path, passes, buffer, waits)

    workers = [threading.Thread(target=reader, args=(path,)) for path in paths]
    for t in workers:
        t.start()
    with report.section("started_threads", cores=2) as s:
        start = time.perf_counter()
        go.set()
        for t in workers:
            t.join()
    add_waits(s, waits, start)


def two_threads(report, paths, passes, pin=True):
    """Two threads, one pinned to each CPU, each reading half of the files: the GIL as in
    `threads`, with no more threads than cores and no kernel's choice of CPU. Unpinned
    (`free_two_threads`, file_reads_parts.py's), where the kernel puts them."""
    waits = []

    def reader(half, cpu):
        with suite.pinned(cpu):
            buffer = bytearray(PIECE)
            for _ in range(passes):
                for path in half:
                    read_file_counted(path, 1, buffer, waits)

    with report.section("two_threads" if pin else "free_two_threads", cores=2, busy=2) as s:
        workers = [threading.Thread(target=reader, args=(half, cpu))
                   for half, cpu in zip((paths[0::2], paths[1::2]), suite.two_cpus() if pin else [None, None])]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
    for field, index in (("gil_waits", 0), ("blocked", 1), ("cpu_wait", 2)):
        s[field] = s.get(field, 0) + sum(w[index] for w in waits)


def forked(report, name, halves, cpus, passes, pass_by_pass=False):
    """Reads of each of `halves` (lists of files) by a forked process of its own, pinned to
    the matching CPU of `cpus` (None: where the kernel puts it), released together when the
    section starts: each file `passes` times over before the next, or with `pass_by_pass`
    one pass over all its files after another (file_reads_parts.py's order). Adds the
    children's CPU time (not reaped within the section) to the section `name`; returns the
    section and the children's wait for a CPU (schedstat), summed."""
    go_read, go_write = os.pipe()
    done_read, done_write = os.pipe()
    children = []
    for half, cpu in zip(halves, cpus):
        pid = os.fork()
        if pid == 0:
            try:
                if cpu is not None:
                    os.sched_setaffinity(0, {cpu})
                os.close(go_write)
                buffer = bytearray(PIECE)
                os.read(go_read, 1)
                cpu_start = time.process_time()
                waited = suite.run_queue_wait()
                if pass_by_pass:
                    for _ in range(passes):
                        for path in half:
                            read_file(path, 1, buffer)
                else:
                    for path in half:
                        read_file(path, passes, buffer)
                waited = suite.run_queue_wait() - waited
                os.write(done_write, f"{time.process_time() - cpu_start:.9f} {waited:.9f}\n".encode())
            finally:
                os._exit(0)
        children.append(pid)
    os.close(go_read)
    os.close(done_write)
    with report.section(name, cores=len(halves), busy=len(halves)) as s:
        os.write(go_write, b"g" * len(halves))
        with os.fdopen(done_read) as done:
            figures = [[float(x) for x in line.split()] for line in done]
    os.close(go_write)
    for pid in children:
        os.waitpid(pid, 0)
    s["cpu"] += sum(f[0] for f in figures)
    return s, sum(f[1] for f in figures)


def processes(report, paths, passes, pin=True):
    """Two processes, forked before the clock starts and pinned one to each CPU, each reading
    half of the files: the same copying with no GIL, no start-up in the section, and no
    wait for the kernel to spread two processes woken on one CPU. Unpinned
    (`unpinned_processes`), where the kernel puts them."""
    forked(report, "processes" if pin else "unpinned_processes", [paths[0::2], paths[1::2]],
           suite.two_cpus() if pin else [None, None], passes)


def unpinned_processes(report, paths, passes):
    processes(report, paths, passes, pin=False)


def main():
    report = suite.Report("file_reads")
    pieces = report.size(32, 1)
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, f"{i}.bin") for i in range(FILES)]
        for path in paths:
            with open(path, "wb") as f:
                f.write(os.urandom(PIECE) * pieces)
        for path in paths:
            read_file(path, 1, bytearray(PIECE))  # in the page cache from now on
        for measure in (sequential, threads, started_threads, two_threads, processes, unpinned_processes,
                        unpinned_processes, processes, two_threads, started_threads, threads, sequential):
            measure(report, paths, PASSES)
    report.print()


if __name__ == "__main__":
    main()
