"""An offline 11.x subnet: the SDK's real ``Client`` over simnet's chain, the subnet's own
ASGI miners served on simnet's host, validators' httpx and aiohttp clients reaching them.

Everything crosses the same chain state, axon host, transports, wire faults and hygiene
as the neuron stack's :class:`simnet.Simnet`; what differs is what 11.x ships.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import httpx._client as httpx_client

from simnet._patches import HTTPX_TRANSPORT, RPC_SUBSTRATE, put_back, swap
from simnet.chain.state import ChainState
from simnet.network.host import AxonHost
from simnet.network.servers import Server
from simnet.network.serving import ServedMiner, check_app, fault_plans, serve_app, stop_all
from simnet.network.session import OfflineSession
from simnet.network.transports import BaseTransport, Transport
from simnet.outside.stubs import Stubs
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.v11.auth import BtAuth, check_scheme
from simnet.v11.clocks import INSTALLATION, Clock, MinerAuth
from simnet.v11.sdk import Client, ServeAxon, client_module
from simnet.v11.substrate import ChainSubstrate
from simnet.v11.wallets import Wallets
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD
from simnet.wire.faults import Fault, FaultPlan

_open_network: Network | None = None
_open_lock = threading.Lock()


class NetworkAlreadyOpen(RuntimeError):
    """A second :class:`Network` opened while another is open in the process."""


class UnknownReceiver(ValueError):
    """A signed request goes to an address no miner of the network is served at."""


class ServedApp(ServedMiner):
    """One miner's app served on the network, published on chain as its axon: a
    :class:`~simnet.network.serving.ServedMiner` with the miner's btauth/1 clock and
    nonce store."""

    def __init__(self, server: Server, *, clock: Clock, auth: MinerAuth, **kwargs: Any) -> None:
        super().__init__(server, **kwargs)
        self.clock = clock
        """The miner's clock: the network's plus a skew (``served.clock.set_skew(3)``)."""
        self.auth = auth

    @property
    def axon(self) -> str:
        """``"127.0.0.1:port"``, as the metagraph's ``neuron.axon`` gives it."""
        return f"{self.ip}:{self.port}"

    @property
    def nonce_store(self) -> Any:
        """This miner's own btauth/1 nonce store (what ``verify`` uses when given none)."""
        return self.auth.nonce_store


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
        transport: Transport | BaseTransport = "tcp",
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
        self._saved: dict[Any, dict[str, Any]] = {}  # module -> its attributes swapped

    # -- lifecycle -----------------------------------------------------------------------
    def open(self) -> Network:
        """Go offline and redirect the SDK's clients here. Called by ``with``; idempotent.

        One network is open at a time in a process: the SDK's clients built without
        ``substrate=`` (and, over memory, httpx clients built without a transport) reach
        the open one, so a second is refused with one line until the first closes."""
        global _open_network
        if self._open:
            return self
        with _open_lock:
            if _open_network is not None:
                raise NetworkAlreadyOpen(
                    f"another simnet.v11.Network is open in this process ({_open_network!r}); "
                    "close it first: bittensor.Client() built without substrate= reaches "
                    "one network's chain"
                )
            _open_network = self
        try:
            self._go_offline()
            try:
                self._redirect_clients()
            except BaseException:  # a changed seam: a failed open holds nothing
                self._undo_redirects()
                self._abandon_open()
                raise
        except BaseException:
            with _open_lock:
                _open_network = None
            raise
        return self

    def _redirect_clients(self) -> None:
        rpc = swap(RPC_SUBSTRATE, client_module, {"RpcSubstrate": self._rpc_substrate})
        self._saved = {client_module: rpc}
        if not self.transport.stock_clients_reach:
            memory = {"AsyncHTTPTransport": self._memory_transport}
            self._saved[httpx_client] = swap(HTTPX_TRANSPORT, httpx_client, memory)
        INSTALLATION.acquire(self.clock)

    def _address_for(self, hotkey: str, ip: str, port: int) -> tuple[str, int]:
        """Where the chain records ``hotkey``'s axon: for a miner served here, the address
        simnet serves it on, whatever it advertised (its ``0.0.0.0``, its public IP, its
        configured port), as a NAT would map it; for others, what they advertised."""
        served = self._endpoints.get(hotkey)
        return (LOOPBACK_IP, served) if served is not None else (ip, port)

    def _rpc_substrate(self, endpoint: str, **_: Any) -> ChainSubstrate:
        return self.substrate

    def _memory_transport(self, *, limits: httpx.Limits | None = None, **_: Any) -> Any:
        return self.transport.httpx_transport(self.host.memory, limits=limits)

    def close(self) -> None:
        """Stop every miner, undo the redirects, go back online. Idempotent.

        When ``strict`` (the default), raises :class:`simnet.MinerError` if a served miner
        misbehaved (an exception escaping the app, the event loop blocked).
        """
        global _open_network
        if not self._open:
            return
        self._open = False
        try:
            self._stop_watching()
            stop_all(self.served)
        finally:
            self._undo_redirects()
            INSTALLATION.release()
            self._release()
            with _open_lock:
                _open_network = None
        self._raise_problems()

    def _undo_redirects(self) -> None:
        for holder, originals in self._saved.items():
            put_back(holder, originals)
        self._saved = {}

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
        """Serve ``app`` as ``wallet``'s miner on ``netuid`` and publish its address with
        the SDK's own ``ServeAxon`` intent, so the metagraph's ``neuron.axon`` points at it.
        Registers the hotkey first unless ``register=False``.

        ``app`` is an ASGI app (FastAPI, Starlette, ``async def app(scope, receive,
        send)``), served by uvicorn with its lifespan, or an ``aiohttp.web.Application``,
        served by aiohttp's own server (its startup, shutdown and cleanup signals run);
        either way behind the same faults, hygiene and clocks. Anything else is refused
        here, in one line."""
        self._require_open()
        check_app(app)
        hotkey = wallet.hotkey.ss58_address
        if register:
            self.chain.register(netuid, hotkey, wallet.coldkeypub.ss58_address)
        clock = Clock(parent=self.clock)
        auth = MinerAuth(clock)
        plans = fault_plans(faults)
        listener = self.transport.listen(self.host.memory, port)
        where = f"miner {hotkey[:8]} on netuid {netuid}"
        self._endpoints[hotkey] = listener.port
        try:
            server = serve_app(
                self.host,
                app,
                listener,
                where=where,
                report=self.report,
                plans=plans,
                lifespan="auto",
                context=auth.serving,
            )
        except BaseException:
            self._endpoints.pop(hotkey, None)
            raise
        uid = self.chain.neuron(netuid, hotkey).uid
        served = ServedApp(
            server,
            hotkey=hotkey,
            netuid=netuid,
            uid=uid,
            transport=self.transport,
            faults=plans,
            clock=clock,
            auth=auth,
        )
        with self._lock:
            self._served.append(served)
        result = self.host.call(self._publish(wallet, netuid, served.port))
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
        if not self.transport.stock_clients_reach:
            kwargs.setdefault("transport", self.transport.httpx_transport(self.host.memory))
        return httpx.AsyncClient(**kwargs)

    def session(self, **kwargs: Any) -> aiohttp.ClientSession:
        """A real ``aiohttp.ClientSession`` over this network's transport."""
        if not self.transport.stock_clients_reach:
            kwargs.setdefault("connector", self.transport.connector(self.host.memory))
        return aiohttp.ClientSession(**kwargs)

    def __repr__(self) -> str:
        state = "open" if self._open else "closed"
        return f"<simnet.v11.Network {state} transport={self.transport} miners={len(self.served)}>"
