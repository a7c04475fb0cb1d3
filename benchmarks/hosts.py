"""Host processes on and off, interleaved in one run: 1024 miners up, the first 1024-wide
fan-out, and the cost per stream from 64 to 1024 wide.

    .venv/bin/python benchmarks/hosts.py [--rounds 3] [--hosts 2] [--miners 1024]

Each round builds, for each setting in turn (the order rotates round by round, so load
drifts hit both alike), a ``Simnet`` (``hosts=None``: every server on the host thread;
``hosts=N``: spread over N host processes) with ``--miners`` reference miners
(``echo_forward``) over TCP, in subnets of at most 256 uids (the validator is uid 0 of
the first); that is "up" (opening the network included, so starting the host processes
is counted). Then one real Dendrite, with bittensor's default 12 s timeout, streams
from every miner at once (through its own aiohttp session, whose pool holds 100
connections: the rest wait for one, inside the timeout; ``--pool N`` gives it a session
of N, 0 for no limit): the first fan-out (connections opened, every app's first
request), with the streams lost counted; then one fan-out each 64, 256 and 1024 wide
(warm), whose time divided by the width is the cost per stream. Reported: medians and
min-max over rounds, ratios hosts/off, and the load before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

import simnet
from miner import echo_forward
from protocol import StreamPrompting
from simnet._compat import quiet_bittensor_logging

PROMPT = "the quick brown fox jumps over the lazy dog " * 8
WIDTHS = (64, 256, 1024)
UIDS = 256


def build(net: simnet.Simnet, miners: int) -> tuple[Any, list[Any]]:
    """``miners`` served miners in subnets of at most 256 uids; the validator and every
    miner's ``AxonInfo``."""
    validator = net.register(1, "validator", stake=1000, validator_permit=True)
    axons: list[Any] = []
    netuid = 1
    while len(axons) < miners:
        net.chain.create_subnet(netuid)
        room = UIDS - len(net.chain.neurons(netuid))
        subnet = net.subnet(
            netuid, echo_forward, miners=min(room, miners - len(axons)), validators=0
        )
        axons += subnet.axons
        netuid += 1
    return validator, axons


async def fan_out(dendrite: Any, axons: list[Any]) -> tuple[float, int]:
    """Seconds to stream from every one of ``axons`` at once, and the streams lost."""
    started = time.perf_counter()
    streams = await dendrite(
        axons, StreamPrompting(messages=[PROMPT]), streaming=True, deserialize=False
    )

    async def last(stream: Any) -> Any:
        return [item async for item in stream][-1]

    finals = await asyncio.gather(*map(last, streams))
    return time.perf_counter() - started, sum(f.completion != PROMPT for f in finals)


async def one_round(hosts: int, miners: int, pool: int | None) -> dict[str, float]:
    gc.collect()
    started = time.perf_counter()
    net = simnet.Simnet(hosts=hosts or None, strict=False, blocking_threshold=None)
    async with net:
        validator, axons = build(net, miners)
        figures = {"up": time.perf_counter() - started}
        async with net.dendrite(validator) as dendrite:
            if pool is not None:  # the validator's own session, as a subnet could build it
                connector = aiohttp.TCPConnector(limit=pool)
                dendrite._session = aiohttp.ClientSession(connector=connector)
            figures["first"], figures["lost"] = await fan_out(dendrite, axons)
            for width in WIDTHS:
                if width <= len(axons):
                    seconds, lost = await fan_out(dendrite, axons[:width])
                    figures[f"per stream {width}"] = seconds / width
                    figures["lost"] += lost
        started = time.perf_counter()
    figures["down"] = time.perf_counter() - started
    return figures


def spread(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    low, mid, high = (v * scale for v in (min(values), statistics.median(values), max(values)))
    return f"{mid:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--miners", type=int, default=1024)
    parser.add_argument(
        "--pool",
        type=int,
        help="give the dendrite an aiohttp session of this many connections (0: no limit); "
        "default: bittensor's own (aiohttp's default pool: 100 connections)",
    )
    args = parser.parse_args()
    quiet_bittensor_logging()
    load = os.getloadavg()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"bittensor {simnet.BITTENSOR_VERSION}; {args.miners} miners, {args.rounds} rounds; "
        f"load {load[0]:.2f} {load[1]:.2f}"
    )
    settings = [0, args.hosts]
    runs: dict[int, list[dict[str, float]]] = {s: [] for s in settings}
    for round_ in range(args.rounds):
        for hosts in settings[round_ % 2 :] + settings[: round_ % 2]:
            figures = asyncio.run(one_round(hosts, args.miners, args.pool))
            print(f"# round {round_ + 1}, hosts={hosts}: {figures}", file=sys.stderr, flush=True)
            runs[hosts].append(figures)
    keys = list(runs[0][0])
    print(f"{'':22s} {'hosts off':>24s} {f'hosts={args.hosts}':>24s} {'ratio':>7s}")
    for key in keys:
        off, on = ([r[key] for r in runs[s]] for s in settings)
        scale, unit = (1e3, "ms") if key.startswith("per stream") else (1.0, "s")
        unit = "" if key == "lost" else unit
        ratio = statistics.median(on) / statistics.median(off) if statistics.median(off) else 0
        print(
            f"{key + (', ' + unit if unit else ''):22s} {spread(off, scale):>24s} "
            f"{spread(on, scale):>24s} {ratio:6.2f}x"
        )
    widths = [w for w in WIDTHS if w <= args.miners]
    for setting in settings:
        cost = {w: statistics.median(r[f"per stream {w}"] for r in runs[setting]) for w in widths}
        if len(cost) > 1:
            print(
                f"hosts={setting}: per stream {widths[-1]}/{widths[0]} wide: "
                f"{cost[widths[-1]] / cost[widths[0]]:.2f}x"
            )
    print(f"# load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
