"""The socket-free transport: HTTP/1.1 bytes between a dendrite and an axon, in memory.

Both ends keep their real protocol objects: aiohttp's client ``ResponseHandler`` on the
dendrite's loop and uvicorn's own HTTP protocol on the axon host's loop. Only the socket
between them is replaced by a pair of linked ``asyncio.Transport`` objects, so request
parsing, chunked encoding, keep-alive and connections dropped by faults behave as over
TCP, and each write reaches the other side as it is made.
"""

from __future__ import annotations

import asyncio
import errno
import itertools
import threading
from collections.abc import Callable
from typing import Any

import aiohttp

from simnet._patches import AIOHTTP_CONNECTOR, found
from simnet.sandbox.offline import LOOPBACK_IP

_FIRST_PORT = 20_000  # advertised ports of in-memory axons: 20000..65535, then around again
_CLIENT_PORTS = itertools.cycle(range(40_000, 65_536))
# The addresses that reach this machine's axons. The dendrite itself asks for 0.0.0.0
# when the axon advertises the dendrite's own external IP (127.0.0.1 under simnet).
_THIS_HOST = frozenset({LOOPBACK_IP, "0.0.0.0", "localhost"})


class _PipeEnd(asyncio.Transport):
    """One end of an in-memory connection, used by the protocol on ``loop``.

    ``write`` puts the bytes in the other end's inbox and, unless one is pending already,
    schedules one delivery on the other end's loop: like a socket's receive buffer,
    writes made before the reader runs arrive together, and the reader's loop is woken
    once for them, not once per write. Reading can be paused by the owning protocol.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, extra: dict[str, Any]) -> None:
        super().__init__(extra)
        self._loop = loop
        self._protocol: asyncio.BaseProtocol | None = None
        self._peer: _PipeEnd | None = None
        self._closing = False
        self._lost = False
        self._paused = False
        self._pending: list[bytes] = []
        self._peer_closed = False
        self._inbox: list[bytes] = []  # written by the peer, not delivered yet
        self._inbox_lock = threading.Lock()

    # -- the owning protocol's side --------------------------------------------------------
    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        assert self._protocol is not None
        return self._protocol

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing or not data or self._peer is None:
            return
        self._peer._put(bytes(data))

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._peer is not None:
            self._peer._from_peer(self._peer._closed_by_peer)
        self._loop.call_soon(self._connection_lost)

    def abort(self) -> None:
        self._pending.clear()
        self.close()

    def can_write_eof(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def is_reading(self) -> bool:
        return not self._paused and not self._closing

    def pause_reading(self) -> None:
        self._paused = True

    def resume_reading(self) -> None:
        if not self._paused:
            return
        self._paused = False
        pending, self._pending = self._pending, []
        for data in pending:
            self._received(data)
        if self._peer_closed and not self._paused:
            self._loop.call_soon(self._end_of_stream)

    # -- called on this end's loop, scheduled by the peer ----------------------------------
    def _put(self, data: bytes) -> None:
        with self._inbox_lock:
            self._inbox.append(data)
            if len(self._inbox) > 1:
                return  # a delivery is scheduled and will take this too
        self._from_peer(self._deliver_inbox)

    def _deliver_inbox(self) -> None:
        with self._inbox_lock:
            inbox, self._inbox = self._inbox, []
        self._received(b"".join(inbox))

    def _from_peer(self, callback: Callable[[], None]) -> None:
        try:
            self._loop.call_soon_threadsafe(callback)
        except RuntimeError:  # this end's loop is closed: nobody is reading any more
            pass

    def _received(self, data: bytes) -> None:
        if self._closing:  # as with a closed socket: nothing more is read
            return
        if self._paused:
            self._pending.append(data)
            return
        protocol = self._protocol
        assert isinstance(protocol, asyncio.Protocol)
        protocol.data_received(data)

    def _closed_by_peer(self) -> None:
        # As asyncio's socket transports do, the end of the stream is seen one loop
        # iteration after the data before it: a reader woken by that data runs first.
        # (aiohttp's StreamReader raises a payload error before handing over data still
        # in its buffer, so data and EOF in one iteration would lose the data.)
        self._peer_closed = True
        self._loop.call_soon(self._end_of_stream)

    def _end_of_stream(self) -> None:
        if self._lost or (self._paused and self._pending):
            return  # delivered once reading resumes, after what is still pending
        if not self._closing:
            protocol = self._protocol
            assert isinstance(protocol, asyncio.Protocol)
            protocol.eof_received()
            self._closing = True
        self._connection_lost()

    def _connection_lost(self) -> None:
        if self._lost:
            return
        self._lost = True
        if self._protocol is not None:
            self._protocol.connection_lost(None)


class MemoryListeners:
    """The in-memory "ports" of one axon host: each maps to a uvicorn server on that host.

    Thread-safe: servers listen from the host's thread, dendrites connect from theirs.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # A reserved port maps to None until it listens.
        self._servers: dict[int, tuple[asyncio.AbstractEventLoop, Callable[[], Any]] | None] = {}
        self._next = _FIRST_PORT

    @property
    def ports(self) -> list[int]:
        """The ports reserved or listening now, ascending."""
        with self._lock:
            return sorted(self._servers)

    def reserve(self) -> int:
        """A free port, taken (refusing connections) until :meth:`close`."""
        with self._lock:
            for _ in range(65_536 - _FIRST_PORT):
                port, self._next = self._next, self._next + 1
                if self._next == 65_536:
                    self._next = _FIRST_PORT
                if port not in self._servers:
                    self._servers[port] = None
                    return port
        raise OSError(errno.EADDRINUSE, "every in-memory port is in use")

    def listen(
        self, port: int, loop: asyncio.AbstractEventLoop, make_protocol: Callable[[], Any]
    ) -> None:
        """Accept connections on the reserved ``port`` with ``make_protocol`` (on ``loop``)."""
        with self._lock:
            if port not in self._servers:
                raise ValueError(f"in-memory port {port} is not reserved")
            self._servers[port] = (loop, make_protocol)

    def close(self, port: int) -> None:
        """Free ``port``: new connections are refused; open ones stay as they are."""
        with self._lock:
            self._servers.pop(port, None)

    def connect(self, host: str, port: int, client_loop: asyncio.AbstractEventLoop) -> _PipeEnd:
        """Open a connection to ``host:port``; the caller's protocol must be set on the
        returned end and told ``connection_made``."""
        with self._lock:
            server = self._servers.get(port) if host in _THIS_HOST else None
        if server is None:
            raise ConnectionRefusedError(
                errno.ECONNREFUSED, f"no in-memory axon listens on {host}:{port}"
            )
        server_loop, make_protocol = server
        client_address = (LOOPBACK_IP, next(_CLIENT_PORTS))
        client = _PipeEnd(client_loop, {"peername": (host, port), "sockname": client_address})
        served = _PipeEnd(server_loop, {"peername": client_address, "sockname": (host, port)})
        client._peer, served._peer = served, client

        def accept() -> None:
            protocol = make_protocol()
            served.set_protocol(protocol)
            protocol.connection_made(served)

        # Scheduled before anything the client writes, so the server protocol sees the
        # connection first and then the request bytes, in order.
        try:
            server_loop.call_soon_threadsafe(accept)
        except RuntimeError:  # the axon host's loop is closed
            raise ConnectionRefusedError(
                errno.ECONNREFUSED, f"the in-memory axon on {host}:{port} is gone"
            ) from None
        return client


found(AIOHTTP_CONNECTOR, aiohttp.BaseConnector)  # overridden below


class MemoryConnector(aiohttp.BaseConnector):
    """An aiohttp connector that reaches the in-memory axons of ``listeners``, no TCP.

    Connections are pooled and kept alive like ``TCPConnector``'s; an address nobody
    listens on raises ``aiohttp.ClientConnectorError``, as a refused TCP connection does.
    """

    def __init__(self, listeners: MemoryListeners, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listeners = listeners

    async def _create_connection(
        self, req: aiohttp.ClientRequest, traces: Any, timeout: aiohttp.ClientTimeout
    ) -> Any:
        loop = asyncio.get_running_loop()
        try:
            transport = self._listeners.connect(str(req.host), int(req.port or 80), loop)
        except OSError as exc:
            raise aiohttp.ClientConnectorError(req.connection_key, exc) from exc
        protocol = self._factory()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        return protocol
