"""The servers an app runs under on the axon host's loop: uvicorn for ASGI apps, aiohttp's
own server for ``aiohttp.web.Application``s. Both listen on a transport's
:class:`~simnet.network.transports.Listener` and stop the same way."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

import uvicorn

from simnet._patches import UVICORN_CYCLE, UVICORN_PROTOCOL, UVICORN_SERVER, found
from simnet.network.transports import Listener
from simnet.wire import blocking

if TYPE_CHECKING:
    from aiohttp import web

T = TypeVar("T")

GRACEFUL_SHUTDOWN = 1  # seconds an in-flight stream may take to finish at teardown
KEEP_ALIVE_SECONDS = 120
"""How long simnet's servers keep an idle connection open: longer than any client pool
reuses one (aiohttp 15 s, httpx 5 s). A production axon closes after uvicorn's 5 s, so a
pool reusing a connection just as the server closes it loses that request; simnet does
not race by default, and :class:`simnet.faults.IdleDisconnect` makes the race happen on
purpose."""


class Host(Protocol):
    """What a server needs of the axon host (:class:`~simnet.network.host.AxonHost`)."""

    @property
    def loop(self) -> asyncio.AbstractEventLoop: ...

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = ...) -> T: ...

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]: ...


class Server(Protocol):
    """One server on the host, until :meth:`request_stop` and :meth:`wait`."""

    listener: Listener

    def request_stop(self) -> None:
        """Refuse new connections and start shutting down (from any thread)."""

    def wait(self) -> None:
        """Wait until the server has shut down, then give its listener back."""


class _OnListener:
    """A server on the host's loop whose shutdown ends in one future."""

    listener: Listener

    def _finished(self) -> concurrent.futures.Future[None]:
        raise NotImplementedError

    def wait(self) -> None:
        """Wait until the server has shut down, then give its listener back."""
        try:
            self._finished().result(timeout=GRACEFUL_SHUTDOWN + 10)
        finally:
            self.listener.close()


class UvicornServer(_OnListener):
    """uvicorn serving one ASGI app on the host."""

    def __init__(
        self, server: _Uvicorn, done: concurrent.futures.Future[None], listener: Listener
    ) -> None:
        self.server = server
        self.done = done
        self.listener = listener

    def request_stop(self) -> None:
        self.listener.refuse()
        self.server.should_exit = True
        self.server.wake()

    def _finished(self) -> concurrent.futures.Future[None]:
        return self.done


def serve_uvicorn(
    host: Host,
    app: Any,
    listener: Listener,
    log_level: str = "critical",
    *,
    lifespan: Literal["auto", "on", "off"] = "off",
    tls: tuple[str, str] | None = None,
) -> UvicornServer:
    """Serve the ASGI ``app`` with uvicorn on ``listener``; a failed startup raises here."""
    config = uvicorn.Config(
        app,
        log_level=log_level,
        lifespan=lifespan,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=None,  # no logging.config.dictConfig per served app
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
    )
    server = _Uvicorn(config)
    done = host.submit(_serving(server, listener))
    host.call(_wait_until(lambda: server.started or done.done()))
    if not server.started:
        done.result()  # raises the startup error, if there was one
        raise RuntimeError(f"uvicorn did not start on {listener.address}")
    try:
        _check_started(server)
    except BaseException:
        server.should_exit = True
        server.wake()
        done.result(timeout=GRACEFUL_SHUTDOWN + 10)
        raise
    listener.accept(host.loop, lambda: _http_protocol(server))
    return UvicornServer(server, done, listener)


async def _serving(server: uvicorn.Server, listener: Listener) -> None:
    """``server.serve()``, with uvicorn's ``sys.exit`` on a failed startup (an app whose
    lifespan startup raised, a socket it cannot use) turned into an error of this one
    server: the host's loop keeps serving every other app."""
    blocking.own_task()  # uvicorn's start-up and ticks: simnet's work, not the subnet's
    try:
        await server.serve(sockets=listener.sockets)
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


def _check_started(server: uvicorn.Server) -> None:
    """What :func:`_http_protocol` reads of a started server has the expected shape."""
    protocol = found(UVICORN_PROTOCOL, server.config)
    found(UVICORN_CYCLE, sys.modules[protocol.__module__])
    found(UVICORN_SERVER, server, "server_state")
    found(UVICORN_SERVER, server, "lifespan")


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


for _name in ("main_loop", "on_tick"):  # overridden and called below
    found(UVICORN_SERVER, uvicorn.Server, _name)


class _Uvicorn(uvicorn.Server):
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


class AiohttpServer(_OnListener):
    """aiohttp's own server (``AppRunner``) serving one ``web.Application`` on the host."""

    def __init__(self, host: Host, runner: web.AppRunner, listener: Listener) -> None:
        self.host = host
        self.runner = runner
        self.listener = listener
        self._done: concurrent.futures.Future[None] | None = None

    def request_stop(self) -> None:
        if self._done is None:
            self.listener.refuse()
            self._done = self.host.submit(self.runner.cleanup())  # sites, then the app's shutdown

    def _finished(self) -> concurrent.futures.Future[None]:
        self.request_stop()
        assert self._done is not None
        return self._done


def serve_aiohttp(
    host: Host,
    app: web.Application,
    listener: Listener,
    adapt: Callable[[web.Server], None] = lambda server: None,
) -> AiohttpServer:
    """Serve ``app`` with aiohttp's own server on ``listener``: the app's startup runs
    here (its failure raises here), its shutdown and cleanup at stop. ``adapt`` is given
    aiohttp's low-level server before the first connection (to wrap its handler)."""
    from aiohttp import web

    runner = web.AppRunner(
        app,
        access_log=None,
        shutdown_timeout=GRACEFUL_SHUTDOWN,
        keepalive_timeout=KEEP_ALIVE_SECONDS,
    )
    host.call(_start_aiohttp(runner, listener, adapt))
    listener.accept(host.loop, runner.server)  # type: ignore[arg-type]
    return AiohttpServer(host, runner, listener)


async def _start_aiohttp(
    runner: web.AppRunner, listener: Listener, adapt: Callable[[web.Server], None]
) -> None:
    from aiohttp import web

    await runner.setup()  # the app's startup: a failure raises here, nothing to undo
    try:
        assert runner.server is not None
        adapt(runner.server)
        for sock in listener.sockets:
            await web.SockSite(runner, sock).start()
    except BaseException:
        await runner.cleanup()
        raise
