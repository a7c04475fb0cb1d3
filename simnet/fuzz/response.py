"""The response a ``StreamingSynapse`` protocol reads: an ``aiohttp.ClientResponse`` in all
but the socket.

``content`` is a real ``aiohttp.StreamReader``. A socket hands a reader the bytes of one
read each time the reader waits for data; here the reader's wait takes the next drawn
chunk, synchronously, so every reading style sees exactly the boundaries drawn:
``iter_any()`` and ``iter_chunks()`` yield one chunk each, ``read(n)`` and
``iter_chunked(n)`` return at most ``n`` bytes of what has arrived, ``readline()`` and
``readexactly(n)`` wait as often as they must. No task feeds it, so a run is one
coroutine from start to end.

The response around it offers what an ``aiohttp.ClientResponse`` offers protocols
(``status``, ``reason``, ``ok``, ``url``, ``real_url``, ``method``, ``headers``,
``raw_headers``, ``content_type``, ``charset``, ``get_encoding()``, ``read()``,
``text()``, ``json()``, ``release()``, ``close()``, ``raise_for_status()``,
``request_info``, ``history``), with aiohttp's own rules for encodings, content types
and errors; ``tests/test_response.py`` compares it with a real response.
"""

from __future__ import annotations

import asyncio
import codecs
import json
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp.base_protocol import BaseProtocol
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from simnet._patches import AIOHTTP_READER, found

RawHeaders = Sequence[tuple[bytes, bytes]]

_READ_LIMIT = 2**16
DEFAULT_URL = "http://127.0.0.1:8091/StreamingSynapse"


class _InProcessProtocol(BaseProtocol):
    """The protocol side of the reader: always connected, since the bytes come from memory."""

    @property
    def connected(self) -> bool:
        return True


found(AIOHTTP_READER, aiohttp.StreamReader)  # overridden below


class _ChunkReader(aiohttp.StreamReader):
    """A real StreamReader whose every wait for data receives the next chunk."""

    def __init__(self, loop: asyncio.AbstractEventLoop, chunks: Iterable[bytes]) -> None:
        super().__init__(_InProcessProtocol(loop), _READ_LIMIT, loop=loop)
        self._chunks = iter(chunks)
        # The body arrives with chunked transfer encoding, as an axon sends it.
        self.begin_http_chunk_receiving()

    async def _wait(self, func_name: str) -> None:
        # A reader waits only when its buffer cannot satisfy it; a socket then delivers
        # its next read. (Overrides the one method every StreamReader read waits in.)
        chunk = next(self._chunks, None)
        if chunk is None:
            self.feed_eof()
            return
        self.feed_data(chunk)
        self.end_http_chunk_receiving()


def decode_headers(raw_headers: RawHeaders) -> CIMultiDictProxy[str]:
    """Header bytes as aiohttp's HTTP parser decodes them (UTF-8, surrogate escapes)."""
    return CIMultiDictProxy(
        CIMultiDict(
            (name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
            for name, value in raw_headers
        )
    )


class StreamedResponse:
    """What a protocol sees of one streamed HTTP response. Use as ``async with``.

    ``chunks`` are the socket reads the body arrives in (empty chunks carry no bytes on
    the wire, so they are skipped); ``raw_headers`` are name/value byte pairs as
    received; ``url`` is where the request went.
    """

    method = "POST"
    version = aiohttp.HttpVersion11
    history: tuple[Any, ...] = ()

    def __init__(
        self,
        chunks: Iterable[bytes],
        *,
        raw_headers: RawHeaders = (),
        status: int = 200,
        url: str = DEFAULT_URL,
    ) -> None:
        self._chunks = [bytes(chunk) for chunk in chunks if chunk]
        self.status = status
        self.reason = _reason(status)
        self.raw_headers: tuple[tuple[bytes, bytes], ...] = tuple(
            (bytes(n), bytes(v)) for n, v in raw_headers
        )
        # Tutorial-style protocols read ``response.__dict__["_raw_headers"]``, which a real
        # ClientResponse has; keep that working so such protocols can be tested as they are.
        self._raw_headers = self.raw_headers
        self.headers = decode_headers(self.raw_headers)
        self.url = self.real_url = URL(url)
        self.request_info = aiohttp.RequestInfo(
            self.url, self.method, CIMultiDictProxy(CIMultiDict()), self.real_url
        )
        self._body: bytes | None = None
        self._closed = False
        self.content: aiohttp.StreamReader

    async def __aenter__(self) -> StreamedResponse:
        self.content = _ChunkReader(asyncio.get_running_loop(), self._chunks)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        self.release()

    # -- status and headers, by aiohttp's rules ----------------------------------------------
    @property
    def ok(self) -> bool:
        """``True`` if ``status`` is below 400."""
        return self.status < 400

    @property
    def content_type(self) -> str:
        """The media type of ``Content-Type`` (``application/octet-stream`` if there is none)."""
        return _content_type(self.headers)[0]

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``, if any."""
        return _content_type(self.headers)[1].get("charset")

    @property
    def content_length(self) -> int | None:
        """``Content-Length`` as a number (a chunked stream has none)."""
        value = self.headers.get("Content-Length")
        return int(value) if value is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    def get_encoding(self) -> str:
        """The body's encoding: the charset if known, UTF-8 for JSON and by default."""
        charset = self.charset
        if charset:
            try:
                return codecs.lookup(charset).name
            except (LookupError, ValueError):
                pass
        if self._body is None and self.content_type not in ("application/json",):
            raise RuntimeError("Cannot compute fallback encoding of a not yet read body")
        return "utf-8"  # a ClientSession's default fallback charset resolver

    def raise_for_status(self) -> None:
        """Raise ``aiohttp.ClientResponseError`` for a status of 400 or more."""
        if not self.ok:
            raise aiohttp.ClientResponseError(
                self.request_info,
                self.history,
                status=self.status,
                message=self.reason,
                headers=self.headers,
            )

    # -- the body ----------------------------------------------------------------------------
    async def read(self) -> bytes:
        """The whole (rest of the) body, read once and kept."""
        if self._body is None:
            self._body = await self.content.read()
        elif self._closed:
            raise aiohttp.ClientConnectionError("Connection closed")
        return self._body

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        """The body decoded with ``encoding`` (default: :meth:`get_encoding`)."""
        body = await self.read()
        return body.decode(encoding or self.get_encoding(), errors=errors)

    async def json(
        self,
        *,
        encoding: str | None = None,
        loads: Callable[[str], Any] = json.loads,
        content_type: str | None = "application/json",
    ) -> Any:
        """The body as JSON; refuses another ``Content-Type`` as aiohttp does."""
        body = await self.read()
        if content_type:
            actual = self.headers.get("Content-Type", "").lower()
            if not _expected_content_type(actual, content_type):
                raise aiohttp.ContentTypeError(
                    self.request_info,
                    self.history,
                    status=self.status,
                    message=f"Attempt to decode JSON with unexpected mimetype: {actual}",
                    headers=self.headers,
                )
        stripped = body.strip()
        if not stripped:
            return None
        return loads(stripped.decode(encoding or self.get_encoding()))

    def release(self) -> Any:
        """Give the connection back; the body can no longer be read."""
        self._closed = True
        return _noop()

    def close(self) -> None:
        self._closed = True

    def __repr__(self) -> str:
        sizes = [len(c) for c in self._chunks]
        return f"StreamedResponse(status={self.status}, chunk_sizes={sizes})"


class _noop:
    """What ``ClientResponse.release()`` returns: awaitable, doing nothing."""

    def __await__(self) -> Any:
        yield from ()


def _content_type(headers: CIMultiDictProxy[str]) -> tuple[str, dict[str, str]]:
    raw = headers.get("Content-Type")
    if raw is None:
        return "application/octet-stream", {}
    mimetype = aiohttp.helpers.parse_mimetype(raw)
    media = f"{mimetype.type}/{mimetype.subtype}" if mimetype.type else ""
    return media or "application/octet-stream", dict(mimetype.parameters)


def _expected_content_type(actual: str, expected: str) -> bool:
    if expected == "application/json":
        mimetype = aiohttp.helpers.parse_mimetype(actual)
        return mimetype.type == "application" and (
            mimetype.subtype == "json" or mimetype.suffix == "json"
        )
    return expected in actual


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
