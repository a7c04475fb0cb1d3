"""`Simnet`: chain state, wallets, axons, metagraphs and dendrites, tied together, offline."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

from simnet._compat import Dendrite, Metagraph, Synapse, Wallet
from simnet._wallets import WalletFactory
from simnet.chain.state import ChainState
from simnet.network.host import AxonHost
from simnet.network.serving import fault_plans, stop_all
from simnet.network.session import OfflineSession
from simnet.network.transports import BaseTransport, Transport
from simnet.neurons.axons import ServedAxon
from simnet.neurons.dendrites import connected_dendrite, retire
from simnet.neurons.handlers import MinerContext, resolve_handlers, serve_handlers
from simnet.neurons.hosted import ChainFile, HostedAxon, Hosts, Pending, host_setting
from simnet.neurons.redirect import Redirect
from simnet.neurons.subnet import Registration, Subnet, check_size, miner_kinds, stakes
from simnet.neurons.subtensor import FakeSubtensor
from simnet.outside.stubs import Stubs
from simnet.wire import speedups
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD, LoopWatch, excused
from simnet.wire.faults import Fault, FaultPlan
from simnet.wire.hygiene import MinerProblem


@contextlib.contextmanager
def _bulk_allocation() -> Iterator[None]:
    """No cyclic garbage collection while many axons are built: each is a FastAPI app of
    thousands of long-lived objects, and the collections they trigger were up to a third
    of a 256-miner start-up. Collection resumes (if it was on) when this returns."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Simnet(OfflineSession):
    """An offline subnet world: use it as a context manager, or through the pytest fixtures.

    While open, no external-IP lookup runs and no connection may leave loopback.
    Axons served here are real ``bittensor.Axon`` objects on 127.0.0.1; metagraphs are
    real ``bittensor.Metagraph`` objects kept in step with the chain state; dendrites are
    real ``bittensor.Dendrite`` objects.

    ``transport="memory"`` serves the axons without any socket: this network's dendrites
    reach them through an in-memory aiohttp connector, with the same HTTP bytes and
    uvicorn protocol as over TCP, and chunks still arrive as the miner yields them.

    >>> with Simnet() as net:                                   # doctest: +SKIP
    ...     validator = net.register(1, "validator", stake=1000, validator_permit=True)
    ...     axon = net.serve(1, my_forward)
    ...     async with net.dendrite(validator) as dendrite: ...
    """

    _kind = "Simnet"

    def __init__(
        self,
        *,
        wallets: WalletFactory | None = None,
        host: AxonHost | None = None,
        chain: ChainState | None = None,
        strict: bool = True,
        blocking_threshold: float | None = DEFAULT_BLOCKING_THRESHOLD,
        transport: Transport | BaseTransport = "tcp",
        redirect: bool = False,
        reporter: Callable[[MinerProblem], None] | None = None,
        outside: Stubs | str | Path | None = None,
        hosts: int | str | None = None,
    ) -> None:
        count, setting = host_setting(hosts, transport, chain)
        # host processes open the chain too: one state, in a file
        self._chain_file = ChainFile() if count and chain is None else None
        chain = self._chain_file.chain if self._chain_file is not None else chain
        super().__init__(
            wallets=wallets or WalletFactory.shared(),
            host=host,
            chain=chain,
            strict=strict,
            blocking_threshold=blocking_threshold,
            transport=transport,
            reporter=reporter,
            outside=outside,
        )
        self.subtensor = FakeSubtensor(self.chain)
        self._axons: list[ServedAxon] = []
        self._metagraphs: dict[int, Metagraph] = {}
        self._dendrites: list[Dendrite] = []
        self._redirect_on_open = redirect
        self._redirect: Redirect | None = None
        self._home: Path | None = None
        self._loop_watches: dict[asyncio.AbstractEventLoop, LoopWatch] = {}
        self._versions: dict[int, int] = {}  # changes per subnet (host processes' metagraphs)
        self.chain.subscribe(self._resync)
        self.hosts = count
        """How many host processes serve the miners (0: none, they run on the host thread)."""
        self._hosts = (
            Hosts(count, setting, report=self.report, blocked=self.blocked) if count else None
        )

    # -- lifecycle -------------------------------------------------------------------------
    def open(self) -> Simnet:
        """Activate the offline guard. Called by ``with``; idempotent."""
        if not self._open:
            self._go_offline()
            try:
                speedups.acquire(Synapse)
            except BaseException:  # a changed seam
                self._abandon_open()
                raise
            if self._hosts is not None:
                try:
                    assert self.chain.path is not None
                    self._hosts.start(self.chain.path, self.wallets.root, self.blocking_threshold)
                except BaseException:
                    self.close()
                    raise
            if self._redirect_on_open:
                try:
                    self.redirect_bittensor()
                except BaseException:
                    self.close()  # a failed open leaves nothing acquired
                    raise
        return self

    def redirect_bittensor(self) -> Redirect:
        """Point bittensor's constructors (``bt.Subtensor``, ``bt.AsyncSubtensor``,
        ``bt.Metagraph``, ``bt.Wallet``, ``bt.Axon``, ``bt.Dendrite`` and 9.x's lower-case
        aliases) at this network until :meth:`close`, and ``~`` at a temporary home, so a
        subnet's own neuron classes run here unmodified. Idempotent."""
        self._require_open()
        if self._redirect is None:
            self._home = Path(tempfile.mkdtemp(prefix="simnet-home-"))
            self._redirect = Redirect(self, home=self._home).install()
        return self._redirect

    @property
    def home(self) -> Path | None:
        """The home directory neurons see while bittensor is redirected (else ``None``)."""
        return self._home

    def adopt(self, served: ServedAxon) -> None:
        """Stop ``served`` with this network's own axons (redirected ``Axon.start()``)."""
        with self._lock:
            self._axons.append(served)

    def watch_current_loop(self) -> None:
        """Report blocking calls on the running event loop (the one validator code runs on),
        as on the axons' loop, when it runs on the main thread: a worker thread's own loop
        holds up nobody else's work. Blocks inside simnet's own calls are not reported."""
        if self.blocking_threshold is None or not self._open:
            return
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        with self._lock:
            if loop in self._loop_watches:
                return
            closed = [old for old in self._loop_watches if old.is_closed()]
            for old in closed:  # a neuron that runs asyncio.run per step: one watch at a time
                self._loop_watches.pop(old).stop()
            watch = LoopWatch(
                loop,
                where="the event loop running the validator's code",
                ignore=_inside_simnet,
                on_main=True,
            )
            self._loop_watches[loop] = watch
        watch.subscribe(self.blocking_threshold, self.blocked)

    def close(self) -> None:
        """Stop every axon, release the guard and the resources simnet created. Idempotent.

        When ``strict`` (the default), raises :class:`MinerError` if a served miner
        misbehaved (see :attr:`problems`). Raises ``RuntimeError`` if a dendrite made
        here still has an open session: close dendrites with ``async with``.
        """
        if not self._open:
            return
        self._open = False
        try:
            self._stop_watching()
            for watch in self._loop_watches.values():
                watch.stop()
            self._loop_watches.clear()
            try:
                stop_all(self._axons)
            finally:
                if self._hosts is not None:
                    self._hosts.close()
            speedups.forget_endpoints()
            if self._redirect is not None:
                self._redirect.uninstall()
                self._redirect = None
            if self._home is not None:
                shutil.rmtree(self._home, ignore_errors=True)
                self._home = None
        finally:
            if self._chain_file is not None:
                self._chain_file.close()
            speedups.release()
            self._release()
        leaked = [d for d in self._dendrites if d._session is not None and not d._session.closed]
        if leaked:
            raise RuntimeError(
                f"{len(leaked)} dendrite(s) still have an open aiohttp session "
                f"({', '.join(map(str, leaked))}); use `async with simnet.dendrite(...)`"
            )
        retire(self._dendrites)
        self._raise_problems()

    def __enter__(self) -> Simnet:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Simnet:
        return self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for dendrite in self._dendrites:
            await dendrite.aclose_session()
        self.close()

    # -- chain -----------------------------------------------------------------------------
    @excused()
    def wallet(self, name: str, hotkey: str = "default") -> Wallet:
        """The deterministic wallet ``name`` (same name, same keys)."""
        wallet: Wallet = super().wallet(name, hotkey)
        return wallet

    @excused()
    def register(
        self,
        netuid: int,
        name: str,
        *,
        hotkey: str = "default",
        stake: float = 0.0,
        validator_permit: bool = False,
    ) -> Registration:
        """Register wallet ``name``'s hotkey on ``netuid`` (creating the subnet if needed)."""
        wallet, neuron = self._register(netuid, name, hotkey, stake, validator_permit)
        return Registration(neuron, wallet)

    @excused()
    def metagraph(self, netuid: int) -> Metagraph:
        """The real ``Metagraph`` of ``netuid``: one object, re-synced on every chain change."""
        with self._lock:
            if netuid not in self._metagraphs:
                self._metagraphs[netuid] = self.subtensor.metagraph(netuid)
            return self._metagraphs[netuid]

    def _resync(self, netuid: int) -> None:
        self._versions[netuid] = self._versions.get(netuid, 0) + 1
        metagraph = self._metagraphs.get(netuid)
        if metagraph is not None:
            metagraph.sync(lite=True, subtensor=self.subtensor)  # type: ignore[arg-type]

    # -- axons and dendrites ---------------------------------------------------------------
    @excused()
    def serve(
        self,
        netuid: int,
        miner: object,
        *,
        name: str | None = None,
        hotkey: str = "default",
        stake: float = 0.0,
        blacklist: Callable[..., Any] | None = None,
        priority: Callable[..., Any] | None = None,
        verify: Callable[..., Any] | None = None,
        faults: Sequence[FaultPlan | Fault] = (),
    ) -> ServedAxon:
        """Register a miner on ``netuid`` and serve it on a real axon at 127.0.0.1.

        ``miner`` is a forward function (first parameter annotated with your synapse
        class), an object with ``forward`` (and optionally ``blacklist``, ``priority``,
        ``verify``), or a factory called with a :class:`MinerContext` that returns one of
        those. ``name`` picks the wallet (default ``miner-<uid>``). The axon's address is
        recorded on the chain, so ``metagraph(netuid).axons[uid]`` points at it.
        ``faults`` (fault plans, or bare faults forming one plan) apply to its responses;
        see :mod:`simnet.faults`.
        """
        self._require_open()
        overrides = {"blacklist": blacklist, "priority": priority, "verify": verify}
        if self._hosts is not None:
            self._hosts.check([miner], [fault_plans(faults)], overrides)
        self.chain.create_subnet(netuid)
        name = name or f"miner-{len(self.chain.neurons(netuid))}"
        registration = self.register(netuid, name, hotkey=hotkey, stake=stake)
        return self._serve_registered(registration, miner, faults, **overrides)

    def _serve_registered(
        self,
        registration: Registration,
        miner: object,
        faults: Sequence[FaultPlan | Fault],
        **overrides: Callable[..., Any] | None,
    ) -> ServedAxon:
        if self._hosts is not None:
            return self._publish(self._submit(registration, miner, faults, overrides))
        netuid = registration.netuid
        context = MinerContext(
            wallet=registration.wallet,
            metagraph=self.metagraph(netuid),
            subtensor=self.subtensor,
            netuid=netuid,
            uid=registration.uid,
        )
        handlers = resolve_handlers(miner, context, **overrides)
        served = serve_handlers(
            self.host, context, handlers, self.report, faults=faults, transport=self.transport
        )
        with self._lock:
            self._axons.append(served)
        self.chain.serve_axon(netuid, registration.hotkey, served.ip, served.port)
        return served

    def _submit(
        self,
        registration: Registration,
        miner: object,
        faults: Sequence[FaultPlan | Fault],
        overrides: dict[str, Callable[..., Any] | None],
    ) -> tuple[Registration, Pending]:
        assert self._hosts is not None
        wallet = registration.wallet
        pending = self._hosts.submit(
            (wallet.name, wallet.hotkey_str),
            (registration.netuid, registration.uid),
            miner,
            fault_plans(faults),
            overrides,
            version=self._versions.get(registration.netuid, 0),
        )
        return registration, pending

    def _publish(self, submitted: tuple[Registration, Pending]) -> HostedAxon:
        registration, pending = submitted
        served = pending.result(registration.hotkey)
        with self._lock:
            self._axons.append(served)
        self.chain.serve_axon(registration.netuid, registration.hotkey, served.ip, served.port)
        return served

    @excused()
    def subnet(
        self,
        netuid: int,
        miner: object | Sequence[object],
        *,
        miners: int | None = None,
        validators: int = 1,
        validator_stakes: Sequence[float] | None = None,
        miner_stakes: Sequence[float] | None = None,
        faults: Callable[[int], Sequence[FaultPlan | Fault]] | None = None,
        seed: int = 0,
    ) -> Subnet:
        """Build a whole subnet: ``validators`` neurons with validator permits, then
        ``miners`` served miners, on the subnet's next free uids: on an empty subnet the
        validators are uids 0..M-1 and the miners M..M+N-1; neurons registered before
        (``simnet_validator``, say, at uid 0) keep theirs and the new ones follow. At most
        256 uids in all. ``Subnet.validators[i].uid`` and ``Subnet.miners[i].uid`` say
        which uid each got.

        ``miner`` is one miner (forward function, object or factory, as in :meth:`serve`)
        used for every uid, or a sequence with one per miner. Stakes are generated from
        ``seed`` (validators 1000..10000, miners 0..10) unless given. ``faults(i)`` gives
        the fault plans of the i-th miner.

        Every neuron is registered before the first miner factory is called, so each
        factory's metagraph already holds the whole subnet; the axons' addresses are on
        the chain (and in the metagraph) when this returns.
        """
        self._require_open()
        kinds = miner_kinds(miner, miners)
        plans = [fault_plans(faults(i)) if faults is not None else [] for i in range(len(kinds))]
        if self._hosts is not None:
            self._hosts.check(kinds, plans, {})
        self.chain.create_subnet(netuid)
        check_size(validators, len(kinds), registered=len(self.chain.neurons(netuid)))
        rng = random.Random(seed)
        v_stakes = stakes(validator_stakes, validators, "validator_stakes", rng, (1_000, 10_000))
        m_stakes = stakes(miner_stakes, len(kinds), "miner_stakes", rng, (0, 10))
        # Two batches, so the metagraph is re-synced twice, not twice per miner.
        with self.chain.batch():
            registered = [
                self.register(netuid, f"validator-{i}", stake=v_stakes[i], validator_permit=True)
                for i in range(validators)
            ]
            miners_registered = [
                self.register(netuid, f"miner-{i}", stake=m_stakes[i]) for i in range(len(kinds))
            ]
        pairs = list(zip(miners_registered, kinds, plans, strict=True))
        with self.chain.batch(), _bulk_allocation():
            if self._hosts is not None:  # every host process builds its share at once
                submitted = [self._submit(r, kind, p, {}) for r, kind, p in pairs]
                served: list[ServedAxon] = []
                failed: BaseException | None = None
                for each in submitted:  # every miner served is tracked, even past a failure
                    try:
                        served.append(self._publish(each))
                    except Exception as exc:
                        failed = failed or exc
                if failed is not None:
                    raise failed
            else:
                served = [self._serve_registered(r, kind, p) for r, kind, p in pairs]
        return Subnet(netuid, registered, served, self.metagraph(netuid))

    @property
    def axons(self) -> list[ServedAxon]:
        """Every axon served here, in the order served."""
        return list(self._axons)

    def dendrite(
        self, who: Registration | Wallet | str, *, cls: type[Dendrite] = Dendrite
    ) -> Dendrite:
        """A real ``bittensor.Dendrite`` (or your subclass ``cls``) signing with ``who``'s
        hotkey, reaching this network's axons over its transport.

        Use it as ``async with net.dendrite(validator) as dendrite:`` so its HTTP session
        is closed on the event loop that opened it.
        """
        self._require_open()
        if not (isinstance(cls, type) and issubclass(cls, Dendrite)):
            raise TypeError(f"cls={cls!r} must be bittensor.Dendrite or a subclass of it")
        if isinstance(who, str):
            wallet = self.wallet(who)
        elif isinstance(who, Registration):
            wallet = who.wallet
        else:
            wallet = who
        if not self.transport.stock_clients_reach:
            dendrite = connected_dendrite(cls, wallet, self.connector)
        else:
            dendrite = cls(wallet=wallet)
        self._dendrites.append(dendrite)
        return dendrite

    @property
    def offline_violations(self) -> list[str]:
        """Every refused attempt to leave loopback since this network was opened (in the
        host processes too, with ``hosts``)."""
        own = super().offline_violations
        return own + (self._hosts.violations() if self._hosts is not None and self._open else [])

    @property
    def host_pids(self) -> list[int]:
        """The process ids of the host processes serving the miners (empty without)."""
        return self._hosts.pids if self._hosts is not None else []

    def connector(self) -> aiohttp.BaseConnector:
        """A new aiohttp connector that reaches this network's axons over its transport,
        for HTTP clients of your own: ``aiohttp.ClientSession(connector=net.connector())``.

        Call it inside the event loop that will use it.
        """
        return self.transport.connector(self.host.memory)

    def __repr__(self) -> str:
        state = "open" if self._open else "closed"
        return (
            f"Simnet({state}, transport={self.transport}, subnets={self.chain.netuids()}, "
            f"axons={len(self._axons)}" + (f", hosts={self.hosts})" if self.hosts else ")")
        )


_PACKAGE = str(Path(__file__).resolve().parents[1])


def _inside_simnet(stack: traceback.StackSummary) -> bool:
    """True if simnet's own code is on a block's stack (the test called simnet, e.g. to
    serve, from its event loop)."""
    return any(entry.filename.startswith(_PACKAGE) for entry in stack)
