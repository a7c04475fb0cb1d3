"""What a protocol property draws: the synapses (generated from the class, or only those
the validator's own builder makes) and the stream bodies (the user's first and often)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from simnet._compat import Synapse
from simnet.fuzz import chunks as cutting
from simnet.fuzz import strategies
from simnet.fuzz.reports import Runner
from simnet.fuzz.runs import user_fields
from simnet.fuzz.samples import Sample, as_samples

SampleLike = bytes | Sample
SynapseFactory = Callable[..., Synapse]


def judged_samples(samples: Sequence[SampleLike] | None) -> dict[bytes, Sample]:
    """The samples to judge, by payload: the user's (each with its raw-UTF-8 twin) first,
    then simnet's defaults; plain bytes count as the user's."""
    if samples is None:
        listed = as_samples([])
    else:
        given = [s if isinstance(s, Sample) else Sample(bytes(s), "given") for s in samples]
        listed = as_samples(
            [s for s in given if s.given], [s.payload for s in given if not s.given]
        )
    judged: dict[bytes, Sample] = {}
    for sample in listed:
        judged.setdefault(sample.payload, sample)
    return judged


def payload_strategy(judged: dict[bytes, Sample]) -> st.SearchStrategy[bytes]:
    """Bodies: the user's samples about half the time (and first: shrinking goes back to
    them), else any sample or generated text."""
    everything = cutting.payloads(samples=list(judged))
    given = [payload for payload, sample in judged.items() if sample.given]
    return st.one_of(st.sampled_from(given), everything) if given else everything


def synapse_strategy(
    cls: type[Synapse],
    synapses: st.SearchStrategy[Synapse] | None,
    factory: SynapseFactory | None,
    runner: Runner,
) -> st.SearchStrategy[Synapse]:
    """The synapses a property sends: ``synapses`` or the ``factory``'s if given (not
    both), else drawn from the class's fields (noting what cannot be drawn)."""
    if synapses is not None and factory is not None:
        raise InvalidArgument("give synapses or synapse_factory, not both")
    if factory is not None:
        return strategies.from_factory(cls, factory)
    if synapses is not None:
        return synapses
    for note in strategies.field_notes(cls):
        runner.note(note)
    return strategies.synapses(cls)


def sendable_note(what: str, synapse: Synapse) -> str:
    """A failure that may be the drawn synapse's alone, as a question for the user."""
    fields = user_fields(synapse)
    unset = [f"{name}=None" for name, value in fields.items() if value is None]
    which = f"with {', '.join(unset)}" if unset else short(fields)
    return (
        f"{what} on a synapse {which}; can the validator send that? (not a failure: give "
        "the validator's own synapse builder, --synapse-factory, to judge only what it sends)"
    )


def short(value: Any, limit: int = 120) -> str:
    """``value``'s repr (or the string, if it is one already quoted), on one line, cut."""
    text = value if isinstance(value, str) and value.startswith("'") else repr(value)
    text = text.splitlines()[0] if text else text
    return text if len(text) <= limit else text[: limit - 1] + "…"
