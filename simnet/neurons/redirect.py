"""Constructor redirection: while installed, the names subnets call on ``bittensor`` build
simnet-backed objects, so a subnet's own neurons run on simnet unmodified.

``bt.subtensor(config=...)`` / ``bt.Subtensor`` / ``bt.AsyncSubtensor`` give subtensor
doubles over simnet's chain state (instances of the real classes); ``bt.metagraph`` /
``bt.Metagraph`` (``AsyncMetagraph``) real metagraphs synced from it; ``bt.wallet`` /
``bt.Wallet`` simnet's deterministic wallets (name and hotkey from the arguments or the
config); ``bt.axon`` / ``bt.Axon`` real Axons that ``start()`` on simnet's host on
127.0.0.1 (or in memory); ``bt.dendrite`` / ``bt.Dendrite`` real Dendrites that reach
them over simnet's transport. Classmethods (``add_args``, ``config``, ``help``...) and
``isinstance`` checks are the real classes'. Uninstalling puts back exactly what was there.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from simnet._compat import (
    AsyncMetagraph,
    Axon,
    Dendrite,
    Metagraph,
    RealAsyncSubtensor,
    RealSubtensor,
    Wallet,
    bittensor,
)
from simnet._patches import CONSTRUCTORS, LOOP_POLICY, found, put_back
from simnet.chain.state import ChainState
from simnet.network.host import AxonHost
from simnet.network.transports import BaseTransport
from simnet.neurons.async_subtensor import AsyncFakeSubtensor
from simnet.neurons.axons import ServedAxon, loopback_init, serve_axon
from simnet.neurons.dendrites import connected_dendrite
from simnet.neurons.subtensor import NETWORK, FakeSubtensor, raise_if_unsimulated
from simnet.sandbox.stand_ins import stand_in
from simnet.sandbox.wallets import DeterministicWallets
from simnet.wire.hygiene import recording

# bittensor attribute -> what it builds. Lower-case aliases exist in 9.x only.
ROLES = {
    "subtensor": "subtensor",
    "Subtensor": "subtensor",
    "AsyncSubtensor": "async_subtensor",
    "metagraph": "metagraph",
    "Metagraph": "metagraph",
    "AsyncMetagraph": "async_metagraph",
    "wallet": "wallet",
    "Wallet": "wallet",
    "axon": "axon",
    "Axon": "axon",
    "dendrite": "dendrite",
    "Dendrite": "dendrite",
}
_ALWAYS = ("Subtensor", "AsyncSubtensor", "Metagraph", "Wallet", "Axon", "Dendrite")
"""What every release of the neuron stack has (the others: 9.x's aliases, AsyncMetagraph)."""
_installed: Redirect | None = None
_install_lock = threading.Lock()


class Target(Protocol):
    """What redirected constructors build on (a :class:`~simnet.Simnet` is one)."""

    chain: ChainState
    wallets: DeterministicWallets
    host: AxonHost
    transport: BaseTransport

    def report(self, problem: Any) -> None: ...
    def connector(self) -> aiohttp.BaseConnector: ...
    def adopt(self, served: ServedAxon) -> None: ...
    def watch_current_loop(self) -> None: ...


def _config_value(config: Any, dotted: str) -> Any:
    value = config
    for part in dotted.split("."):
        value = getattr(value, part, None) if value is not None else None
    return value


def _guarded(real: type, double: type) -> type:
    """``double``'s behaviour in a subclass of ``real``: instances of the real class whose
    unsimulated methods raise :class:`~simnet.neurons.subtensor.NotSimulated`."""
    simulated = set(dir(double))

    def __getattribute__(self: Any, name: str) -> Any:
        if name not in simulated:
            raise_if_unsimulated(name)
        return object.__getattribute__(self, name)

    return type(real.__name__, (double, real), {"__getattribute__": __getattribute__})


_SimnetSubtensor = _guarded(RealSubtensor, FakeSubtensor)
_SimnetAsyncSubtensor = _guarded(RealAsyncSubtensor, AsyncFakeSubtensor)


class Redirect:
    """bittensor's constructors, pointed at ``target`` while installed (one at a time)."""

    def __init__(self, target: Target, *, home: Path | None = None) -> None:
        self.target = target
        self.home = home
        self._saved: dict[str, Any] = {}
        self._saved_home: str | None = None
        self._axons: list[Any] = []
        self._dendrites: list[Any] = []
        self._loop: _LoopSwap | None = None

    # -- what the stand-ins build --------------------------------------------------------
    def wallet(
        self,
        name: str | None = None,
        hotkey: str | None = None,
        path: Any = None,
        config: Any = None,
    ) -> Wallet:
        """Simnet's deterministic wallet for ``name``/``hotkey`` (else the config's)."""
        name = name or _config_value(config, "wallet.name") or "default"
        hotkey = hotkey or _config_value(config, "wallet.hotkey") or "default"
        return self.target.wallets(str(name), str(hotkey))

    def subtensor(self, network: Any = None, config: Any = None, **_: Any) -> Any:
        """A subtensor double over simnet's chain state, for any network name."""
        return _SimnetSubtensor(self.target.chain, config=config)

    def async_subtensor(self, network: Any = None, config: Any = None, **_: Any) -> Any:
        """An async subtensor double over simnet's chain state."""
        return _SimnetAsyncSubtensor(self.target.chain, config=config)

    def metagraph(self, netuid: int, *args: Any, sync: bool = True, **kwargs: Any) -> Any:
        """A real ``Metagraph`` of ``netuid`` whose syncs read simnet's chain state."""
        subtensor = FakeSubtensor(self.target.chain)
        if sync:
            lite = kwargs.get("lite", True)
            return subtensor.metagraph(netuid, lite=lite, block=kwargs.get("block"))
        return _unsynced(Metagraph, netuid, kwargs, subtensor)

    def async_metagraph(self, netuid: int, *args: Any, **kwargs: Any) -> Any:
        """A real ``AsyncMetagraph`` whose syncs read simnet's chain state."""
        subtensor = AsyncFakeSubtensor(self.target.chain)
        return _unsynced(AsyncMetagraph, netuid, kwargs, subtensor)

    def axon(self, wallet: Any = None, config: Any = None, **kwargs: Any) -> Axon:
        """A real Axon that ``start()`` serves on simnet's host (127.0.0.1 or in memory)."""
        wallet = wallet if wallet is not None else self.wallet(config=config)
        axon = _axon_class()(self, wallet, config)
        self._axons.append(axon)
        return axon

    def dendrite(self, wallet: Any = None) -> Dendrite:
        """A real Dendrite reaching simnet's axons over its transport."""
        wallet = wallet if wallet is not None else self.wallet()
        if not self.target.transport.stock_clients_reach:
            dendrite = connected_dendrite(_dendrite_class(), wallet, self.target.connector)
        else:
            dendrite = _dendrite_class()(wallet=wallet)
        self._dendrites.append(dendrite)
        return dendrite

    # -- installing ----------------------------------------------------------------------
    def install(self) -> Redirect:
        """Point bittensor's constructors here (and ``~`` at ``home``, if given)."""
        global _installed
        names = [name for name in ROLES if name in _ALWAYS or name in bittensor.__dict__]
        originals = {name: found(CONSTRUCTORS, bittensor, name) for name in names}
        with _install_lock:
            if _installed is not None:
                raise RuntimeError(
                    "bittensor is already redirected by another simnet network in this process"
                )
            _installed = self
        builders: dict[str, Callable[..., Any]] = {
            "subtensor": self.subtensor,
            "async_subtensor": self.async_subtensor,
            "metagraph": self.metagraph,
            "async_metagraph": self.async_metagraph,
            "wallet": self.wallet,
            "axon": self.axon,
            "dendrite": self.dendrite,
        }
        self._saved = originals
        for name, original in originals.items():
            setattr(bittensor, name, stand_in(original, builders[ROLES[name]]))
        if self.home is not None:
            self.home.mkdir(parents=True, exist_ok=True)
            self._saved_home = os.environ.get("HOME")
            os.environ["HOME"] = str(self.home)
        self._loop = _current_loop_for_neurons()
        return self

    def uninstall(self) -> None:
        """Put back exactly what was there, and give back the sockets of axons that were
        made but never started. Idempotent."""
        global _installed
        for axon in self._axons:
            axon._simnet_release()
        self._axons.clear()
        for dendrite in self._dendrites:
            _close_sessions(dendrite)
        self._dendrites.clear()
        if self._loop is not None:
            _give_back_loop(self._loop)
            self._loop = None
        put_back(bittensor, self._saved)
        self._saved = {}
        if self.home is not None and _installed is self:
            if self._saved_home is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = self._saved_home
        with _install_lock:
            if _installed is self:
                _installed = None

    @property
    def installed(self) -> bool:
        """True while this redirect is in place."""
        return _installed is self


@dataclass
class _LoopSwap:
    """The main thread's current event loop, replaced by ``loop`` while redirected."""

    loop: asyncio.AbstractEventLoop
    previous: asyncio.AbstractEventLoop | None
    previous_set: bool


def _current_loop_for_neurons() -> _LoopSwap | None:
    """A current event loop for the main thread, if it has none (or a closed one): the
    subnet template's validator calls ``asyncio.get_event_loop()`` in its constructor,
    which raises after an async test (pytest-asyncio unsets the loop it ran)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        asyncio.get_running_loop()
        return None
    except RuntimeError:
        pass
    local = _policy_local()
    if local is None:
        return None
    previous, previous_set = getattr(local, "_loop", None), getattr(local, "_set_called", False)
    if previous is not None and not previous.is_closed():
        return None
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return _LoopSwap(loop, previous, previous_set)


def _policy_local() -> Any:
    """The default policy's per-thread state (its current loop, whether one was set),
    read without making a loop as ``asyncio.get_event_loop()`` would on 3.10-3.11;
    ``None`` under another policy (uvloop's, a test's own), which is left alone."""
    policy = asyncio.get_event_loop_policy()
    if not isinstance(policy, asyncio.events.BaseDefaultEventLoopPolicy):
        return None
    return found(LOOP_POLICY, policy)


def _give_back_loop(swap: _LoopSwap) -> None:
    """Put the main thread's loop back as it was, and close the one made for neurons."""
    local = _policy_local()
    if local is not None and getattr(local, "_loop", None) is swap.loop:
        asyncio.set_event_loop(swap.previous)
        local._set_called = swap.previous_set
    loop = swap.loop
    if not loop.is_running() and not loop.is_closed():
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


async def _closing(dendrite: Any) -> AsyncGenerator[None, None]:
    """Registered with the loop a redirected dendrite's session runs on: closes that
    session when the loop shuts down (``asyncio.run``, pytest-asyncio), or at teardown."""
    try:
        yield
    finally:
        session = getattr(dendrite, "_session", None)
        if session is not None and not session.closed:
            await session.close()


async def _close_at_loop_shutdown(dendrite: Any) -> None:
    loop = asyncio.get_running_loop()
    closers = dendrite.__dict__.setdefault("_simnet_closers", {})
    if loop not in closers:
        closer = _closing(dendrite)
        await closer.asend(None)  # the loop now knows it: shutdown_asyncgens closes it
        closers[loop] = closer


def _close_sessions(dendrite: Any) -> None:
    """Close a redirected dendrite's session at teardown, on the loop it runs on, so
    bittensor's destructor has nothing to warn about (the template never closes it)."""
    for loop, closer in dendrite.__dict__.pop("_simnet_closers", {}).items():
        if not loop.is_closed() and not loop.is_running():
            loop.run_until_complete(closer.aclose())


def _unsynced(cls: type, netuid: int, kwargs: dict[str, Any], subtensor: Any) -> Any:
    lite = kwargs.get("lite", True)
    metagraph = cls(netuid=netuid, network=NETWORK, lite=lite, sync=False)
    metagraph.subtensor = subtensor  # its later syncs read simnet's chain state
    return metagraph


@contextmanager
def redirected(target: Target, *, home: Path | None = None) -> Iterator[Redirect]:
    """``with redirected(net): ...``: bittensor's constructors build on ``net`` inside."""
    redirect = Redirect(target, home=home).install()
    try:
        yield redirect
    finally:
        redirect.uninstall()


@functools.cache
def _axon_class() -> type[Any]:
    class SimnetAxon(Axon):
        """A real Axon whose ``start()`` serves it on simnet's host, never on 0.0.0.0."""

        def __init__(self, redirect: Redirect, wallet: Any, config: Any) -> None:
            target = redirect.target
            self._simnet_target = target
            self._simnet_listener = target.transport.listen(target.host.memory)
            self._simnet_served: ServedAxon | None = None
            self._simnet_netuid: int | None = None
            try:
                port = self._simnet_listener.port
                loopback_init(self, target.host, port, wallet=wallet, config=config)
            except BaseException:
                self._simnet_listener.close()
                raise

        def attach(self, forward_fn: Any, *args: Any, **kwargs: Any) -> Any:
            report = self._simnet_target.report
            where = f"axon of {self.wallet.hotkey.ss58_address}"
            forward_fn = recording(forward_fn, f"forward ({where})", report)
            for name in ("blacklist_fn", "priority_fn"):
                if kwargs.get(name) is not None:
                    kwargs[name] = recording(kwargs[name], f"{name[:-3]} ({where})", report)
            return super().attach(forward_fn, *args, **kwargs)

        def serve(self, netuid: int, subtensor: Any = None, *args: Any, **kwargs: Any) -> Any:
            self._simnet_netuid = netuid
            return super().serve(netuid, subtensor, *args, **kwargs)

        def start(self) -> Axon:
            if self._simnet_served is not None:
                return self
            target = self._simnet_target
            self._simnet_served = serve_axon(
                target.host,
                self,
                self._simnet_listener,
                target.transport,
                where=f"axon of {self.wallet.hotkey.ss58_address}",
                report=target.report,
                registration=self._simnet_registration(),
                plans=[],
            )
            target.adopt(self._simnet_served)
            return self

        def _simnet_release(self) -> None:
            if self._simnet_served is None and not self.started:
                self._simnet_listener.close()

        def stop(self) -> Axon:
            served, self._simnet_served = self._simnet_served, None
            if served is not None:
                served.stop()
            self.started = False
            return self

        def _simnet_registration(self) -> tuple[Any, Any]:
            chain, hotkey = self._simnet_target.chain, self.wallet.hotkey.ss58_address
            netuids = [self._simnet_netuid] if self._simnet_netuid is not None else []
            for netuid in netuids + chain.netuids():
                if chain.is_registered(netuid, hotkey):
                    return netuid, chain.neuron(netuid, hotkey).uid
            return self._simnet_netuid, None

    SimnetAxon.__name__ = SimnetAxon.__qualname__ = "Axon"
    return SimnetAxon


@functools.cache
def _dendrite_class() -> type[Dendrite]:
    class SimnetDendrite(Dendrite):
        """A real Dendrite; the event loop it is awaited on is watched for blocking calls."""

        async def forward(self, *args: Any, **kwargs: Any) -> Any:
            if _installed is not None:
                _installed.target.watch_current_loop()
            await _close_at_loop_shutdown(self)
            return await super().forward(*args, **kwargs)

        def __del__(self) -> None:
            # bittensor's __del__ calls close_session(), which warns whenever a loop is
            # running, even for a session the neuron already closed with aclose_session().
            session = getattr(self, "_session", None)
            if session is not None and not session.closed:
                super().__del__()

    SimnetDendrite.__name__ = SimnetDendrite.__qualname__ = "Dendrite"
    return SimnetDendrite
