"""Start-up and teardown of whole subnets through simnet's public API.

    .venv/bin/python benchmarks/startup.py [--rounds 10] [--sizes 1,16,64,256]

Each round builds ``Simnet(transport=...)``, opens it and serves a subnet of N miners
(``net.subnet(1, echo_forward, miners=N, validators=0)``: N real Axons, registered and
published on the chain) - that is the start-up - then closes it (the teardown). Sizes and
transports take turns, round by round.

Before each round the heap is collected, untimed: a closed network's objects are cycles
(each FastAPI app refers to its axon and back) that only a full collection frees, and
that collection would otherwise land in whichever start-up comes next. What it costs is
reported as its own column ("collect"), measured after the largest subnet closed.

The first round runs in a process that has built nothing yet, so it includes creating
the wallets; it is reported apart ("first") and left out of the medians.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simnet
from miner import echo_forward
from simnet._compat import quiet_bittensor_logging

TRANSPORTS: tuple[simnet.Transport, ...] = ("tcp", "memory")


def startup_teardown(n: int, transport: simnet.Transport) -> tuple[float, float, float]:
    """Seconds to open a network and serve ``n`` miners, to close it, and to collect it."""
    gc.collect()
    net = simnet.Simnet(transport=transport)
    started = time.perf_counter()
    net.open()
    net.subnet(1, echo_forward, miners=n, validators=0)
    up = time.perf_counter() - started
    started = time.perf_counter()
    net.close()
    down = time.perf_counter() - started
    del net
    started = time.perf_counter()
    gc.collect()
    return up, down, time.perf_counter() - started


def spread(values: list[float]) -> str:
    """``median (min-max)`` in seconds."""
    return f"{statistics.median(values):5.2f} ({min(values):.2f}-{max(values):.2f})"


def measure(sizes: list[int], rounds: int) -> None:
    """Print one line per size and transport: start-up, teardown, collection."""
    first = {t: startup_teardown(max(sizes), t)[0] for t in TRANSPORTS}
    runs: dict[tuple[int, str], list[tuple[float, float, float]]] = {}
    for _ in range(rounds):
        for n in sizes:
            for transport in TRANSPORTS:
                runs.setdefault((n, transport), []).append(startup_teardown(n, transport))
    print(f"{'subnet':>10s} {'':6s} {'start-up, s':>18s} {'teardown, s':>18s} {'collect, s':>18s}")
    for (n, transport), results in runs.items():
        ups, downs, collects = ([r[i] for r in results] for i in range(3))
        print(
            f"{n:4d} miners {transport:6s} {spread(ups):>18s} {spread(downs):>18s} "
            f"{spread(collects):>18s}"
        )
    print(
        f"first {max(sizes)} in this process (wallets created): "
        + ", ".join(f"{t} {s:.2f} s" for t, s in first.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--sizes", default="1,16,64,256", help="comma-separated subnet sizes")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    quiet_bittensor_logging()
    load = os.getloadavg()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"bittensor {simnet.BITTENSOR_VERSION}; {args.rounds} rounds; load {load[0]:.2f}"
    )
    measure(sizes, args.rounds)
    print(f"# load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
