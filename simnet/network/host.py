"""The axon host: one background thread and event loop on which uvicorn serves every ASGI app,
on a loopback socket or an in-memory port."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import socket
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import uvicorn

from simnet.network.memory import MemoryListeners
from simnet.network.transports import Transport, check_transport
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.wire import blocking
from simnet.wire.blocking import LoopWatch, Observer

if TYPE_CHECKING:  # bittensor's pool exists in the neuron stack only (9.x, 10.x)
    from simnet._compat import PriorityThreadPoolExecutor

T = TypeVar("T")

_START_TIMEOUT = 10.0
_SHARED_POOL_WORKERS = 4
_GRACEFUL_SHUTDOWN = 1  # seconds an in-flight stream may take to finish at teardown
KEEP_ALIVE_SECONDS = 120
"""How long simnet's servers keep an idle connection open: longer than any client pool
reuses one (aiohttp 15 s, httpx 5 s). A production axon closes after uvicorn's 5 s, so a
pool reusing a connection just as the server closes it loses that request; simnet does
not race by default, and :class:`simnet.faults.IdleDisconnect` makes the race happen on
purpose."""


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
        self._watch: LoopWatch | None = None
        self._pool: PriorityThreadPoolExecutor | None = None
        self.memory = MemoryListeners()
        """The in-memory ports of axons served here with ``transport="memory"``."""

    @property
    def thread_pool(self) -> PriorityThreadPoolExecutor:
        """The one priority thread pool every axon served here shares."""
        from simnet._compat import PriorityThreadPoolExecutor

        with self._lock:
            if self._pool is None:
                self._pool = PriorityThreadPoolExecutor(max_workers=_SHARED_POOL_WORKERS)
            return self._pool

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
            return self._loop

    def watch_blocking(self, threshold: float, observe: Observer) -> Callable[[], None]:
        """Tell ``observe`` of each callback that holds the host's loop longer than
        ``threshold`` seconds; returns an unsubscribe. The loop is recorded only while
        someone watches it."""
        loop = self._ensure_started()
        with self._lock:
            if self._watch is None:
                self._watch = LoopWatch(loop)
            watch = self._watch
            token = watch.subscribe(threshold, observe)

        def unsubscribe() -> None:
            with self._lock:
                if watch.unsubscribe(token) == 0 and self._watch is watch:
                    self._watch = None
                    watch.stop()

        return unsubscribe

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = _START_TIMEOUT) -> T:
        """Run ``coro`` on the host's loop and return its result."""
        loop = self._ensure_started()
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the host's loop."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_started())

    def serve(
        self,
        app: Any,
        listener: socket.socket | int,
        log_level: str = "critical",
        *,
        lifespan: Literal["auto", "on", "off"] = "off",
        tls: tuple[str, str] | None = None,
    ) -> Server:
        """Serve the ASGI ``app`` with uvicorn until :meth:`Server.request_stop`: on a
        bound socket, or on an in-memory port reserved with ``self.memory.reserve()``.
        ``lifespan="auto"`` runs the app's startup and shutdown as ``uvicorn.run`` does; a
        startup that fails raises here. ``tls``: serve HTTPS with this (certfile, keyfile)."""
        sock = listener if isinstance(listener, socket.socket) else None
        config = uvicorn.Config(
            app,
            log_level=log_level,
            lifespan=lifespan,
            timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            log_config=None,  # no logging.config.dictConfig per served app
            ssl_certfile=tls[0] if tls else None,
            ssl_keyfile=tls[1] if tls else None,
        )
        server = _Server(config)
        done = self.submit(_serving(server, sock))
        self.call(_wait_until(lambda: server.started or done.done()))
        if not server.started:
            done.result()  # raises the startup error, if there was one
            where = "in memory" if sock is None else sock.getsockname()
            raise RuntimeError(f"uvicorn did not start {where}")
        if sock is not None:
            return Server(server, done, sock.getsockname()[1], sock=sock)
        assert isinstance(listener, int)
        self.memory.listen(listener, self._ensure_started(), lambda: _http_protocol(server))
        return Server(server, done, listener, memory=self.memory)

    def close(self) -> None:
        """Stop the loop and join the thread. Servers must have been stopped first."""
        with self._lock:
            loop, thread, watch = self._loop, self._thread, self._watch
            pool, self._pool = self._pool, None
            self._loop = self._thread = self._watch = None
        if pool is not None:
            pool.shutdown(wait=True)
        if loop is None or thread is None:
            return
        if watch is not None:
            watch.stop()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


async def _serving(server: uvicorn.Server, sock: socket.socket | None) -> None:
    """``server.serve()``, with uvicorn's ``sys.exit`` on a failed startup (an app whose
    lifespan startup raised, a socket it cannot use) turned into an error of this one
    server: the host's loop keeps serving every other app."""
    blocking.own_task()  # uvicorn's start-up and ticks: simnet's work, not the subnet's
    try:
        await server.serve(sockets=[] if sock is None else [sock])
    except SystemExit as exc:
        raise RuntimeError(f"uvicorn could not start the app (exit status {exc.code})") from None


async def _wait_until(predicate: Callable[[], bool]) -> None:
    # A server starts within a few loop iterations: yield at first, then poll gently.
    for _ in range(200):
        if predicate():
            return
        await asyncio.sleep(0)
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


class _Server(uvicorn.Server):
    """uvicorn's server, which notices a stop request at once instead of at its next tick.

    uvicorn checks ``should_exit`` every 0.1 s; a network's teardown waited for that tick
    on top of uvicorn's own 0.1 s shutdown pause. :meth:`wake` ends the wait early; the
    ticks (``on_tick``: the date header, the exit check) are uvicorn's own.
    """

    _tick: asyncio.Future[None] | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = loop = asyncio.get_running_loop()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864_000
            self._tick = tick = loop.create_future()
            timer = loop.call_later(0.1, _resolve, tick)
            try:
                await tick
            finally:
                timer.cancel()
            should_exit = await self.on_tick(counter)

    def wake(self) -> None:
        """Run the next tick now (from any thread)."""
        loop, tick = self._loop, self._tick
        if loop is not None and tick is not None:
            with contextlib.suppress(RuntimeError):  # the host's loop has already closed
                loop.call_soon_threadsafe(_resolve, tick)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class Server:
    """One uvicorn server on the host, until :meth:`request_stop` and :meth:`wait`."""

    server: _Server
    done: concurrent.futures.Future[None]
    port: int
    sock: socket.socket | None = None
    memory: MemoryListeners | None = None

    def request_stop(self) -> None:
        if self.memory is not None:
            self.memory.close(self.port)
        self.server.should_exit = True
        self.server.wake()

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


Listener = socket.socket | int
"""Where an axon is served: a bound loopback socket (TCP) or a reserved in-memory port."""


def open_listener(host: AxonHost, transport: Transport, port: int = 0) -> tuple[Listener, int]:
    """A listener for ``transport`` on ``host`` and the port it advertises (``port`` only
    for TCP: in-memory servers are given one)."""
    check_transport(transport)
    if transport == "memory":
        if port:
            raise ValueError("port= is for transport='tcp'; in-memory axons are given a port")
        reserved = host.memory.reserve()
        return reserved, reserved
    sock = bind_loopback(port)
    return sock, int(sock.getsockname()[1])


def close_listener(host: AxonHost, listener: Listener) -> None:
    """Give back a listener that was never served on."""
    if isinstance(listener, socket.socket):
        listener.close()
    else:
        host.memory.close(listener)
