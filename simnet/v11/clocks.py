"""Clocks tests can move, and one nonce store per served miner, under btauth/1 unmodified.

``bittensor.http_auth`` reads the time (``time.time_ns()``) when it signs and verifies,
and keeps accepted nonces in one module-global store, so two miners in one process
would share it (a nonce reused across miners would be a replay) and no test could skew
a clock. While a :class:`~simnet.v11.Network` is open, simnet routes both through the
miner serving the current request: its :class:`Clock` (the network's clock plus the
miner's skew) and its own ``InMemoryNonceStore``. Outside a served miner (the
validator's code) the network's clock applies. A miner that passes its own
``nonce_store=`` or ``now_ns=`` to ``verify`` keeps them.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
import types
from collections.abc import Iterator
from typing import Any

from simnet._patches import HTTP_AUTH, found, put_back, swap
from simnet.v11.sdk import http_auth


class Clock:
    """Seconds added to the real time: :meth:`advance` moves it, :meth:`set_skew` sets it."""

    def __init__(self, parent: Clock | None = None) -> None:
        self._parent = parent
        self._offset_ns = 0

    @property
    def offset(self) -> float:
        """Seconds this clock is ahead of real time (its parent's offset included)."""
        return self.offset_ns / 1e9

    @property
    def offset_ns(self) -> int:
        return self._offset_ns + (self._parent.offset_ns if self._parent else 0)

    def advance(self, seconds: float) -> None:
        """Move this clock ``seconds`` forward (negative: back)."""
        self._offset_ns += round(seconds * 1e9)

    def set_skew(self, seconds: float) -> None:
        """Run ``seconds`` ahead of the parent clock (behind, if negative)."""
        self._offset_ns = round(seconds * 1e9)

    def time_ns(self) -> int:
        return time.time_ns() + self.offset_ns


class MinerAuth:
    """What btauth/1 uses while one served miner handles a request."""

    def __init__(self, clock: Clock, retention: float = 60.0) -> None:
        self.clock = clock
        self.nonce_store = http_auth.InMemoryNonceStore(retention=retention)

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """btauth/1 uses this miner's clock and nonce store inside (one request)."""
        token = _MINER.set(self)
        try:
            yield
        finally:
            _MINER.reset(token)


_MINER: contextvars.ContextVar[MinerAuth | None] = contextvars.ContextVar(
    "simnet_v11_miner", default=None
)


class _Routes:
    """The clock and nonce store btauth/1 sees, chosen by the request being served."""

    def __init__(self) -> None:
        self.clock: Clock | None = None  # the open network's clock (validators' side)

    def current_clock(self) -> Clock | None:
        miner = _MINER.get()
        return miner.clock if miner is not None else self.clock

    def time_ns(self) -> int:
        clock = self.current_clock()
        return clock.time_ns() if clock is not None else time.time_ns()


class _TimeModule(types.ModuleType):
    """``time`` as ``bittensor.http_auth`` sees it: ``time_ns`` from the current clock."""

    def __init__(self, routes: _Routes) -> None:
        super().__init__("time")
        self._routes = routes

    def time_ns(self) -> int:
        return self._routes.time_ns()

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class _NonceStore:
    """The store ``verify`` uses when given none: the current miner's, else the SDK's."""

    def __init__(self, default: Any) -> None:
        self._default = default

    def _store(self) -> Any:
        miner = _MINER.get()
        return miner.nonce_store if miner is not None else self._default

    @property
    def retention(self) -> float:
        return float(self._store().retention)

    def check_and_store(self, hotkey_ss58: str, nonce_ns: int) -> bool:
        return bool(self._store().check_and_store(hotkey_ss58, nonce_ns))


class _Installation:
    """Reference-counted patches of ``bittensor.http_auth``'s ``time`` and default store
    (the seam ``simnet._patches.HTTP_AUTH``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: dict[str, Any] | None = None
        self.routes = _Routes()

    def acquire(self, clock: Clock) -> None:
        with self._lock:
            if self._depth == 0:
                store = found(HTTP_AUTH, http_auth, "_default_nonce_store")
                routed = {
                    "time": _TimeModule(self.routes),
                    "_default_nonce_store": _NonceStore(store),
                }
                self._saved = swap(HTTP_AUTH, http_auth, routed)
            self._depth += 1
            self.routes.clock = clock

    def release(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._saved is not None:
                put_back(http_auth, self._saved)
                self._saved = None
                self.routes.clock = None


INSTALLATION = _Installation()
