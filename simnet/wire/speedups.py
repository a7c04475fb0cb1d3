"""Work of bittensor's that simnet does not need, or needs only once.

``Synapse.to_headers()`` calls ``get_required_fields()``, which rebuilds the class's JSON
schema on every call (about 6 ms). The answer depends only on the class, so while simnet
is active it is computed once per class. Behaviour is unchanged: the same list, a fresh
copy each call; classes that override ``get_required_fields`` keep their own. The
neuron stack passes bittensor's ``Synapse`` in (this room imports no stack); every
patch here is a seam of :mod:`simnet._patches`.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Hashable, Iterator
from typing import Any

import uvicorn

from simnet._patches import (
    FASTAPI_ANALYSIS,
    REQUIRED_FIELDS,
    UVICORN_LOGGING,
    found,
    put_back,
    swap,
)

_lock = threading.Lock()
_depth = 0
_synapse: Any = None  # bittensor's Synapse, while the cache is installed
_original: Any = None
_cache: dict[type, list[str]] = {}


def _cached_required_fields(self: Any) -> list[str]:
    cls = type(self)
    fields = _cache.get(cls)
    if fields is None:
        fields = _original(self)
        _cache[cls] = list(fields)
    return list(fields)


def acquire(synapse: type) -> None:
    """Install the per-class cache on bittensor's ``synapse`` class (reference counted)."""
    global _depth, _original, _synapse
    with _lock:
        if _depth == 0:
            replaced = {"get_required_fields": _cached_required_fields}
            _original = swap(REQUIRED_FIELDS, synapse, replaced)["get_required_fields"]
            _synapse = synapse
        _depth += 1


def release() -> None:
    """Remove the cache when the last user releases it."""
    global _depth, _synapse
    with _lock:
        _depth -= 1
        if _depth == 0:
            put_back(_synapse, {"get_required_fields": _original})
            _cache.clear()
            _synapse = None


@contextlib.contextmanager
def bypassed() -> Iterator[None]:
    """bittensor's own ``get_required_fields`` for a while, even with the cache installed
    (benchmarks compare simnet with stock bittensor in one process)."""
    with _lock:
        synapse = _synapse
        if synapse is not None:
            synapse.get_required_fields = _original
    try:
        yield
    finally:
        with _lock:
            if synapse is not None:
                synapse.get_required_fields = _cached_required_fields


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
        originals = swap(UVICORN_LOGGING, uvicorn.Config, {"configure_logging": _no_logging_setup})
        try:
            yield
        finally:
            put_back(uvicorn.Config, originals)


def _no_logging_setup(self: uvicorn.Config) -> None:
    return None


_route_lock = threading.RLock()
_analysed: dict[tuple[tuple[str, Hashable], ...], Any] = {}
_ANALYSED_LIMIT = 256


@contextlib.contextmanager
def route_analysis_once() -> Iterator[None]:
    """While simnet builds an ``Axon``, FastAPI analyses a parameter once per process.

    Every axon's routes take the same parameters (``synapse: YourSynapse``,
    ``request: Request``), and analysing one builds a pydantic ``TypeAdapter`` for its
    type: about a third of a 256-miner start-up, more on 9.x, whose ``attach`` includes
    the whole router again, so each endpoint is analysed once per copy. A parameter
    annotated with a class and without a default is analysed the first time; routes
    after it get the same answer (the field it describes is read, never changed, by
    FastAPI). Everything else (defaults, ``Depends``, ``Annotated``) is analysed as
    FastAPI always does, and every route still gets a ``Dependant`` of its own.
    """
    import fastapi.dependencies.utils as dependencies

    with _route_lock:
        original = found(FASTAPI_ANALYSIS, dependencies)

        def analysed_once(**kwargs: Any) -> Any:
            key = _analysis_key(kwargs)
            if key is None:
                return original(**kwargs)
            found = _analysed.get(key)
            if found is None:
                if len(_analysed) >= _ANALYSED_LIMIT:
                    _analysed.clear()
                found = _analysed[key] = original(**kwargs)
            return found

        swap(FASTAPI_ANALYSIS, dependencies, {"analyze_param": analysed_once})
        try:
            yield
        finally:
            put_back(dependencies, {"analyze_param": original})


def _analysis_key(kwargs: dict[str, Any]) -> tuple[tuple[str, Hashable], ...] | None:
    """What ``analyze_param``'s answer depends on, or None to analyse afresh. Its keywords
    differ between FastAPI releases (``is_path_param``, ``path_param_names``)."""
    if not isinstance(kwargs.get("annotation"), type):
        return None
    if kwargs.get("value", None) is not inspect.Parameter.empty:
        return None
    key = tuple(
        sorted((name, frozenset(v) if isinstance(v, set) else v) for name, v in kwargs.items())
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


_CALLABLE_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


def forget_endpoints() -> None:
    """Let stopped axons go: newer FastAPI releases remember the last 4096 callables they
    classified (generator? coroutine?), and with each one its whole axon, so a closed
    256-miner network's ~80,000 objects stayed alive until evicted. Clearing those caches
    costs FastAPI one classification of a callable it meets again; releases without them
    have nothing to clear."""
    import fastapi.dependencies.models as models

    for name in _CALLABLE_CACHES:
        cache = getattr(models, name, None)
        if cache is not None:
            cache.cache_clear()
