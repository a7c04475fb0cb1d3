"""Adversarial validators: neurons with stake and a permit that set weights without
querying anyone. Each ``step()`` is called once per block of a rehearsal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from simnet.chain.state import ChainState


class AdversarialValidator:
    """Sets the weights :meth:`weights` gives, every ``every`` blocks (subclasses say which)."""

    strategy: ClassVar[str] = ""

    def __init__(
        self, chain: ChainState, subtensor: Any, wallet: Any, netuid: int, *, every: int
    ) -> None:
        self.chain = chain
        self.subtensor = subtensor
        self.wallet = wallet
        self.netuid = netuid
        self.every = every
        self.hotkey: str = wallet.hotkey.ss58_address
        self.last_set: int | None = None

    def miners(self) -> list[int]:
        """The uids serving an axon, other than this validator's own."""
        return [n.uid for n in self.chain.neurons(self.netuid) if n.serving]

    def weights(self) -> tuple[Sequence[int], Sequence[float]]:
        raise NotImplementedError

    def step(self) -> None:
        block = self.chain.block
        if self.last_set is not None and block - self.last_set < self.every:
            return
        uids, weights = self.weights()
        if not uids:
            return
        result = self.subtensor.set_weights(
            wallet=self.wallet,
            netuid=self.netuid,
            uids=list(uids),
            weights=list(weights),
            version_key=self.chain.hyperparameters(self.netuid).weights_version,
        )
        if _succeeded(result):
            self.last_set = block


def _succeeded(result: Any) -> bool:
    return bool(result[0] if isinstance(result, tuple) else getattr(result, "success", result))


class Lazy(AdversarialValidator):
    """Uniform weights over every serving miner, whatever they answer."""

    strategy = "lazy"

    def weights(self) -> tuple[Sequence[int], Sequence[float]]:
        uids = self.miners()
        return uids, [1.0] * len(uids)


class WeightCopier(AdversarialValidator):
    """The consensus of the last epoch, read from the chain: a copy one epoch late."""

    strategy = "weight-copier"

    def weights(self) -> tuple[Sequence[int], Sequence[float]]:
        consensus = [(n.uid, n.consensus) for n in self.chain.neurons(self.netuid) if n.consensus]
        return [uid for uid, _ in consensus], [float(c) for _, c in consensus]


class Stale(WeightCopier):
    """A weight copier setting weights rarely: only when its last weights are ``every``
    blocks from falling outside the chain's activity cutoff."""

    strategy = "stale"

    def __init__(
        self, chain: ChainState, subtensor: Any, wallet: Any, netuid: int, *, every: int
    ) -> None:
        cutoff = chain.hyperparameters(netuid).activity_cutoff
        super().__init__(chain, subtensor, wallet, netuid, every=max(cutoff - every, 1))


ADVERSARIAL_VALIDATORS: dict[str, type[AdversarialValidator]] = {
    cls.strategy: cls for cls in (WeightCopier, Lazy, Stale)
}
"""The adversarial validators by strategy name."""
