"""What every offline simnet network shares, whichever bittensor stack it serves: the
chain state, the host its miners run on, the offline guard, and the problems its miners
had (exceptions, ASGI violations, a blocked loop)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simnet.chain.state import ChainState, Neuron
from simnet.network.host import AxonHost
from simnet.network.transports import BaseTransport, Transport, bind_loopback, parse_transport
from simnet.outside.cassettes import is_cassette, replaying
from simnet.outside.services import OutsideServices, offline_modes, resolving
from simnet.outside.stubs import Stubs
from simnet.sandbox.offline import GUARD
from simnet.sandbox.wallets import DeterministicWallets
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD, Blocked, BlockingSites
from simnet.wire.hygiene import MinerError, MinerProblem


class OfflineSession:
    """The base of :class:`simnet.Simnet` and :class:`simnet.v11.Network`."""

    _kind = "simnet network"

    def __init__(
        self,
        *,
        wallets: DeterministicWallets,
        host: AxonHost | None = None,
        chain: ChainState | None = None,
        strict: bool = True,
        blocking_threshold: float | None = DEFAULT_BLOCKING_THRESHOLD,
        transport: Transport | BaseTransport = "tcp",
        reporter: Callable[[MinerProblem], None] | None = None,
        outside: Stubs | str | Path | None = None,
    ) -> None:
        if blocking_threshold is not None and blocking_threshold <= 0:
            raise ValueError(f"{blocking_threshold=} must be positive, or None to switch it off")
        self.transport = parse_transport(transport)
        """How this network's miners are reached: TCP or in memory (equal to its name)."""
        self.strict = strict
        self.blocking_threshold = blocking_threshold
        self.wallets = wallets
        self._own_host = host is None
        self.host = host or AxonHost()
        self.chain = chain or ChainState()
        self._lock = threading.Lock()
        self._problems: list[MinerProblem] = []
        self._blocking = BlockingSites(blocking_threshold or 0.0)
        self._reporter = reporter
        self._open = False
        self._violations_seen = 0
        self._unwatch: Callable[[], None] | None = None
        self._cassette: Path | None = None
        if isinstance(outside, str | Path) and is_cassette(outside):
            self._cassette = Path(outside)
        stubs = None if self._cassette is not None or outside is None else outside
        if stubs is not None and not isinstance(stubs, Stubs):
            stubs = Stubs.load(stubs)
        self.outside: OutsideServices | None = OutsideServices(stubs) if stubs else None
        """The stubbed outside services (:mod:`simnet.outside`), answered while open."""
        self._outside_routes: contextlib.ExitStack | None = None

    def wallet(self, name: str, hotkey: str = "default") -> Any:
        """The deterministic wallet ``name``/``hotkey``: same names, same keys (unencrypted
        key files in the factory's directory)."""
        return self.wallets(name, hotkey)

    def _register(
        self, netuid: int, name: str, hotkey: str, stake: float, validator_permit: bool
    ) -> tuple[Any, Neuron]:
        """Register wallet ``name``'s hotkey on ``netuid`` (creating the subnet if needed)."""
        wallet = self.wallet(name, hotkey)
        neuron = self.chain.register(
            netuid,
            wallet.hotkey.ss58_address,
            wallet.coldkeypub.ss58_address,
            stake=stake,
            validator_permit=validator_permit,
        )
        return wallet, neuron

    def _go_offline(self) -> None:
        """Take the offline guard and watch the host's loop (the first step of ``open``)."""
        GUARD.acquire()
        self._violations_seen = len(GUARD.violations)
        self._open = True
        if self.blocking_threshold is not None:
            self._unwatch = self.host.watch_blocking(self.blocking_threshold, self.blocked)
        self._outside_routes = contextlib.ExitStack()
        try:
            self._outside_routes.enter_context(offline_modes())
            if self.outside is not None:
                self._outside_routes.enter_context(resolving(self.outside.start(self._serve)))
            if self._cassette is not None:
                self._outside_routes.enter_context(replaying(self._cassette))
        except BaseException:
            self._abandon_open()
            raise

    def _abandon_open(self) -> None:
        """Give back what ``_go_offline`` took: a failed open holds nothing."""
        self._open = False
        self._stop_watching()
        self._release()

    def _serve(self, app: Any, tls: tuple[str, str] | None) -> tuple[int, Callable[[], None]]:
        """Serve an outside service's app on loopback (TCP; HTTPS with ``tls``)."""
        sock = bind_loopback()
        server = self.host.serve(app, sock, tls=tls, lifespan="auto")

        def stop() -> None:
            server.request_stop()
            server.wait()

        return server.listener.port, stop

    def _stop_watching(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None

    def _release(self) -> None:
        """Close the host if this network made it, and give the offline guard back."""
        if self._outside_routes is not None:
            self._outside_routes.close()
            self._outside_routes = None
        if self.outside is not None:
            self.outside.stop()
        try:
            if self._own_host:
                self.host.close()
        finally:
            GUARD.release()

    def _raise_problems(self) -> None:
        if self.strict and self.problems:
            raise MinerError(self.problems)

    def report(self, problem: MinerProblem) -> None:
        """Record a problem of a served miner (called from the host's thread)."""
        with self._lock:
            self._problems.append(problem)
        if self._reporter is not None:
            self._reporter(problem)

    def blocked(self, blocked: Blocked) -> None:
        """Count a callback that held a watched loop too long: a place in the code that
        blocks is reported once (then counted, with its worst duration)."""
        problem = self._blocking.add(blocked)
        if problem is not None:
            self.report(problem)

    @property
    def problems(self) -> list[MinerProblem]:
        """What the served miners did wrong so far: exceptions in their handlers or
        streamers, ASGI protocol violations, a blocked event loop (one problem for each
        place that blocked, with how often and the worst duration)."""
        with self._lock:
            problems = list(self._problems)
        return [self._blocking.current(problem) for problem in problems]

    def blocking_summary(self) -> list[str]:
        """One line for each place that blocked a watched loop: how often, the worst time."""
        return self._blocking.summary()

    @property
    def offline_violations(self) -> list[str]:
        """Every refused attempt to leave loopback since this network was opened.

        Code under test may swallow the :class:`~simnet.OfflineViolation` (clients turn
        connection errors into status codes); this list still has it.
        """
        return GUARD.violations[self._violations_seen :]

    def _require_open(self) -> None:
        if not self._open:
            name = type(self).__name__
            raise RuntimeError(f"this {self._kind} is not open: use `with {name}() as net:`")
