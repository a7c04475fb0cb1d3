"""The one serving pipeline of both stacks, and the handle of what it served.

Whatever a stack serves (a real Axon's FastAPI app, an 11.x miner's ASGI app, an
``aiohttp.web.Application``), it is served the same way, built in one place: on a
transport's listener, on the axon host's loop, with the app's own startup and shutdown
where it has them, inside a per-request context (11.x: the miner's clock and nonce
store), behind the hygiene reporter and, outermost, the fault plans. The handle,
:class:`ServedMiner`, has the same API on both stacks.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any, Literal

from aiohttp import web

from simnet._patches import AIOHTTP_SERVER, found, swap
from simnet.network.host import AxonHost
from simnet.network.servers import Server, serve_aiohttp, serve_uvicorn
from simnet.network.transports import BaseTransport, Listener
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.wire.faults import Fault, FaultPlan, as_plans
from simnet.wire.hygiene import AppErrorReporter, Report, reporting_handler
from simnet.wire.injector import FaultInjector, inject_into_aiohttp

Context = Callable[[], contextlib.AbstractContextManager[Any]]
"""What each request of an app runs inside (a fresh context manager per request)."""

ACCEPTED = (
    "an ASGI app (FastAPI, Starlette, or `async def app(scope, receive, send)`) "
    "or an aiohttp.web.Application"
)


def serve_app(
    host: AxonHost,
    app: Any,
    listener: Listener,
    *,
    where: str,
    report: Report,
    plans: list[FaultPlan],
    lifespan: Literal["auto", "off"] = "off",
    context: Context | None = None,
) -> Server:
    """Serve ``app`` on ``listener`` behind the fault ``plans`` (a live list), with its
    problems going to ``report`` as ``where``'s. ``lifespan="auto"`` runs an ASGI app's
    startup and shutdown as ``uvicorn.run`` does (an aiohttp app's always run). Refuses,
    in one line, an app it cannot serve; gives ``listener`` back if serving fails."""
    try:
        check_app(app)
        if _is_aiohttp_app(app):

            def adapt(server: Any) -> None:
                handler = found(AIOHTTP_SERVER, server, "request_handler")
                handler = reporting_handler(handler, where, report)
                handler = _handler_within(handler, context) if context else handler
                swap(AIOHTTP_SERVER, server, {"request_handler": handler})
                inject_into_aiohttp(server, plans)

            return serve_aiohttp(host, app, listener, adapt)
        inner = _within(app, context) if context else app
        stack = FaultInjector(AppErrorReporter(inner, where, report), plans)
        return serve_uvicorn(host, stack, listener, lifespan=lifespan)
    except BaseException:
        listener.close()
        raise


def check_app(app: object) -> None:
    """A ``TypeError`` naming ``app``'s type and what is accepted, unless ``app`` is an
    ``aiohttp.web.Application`` or can be called as an ASGI app (``scope, receive, send``)."""
    if _is_aiohttp_app(app):
        return
    try:
        inspect.signature(app).bind(None, None, None)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        kind = type(app)
        raise TypeError(
            f"cannot serve a {kind.__module__}.{kind.__qualname__}: serve() takes {ACCEPTED}"
        ) from None


def _is_aiohttp_app(app: object) -> bool:
    return isinstance(app, web.Application)


def _within(app: Any, context: Context) -> Any:
    async def app_within(scope: Any, receive: Any, send: Any) -> None:
        with context():
            await app(scope, receive, send)

    return app_within


def _handler_within(handler: Any, context: Context) -> Any:
    async def handler_within(request: Any) -> Any:
        with context():
            return await handler(request)

    return handler_within


class ServedMiner:
    """One miner served on simnet's host, the same on both stacks: where it is (``ip``,
    ``port``, ``url``, ``transport``), whose it is (``hotkey``, ``netuid``, ``uid``), its
    fault plans (:meth:`inject`, :meth:`clear_faults`) and :meth:`stop`."""

    def __init__(
        self,
        server: Server,
        *,
        hotkey: str,
        netuid: int,
        uid: int,
        transport: BaseTransport,
        faults: list[FaultPlan],
    ) -> None:
        self._server: Server | None = server
        self.hotkey = hotkey
        """The miner's hotkey address."""
        self.netuid = netuid
        self.uid = uid
        self.transport = transport
        """How it is reached: TCP (a socket on 127.0.0.1) or in memory (no socket); equal
        to its name, ``"tcp"`` or ``"memory"``."""
        self.faults = faults
        """The fault plans applied to this miner's responses (a live list)."""
        self.port = server.listener.port
        """The port it listens on and advertises."""

    @property
    def plans(self) -> list[FaultPlan]:
        """Another name of :attr:`faults`."""
        return self.faults

    @property
    def ip(self) -> str:
        """The address it listens on and advertises."""
        return LOOPBACK_IP

    @property
    def url(self) -> str:
        """``http://127.0.0.1:port``."""
        return f"http://{self.ip}:{self.port}"

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
    def listen_address(self) -> tuple[str, int]:
        """The address the listening socket is bound to (the in-memory port's address
        for ``transport="memory"``)."""
        if self._server is None:
            raise RuntimeError(f"{self!r} is stopped")
        return self._server.listener.address

    @property
    def running(self) -> bool:
        """True until :meth:`stop`."""
        return self._server is not None

    def stop(self) -> None:
        """Stop serving and give the port back (the chain still lists it). Idempotent."""
        stop_all([self])

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = " ".join(filter(None, [f"{self.ip}:{self.port}", self.transport.in_words]))
        return f"{type(self).__name__}(netuid={self.netuid}, uid={self.uid}, {where}, {state})"

    def _request_stop(self) -> Server | None:
        server, self._server = self._server, None
        if server is not None:
            server.request_stop()
        return server


def stop_all(served: Sequence[ServedMiner]) -> None:
    """Stop ``served`` together: shutting down takes as long for many as for one."""
    servers = [server for miner in served if (server := miner._request_stop()) is not None]
    for server in servers:
        server.wait()


def fault_plans(faults: Sequence[FaultPlan | Fault]) -> list[FaultPlan]:
    """A new live list of plans from ``faults`` (plans, or bare faults forming one plan)."""
    return as_plans(faults) if faults else []
