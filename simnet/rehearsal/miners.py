"""Adversarial miners: plain miner objects (``forward``, and the wrapped miner's
``blacklist``/``priority``) that ``Simnet.serve`` takes anywhere a miner goes.

Each wraps the subnet's own miner (a forward function or an object with ``forward``):
its synapse class is the wrapped forward's, and those that need honest answers ask it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import random
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from simnet._compat import Dendrite, Metagraph, Synapse
from simnet.rehearsal import answers


def _forward_of(miner: object) -> Callable[..., Any]:
    forward = getattr(miner, "forward", miner)
    if not callable(forward):
        raise TypeError(f"cannot wrap {miner!r}: expected a forward function or a miner object")
    return forward


class AdversarialMiner:
    """A miner answering the wrapped miner's synapse its own way (subclasses say how)."""

    strategy: ClassVar[str] = ""

    def __init__(self, miner: object) -> None:
        self.honest = _forward_of(miner)
        self.blacklist = getattr(miner, "blacklist", None)
        self.priority = getattr(miner, "priority", None)

        @functools.wraps(self.honest)
        async def forward(synapse: Synapse) -> Synapse:
            return await self.answer(synapse)

        self.forward = forward

    async def honest_answer(self, synapse: Synapse) -> Synapse:
        """What the wrapped miner answers to a copy of ``synapse``."""
        answered = self.honest(synapse.model_copy())
        if inspect.isawaitable(answered):
            answered = await answered
        return answered

    async def answer(self, synapse: Synapse) -> Synapse:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self.honest, '__qualname__', self.honest)!r})"


class Empty(AdversarialMiner):
    """Answers with nothing: the synapse back as it came."""

    strategy = "empty"

    async def answer(self, synapse: Synapse) -> Synapse:
        return synapse


class Garbage(AdversarialMiner):
    """Fills in the fields the honest miner fills, with values of their types no honest
    miner would give (seeded)."""

    strategy = "garbage"

    def __init__(self, miner: object, *, seed: int = 0) -> None:
        super().__init__(miner)
        self._rng = random.Random(seed)

    async def answer(self, synapse: Synapse) -> Synapse:
        honest = answers.filled(synapse, await self.honest_answer(synapse))
        return answers.put(synapse, {k: answers.garbage(v, self._rng) for k, v in honest.items()})


class Oversized(AdversarialMiner):
    """The honest answer grown to about ``size`` bytes per field (strings, lists; an
    integer gets thousands of digits)."""

    strategy = "oversized"

    def __init__(self, miner: object, *, size: int = 1 << 20) -> None:
        super().__init__(miner)
        self.size = size

    async def answer(self, synapse: Synapse) -> Synapse:
        honest = answers.filled(synapse, await self.honest_answer(synapse))
        return answers.put(synapse, {k: answers.oversized(v, self.size) for k, v in honest.items()})


class Replayer(AdversarialMiner):
    """Answers the first query honestly, and every later one with that first answer."""

    strategy = "replayer"

    def __init__(self, miner: object) -> None:
        super().__init__(miner)
        self._cached: dict[str, Any] | None = None

    async def answer(self, synapse: Synapse) -> Synapse:
        if self._cached is None:
            self._cached = answers.filled(synapse, await self.honest_answer(synapse))
        return answers.put(synapse, dict(self._cached))


class LastSecond(AdversarialMiner):
    """The honest answer, held and sent ``margin`` seconds before the validator's timeout
    runs out, counted from the request's arrival."""

    strategy = "last-second"

    def __init__(self, miner: object, *, margin: float = 0.2) -> None:
        super().__init__(miner)
        self.margin = margin

    async def answer(self, synapse: Synapse) -> Synapse:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(synapse.timeout or 0.0) - self.margin
        answered = await self.honest_answer(synapse)
        await asyncio.sleep(max(0.0, deadline - loop.time()))
        return answered


class ValidatorDetector(AdversarialMiner):
    """Answers callers holding a validator permit honestly and everyone else with nothing."""

    strategy = "validator-detector"

    def __init__(self, miner: object, *, metagraph: Metagraph) -> None:
        super().__init__(miner)
        self.metagraph = metagraph

    def _permitted(self, hotkey: str | None) -> bool:
        hotkeys = list(self.metagraph.hotkeys)
        return hotkey in hotkeys and bool(self.metagraph.validator_permit[hotkeys.index(hotkey)])

    async def answer(self, synapse: Synapse) -> Synapse:
        if self._permitted(synapse.dendrite.hotkey if synapse.dendrite else None):
            return await self.honest_answer(synapse)
        return synapse


class Copier(AdversarialMiner):
    """Asks ``ask`` other serving miners (those the last epoch paid most, then the lowest
    uids) over its own dendrite and answers with their most common answer, never
    computing one itself; ``skip`` are hotkeys it does not ask (its fellow copiers). It
    waits at most ``timeout`` seconds, and never more than 60% of its caller's timeout."""

    strategy = "copier"

    def __init__(
        self,
        miner: object,
        *,
        dendrite: Dendrite,
        metagraph: Metagraph,
        skip: Iterable[str] = (),
        ask: int = 3,
        timeout: float = 2.0,
    ) -> None:
        super().__init__(miner)
        self.dendrite = dendrite
        self.metagraph = metagraph
        self.skip = set(skip) | {dendrite.keypair.ss58_address}
        self.ask = ask
        self.timeout = timeout

    def sources(self) -> list[Any]:
        """The axons it asks: the best paid serving miners it does not skip."""
        incentive = list(self.metagraph.I)
        serving = [
            (uid, axon)
            for uid, axon in enumerate(self.metagraph.axons)
            if axon.port and axon.hotkey not in self.skip
        ]
        serving.sort(key=lambda pair: (-float(incentive[pair[0]]), pair[0]))
        return [axon for _, axon in serving[: self.ask]]

    async def answer(self, synapse: Synapse) -> Synapse:
        timeout = min(self.timeout, 0.6 * float(synapse.timeout or self.timeout))
        responses = await self.dendrite(
            axons=self.sources(), synapse=synapse.model_copy(), deserialize=False, timeout=timeout
        )
        heard = [answers.filled(synapse, r) for r in responses if r.dendrite.status_code == 200]
        counts = Counter(repr(sorted(h.items())) for h in heard if h)
        if not counts:
            return synapse
        best = counts.most_common(1)[0][0]
        return answers.put(synapse, next(h for h in heard if repr(sorted(h.items())) == best))


ADVERSARIAL_MINERS: dict[str, type[AdversarialMiner]] = {
    cls.strategy: cls
    for cls in (Copier, Replayer, LastSecond, Empty, Garbage, Oversized, ValidatorDetector)
}
"""The 9.x/10.x adversarial miners by strategy name."""
