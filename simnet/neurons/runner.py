"""``simnet run``: a neuron script, unmodified, on the shared local network.

The script runs in this process, as ``coverage run`` runs one: ``sys.argv`` and
``sys.path[0]`` are what ``python script.py ARGS`` would give it, and bittensor's
constructors are redirected to a :class:`~simnet.Simnet` over the shared state file
(TCP on 127.0.0.1, offline, ``~`` in a temporary directory). Axons it starts get a
heartbeat ("last seen") every second; miner and validator problems go to stderr.
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simnet.chain.state import ChainStateError, UnknownHotkey, UnknownSubnet
from simnet.neurons.local import HEARTBEAT_SECONDS, LocalNetwork
from simnet.neurons.simnet import Simnet
from simnet.neurons.subtensor import NotSimulated
from simnet.outside.cassettes import unmatched
from simnet.outside.services import OFFLINE_MODES
from simnet.outside.stubs import Stubs
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD
from simnet.wire.hygiene import MinerProblem

_PYTHONS = ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}")

# simnet's own refusals: said in one line, never as the script's traceback.
SIMNET_ERRORS = (ChainStateError, UnknownSubnet, UnknownHotkey, NotSimulated)


class UsageError(Exception):
    """The command given to ``simnet run`` cannot be run; the message says why."""


@dataclass(frozen=True)
class Program:
    """What to run: a script path, a module name or a command string, and its arguments."""

    script: Path | None
    module: str | None
    args: list[str]
    code: str | None = None

    @property
    def argv0(self) -> str:
        """``sys.argv[0]`` as ``python`` gives it: the script, the module, or ``-c``."""
        if self.code is not None:
            return "-c"
        return str(self.script) if self.script is not None else str(self.module)


def parse_command(command: Sequence[str]) -> Program:
    """``python script.py ARGS``, ``python -m module ARGS``, ``python -c CODE ARGS`` or
    ``script.py ARGS``."""
    words = list(command)
    python = bool(words) and (Path(words[0]).name in _PYTHONS or words[0] == sys.executable)
    if python:
        words = words[1:]
    if not words:
        raise UsageError("give the neuron to run: simnet run -- python neurons/miner.py ARGS")
    if words[0] == "-m":
        if len(words) < 2:
            raise UsageError("-m needs a module name")
        return Program(None, words[1], words[2:])
    if words[0] == "-c":
        if len(words) < 2:
            raise UsageError("-c needs the code to run")
        return Program(None, None, words[2:], code=words[1])
    if words[0].startswith("-"):
        raise UsageError(f"python option {words[0]} is not supported by simnet run")
    script = Path(words[0])
    if not python and script.suffix != ".py":
        raise UsageError(
            f"{words[0]} is not a Python script (simnet run runs python SCRIPT.py or "
            "python -m MODULE)"
        )
    if not script.is_file():
        raise UsageError(f"no script {words[0]}")
    return Program(script, None, words[1:])


def run(
    program: Program,
    state: Path | None,
    *,
    block_seconds: float | None = None,
    blocking_threshold: float | None = DEFAULT_BLOCKING_THRESHOLD,
    outside: Stubs | Path | None = None,
) -> int:
    """Run ``program`` on the local network in ``state``; returns its exit status.

    Each place that blocks a watched event loop is printed once as it is first seen, and
    all of them with their counts and worst durations at exit."""
    local = LocalNetwork(state)
    if block_seconds is not None:
        local.chain.block_seconds = block_seconds
    net = Simnet(
        chain=local.chain,
        wallets=local.wallets,
        strict=False,
        reporter=_print,
        blocking_threshold=blocking_threshold,
        outside=outside,
    )
    stop = threading.Event()
    try:
        with net:
            if net.outside is not None:
                hosts = ", ".join(sorted(net.outside.stubs.hosts)) or "none"
                modes = ", ".join(f"{k}={v}" for k, v in OFFLINE_MODES.items())
                _say(f"outside services stubbed: {hosts}; offline modes: {modes}")
            net.redirect_bittensor()
            beat = threading.Thread(target=_heartbeats, args=(net, stop), daemon=True)
            beat.start()
            try:
                return execute(program)
            finally:
                stop.set()
                beat.join()
    finally:
        for line in net.blocking_summary():
            _say(f"blocking summary: {line}")
        if net.outside is not None:
            for host in net.outside.never_contacted():
                _say(f"note: the stubbed host {host} was never contacted")


def execute(program: Program) -> int:
    """Run ``program`` in this process as ``python`` would; returns its exit status."""
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else ""
    sys.argv = [program.argv0, *program.args]
    try:
        if program.code is not None:
            sys.path[0] = ""
            exec(compile(program.code, "<string>", "exec"), {"__name__": "__main__"})
        elif program.script is not None:
            sys.path[0] = str(program.script.resolve().parent)
            runpy.run_path(str(program.script), run_name="__main__")
        else:
            sys.path[0] = os.getcwd()
            runpy.run_module(str(program.module), run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        return 130
    except SIMNET_ERRORS as exc:
        print(f"simnet run: {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:
        line = unmatched(exc)  # a request no cassette answers: simnet's refusal, one line
        if line is None:
            raise
        print(f"simnet run: {line}", file=sys.stderr, flush=True)
        return 1
    finally:
        sys.argv = saved_argv
        if sys.path:
            sys.path[0] = saved_path0
    return 0


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr, flush=True)
    return 1


def _heartbeats(net: Simnet, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        for axon in net.axons:
            if axon.running and axon.netuid is not None:
                try:
                    net.chain.seen(axon.netuid, axon.hotkey)
                except (LookupError, ChainStateError):
                    pass  # deregistered, or the file went away: the neuron sees that itself


def _print(problem: MinerProblem) -> None:
    _say(str(problem))


def _say(text: str) -> None:
    print(f"simnet: {text}", file=sys.stderr, flush=True)
