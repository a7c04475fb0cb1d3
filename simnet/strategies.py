"""Hypothesis strategies for fuzzing a ``StreamingSynapse`` protocol.

Every strategy takes keyword-only arguments, validates them when it is created, and
shrinks toward the benign case: one whole chunk, headers exactly as a real axon sends
them, a synapse with its defaults.
"""

from simnet.fuzz.chunks import chunkings, payloads
from simnet.fuzz.strategies import (
    axon_headers,
    capture_stream,
    from_factory,
    header_changes,
    synapses,
)

__all__ = [
    "axon_headers",
    "capture_stream",
    "chunkings",
    "from_factory",
    "header_changes",
    "payloads",
    "synapses",
]
