"""What a simulated subnet is made of: registrations, a built subnet, and the rules
:meth:`simnet.Simnet.subnet` builds one by."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simnet._compat import Wallet
from simnet.chain.state import Neuron
from simnet.neurons.axons import ServedAxon

MAX_UIDS = 256


@dataclass(frozen=True)
class Registration:
    """A neuron on the simulated chain together with the wallet that owns it."""

    neuron: Neuron
    wallet: Wallet

    @property
    def netuid(self) -> int:
        return self.neuron.netuid

    @property
    def uid(self) -> int:
        return self.neuron.uid

    @property
    def hotkey(self) -> str:
        return self.neuron.hotkey


@dataclass(frozen=True)
class Subnet:
    """A subnet built by :meth:`simnet.Simnet.subnet`."""

    netuid: int
    validators: list[Registration]
    miners: list[ServedAxon]
    metagraph: Any

    @property
    def axons(self) -> list[Any]:
        """The metagraph's ``AxonInfo`` of every miner, in uid order (what a validator queries)."""
        return [self.metagraph.axons[miner.uid] for miner in self.miners]


def miner_kinds(miner: object | Sequence[object], miners: int | None) -> list[object]:
    """One miner per uid: ``miner`` repeated ``miners`` times, or the sequence given."""
    if isinstance(miner, Sequence) and not isinstance(miner, str):
        kinds = list(miner)
        if miners is not None and len(kinds) != miners:
            raise ValueError(f"got {len(kinds)} miners for miners={miners}")
        return kinds
    count = 1 if miners is None else miners
    if count < 0:
        raise ValueError(f"miners={count} must be non-negative")
    return [miner] * count


def check_size(validators: int, miners: int, *, registered: int = 0) -> None:
    """Refuse subnets that do not fit in 256 uids with the ``registered`` ones."""
    if validators < 0 or miners < 0 or registered + validators + miners > MAX_UIDS:
        taken = f" next to the {registered} registered" if registered else ""
        raise ValueError(
            f"validators={validators} and miners={miners} must be non-negative and fit in "
            f"{MAX_UIDS} uids{taken}"
        )


def stakes(
    given: Sequence[float] | None,
    count: int,
    name: str,
    rng: random.Random,
    bounds: tuple[float, float],
) -> list[float]:
    """``given`` (checked against ``count``), else ``count`` stakes drawn from ``rng``."""
    if given is None:
        return [round(rng.uniform(*bounds), 3) for _ in range(count)]
    if len(given) != count:
        raise ValueError(f"{name} has {len(given)} values for {count} neurons")
    return list(given)
