"""What a process pool's messages weigh: the bytes that cross its pipes for pool_chunks.py's
map (its `task`, over range(2000)), as the parent writes the tasks and reads the results.
docs/model.md P7b gives the figures and how the model uses them.

The parent's `Connection._send_bytes` and `_recv_bytes` are wrapped before the pool starts,
and count only the task pipe's writer and the result pipe's reader: each message's pickle
plus the 4-byte length send_bytes puts before it. A worker is a forked child: its own copy
of the wrappers counts nothing the parent sees. Pool(2).map with chunksize 1, 2, 10, 50 and
Pool.map's default (ceil(2000 / (2 x 4)) = 250), each on a pool of its own; imap and
imap_unordered with chunksize 1, 10 and 250 and apply_async (one call a task); then
concurrent.futures.ProcessPoolExecutor(2).map with chunksize 1, 10 and 250: its call queue's
writer (the feeder thread) and its result queue's reader (the executor manager).

Prints one JSON object: per map, its messages' sizes each way (bytes: how many messages;
terminate()'s and shutdown()'s sentinels, a pickled None, left out), and a fit of
Pool.map's message bytes against a chunk's items, bytes = per_message + per_item x items
(least squares over the chunksizes' most common sizes): what a message weighs whatever it
carries, and what each task's argument or result adds.

    flock /work/cpython.lock setsid sh -c 'echo -20 > /proc/self/autogroup; \
        exec nice -n -20 /usr/bin/python3 fidelity/cpython/pool_message_probe.py'

Standard library only. The tasks are pool_chunks.py's `task`, named `__main__.task` as there
(a function is pickled by reference: its module's and its name's lengths count), with 0
loops: the sizes do not depend on how long a task runs (a result is a float whatever its
value).
"""

import collections
import concurrent.futures
import json
import multiprocessing
import multiprocessing.connection
import pickle
import platform
import sys

import pool_chunks
from pool_chunks import task  # pickled by reference as pool_chunks.py pickles it, "__main__.task"

task.__module__ = "__main__"
TASKS = 2000
COUNTED = {}  # id(connection) -> list of message sizes
ORIGINAL_SEND = multiprocessing.connection.Connection._send_bytes
ORIGINAL_RECV = multiprocessing.connection.Connection._recv_bytes
SENTINEL = pickle.dumps(None)  # terminate()'s and shutdown()'s sentinels: not a job's message


def counting_send(self, buf):
    sizes = COUNTED.get(id(self))
    if sizes is not None and bytes(buf) != SENTINEL:
        sizes.append(len(buf) + 4)
    return ORIGINAL_SEND(self, buf)


def counting_recv(self, maxsize=None):
    data = ORIGINAL_RECV(self, maxsize)
    sizes = COUNTED.get(id(self))
    if sizes is not None and data.getvalue() != SENTINEL:
        sizes.append(len(data.getbuffer()) + 4)
    return data


def summary(sizes):
    """How many messages of each size (bytes: count), smallest first."""
    return {str(size): count for size, count in sorted(collections.Counter(sizes).items())}


def pool_map(chunksize, method="map"):
    """One fork Pool(2)'s map (or imap, imap_unordered, apply_async: one call per task): the
    task messages' and the result messages' sizes."""
    fork = multiprocessing.get_context("fork")
    pool = fork.Pool(2, initializer=pool_chunks.set_loops, initargs=[0])
    try:
        tasks, results = [], []
        COUNTED[id(pool._inqueue._writer)] = tasks
        COUNTED[id(pool._outqueue._reader)] = results
        if method == "apply_async":
            out = [r.get() for r in [pool.apply_async(task, (x,)) for x in range(TASKS)]]
        else:
            out = list(getattr(pool, method)(task, range(TASKS), chunksize))
        assert len(out) == TASKS
    finally:
        pool.terminate()
        pool.join()
        COUNTED.clear()
    return tasks, results


def executor_map(chunksize=1):
    """ProcessPoolExecutor(2).map, by default with its chunksize 1 (fork, as the suite's pool)."""
    fork = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=fork, initializer=pool_chunks.set_loops,
                                                initargs=(0,)) as ex:
        tasks, results = [], []
        COUNTED[id(ex._call_queue._writer)] = tasks
        COUNTED[id(ex._result_queue._reader)] = results
        out = list(ex.map(task, range(TASKS), chunksize=chunksize))
        assert len(out) == TASKS
    COUNTED.clear()
    return tasks, results


def fit(points):
    """Least squares of bytes = per_message + per_item x items over (items, bytes): one point
    per chunksize, its most common message size (a chunk's first items, below 256, pickle in
    2 bytes where the rest take 3)."""
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in points)
    slope = sxy / sxx
    worst = max(abs(p[1] - (my + slope * (p[0] - mx))) for p in points)
    return {"per_message": round(my - slope * mx, 2), "per_item": round(slope, 3), "worst_residual": round(worst, 2)}


def most_common(sizes):
    return collections.Counter(sizes).most_common(1)[0][0]


def main():
    multiprocessing.connection.Connection._send_bytes = counting_send
    multiprocessing.connection.Connection._recv_bytes = counting_recv
    pool_chunks.set_loops(0)
    report = {"python": platform.python_version(), "executable": sys.executable, "tasks": TASKS,
              "maps": {}}
    task_points, result_points = [], []
    for chunksize in (1, 2, 10, 50, None):
        tasks, results = pool_map(chunksize)
        items = chunksize or -(-TASKS // (2 * 4))
        name = f"Pool.map chunksize {chunksize}" if chunksize else f"Pool.map default ({items})"
        # The results come in the order the workers finish; every chunk here has `items` tasks.
        report["maps"][name] = {"items": items, "task": summary(tasks), "result": summary(results)}
        task_points.append((items, most_common(tasks)))
        result_points.append((items, most_common(results)))
    report["fit_task"] = fit(task_points)
    report["fit_result"] = fit(result_points)
    for method in ("imap", "imap_unordered"):
        for chunksize in (1, 10, 250):
            tasks, results = pool_map(chunksize, method)
            name = f"Pool.{method}" + (f" chunksize {chunksize}" if chunksize > 1 else "")
            report["maps"][name] = {"items": chunksize, "task": summary(tasks), "result": summary(results)}
    tasks, results = pool_map(1, "apply_async")
    report["maps"]["Pool.apply_async"] = {"items": 1, "task": summary(tasks), "result": summary(results)}
    for chunksize in (1, 10, 250):
        tasks, results = executor_map(chunksize)
        name = "ProcessPoolExecutor.map" + (f" chunksize {chunksize}" if chunksize > 1 else "")
        report["maps"][name] = {"items": chunksize, "task": summary(tasks), "result": summary(results)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
