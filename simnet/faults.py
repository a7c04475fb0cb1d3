"""Fault plans: deterministic misbehaviour on the wire between a served axon and its callers.

A :class:`FaultPlan` holds faults applied, in order, to every request that matches it
(all requests, one synapse type, or one caller hotkey). Attach plans when serving
(``simnet.serve(netuid, miner, faults=[...])``) or later (``axon.inject(plan)``).
Every fault records what it did in ``plan.events``::

    plan = FaultPlan(Latency(0.2), DisconnectAfter(bytes=10))
    axon = net.serve(1, miner, faults=[plan])
    ...
    assert [e.fault for e in plan.events] == ["Latency", "DisconnectAfter"]

Faults sit outside bittensor's own axon middleware, where a proxy or the network would:
the miner and the axon's checks run as usual, then the bytes are delayed, re-cut, cut
off or replaced on their way to the caller (``LostResponse``: after the miner handled
the request in full; ``ErrorStatus``: before it sees it).
"""

from simnet.wire.faults import (
    ChunkDelay,
    DisconnectAfter,
    DripFeed,
    ErrorStatus,
    Fault,
    FaultContext,
    FaultEvent,
    FaultPlan,
    IdleDisconnect,
    Latency,
    LostResponse,
    MutateHeaders,
    Rechunk,
    Stall,
    Truncate,
)

__all__ = [
    "ChunkDelay",
    "DisconnectAfter",
    "DripFeed",
    "ErrorStatus",
    "Fault",
    "FaultContext",
    "FaultEvent",
    "FaultPlan",
    "IdleDisconnect",
    "Latency",
    "LostResponse",
    "MutateHeaders",
    "Rechunk",
    "Stall",
    "Truncate",
]
