"""Neuron processes for a test: ``simnet run`` of a script, logs captured, stopped at the
end (either stack: the child runs the installed one)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from simnet.chain.state import ChainState
from simnet.network.local import LocalState

_POLL = 0.05


def answers(ip: str | None, port: int | None) -> bool:
    """Whether something accepts TCP connections at ``ip:port`` (a neuron's published axon)."""
    if ip is None or port is None:
        return False
    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as probe:
        probe.settimeout(_POLL * 10)
        return probe.connect_ex((ip, port)) == 0


def command_option(words: Sequence[str], name: str, default: str | None = None) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in ``words`` (the last one given,
    as argparse takes it), else ``default``."""
    flag, value = f"--{name}", default
    for i, word in enumerate(words):
        if word == flag and i + 1 < len(words):
            value = words[i + 1]
        elif word.startswith(flag + "="):
            value = word[len(flag) + 1 :]
    return value


class NeuronProcessError(AssertionError):
    """A neuron process exited early or did not get ready in time; carries its log."""


class NeuronProcess:
    """One ``simnet run -- python SCRIPT ARGS`` process on a shared state file."""

    def __init__(
        self,
        command: Sequence[str],
        local: LocalState,
        log: Path,
        *,
        cwd: Path | None = None,
        block_seconds: float | None = None,
        outside: Path | None = None,
        env: Mapping[str, str] | None = None,
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
        env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        # the child runs the simnet this process imported (a checkout, not only an install)
        here = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
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
        """The value of ``--name VALUE`` or ``--name=VALUE`` on the neuron's command line."""
        return command_option(self.command, name, default)

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
        ``--netuid``) is on the chain, its heartbeat has been seen and its address
        accepts connections (an 11.x miner publishes its address before its server
        listens)."""
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
            if not neuron.serving or neuron.last_seen is None:
                return False
            return answers(neuron.axon_ip, neuron.axon_port)

        try:
            self.wait_until(served, timeout=timeout, what="serving an axon")
        except NeuronProcessError as exc:
            raise NeuronProcessError(f"{self._why_not_served(netuid, hotkey)}; {exc}") from None

    def _why_not_served(self, netuid: int, hotkey: str) -> str:
        chain = self.local.chain
        if not chain.is_registered(netuid, hotkey):
            return f"hotkey {hotkey} is not registered on netuid {netuid}"
        neuron = chain.neuron(netuid, hotkey)
        if not neuron.serving:
            return f"hotkey {hotkey} never published an axon on netuid {netuid}"
        return (
            f"hotkey {hotkey} published {neuron.axon_ip}:{neuron.axon_port} on netuid "
            f"{netuid}, but nothing answers there"
        )

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
