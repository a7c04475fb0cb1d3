"""Miners served in host processes (``Simnet(hosts=N)``): what a child runs, and the
handle the test holds.

A child opens the network's chain state (a file, so both see one state), reads the
miner's wallet from the network's wallet directory, builds the miner there (a factory
is called in the child, with a :class:`MinerContext` over the child's own metagraph of
that chain, synced as each miner is served) and serves it through the same pipeline as
in-process miners: real Axons, the fault plans outermost, hygiene reporting, the
blocking watch. Problems, blocked-loop reports and fault events travel back to the
parent as they happen; ``inject``/``clear_faults``/``stop`` travel to the child.
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import traceback
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn, SupportsIndex

from simnet._compat import (
    Axon,
    Metagraph,
    Synapse,
    Wallet,
    bittensor_logging_quiet,
    quiet_bittensor_logging,
)
from simnet.chain.state import ChainState
from simnet.network.host import AxonHost
from simnet.network.hosts import (
    HostProcess,
    HostProcesses,
    RemoteServer,
    check_sendable,
    next_request,
    parse_hosts,
    sendable_error,
)
from simnet.network.servers import Server
from simnet.network.serving import ServedMiner, stop_all
from simnet.network.transports import TCP, BaseTransport, Transport, parse_transport
from simnet.neurons.axons import ServedAxon
from simnet.neurons.handlers import MinerContext, resolve_handlers, serve_handlers
from simnet.neurons.subtensor import FakeSubtensor
from simnet.sandbox.offline import GUARD
from simnet.sandbox.wallets import scratch_dir
from simnet.wire import speedups
from simnet.wire.faults import Fault, FaultPlan, as_plans
from simnet.wire.hygiene import MinerProblem

_REPLY_TIMEOUT = 120.0


@dataclass(frozen=True)
class HostSettings:
    """What every host process of one network is started with."""

    setting: str
    """How the option was spelled where the user set it (``hosts=2``), for messages."""
    chain: Path
    wallets: Path
    blocking_threshold: float | None
    quiet: bool
    """Whether bittensor's logging is off in the parent (the child follows it)."""


@dataclass(frozen=True)
class MinerSpec:
    """One miner to serve in a host process (everything in it is sent pickled)."""

    key: int
    wallet: tuple[str, str]
    netuid: int
    uid: int
    miner: object
    overrides: dict[str, Callable[..., Any] | None]
    plans: list[tuple[int, FaultPlan]]
    version: int
    """How many changes the subnet had seen when the miner was sent: the child syncs its
    metagraph when this differs from its last sync's (once per subnet built, not once
    per miner)."""


def host_setting(
    hosts: object, transport: Transport | BaseTransport, chain: ChainState | None
) -> tuple[int, str]:
    """How many host processes ``hosts`` asks for, and the setting as typed; refuses, in
    one line naming it, what host processes cannot do."""
    setting = f"hosts={hosts!r}"
    count = parse_hosts(hosts)
    if count and parse_transport(transport) != "tcp":
        raise ValueError(
            f"{setting} serves miners in other processes, which transport={str(transport)!r} "
            "cannot reach (no socket): use transport='tcp'"
        )
    if count and chain is not None and chain.path is None:
        raise ValueError(
            f"{setting}: host processes open the chain state too, so it must be a file "
            "(ChainState(path)), not in memory; or leave chain= out"
        )
    return count, setting


class ChainFile:
    """A network's chain state in a temporary file (host processes open it too), whose
    blocks move only on ``advance()``, as in memory; :meth:`close` removes it, keeping the
    state in memory (the network's chain is read after it closes, as without hosts)."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="simnet-chain-", dir=scratch_dir()))
        self._remove = weakref.finalize(self, shutil.rmtree, self.directory, True)
        self.chain = ChainState(self.directory / "chain.sqlite")
        self.chain.block_seconds = None

    def close(self) -> None:
        self.chain.keep_in_memory()
        self._remove()


def check_miner(miner: object, overrides: dict[str, Any], setting: str) -> None:
    """One line naming ``miner`` (or a handler) that cannot be sent to a host process."""
    check_sendable(miner, f"the miner {miner!r}", setting)
    for name, handler in overrides.items():
        if handler is not None:
            check_sendable(handler, f"{name}={handler!r}", setting)


def check_plans(plans: Sequence[FaultPlan], setting: str) -> None:
    for plan in plans:
        check_sendable(plan, f"the fault plan {plan!r}", setting)


# -- the child ----------------------------------------------------------------------------


def run_host(conn: Connection, settings: HostSettings, index: int) -> None:
    """A host process's main: serve miners as the parent asks until it says exit (or its
    pipe closes: the parent is gone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent's teardown stops us
    code = 0
    try:
        _Child(conn, settings).run()
    except BaseException:
        traceback.print_exc()  # why it died, before the exit below skips the usual report
        code = 1
    finally:
        # Everything served is stopped. Skip the interpreter's exit: multiprocessing's
        # finalizers would close bittensor's logging queue under its listener thread.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class _Child:
    def __init__(self, conn: Connection, settings: HostSettings) -> None:
        self.conn = conn
        self.settings = settings
        self.send_lock = threading.Lock()
        self.host = AxonHost(name="simnet-axon-host")
        self.chain = ChainState(settings.chain, create=False)
        self.subtensor = FakeSubtensor(self.chain)
        self.metagraphs: dict[int, Metagraph] = {}
        self.versions: dict[int, int] = {}
        self.served: dict[int, ServedAxon] = {}
        self.unwatch: Callable[[], None] | None = None

    def tell(self, *message: Any) -> None:
        with self.send_lock:
            try:
                self.conn.send(message)
            except (OSError, ValueError):
                pass  # the parent is gone; the main loop ends at its next read

    def run(self) -> None:
        if self.settings.quiet:
            quiet_bittensor_logging()
        GUARD.acquire()
        speedups.acquire(Synapse)
        threshold = self.settings.blocking_threshold
        if threshold is not None:
            self.unwatch = self.host.watch_blocking(threshold, self._blocked)
        try:
            while (request := next_request(self.conn)) is not None:
                number, command, payload = request
                try:
                    value, ok = getattr(self, f"do_{command}")(*pickle.loads(payload)), True
                except BaseException as exc:
                    value, ok = sendable_error(exc), False
                self.tell("reply", number, ok, value)
                if command == "exit":
                    return
        finally:
            self._shut_down()

    def _shut_down(self) -> None:
        stop_all(list(self.served.values()))
        self.served.clear()
        if self.unwatch is not None:
            self.unwatch()
        self.host.close()
        speedups.release()
        GUARD.release()

    def _blocked(self, blocked: Any) -> None:
        self.tell("blocked", blocked)

    def _report(self, problem: MinerProblem) -> None:
        self.tell("problem", problem)

    def do_serve(self, spec: MinerSpec) -> int:
        metagraph = self.metagraphs.get(spec.netuid)
        if metagraph is None:
            metagraph = self.metagraphs[spec.netuid] = self.subtensor.metagraph(spec.netuid)
        elif self.versions[spec.netuid] != spec.version:
            metagraph.sync(lite=True, subtensor=self.subtensor)  # type: ignore[arg-type]
        self.versions[spec.netuid] = spec.version
        name, hotkey = spec.wallet
        context = MinerContext(
            wallet=Wallet(name=name, hotkey=hotkey, path=str(self.settings.wallets)),
            metagraph=metagraph,
            subtensor=self.subtensor,
            netuid=spec.netuid,
            uid=spec.uid,
        )
        handlers = resolve_handlers(spec.miner, context, **spec.overrides)
        plans = [self._reporting(key, plan) for key, plan in spec.plans]
        served = serve_handlers(
            self.host, context, handlers, self._report, faults=plans, transport=TCP
        )
        self.served[spec.key] = served
        return served.port

    def _reporting(self, key: int, plan: FaultPlan) -> FaultPlan:
        plan.on_record = lambda event: self.tell("event", key, event)
        return plan

    def do_inject(self, key: int, plans: list[tuple[int, FaultPlan]]) -> None:
        self.served[key].faults.extend(self._reporting(k, plan) for k, plan in plans)

    def do_clear(self, key: int) -> None:
        self.served[key].faults.clear()

    def do_stop(self, keys: list[int]) -> None:
        stop_all([self.served.pop(key) for key in keys if key in self.served])

    def do_violations(self) -> list[str]:
        return list(GUARD.violations)

    def do_exit(self) -> None:
        return None


# -- the parent's handle ------------------------------------------------------------------


class RemotePlans(list[FaultPlan]):
    """A hosted miner's fault plans as the parent sees them: changed only through the
    handle's ``inject`` and ``clear_faults`` (the live list is in the host process)."""

    def __init__(self, plans: Iterable[FaultPlan], setting: str) -> None:
        super().__init__(plans)
        self._setting = setting

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(
            f"with {self._setting} a served miner's fault plans live in its host process: "
            "change them with inject() and clear_faults()"
        )

    append = extend = insert = remove = pop = clear = _refuse
    __setitem__ = __delitem__ = __iadd__ = _refuse

    def _set(self, plans: list[FaultPlan]) -> None:
        list.clear(self)
        list.extend(self, plans)

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._refuse()

    def reverse(self) -> None:
        self._refuse()

    def __imul__(self, value: SupportsIndex) -> NoReturn:
        self._refuse()


class HostedAxon(ServedAxon):
    """A miner served in a host process: the same handle as :class:`ServedAxon` (where it
    is, whose it is, ``inject``, ``clear_faults``, ``stop``), with the plans and the Axon
    living in the child. ``faults`` changes through ``inject``/``clear_faults`` only; a
    plan's ``events`` fill in as the child records them; ``axon`` is refused."""

    def __init__(
        self,
        server: RemoteServer,
        *,
        hotkey: str,
        netuid: int,
        uid: int,
        plans: list[FaultPlan],
        setting: str,
        track: Callable[[Sequence[FaultPlan]], list[tuple[int, FaultPlan]]],
    ) -> None:
        ServedMiner.__init__(
            self,
            server,
            hotkey=hotkey,
            netuid=netuid,
            uid=uid,
            transport=TCP,
            faults=RemotePlans(plans, setting),
        )
        self._remote = server
        self._setting = setting
        self._track = track

    @property
    def axon(self) -> Axon:
        raise RuntimeError(
            f"with {self._setting} the Axon lives in a host process: use the handle's url, "
            "inject(), clear_faults() and stop(), or serve without host processes"
        )

    @axon.setter
    def axon(self, value: Axon) -> None:
        raise AttributeError("axon")

    @property
    def process(self) -> HostProcess:
        """The host process serving this miner."""
        return self._remote.process

    def inject(self, *faults: FaultPlan | Fault) -> FaultPlan:
        plans = as_plans(faults)
        check_plans(plans, self._setting)
        self._remote.process.call("inject", self._remote.key, self._track(plans))
        current = list(self.faults)
        assert isinstance(self.faults, RemotePlans)
        self.faults._set([*current, *plans])
        return plans[-1]

    def clear_faults(self) -> None:
        self._remote.process.call("clear", self._remote.key)
        assert isinstance(self.faults, RemotePlans)
        self.faults._set([])

    def _request_stop(self) -> Server | None:
        return ServedMiner._request_stop(self)


# -- the parent's side ----------------------------------------------------------------------


class Hosts:
    """A network's host processes, from the parent's side: started on :meth:`start`,
    miners sent to them in turn, what they tell passed to ``report``/``blocked``, and
    each fault plan's events recorded on the parent's own plan object."""

    def __init__(
        self,
        count: int,
        setting: str,
        *,
        report: Callable[[MinerProblem], None],
        blocked: Callable[[Any], None],
    ) -> None:
        self.count = count
        self.setting = setting
        self._report = report
        self._blocked = blocked
        self._processes: HostProcesses | None = None
        self._plans: dict[int, FaultPlan] = {}
        self._keys = itertools.count()
        self._lock = threading.Lock()

    def check(
        self,
        miners: Sequence[object],
        plans: Sequence[Sequence[FaultPlan]],
        overrides: dict[str, Callable[..., Any] | None],
    ) -> None:
        """One line naming a miner, handler or plan that cannot be sent to a host
        process (called before anything is registered or served)."""
        for miner in {id(m): m for m in miners}.values():
            check_miner(miner, overrides, self.setting)
        check_plans([plan for each in plans for plan in each], self.setting)

    def start(self, chain: Path, wallets: Path, blocking_threshold: float | None) -> None:
        quiet = bittensor_logging_quiet()
        settings = HostSettings(self.setting, chain, wallets, blocking_threshold, quiet)
        self._processes = HostProcesses(self.count, run_host, settings, notify=self._notify)

    @property
    def pids(self) -> list[int]:
        """The host processes' ids (empty until started)."""
        return self._processes.pids if self._processes is not None else []

    def _notify(self, kind: str, values: tuple[Any, ...]) -> None:
        if kind == "problem":
            self._report(values[0])
        elif kind == "blocked":
            self._blocked(values[0])
        elif kind == "event":
            key, event = values
            plan = self._plans.get(key)
            if plan is not None:
                plan._record(event)

    def track(self, plans: Sequence[FaultPlan]) -> list[tuple[int, FaultPlan]]:
        """``plans`` with the keys their events come home under."""
        keyed = []
        with self._lock:
            for plan in plans:
                key = id(plan)
                self._plans[key] = plan
                keyed.append((key, plan))
        return keyed

    def submit(
        self,
        wallet: tuple[str, str],
        registration: tuple[int, int],
        miner: object,
        plans: list[FaultPlan],
        overrides: dict[str, Callable[..., Any] | None],
        version: int,
    ) -> Pending:
        """Send one miner to the next host process; :meth:`Pending.result` is its handle."""
        if self._processes is None:
            raise RuntimeError(f"{self.setting}: the host processes are not started")
        process = self._processes.next()
        netuid, uid = registration
        key = next(self._keys)
        spec = MinerSpec(key, wallet, netuid, uid, miner, overrides, self.track(plans), version)
        return Pending(self, process, spec, process.request("serve", spec), plans)

    def violations(self) -> list[str]:
        """Every refused attempt to leave loopback in the host processes."""
        if self._processes is None:
            return []
        futures = [p.request("violations") for p in self._processes.processes]
        return [line for future in futures for line in future.result(_REPLY_TIMEOUT)]

    def close(self) -> None:
        """Stop every host process and remove their files. Idempotent."""
        processes, self._processes = self._processes, None
        if processes is not None:
            processes.close()
        self._plans.clear()


@dataclass
class Pending:
    """A miner sent to a host process, until it is served there."""

    hosts: Hosts
    process: HostProcess
    spec: MinerSpec
    future: Any
    plans: list[FaultPlan]

    def result(self, hotkey: str) -> HostedAxon:
        port = self.future.result(_REPLY_TIMEOUT)
        return HostedAxon(
            RemoteServer(self.process, self.spec.key, port),
            hotkey=hotkey,
            netuid=self.spec.netuid,
            uid=self.spec.uid,
            plans=self.plans,
            setting=self.hosts.setting,
            track=self.hosts.track,
        )
