"""The socket-free transport for httpx: the same in-memory connections as aiohttp's
:class:`~simnet.network.memory.MemoryConnector`, under httpcore's own connection pool.

httpx keeps its real request/response machinery (httpcore's HTTP/1.1 connection, pooling,
keep-alive, streamed bodies read chunk by chunk as the server writes them); only the
network backend's ``connect_tcp`` is replaced by a connection to an in-memory port.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpcore
import httpx

from simnet._patches import HTTPX_POOL, swap
from simnet.network.memory import MemoryListeners


class _Stream(httpcore.AsyncNetworkStream):
    """One in-memory connection, read through an ``asyncio.StreamReader``."""

    def __init__(self, transport: asyncio.Transport, reader: asyncio.StreamReader) -> None:
        self._transport = transport
        self._reader = reader

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return await asyncio.wait_for(self._reader.read(max_bytes), timeout)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "timed out reading") from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._transport.is_closing():
            raise httpcore.WriteError("the in-memory connection is closed")
        self._transport.write(buffer)

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("simnet's in-memory transport serves plain HTTP only")

    def get_extra_info(self, info: str) -> Any:
        return self._transport.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    def __init__(self, listeners: MemoryListeners) -> None:
        self._listeners = listeners

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport = self._listeners.connect(host, port, loop)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        reader = asyncio.StreamReader(loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        return _Stream(transport, reader)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class MemoryTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that reaches the in-memory servers of ``listeners``, no TCP.

    ``httpx.AsyncClient(transport=MemoryTransport(host.memory))``: connections are pooled
    and kept alive as with httpx's default transport (``limits`` as there); an address
    nobody listens on raises ``httpx.ConnectError``, as a refused TCP connection does.
    """

    def __init__(self, listeners: MemoryListeners, *, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(limits=limits)
        # httpx builds its pool in __init__ without a backend argument; the same pool,
        # given simnet's backend, replaces it.
        pool = httpcore.AsyncConnectionPool(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(listeners),
        )
        swap(HTTPX_POOL, self, {"_pool": pool})
