"""A validator with 8 worker threads, each blocking its own private event loop for 0.3 s
every second (as a real one reading parquet files did), while its main loop blocks at one
line once a round, ROUNDS rounds of half a second: ``python busy_validator.py ROUNDS``."""

import asyncio
import sys
import threading
import time

import bittensor as bt


def worker(stop: threading.Event) -> None:
    async def chew() -> None:
        time.sleep(0.3)  # blocks this thread's own loop only

    while not stop.is_set():
        asyncio.run(chew())
        stop.wait(0.7)


async def main(rounds: int) -> None:
    subtensor = bt.Subtensor()
    dendrite = bt.Dendrite(wallet=bt.Wallet(name="validator"))
    axons = subtensor.metagraph(1).axons
    stop = threading.Event()
    workers = [threading.Thread(target=worker, args=(stop,)) for _ in range(8)]
    for thread in workers:
        thread.start()
    try:
        for _ in range(rounds):
            await dendrite(axons, bt.Synapse(), timeout=2)
            time.sleep(0.3)  # the main loop's one blocking line
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        for thread in workers:
            await asyncio.to_thread(thread.join)
        await dendrite.aclose_session()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
