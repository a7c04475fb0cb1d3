"""A synapse's answer: the fields a miner fills in, copied, emptied or spoiled generically."""

from __future__ import annotations

from typing import Any

from simnet._compat import Synapse
from simnet.wire.spoil import garbage, oversized

__all__ = ["answer_fields", "filled", "garbage", "oversized", "put"]

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
