"""A rehearsal's speed: the template-shaped example's own validator against 64 of its
miners (honest and adversarial) for 20 Yuma epochs, in one process.

    .venv/bin/python benchmarks/rehearsal.py [--miners 64] [--epochs 20] [--rounds 3]

One validator step per epoch (``--blocks-per-step`` = tempo = 10 blocks), in memory; the
issue's bar is 60 s on 2 cores. Prints each round's wall time and the median, and the
last round's table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "template_subnet"))

from simnet import Rehearsal  # noqa: E402
from simnet.rehearsal.table import plain  # noqa: E402


def one_round(miners: int, epochs: int, blocks_per_step: int) -> tuple[float, str]:
    from neurons.miner import Miner
    from neurons.validator import Validator

    adversaries = {"copier": miners // 8, "replayer": miners // 16, "garbage": miners // 16}
    plan = Rehearsal(
        miner=Miner,
        validator=Validator,
        miners={"honest": miners - sum(adversaries.values()), **adversaries},
        epochs=epochs,
        tempo=10,
        blocks_per_step=blocks_per_step,
        validator_args=[
            "--neuron.epoch_length", "4",
            "--neuron.step_seconds", "0",
            "--neuron.sample_size", str(miners),
        ],
    )  # fmt: skip
    started = time.perf_counter()
    report = plan.run()
    return time.perf_counter() - started, plain(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--miners", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--blocks-per-step", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times = []
    for i in range(args.rounds):
        seconds, table = one_round(args.miners, args.epochs, args.blocks_per_step)
        times.append(seconds)
        print(f"round {i + 1}: {seconds:.1f} s")
    print(f"{args.miners} miners x {args.epochs} epochs: median {statistics.median(times):.1f} s")
    print(table, end="")


if __name__ == "__main__":
    main()
