"""Work of bittensor's that simnet does not need, or needs only once.

``Synapse.to_headers()`` calls ``get_required_fields()``, which rebuilds the class's JSON
schema on every call (about 6 ms). The answer depends only on the class, so while simnet
is active it is computed once per class. Behaviour is unchanged: the same list, a fresh
copy each call; classes that override ``get_required_fields`` keep their own.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from simnet._compat import Synapse

_lock = threading.Lock()
_depth = 0
_original: Any = None
_cache: dict[type, list[str]] = {}


def _cached_required_fields(self: Synapse) -> list[str]:
    cls = type(self)
    fields = _cache.get(cls)
    if fields is None:
        fields = _original(self)
        _cache[cls] = list(fields)
    return list(fields)


def acquire() -> None:
    """Install the per-class cache (reference counted)."""
    global _depth, _original
    with _lock:
        if _depth == 0:
            _original = Synapse.get_required_fields
            Synapse.get_required_fields = _cached_required_fields  # type: ignore[method-assign]
        _depth += 1


def release() -> None:
    """Remove the cache when the last user releases it."""
    global _depth
    with _lock:
        _depth -= 1
        if _depth == 0:
            Synapse.get_required_fields = _original  # type: ignore[method-assign]
            _cache.clear()


@contextlib.contextmanager
def bypassed() -> Iterator[None]:
    """bittensor's own ``get_required_fields`` for a while, even with the cache installed
    (benchmarks compare simnet with stock bittensor in one process)."""
    with _lock:
        current = Synapse.get_required_fields
        if _original is not None:
            Synapse.get_required_fields = _original  # type: ignore[method-assign]
    try:
        yield
    finally:
        with _lock:
            Synapse.get_required_fields = current  # type: ignore[method-assign]


_config_lock = threading.Lock()


@contextlib.contextmanager
def unused_server_config() -> Iterator[None]:
    """While an ``Axon`` simnet serves itself is built, skip the logging set-up of the
    ``uvicorn.Config`` bittensor makes for its own server, which simnet never starts.

    ``uvicorn.Config.__init__`` runs ``logging.config.dictConfig`` (about 1.4 ms per
    axon, a quarter of a 256-miner start-up); simnet's host serves with its own config
    and no logging configuration.
    """
    with _config_lock:
        original = uvicorn.Config.configure_logging
        uvicorn.Config.configure_logging = _no_logging_setup  # type: ignore[method-assign]
        try:
            yield
        finally:
            uvicorn.Config.configure_logging = original  # type: ignore[method-assign]


def _no_logging_setup(self: uvicorn.Config) -> None:
    return None


_route_lock = threading.RLock()


@contextlib.contextmanager
def route_analysis_once() -> Iterator[None]:
    """While simnet builds one ``Axon``, analyse each endpoint's parameters once.

    bittensor's ``attach`` adds a route to the axon's router, then includes the whole
    router into the app again, so FastAPI analyses the same endpoint (``get_dependant``)
    for every copy: 1280 analyses for 256 axons on 9.x. Each route still gets a
    dependant of its own (a copy whose lists are its own: FastAPI inserts the route's
    dependencies into it), equal to a fresh analysis.
    """
    import fastapi.routing

    with _route_lock:
        original = fastapi.routing.get_dependant
        seen: dict[tuple[str, Any], Any] = {}

        def analysed_once(*, path: str, call: Any, **kwargs: Any) -> Any:
            if kwargs:  # a form this cache does not know: analyse as FastAPI does
                return original(path=path, call=call, **kwargs)
            key = (path, call)
            if key not in seen:
                seen[key] = original(path=path, call=call)
            return _own_copy(seen[key])

        fastapi.routing.get_dependant = analysed_once
        try:
            yield
        finally:
            fastapi.routing.get_dependant = original


def _own_copy(dependant: Any) -> Any:
    clone = copy.copy(dependant)
    for name, value in vars(dependant).items():
        if isinstance(value, list):
            setattr(clone, name, list(value))
    return clone
