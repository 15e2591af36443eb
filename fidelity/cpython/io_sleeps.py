"""Ten 50 ms sleeps under each executor: a loop, a thread each, a thread pool of 6
(min(32, cores + 4) on two cores), asyncio, and Pool(2) with Pool.map's chunks.
Paired with fidelity/scenarios/io-sleeps.toml. Timer rows: compared as times.
"""

import asyncio
import concurrent.futures
import multiprocessing
import threading
import time

import suite

JOBS = 10


def wait(seconds):
    time.sleep(seconds)


async def wait_async(seconds):
    await asyncio.sleep(seconds)


async def all_async(seconds):
    await asyncio.gather(*(wait_async(seconds) for _ in range(JOBS)))


def main():
    report = suite.Report("io_sleeps")
    suite.import_pool_modules()
    seconds = report.size(0.05, 0.002)
    with report.section("sequential", cores=1):
        for _ in range(JOBS):
            wait(seconds)
    with report.section("threads", cores=1):
        threads = [threading.Thread(target=wait, args=(seconds,)) for _ in range(JOBS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with report.section("thread_pool", cores=1):
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(wait, [seconds] * JOBS))
    with report.section("asyncio", cores=1):
        asyncio.run(all_async(seconds))
    with report.section("process_pool", cores=1):
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(wait, [seconds] * JOBS)
    report.print()


if __name__ == "__main__":
    main()
