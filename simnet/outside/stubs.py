"""The stubs file: which outside hosts a run may reach, and what they answer.

A TOML file of its own (``outside.toml``), not a table of ``pyproject.toml``: a neuron run
by ``simnet run --outside FILE`` may live in a repository whose ``pyproject.toml`` is not
the test's, several stub sets can sit side by side (one per scenario), and a file that
does not parse names itself and its line. One table per host::

    [hosts."api.example.com"]            # canned answers, matched in order
    routes = [
        { method = "GET", path = "/briefs", json = [{ id = 1, prompt = "hi" }] },
        { path = "/health", body = "ok", headers = { "content-type" = "text/plain" } },
        { method = "POST", path = "/scores", status = 201, delay = 0.1 },
    ]

    [hosts."state.example.com"]          # a stateful fake: any ASGI app
    app = "tests.fakes:app"

A route matches a request's method (any when absent) and path (exactly, or a prefix when
it ends in ``*``); its answer is ``status`` (200), ``headers``, and one of ``json``,
``body`` or ``body_file`` (relative to the stubs file), after ``delay`` seconds. A request
to a stubbed host that no route matches gets a 404 naming the nearest route.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Asgi = Callable[..., Any]


class StubsError(ValueError):
    """A stubs file or stub that cannot be used; the message names the file and host."""


@dataclass(frozen=True)
class Route:
    """One canned answer of a stubbed host."""

    path: str
    method: str | None = None
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def __str__(self) -> str:
        return f"{self.method or '*'} {self.path}"


@dataclass(frozen=True)
class Host:
    """A stubbed host: canned routes, or an ASGI app (``module:attribute``)."""

    name: str
    routes: tuple[Route, ...] = ()
    app: str | None = None

    def load_app(self) -> Asgi:
        """The ASGI app this host's ``app`` names; one line saying why if it cannot."""
        assert self.app is not None
        module, _, attribute = self.app.partition(":")
        try:
            target: Any = importlib.import_module(module)
            for part in (attribute or "app").split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as exc:
            raise StubsError(
                f"stubbed host {self.name}: app {self.app!r} does not import ({exc})"
            ) from None
        if not callable(target):
            raise StubsError(f"stubbed host {self.name}: app {self.app!r} is not an ASGI app")
        return target


@dataclass(frozen=True)
class Stubs:
    """Every stubbed host of a run."""

    hosts: Mapping[str, Host]
    source: str = "stubs"

    @classmethod
    def load(cls, path: str | Path) -> Stubs:
        """Read a stubs file; a file that is missing or does not parse is one line."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise StubsError(f"no stubs file {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise StubsError(f"{path}: {exc}") from None
        return cls.from_dict(data, base=path.parent, source=str(path))

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, base: Path = Path(), source: str = "stubs"
    ) -> Stubs:
        """Stubs from the TOML structure (``{"hosts": {name: {...}}}``)."""
        unknown = sorted(set(data) - {"hosts"})
        if unknown:
            raise StubsError(
                f"{source}: unknown table(s) {', '.join(unknown)}; expected [hosts.NAME]"
            )
        hosts = {}
        for name, table in dict(data.get("hosts", {})).items():
            hosts[name.lower()] = _host(name.lower(), table, base, source)
        return cls(hosts, source)


_ROUTE_KEYS = {"path", "method", "status", "headers", "json", "body", "body_file", "delay"}


def _host(name: str, table: Any, base: Path, source: str) -> Host:
    where = f"{source}: host {name}"
    if not isinstance(table, dict):
        raise StubsError(f"{where}: expected a table with routes or app")
    unknown = sorted(set(table) - {"routes", "app"})
    if unknown:
        raise StubsError(f"{where}: unknown key(s) {', '.join(unknown)}; expected routes or app")
    if ("routes" in table) == ("app" in table):
        raise StubsError(f"{where}: give either routes or app")
    if "app" in table:
        return Host(name, app=str(table["app"]))
    return Host(name, tuple(_route(r, where, base) for r in table["routes"]))


def _route(entry: Any, where: str, base: Path) -> Route:
    if not isinstance(entry, dict) or "path" not in entry:
        raise StubsError(f"{where}: each route is a table with at least a path")
    unknown = sorted(set(entry) - _ROUTE_KEYS)
    if unknown:
        raise StubsError(f"{where}: unknown route key(s) {', '.join(unknown)}")
    bodies = [key for key in ("json", "body", "body_file") if key in entry]
    if len(bodies) > 1:
        raise StubsError(f"{where}: route {entry['path']} gives {' and '.join(bodies)}; give one")
    headers = {str(k).lower(): str(v) for k, v in dict(entry.get("headers", {})).items()}
    body = b""
    if "json" in entry:
        body = json.dumps(entry["json"]).encode()
        headers.setdefault("content-type", "application/json")
    elif "body" in entry:
        body = str(entry["body"]).encode()
    elif "body_file" in entry:
        file = base / str(entry["body_file"])
        try:
            body = file.read_bytes()
        except OSError:
            raise StubsError(f"{where}: route {entry['path']}: no body file {file}") from None
    return Route(
        path=str(entry["path"]),
        method=entry.get("method"),
        status=int(entry.get("status", 200)),
        headers=headers,
        body=body,
        delay=float(entry.get("delay", 0.0)),
    )
