"""The subnet's own app behind an adversary: one request handed to it, its answer taken
whole (:class:`Answer`) or passed through as it streams.

An ASGI app is called in-process. An ``aiohttp.web.Application`` runs under aiohttp's
own runner on a unix socket of its own (started and cleaned up with the adversary's
lifespan), and is asked over an aiohttp session.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


_FRAMING = (b"content-length", b"transfer-encoding", b"connection", b"keep-alive")
"""Headers of how a response was framed, which the server sending it again sets anew."""


@dataclass(frozen=True)
class Answer:
    """One whole HTTP response: status, headers (as ASGI gives them) and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @property
    def content_type(self) -> str:
        return next((v.decode("latin-1") for k, v in self.headers if k == b"content-type"), "")

    def with_body(self, body: bytes) -> Answer:
        return replace(self, body=body)

    async def send(self, send: Send) -> None:
        """Send it as an ASGI response, its ``content-length`` recomputed."""
        headers = [(k, v) for k, v in self.headers if k not in _FRAMING]
        headers.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


@dataclass(frozen=True)
class Request:
    """One request as the adversary received it: its ASGI scope and its whole body."""

    scope: Scope
    body: bytes

    @classmethod
    async def read(cls, scope: Scope, receive: Receive) -> Request:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        return cls(scope, b"".join(chunks))

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode("latin-1")
        return next((v.decode("latin-1") for k, v in self.scope["headers"] if k == wanted), None)

    @property
    def target(self) -> str:
        """The raw path and query as sent (what btauth/1 signs)."""
        path = self.scope.get("raw_path") or self.scope["path"].encode()
        query = self.scope.get("query_string", b"")
        return (path + (b"?" + query if query else b"")).decode("latin-1")


class Upstream:
    """The wrapped app: :meth:`answer` gives its whole response to a request, :meth:`stream`
    passes it on to the caller as it comes; :meth:`lifespan` runs the app's own."""

    async def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    async def stream(self, request: Request, send: Send) -> None:
        await (await self.answer(request)).send(send)

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


def upstream(app: Any) -> Upstream:
    """The right :class:`Upstream` for ``app`` (an ASGI app or an aiohttp application)."""
    return AiohttpUpstream(app) if isinstance(app, web.Application) else AsgiUpstream(app)


class AsgiUpstream(Upstream):
    def __init__(self, app: Any) -> None:
        self.app = app

    async def stream(self, request: Request, send: Send) -> None:
        await self.app(request.scope, _replay(request.body), send)

    async def answer(self, request: Request) -> Answer:
        start: Message = {}
        body: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await self.stream(request, capture)
        headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", ()))
        return Answer(int(start.get("status", 500)), headers, b"".join(body))

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def _replay(body: bytes) -> Receive:
    """An ASGI ``receive`` giving ``body`` once, then waiting (as for a client that stays)."""
    given = False

    async def receive() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


class AiohttpUpstream(Upstream):
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self._stack = contextlib.AsyncExitStack()
        self._session: aiohttp.ClientSession | None = None

    async def answer(self, request: Request) -> Answer:
        if self._session is None:
            raise RuntimeError("the aiohttp app behind an adversary was asked before startup")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]]
        async with self._session.request(
            request.scope["method"],
            "http://miner" + request.target,
            headers=[(k, v) for k, v in headers if k not in ("host", "content-length")],
            data=request.body,
            allow_redirects=False,
        ) as response:
            body = await response.read()
            raw = tuple((k.lower(), v) for k, v in response.raw_headers)
            return Answer(response.status, raw, body)

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            kind = message["type"].rpartition(".")[2]
            try:
                await (self._start() if kind == "startup" else self._stop())
            except Exception as exc:
                if kind == "startup":  # no shutdown follows a failed startup: undo it now
                    await self._stop()
                await send({"type": f"lifespan.{kind}.failed", "message": repr(exc)})
                return
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return

    async def _stop(self) -> None:
        self._session = None
        await self._stack.aclose()

    async def _start(self) -> None:
        folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="simnet-")))
        runner = web.AppRunner(self.app)
        await runner.setup()
        self._stack.push_async_callback(runner.cleanup)
        await web.UnixSite(runner, str(folder / "app.sock")).start()
        connector = aiohttp.UnixConnector(path=str(folder / "app.sock"))
        self._session = await self._stack.enter_async_context(
            aiohttp.ClientSession(connector=connector, auto_decompress=False)
        )
