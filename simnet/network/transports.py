"""The ways a client reaches a served app, as objects: TCP on 127.0.0.1, or in memory (no
socket at all).

A transport knows how a server listens on it (:meth:`BaseTransport.listen`) and how a client
reaches what listens there (an aiohttp connector, an httpx transport). Inside simnet
everything takes a transport object; a transport's name (``"tcp"``, ``"memory"``) is
parsed once, by :func:`parse_transport`, where a user types it (a marker, the ini, an
option, the CLI, ``Simnet(transport=...)``). A transport compares equal to its name, so
code written against the names (``net.transport == "memory"``) keeps working.

Imports nothing heavy: the pytest plugin parses names without bittensor, aiohttp or httpx.
"""

from __future__ import annotations

import errno
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from simnet.sandbox.offline import LOOPBACK_IP

if TYPE_CHECKING:
    import asyncio

    import aiohttp
    import httpx

    from simnet.network.memory import MemoryListeners

Transport = Literal["tcp", "memory"]
"""A transport's name, as users type it: ``"tcp"`` (127.0.0.1) or ``"memory"`` (no socket)."""
TRANSPORTS: tuple[Transport, ...] = ("tcp", "memory")


class PortInUse(OSError):
    """The port asked for is taken on 127.0.0.1."""


def bind_loopback(port: int = 0) -> socket.socket:
    """A TCP socket bound to ``port`` (default: a free one) on 127.0.0.1, listening."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only
    # when the socket says it is TCP; with proto=0, Nagle's algorithm meets delayed ACKs
    # and every response on a kept-alive connection waits ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((LOOPBACK_IP, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {LOOPBACK_IP} is in use") from None
        raise
    return sock


class Listener(ABC):
    """Where one server listens, taken before it starts and given back by :meth:`close`."""

    port: int
    """The port the server advertises."""

    @property
    def sockets(self) -> list[socket.socket]:
        """The bound sockets a server accepts connections on (none in memory)."""
        return []

    @property
    def address(self) -> tuple[str, int]:
        """The address the server listens on."""
        return LOOPBACK_IP, self.port

    @abstractmethod
    def accept(
        self, loop: asyncio.AbstractEventLoop, make_protocol: Callable[[], asyncio.Protocol]
    ) -> None:
        """Start handing connections to ``make_protocol()`` on ``loop``, once the server
        has started."""

    @abstractmethod
    def refuse(self) -> None:
        """Refuse new connections from now on."""

    @abstractmethod
    def close(self) -> None:
        """Give the port back. Idempotent."""


class SocketListener(Listener):
    """A bound loopback socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.port = int(sock.getsockname()[1])

    @property
    def sockets(self) -> list[socket.socket]:
        return [self.sock]

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.sock.getsockname()[:2]
        return str(host), int(port)

    def accept(
        self, loop: asyncio.AbstractEventLoop, make_protocol: Callable[[], asyncio.Protocol]
    ) -> None:
        return None  # the server accepts on the socket itself

    def refuse(self) -> None:
        return None  # the server closes the socket itself

    def close(self) -> None:
        self.sock.close()


class MemoryListener(Listener):
    """A reserved in-memory port of an axon host."""

    def __init__(self, listeners: MemoryListeners, port: int) -> None:
        self.listeners = listeners
        self.port = port

    def accept(
        self, loop: asyncio.AbstractEventLoop, make_protocol: Callable[[], asyncio.Protocol]
    ) -> None:
        self.listeners.listen(self.port, loop, make_protocol)

    def refuse(self) -> None:
        self.listeners.close(self.port)

    def close(self) -> None:
        self.listeners.close(self.port)


class BaseTransport(ABC):
    """How clients reach served apps: :data:`TCP` or :data:`MEMORY`."""

    name: Transport
    in_words: str
    """What a served app's description adds to its address (``""``, ``"in memory"``)."""
    stock_clients_reach: bool
    """Whether a client's own default connection (aiohttp's ``TCPConnector``, httpx's
    ``AsyncHTTPTransport``) reaches what listens here; if not, clients are given
    :meth:`connector` or :meth:`httpx_transport`."""

    @abstractmethod
    def listen(self, listeners: MemoryListeners, port: int = 0) -> Listener:
        """Take a place to listen (``port``, or a free one; ``listeners``: the host's
        in-memory ports)."""

    @abstractmethod
    def connector(self, listeners: MemoryListeners) -> aiohttp.BaseConnector:
        """A new aiohttp connector reaching apps served on this transport."""

    @abstractmethod
    def httpx_transport(
        self, listeners: MemoryListeners, *, limits: httpx.Limits | None = None
    ) -> httpx.AsyncBaseTransport:
        """A new httpx transport reaching apps served on this transport."""

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<simnet transport {self.name}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BaseTransport):
            return other.name == self.name
        return isinstance(other, str) and other == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class _TCP(BaseTransport):
    name = "tcp"
    in_words = ""
    stock_clients_reach = True

    def listen(self, listeners: MemoryListeners, port: int = 0) -> Listener:
        return SocketListener(bind_loopback(port))

    def connector(self, listeners: MemoryListeners) -> aiohttp.BaseConnector:
        import aiohttp

        return aiohttp.TCPConnector()

    def httpx_transport(
        self, listeners: MemoryListeners, *, limits: httpx.Limits | None = None
    ) -> httpx.AsyncBaseTransport:
        import httpx

        return httpx.AsyncHTTPTransport(limits=limits) if limits else httpx.AsyncHTTPTransport()


class _Memory(BaseTransport):
    name = "memory"
    in_words = "in memory"
    stock_clients_reach = False

    def listen(self, listeners: MemoryListeners, port: int = 0) -> Listener:
        if port:
            raise ValueError("port= is for transport='tcp'; in-memory axons are given a port")
        return MemoryListener(listeners, listeners.reserve())

    def connector(self, listeners: MemoryListeners) -> aiohttp.BaseConnector:
        from simnet.network.memory import MemoryConnector

        return MemoryConnector(listeners)

    def httpx_transport(
        self, listeners: MemoryListeners, *, limits: httpx.Limits | None = None
    ) -> httpx.AsyncBaseTransport:
        from simnet.network.httpx_memory import MemoryTransport

        return MemoryTransport(listeners, limits=limits)


TCP: BaseTransport = _TCP()
"""TCP on 127.0.0.1."""
MEMORY: BaseTransport = _Memory()
"""In memory: HTTP/1.1 bytes between linked ``asyncio.Transport`` objects, no socket."""
_BY_NAME: dict[str, BaseTransport] = {transport.name: transport for transport in (TCP, MEMORY)}


def parse_transport(value: object, *, setting: str = "transport") -> BaseTransport:
    """The transport ``value`` names (or ``value`` itself, if it is one); else a
    ``ValueError`` naming ``setting`` and the choices."""
    if isinstance(value, BaseTransport):
        return value
    transport = _BY_NAME.get(value) if isinstance(value, str) else None
    if transport is None:
        raise ValueError(f"{setting}={value!r} must be one of {', '.join(TRANSPORTS)}")
    return transport


def as_listener(listeners: MemoryListeners, where: Listener | socket.socket | int) -> Listener:
    """``where`` as a :class:`Listener`: a bound socket, or a port reserved in ``listeners``."""
    if isinstance(where, Listener):
        return where
    if isinstance(where, socket.socket):
        return SocketListener(where)
    return MemoryListener(listeners, where)
