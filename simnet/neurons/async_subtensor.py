"""The async subtensor double: ``bittensor.AsyncSubtensor``'s awaited methods over the same
chain state, chain faults and rules as :class:`~simnet.neurons.subtensor.FakeSubtensor`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from simnet._compat import AsyncMetagraph, Metagraph, metagraph_arguments
from simnet.chain.faults import SIMULATED
from simnet.chain.state import ChainState
from simnet.neurons.substrate import AsyncSubstrateDouble
from simnet.neurons.subtensor import NETWORK, FakeSubtensor, SubtensorDouble, fault_result

# Methods with an async body of their own here; the rest await the sync double's.
_OWN = frozenset({"metagraph", "wait_for_block"})


class AsyncFakeSubtensor(SubtensorDouble):
    """What neurons await on a ``bittensor.AsyncSubtensor``, answered from a :class:`ChainState`.

    ``initialize()``/``close()`` and ``async with`` work as on the real one (nothing to
    connect). Every simulated method of :class:`FakeSubtensor` is here as a coroutine.
    """

    substrate_class = AsyncSubstrateDouble

    def __init__(self, chain: ChainState, *, config: Any = None) -> None:
        super().__init__(chain, config=config)
        self.sync_subtensor = FakeSubtensor(chain, config=config)
        """The sync double over the same state (what async metagraph syncs read)."""

    async def initialize(self) -> AsyncFakeSubtensor:
        """Nothing to connect to; returns self, as the real one does."""
        return self

    async def close(self) -> None:
        """Nothing to close."""

    async def __aenter__(self) -> AsyncFakeSubtensor:
        return await self.initialize()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def block(self) -> Awaitable[int]:
        """``await subtensor.block``: the chain's current block."""
        return self.get_current_block()

    async def metagraph(self, netuid: int, *args: Any, **kwargs: Any) -> Any:
        """A real ``AsyncMetagraph`` (``Metagraph`` where a release has none) of ``netuid``,
        synced from the chain state."""
        if AsyncMetagraph is Metagraph:
            return self.sync_subtensor.metagraph(netuid, *args, **kwargs)
        failed, value = fault_result(self.chain, "metagraph")
        if failed:
            return value
        lite, _ = metagraph_arguments(args, kwargs)
        self.chain.neurons(netuid)  # an unknown netuid raises UnknownSubnet, naming it
        result = AsyncMetagraph(netuid=netuid, network=NETWORK, lite=lite, sync=False)
        await result.sync(lite=lite, subtensor=self)  # type: ignore[arg-type]
        result.network = NETWORK
        return result

    async def wait_for_block(self, block: int | None = None) -> bool:
        """Wait for ``block`` (default: the next) without blocking the event loop."""
        target = self.chain.block + 1 if block is None else block
        seconds = self.chain.block_seconds
        while self.chain.block < target:
            if seconds is None:
                self.chain.advance(target - self.chain.block)
            else:
                await asyncio.sleep(min(seconds, 0.05))
        return True


def _awaiting(name: str) -> Callable[..., Awaitable[Any]]:
    sync_method = getattr(FakeSubtensor, name)

    async def method(self: AsyncFakeSubtensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.sync_subtensor, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = sync_method.__doc__
    return method


for _name in sorted(SIMULATED - _OWN):
    setattr(AsyncFakeSubtensor, _name, _awaiting(_name))
