"""One Yuma epoch (``simnet.chain.yuma.run_epoch``) on a full subnet.

    .venv/bin/python benchmarks/epoch.py [--rounds 50] [--uids 256] [--validators 64,256]

The subnet: ``--uids`` uids, the first V of them validators with random stake (the rest
hold none), every validator weighting every uid with random u16 weights (max-upscaled,
as ``set_weights`` stores them), bonds from a previous epoch, everyone active. Each
configuration runs the same epoch, round by round in rotating order, after one untimed
warm-up each:

- Yuma3 (a new subnet's default), Yuma3 with liquid alpha, Yuma2;
- weights and bonds as the chain stores them (rows of ``(uid, value)`` pairs, what
  ``simnet.chain.state`` keeps) or as dense n x n arrays.

Each line: the median time of one epoch in ms, with the min-max over the rounds, as
wall-clock time and as this process's CPU time (the same on an idle machine; on a busy
one the CPU time is the epoch's own cost, the wall time what a caller waited).

One run (x86_64, 2 cores shared with two test suites, load 4.3-5.0, Python 3.11, numpy
2.4, 100 rounds), median wall ms: 64 validators 9.7 (Yuma3) / 12.2 (liquid alpha) /
10.2 (Yuma2) from rows, 6.1 / 9.0 / 8.6 dense; 256 validators 22.9 / 36.1 / 24.8 from
rows, 8.1 / 21.8 / 10.6 dense. Reading 256 full rows of pairs is about 13 ms of that.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simnet.chain.yuma import max_upscale_to_u16, run_epoch

CONFIGS: dict[str, dict[str, Any]] = {
    "yuma3": dict(yuma3=True, liquid_alpha=False),
    "yuma3 + liquid alpha": dict(yuma3=True, liquid_alpha=True),
    "yuma2": dict(yuma3=False, liquid_alpha=False),
}


def subnet(n: int, validators: int, seed: int = 0) -> dict[str, Any]:
    """The inputs of one epoch, weights and bonds as sparse rows."""
    rng = np.random.default_rng(seed)
    stake = [int(s) for s in rng.integers(10**12, 10**15, validators)] + [0] * (n - validators)
    weights: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    bonds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    uids = list(range(n))
    for uid in range(validators):
        values = max_upscale_to_u16([int(v) for v in rng.integers(0, 65_535, n)])
        weights[uid] = list(zip(uids, values, strict=True))
        bonds[uid] = list(zip(uids, (int(b) for b in rng.integers(0, 65_535, n)), strict=True))
    return dict(
        stake=stake,
        weights=weights,
        bonds=bonds,
        last_update=[1000] * n,
        block_at_registration=[0] * n,
        validator_permit=[uid < validators for uid in range(n)],
        current_block=1000,
        tempo=360,
        emission=10**12,
        max_allowed_validators=validators,
    )


def dense(rows: list[list[tuple[int, int]]], n: int) -> np.ndarray:
    matrix = np.zeros((n, n), dtype=np.int64)
    for uid, row in enumerate(rows):
        for target, value in row:
            matrix[uid, target] = value
    return matrix


def measure(n: int, validators: list[int], rounds: int) -> None:
    print(f"{'epoch of ' + str(n) + ' uids':>44s} {'wall, ms':>22s} {'cpu, ms':>22s}")
    for v in validators:
        inputs = subnet(n, v)
        shapes = {
            "rows": inputs,
            "dense": {
                **inputs,
                "weights": dense(inputs["weights"], n),
                "bonds": dense(inputs["bonds"], n),
            },
        }
        cases = [(name, shape) for name in CONFIGS for shape in shapes]
        times: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
        cpu: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
        for name, shape in cases:  # warm-up, untimed
            run_epoch(**shapes[shape], **CONFIGS[name])
        for r in range(rounds):
            for name, shape in cases[r % len(cases) :] + cases[: r % len(cases)]:
                started, started_cpu = time.perf_counter(), time.process_time()
                run_epoch(**shapes[shape], **CONFIGS[name])
                cpu[(name, shape)].append((time.process_time() - started_cpu) * 1000)
                times[(name, shape)].append((time.perf_counter() - started) * 1000)
        for name, shape in cases:
            label = f"{v:3d} validators, {name}, {shape}"
            print(
                f"{label:>44s} {spread(times[(name, shape)]):>22s} "
                f"{spread(cpu[(name, shape)]):>22s}"
            )


def spread(values: list[float]) -> str:
    """``median (min-max)`` in ms."""
    return f"{statistics.median(values):6.1f} ({min(values):.1f}-{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--uids", type=int, default=256)
    parser.add_argument("--validators", default="64,256", help="comma-separated counts")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; {args.rounds} rounds; load {load[0]:.2f}"
    )
    measure(args.uids, [int(v) for v in args.validators.split(",")], args.rounds)
    print(f"# load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
