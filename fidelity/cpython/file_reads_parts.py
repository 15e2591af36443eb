"""Which part of the file-reads row's ratio is what: a probe, not a row of the suite
(docs/model.md, Known simplifications). The reads of file_reads.py (eight files of 32 MiB in the page cache, each
read four times over in 1 MiB pieces) by every arrangement, in turns in one program, so that
every ratio comes from one run of the machine:

  sequential          the loop: one thread reads everything (the row's denominator)
  one_process         the same reads by one forked process pinned to a CPU (each turn the
                      other CPU): the copies alone, with no GIL, as `processes` runs them
  processes           two forked processes pinned one to each CPU, half of the files each:
                      two bare copies at once (processes / one_process x 2 is how much
                      slower a copy runs beside the other CPU's)
  unpinned_processes  the same where the kernel puts them
  two_threads         two threads pinned one to each CPU, half of the files each: the GIL
                      with no more threads than cores
  free_two_threads    the same two threads where the kernel puts them
  started_threads     the row's eight threads, started before the clock
  threads             the row's eight threads started in the section (the row itself)

Each round runs them in that order and back in the reverse order; each section's figures
are the sums of its two turns. It prints, for each round and as medians over the rounds,
each section's wall and CPU time against the loop's, the CPUs it used (its CPU time over its
wall time), and a turn's wait for a CPU (schedstat), voluntary context switches (a read from
the page cache never blocks: waits for the GIL) and time blocked, summed over its threads or
processes. Run it as the suite runs its programs:

    flock /work/cpython.lock setsid sh -c 'echo -20 > /proc/self/autogroup; \
        exec nice -n -20 /usr/bin/python3 file_reads_parts.py [--rounds N] [--json]'

--quick: tiny files and one round, for tests.
"""

import json
import os
import statistics
import sys
import tempfile

import file_reads
import suite

PIECE = file_reads.PIECE
PASSES = file_reads.PASSES


def forked(report, name, halves, cpus):
    """file_reads.forked, one pass over all the files after another as the loop reads them,
    with the children's wait for a CPU added to the section."""
    s, waited = file_reads.forked(report, name, halves, cpus, PASSES, pass_by_pass=True)
    s["cpu_wait"] = s.get("cpu_wait", 0.0) + waited


def sequential(report, paths, passes):
    buffer = bytearray(PIECE)
    queued = suite.run_queue_wait()
    with report.section("sequential", cores=1, busy=1) as s:
        for _ in range(passes):
            for path in paths:
                file_reads.read_file(path, 1, buffer)
    s["cpu_wait"] = s.get("cpu_wait", 0.0) + suite.run_queue_wait() - queued


SECTIONS = ["sequential", "one_process", "processes", "unpinned_processes", "two_threads",
            "free_two_threads", "started_threads", "threads"]


def steal_seconds():
    """The host's steal time so far, all CPUs (/proc/stat), in seconds; 0 where unknown."""
    try:
        with open("/proc/stat") as f:
            return int(f.readline().split()[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def one_round(paths):
    report = suite.Report("file_reads_parts")
    cpus = suite.two_cpus()
    steal = steal_seconds()

    def turns(name):
        return report.sections.get(name, {}).get("rounds", 0)

    measures = {
        "sequential": lambda: sequential(report, paths, PASSES),
        "one_process": lambda: forked(report, "one_process", [paths], [cpus[turns("one_process") % 2]]),
        "processes": lambda: forked(report, "processes", [paths[0::2], paths[1::2]], cpus),
        "unpinned_processes": lambda: forked(report, "unpinned_processes", [paths[0::2], paths[1::2]], [None, None]),
        "two_threads": lambda: file_reads.two_threads(report, paths, PASSES),
        "free_two_threads": lambda: file_reads.two_threads(report, paths, PASSES, pin=False),
        "started_threads": lambda: file_reads.started_threads(report, paths, PASSES),
        "threads": lambda: file_reads.threads(report, paths, PASSES),
    }
    for name in SECTIONS + SECTIONS[::-1]:
        measures[name]()
    report.sections["load_end"] = suite.load_average()
    report.sections["steal"] = steal_seconds() - steal
    return report


def summary(report):
    """Each section's figures against the loop's."""
    s = report.sections
    base = s["sequential"]
    out = {"load": report.load_start[:1] + s["load_end"][:1], "steal": s["steal"],
           "sequential_ms": 1e3 * base["wall"] / base["rounds"]}
    for name in SECTIONS:
        x = s[name]
        out[name] = {"wall": x["wall"] / base["wall"], "cpu": x["cpu"] / base["cpu"], "cpus_used": x["cpu"] / x["wall"],
                     "cpu_wait_ms": 1e3 * x.get("cpu_wait", 0.0) / x["rounds"],
                     "gil_waits": x.get("gil_waits", 0) / x["rounds"],
                     "blocked_ms": 1e3 * x.get("blocked", 0.0) / x["rounds"],
                     "starting_ms": 1e3 * x.get("starting", 0.0) / x["rounds"],
                     "turn_ms": 1e3 * x["wall"] / x["rounds"],
                     "last_begins_ms": 1e3 * x.get("last_begins", 0.0) / x["rounds"],
                     "last_alone_ms": 1e3 * x.get("last_alone", 0.0) / x["rounds"]}
    # How much slower a copy runs beside the other CPU's than alone (wall, both pinned).
    out["copy_slowdown"] = 2 * s["processes"]["wall"] / s["one_process"]["wall"]
    out["copy_cpu_slowdown"] = s["processes"]["cpu"] / s["one_process"]["cpu"]
    return out


def print_table(rounds):
    print(f"{'section':<19}" + "".join(f"{'r' + str(i + 1) + ' wall/cpu':>16}" for i in range(len(rounds)))
          + f"{'median wall':>12}{'cpu':>7}{'CPUs used':>10}{'cpu wait ms':>12}{'gil waits':>10}{'blocked ms':>11}")
    for name in SECTIONS:
        cells = "".join(f"{r[name]['wall']:9.3f}/{r[name]['cpu']:.3f}" for r in rounds)
        print(f"{name:<19}{cells}{statistics.median(r[name]['wall'] for r in rounds):12.3f}"
              f"{statistics.median(r[name]['cpu'] for r in rounds):7.3f}"
              f"{statistics.median(r[name]['cpus_used'] for r in rounds):10.2f}"
              f"{statistics.median(r[name]['cpu_wait_ms'] for r in rounds):12.2f}"
              f"{statistics.median(r[name]['gil_waits'] for r in rounds):10.0f}"
              f"{statistics.median(r[name]['blocked_ms'] for r in rounds):11.1f}")
    for key in ("copy_slowdown", "copy_cpu_slowdown"):
        print(f"{key:<19}" + "".join(f"{r[key]:16.3f}" for r in rounds)
              + f"{statistics.median(r[key] for r in rounds):12.3f}")
    print("threads' starts a turn: " + ", ".join(f"{r['threads']['starting_ms']:.1f}" for r in rounds) + " ms")
    for name in ("threads", "started_threads"):
        print(f"{name}: a turn, the last thread's start, its reading alone at the end: "
              + ", ".join(f"{r[name]['turn_ms']:.1f}/{r[name]['last_begins_ms']:.1f}/{r[name]['last_alone_ms']:.1f}"
                          for r in rounds) + " ms")
    print("the loop's turn: " + ", ".join(f"{r['sequential_ms']:.1f}" for r in rounds) + " ms; steal: "
          + ", ".join(f"{r['steal']:.2f}" for r in rounds) + " s")
    print("load (1 min) at each round's start and end: "
          + ", ".join(f"{r['load'][0]:.2f}-{r['load'][1]:.2f}" for r in rounds))


def main():
    quick, as_json, rounds = suite.probe_options("file_reads_parts", sys.argv[1:])
    sys.argv[1:] = ["--quick"] if quick else []  # what suite.Report reads
    suite.own_autogroup()
    pieces = 1 if quick else 32
    results = []
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, f"{i}.bin") for i in range(file_reads.FILES)]
        for path in paths:
            with open(path, "wb") as f:
                f.write(os.urandom(PIECE) * pieces)
        for path in paths:
            file_reads.read_file(path, 1, bytearray(PIECE))  # in the page cache from now on
        for _ in range(rounds):
            results.append(summary(one_round(paths)))
    if as_json:
        json.dump(results, sys.stdout)
        sys.stdout.write("\n")
    else:
        print_table(results)


if __name__ == "__main__":
    main()
