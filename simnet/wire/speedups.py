"""Per-request work of bittensor's that does not depend on the request, done once.

``Synapse.to_headers()`` calls ``get_required_fields()``, which rebuilds the class's JSON
schema on every call (about 6 ms). The answer depends only on the class, so while simnet
is active it is computed once per class. Behaviour is unchanged: the same list, a fresh
copy each call; classes that override ``get_required_fields`` keep their own.
"""

from __future__ import annotations

import threading
from typing import Any

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
