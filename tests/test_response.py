"""The fuzzers' response behaves as a real ``aiohttp.ClientResponse`` does.

Each public attribute and method protocols use is compared with a real response from a
real aiohttp server on loopback; chunk boundaries are checked for every reading style.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from simnet.fuzz.response import StreamedResponse

BODY = '{"message": "h\u00e9llo"}\n'.encode()
CASES = [
    (200, "text/event-stream"),
    (200, "application/json"),
    (403, "application/json"),
    (500, "text/plain; charset=latin-1"),
]


async def _serve(status: int, content_type: str) -> tuple[TestServer, list[tuple[bytes, bytes]]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=status, headers={"Content-Type": content_type})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(BODY)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/StreamingSynapse", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server, []


async def _observe(response: Any, reader: Callable[[Any], Awaitable[Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {
        "status": response.status,
        "reason": response.reason,
        "ok": response.ok,
        "method": response.method,
        "path": response.url.path,
        "real_path": response.real_url.path,
        "content_type": response.content_type,
        "charset": response.charset,
        "history": tuple(response.history),
        "request_path": response.request_info.url.path,
    }
    try:
        response.raise_for_status()
        seen["raised"] = None
    except aiohttp.ClientResponseError as exc:
        seen["raised"] = (type(exc).__name__, exc.status, exc.message)
    try:
        seen["result"] = await reader(response)
    except Exception as exc:
        seen["result"] = (type(exc).__name__, getattr(exc, "message", str(exc)))
    return seen


READERS: dict[str, Callable[[Any], Awaitable[Any]]] = {
    "read": lambda r: r.read(),
    "text": lambda r: r.text(),
    "text latin-1": lambda r: r.text(encoding="latin-1"),
    "json": lambda r: r.json(),
    "json any type": lambda r: r.json(content_type=None),
    "read twice": lambda r: _twice(r),
    "content.read": lambda r: r.content.read(),
}


async def _twice(response: Any) -> tuple[bytes, bytes]:
    return await response.read(), await response.read()


@pytest.mark.parametrize(("status", "content_type"), CASES)
@pytest.mark.parametrize("reader", sorted(READERS))
def test_the_response_matches_a_real_aiohttp_response(status, content_type, reader):
    async def both() -> tuple[dict[str, Any], dict[str, Any]]:
        server, _ = await _serve(status, content_type)
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(server.make_url("/StreamingSynapse")) as real,
            ):
                expected = await _observe(real, READERS[reader])
                raw = [(n, v) for n, v in real.raw_headers]
        finally:
            await server.close()
        async with StreamedResponse([BODY], raw_headers=raw, status=status) as double:
            assert double.headers == real.headers
            assert double.raw_headers == tuple(raw)
            return expected, await _observe(double, READERS[reader])

    expected, actual = asyncio.run(both())
    assert actual == expected


def test_the_encoding_of_an_unread_event_stream_is_unknown_as_in_aiohttp():
    async def check() -> None:
        headers = [(b"Content-Type", b"text/event-stream")]
        async with StreamedResponse([b"x"], raw_headers=headers) as response:
            with pytest.raises(RuntimeError, match="not yet read body"):
                response.get_encoding()
            await response.read()
            assert response.get_encoding() == "utf-8"

    asyncio.run(check())


async def _read_with(style: str, chunks: list[bytes]) -> list[Any]:
    async with StreamedResponse(chunks) as response:
        content = response.content
        if style == "iter_any":
            return [piece async for piece in content.iter_any()]
        if style == "iter_chunks":
            return [piece async for piece in content.iter_chunks()]
        if style == "iter_chunked(4)":
            return [piece async for piece in content.iter_chunked(4)]
        if style == "read(4)":
            pieces = []
            while piece := await content.read(4):
                pieces.append(piece)
            return pieces
        if style == "readline":
            return [line async for line in content]
        if style == "readexactly(5)":
            return [await content.readexactly(5), await content.read()]
        raise AssertionError(style)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("iter_any", [b"ab", b"cdefgh", b"i\nj", b"kl\n"]),
        ("iter_chunks", [(b"ab", True), (b"cdefgh", True), (b"i\nj", True), (b"kl\n", True)]),
        # read(n) returns at most n bytes of what has arrived, as on a socket.
        ("iter_chunked(4)", [b"ab", b"cdef", b"gh", b"i\nj", b"kl\n"]),
        ("read(4)", [b"ab", b"cdef", b"gh", b"i\nj", b"kl\n"]),
        ("readline", [b"abcdefghi\n", b"jkl\n"]),
        ("readexactly(5)", [b"abcde", b"fghi\njkl\n"]),
    ],
)
def test_every_reading_style_sees_the_drawn_chunk_boundaries(style, expected):
    chunks = [b"ab", b"cdefgh", b"i\nj", b"kl\n"]
    assert asyncio.run(_read_with(style, chunks)) == expected


def test_release_returns_an_awaitable_and_closes_the_body():
    async def check() -> None:
        async with StreamedResponse([b"x"]) as response:
            await response.read()
            await response.release()
            assert response.closed
            with pytest.raises(aiohttp.ClientConnectionError):
                await response.read()

    asyncio.run(check())
