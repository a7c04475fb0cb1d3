"""Outside services, offline: stubbed hosts answered on loopback, with no client patched.

While a run's :class:`OutsideServices` are active, the offline guard resolves each stubbed
hostname to a loopback server of simnet's (port 443 to its TLS port, any other port to
its plain one), so aiohttp, httpx and requests connect there as they would to the real
host. TLS is real: a certificate authority made for the run (``trustme``) signs the
server's certificate for every stubbed name, and is trusted the way each client looks
for one: ``SSL_CERT_FILE`` (httpx, and ``ssl.create_default_context`` in code that starts
after it is set), ``REQUESTS_CA_BUNDLE`` (requests) and aiohttp's default verified
context, which it builds at import. Services with an offline mode of their own are put
in it (``WANDB_MODE=offline``).
"""

from __future__ import annotations

import asyncio
import functools
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simnet._patches import AIOHTTP_SSL, found
from simnet.outside.stubs import Asgi, Host, Stubs

OFFLINE_MODES = {"WANDB_MODE": "offline"}
"""Services with an offline mode of their own, and the setting that selects it."""
_KEPT_MODES = {"WANDB_MODE": {"offline", "disabled", "dryrun"}}
"""Settings of the user's that are offline already, and kept."""


@functools.cache
def _authority(names: tuple[str, ...]) -> tuple[Any, Any]:
    """A certificate authority and a certificate for ``names``, made once per process
    (RSA keys: elliptic-curve keys go through cryptography's cached curve class, which a
    long test session has been seen to lose, failing every later key with "curve must be
    an EllipticCurve instance")."""
    import trustme

    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    return ca, ca.issue_cert(*names, key_type=trustme.KeyType.RSA)


@contextmanager
def offline_modes() -> Iterator[dict[str, str]]:
    """Put the services with an offline mode of their own in it (an environment setting,
    no code change), while any network is open; the user's own offline setting is kept.
    Yields the settings made."""
    made: dict[str, str] = {}
    saved: dict[str, str | None] = {}
    for name, value in OFFLINE_MODES.items():
        if os.environ.get(name, "").lower() not in _KEPT_MODES.get(name, set()):
            saved[name] = os.environ.get(name)
            os.environ[name] = made[name] = value
    try:
        yield made
    finally:
        for name, old in saved.items():
            if os.environ.get(name) != made[name]:
                continue  # changed by someone else meanwhile: theirs
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


Serve = Callable[[Asgi, "tuple[str, str] | None"], "tuple[int, Callable[[], None]]"]
"""Serve an ASGI app on loopback (with a TLS ``(certfile, keyfile)``, or plain); returns
its port and a stop function."""


class OutsideServices:
    """The stubbed hosts of one run, answered on loopback while :meth:`start`-ed."""

    def __init__(self, stubs: Stubs) -> None:
        self.stubs = stubs
        self.contacted: set[str] = set()
        self._apps: dict[str, Asgi] = {
            name: host.load_app() for name, host in stubs.hosts.items() if host.app
        }
        self._stops: list[Callable[[], None]] = []
        self._ports: dict[str, int] = {}
        self._lock = threading.Lock()
        self._saved_env: dict[str, str | None] = {}
        self._files: tempfile.TemporaryDirectory[str] | None = None

    @property
    def ports(self) -> dict[str, int]:
        """``{"http": port, "https": port}`` of the loopback servers while started."""
        return dict(self._ports)

    def resolve(self, host: str, port: int | None) -> int | None:
        """The loopback port a connection to ``host:port`` goes to, if ``host`` is stubbed."""
        if host.lower() not in self.stubs.hosts or not self._ports:
            return None
        return self._ports["https" if port == 443 else "http"]

    def start(self, serve: Serve) -> OutsideServices:
        """Serve the stubs (plain and TLS) with ``serve`` and trust the run's CA."""
        ca, certificate = _authority(tuple(sorted(self.stubs.hosts)) or ("stub.invalid",))
        self._files = tempfile.TemporaryDirectory(prefix="simnet-outside-")
        folder = Path(self._files.name)
        ca_file, cert_file = folder / "ca.pem", folder / "server.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        certificate.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
        for scheme, tls in (("http", None), ("https", (str(cert_file), str(cert_file)))):
            port, stop = serve(self.app, tls)
            self._ports[scheme] = port
            self._stops.append(stop)
        self._trust(ca, str(ca_file))
        return self

    def stop(self) -> None:
        """Stop the servers and put the environment back."""
        for stop in self._stops:
            stop()
        self._stops.clear()
        self._ports.clear()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        if self._files is not None:
            self._files.cleanup()
            self._files = None

    def never_contacted(self) -> list[str]:
        """Stubbed hosts nothing asked for (a note: the stub may be stale)."""
        return sorted(set(self.stubs.hosts) - self.contacted)

    def _trust(self, ca: Any, ca_file: str) -> None:
        settings = {"SSL_CERT_FILE": ca_file, "REQUESTS_CA_BUNDLE": ca_file}
        for name, value in settings.items():
            self._saved_env[name] = os.environ.get(name)
            os.environ[name] = value
        try:  # aiohttp made its default verified context at import: add the CA to it
            from aiohttp import connector
        except ImportError:  # pragma: no cover - aiohttp is a dependency
            return
        ca.configure_trust(found(AIOHTTP_SSL, connector))

    @property
    def app(self) -> Asgi:
        """The ASGI app answering every stubbed host (by the request's ``Host``)."""
        return _StubApp(self)

    def _contact(self, name: str) -> Asgi | None:
        with self._lock:
            self.contacted.add(name)
        return self._apps.get(name)


class _StubApp:
    def __init__(self, services: OutsideServices) -> None:
        self.services = services

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        name = _host_of(scope)
        target = self.services._contact(name)
        if target is not None:
            await target(scope, receive, send)
            return
        await _answer(self.services.stubs.hosts.get(name), name, scope, send)


def _host_of(scope: dict[str, Any]) -> str:
    for key, value in scope.get("headers", []):
        if key == b"host":
            return str(value.decode("latin-1").rsplit(":", 1)[0].lower())
    return ""


async def _answer(host: Host | None, name: str, scope: dict[str, Any], send: Any) -> None:
    method, path = scope["method"], scope["path"]
    route = next((r for r in host.routes if r.matches(method, path)), None) if host else None
    if route is None:
        nearest = ", ".join(map(str, host.routes)) if host else "none"
        text = f"simnet: no stub answers {method} {path} on {name} (its routes: {nearest})"
        await _respond(send, 404, {"content-type": "text/plain"}, text.encode())
        return
    if route.delay:
        await asyncio.sleep(route.delay)
    await _respond(send, route.status, route.headers, route.body)


async def _respond(send: Any, status: int, headers: Any, body: bytes) -> None:
    raw = [(k.encode(), v.encode()) for k, v in dict(headers).items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


@contextmanager
def resolving(services: OutsideServices) -> Iterator[OutsideServices]:
    """Route the stubbed hostnames to ``services`` through the offline guard."""
    from simnet.sandbox.offline import GUARD

    GUARD.add_resolver(services.resolve)
    try:
        yield services
    finally:
        GUARD.remove_resolver(services.resolve)
