"""A response double for ``StreamingSynapse`` protocols, backed by a real ``aiohttp.StreamReader``.

It offers what ``process_streaming_response`` and ``extract_response_json`` use on an
``aiohttp.ClientResponse``: ``content`` (with ``iter_any()``, ``iter_chunks()``,
``iter_chunked()``, ``readline()``...), ``headers``, ``raw_headers``, ``status`` and
``reason``. Chunks are fed on demand, so ``iter_any()`` and ``readchunk()`` see exactly
the chunks given; header bytes are decoded the way aiohttp's parser does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp.base_protocol import BaseProtocol
from multidict import CIMultiDict, CIMultiDictProxy

RawHeaders = Sequence[tuple[bytes, bytes]]

_READ_LIMIT = 2**16


class _InProcessProtocol(BaseProtocol):
    """The protocol side of the reader: always connected, since the bytes come from memory."""

    @property
    def connected(self) -> bool:
        return True


class _ChunkReader(aiohttp.StreamReader):
    """A real StreamReader that asks for the next chunk only when its reader wants data.

    ``readany``/``readchunk`` return one fed chunk each. The reads that may wait several
    times (``read``, ``readline``, ``readuntil``, ``readexactly``) reassemble the bytes
    anyway, so when one is called every remaining chunk is fed at once.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(_InProcessProtocol(loop), _READ_LIMIT, loop=loop)
        self.demand = asyncio.Event()
        self.eager = False

    async def readany(self) -> bytes:
        self.demand.set()
        return await super().readany()

    async def readchunk(self) -> tuple[bytes, bool]:
        self.demand.set()
        return await super().readchunk()

    async def readuntil(self, separator: bytes = b"\n", *, max_size: int | None = None) -> bytes:
        self._feed_all()
        return await super().readuntil(separator, max_size=max_size)

    async def read(self, n: int = -1) -> bytes:
        self._feed_all()
        return await super().read(n)

    async def readexactly(self, n: int) -> bytes:
        self._feed_all()
        return await super().readexactly(n)

    def _feed_all(self) -> None:
        self.eager = True
        self.demand.set()


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

    ``chunks`` are delivered one ``iter_any()`` item each (empty chunks carry no bytes
    on the wire, so they are skipped); ``raw_headers`` are name/value byte pairs as
    received.
    """

    def __init__(
        self,
        chunks: Iterable[bytes],
        *,
        raw_headers: RawHeaders = (),
        status: int = 200,
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
        self._feeder: asyncio.Task[None] | None = None
        self.content: aiohttp.StreamReader

    async def __aenter__(self) -> StreamedResponse:
        reader = _ChunkReader(asyncio.get_running_loop())
        self.content = reader
        self._feeder = asyncio.ensure_future(self._feed(reader))
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._feeder is not None:
            self._feeder.cancel()
            await asyncio.gather(self._feeder, return_exceptions=True)

    async def _feed(self, reader: _ChunkReader) -> None:
        for chunk in self._chunks:
            if not reader.eager:
                await reader.demand.wait()
                reader.demand.clear()
            reader.feed_data(chunk)
        reader.feed_eof()

    def __repr__(self) -> str:
        sizes = [len(c) for c in self._chunks]
        return f"StreamedResponse(status={self.status}, chunk_sizes={sizes})"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
