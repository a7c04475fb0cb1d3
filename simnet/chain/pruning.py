"""Which uid a registration into a full subnet replaces, as subtensor decides it.

The spec is subtensor's ``get_neuron_to_prune`` and ``get_immune_owner_tuples``
(``pallets/subtensor/src/subnets/registration.rs`` at opentensor/subtensor 14bc6f9f9):

* the subnet owner's hotkeys are never replaced: the owner hotkey, then the other hotkeys
  of the owner's coldkey on the subnet, earliest registration first, up to
  ``immune_owner_uids_limit`` in all;
* among the rest, the lowest emission, then the earliest registration, then the lowest
  uid;
* a uid outside its immunity period (``block - registered_at >= immunity_period``) only
  while more than ``min_non_immune_uids`` uids are outside it; otherwise the best immune
  uid; none at all if every uid is the owner's (the chain's ``NoNeuronIdAvailable``).

simnet knows a hotkey's owner by the coldkey it registered with (the chain's
``OwnedHotkeys``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Registered(Protocol):
    """What pruning reads of a neuron."""

    @property
    def uid(self) -> int: ...
    @property
    def hotkey(self) -> str: ...
    @property
    def coldkey(self) -> str: ...
    @property
    def emission(self) -> int: ...
    @property
    def registered_at(self) -> int: ...


@dataclass(frozen=True)
class Owner:
    """A subnet's owner: its coldkey and the hotkey it named (both may be unknown)."""

    coldkey: str | None = None
    hotkey: str | None = None


def immune_owner_uids(neurons: Sequence[Registered], owner: Owner, limit: int) -> list[int]:
    """The owner's uids that are never replaced, in the chain's order of priority."""
    owned = sorted(
        (n for n in neurons if owner.coldkey is not None and n.coldkey == owner.coldkey),
        key=lambda n: (n.registered_at, n.uid),
    )[:limit]
    uids = [n.uid for n in owned]
    owner_uid = next((n.uid for n in neurons if n.hotkey == owner.hotkey), None)
    if owner.hotkey is not None and owner_uid is not None and owner_uid not in uids:
        uids = [owner_uid, *uids][:limit]
    return uids


def neuron_to_prune(
    neurons: Sequence[Registered],
    *,
    block: int,
    immunity_period: int,
    min_non_immune_uids: int,
    owner: Owner,
    immune_owner_limit: int,
) -> int | None:
    """The uid a new registration replaces, or ``None`` when none may be."""
    immortal = set(immune_owner_uids(neurons, owner, immune_owner_limit))
    candidates = [n for n in neurons if n.uid not in immortal]
    immune = [n for n in candidates if block - n.registered_at < immunity_period]
    free = [n for n in candidates if block - n.registered_at >= immunity_period]

    def best(group: list[Registered]) -> int | None:
        if not group:
            return None
        return min(group, key=lambda n: (n.emission, n.registered_at, n.uid)).uid

    if len(free) > min_non_immune_uids and free:
        return best(free)
    return best(immune)
