"""The layers that apply fault plans to a served app's responses: ASGI middleware (for
uvicorn) and the same faults inside aiohttp's own server, sharing one matcher."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from simnet._patches import AIOHTTP_REQUEST, AIOHTTP_SERVER, AIOHTTP_WRITER, found, put_back, swap
from simnet.wire.faults import (
    NO_ANSWER,
    Emit,
    Fault,
    FaultContext,
    FaultPlan,
    InjectedDisconnect,
)

if TYPE_CHECKING:
    from aiohttp import web

_DEFAULT_TIMEOUT = 12.0
# Where each scheme names the caller's hotkey: a dendrite's (9.x, 10.x), btauth/1's
# (11.x), Epistula's.
_CALLER_HEADERS = (b"bt_header_dendrite_hotkey", b"x-bittensor-hotkey", b"epistula-signed-by")

RequestFaults = list[tuple[Fault, FaultContext]]


class InjectedReset(ConnectionResetError):
    """The connection an injected fault closed, as a write to it raises in the app."""


def is_injected_disconnect(exc: BaseException) -> bool:
    """True for :class:`InjectedDisconnect` (and the reset it causes in an aiohttp
    handler), also inside (nested) exception groups."""
    if isinstance(exc, InjectedDisconnect | InjectedReset):
        return True
    return any(is_injected_disconnect(e) for e in getattr(exc, "exceptions", ()))


class FaultMatcher:
    """Which faults of ``plans`` (a live list) apply to each request."""

    def __init__(self, plans: list[FaultPlan]) -> None:
        self.plans = plans
        self._served: set[tuple[Any, ...]] = set()  # client addresses (connections) seen

    def faults_for(
        self, path: str, raw_headers: Iterable[tuple[bytes, bytes]], client: tuple[Any, ...]
    ) -> RequestFaults:
        """The faults applying to a request for ``path`` from ``client`` (empty: none)."""
        reused = client in self._served
        self._served.add(client)
        if not self.plans:
            return []
        headers = {name.lower(): value for name, value in raw_headers}
        synapse = path.strip("/").split("/")[0]
        caller = next((headers[name] for name in _CALLER_HEADERS if name in headers), b"").decode(
            "latin-1"
        )
        timeout = _number(headers.get(b"timeout"), _DEFAULT_TIMEOUT)
        faults: RequestFaults = []
        for plan in list(self.plans):
            if plan.matches(synapse, caller):
                request = FaultContext(plan, synapse, caller, timeout, reused=reused)
                faults += [(fault, request) for fault in plan.faults]
        return faults


class FaultInjector:
    """ASGI middleware applying the matching plans of ``plans`` (a live list) to each request."""

    def __init__(self, app: Any, plans: list[FaultPlan]) -> None:
        self.app = app
        self.matcher = FaultMatcher(plans)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = tuple(scope.get("client") or ())
        faults = self.matcher.faults_for(scope.get("path", "/"), scope.get("headers", []), client)
        if not faults:
            await self.app(scope, receive, send)
            return
        started = {"response": False}
        gone = _caller_gone(send)
        if gone is not None:
            for _, request in faults:
                request.caller_gone = gone

        async def tracked(message: dict[str, Any]) -> None:
            started["response"] = started["response"] or message["type"] == "http.response.start"
            await send(message)

        try:
            replacement = await _replacement(faults)
            lost = _lost(faults) if replacement is None else None
            if replacement is not None:
                await _send_replacement(replacement, tracked)
            elif lost is not None:  # the app handles the request; its response is thrown away
                await self.app(scope, receive, _discard)
                await _started(faults, [])
                await _send_replacement(lost, tracked)
            else:
                await self.app(scope, receive, _faulty_send(faults, tracked))
        except BaseException as exc:
            if not is_injected_disconnect(exc):
                raise
            if not started["response"]:
                _close_connection(send)
            # Returning without completing the response makes uvicorn close the connection.


async def _replacement(faults: RequestFaults) -> tuple[int, bytes] | None:
    """The response a fault answers with instead of the app's (after every fault's
    ``before_start``), if one does."""
    for fault, request in faults:
        replacement = fault.replace_response(request)
        if replacement is not None:
            for earlier, earlier_request in faults:
                await earlier.before_start(earlier_request)
            return replacement
    return None


def _lost(faults: RequestFaults) -> tuple[int, bytes] | None:
    """What the caller gets instead of the app's response, if a fault loses it."""
    for fault, request in faults:
        answer = fault.lose_response(request)
        if answer is not None:
            return answer
    return None


async def _discard(message: dict[str, Any]) -> None:
    """The ``send`` of an app whose response is lost."""


async def _send_replacement(replacement: tuple[int, bytes], send: Any) -> None:
    """Answer ``status`` with the JSON ``body`` (``NO_ANSWER``: close the connection)."""
    status, body = replacement
    if status == NO_ANSWER:
        raise InjectedDisconnect
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _started(faults: RequestFaults, headers: list[tuple[bytes, bytes]]) -> list[Any]:
    """Each fault's ``before_start``, then the headers as the faults leave them."""
    for fault, request in faults:
        await fault.before_start(request)
        headers = fault.headers(request, headers)
    return headers


def _body(faults: RequestFaults, wire: Emit) -> Emit:
    """``wire`` behind every fault's body stage."""
    emit = wire
    for fault, request in reversed(faults):
        emit = fault.body_stage(request, emit)
    return emit


def _faulty_send(faults: RequestFaults, send: Any) -> Any:
    async def wire(data: bytes, more: bool) -> None:
        await send({"type": "http.response.body", "body": data, "more_body": more})

    emit = _body(faults, wire)

    async def faulty_send(message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "http.response.start":
            headers = await _started(faults, list(message.get("headers", [])))
            await send({**message, "headers": headers})
        elif kind == "http.response.body":
            await emit(bytes(message.get("body", b"")), bool(message.get("more_body", False)))
        else:
            await send(message)

    return faulty_send


def _caller_gone(send: Any) -> Callable[[], bool] | None:
    """Whether the caller has closed the connection: uvicorn's request cycle (whose method
    ``send`` is, as :func:`_close_connection` relies on) records it in ``disconnected``.
    ``None`` elsewhere: a fault's waits run their full length, as they did."""
    cycle: Any = getattr(send, "__self__", None)
    if not isinstance(getattr(cycle, "disconnected", None), bool):
        return None
    return lambda: bool(cycle.disconnected)


def _close_connection(send: Any) -> None:
    """Drop the connection a response has not started on, as a closed socket does when a
    request reaches it. ASGI has no message for that; uvicorn's ``send`` is a method of
    the request cycle that holds the connection's transport (h11 and httptools alike).
    Without one, uvicorn answers 500 instead."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()


def _number(raw: bytes | None, default: float) -> float:
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        return default


Handler = Callable[["web.BaseRequest"], Awaitable["web.StreamResponse"]]


def inject_into_aiohttp(server: web.Server, plans: list[FaultPlan]) -> None:
    """Apply ``plans`` (a live list) to the requests aiohttp's low-level ``server`` serves,
    as :class:`FaultInjector` does under uvicorn: its request factory gives each faulted
    request a writer passing the response through the faults, and its handler answers
    for a fault that replaces the response. Call before the server's first connection."""
    _check_writer()
    matcher = FaultMatcher(plans)
    make_request = found(AIOHTTP_SERVER, server, "request_factory")
    handler = found(AIOHTTP_SERVER, server, "request_handler")

    def faulted_request(message: Any, payload: Any, protocol: Any, writer: Any, task: Any) -> Any:
        transport = protocol.transport
        client = tuple(transport.get_extra_info("peername") or ()) if transport else ()
        faults = matcher.faults_for(message.path, message.raw_headers, client)
        if faults:
            writer = _FaultyWriter(writer, faults)
        return make_request(message, payload, protocol, writer, task)

    async def faulted_handler(request: web.BaseRequest) -> web.StreamResponse:
        writer = request.writer
        if not isinstance(writer, _FaultyWriter):
            return await handler(request)
        from aiohttp import web

        try:
            replacement = await _replacement(writer.faults)
            lost = _lost(writer.faults) if replacement is None else None
            if replacement is None and lost is None:
                return await handler(request)
            if lost is not None:  # the miner handles the request; its response is lost
                await _handled_unanswered(handler, request)
                await _started(writer.faults, [])
            answer = replacement or lost
            assert answer is not None
            if answer[0] == NO_ANSWER:
                raise InjectedDisconnect
        except Exception as exc:
            if not is_injected_disconnect(exc):
                raise
            writer.abort()
            writer.faults = []
            return web.Response()  # reaches nobody: aiohttp sees the connection is gone
        writer.faults = []  # the replacement goes out as it is
        status, body = answer
        return web.Response(status=status, body=body, content_type="application/json")

    swap(
        AIOHTTP_SERVER,
        server,
        {"request_factory": faulted_request, "request_handler": faulted_handler},
    )


async def _handled_unanswered(handler: Handler, request: web.BaseRequest) -> None:
    """Run ``handler`` on ``request`` in full with its response written nowhere (the
    request's payload writer swapped for one that drops everything while it runs)."""
    dropping = _DroppingWriter(found(AIOHTTP_REQUEST, request))
    originals = swap(AIOHTTP_REQUEST, request, {"_payload_writer": dropping})
    try:
        await handler(request)
    finally:
        put_back(request, originals)


@functools.cache
def _check_writer() -> None:
    """aiohttp's response writer has the methods the fault plans wrap, and no method
    that writes beyond those the dropping writer stands in for."""
    from aiohttp.http_writer import StreamWriter

    for name in AIOHTTP_WRITER.attributes:
        found(AIOHTTP_WRITER, StreamWriter, name)
    writing = [n for n in dir(StreamWriter) if n.startswith(("write", "send"))]
    unknown = [n for n in writing if n not in AIOHTTP_WRITER.attributes]
    if unknown:
        raise AIOHTTP_WRITER.changed(f"it has {', '.join(unknown)}, unknown to simnet")


class _DroppingWriter:
    """An aiohttp payload writer that takes a response and sends none of it."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.buffer_size = self.output_size = 0

    def __getattr__(self, name: str) -> Any:  # transport, protocol, ...: the real writer's
        return getattr(self._writer, name)

    async def write_headers(self, *args: Any, **kwargs: Any) -> None:
        return None

    def send_headers(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def write(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def write_eof(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def drain(self) -> None:
        return None

    def set_eof(self) -> None:
        return None

    def enable_chunking(self) -> None:
        return None

    def enable_compression(self, *args: Any, **kwargs: Any) -> None:
        return None


class _FaultyWriter:
    """aiohttp's stream writer for one response, behind the faults applying to it."""

    def __init__(self, writer: Any, faults: RequestFaults) -> None:
        vars(self).update(_writer=writer, faults=faults, _emit=None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "faults":
            vars(self)[name] = value
        else:
            setattr(self._writer, name, value)

    async def write_headers(self, status_line: str, headers: Any) -> None:
        if self.faults:
            from multidict import CIMultiDict

            raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            changed = await _started(self.faults, raw)
            headers = CIMultiDict((k.decode("latin-1"), v.decode("latin-1")) for k, v in changed)
        await self._writer.write_headers(status_line, headers)

    async def write(self, chunk: Any, **kwargs: Any) -> None:
        await self._through_faults(bytes(chunk), True)

    async def write_eof(self, chunk: bytes = b"") -> None:
        await self._through_faults(bytes(chunk), False)

    def abort(self) -> None:
        transport = self._writer.transport
        if transport is not None:
            transport.abort()

    async def _through_faults(self, data: bytes, more: bool) -> None:
        if not self.faults:
            await (self._writer.write(data) if more else self._writer.write_eof(data))
            return
        if vars(self)["_emit"] is None:
            vars(self)["_emit"] = _body(self.faults, self._wire)
        try:
            await vars(self)["_emit"](data, more)
        except InjectedDisconnect:
            self.abort()
            raise InjectedReset("the connection was closed by an injected fault") from None

    async def _wire(self, data: bytes, more: bool) -> None:
        if more:
            if data:
                await self._writer.write(data)
        else:
            await self._writer.write_eof(data)
