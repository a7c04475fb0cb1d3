"""``simnet run -- python neurons/miner.py ARGS``: a neuron script, unmodified, on simnet."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def run(
    command: Sequence[str],
    state: Path | None,
    block_seconds: float | None,
    blocking_threshold: float | None,
    outside: Path | None = None,
) -> int:
    """Run ``command``; usage errors exit 2, simnet's refusals 1, else the script's status."""
    from simnet.chain.state import ChainStateError
    from simnet.neurons.runner import UsageError, parse_command
    from simnet.neurons.runner import run as run_program
    from simnet.outside.stubs import Stubs, StubsError

    words = list(command)
    if words[:1] == ["--"]:
        words = words[1:]
    try:
        program = parse_command(words)
    except UsageError as exc:
        print(f"simnet run: {exc}", file=sys.stderr)
        return 2
    try:
        stubs = Stubs.load(outside) if outside is not None else None
    except StubsError as exc:
        print(f"simnet run: {exc}", file=sys.stderr)
        return 2
    try:
        return run_program(
            program,
            state,
            block_seconds=block_seconds,
            blocking_threshold=blocking_threshold,
            outside=stubs,
        )
    except (ChainStateError, StubsError) as exc:
        print(f"simnet run: {exc}", file=sys.stderr)
        return 1
