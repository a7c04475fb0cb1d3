"""The ASGI layer that applies fault plans to an axon's responses."""

from __future__ import annotations

from typing import Any

from simnet.wire.faults import (
    NO_ANSWER,
    Emit,
    Fault,
    FaultContext,
    FaultPlan,
    InjectedDisconnect,
)

_DEFAULT_TIMEOUT = 12.0
# Where each scheme names the caller's hotkey: a dendrite's (9.x, 10.x), btauth/1's
# (11.x), Epistula's.
_CALLER_HEADERS = (b"bt_header_dendrite_hotkey", b"x-bittensor-hotkey", b"epistula-signed-by")


def is_injected_disconnect(exc: BaseException) -> bool:
    """True for :class:`InjectedDisconnect`, also inside (nested) exception groups."""
    if isinstance(exc, InjectedDisconnect):
        return True
    return any(is_injected_disconnect(e) for e in getattr(exc, "exceptions", ()))


class FaultInjector:
    """ASGI middleware applying the matching plans of ``plans`` (a live list) to each request."""

    def __init__(self, app: Any, plans: list[FaultPlan]) -> None:
        self.app = app
        self.plans = plans
        self._served: set[tuple[str, int]] = set()  # client addresses (connections) seen

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = tuple(scope.get("client") or ())
        reused = client in self._served
        self._served.add(client)
        if not self.plans:
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        synapse = scope.get("path", "/").strip("/").split("/")[0]
        caller = next((headers[name] for name in _CALLER_HEADERS if name in headers), b"").decode(
            "latin-1"
        )
        timeout = _number(headers.get(b"timeout"), _DEFAULT_TIMEOUT)
        faults: list[tuple[Fault, FaultContext]] = []
        for plan in list(self.plans):
            if plan.matches(synapse, caller):
                request = FaultContext(plan, synapse, caller, timeout, reused=reused)
                faults += [(fault, request) for fault in plan.faults]
        if not faults:
            await self.app(scope, receive, send)
            return
        started = {"response": False}

        async def tracked(message: dict[str, Any]) -> None:
            started["response"] = started["response"] or message["type"] == "http.response.start"
            await send(message)

        try:
            if await _replaced(faults, tracked):
                return
            lost = _lost(faults)
            if lost is None:
                await self.app(scope, receive, _faulty_send(faults, tracked))
            else:
                await self.app(scope, receive, _discard)
                await _answer(faults, tracked, *lost)
        except BaseException as exc:
            if not is_injected_disconnect(exc):
                raise
            if not started["response"]:
                _close_connection(send)
            # Returning without completing the response makes uvicorn close the connection.


async def _replaced(faults: list[tuple[Fault, FaultContext]], send: Any) -> bool:
    for fault, request in faults:
        replacement = fault.replace_response(request)
        if replacement is not None:
            await _answer(faults, send, *replacement)
            return True
    return False


def _lost(faults: list[tuple[Fault, FaultContext]]) -> tuple[int, bytes] | None:
    """What the caller gets instead of the app's response, if a fault loses it."""
    for fault, request in faults:
        answer = fault.lose_response(request)
        if answer is not None:
            return answer
    return None


async def _answer(
    faults: list[tuple[Fault, FaultContext]], send: Any, status: int, body: bytes
) -> None:
    """Answer ``status`` with the JSON ``body`` (``NO_ANSWER``: close the connection)."""
    for fault, request in faults:
        await fault.before_start(request)
    if status == NO_ANSWER:
        raise InjectedDisconnect
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _discard(message: dict[str, Any]) -> None:
    """The ``send`` of an app whose response is lost."""


def _faulty_send(faults: list[tuple[Fault, FaultContext]], send: Any) -> Any:
    async def wire(data: bytes, more: bool) -> None:
        await send({"type": "http.response.body", "body": data, "more_body": more})

    emit: Emit = wire
    for fault, request in reversed(faults):
        emit = fault.body_stage(request, emit)

    async def faulty_send(message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "http.response.start":
            headers = list(message.get("headers", []))
            for fault, request in faults:
                await fault.before_start(request)
                headers = fault.headers(request, headers)
            await send({**message, "headers": headers})
        elif kind == "http.response.body":
            await emit(bytes(message.get("body", b"")), bool(message.get("more_body", False)))
        else:
            await send(message)

    return faulty_send


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
