"""Real dendrites that reach the axon host over the in-memory transport, and a closed
network's dendrites retired quietly."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import aiohttp

from simnet._compat import Dendrite, Wallet
from simnet._patches import DENDRITE, found, swap


def connected_dendrite(
    cls: type[Dendrite], wallet: Wallet, connector: Callable[[], aiohttp.BaseConnector]
) -> Dendrite:
    """``cls(wallet=wallet)``, a real ``Dendrite`` (or subclass) whose aiohttp session is
    built on ``connector()``.

    The dendrite makes its session lazily, inside its first request, as a bare
    ``aiohttp.ClientSession()`` (the ``Dendrite.session`` property, 9.x and 10.x alike);
    the subclass made here only gives that session a connector.
    """
    dendrite = _with_connector(cls)(wallet=wallet)
    dendrite._simnet_connector = connector
    return dendrite


class _SessionOnConnector:
    _session: aiohttp.ClientSession | None
    _simnet_connector: Callable[[], aiohttp.BaseConnector]

    @property
    async def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=self._simnet_connector())
        return self._session


_CONNECTED: dict[type[Dendrite], type[Dendrite]] = {}


def _with_connector(cls: type[Dendrite]) -> type[Dendrite]:
    if cls not in _CONNECTED:
        found(DENDRITE, cls, "session")
        namespace = {"__qualname__": cls.__qualname__}
        _CONNECTED[cls] = type(cls.__name__, (_SessionOnConnector, cls), namespace)
    return _CONNECTED[cls]


def retire(dendrites: Iterable[Dendrite]) -> None:
    """Dendrites of a closed network, their sessions closed: collecting one later stays
    silent. bittensor's destructor calls ``close_session()``, which warns ("already-running
    event loop ... use aclose_session") whenever the dendrite is collected while any event
    loop runs in that thread, even with nothing left to close; each of these gets a
    ``close_session`` that closes nothing."""
    for dendrite in dendrites:
        swap(DENDRITE, dendrite, {"close_session": _nothing_to_close})


def _nothing_to_close(*args: object, **kwargs: object) -> None:
    return None
