"""The content round-trip property: what a miner streamed is what the validator ends with,
modulo the transformation the protocol documents, for every chunking."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from simnet._compat import Synapse
from simnet.fuzz import chunks as cutting
from simnet.fuzz.equality import same
from simnet.fuzz.inputs import (
    SampleLike,
    SynapseFactory,
    judged_samples,
    payload_strategy,
    short,
    synapse_strategy,
)
from simnet.fuzz.profiles import profile_settings
from simnet.fuzz.runs import Consumer, Progress, PropertyReport, Runner, base_headers, execute
from simnet.fuzz.variations import HeaderSet

Expected = Callable[[bytes], Any]
"""The protocol's documented transformation: from the bytes a miner streams, what the
validator should end with (``None``: that body is not judged)."""


def check_round_trip(
    cls: type[Synapse],
    *,
    expected: Expected,
    samples: Sequence[SampleLike] | None = None,
    payloads: st.SearchStrategy[bytes] | None = None,
    synapses: st.SearchStrategy[Synapse] | None = None,
    synapse_factory: SynapseFactory | None = None,
    consumer: Consumer | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """What the miner streamed is what the validator ends with, for every chunking.

    ``expected(body)`` says what the validator should end with for a streamed ``body``:
    what ``consumer`` returns, when the validator folds the yields with one, else a dict
    of the synapse's fields it names (only those are compared). A body ``expected``
    refuses (raises, or returns ``None``) is not judged, nor is one the protocol raises
    on (chunking invariance judges those). The fields ``expected`` names are what the
    stream fills: drawn synapses are sent with those at their class defaults (the
    validator's own ``synapse_factory`` sends what it sends). It catches content lost
    the same way for every chunking (a parser dropping every newline), which no other
    property sees. It is not run by default: without the protocol's own ``expected``,
    such a loss cannot be told from a transformation the protocol means (see the
    evidence in ``docs/contributing.md``).
    """
    judged = judged_samples(samples)
    bodies = payload_strategy(judged) if payloads is None else payloads

    def body(runner: Runner) -> Callable[[], None]:
        runner.consumer = consumer

        @profile_settings(max_examples)
        @given(
            synapse=synapse_strategy(cls, synapses, synapse_factory, runner),
            payload=bodies,
            data=st.data(),
        )
        def round_trip(synapse: Synapse, payload: bytes, data: st.DataObject) -> None:
            runner.tick()
            chunks = data.draw(cutting.chunkings(payload), label="chunks")
            want = _expected(expected, payload)
            if want is None:
                return
            if consumer is None and synapse_factory is None:
                synapse = _sent(synapse, want)
            headers = base_headers(synapse)
            outcome = runner.run(synapse, chunks, raw_headers=headers)
            if outcome.error is not None:
                return
            got = (
                outcome.consumed
                if consumer is not None
                else {k: outcome.fields.get(k) for k in want}
            )
            if not same(got, want):
                runner.fail(
                    f"the validator ends with {short(got)} where the miner streamed {short(want)}",
                    synapse=synapse,
                    chunks=chunks,
                    headers=HeaderSet(tuple(headers)),
                )

        return round_trip

    return execute("round trip", body, seed, progress, cls)


def _sent(synapse: Synapse, want: dict[str, Any]) -> Synapse:
    """``synapse`` as a validator sends it: the fields the stream fills (those ``want``
    names) at their class defaults, not drawn (a completion the validator sent non-empty
    would be kept ahead of the streamed text, which is no loss of content)."""
    fields = type(synapse).model_fields
    blank = {k: fields[k].get_default(call_default_factory=True) for k in want if k in fields}
    return synapse.model_copy(update=blank)


def _expected(expected: Expected, payload: bytes) -> Any:
    try:
        return expected(payload)
    except Exception:  # not a body of this protocol's shape
        return None
