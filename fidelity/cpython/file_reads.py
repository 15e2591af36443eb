"""File reads in threads: eight files of 8 MiB, already in the page cache, read in 1 MiB
pieces sequentially and by one thread per file (eight threads on two cores). A read() releases the GIL while the
kernel copies, so threads overlap the copying: a ratio (threads / sequential).
Paired with fidelity/scenarios/file-reads.toml.
"""

import os
import tempfile
import threading

import suite

FILES = 8
PIECE = 1 << 20


def read_file(path):
    buffer = bytearray(PIECE)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buffer):
            pass


def main():
    report = suite.Report("file_reads")
    size = report.size(8 << 20, 1 << 20)
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, f"{i}.bin") for i in range(FILES)]
        for path in paths:
            with open(path, "wb") as f:
                f.write(os.urandom(size))
        for path in paths:
            read_file(path)  # in the page cache from now on
        with report.section("sequential", cores=1, busy=1):
            for path in paths:
                read_file(path)
        with report.section("threads", cores=2):
            threads = [threading.Thread(target=read_file, args=(path,)) for path in paths]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    report.print()


if __name__ == "__main__":
    main()
