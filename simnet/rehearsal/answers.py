"""A synapse's answer: the fields a miner fills in, copied, emptied or spoiled generically."""

from __future__ import annotations

import random
from typing import Any

from simnet._compat import Synapse

_TRANSPORT_FIELDS = frozenset(Synapse.model_fields)


def answer_fields(synapse: Synapse) -> list[str]:
    """The subnet's own fields of ``synapse`` (everything bittensor's Synapse does not define)."""
    return [name for name in type(synapse).model_fields if name not in _TRANSPORT_FIELDS]


def filled(request: Synapse, answered: Synapse) -> dict[str, Any]:
    """The subnet fields ``answered`` holds that differ from ``request``: the answer."""
    return {
        name: getattr(answered, name)
        for name in answer_fields(request)
        if getattr(answered, name) != getattr(request, name)
    }


def put(synapse: Synapse, values: dict[str, Any]) -> Synapse:
    """``synapse`` with ``values`` set on it (an answer copied from another synapse)."""
    for name, value in values.items():
        setattr(synapse, name, value)
    return synapse


def garbage(value: Any, rng: random.Random) -> Any:
    """A value of ``value``'s type that no honest miner would answer."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return rng.randrange(-(2**31), 2**31)
    if isinstance(value, float):
        return rng.uniform(-1e9, 1e9)
    if isinstance(value, str):
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(len(value) or 8))
    if isinstance(value, list):
        return [garbage(item, rng) for item in value]
    if isinstance(value, dict):
        return {key: garbage(item, rng) for key, item in value.items()}
    return None


def oversized(value: Any, size: int) -> Any:
    """``value`` grown to about ``size`` bytes where its type allows (strings, lists)."""
    if isinstance(value, str) and value:
        return (value * (size // len(value) + 1))[:size]
    if isinstance(value, list) and value:
        return value * (size // max(len(repr(value)), 1) + 1)
    if isinstance(value, int) and not isinstance(value, bool):
        return int("9" * min(size, 4000))  # the most digits Python converts by default
    return value
