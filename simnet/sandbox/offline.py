"""Keep a process on loopback: no external-IP lookups, no connections beyond this host.

While the guard is active, any attempt to connect to (or resolve) an address that is not
loopback raises :class:`OfflineViolation` naming it. A stack adds what it must answer
offline itself (:meth:`_Guard.while_active`): the neuron stack's ``simnet._compat`` makes
bittensor's external-IP lookup (which ``Axon`` and ``Dendrite`` call when they are
created, asking public web services) answer ``LOOPBACK_IP``; this room imports neither.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK_IP = "127.0.0.1"
"""The address simnet's axons listen on and advertise, and the 'external IP' of every neuron."""

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class OfflineViolation(ConnectionRefusedError):
    """Raised when code under simnet tries to reach an address that is not on this host."""


def is_local_address(host: str) -> bool:
    """True for loopback addresses, the unspecified address and ``localhost``.

    The unspecified address (``0.0.0.0``, ``::``) counts as local: connecting to it
    reaches this host, and bittensor's dendrite dials it for axons on its own IP.
    """
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class _Guard:
    """Process-wide patches, reference counted so nested activations are cheap and safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: dict[str, Any] = {}
        self._resolvers: list[Callable[[str, int | None], int | None]] = []
        self._stub_addresses: dict[str, str] = {}  # loopback address given out -> hostname
        self._hooks: dict[str, Callable[[], Callable[[], None]]] = {}
        self._undo: list[Callable[[], None]] = []
        self.violations: list[str] = []

    @property
    def active(self) -> bool:
        return self._depth > 0

    def acquire(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._install()
            self._depth += 1

    def release(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._uninstall()

    def while_active(self, name: str, install: Callable[[], Callable[[], None]]) -> None:
        """Run ``install`` each time the guard becomes active (at once, if it is), and the
        undo it returns when it becomes inactive: how a stack adds a patch of its own
        (``simnet._compat``: bittensor's external-IP lookup). One hook per ``name``."""
        with self._lock:
            if name in self._hooks:
                return
            self._hooks[name] = install
            if self._depth > 0:
                self._undo.append(install())

    def add_resolver(self, resolve: Callable[[str, int | None], int | None]) -> None:
        """Answer lookups of the hostnames ``resolve`` knows with a loopback port of its
        choosing (stubbed outside services); ``None`` leaves a name refused."""
        with self._lock:
            self._resolvers.append(resolve)

    def remove_resolver(self, resolve: Callable[[str, int | None], int | None]) -> None:
        with self._lock:
            if resolve in self._resolvers:
                self._resolvers.remove(resolve)

    def _loopback_port(self, name: str, port: Any) -> int | None:
        try:
            number = int(port) if port is not None else None
        except (TypeError, ValueError):
            number = socket.getservbyname(str(port)) if isinstance(port, str) else None
        for resolve in list(self._resolvers):
            found = resolve(name, number)
            if found is not None:
                return found
        return None

    def _stub_address(self, name: str) -> str:
        """The loopback address a stubbed hostname resolves to: one of its own, so that a
        connection to it on any port (clients such as anyio take only the address from a
        lookup and keep the port they asked for) is sent to the stub's server."""
        with self._lock:
            for address, known in self._stub_addresses.items():
                if known == name:
                    return address
            n = len(self._stub_addresses)
            address = f"127.77.{n // 254}.{n % 254 + 1}"
            self._stub_addresses[address] = name
            return address

    def _redirect(self, sock: socket.socket, address: Any) -> Any:
        """``address`` itself, or, for a stubbed hostname's address, the stub's server."""
        if sock.family != socket.AF_INET or not isinstance(address, tuple):
            return address
        name = self._stub_addresses.get(str(address[0]))
        if name is None:
            return address
        port = self._loopback_port(name, address[1])
        if port is None:
            raise self._refuse(f"a connection to {name}:{address[1]}", stub=name)
        return (LOOPBACK_IP, port)

    def _refuse(self, what: str, stub: str | None = None) -> OfflineViolation:
        hint = (
            f'; to answer it offline, stub it: [hosts."{stub}"] in an outside.toml '
            "(Simnet(outside=...), the simnet_outside ini setting, simnet run --outside FILE)"
            if stub
            else ""
        )
        message = (
            f"simnet is offline: refused {what}; only loopback addresses "
            f"(127.0.0.0/8, ::1, localhost) may be reached while simnet is active{hint}"
        )
        self.violations.append(message)
        return OfflineViolation(message)

    def _check_address(self, sock: socket.socket, address: Any) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return  # unix sockets and friends never leave the host
        host = str(address[0])
        if not is_local_address(host):
            raise self._refuse(f"a connection to {host}:{address[1]}")

    def _install(self) -> None:
        for install in self._hooks.values():
            try:
                self._undo.append(install())
            except BaseException:  # a hook refused (a changed seam): nothing stays patched
                self._run_undo()
                raise
        original_connect = socket.socket.connect
        original_connect_ex = socket.socket.connect_ex
        original_getaddrinfo = socket.getaddrinfo
        guard = self

        def connect(sock: socket.socket, address: Any) -> None:
            guard._check_address(sock, address)
            return original_connect(sock, guard._redirect(sock, address))

        def connect_ex(sock: socket.socket, address: Any) -> int:
            guard._check_address(sock, address)
            return original_connect_ex(sock, guard._redirect(sock, address))

        def getaddrinfo(host: Any, port: Any = None, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else host  # novm (bytes.decode)
            if name is not None and not is_local_address(name) and not _is_ip_literal(name):
                if guard._loopback_port(name, port) is None:
                    raise guard._refuse(f"a DNS lookup of {name!r}", stub=name)
                return original_getaddrinfo(guard._stub_address(name), port, *args, **kwargs)
            return original_getaddrinfo(host, port, *args, **kwargs)

        self._saved = {
            "connect": original_connect,
            "connect_ex": original_connect_ex,
            "getaddrinfo": original_getaddrinfo,
        }
        socket.socket.connect = connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
        socket.getaddrinfo = getaddrinfo

    def _uninstall(self) -> None:
        socket.socket.connect = self._saved["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = self._saved["connect_ex"]  # type: ignore[method-assign]
        socket.getaddrinfo = self._saved["getaddrinfo"]
        self._saved = {}
        self._run_undo()

    def _run_undo(self) -> None:
        undo, self._undo = self._undo, []
        for step in reversed(undo):
            step()


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


GUARD = _Guard()


@contextmanager
def offline() -> Iterator[None]:
    """Keep everything inside the block on loopback (see the module docstring).

    Nested uses are fine; the patches come off when the outermost block exits.
    """
    GUARD.acquire()
    try:
        yield
    finally:
        GUARD.release()
