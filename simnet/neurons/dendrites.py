"""Real dendrites that reach the axon host over the in-memory transport."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from simnet._compat import Dendrite, Wallet


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
        namespace = {"__qualname__": cls.__qualname__}
        _CONNECTED[cls] = type(cls.__name__, (_SessionOnConnector, cls), namespace)
    return _CONNECTED[cls]
