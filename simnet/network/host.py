"""The axon host: one background thread and event loop on which every served app runs, on
a loopback socket or an in-memory port."""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

from simnet.network.memory import MemoryListeners
from simnet.network.servers import UvicornServer, serve_uvicorn
from simnet.network.transports import Listener, as_listener
from simnet.wire.blocking import LoopWatch, Observer

T = TypeVar("T")
Pool = TypeVar("Pool", bound=concurrent.futures.Executor)

_START_TIMEOUT = 10.0
_SHARED_POOL_WORKERS = 4


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
        self._pool: concurrent.futures.Executor | None = None
        self.memory = MemoryListeners()
        """The in-memory ports of axons served here with ``transport="memory"``."""

    def thread_pool(self, make: Callable[..., Pool]) -> Pool:
        """The one thread pool every axon served here shares, made on first use as
        ``make(max_workers=4)`` (the neuron stack passes bittensor's
        ``PriorityThreadPoolExecutor``) and shut down by :meth:`close`."""
        with self._lock:
            if self._pool is None:
                self._pool = make(max_workers=_SHARED_POOL_WORKERS)
            return self._pool  # type: ignore[return-value]  # one stack serves axons

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

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The host's event loop (its thread starts on first use)."""
        return self._ensure_started()

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
        listener: Listener | socket.socket | int,
        log_level: str = "critical",
        *,
        lifespan: Literal["auto", "on", "off"] = "off",
        tls: tuple[str, str] | None = None,
    ) -> UvicornServer:
        """Serve the ASGI ``app`` with uvicorn until :meth:`UvicornServer.request_stop`: on a
        listener, a bound socket, or an in-memory port reserved with
        ``self.memory.reserve()``. ``lifespan="auto"`` runs the app's startup and shutdown
        as ``uvicorn.run`` does; a startup that fails raises here. ``tls``: serve HTTPS
        with this (certfile, keyfile)."""
        where = as_listener(self.memory, listener)
        return serve_uvicorn(self, app, where, log_level, lifespan=lifespan, tls=tls)

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
