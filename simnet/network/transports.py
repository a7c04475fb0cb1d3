"""The ways a client reaches a served app: TCP on 127.0.0.1, or in memory (no socket at all).

Imports nothing heavy, so the pytest plugin can check transport names without bittensor.
"""

from __future__ import annotations

from typing import Literal

Transport = Literal["tcp", "memory"]
"""How dendrites reach axons: TCP on 127.0.0.1, or in memory (no socket at all)."""
TRANSPORTS: tuple[Transport, ...] = ("tcp", "memory")


def check_transport(name: object) -> Transport:
    """``name`` if it is a transport's name, else a ``ValueError`` naming the choices."""
    if name not in TRANSPORTS:
        raise ValueError(f"transport={name!r} must be one of {', '.join(TRANSPORTS)}")
    return name
