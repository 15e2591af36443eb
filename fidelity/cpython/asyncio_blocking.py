"""asyncio with a blocking call, and with the same call given to asyncio.to_thread: ten
tasks, each awaiting a 50 ms sleep and then making a 20 ms blocking call (time.sleep).
The blocking call stalls the loop, so the calls run one after another (~250 ms); with
to_thread they overlap on the default executor's 6 threads (~90 ms).
Paired with fidelity/scenarios/asyncio-blocking.toml. Times.
"""

import asyncio
import concurrent.futures
import time

import suite

TASKS = 10


async def blocking_task(wait, call):
    await asyncio.sleep(wait)
    time.sleep(call)  # the mistake: a blocking call inside a coroutine


async def offloaded_task(wait, call):
    await asyncio.sleep(wait)
    await asyncio.to_thread(time.sleep, call)


async def run(task, wait, call):
    # min(32, cores + 4) threads on two cores, whatever this machine has
    asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=6))
    await asyncio.gather(*(task(wait, call) for _ in range(TASKS)))


def main():
    report = suite.Report("asyncio_blocking")
    wait, call = report.size((0.05, 0.02), (0.002, 0.001))
    with report.section("blocking", cores=1):
        asyncio.run(run(blocking_task, wait, call))
    with report.section("to_thread", cores=1):
        asyncio.run(run(offloaded_task, wait, call))
    report.print()


if __name__ == "__main__":
    main()
