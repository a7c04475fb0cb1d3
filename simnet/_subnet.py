"""Build a whole subnet in one call: validators with stake and permits, N served miners."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simnet._axon import ServedAxon
from simnet.faults import Fault, FaultPlan

if TYPE_CHECKING:
    from simnet._network import Registration, Simnet

MAX_UIDS = 256


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


def build_subnet(
    net: Simnet,
    netuid: int,
    miner: object | Sequence[object],
    *,
    miners: int | None = None,
    validators: int = 1,
    validator_stakes: Sequence[float] | None = None,
    miner_stakes: Sequence[float] | None = None,
    faults: Callable[[int], Sequence[FaultPlan | Fault]] | None = None,
    seed: int = 0,
) -> Subnet:
    """See :meth:`simnet.Simnet.subnet`."""
    kinds = list(miner) if isinstance(miner, Sequence) and not isinstance(miner, str) else None
    count = len(kinds) if kinds is not None and miners is None else miners
    if count is None:
        count = 1
    if kinds is not None and len(kinds) != count:
        raise ValueError(f"got {len(kinds)} miners for miners={count}")
    if validators < 0 or count < 0 or validators + count > MAX_UIDS:
        raise ValueError(
            f"validators={validators} and miners={count} must be non-negative and fit in "
            f"{MAX_UIDS} uids"
        )
    rng = random.Random(seed)
    v_stakes = _stakes(validator_stakes, validators, "validator_stakes", rng, (1_000, 10_000))
    m_stakes = _stakes(miner_stakes, count, "miner_stakes", rng, (0, 10))
    with net.chain.batch():
        registered = [
            net.register(netuid, f"validator-{i}", stake=v_stakes[i], validator_permit=True)
            for i in range(validators)
        ]
    served = []
    for i in range(count):
        this = kinds[i] if kinds is not None else miner
        served.append(
            net.serve(
                netuid,
                this,
                name=f"miner-{i}",
                stake=m_stakes[i],
                faults=faults(i) if faults is not None else (),
            )
        )
    return Subnet(netuid, registered, served, net.metagraph(netuid))


def _stakes(
    given: Sequence[float] | None,
    count: int,
    name: str,
    rng: random.Random,
    bounds: tuple[float, float],
) -> list[float]:
    if given is None:
        return [round(rng.uniform(*bounds), 3) for _ in range(count)]
    if len(given) != count:
        raise ValueError(f"{name} has {len(given)} values for {count} neurons")
    return list(given)
