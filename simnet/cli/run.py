"""``simnet run -- python neurons/miner.py ARGS``: a neuron script, unmodified, on simnet;
``simnet record -- ...``: the same script online, its outside HTTP exchanges recorded."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simnet.outside.stubs import Stubs
    from simnet.sandbox.programs import Program


def run(
    command: Sequence[str],
    state: Path | None,
    block_seconds: float | None,
    blocking_threshold: float | None,
    outside: Path | None = None,
) -> int:
    """Run ``command``; usage errors exit 2, simnet's refusals 1, else the script's status."""
    from simnet.chain.state import ChainStateError
    from simnet.outside.cassettes import CassetteError
    from simnet.outside.stubs import StubsError
    from simnet.sandbox.programs import UsageError, parse_command

    words = list(command)
    if words[:1] == ["--"]:
        words = words[1:]
    try:
        program = parse_command(words)
    except UsageError as exc:
        print(f"simnet run: {exc}", file=sys.stderr)
        return 2
    try:
        stubs = _outside(outside, program)
    except (StubsError, CassetteError) as exc:
        print(f"simnet run: {exc}", file=sys.stderr)
        return 2
    run_program = _runner()
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


def _runner() -> Callable[..., int]:
    """The installed stack's ``simnet run``: 11.x's signed-HTTP stack, else the neuron stack."""
    from simnet._release import SIGNED_HTTP_STACK

    if SIGNED_HTTP_STACK:
        from simnet.v11.runner import run as run_v11

        return run_v11
    from simnet.neurons.runner import run as run_neurons

    return run_neurons


def _outside(outside: Path | None, program: Program) -> Stubs | Path | None:
    """A stubs file, a cassette, or a folder of cassettes (the program's own is used)."""
    from simnet.outside.cassettes import CassetteError, cassette_for, is_cassette
    from simnet.outside.stubs import Stubs

    if outside is None:
        return None
    if outside.is_dir():  # a neuron with no cassette there (a miner that calls nothing): a note
        try:
            return cassette_for(outside, program.argv0)
        except CassetteError as exc:
            print(f"simnet run: note: {exc}; its outside requests are refused", file=sys.stderr)
            return None
    if is_cassette(outside):
        return outside
    return Stubs.load(outside)


def record(command: Sequence[str], cassettes: Path, scrub: Sequence[str]) -> int:
    """``simnet record``: run ``command`` online, recording its outside HTTP exchanges."""
    from simnet.outside.cassettes import recording
    from simnet.sandbox.programs import UsageError, execute, parse_command

    words = list(command)
    if words[:1] == ["--"]:
        words = words[1:]
    try:
        program = parse_command(words)
    except UsageError as exc:
        print(f"simnet record: {exc}", file=sys.stderr)
        return 2
    path = cassettes / f"{Path(program.argv0).stem}.yaml"
    with recording(path, scrub):
        status = execute(program)
    print(f"simnet record: wrote {path}", file=sys.stderr, flush=True)
    return status
