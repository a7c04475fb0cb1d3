"""Stress: repeated 255-wide fan-outs over TCP with idle gaps around the keep-alive
boundaries, under CPU load from other processes. Nothing may be lost.

    .venv/bin/python benchmarks/keepalive.py [--rounds 2] [--server-keep-alive 5]

Each round waits each of the gaps (seconds) before a 255-wide streaming fan-out on one
dendrite (one aiohttp pool, which reuses idle connections for 15 s): just under and
over uvicorn's default 5 s and aiohttp's 15 s. Two busy processes load both cores
meanwhile. ``--server-keep-alive 5`` serves with a production axon's keep-alive instead
of simnet's (120 s), to show the race simnet avoids. Bounded: about 40 s a round.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simnet
import simnet.network.servers
from miner import Miner
from protocol import StreamPrompting
from simnet._compat import quiet_bittensor_logging

PROMPT = "alpha beta gamma delta epsilon"
GAPS = (4.5, 5.5, 14.5, 15.5)
FAN_OUT = 255


def _busy(stop: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    while not stop.is_set():
        sum(i * i for i in range(10_000))


async def _last(stream):  # type: ignore[no-untyped-def]
    return [item async for item in stream][-1]


def miner(ctx: simnet.MinerContext) -> Miner:
    return Miner(ctx.wallet, ctx.metagraph)


async def fan_outs(rounds: int) -> tuple[int, int]:
    lost = total = 0
    async with simnet.Simnet(strict=False) as net:
        subnet = net.subnet(1, miner, miners=FAN_OUT)
        async with net.dendrite(subnet.validators[0]) as dendrite:
            for round_ in range(rounds):
                for gap in (0.0, *GAPS):
                    await asyncio.sleep(gap)
                    streams = await dendrite(
                        subnet.axons,
                        StreamPrompting(messages=[PROMPT]),
                        streaming=True,
                        deserialize=False,
                    )
                    finals = await asyncio.gather(*map(_last, streams))
                    bad = [f for f in finals if f.completion != PROMPT]
                    total += len(finals)
                    lost += len(bad)
                    codes = sorted({f.dendrite.status_code for f in bad})
                    print(f"round {round_}, gap {gap:4.1f} s: lost {len(bad)} of 255 {codes}")
    return lost, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--server-keep-alive", type=float, help="seconds (default: simnet's)")
    args = parser.parse_args()
    quiet_bittensor_logging()
    if args.server_keep_alive is not None:
        simnet.network.servers.KEEP_ALIVE_SECONDS = args.server_keep_alive
    stop = multiprocessing.Event()
    load = [multiprocessing.Process(target=_busy, args=(stop,), daemon=True) for _ in range(2)]
    for process in load:
        process.start()
    started = time.monotonic()
    try:
        lost, total = asyncio.run(fan_outs(args.rounds))
    finally:
        stop.set()
        for process in load:
            process.join()
    keep_alive = simnet.network.servers.KEEP_ALIVE_SECONDS
    print(
        f"server keep-alive {keep_alive:g} s: lost {lost} of {total} streams "
        f"in {time.monotonic() - started:.0f} s under load"
    )
    sys.exit(1 if lost else 0)


if __name__ == "__main__":
    main()
