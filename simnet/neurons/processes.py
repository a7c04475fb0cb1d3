"""Neuron processes for a test: ``simnet run`` of a script, logs captured, stopped at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from simnet.chain.state import ChainState
from simnet.neurons.local import LocalNetwork

_POLL = 0.05


class NeuronProcessError(AssertionError):
    """A neuron process exited early or did not get ready in time; carries its log."""


class NeuronProcess:
    """One ``simnet run -- python SCRIPT ARGS`` process on a shared state file."""

    def __init__(
        self,
        command: Sequence[str],
        local: LocalNetwork,
        log: Path,
        *,
        cwd: Path | None = None,
        block_seconds: float | None = None,
        outside: Path | None = None,
    ) -> None:
        self.command = list(command)
        self.local = local
        self.log_path = log
        runner = [sys.executable, "-m", "simnet", "run", "--state", str(local.path)]
        if block_seconds is not None:
            runner += ["--block-seconds", str(block_seconds)]
        if outside is not None:
            runner += ["--outside", str(outside)]
        self._log = log.open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [*runner, "--", *self.command],
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )

    def __repr__(self) -> str:
        state = "running" if self.process.poll() is None else f"exit {self.process.returncode}"
        return f"NeuronProcess({' '.join(self.command)!r}, {state})"

    @property
    def output(self) -> str:
        """Everything the process printed so far (stdout and stderr)."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def option(self, name: str, default: str | None = None) -> str | None:
        """The value of ``--name VALUE`` on the neuron's command line."""
        words = self.command
        for i, word in enumerate(words[:-1]):
            if word == f"--{name}":
                return words[i + 1]
        return default

    def wait_until(
        self, ready: Callable[[ChainState], object], *, timeout: float = 30.0, what: str = ""
    ) -> None:
        """Wait until ``ready(chain)`` is true; fail with the log if the process exits first
        or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while not ready(self.local.chain):
            if self.process.poll() is not None:
                raise NeuronProcessError(self._explain(f"exited ({self.process.returncode})"))
            if time.monotonic() > deadline:
                raise NeuronProcessError(self._explain(f"not {what or 'ready'} in {timeout:g} s"))
            time.sleep(_POLL)

    def wait_served(self, *, timeout: float = 30.0) -> None:
        """Wait until the neuron's own axon (``--wallet.name``/``--wallet.hotkey`` on
        ``--netuid``) is on the chain and its heartbeat has been seen."""
        netuid = int(self.option("netuid", "1") or 1)
        wallet = self.local.wallet(
            self.option("wallet.name", "default") or "default",
            self.option("wallet.hotkey", "default") or "default",
        )
        hotkey = wallet.hotkey.ss58_address

        def served(chain: ChainState) -> bool:
            if not chain.is_registered(netuid, hotkey):
                return False
            neuron = chain.neuron(netuid, hotkey)
            return neuron.serving and neuron.last_seen is not None

        self.wait_until(served, timeout=timeout, what="serving an axon")

    def stop(self, timeout: float = 10.0) -> int:
        """Interrupt the neuron (SIGINT, as Ctrl-C), then terminate or kill it if it lingers."""
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                break
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                continue
        self.process.wait()
        self._log.close()
        return self.process.returncode

    def _explain(self, what: str) -> str:
        tail = "\n".join(self.output.splitlines()[-40:])
        return f"{' '.join(self.command)}: {what}; its log ({self.log_path}):\n{tail}"
