"""Real bittensor axons served by uvicorn on 127.0.0.1, all on one background event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import socket
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import uvicorn

from simnet._compat import Axon, AxonInfo, PriorityThreadPoolExecutor, Wallet
from simnet._hygiene import LoopWatchdog, Report
from simnet._memory import MemoryListeners
from simnet._offline import LOOPBACK_IP
from simnet._wire import FaultInjector
from simnet.faults import Fault, FaultPlan

T = TypeVar("T")

_START_TIMEOUT = 10.0
_SHARED_POOL_WORKERS = 4
_GRACEFUL_SHUTDOWN = 1  # seconds an in-flight stream may take to finish at teardown

Transport = Literal["tcp", "memory"]
"""How dendrites reach axons: TCP on 127.0.0.1, or in memory (no socket at all)."""
TRANSPORTS: tuple[Transport, ...] = ("tcp", "memory")


class AxonHost:
    """One daemon thread running one event loop on which every served axon's uvicorn runs.

    Many axons then cost one thread, not one thread and one loop each. The thread starts
    on first use and is joined by :meth:`close`.
    """

    def __init__(self, name: str = "simnet-axon-host") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._watchdog: LoopWatchdog | None = None
        self._pool: PriorityThreadPoolExecutor | None = None
        self.memory = MemoryListeners()
        """The in-memory ports of axons served here with ``transport="memory"``."""

    @property
    def thread_pool(self) -> PriorityThreadPoolExecutor:
        """The one priority thread pool every axon served here shares."""
        with self._lock:
            if self._pool is None:
                self._pool = PriorityThreadPoolExecutor(max_workers=_SHARED_POOL_WORKERS)
            return self._pool

    @property
    def running(self) -> bool:
        """True while the host's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _ensure_started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    try:
                        loop.run_forever()
                        loop.run_until_complete(loop.shutdown_asyncgens())
                    finally:
                        asyncio.set_event_loop(None)
                        loop.close()

                self._thread = threading.Thread(target=run, name=self._name, daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
                self._watchdog = LoopWatchdog(loop, self._thread)
            return self._loop

    def watch_blocking(self, threshold: float, report: Report) -> Callable[[], None]:
        """Report stalls of the host's loop longer than ``threshold``; returns an unsubscribe."""
        self._ensure_started()
        assert self._watchdog is not None
        token = self._watchdog.subscribe(threshold, report)
        watchdog = self._watchdog
        return lambda: watchdog.unsubscribe(token)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = _START_TIMEOUT) -> T:
        """Run ``coro`` on the host's loop and return its result."""
        loop = self._ensure_started()
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the host's loop."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_started())

    def serve(
        self, app: Any, listener: socket.socket | int, log_level: str = "critical"
    ) -> _Server:
        """Serve the ASGI ``app`` with uvicorn until :meth:`_Server.request_stop`: on a
        bound socket, or on an in-memory port reserved with ``self.memory.reserve()``."""
        sock = listener if isinstance(listener, socket.socket) else None
        config = uvicorn.Config(
            app,
            log_level=log_level,
            lifespan="off",
            timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
        )
        server = uvicorn.Server(config)
        done = self.submit(server.serve(sockets=[] if sock is None else [sock]))
        self.call(_wait_until(lambda: server.started or done.done()))
        if not server.started:
            done.result()  # raises the startup error, if there was one
            where = "in memory" if sock is None else sock.getsockname()
            raise RuntimeError(f"uvicorn did not start {where}")
        if sock is not None:
            return _Server(server, done, sock.getsockname()[1], sock=sock)
        assert isinstance(listener, int)
        self.memory.listen(listener, self._ensure_started(), lambda: _http_protocol(server))
        return _Server(server, done, listener, memory=self.memory)

    def close(self) -> None:
        """Stop the loop and join the thread. Servers must have been stopped first."""
        with self._lock:
            loop, thread, watchdog = self._loop, self._thread, self._watchdog
            pool, self._pool = self._pool, None
            self._loop = self._thread = self._watchdog = None
        if pool is not None:
            pool.shutdown(wait=True)
        if loop is None or thread is None:
            return
        if watchdog is not None:
            watchdog.stop()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


async def _wait_until(predicate: Callable[[], bool]) -> None:
    while not predicate():
        await asyncio.sleep(0.001)


def _http_protocol(server: uvicorn.Server) -> asyncio.Protocol:
    """A connection protocol of the started ``server``, made as uvicorn makes one per
    accepted socket (the keyword arguments of ``uvicorn.Server.startup``)."""
    config = server.config
    protocol: asyncio.Protocol = config.http_protocol_class(  # type: ignore[call-arg]
        config=config,
        server_state=server.server_state,
        app_state=server.lifespan.state,
    )
    return protocol


@dataclass
class _Server:
    server: uvicorn.Server
    done: concurrent.futures.Future[None]
    port: int
    sock: socket.socket | None = None
    memory: MemoryListeners | None = None

    def request_stop(self) -> None:
        if self.memory is not None:
            self.memory.close(self.port)
        self.server.should_exit = True

    def wait(self) -> None:
        try:
            self.done.result(timeout=_GRACEFUL_SHUTDOWN + 10)
        finally:
            if self.sock is not None:
                self.sock.close()


class PortInUse(OSError):
    """The port asked for is taken on 127.0.0.1."""


def bind_loopback(port: int = 0) -> socket.socket:
    """A TCP socket bound to ``port`` (default: a free one) on 127.0.0.1, ready for uvicorn."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only
    # when the socket says it is TCP; with proto=0, Nagle's algorithm meets delayed ACKs
    # and every response on a kept-alive connection waits ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((LOOPBACK_IP, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {LOOPBACK_IP} is in use") from None
        raise
    return sock


class ServedAxon:
    """A real ``bittensor.Axon`` with a miner attached, listening on 127.0.0.1.

    bittensor's own ``Axon.start()`` would bind every interface (``0.0.0.0``); simnet never
    calls it and serves ``axon.app`` on a loopback socket instead.
    """

    def __init__(
        self, axon: Axon, server: _Server, netuid: int, uid: int, faults: list[FaultPlan]
    ) -> None:
        self.axon = axon
        self.netuid = netuid
        self.uid = uid
        self.faults = faults
        """The fault plans applied to this axon's responses (a live list)."""
        self._server: _Server | None = server
        self.transport: Transport = "tcp" if server.sock is not None else "memory"
        """``"tcp"`` (a socket on 127.0.0.1) or ``"memory"`` (no socket)."""

    def inject(self, *faults: FaultPlan | Fault) -> FaultPlan:
        """Apply faults to the following requests; bare faults form one new plan.

        Returns the last plan added, whose ``events`` say what it did.
        """
        plans = as_plans(faults)
        self.faults.extend(plans)
        return plans[-1]

    def clear_faults(self) -> None:
        """Remove every fault plan: the following requests go through untouched."""
        self.faults.clear()

    @property
    def ip(self) -> str:
        """The address the axon listens on and advertises."""
        return str(self.axon.external_ip)

    @property
    def port(self) -> int:
        """The port the axon listens on and advertises."""
        return int(self.axon.external_port)

    @property
    def listen_address(self) -> tuple[str, int]:
        """The address the listening socket is bound to (the in-memory port's address
        for ``transport="memory"``)."""
        if self._server is None:
            raise RuntimeError(f"{self!r} is stopped")
        if self._server.sock is None:
            return LOOPBACK_IP, self._server.port
        host, port = self._server.sock.getsockname()[:2]
        return str(host), int(port)

    @property
    def hotkey(self) -> str:
        """The axon wallet's hotkey address."""
        return str(self.axon.wallet.hotkey.ss58_address)

    @property
    def running(self) -> bool:
        """True until :meth:`stop`."""
        return self._server is not None

    def info(self) -> AxonInfo:
        """The ``AxonInfo`` the axon advertises."""
        return self.axon.info()

    def stop(self) -> None:
        """Stop serving and close the socket. Idempotent."""
        stop_all([self])

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = f"{self.ip}:{self.port}" + (" in memory" if self.transport == "memory" else "")
        return f"ServedAxon(netuid={self.netuid}, uid={self.uid}, {where}, {state})"

    def _request_stop(self) -> _Server | None:
        server, self._server = self._server, None
        if server is not None:
            server.request_stop()
            self.axon.started = False
        return server


def stop_all(axons: Sequence[ServedAxon]) -> None:
    """Stop ``axons`` together: shutting down takes as long for many as for one."""
    servers = [server for axon in axons if (server := axon._request_stop()) is not None]
    for server in servers:
        server.wait()


def start_axon(
    host: AxonHost,
    wallet: Wallet,
    netuid: int,
    uid: int,
    attach: Callable[[Axon], None],
    wrap: Callable[[Any], Any] = lambda app: app,
    faults: Sequence[FaultPlan | Fault] = (),
    port: int = 0,
    transport: Transport = "tcp",
) -> ServedAxon:
    """Create a real ``Axon`` for ``wallet``, let ``attach`` attach handlers, and serve
    ``wrap(axon.app)`` (ASGI middleware outside bittensor's own) behind ``faults``,
    over ``transport``."""
    if transport not in TRANSPORTS:
        raise ValueError(f"transport={transport!r} must be one of {TRANSPORTS}")
    if transport == "memory" and port:
        raise ValueError("port= is for transport='tcp'; in-memory axons are given a port")
    plans = as_plans(faults) if faults else []
    listener: socket.socket | int
    if transport == "tcp":
        listener = bind_loopback(port)
        port = listener.getsockname()[1]
    else:
        listener = port = host.memory.reserve()
    try:
        axon = Axon(
            wallet=wallet,
            ip=LOOPBACK_IP,
            port=port,
            external_ip=LOOPBACK_IP,
            external_port=port,
            max_workers=1,
        )
        # The axon made a pool of its own (no threads yet); it uses the host's instead.
        axon.thread_pool.shutdown(wait=False)
        axon.thread_pool = host.thread_pool
        attach(axon)
        server = host.serve(FaultInjector(wrap(axon.app), plans), listener)
    except BaseException:
        if isinstance(listener, socket.socket):
            listener.close()
        else:
            host.memory.close(listener)
        raise
    axon.started = True
    return ServedAxon(axon, server, netuid, uid, plans)


def as_plans(faults: Sequence[FaultPlan | Fault]) -> list[FaultPlan]:
    """Plans as given, with runs of bare faults gathered into one plan each."""
    plans: list[FaultPlan] = []
    loose: list[Fault] = []
    for item in faults:
        if isinstance(item, FaultPlan):
            if loose:
                plans.append(FaultPlan(*loose))
                loose = []
            plans.append(item)
        elif isinstance(item, Fault):
            loose.append(item)
        else:
            raise TypeError(f"expected a FaultPlan or a Fault, got {item!r}")
    if loose:
        plans.append(FaultPlan(*loose))
    return plans
