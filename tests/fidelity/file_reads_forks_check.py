#!/usr/bin/env python3
"""The forked readers of fidelity/cpython/file_reads.py and file_reads_parts.py are one
function, and each program's children still read in its own order and fill the same fields:

    file_reads_forks_check.py SOURCE_DIR

file_reads.py's `processes` reads each file PASSES times over before the next;
file_reads_parts.py's `processes` reads one pass over all its files after another. Each
child's reads are logged (read_file replaced in the children, which fork after it is), no
file is read and nothing is timed."""
import os
import pathlib
import sys
import tempfile

PROGRAMS = pathlib.Path(sys.argv[1]) / "fidelity" / "cpython"
sys.path.insert(0, str(PROGRAMS))
sys.argv[1:] = ["--quick"]  # what suite.Report reads
import file_reads  # noqa: E402
import file_reads_parts  # noqa: E402
import suite  # noqa: E402

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def reads_of(measure):
    """Runs `measure(report, paths)`; returns each child's reads, (file, passes) in order,
    and the report's sections."""
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "reads")
        original = file_reads.read_file

        def logged(path, passes, buffer):
            with open(log, "a") as f:
                f.write(f"{os.getpid()} {os.path.basename(path)} {passes}\n")

        file_reads.read_file = logged
        try:
            report = suite.Report("check")
            measure(report, [os.path.join(folder, f"{i}.bin") for i in range(4)])
        finally:
            file_reads.read_file = original
        by_child = {}
        with open(log) as f:
            for line in f:
                pid, name, passes = line.split()
                by_child.setdefault(pid, []).append((name, int(passes)))
        return sorted(by_child.values()), report.sections


source = (PROGRAMS / "file_reads_parts.py").read_text()
check("os.fork()" not in source, "file_reads_parts.py forks no children of its own")

passes = file_reads.PASSES
reads, sections = reads_of(lambda report, paths: file_reads.processes(report, paths, passes))
check(reads == [[("0.bin", passes), ("2.bin", passes)], [("1.bin", passes), ("3.bin", passes)]],
      f"file_reads.py's processes: each file {passes} times over, then the next: {reads}")
check(set(sections) == {"processes"} and set(sections["processes"]) == {"cores", "busy", "wall", "cpu", "rounds"},
      f"file_reads.py's processes section, its fields as before: {sections}")

reads, sections = reads_of(lambda report, paths: file_reads_parts.forked(
    report, "processes", [paths[0::2], paths[1::2]], suite.two_cpus()))
check(reads == [[("0.bin", 1), ("2.bin", 1)] * passes, [("1.bin", 1), ("3.bin", 1)] * passes],
      f"file_reads_parts.py's processes: one pass over the files after another: {reads}")
check(set(sections["processes"]) == {"cores", "busy", "wall", "cpu", "rounds", "cpu_wait"},
      f"file_reads_parts.py's section adds the children's wait for a CPU: {sections}")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
