"""File reads in threads: eight files of 32 MiB, already in the page cache, each read three
times over in 1 MiB pieces, one file after another and by one thread per file (eight threads
on two cores). A read() releases the GIL while the kernel copies, so threads overlap the
copying: a ratio (threads / sequential).
Paired with fidelity/scenarios/file-reads.toml.
"""

import os
import tempfile
import threading

import suite

FILES = 8
PIECE = 1 << 20


PASSES = 3


def read_file(path, passes=PASSES):
    buffer = bytearray(PIECE)
    with open(path, "rb", buffering=0) as f:
        for _ in range(passes):
            f.seek(0)
            while f.readinto(buffer):
                pass


def main():
    report = suite.Report("file_reads")
    pieces = report.size(32, 1)
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, f"{i}.bin") for i in range(FILES)]
        for path in paths:
            with open(path, "wb") as f:
                f.write(os.urandom(PIECE) * pieces)
        for path in paths:
            read_file(path, passes=1)  # in the page cache from now on
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
