"""The child's side of ``simnet run``, for both stacks: a program run on an open offline
session over the shared state file, with a heartbeat beside it and closing notes."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from simnet.network.local import HEARTBEAT_SECONDS
from simnet.network.session import OfflineSession
from simnet.outside.cassettes import unmatched
from simnet.outside.services import OFFLINE_MODES
from simnet.sandbox.programs import Program, execute
from simnet.wire.hygiene import MinerProblem


def run_program(
    session: OfflineSession,
    program: Program,
    *,
    heartbeat: Callable[[], None],
    refusals: tuple[type[Exception], ...],
) -> int:
    """Run ``program`` on the open ``session``; ``heartbeat`` is called every second
    beside it. ``refusals`` (simnet's own errors) and requests no cassette answers are
    one line, exit 1. Each blocking place is summed up at exit, each stubbed host never
    contacted noted."""
    if session.outside is not None:
        hosts = ", ".join(sorted(session.outside.stubs.hosts)) or "none"
        modes = ", ".join(f"{k}={v}" for k, v in OFFLINE_MODES.items())
        say(f"outside services stubbed: {hosts}; offline modes: {modes}")
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(heartbeat, stop), daemon=True)
    beat.start()

    def refusal(exc: Exception) -> str | None:
        return str(exc) if isinstance(exc, refusals) else unmatched(exc)

    try:
        return execute(program, refusal)
    finally:
        stop.set()
        beat.join()
        for line in session.blocking_summary():
            say(f"blocking summary: {line}")
        if session.outside is not None:
            for host in session.outside.never_contacted():
                say(f"note: the stubbed host {host} was never contacted")


def _beat(heartbeat: Callable[[], None], stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        heartbeat()


def print_problem(problem: MinerProblem) -> None:
    """A served miner's problem, on stderr as it happens."""
    say(str(problem))


def say(text: str) -> None:
    print(f"simnet: {text}", file=sys.stderr, flush=True)
