"""How full a Pool's pipes get: lesson 10's chunksize-1 map (4,000 tasks of 50 us of Python)
on Pool(W) with fork, while a forked sampler process polls the bytes unread in the task pipe
and in the result pipe (ioctl FIONREAD on the pipes' read ends, which it inherited) every
~0.1 ms. A Linux pipe holds 64 KiB by default (fcntl F_GETPIPE_SZ): a writer whose message
does not fit blocks in write() until the reader has made room.

Prints one JSON object: the pickled sizes of a task message and of a result message as
Pool.map sends them with chunksize 1 (send_bytes adds a 4-byte length), the pipes' capacity,
and per run: when map() returned and when the last task ended (each task returns
perf_counter() at its end; CLOCK_MONOTONIC, one clock for every process), both from map()'s
call, the most bytes each pipe held unread, how long each held more than capacity minus one
message (a writer then waits) and within a page (4 KiB) of full, and a coarse timeline of
both pipes' fill.

    flock /work/cpython.lock setsid sh -c 'echo -20 > /proc/self/autogroup; \
        exec nice -n -20 /usr/bin/python3 fidelity/cpython/pool_pipe_probe.py 4 3'

Arguments: workers (4) and runs (3). Standard library only.
"""

import fcntl
import json
import multiprocessing
import multiprocessing.pool
import os
import pickle
import select
import struct
import sys
import termios
import time

import suite

TASKS = 4000
LOOPS = [0]
F_GETPIPE_SZ = 1032


def task(_):
    suite.countdown(LOOPS[0])
    return time.perf_counter()


def set_loops(loops):
    LOOPS[0] = loops


def unread(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def sample(task_fd, result_fd, stop_fd, out_fd):
    """The sampler child: (time, task pipe's unread bytes, result pipe's) until told to stop."""
    samples = []
    while not select.select([stop_fd], [], [], 1e-4)[0]:
        samples.append((time.perf_counter(), unread(task_fd), unread(result_fd)))
    os.write(out_fd, json.dumps(samples).encode())
    os.close(out_fd)
    os._exit(0)


def message_sizes():
    """Pool.map with chunksize 1: the task handler sends (job, i, mapstar, ((func, (x,)),), {})
    and a worker sends back (job, i, (True, [result])); send_bytes prefixes 4 bytes."""
    task_message = (7, 1234, multiprocessing.pool.mapstar, ((task, (1234,)),), {})
    result_message = (7, 1234, (True, [time.perf_counter()]))
    return len(pickle.dumps(task_message)) + 4, len(pickle.dumps(result_message)) + 4


def one_run(workers, task_size, result_size):
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(workers, initializer=set_loops, initargs=LOOPS)
    task_fd = pool._inqueue._reader.fileno()
    result_fd = pool._outqueue._reader.fileno()
    capacity = fcntl.fcntl(result_fd, F_GETPIPE_SZ)
    stop_r, stop_w = os.pipe()
    out_r, out_w = os.pipe()
    sampler = os.fork()
    if sampler == 0:
        os.close(stop_w)
        os.close(out_r)
        sample(task_fd, result_fd, stop_r, out_w)
    os.close(stop_r)
    os.close(out_w)
    time.sleep(0.01)
    start = time.perf_counter()
    ends = pool.map(task, range(TASKS), 1)
    returned = time.perf_counter()
    time.sleep(0.002)
    os.write(stop_w, b"x")
    data = b""
    while chunk := os.read(out_r, 1 << 20):
        data += chunk
    os.waitpid(sampler, 0)
    pool.terminate()
    pool.join()
    samples = [s for s in json.loads(data) if start <= s[0] <= returned]

    def full_for(column, size, margin):
        # Small writes fill the pipe's pages (4 KiB each, capacity / 4 KiB of them) whole
        # messages at a time: the pipe is full with that many messages in it. A blocked
        # writer is woken when a whole page has been read.
        holds = capacity // 4096 * (4096 // size) * size
        full = 0.0
        for a, b in zip(samples, samples[1:]):
            if a[column] > holds - margin:
                full += b[0] - a[0]
        return round(full * 1e3, 2)

    timeline = [(round((s[0] - start) * 1e3, 1), s[1], s[2]) for s in samples[:: max(1, len(samples) // 40)]]
    return {
        "map_ms": round((returned - start) * 1e3, 2),
        "last_task_end_ms": round((max(ends) - start) * 1e3, 2),
        "first_task_end_ms": round((min(ends) - start) * 1e3, 2),
        "max_task_pipe": max(s[1] for s in samples),
        "max_result_pipe": max(s[2] for s in samples),
        "task_pipe_full_ms": full_for(1, task_size, task_size),
        "result_pipe_full_ms": full_for(2, result_size, result_size),
        "task_pipe_within_a_page_ms": full_for(1, task_size, 4096),
        "result_pipe_within_a_page_ms": full_for(2, result_size, 4096),
        "samples": len(samples),
        "capacity": capacity,
        "timeline_ms_task_result": timeline,
    }


def main():
    suite.own_autogroup()
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    suite.import_pool_modules()
    set_loops(int(suite.loops_per_second() * 50e-6))
    t0 = time.thread_time()
    for _ in range(1000):
        task(0)
    task_size, result_size = message_sizes()
    report = {
        "python": sys.version.split()[0],
        "workers": workers,
        "cpu_count": os.cpu_count(),
        "task_cpu_us": round((time.thread_time() - t0) * 1e3, 1),
        "task_message_bytes": task_size,
        "result_message_bytes": result_size,
        "load_start": suite.load_average(),
        "runs": [one_run(workers, task_size, result_size) for _ in range(runs)],
        "load_end": suite.load_average(),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
