"""An offline 11.x subnet: the SDK's real ``Client`` over simnet's chain, the subnet's own
ASGI miners served on simnet's host, validators' httpx and aiohttp clients reaching them.

Everything crosses the same chain state, axon host, transports, wire faults and hygiene
as the neuron stack's :class:`simnet.Simnet`; what differs is what 11.x ships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import httpx._client as httpx_client

from simnet.chain.state import ChainState
from simnet.network.host import AxonHost, Server, close_listener, open_listener
from simnet.network.httpx_memory import MemoryTransport
from simnet.network.memory import MemoryConnector
from simnet.network.session import OfflineSession
from simnet.network.transports import Transport
from simnet.outside.stubs import Stubs
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.v11.auth import BtAuth, check_scheme
from simnet.v11.clocks import INSTALLATION, Clock, MinerAuth, serving
from simnet.v11.sdk import Client, ServeAxon, client_module
from simnet.v11.substrate import ChainSubstrate
from simnet.v11.wallets import Wallets
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD
from simnet.wire.faults import Fault, FaultPlan, as_plans
from simnet.wire.hygiene import AppErrorReporter
from simnet.wire.injector import FaultInjector


class UnknownReceiver(ValueError):
    """A signed request goes to an address no miner of the network is served at."""


@dataclass
class ServedApp:
    """One miner's ASGI app served on the network, published on chain as its axon."""

    hotkey: str
    netuid: int
    uid: int
    port: int
    transport: Transport
    clock: Clock
    """The miner's clock: the network's plus a skew (``served.clock.set_skew(3)``)."""
    auth: MinerAuth = field(repr=False)
    plans: list[FaultPlan] = field(default_factory=list, repr=False)
    _server: Server | None = field(default=None, repr=False)

    @property
    def axon(self) -> str:
        """``"127.0.0.1:port"``, as the metagraph's ``neuron.axon`` gives it."""
        return f"{LOOPBACK_IP}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.axon}"

    @property
    def nonce_store(self) -> Any:
        """This miner's own btauth/1 nonce store (what ``verify`` uses when given none)."""
        return self.auth.nonce_store

    def inject(self, *faults: FaultPlan | Fault) -> None:
        """Apply more fault plans to the requests this miner serves from now on."""
        self.plans.extend(as_plans(faults))

    def stop(self) -> None:
        """Stop serving (the chain still lists the address). Idempotent."""
        stop_all([self])

    def _request_stop(self) -> Server | None:
        server, self._server = self._server, None
        if server is not None:
            server.request_stop()
        return server


def stop_all(served: Sequence[ServedApp]) -> None:
    """Stop ``served`` together: shutting down takes as long for many as for one."""
    for server in [s for app in served if (s := app._request_stop()) is not None]:
        server.wait()


class Network(OfflineSession):
    """An open, offline 11.x network: ``with Network() as net: ...``.

    While open, every ``bittensor.Client``/``SyncClient``/``Subtensor`` built without a
    ``substrate=`` reaches this network's chain (whatever network name it is given), and,
    over ``transport="memory"``, every ``httpx.AsyncClient`` built without a transport
    reaches its in-memory miners, so a subnet's own validator code runs unmodified.
    """

    _kind = "simnet.v11.Network"

    def __init__(
        self,
        *,
        chain: ChainState | None = None,
        wallets: Wallets | None = None,
        host: AxonHost | None = None,
        transport: Transport = "tcp",
        strict: bool = True,
        blocking_threshold: float | None = DEFAULT_BLOCKING_THRESHOLD,
        outside: Stubs | str | Path | None = None,
    ) -> None:
        super().__init__(
            wallets=wallets or Wallets.shared(),
            host=host,
            chain=chain,
            strict=strict,
            blocking_threshold=blocking_threshold,
            transport=transport,
            outside=outside,
        )
        self._endpoints: dict[str, int] = {}  # hotkey -> port of the app served for it
        self.substrate = ChainSubstrate(self.chain, address_for=self._address_for)
        """The chain as the SDK sees it (a ``bittensor._substrate.Substrate``)."""
        self.clock = Clock()
        """The network's clock, as btauth/1 reads it (``net.clock.advance(30)``)."""
        self._served: list[ServedApp] = []
        self._saved: dict[str, Any] = {}

    # -- lifecycle -----------------------------------------------------------------------
    def open(self) -> Network:
        """Go offline and redirect the SDK's clients here. Called by ``with``; idempotent."""
        if self._open:
            return self
        self._go_offline()
        INSTALLATION.acquire(self.clock)
        self._saved = {"RpcSubstrate": client_module.RpcSubstrate}
        client_module.RpcSubstrate = self._rpc_substrate  # type: ignore[assignment,misc]
        if self.transport == "memory":
            self._saved["AsyncHTTPTransport"] = httpx_client.AsyncHTTPTransport
            httpx_client.AsyncHTTPTransport = self._memory_transport  # type: ignore[assignment,misc]
        return self

    def _address_for(self, hotkey: str, ip: str, port: int) -> tuple[str, int]:
        """Where the chain records ``hotkey``'s axon: for a miner served here, the address
        simnet serves it on, whatever it advertised (its ``0.0.0.0``, its public IP, its
        configured port), as a NAT would map it; for others, what they advertised."""
        served = self._endpoints.get(hotkey)
        return (LOOPBACK_IP, served) if served is not None else (ip, port)

    def _rpc_substrate(self, endpoint: str, **_: Any) -> ChainSubstrate:
        return self.substrate

    def _memory_transport(self, *, limits: httpx.Limits | None = None, **_: Any) -> Any:
        return MemoryTransport(self.host.memory, limits=limits)

    def close(self) -> None:
        """Stop every miner, undo the redirects, go back online. Idempotent.

        When ``strict`` (the default), raises :class:`simnet.MinerError` if a served miner
        misbehaved (an exception escaping the app, the event loop blocked).
        """
        if not self._open:
            return
        self._open = False
        try:
            self._stop_watching()
            stop_all(self.served)
            client_module.RpcSubstrate = self._saved["RpcSubstrate"]  # type: ignore[misc]
            if "AsyncHTTPTransport" in self._saved:
                httpx_client.AsyncHTTPTransport = self._saved["AsyncHTTPTransport"]  # type: ignore[misc]
            self._saved = {}
        finally:
            INSTALLATION.release()
            self._release()
        self._raise_problems()

    def __enter__(self) -> Network:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def served(self) -> list[ServedApp]:
        with self._lock:
            return list(self._served)

    # -- chain ---------------------------------------------------------------------------
    def register(
        self,
        netuid: int,
        name: str,
        *,
        hotkey: str = "default",
        stake: float = 0.0,
        validator_permit: bool = False,
    ) -> Any:
        """Register wallet ``name``'s hotkey on ``netuid`` (creating the subnet if needed);
        the ``bittensor.Wallet``, for the SDK's intents and ``http_auth.sign``."""
        wallet, _ = self._register(netuid, name, hotkey, stake, validator_permit)
        return wallet

    def advance(self, blocks: int = 1) -> int:
        """Move the chain ``blocks`` forward; the new block number."""
        return self.chain.advance(blocks)

    def client(self) -> Any:
        """The SDK's own ``bittensor.Client`` on this chain (``async with net.client() as c``)."""
        return Client(substrate=self.substrate)

    # -- miners --------------------------------------------------------------------------
    def serve(
        self,
        netuid: int,
        app: Any,
        wallet: Any,
        *,
        faults: Sequence[FaultPlan | Fault] = (),
        port: int = 0,
        register: bool = True,
    ) -> ServedApp:
        """Serve the ASGI ``app`` as ``wallet``'s miner on ``netuid`` and publish its address
        with the SDK's own ``ServeAxon`` intent, so the metagraph's ``neuron.axon`` points
        at it. Registers the hotkey first unless ``register=False``."""
        self._require_open()
        hotkey = wallet.hotkey.ss58_address
        if register:
            self.chain.register(netuid, hotkey, wallet.coldkeypub.ss58_address)
        clock = Clock(parent=self.clock)
        auth = MinerAuth(clock)
        plans = as_plans(faults) if faults else []
        listener, bound = open_listener(self.host, self.transport, port)
        where = f"miner {hotkey[:8]} on netuid {netuid}"
        try:
            wrapped = AppErrorReporter(serving(app, auth), where, self.report)
            self._endpoints[hotkey] = bound
            server = self.host.serve(FaultInjector(wrapped, plans), listener, lifespan="auto")
        except BaseException:
            self._endpoints.pop(hotkey, None)
            close_listener(self.host, listener)
            raise
        uid = self.chain.neuron(netuid, hotkey).uid
        served = ServedApp(hotkey, netuid, uid, bound, self.transport, clock, auth, plans, server)
        with self._lock:
            self._served.append(served)
        result = self.host.call(self._publish(wallet, netuid, bound))
        if not result.success:
            served.stop()
            raise RuntimeError(f"ServeAxon for {where} failed: {result.message}")
        return served

    async def _publish(self, wallet: Any, netuid: int, port: int) -> Any:
        client = Client(substrate=self.substrate)
        return await client.execute(ServeAxon(netuid=netuid, ip=LOOPBACK_IP, port=port), wallet)

    def receiver_for(self, url: httpx.URL) -> str:
        """The hotkey of the miner serving ``url`` (what a validator binds a request to);
        ``UnknownReceiver`` (one line naming the address) when no miner is served there."""
        for served in self.served:
            if url.host in (LOOPBACK_IP, "localhost") and url.port == served.port:
                return served.hotkey
        where = ", ".join(s.axon for s in self.served) or "none"
        raise UnknownReceiver(
            f"no miner is served at {url.host}:{url.port} to sign the request for "
            f"(served: {where}); pass receiver= to sign for another hotkey"
        )

    # -- clients -------------------------------------------------------------------------
    def http(
        self, wallet: Any = None, *, scheme: str = "btauth/1", **kwargs: Any
    ) -> httpx.AsyncClient:
        """A real ``httpx.AsyncClient`` over this network's transport; with ``wallet``,
        each request is signed under ``scheme`` for the miner it goes to."""
        check_scheme(scheme)
        if wallet is not None:
            kwargs.setdefault("auth", BtAuth(wallet, self.receiver_for, scheme=scheme))
        if self.transport == "memory":
            kwargs.setdefault("transport", MemoryTransport(self.host.memory))
        return httpx.AsyncClient(**kwargs)

    def session(self, **kwargs: Any) -> aiohttp.ClientSession:
        """A real ``aiohttp.ClientSession`` over this network's transport."""
        if self.transport == "memory":
            kwargs.setdefault("connector", MemoryConnector(self.host.memory))
        return aiohttp.ClientSession(**kwargs)

    def __repr__(self) -> str:
        state = "open" if self._open else "closed"
        return f"<simnet.v11.Network {state} transport={self.transport} miners={len(self.served)}>"
