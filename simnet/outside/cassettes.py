"""Record once, replay offline: what a neuron exchanged with outside hosts, as cassettes.

``simnet record -- python neurons/validator.py ...`` runs the neuron online, once, and
writes its HTTP exchanges with outside hosts (aiohttp, httpx and requests alike) to
``cassettes/validator.yaml`` in vcrpy's format; loopback (simnet's own axons) and the
chain's websocket are never recorded. Secrets are scrubbed before anything is written:
the headers and query parameters in :data:`SCRUBBED` (and any the user adds) are
replaced by ``SCRUBBED``. ``simnet run --outside cassettes/`` (or a cassette given as the
``outside`` of a network or test) replays them offline; a request that matches no
recorded one fails, naming it and the nearest recorded request.

vcrpy patches the three clients while a cassette is in use: recording has to see real
traffic, which no resolver can, and one mechanism for both directions keeps a replay
exactly what was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCRUBBED = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
    "secret",
)
"""Header and query-parameter names scrubbed from every recorded request by default."""

CASSETTE_SUFFIXES = (".yaml", ".yml")


def is_cassette(outside: object) -> bool:
    """Whether an ``outside`` setting names a cassette (``.yaml``) rather than stubs."""
    return isinstance(outside, str | Path) and Path(outside).suffix in CASSETTE_SUFFIXES


class CassetteError(LookupError):
    """A cassette is missing, or a request matches nothing recorded; one line says which."""


def cassette_for(folder: Path, script: str) -> Path:
    """The cassette of ``script`` (its name, ``.yaml``) in ``folder``; one line if none."""
    path = folder / f"{Path(script).stem}.yaml"
    if path.is_file():
        return path
    others = sorted(p.name for p in folder.glob("*.yaml")) if folder.is_dir() else []
    held = f" (it holds {', '.join(others)})" if others else ""
    raise CassetteError(
        f"no cassette {path.name} for {Path(script).name} in {folder}{held}: record it with "
        f"`simnet record --cassettes {folder} -- python {script} ...`"
    )


def _vcr(scrub: Iterable[str]) -> Any:
    import vcr

    names = tuple(dict.fromkeys(name.lower() for name in (*SCRUBBED, *scrub)))
    return vcr.VCR(
        ignore_localhost=True,
        filter_headers=[(name, "SCRUBBED") for name in names],
        filter_query_parameters=[(name, "SCRUBBED") for name in names],
        filter_post_data_parameters=[(name, "SCRUBBED") for name in names],
        decode_compressed_response=True,
    )


@contextmanager
def recording(path: Path, scrub: Iterable[str] = ()) -> Iterator[None]:
    """Record every outside HTTP exchange inside the block to ``path`` (overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with _vcr(scrub).use_cassette(str(path), record_mode="all"):
        yield


@contextmanager
def replaying(path: Path) -> Iterator[None]:
    """Answer outside HTTP requests inside the block from the cassette ``path`` only."""
    if not path.is_file():
        raise CassetteError(f"no cassette {path}")
    with _vcr(()).use_cassette(str(path), record_mode="none", allow_playback_repeats=True):
        yield


def unmatched(exc: BaseException) -> str | None:
    """One line for vcrpy's "no recorded interaction matches" error, else ``None``."""
    from vcr.errors import CannotOverwriteExistingCassetteException

    if not isinstance(exc, CannotOverwriteExistingCassetteException):
        return None
    request = getattr(exc, "failed_request", None)
    cassette = getattr(exc, "cassette", None)
    asked = f"{request.method} {request.uri}" if request is not None else "a request"
    nearest = "none"
    if cassette is not None and request is not None:
        recorded = [r for r, _ in getattr(cassette, "data", [])]
        same_host = [r for r in recorded if r.host == request.host] or recorded
        if same_host:
            best = max(same_host, key=lambda r: _shared_prefix(r.path, request.path))
            nearest = f"{best.method} {best.uri}"
    where = getattr(cassette, "_path", "the cassette")
    return f"no recorded answer for {asked} in {where} (nearest recorded: {nearest})"


def _shared_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count
