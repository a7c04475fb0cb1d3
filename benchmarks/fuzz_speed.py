"""Examples per second of each ready-made property on the reference protocol.

    .venv/bin/python benchmarks/fuzz_speed.py [--examples N]

Also times the default budget of each hypothesis profile (all three properties).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from protocol import StreamPrompting
from simnet._compat import quiet_bittensor_logging
from simnet.fuzz.profiles import CI, DEV
from simnet.properties import PROPERTIES


def measure(name: str, examples: int) -> tuple[int, float]:
    count = 0

    def progress(n: int) -> None:
        nonlocal count
        count = n

    started = time.perf_counter()
    PROPERTIES[name](StreamPrompting, max_examples=examples, seed=0, progress=progress)
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    quiet_bittensor_logging()
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{'property':<22}{'examples':>10}{'seconds':>10}{'examples/s':>12}")
    for name in PROPERTIES:
        count, seconds = measure(name, args.examples)
        print(f"{name:<22}{count:>10}{seconds:>10.2f}{count / seconds:>12.0f}")
    for profile, budget in ((DEV, 100), (CI, 1000)):
        started = time.perf_counter()
        for name in PROPERTIES:
            measure(name, budget)
        print(f"default budget of {profile} ({budget} each): {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
